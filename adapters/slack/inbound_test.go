package slack

import (
	"testing"

	"github.com/trackbot/trackbot/bot"
)

func TestCoreText(t *testing.T) {
	cases := []struct {
		text  string
		slash bool
		want  string
	}{
		{"LP00123456789012 order #42", true, "/track LP00123456789012 order #42"},
		{"LP00123456789012 Blue jacket", true, "/track LP00123456789012 Blue jacket"},
		{"Blue jacket LP00123456789012", true, "/track Blue jacket LP00123456789012"},
		{"order #42 LP00123456789012", true, "/track order #42 LP00123456789012"},
		{"order LP00123456789012 #43", true, "/order LP00123456789012 #43"},
		{"list", true, "/list"},
		{"LIST", true, "/list"},
		{"info blue jacket", true, "/info blue jacket"},
		{"remove LP00123456789012", true, "/remove LP00123456789012"},
		{"track DEMO-LIVE", true, "/track DEMO-LIVE"},
		{"tz Europe/Berlin", true, "/tz Europe/Berlin"},
		{"help", true, "/help"},
		{"", true, "/track"},
		{"  mute  ", true, "/mute"},
		{"list\nplease", true, "/list please"},
		{"/info X", true, "/info X"},
		{"what is this", true, "/track what is this"},
		// Mentions and direct messages.
		{"list", false, "/list"},
		{"LP00123456789012", false, "/track LP00123456789012"},
		{"demo-live Lamp", false, "/track demo-live Lamp"},
		{"order #42 DEMO-LIVE", false, "/track order #42 DEMO-LIVE"},
		{"Your parcel DEMO-LABEL has shipped", false, "Your parcel DEMO-LABEL has shipped"},
		{"thanks!", false, "thanks!"},
	}
	for _, c := range cases {
		if got := coreText(c.text, c.slash); got != c.want {
			t.Errorf("coreText(%q, slash=%v) = %q, want %q", c.text, c.slash, got, c.want)
		}
	}
}

func TestPlainTextAndMentions(t *testing.T) {
	cases := map[string]string{
		"DEMO-LIVE &lt;b&gt; &amp; co":                    "DEMO-LIVE <b> & co",
		"see <https://shop.example/o/1|shop.example/o/1>": "see shop.example/o/1",
		"<https://x.example/a?b=1&amp;c=2>":               "https://x.example/a?b=1&c=2",
		"<!channel> <@U1>":                                "<!channel> <@U1>",
		"&amp;lt;":                                        "&lt;",
	}
	for in, want := range cases {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%q) = %q, want %q", in, got, want)
		}
	}
	a := &Adapter{botUser: "UBOT"}
	for in, want := range map[string]string{
		"<@UBOT> list":            "list",
		"<@UBOT>, info <@U2>":     "info <@U2>",
		"hey <@UBOT> list":        "hey  list",
		"<@UOTHER|bot>: LP0012 x": "LP0012 x",
	} {
		if got := a.stripMention(in); got != want {
			t.Errorf("stripMention(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestChatRef(t *testing.T) {
	for id, kind := range map[string]bot.ChatKind{"C0123": bot.Channel, "G0123": bot.Channel, "D0123": bot.Private} {
		if got := chatRef("T1", id); got.Kind != kind || got.Team != "T1" || got.ID != id || got.Platform != bot.Slack {
			t.Errorf("chatRef(%s) = %+v", id, got)
		}
	}
}
