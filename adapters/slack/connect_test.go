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

// TestConnectWhereTheBotIsNotAMemberAsksForAnInvite: Slack refuses an
// ephemeral message in a channel the bot is not in; the admin is told to
// invite it (not Telegram's "press Start"), and no feed is kept.
func TestConnectWhereTheBotIsNotAMemberAsksForAnInvite(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	e := newEnv(t, s)
	e.bot = bot.New(bot.Config{Store: s, Engine: e.engine, Catalog: e.cat, Clock: e.clock, PublicURL: "https://bot.example"})
	e.slack.roles["UADMIN"] = "admin"
	e.slack.fail["C8"] = failure{slackErr: "not_in_channel"}
	e.start()

	e.commandBy("UADMIN", "C8", "connect webhook")
	var answers []string
	for _, c := range e.slack.called("response_url", "") {
		answers = append(answers, joined(t, c))
	}
	said := strings.Join(answers, "\n")
	if !strings.Contains(said, "/invite") || strings.Contains(said, "Start") {
		t.Errorf("the admin read %q, want the invitation hint", said)
	}
	var feeds int
	if err := s.DB().QueryRow(`SELECT count(*) FROM order_hooks`).Scan(&feeds); err != nil {
		t.Fatal(err)
	}
	if feeds != 0 {
		t.Errorf("%d feeds kept although nobody was told their secret", feeds)
	}
}
