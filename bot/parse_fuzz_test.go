package bot

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/trackbot/trackbot/tracking"
)

// commandSeeds are lines as people type them in every chat, with the
// quotation marks, bot suffixes and line breaks the parsers handle.
var commandSeeds = []string{
	"/track@trackbot RR123456785CN Mom's “birthday gift”",
	"/TRACK\nRR123456785CN", "/track\tDEMO-LIVE order #42 Jacket",
	"/label 1Z2617V10397725789 «Cadeau de Noël»", "/label X ‘quoted’ don’t",
	"/quiet 22-07", "/quiet 22:30-07:00", "/quiet off", "/zone america/port-au-prince",
	"RR 123 456 785 CN", "„Geschenk“ 00340434161094042557 bestellung 77", "「礼物」 订单 9 LX123456785CN",
	"/", "/ x", "/\f@", "/list\u00a0late", "/track\r\nDEMO-LIVE", "\"unterminated DEMO-LIVE", "a\x00b DEMO-LIVE", "\u202eevil DEMO-LIVE", "",
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range commandSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, args := parseCommand(text)
		if args != strings.TrimSpace(args) {
			t.Fatalf("parseCommand(%q) args %q not trimmed", text, args)
		}
		if !strings.HasPrefix(strings.TrimSpace(text), "/") {
			if cmd != "" || args != strings.TrimSpace(text) {
				t.Fatalf("parseCommand(%q) = %q, %q; want no command and the text", text, cmd, args)
			}
			return
		}
		if strings.ContainsFunc(cmd, unicode.IsSpace) || strings.Contains(cmd, "@") {
			t.Fatalf("parseCommand(%q) command %q holds a separator", text, cmd)
		}
		if cmd != strings.ToLower(cmd) {
			t.Fatalf("parseCommand(%q) command %q is not lower case", text, cmd)
		}
		if c2, a2 := parseCommand("/" + cmd + " " + args); c2 != cmd || a2 != args {
			t.Fatalf("parseCommand(%q) = %q, %q, but written back it gives %q, %q", text, cmd, args, c2, a2)
		}
	})
}

func FuzzFields(f *testing.F) {
	for _, s := range commandSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := fields(s)
		for _, w := range got {
			if w == "" {
				t.Fatalf("fields(%q) = %q holds an empty field", s, got)
			}
			// Invalid UTF-8 comes out as U+FFFD: a label the database
			// and the chat can hold.
			if !utf8.ValidString(w) {
				t.Fatalf("fields(%q) = %q holds invalid UTF-8", s, got)
			}
		}
		if !utf8.ValidString(s) {
			return
		}
		quoted := strings.ContainsFunc(s, func(r rune) bool {
			if closingQuote[r] != 0 {
				return true
			}
			for _, c := range closingQuote {
				if c == r {
					return true
				}
			}
			return false
		})
		if want := strings.Fields(s); !quoted && !slices.Equal(got, want) {
			t.Fatalf("fields(%q) = %q, want strings.Fields' %q for text without quotes", s, got, want)
		}
		// Nothing but quotation marks and white space is lost.
		var kept, in strings.Builder
		for _, w := range got {
			kept.WriteString(w)
		}
		for _, r := range s {
			if !unicode.IsSpace(r) {
				in.WriteRune(r)
			}
		}
		if k := strings.Map(dropSpace, kept.String()); len(k) > len(in.String()) {
			t.Fatalf("fields(%q) = %q made up text", s, got)
		}
	})
}

func dropSpace(r rune) rune {
	if unicode.IsSpace(r) {
		return -1
	}
	return r
}

func FuzzParseTrack(f *testing.F) {
	for _, s := range commandSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		got, ok := parseTrack(args)
		words := fields(args)
		numberWord := slices.ContainsFunc(words, func(w string) bool {
			return tracking.KnownNumber(w) || tracking.LooksLikeNumber(w)
		})
		if ok != numberWord {
			t.Fatalf("parseTrack(%q) ok=%v, but a word may be a number: %v", args, ok, numberWord)
		}
		if !ok {
			if got != (trackArgs{}) {
				t.Fatalf("parseTrack(%q) = %+v without a number", args, got)
			}
			return
		}
		if !tracking.ValidNumber(got.number) || tracking.NormalizeNumber(got.number) != got.number {
			t.Fatalf("parseTrack(%q) number %q is not a valid normalized number", args, got.number)
		}
		if !slices.ContainsFunc(words, func(w string) bool { return tracking.NormalizeNumber(w) == got.number }) {
			t.Fatalf("parseTrack(%q) number %q is none of the words %q", args, got.number, words)
		}
		if got.label != strings.TrimSpace(got.label) {
			t.Fatalf("parseTrack(%q) label %q not trimmed", args, got.label)
		}
		if got.orderRef != "" && !slices.Contains(words, got.orderRef) {
			t.Fatalf("parseTrack(%q) order %q is none of the words %q", args, got.orderRef, words)
		}
	})
}

func FuzzParseQuiet(f *testing.F) {
	for _, s := range []string{"22-07", "22:00-07:00", "off", "0", "none", "24-8", "7-7", "22:30-07", "-1-5", "08 - 17", "+8-9", "99999999999999999999-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start, end, off, ok := parseQuiet(s)
		switch {
		case !ok:
			if start != 0 || end != 0 || off {
				t.Fatalf("parseQuiet(%q) = %d, %d, %v refused", s, start, end, off)
			}
		case off:
			if start != 0 || end != 0 {
				t.Fatalf("parseQuiet(%q) off with hours %d-%d", s, start, end)
			}
		case start < 0 || start > 23 || end < 0 || end > 23 || start == end:
			t.Fatalf("parseQuiet(%q) = %d-%d", s, start, end)
		case quietMinutes(s):
			t.Fatalf("parseQuiet(%q) accepted minutes quietMinutes warns of", s)
		}
	})
}

func FuzzClip(f *testing.F) {
	f.Add("Mom's “birthday gift”", 5)
	f.Add("\xff\xfe", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 1 || n > 2*maxLabel {
			return
		}
		got := clip(s, n)
		if c := utf8.RuneCountInString(got); c > n {
			t.Fatalf("clip(%q, %d) = %q has %d characters", s, n, got, c)
		}
		if utf8.RuneCountInString(s) <= n && got != s {
			t.Fatalf("clip(%q, %d) = %q changed a short text", s, n, got)
		}
	})
}
