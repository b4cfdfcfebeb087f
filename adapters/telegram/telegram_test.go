package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// keyboardOf decodes a call's reply_markup.
func keyboardOf(t *testing.T, c apiCall) [][]models.InlineKeyboardButton {
	t.Helper()
	if c.Form["reply_markup"] == "" {
		return nil
	}
	var kb models.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(c.Form["reply_markup"]), &kb); err != nil {
		t.Fatalf("reply_markup %q: %v", c.Form["reply_markup"], err)
	}
	return kb.InlineKeyboard
}

// TestConversation drives a real bot through the real Telegram client
// against the fake Bot API: the start-up calls, a private conversation
// with a button press, and commands in a group, addressed to trackbot and
// to another bot.
func TestConversation(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	core := &seen{h: h.bot}
	start(t, a, core)
	waitFor(t, "the first getUpdates", func() bool { return f.count("getUpdates", "") > 0 })

	// Start-up: who am I, the menu in every language, no webhook, poll.
	startup := f.recorded(true)
	var methods []string
	for _, c := range startup {
		methods = append(methods, c.Method)
	}
	want := []string{"getMe", "setMyCommands", "setMyCommands", "setMyCommands", "setMyCommands", "setMyCommands",
		"setMyCommands", "setMyCommands", "deleteWebhook", "getUpdates"}
	if !slices.Equal(methods[:len(want)], want) {
		t.Fatalf("start-up calls %v, want %v", methods, want)
	}
	checkMenus(t, startup[1:8])
	if u := startup[len(want)-1].Form["allowed_updates"]; u != `["message","callback_query"]` {
		t.Errorf("getUpdates allowed_updates = %s", u)
	}

	me := person(1001, "en")
	private := privateChat(1001)
	group := groupChat(-2002)
	mark := len(f.recorded(false))
	say := func(u map[string]any, chat string, replies int) []apiCall {
		t.Helper()
		before := len(f.sent(chat))
		f.push(u)
		waitFor(t, fmt.Sprintf("%d replies in chat %s", replies, chat), func() bool { return len(f.sent(chat)) >= before+replies })
		return f.sent(chat)[before:]
	}

	say(textUpdate(private, me, "/start"), "1001", 1)
	label := `<a href="https://x.example">&"tags"</a>`
	tracked := say(textUpdate(private, me, "/track DEMO-STALLED «"+label+"»"), "1001", 1)[0]
	say(textUpdate(private, me, "/list"), "1001", 1)

	// Press the tracked card's refresh button.
	var refresh string
	for _, row := range keyboardOf(t, tracked) {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, "refresh:") {
				refresh = b.CallbackData
			}
		}
	}
	if refresh == "" {
		t.Fatalf("no refresh button under the /track reply: %s", tracked.Form["reply_markup"])
	}
	cardID := 101 // the fake numbers messages from 100: /start got 100
	edited := say(callbackUpdate(private, me, cardID, refresh), "1001", 1)[0]
	if edited.Method != "editMessageText" || edited.Form["message_id"] != "101" {
		t.Errorf("the refresh press gave %s of message %s, want editMessageText of 101", edited.Method, edited.Form["message_id"])
	}

	// In a group: a command for another bot is ignored, as are edits,
	// channel posts and bots; one for trackbot is answered in the group.
	f.push(textUpdate(group, me, "/track@otherbot DEMO-PICKUP"))
	f.push(map[string]any{"edited_message": message(group, me, "/track@trackbot DEMO-ATTEMPT")})
	f.push(map[string]any{"channel_post": message(map[string]any{"id": -1003, "type": "channel", "title": "News"}, nil, "/list")})
	f.push(textUpdate(group, map[string]any{"id": 77, "is_bot": true, "first_name": "Spam"}, "/track@trackbot DEMO-LOST"))
	say(textUpdate(group, person(1005, "de"), "/track@trackbot DEMO-LABEL"), "-2002", 1)
	say(textUpdate(group, me, "/list@TrackBot"), "-2002", 1)

	// The typing status goes out beside a lookup, racing it: whether the
	// fake records it before the instant demo lookup ends is chance, so the
	// transcript leaves it out (TestTypingWhileALookupIsSlow covers it).
	var calls []apiCall
	for _, c := range f.recorded(false)[mark:] {
		if c.Method != "sendChatAction" {
			calls = append(calls, c)
		}
	}
	checkConversationCalls(t, calls, label)

	var texts []string
	for _, m := range core.list() {
		texts = append(texts, fmt.Sprintf("%s/%s %s user=%s lang=%s %s%v", m.Chat.Kind, m.Chat.ID, m.Chat.Platform, m.User, m.Language, m.Text, actionOf(m)))
	}
	wantSeen := []string{
		"private/1001 telegram user=1001 lang=en /start",
		"private/1001 telegram user=1001 lang=en /track DEMO-STALLED «" + label + "»",
		"private/1001 telegram user=1001 lang=en /list",
		"private/1001 telegram user=1001 lang=en " + actionOf(bot.Message{Action: &bot.Action{Name: "refresh", Payload: strings.TrimPrefix(refresh, "refresh:")}}),
		"group/-2002 telegram user=1005 lang=de /track@trackbot DEMO-LABEL",
		"group/-2002 telegram user=1001 lang=en /list@TrackBot",
	}
	if !slices.Equal(texts, wantSeen) {
		t.Errorf("the core was handed\n%s\nwant\n%s", strings.Join(texts, "\n"), strings.Join(wantSeen, "\n"))
	}
	expect.Golden(t, filepath.Join("testdata", "conversation.golden"), []byte(transcript(calls)))
}

