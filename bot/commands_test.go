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
		help := cat.Localizer(lang).T("help", map[string]any{"Files": true})
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

// TestHelpOffersFilesOnlyWhereTheyCanBeSent: /help tells people to send a
// CSV or text file on the platforms that receive files (Telegram, Slack)
// and, on the console, which cannot receive one, to name it with /import
// PATH; the rest of the help, /export's own line included, is the same
// everywhere.
func TestHelpOffersFilesOnlyWhereTheyCanBeSent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		fileLine := map[string]string{
			"en": "send a CSV or text file", "de": "schick eine CSV- oder Textdatei", "es": "envía un archivo CSV o de texto",
			"fr": "envoyez un fichier CSV ou texte", "ru": "пришлите CSV или текстовый файл", "zh": "发送 CSV 或文本文件",
		}
		if len(fileLine) != len(h.cat.Languages()) {
			t.Fatalf("the table covers %d languages, the catalog has %v", len(fileLine), h.cat.Languages())
		}
		for _, lang := range h.cat.Languages() {
			helps := map[bot.Platform]string{}
			for _, chat := range []bot.ChatRef{
				{Platform: bot.Telegram, ID: "help-" + lang, Kind: bot.Private},
				{Platform: bot.Slack, Team: "T1", ID: "D-help-" + lang, Kind: bot.Private},
				{Platform: bot.Console, ID: "console-" + lang, Kind: bot.Private},
			} {
				h.say(chat, lang, "/lang "+lang)
				got := render(h.say(chat, lang, "/help"))
				helps[chat.Platform] = got
				if offers := strings.Contains(got, fileLine[lang]); offers != chat.Platform.ReceivesFiles() {
					t.Errorf("%s on %s: help offers a file: %v\n%s", lang, chat.Platform, offers, got)
				}
				if offers := strings.Contains(got, "/import "); offers == chat.Platform.ReceivesFiles() {
					t.Errorf("%s on %s: help offers /import PATH: %v\n%s", lang, chat.Platform, offers, got)
				}
				if !strings.Contains(got, "/export ") {
					t.Errorf("%s on %s: help lacks /export:\n%s", lang, chat.Platform, got)
				}
			}
			if helps[bot.Telegram] != helps[bot.Slack] {
				t.Errorf("%s: Telegram's and Slack's help differ:\n%s\n---\n%s", lang, helps[bot.Telegram], helps[bot.Slack])
			}
			if strings.Count(helps[bot.Console], "\n") != strings.Count(helps[bot.Telegram], "\n") {
				t.Errorf("%s: the console's help is not Telegram's without the file:\n%s", lang, helps[bot.Console])
			}
		}
	})
}
