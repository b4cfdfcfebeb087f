package telegram

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestSendReportsAnUpgradedGroup: when Telegram says a group became a
// supergroup, Send reports the new id as a *bot.MovedError and leaves the
// store alone: moving the chat is the core's business.
func TestSendReportsAnUpgradedGroup(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	chat, err := h.store.EnsureChat(ctx, "telegram", "", "-2003", "group", "buyer", h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	f.failNext("sendMessage", "-2003", apiFailure{status: 400, description: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: -1002003})
	err = a.Send(ctx, bot.ChatRef{Platform: bot.Telegram, ID: "-2003", Kind: bot.Group}, bot.TextReply("hi"))
	var moved *bot.MovedError
	if !errors.As(err, &moved) || moved.To != "-1002003" {
		t.Fatalf("Send = %v, want a *bot.MovedError to -1002003", err)
	}
	if errors.Is(err, bot.ErrChatGone) {
		t.Errorf("Send = %v: a moved chat is not gone", err)
	}
	if n := len(f.sent("-1002003")); n != 0 {
		t.Errorf("the adapter sent %d messages to the supergroup itself", n)
	}
	c, err := h.store.Chat(ctx, chat.ID)
	if err != nil || c.ExternalID != "-2003" {
		t.Errorf("chat after Send: %+v (%v); the adapter must not move it", c, err)
	}
}

// TestUpgradedGroupsLaterPushesGoStraightThere: two pushes wait for a
// group that was upgraded; the first finds out, the notifier moves the
// chat, and both are delivered to the supergroup with no second refusal.
func TestUpgradedGroupsLaterPushesGoStraightThere(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	chat := trackLive(t, h, "-2004")
	h.bot.Handle(ctx, bot.Message{Chat: bot.ChatRef{Platform: bot.Telegram, ID: "-2004", Kind: bot.Group}, User: "1",
		Text: "/track DEMO-LIVE-SECOND Desk", Language: "en"})
	h.clock.Advance(2 * time.Minute)
	if _, err := h.engine.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	pending := outbox(t, h, chat.ID)["pending"]
	if pending < 2 {
		t.Fatalf("%d pushes pending, want at least 2", pending)
	}
	n := bot.NewNotifier(h.store, h.cat, h.clock, a)
	f.failNext("sendMessage", "-2004", apiFailure{status: 400, description: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: -1002004})
	sent, err := n.RunOnce(ctx)
	if err != nil || sent != pending {
		t.Fatalf("sent %d of %d pushes, %v", sent, pending, err)
	}
	if calls := f.sent("-2004"); len(calls) != 1 || !calls[0].Failed {
		t.Errorf("%d messages to the old group id, want only the refused one", len(calls))
	}
	if got := delivered(f.sent("-1002004")); got != pending {
		t.Errorf("%d pushes delivered to the supergroup, want %d", got, pending)
	}
}