func actionOf(m bot.Message) string {
	if m.Action == nil {
		return ""
	}
	return "[" + m.Action.Name + ":" + m.Action.Payload + "]"
}

// checkMenus checks the setMyCommands calls: the default menu and one per
// catalog language, each with every command.
func checkMenus(t *testing.T, calls []apiCall) {
	t.Helper()
	var codes []string
	for _, c := range calls {
		var cmds []models.BotCommand
		if err := json.Unmarshal([]byte(c.Form["commands"]), &cmds); err != nil {
			t.Fatalf("setMyCommands commands %q: %v", c.Form["commands"], err)
		}
		var names []string
		for _, cmd := range cmds {
			names = append(names, cmd.Command)
			if cmd.Description == "" || len([]rune(cmd.Description)) > 256 {
				t.Errorf("language %q: /%s has description %q", c.Form["language_code"], cmd.Command, cmd.Description)
			}
		}
		if !slices.Equal(names, menuCommands()) {
			t.Errorf("language %q: commands %v", c.Form["language_code"], names)
		}
		code := c.Form["language_code"]
		codes = append(codes, code)
		if code == "de" && cmds[2].Description != "Paket verfolgen: /track NUMMER [Name]" {
			t.Errorf("German menu describes /track as %q", cmds[2].Description)
		}
	}
	slices.Sort(codes)
	if want := []string{"", "de", "en", "es", "fr", "ru", "zh"}; !slices.Equal(codes, want) {
		t.Errorf("menus for %q, want %q", codes, want)
	}
}

func checkConversationCalls(t *testing.T, calls []apiCall, label string) {
	t.Helper()
	var answered bool
	for _, c := range calls {
		switch c.Method {
		case "answerCallbackQuery":
			answered = c.Form["callback_query_id"] == "cq-101"
		case "sendMessage", "editMessageText":
			if c.Form["parse_mode"] != "HTML" {
				t.Errorf("%s with parse_mode %q", c.Method, c.Form["parse_mode"])
			}
			if c.Form["link_preview_options"] != `{"is_disabled":true}` {
				t.Errorf("%s with link_preview_options %q", c.Method, c.Form["link_preview_options"])
			}
			if strings.Contains(c.Form["text"], label) {
				t.Errorf("the label reached Telegram unescaped: %q", c.Form["text"])
			}
		default:
			t.Errorf("unexpected call %s %v", c.Method, c.Form)
		}
	}
	if !answered {
		t.Error("the button press was not answered with answerCallbackQuery")
	}
	track := calls[1]
	escaped := `&lt;a href=&#34;https://x.example&#34;&gt;&amp;&#34;tags&#34;&lt;/a&gt;`
	if !strings.Contains(track.Form["text"], "<b>"+escaped+" · DEMO-STALLED</b>") {
		t.Errorf("the /track reply does not show the escaped label as a bold title:\n%s", track.Form["text"])
	}
	if !strings.Contains(calls[2].Form["text"], escaped) {
		t.Errorf("/list does not show the escaped label:\n%s", calls[2].Form["text"])
	}
	kb := keyboardOf(t, track)
	if len(kb) < 2 {
		t.Errorf("the card's keyboard has %d rows, want its buttons in rows of 2–3", len(kb))
	}
	for _, row := range kb {
		if len(row) < 1 || len(row) > 3 {
			t.Errorf("keyboard row of %d buttons", len(row))
		}
	}
	last := calls[len(calls)-1]
	if last.Method != "sendMessage" || last.Form["chat_id"] != "-2002" {
		t.Errorf("the last call is %s to %s, want sendMessage to the group", last.Method, last.Form["chat_id"])
	}
	groupTrack := calls[len(calls)-2]
	if groupTrack.Form["chat_id"] != "-2002" || !strings.Contains(groupTrack.Form["text"], "DEMO-LABEL") {
		t.Errorf("the group's /track@trackbot got %s to %s: %q", groupTrack.Method, groupTrack.Form["chat_id"], groupTrack.Form["text"])
	}
}

// transcript renders the calls a conversation made, as Telegram received
// them.
func transcript(calls []apiCall) string {
	var sb strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&sb, "=== %s", c.Method)
		keys := make([]string, 0, len(c.Form))
		for k := range c.Form {
			if k != "text" && k != "reply_markup" {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&sb, " %s=%s", k, c.Form[k])
		}
		sb.WriteString("\n")
		if t := c.Form["text"]; t != "" {
			sb.WriteString(t + "\n")
		}
		if kb := c.Form["reply_markup"]; kb != "" {
			var m models.InlineKeyboardMarkup
			json.Unmarshal([]byte(kb), &m)
			for _, row := range m.InlineKeyboard {
				sb.WriteString("  ")
				for _, b := range row {
					fmt.Fprintf(&sb, "[%s → %s] ", b.Text, b.CallbackData)
				}
				sb.WriteString("\n")
			}
		}
	}
	return sb.String()
}

