package slack

import (
	"regexp"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestConnectInAChannelIsEphemeral: /track connect in a channel shows the
// feed's URL and secret to the admin who typed it alone, as an ephemeral
// message; the channel reads only that they were sent, and a member is
// refused.
func TestConnectInAChannelIsEphemeral(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	e := newEnv(t, s)
	e.bot = bot.New(bot.Config{Store: s, Engine: e.engine, Catalog: e.cat, Clock: e.clock, PublicURL: "https://bot.example"})
	e.slack.roles["UADMIN"] = "admin"
	e.start()
	secretRE := regexp.MustCompile(`\b[0-9a-f]{64}\b`)
	urlRE := regexp.MustCompile(`https://bot\.example/webhooks/orders/[a-z0-9]+`)

	e.commandBy("U1", "C7", "connect webhook")
	if got := e.slack.called("chat.postEphemeral", ""); len(got) != 0 {
		t.Fatalf("a member was whispered to: %v", got)
	}

	e.commandBy("UADMIN", "C7", "connect webhook")
	whispers := e.slack.called("chat.postEphemeral", "C7")
	if len(whispers) != 1 || whispers[0].Form.Get("user") != "UADMIN" {
		t.Fatalf("ephemeral messages %+v, want one to UADMIN in C7", whispers)
	}
	shown := joined(t, whispers[0])
	if !urlRE.MatchString(shown) || !secretRE.MatchString(shown) {
		t.Errorf("the whisper lacks the URL or the secret: %q", shown)
	}
	e.slack.mu.Lock()
	calls := append([]call(nil), e.slack.calls...)
	e.slack.mu.Unlock()
	var public []string
	for _, c := range calls {
		if c.Method == "chat.postMessage" || c.Method == "response_url" || c.Method == "chat.update" {
			text := joined(t, c)
			public = append(public, text)
			if urlRE.MatchString(text) || secretRE.MatchString(text) {
				t.Errorf("%s showed the channel the feed: %q", c.Method, text)
			}
		}
	}
	if !strings.Contains(strings.Join(public, "\n"), "Only an admin") || !strings.Contains(strings.Join(public, "\n"), "privately") {
		t.Errorf("the channel read %q", public)
	}
}
