package telegram

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestConnectInAGroupGoesPrivate: a group's /connect sends the feed's
// details to the admin's private chat, never to the group; an admin who
// never started the bot is told to; the Shopify key, given in the private
// chat, is taken after getChatMember confirms the person administers the
// group.
func TestConnectInAGroupGoesPrivate(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	h := newHarness(t, s)
	core := bot.New(bot.Config{Store: s, Engine: h.engine, Catalog: h.cat, Clock: h.clock, PublicURL: "https://bot.example"})
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	start(t, a, core)
	waitFor(t, "the first getUpdates", func() bool { return f.count("getUpdates", "") > 0 })

	group, admin := groupChat(-3003), person(2002, "en")
	f.setStatus(-3003, 2002, "administrator")
	say := func(u map[string]any, chat string) string {
		t.Helper()
		before := len(f.sent(chat))
		f.push(u)
		waitFor(t, "a reply in chat "+chat, func() bool { return len(f.sent(chat)) > before })
		return f.sent(chat)[before].Form["text"]
	}
	feed := regexp.MustCompile(`https://bot\.example/webhooks/orders/[a-z0-9]+`)

	f.failNext("sendMessage", "2002", apiFailure{status: http.StatusForbidden, description: "Forbidden: bot can't initiate conversation with a user"})
	if got := say(textUpdate(group, admin, "/connect shopify"), "-3003"); !strings.Contains(got, "Start") {
		t.Errorf("an admin the bot cannot write to: %q", got)
	}
	if _, err := s.ChatOrderHook(t.Context(), chatID(t, s, "-3003"), "shopify"); err == nil {
		t.Error("a feed nobody was told of was kept")
	}

	before := len(f.sent("2002"))
	if got := say(textUpdate(group, admin, "/connect shopify"), "-3003"); !strings.Contains(got, "privately") || feed.MatchString(got) {
		t.Errorf("the group read %q", got)
	}
	private := f.sent("2002")
	if len(private) <= before {
		t.Fatal("nothing was sent to the admin's private chat")
	}
	whisper := private[len(private)-1].Form["text"]
	cmd := regexp.MustCompile(`/connect shopify ([a-z0-9]+) KEY`).FindStringSubmatch(whisper)
	if !feed.MatchString(whisper) || cmd == nil {
		t.Fatalf("the private message: %q", whisper)
	}
	if got := say(textUpdate(privateChat(2002), admin, "/connect shopify "+cmd[1]+" a3f5c9e1b7d2486f0e1c3b5a7d9f2468"), "2002"); !strings.Contains(got, "Key saved") {
		t.Errorf("the key given privately: %q", got)
	}
	hook, err := s.ChatOrderHook(t.Context(), chatID(t, s, "-3003"), "shopify")
	if err != nil || hook.Secret != "a3f5c9e1b7d2486f0e1c3b5a7d9f2468" {
		t.Errorf("the group's feed: %+v, %v", hook, err)
	}
	for _, c := range f.sent("-3003") {
		if strings.Contains(c.Form["text"], "a3f5c9e1b7d2486f0e1c3b5a7d9f2468") || feed.MatchString(c.Form["text"]) {
			t.Errorf("the group was shown %q", c.Form["text"])
		}
	}
}

func chatID(t *testing.T, s *store.Store, id string) int64 {
	t.Helper()
	c, err := s.EnsureChat(t.Context(), "telegram", "", id, "group", "buyer", t0)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}
