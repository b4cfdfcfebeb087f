package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
)

// flat writes replies as one string: texts, and buttons with their
// actions.
func flat(replies []bot.Reply) string {
	var b strings.Builder
	for _, r := range replies {
		for _, bl := range r.Blocks {
			if bl.Text != nil {
				b.WriteString(bl.Text.Body + "\n")
			}
			for _, btn := range bl.Buttons {
				fmt.Fprintf(&b, "[%s:%s]\n", btn.Label, btn.Action)
			}
		}
	}
	return b.String()
}

// TestEveryNameAndAliasReachesItsCommand: the command table has no name
// twice, LookupCommand finds every name and alias in any case, and Handle
// answers each of them as the command itself, never as unknown input.
func TestEveryNameAndAliasReachesItsCommand(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	clock := tracking.NewFakeClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	reg := tracking.NewRegistry(clock)
	reg.AddCarrier(demo.New(time.Minute, clock), tracking.CarrierDemo)
	e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, DemoStep: time.Minute, MinInterval: time.Minute})
	b := bot.New(bot.Config{Store: s, Engine: e, Catalog: cat, Clock: clock})
	chats := 0
	say := func(text string) string {
		chats++ // a fresh chat each time: no command sees another's effect
		chat := bot.ChatRef{Platform: bot.Telegram, ID: fmt.Sprint(5000 + chats), Kind: bot.Private}
		return flat(b.Handle(context.Background(), bot.Message{Chat: chat, User: "u1", Text: text, Language: "en"}))
	}
	unknown := say("/nosuchcommand")
	if !strings.Contains(unknown, "/help") {
		t.Fatalf("an unknown command is answered %q", unknown)
	}

	seen := map[string]string{}
	for _, c := range bot.Commands() {
		for _, w := range append([]string{c.Name}, c.Aliases...) {
			if other, dup := seen[w]; dup {
				t.Errorf("%q names both /%s and /%s", w, other, c.Name)
			}
			seen[w] = c.Name
			for _, typed := range []string{w, strings.ToUpper(w)} {
				if got, ok := bot.LookupCommand(typed); !ok || got.Name != c.Name {
					t.Errorf("LookupCommand(%q) = %q, %v; want /%s", typed, got.Name, ok, c.Name)
				}
			}
			want := say("/" + c.Name)
			if got := say("/" + w); got != want || got == unknown || got == "" {
				t.Errorf("/%s is answered\n%s\nwant /%s's answer\n%s", w, got, c.Name, want)
			}
		}
	}
	if _, ok := bot.LookupCommand("nosuchcommand"); ok {
		t.Error("LookupCommand found a command that is not in the table")
	}
}

// TestHelpWritesArgumentsWithTheirCommand: where the help of any language
// names a command with one of the fixed words its usage offers ("quiet
// off", "brand off"), it writes the command with its slash, so that it
// works as typed (and reads as a sub-command on Slack).
func TestHelpWritesArgumentsWithTheirCommand(t *testing.T) {
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range cat.Languages() {
		help := cat.Localizer(lang).T("help", nil)
		for _, c := range bot.Commands() {
			for _, word := range strings.FieldsFunc(c.Usage, func(r rune) bool { return strings.ContainsRune("|[] ", r) }) {
				if word != strings.ToLower(word) || strings.ContainsAny(word, ".-…") {
					continue // a placeholder (NUMBER, HH-HH, YYYY-MM-DD), not a word to type
				}
				bare := c.Name + " " + word
				for i := strings.Index(help, bare); i >= 0; i = nextIndex(help, bare, i) {
					if i == 0 || help[i-1] != '/' {
						t.Errorf("%s help names %q without its slash:\n%s", lang, bare, help)
						break
					}
				}
			}
		}
	}
}

func nextIndex(s, sub string, after int) int {
	j := strings.Index(s[after+1:], sub)
	if j < 0 {
		return -1
	}
	return after + 1 + j
}