// TestIgnoredAndAddressed checks which messages reach the core.
func TestIgnoredAndAddressed(t *testing.T) {
	a := &Adapter{}
	a.username.Store("trackbot")
	human := &models.User{ID: 1}
	for _, tc := range []struct {
		name string
		m    models.Message
		want bool
	}{
		{"private text", models.Message{From: human, Chat: models.Chat{Type: "private"}, Text: "DEMO-LIVE"}, true},
		{"group command", models.Message{From: human, Chat: models.Chat{Type: "supergroup"}, Text: "/list"}, true},
		{"addressed to us", models.Message{From: human, Chat: models.Chat{Type: "group"}, Text: "/track@TrackBot X"}, true},
		{"addressed to another bot", models.Message{From: human, Chat: models.Chat{Type: "group"}, Text: "/track@otherbot X"}, false},
		{"to another bot, no args", models.Message{From: human, Chat: models.Chat{Type: "group"}, Text: "/list@otherbot"}, false},
		{"caption", models.Message{From: human, Chat: models.Chat{Type: "private"}, Caption: "DEMO-LIVE"}, true},
		{"sticker", models.Message{From: human, Chat: models.Chat{Type: "private"}}, false},
		{"from a bot", models.Message{From: &models.User{ID: 2, IsBot: true}, Chat: models.Chat{Type: "private"}, Text: "/start"}, false},
		{"no sender", models.Message{Chat: models.Chat{Type: "group"}, Text: "/start"}, false},
		{"channel", models.Message{From: human, Chat: models.Chat{Type: "channel"}, Text: "/start"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := a.wanted(&tc.m); got != tc.want {
				t.Errorf("wanted = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCallbackAlwaysAnswered: a press the core cannot use still stops
// the spinner.
func TestCallbackAlwaysAnswered(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	core := &seen{}
	start(t, a, core)
	f.push(callbackUpdate(privateChat(1001), person(1001, "en"), 7, "no-colon"))
	f.push(map[string]any{"callback_query": map[string]any{"id": "inline-1", "from": person(1001, "en"), "inline_message_id": "x", "data": "refresh:1"}})
	waitFor(t, "two answerCallbackQuery", func() bool { return f.count("answerCallbackQuery", "") == 2 })
	time.Sleep(20 * time.Millisecond)
	if n := len(core.list()); n != 0 {
		t.Errorf("the core was handed %d unusable presses", n)
	}
}

// TestReplaceEditsOrFallsBack: a Replace reply edits the pressed message;
// an edit that changes nothing is fine as it is, and a message that can no
// longer be edited gets the reply as a new message.
func TestReplaceEditsOrFallsBack(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	start(t, a, bot.HandlerFunc(func(_ context.Context, m bot.Message) []bot.Reply {
		r := bot.TextReply("pressed " + m.Action.Payload)
		r.Replace = true
		return []bot.Reply{r}
	}))
	chat, me := privateChat(1001), person(1001, "en")

	f.push(callbackUpdate(chat, me, 300, "x:1"))
	waitFor(t, "the edit", func() bool { return len(f.sent("1001")) == 1 })
	f.failNext("editMessageText", "1001", apiFailure{status: 400, description: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same"})
	f.push(callbackUpdate(chat, me, 300, "x:1"))
	f.failNext("editMessageText", "1001", apiFailure{status: 400, description: "Bad Request: message to edit not found"})
	f.push(callbackUpdate(chat, me, 301, "x:2"))
	waitFor(t, "the fallback", func() bool { return len(f.sent("1001")) == 4 })
	time.Sleep(20 * time.Millisecond)

	var got []string
	for _, c := range f.sent("1001") {
		got = append(got, c.Method+" "+c.Form["message_id"]+" "+c.Form["text"])
	}
	want := []string{"editMessageText 300 pressed 1", "editMessageText 300 pressed 1", "editMessageText 301 pressed 2", "sendMessage  pressed 2"}
	if !slices.Equal(got, want) {
		t.Errorf("calls\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := f.count("answerCallbackQuery", ""); n != 3 {
		t.Errorf("%d presses answered, want 3", n)
	}
}

// TestRunStartUp: Run retries getMe through network trouble, and gives up
// at once, without showing the token, when Telegram refuses it.
func TestRunStartUp(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	f.failNext("getMe", "", apiFailure{status: 502, plain: true})
	f.failNext("getMe", "", apiFailure{status: 401, description: "Unauthorized"})
	err := a.Run(context.Background(), &seen{})
	if err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "Unauthorized") {
		t.Fatalf("Run = %v, want the refusal, without the token", err)
	}
	if n := f.count("getMe", ""); n != 2 {
		t.Errorf("getMe called %d times, want 2 (one retry after the 502)", n)
	}
	if n := len(f.recorded(true)); n != 2 {
		t.Errorf("%d calls after a refused token, want none but getMe", n-2)
	}
}
