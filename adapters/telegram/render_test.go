package telegram

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestLongReplySplitsOnLines: a reply over 4,096 characters goes out in
// several messages, each within the limit, cut only between lines, the
// keyboard under the last.
func TestLongReplySplitsOnLines(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf("line %03d: Ünïcödé & <escaped> text 📦", i))
	}
	r := bot.Reply{Blocks: []bot.Block{
		{Text: &bot.Text{Title: true, Body: "A long story"}},
		{Text: &bot.Text{Body: strings.Join(lines, "\n")}},
		{Buttons: []bot.Button{{Label: "Refresh", Action: "refresh", Payload: "1"}}},
	}}
	if err := a.Send(context.Background(), bot.ChatRef{Platform: bot.Telegram, ID: "1001"}, r); err != nil {
		t.Fatal(err)
	}
	calls := f.sent("1001")
	if len(calls) < 3 {
		t.Fatalf("%d messages, want the text split into at least 3", len(calls))
	}
	var got []string
	for i, c := range calls {
		text := c.Form["text"]
		if n := size(text); n > maxText {
			t.Errorf("part %d has %d characters", i, n)
		}
		if strings.HasPrefix(text, "\n") || strings.HasSuffix(text, "\n") {
			t.Errorf("part %d starts or ends with a blank line", i)
		}
		if (c.Form["reply_markup"] != "") != (i == len(calls)-1) {
			t.Errorf("part %d of %d: keyboard %q; only the last part carries it", i, len(calls), c.Form["reply_markup"])
		}
		got = append(got, strings.Split(text, "\n")...)
	}
	want := append([]string{"<b>A long story</b>"}, lines...)
	for i := range want[1:] {
		want[i+1] = strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(want[i+1], "&", "&amp;"), "<", "&lt;"), ">", "&gt;")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the parts, joined, are not the reply's lines:\n%s", strings.Join(got[:5], "\n"))
	}
}

var tag = regexp.MustCompile(`</?([a-z]+)>`)

// balanced reports whether every tag in s is closed in order.
func balanced(s string) bool {
	var open []string
	for _, m := range tag.FindAllStringSubmatch(s, -1) {
		if !strings.HasPrefix(m[0], "</") {
			open = append(open, m[1])
			continue
		}
		if len(open) == 0 || open[len(open)-1] != m[1] {
			return false
		}
		open = open[:len(open)-1]
	}
	return len(open) == 0
}

// TestOverlongLineIsCut: one line longer than a message is cut between
// characters, never inside an escape, each piece with its tags closed.
func TestOverlongLineIsCut(t *testing.T) {
	title := strings.Repeat("<&>", 2000) // 6,000 characters, 24,000 escaped
	parts := render(bot.Reply{Blocks: []bot.Block{{Text: &bot.Text{Title: true, Body: title}}}})
	if len(parts) < 6 {
		t.Fatalf("%d parts", len(parts))
	}
	var plain strings.Builder
	for i, p := range parts {
		if size(p.text) > maxText {
			t.Errorf("part %d: %d characters", i, size(p.text))
		}
		if !balanced(p.text) || !strings.HasPrefix(p.text, "<b>") {
			t.Errorf("part %d is not whole HTML: %.40q…", i, p.text)
		}
		inner := strings.TrimSuffix(strings.TrimPrefix(p.text, "<b>"), "</b>")
		if strings.Count(inner, "&") != strings.Count(inner, ";") {
			t.Errorf("part %d cuts an escape", i)
		}
		plain.WriteString(strings.NewReplacer("&lt;", "<", "&amp;", "&", "&gt;", ">").Replace(inner))
	}
	if plain.String() != title {
		t.Error("the pieces do not add up to the line")
	}
}

func TestRender(t *testing.T) {
	r := bot.Reply{Blocks: []bot.Block{
		{Text: &bot.Text{Body: "Now tracking <x>"}},
		{Text: &bot.Text{Title: true, Body: `Mum's "gift"`}},
		{Text: &bot.Text{Body: "In transit"}},
		{Timeline: []bot.TimelineEntry{
			{When: "2026-11-02 09:00", Description: "Customs & <b>duty</b>", Place: "Frankfurt, DE", Carrier: "DHL"},
			{When: "2026-11-01 09:00", Description: "Departed"},
		}},
	}}
	parts := render(r)
	want := "Now tracking &lt;x&gt;\n\n" +
		"<b>Mum&#39;s &#34;gift&#34;</b>\n" +
		"In transit\n\n" +
		"<i>2026-11-02 09:00</i> Customs &amp; &lt;b&gt;duty&lt;/b&gt; — Frankfurt, DE · DHL\n" +
		"<i>2026-11-01 09:00</i> Departed"
	if len(parts) != 1 || parts[0].text != want || parts[0].keyboard != nil {
		t.Errorf("render =\n%s\nwant\n%s", parts[0].text, want)
	}
	if got := render(bot.Reply{}); len(got) != 0 {
		t.Errorf("an empty reply rendered as %+v", got)
	}
}

func TestKeyboardRows(t *testing.T) {
	buttons := func(n int, label string) []bot.Button {
		var out []bot.Button
		for i := range n {
			out = append(out, bot.Button{Label: label, Action: "info", Payload: fmt.Sprint(i)})
		}
		return out
	}
	for _, tc := range []struct {
		n     int
		label string
		rows  string
	}{
		{1, "Refresh", "1"},
		{2, "Refresh", "2"},
		{3, "Refresh", "3"},
		{4, "Refresh", "2 2"},
		{5, "Refresh", "3 2"},
		{6, "Refresh", "3 3"},
		{7, "Refresh", "3 2 2"},
		{3, "Track DEMO-PICKUP now", "2 1"},
		{2, "A label far too long to share its row", "1 1"},
	} {
		var sizes []string
		for _, row := range keyboard(buttons(tc.n, tc.label)) {
			sizes = append(sizes, fmt.Sprint(len(row)))
		}
		if got := strings.Join(sizes, " "); got != tc.rows {
			t.Errorf("%d buttons labelled %q: rows %s, want %s", tc.n, tc.label, got, tc.rows)
		}
	}
	kb := keyboard([]bot.Button{
		{Label: "Cancel", Action: "cancel"},
		{Label: "Too long", Action: "track", Payload: strings.Repeat("X", 60)},
	})
	if len(kb) != 1 || len(kb[0]) != 1 || kb[0][0].CallbackData != "cancel:" {
		t.Errorf("keyboard %+v, want only the cancel button (callback data over 64 bytes is dropped)", kb)
	}
}

// TestMenuCoversCatalog: the command menu has a description of every
// command in every language trackbot speaks.
func TestMenuCoversCatalog(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	for _, lang := range h.cat.Languages() {
		for _, c := range menu(h.cat.Localizer(lang)) {
			if d := c.Description; d == "" || d == "menu_"+c.Command || len([]rune(d)) > 256 {
				t.Errorf("%s: /%s described as %q", lang, c.Command, d)
			}
		}
	}
}
