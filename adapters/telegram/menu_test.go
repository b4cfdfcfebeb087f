package telegram

import (
	"slices"
	"testing"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/locales"
)

// TestMenuIsTheCommandTable: Telegram's menu, in every catalog language
// and in the default one, offers exactly the core's in-menu commands in
// the table's order, each described in that language's own catalog.
func TestMenuIsTheCommandTable(t *testing.T) {
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range bot.Commands() {
		if c.Menu {
			want = append(want, c.Name)
		}
	}
	if !slices.Contains(want, "order") {
		t.Fatalf("in-menu commands %v lack /order", want)
	}
	for _, lang := range append([]string{""}, cat.Languages()...) {
		loc := cat.Localizer(lang)
		own := cat.MessageIDs(loc.Language())
		var got []string
		for _, c := range menu(loc) {
			got = append(got, c.Command)
			if !slices.Contains(own, "menu_"+c.Command) {
				t.Errorf("language %q: /%s is not described in the %s catalog (menu_%s)", lang, c.Command, loc.Language(), c.Command)
			}
			if c.Description == "" || c.Description == "menu_"+c.Command || len([]rune(c.Description)) > 256 {
				t.Errorf("language %q: /%s has description %q", lang, c.Command, c.Description)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("language %q: menu %v, want the in-menu commands %v", lang, got, want)
		}
	}
}
