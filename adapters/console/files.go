package console

import (
	"fmt"
	"os"

	"github.com/trackbot/trackbot/bot"
)

// writeFile writes the file a reply carries (an export) where the core
// says, readable by its owner only: it holds the chat's orders. It
// reports false, after printing why in the chat's language (the core's
// bot.Document.Undelivered), when the file could not be written; the reply
// saying where it was written is then not printed.
func (a *Adapter) writeFile(d *bot.Document) bool {
	if d.Path == "" {
		return true
	}
	if err := os.WriteFile(d.Path, d.Data, 0o600); err != nil {
		if r, ok := d.Undelivered(err); ok {
			fmt.Fprint(a.out, render(r, 1))
		} else {
			fmt.Fprintln(a.out, err)
		}
		return false
	}
	return true
}
