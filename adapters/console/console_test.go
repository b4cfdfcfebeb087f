package console_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/adapters/console"
	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// TestLongLinesAreAnsweredAndReadingGoesOn types lines longer than the
// console keeps (over a mebibyte) between ordinary ones: each long line
// gets the bot's "too long" reply and the lines after it are still read
// and answered.
func TestLongLinesAreAnsweredAndReadingGoesOn(t *testing.T) {
	lines := []struct {
		name, text string
		reply      string // a piece of the reply
	}{
		{"a short line first", "/help", "/track"},
		{"two mebibytes", strings.Repeat("x", 2<<20), "too long (over 4096"},
		{"a line after it", "/help", "/track"},
		{"a long line of spaces and words", strings.Repeat("parcel ", 300_000), "too long (over 4096"},
		{"the last line, without a line ending", "/help", "/track"},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cat, err := locales.Load("")
		if err != nil {
			t.Fatal(err)
		}
		clock := tracking.NewFakeClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
		e := tracking.NewEngine(s, tracking.NewRegistry(clock), tracking.Options{Clock: clock})
		b := bot.New(bot.Config{Store: s, Engine: e, Catalog: cat, Clock: clock})
		var in strings.Builder
		for i, l := range lines {
			in.WriteString(l.text)
			if i < len(lines)-1 {
				in.WriteString("\n")
			}
		}
		var out bytes.Buffer
		if err := console.New(strings.NewReader(in.String()), &out, "en", false).Run(context.Background(), b); err != nil {
			t.Fatalf("the console stopped: %v", err)
		}
		// Each reply ends with a blank line.
		replies := strings.Split(strings.TrimSuffix(out.String(), "\n\n"), "\n\n")
		if len(replies) < len(lines) {
			t.Fatalf("%d replies to %d lines:\n%s", len(replies), len(lines), out.String())
		}
		for i, l := range lines {
			if !strings.Contains(replies[i], l.reply) {
				t.Errorf("%s: answered %q, want %q in it", l.name, replies[i], l.reply)
			}
		}
	})
}
