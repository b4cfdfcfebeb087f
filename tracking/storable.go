package tracking

import (
	"errors"
	"unicode/utf8"
)

// ErrUnstorableText is returned when a label or another text to be stored
// has characters that StorableText refuses.
var ErrUnstorableText = errors.New("tracking: text has characters that cannot be stored faithfully")

// StorableText reports whether s can be stored and shown back exactly as
// it was typed: valid UTF-8 without control characters (tab and line
// breaks aside) and without bidirectional embeddings, overrides or
// isolates. PostgreSQL refuses NUL and invalid UTF-8 outright, halfway
// through a command; SQLite keeps them, and a U+202E in a label turns the
// text after it around in lists and on the shared tracking page.
func StorableText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || r >= 0x7f && r <= 0x9f: // C0, DEL and C1 controls
			return false
		case r >= 0x202a && r <= 0x202e: // embeddings and overrides
			return false
		case r >= 0x2066 && r <= 0x2069: // isolates
			return false
		}
	}
	return true
}
