package slack

import (
	"encoding/json"
	"strings"
	"testing"

	slackgo "github.com/slack-go/slack"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/locales"
)

// renderJSON renders a reply and decodes its blocks as Slack receives
// them.
func renderJSON(t *testing.T, r bot.Reply) ([]map[string]any, string) {
	t.Helper()
	blocks, text := render(r)
	raw, err := json.Marshal(slackgo.Blocks{BlockSet: blocks})
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out, text
}

// allTexts is texts over decoded blocks.
func allTexts(blocks []map[string]any) []string {
	var out []string
	for _, b := range blocks {
		out = append(out, texts(b)...)
	}
	return out
}

func TestRenderEscapesEveryUserAndCarrierString(t *testing.T) {
	r := bot.Reply{Blocks: []bot.Block{
		{Text: &bot.Text{Title: true, Body: "<!here> & co · LP1"}},
		{Text: &bot.Text{Body: "Order: <@U123|boss> <https://evil.example|https://good.example>"}},
		{Timeline: []bot.TimelineEntry{{When: "2026-11-02 09:00", Description: "Held <!subteam^S1>", Place: "A&B <city>", Carrier: "<#C1>"}}},
	}}
	blocks, text := renderJSON(t, r)
	all := strings.Join(allTexts(blocks), "\n")
	for _, raw := range []string{"<!here>", "<@U123", "<!subteam", "<#C1>", "<city>", "<https://evil.example|"} {
		if strings.Contains(all, raw) || strings.Contains(text, raw) {
			t.Errorf("%q reached Slack unescaped:\n%s\n%s", raw, all, text)
		}
	}
	for _, want := range []string{"*&lt;!here&gt; &amp; co · LP1*", "&lt;@U123|boss&gt;", "`2026-11-02 09:00`  Held &lt;!subteam^S1&gt; · A&amp;B &lt;city&gt; · &lt;#C1&gt;"} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in\n%s", want, all)
		}
	}
	if !strings.HasPrefix(text, "&lt;!here&gt; &amp; co · LP1\n") {
		t.Errorf("fallback text %q", text)
	}
	for _, b := range blocks {
		if txt, ok := b["text"].(map[string]any); ok && txt["verbatim"] != true {
			t.Errorf("section %v is not verbatim: Slack would guess mentions in it", txt)
		}
	}
}

func TestRenderLinksOnlyPlainURLs(t *testing.T) {
	blocks, _ := renderJSON(t, bot.TextReply("Follow it: https://trackbot.example/t/abc?x=1&y=2. Or <https://x|y>."))
	got := strings.Join(allTexts(blocks), "\n")
	want := "Follow it: <https://trackbot.example/t/abc?x=1&amp;y=2>. Or &lt;<https://x>|y&gt;."
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestRenderButtons(t *testing.T) {
	var btns []bot.Button
	for _, a := range []string{"refresh", "rename", "mute", "remove", "share", "carrier", "carrier", "forget"} {
		btns = append(btns, bot.Button{Label: strings.Repeat("L", 80), Action: a, Payload: "7|" + a})
	}
	blocks, text := renderJSON(t, bot.Reply{Blocks: []bot.Block{{Buttons: btns}}})
	if len(blocks) != 2 {
		t.Fatalf("%d blocks, want two rows of at most five", len(blocks))
	}
	ids := map[string]bool{}
	for _, b := range blocks {
		if b["type"] != "actions" || len(b["elements"].([]any)) > 5 {
			t.Fatalf("block %v", b)
		}
		for _, e := range b["elements"].([]any) {
			el := e.(map[string]any)
			id := el["action_id"].(string)
			if ids[id] {
				t.Errorf("action_id %s twice in one message", id)
			}
			ids[id] = true
			if el["value"] != "7|"+actionName(id) {
				t.Errorf("%s carries %v", id, el["value"])
			}
			label := el["text"].(map[string]any)["text"].(string)
			if n := len([]rune(label)); n > 75 {
				t.Errorf("label of %d characters", n)
			}
			style, _ := el["style"].(string)
			switch id {
			case "refresh":
				if style != "primary" {
					t.Errorf("refresh style %q", style)
				}
			case "forget":
				if style != "danger" {
					t.Errorf("forget style %q", style)
				}
			default:
				if style != "" {
					t.Errorf("%s style %q", id, style)
				}
			}
		}
	}
	if !ids["carrier"] || !ids["carrier#2"] || actionName("carrier#2") != "carrier" {
		t.Errorf("ids %v", ids)
	}
	if text == "" {
		t.Error("a message of buttons only has no fallback text")
	}
}

func TestRenderSplitsLongTextAndCapsBlocks(t *testing.T) {
	long := strings.Repeat("a line of text & more\n", 400) // ~ 8,800 characters
	blocks, _ := renderJSON(t, bot.TextReply(long))
	if len(blocks) < 3 {
		t.Fatalf("%d sections for %d characters", len(blocks), len(long))
	}
	var joined []string
	for _, b := range blocks {
		s := b["text"].(map[string]any)["text"].(string)
		if n := len([]rune(s)); n > maxSectionText {
			t.Errorf("a section of %d characters", n)
		}
		joined = append(joined, s)
	}
	if got, want := strings.TrimSpace(strings.Join(joined, "\n")), strings.TrimSpace(esc(long)); got != want {
		t.Errorf("splitting lost or changed text: %d characters, want %d", len(got), len(want))
	}

	var many []bot.Block
	for range 80 {
		many = append(many, bot.Block{Text: &bot.Text{Body: "x"}})
	}
	if blocks, _ := render(bot.Reply{Blocks: many}); len(blocks) != maxBlocks {
		t.Errorf("%d blocks, Slack takes at most %d", len(blocks), maxBlocks)
	}
}

func TestCommandsAreNamedAsSubcommands(t *testing.T) {
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	help := cat.Localizer("en").T("help", map[string]any{"Files": true}) + "\nSee https://example.org/list for more."
	_, text := render(bot.TextReply(help))
	for _, want := range []string{"/track list", "/track info NUMBER", "/track NUMBER [label]", "/track forget", "https://example.org/list"} {
		if !strings.Contains(text, want) {
			t.Errorf("rendered help lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "/track track") || strings.Contains(text, "example.org/track") {
		t.Errorf("rewritten too eagerly:\n%s", text)
	}
}
