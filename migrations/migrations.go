// Package migrations embeds trackbot's schema: forward-only goose
// migrations, one folder per SQL dialect. Released files are never edited;
// a change is a new file in both folders.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
