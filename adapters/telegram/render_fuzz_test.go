package telegram

import (
	"html"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/trackbot/trackbot/bot"
)

// tags are the only markup render writes itself.
var tags = strings.NewReplacer("<b>", "", "</b>", "", "<i>", "", "</i>", "")

func FuzzRender(f *testing.F) {
	f.Add(false, "Gift <b>for</b> Mom & Dad", "2024-05-01 10:00", "Out for delivery", "Berlin, DE", "DHL")
	f.Add(true, "<script>alert(1)</script>", "<i>", "&amp;", "\u202e", "")
	f.Add(false, strings.Repeat("<&>", 2000), "", strings.Repeat("😀", 3000), "x", "y")
	f.Add(true, "a\nb\n\n  \nc", "", "", "", "")
	f.Fuzz(func(t *testing.T, title bool, body, when, description, place, carrier string) {
		r := bot.Reply{Blocks: []bot.Block{
			{Text: &bot.Text{Title: title, Body: body}},
			{Timeline: []bot.TimelineEntry{{When: when, Description: description, Place: place, Carrier: carrier}}},
		}}
		var shown strings.Builder
		for i, p := range render(r) {
			if n := size(p.text); n > maxText {
				t.Fatalf("part %d has %d UTF-16 units, more than %d", i, n, maxText)
			}
			for _, tag := range []string{"b", "i"} {
				if o, c := strings.Count(p.text, "<"+tag+">"), strings.Count(p.text, "</"+tag+">"); o != c {
					t.Fatalf("part %d opens <%s> %d times and closes it %d times: %q", i, tag, o, c, p.text)
				}
			}
			plain := tags.Replace(p.text)
			if strings.ContainsAny(plain, "<>") {
				t.Fatalf("part %d carries a raw < or > of the input: %q", i, p.text)
			}
			// Every &, ' and " of the input is escaped too.
			if html.EscapeString(html.UnescapeString(plain)) != plain {
				t.Fatalf("part %d is not fully escaped: %q", i, p.text)
			}
			shown.WriteString(html.UnescapeString(plain))
		}
		// Every character of valid input is shown, in order.
		var want strings.Builder
		if strings.TrimSpace(body) != "" {
			want.WriteString(body)
		}
		want.WriteString(when + description)
		if place != "" {
			want.WriteString("—" + place)
		}
		if carrier != "" {
			want.WriteString("·" + carrier)
		}
		for _, s := range []string{body, when, description, place, carrier} {
			if !utf8.ValidString(s) {
				return
			}
		}
		if got, want := noSpace(shown.String()), noSpace(want.String()); got != want {
			t.Fatalf("shown %q, want %q", got, want)
		}
	})
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
