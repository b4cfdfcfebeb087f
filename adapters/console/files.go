package console

import (
	"fmt"
	"os"

	"github.com/trackbot/trackbot/bot"
)

// writeFile writes the file a reply carries (an export) where the core
// says, readable by its owner only: it holds the chat's orders. It
// reports false, after printing why, when the file could not be written;
// the reply saying where it was written is then not printed.
func (a *Adapter) writeFile(d *bot.Document) bool {
	if d.Path == "" {
		return true
	}
	if err := os.WriteFile(d.Path, d.Data, 0o600); err != nil {
		fmt.Fprintf(a.out, "cannot write %s: %v\n", d.Path, err)
		return false
	}
	return true
}
