package telegram

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// trackLive tracks DEMO-LIVE in a private chat and lets the demo journey
// take one step, so that one push waits in the outbox for that chat.
func trackLive(t *testing.T, h *harness, chat string) *store.Chat {
	t.Helper()
	ctx := context.Background()
	ref := bot.ChatRef{Platform: bot.Telegram, ID: chat, Kind: bot.Private}
	h.bot.Handle(ctx, bot.Message{Chat: ref, User: chat, Text: "/track DEMO-LIVE-" + chat + " Lamp", Language: "en"})
	h.clock.Advance(time.Minute)
	if _, err := h.engine.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := h.store.EnsureChat(ctx, "telegram", "", chat, "private", "buyer", h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if n := outbox(t, h, c.ID)["pending"]; n != 1 {
		t.Fatalf("%d pushes pending for chat %s, want 1", n, chat)
	}
	return c
}

func outbox(t *testing.T, h *harness, chatID int64) map[string]int {
	t.Helper()
	c, err := h.store.OutboxCounts(context.Background(), chatID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func delivered(calls []apiCall) int {
	n := 0
	for _, c := range calls {
		if !c.Failed {
			n++
		}
	}
	return n
}

// TestPushHonoursRetryAfter: Telegram answers a push with 429 and
// retry_after 3; Send says so with a *bot.RetryError, the notifier holds
// the push for 3 s of its clock and then delivers it, once.
func TestPushHonoursRetryAfter(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, sl := h.adapter(t, f, "", nil)
	chat := trackLive(t, h, "1001")
	n := bot.NewNotifier(h.store, h.cat, h.clock, a)

	f.failNext("sendMessage", "1001", apiFailure{status: 429, description: "Too Many Requests: retry after 3", retryAfter: 3})
	if sent, err := n.RunOnce(ctx); err != nil || sent != 0 {
		t.Fatalf("round 1: sent %d, %v; want the push refused", sent, err)
	}
	if got := len(f.sent("1001")); got != 1 {
		t.Fatalf("round 1: %d sendMessage, want the one refused", got)
	}
	h.clock.Advance(2900 * time.Millisecond)
	n.RunOnce(ctx)
	if got := len(f.sent("1001")); got != 1 {
		t.Fatalf("the push was tried again %v after a retry_after of 3 s", 2900*time.Millisecond)
	}
	h.clock.Advance(200 * time.Millisecond)
	if sent, err := n.RunOnce(ctx); err != nil || sent != 1 {
		t.Fatalf("after retry_after: sent %d, %v", sent, err)
	}
	calls := f.sent("1001")
	if len(calls) != 2 || delivered(calls) != 1 || !strings.Contains(calls[1].Form["text"], "Lamp") {
		t.Fatalf("sendMessage calls %+v, want one refused and the push delivered once", calls)
	}
	if c := outbox(t, h, chat.ID); c["sent"] != 1 || c["pending"] != 0 {
		t.Errorf("outbox %v, want the push sent", c)
	}
	if w := sl.list(); len(w) != 0 {
		t.Errorf("Send slept %v; a push waits in the outbox instead", w)
	}
	if sent, _ := n.RunOnce(ctx); sent != 0 || len(f.sent("1001")) != 2 {
		t.Errorf("a later round sent it again")
	}
}

// TestReplyWaitsRetryAfter: a reply cannot wait in the outbox, so the
// adapter itself waits the 3 s Telegram asks for and sends exactly once
// more.
func TestReplyWaitsRetryAfter(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, sl := h.adapter(t, f, "", nil)
	start(t, a, h.bot)
	f.failNext("sendMessage", "1001", apiFailure{status: 429, description: "Too Many Requests: retry after 3", retryAfter: 3})
	f.push(textUpdate(privateChat(1001), person(1001, "en"), "/help"))
	waitFor(t, "the reply", func() bool { return delivered(f.sent("1001")) == 1 })
	time.Sleep(50 * time.Millisecond)
	calls := f.sent("1001")
	if len(calls) != 2 || !calls[0].Failed || calls[1].Failed {
		t.Fatalf("%d sendMessage calls, want the refused one and exactly one more", len(calls))
	}
	if calls[0].Form["text"] != calls[1].Form["text"] {
		t.Errorf("the retried reply differs from the refused one")
	}
	if w := sl.list(); !slices.Contains(w, 3*time.Second) {
		t.Errorf("waits %v, want one of 3s", w)
	}
}

// TestBlockedChatIsDeactivated: a 403 "bot was blocked by the user" ends
// pushes to that chat; the notifier deactivates it and nothing more is
// sent there.
func TestBlockedChatIsDeactivated(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	chat := trackLive(t, h, "1002")
	n := bot.NewNotifier(h.store, h.cat, h.clock, a)

	f.failNext("sendMessage", "1002", apiFailure{status: 403, description: "Forbidden: bot was blocked by the user"})
	n.RunOnce(ctx)
	c, err := h.store.Chat(ctx, chat.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Active {
		t.Fatal("the chat that blocked the bot is still active")
	}
	for range 3 {
		h.clock.Advance(time.Minute)
		if _, err := h.engine.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		n.RunOnce(ctx)
	}
	if got := len(f.sent("1002")); got != 1 {
		t.Errorf("%d sendMessage calls to the blocked chat, want only the refused one", got)
	}
}

// TestSendErrors checks what Send makes of Telegram's answers.
func TestSendErrors(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	chat := bot.ChatRef{Platform: bot.Telegram, ID: "1003", Kind: bot.Private}
	for _, tc := range []struct {
		name    string
		fails   []apiFailure
		gone    bool
		retry   time.Duration
		ok      bool
		attempt int
	}{
		{name: "blocked", fails: []apiFailure{{status: 403, description: "Forbidden: bot was blocked by the user"}}, gone: true, attempt: 1},
		{name: "kicked", fails: []apiFailure{{status: 403, description: "Forbidden: bot was kicked from the group chat"}}, gone: true, attempt: 1},
		{name: "deactivated", fails: []apiFailure{{status: 403, description: "Forbidden: user is deactivated"}}, gone: true, attempt: 1},
		{name: "chat not found", fails: []apiFailure{{status: 400, description: "Bad Request: chat not found"}}, gone: true, attempt: 1},
		{name: "other bad request", fails: []apiFailure{{status: 400, description: "Bad Request: can't parse entities"}}, attempt: 1},
		{name: "too many requests", fails: []apiFailure{{status: 429, description: "Too Many Requests: retry after 7", retryAfter: 7}}, retry: 7 * time.Second, attempt: 1},
		{name: "5xx then fine", fails: []apiFailure{{status: 502, plain: true}, {status: 500, description: "Internal Server Error"}}, ok: true, attempt: 3},
		{name: "network then fine", fails: []apiFailure{{status: 0}}, ok: true, attempt: 2},
		{name: "5xx for good", fails: []apiFailure{{status: 502, plain: true}, {status: 502, plain: true}, {status: 502, plain: true}, {status: 502, plain: true}}, attempt: maxTries},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.sent("1003"))
			for _, fail := range tc.fails {
				f.failNext("sendMessage", "1003", fail)
			}
			err := a.Send(context.Background(), chat, bot.TextReply("hello"))
			if got := len(f.sent("1003")) - before; got != tc.attempt {
				t.Errorf("%d attempts, want %d", got, tc.attempt)
			}
			if tc.ok != (err == nil) {
				t.Fatalf("Send = %v", err)
			}
			if err == nil {
				return
			}
			if errors.Is(err, bot.ErrChatGone) != tc.gone {
				t.Errorf("Send = %v; chat gone: %v, want %v", err, errors.Is(err, bot.ErrChatGone), tc.gone)
			}
			var retry *bot.RetryError
			if errors.As(err, &retry) != (tc.retry > 0) || tc.retry > 0 && retry.After != tc.retry {
				t.Errorf("Send = %#v, want a RetryError after %v", err, tc.retry)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

// TestGroupsKeptToTwentyAMinute: the adapter spaces messages to a group
// so that no more than about twenty go out in a minute.
func TestGroupsKeptToTwentyAMinute(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, sl := h.adapter(t, f, "", nil)
	group := bot.ChatRef{Platform: bot.Telegram, ID: "-2002", Kind: bot.Group}
	begin := h.clock.Now()
	for range 23 {
		if err := a.Send(context.Background(), group, bot.TextReply("hi")); err != nil {
			t.Fatal(err)
		}
	}
	if took := h.clock.Now().Sub(begin); took < time.Minute {
		t.Errorf("23 messages to a group went out within %v", took)
	}
	if len(sl.list()) == 0 {
		t.Error("no waits recorded")
	}
	for range 3 {
		a.Send(context.Background(), bot.ChatRef{Platform: bot.Telegram, ID: "1004"}, bot.TextReply("hi"))
	}
	if h.clock.Now().Sub(begin) > 70*time.Second {
		t.Errorf("private chats were slowed down by the group limit")
	}
}

// TestUpgradedGroupKeepsItsParcels: a group upgraded to a supergroup gets
// a new id; the push that finds out moves the chat and is delivered there.
func TestUpgradedGroupKeepsItsParcels(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	chat := trackLive(t, h, "-2002")
	n := bot.NewNotifier(h.store, h.cat, h.clock, a)

	f.failNext("sendMessage", "-2002", apiFailure{status: 400, description: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: -1002002})
	if sent, err := n.RunOnce(ctx); err != nil || sent != 1 {
		t.Fatalf("push: sent %d, %v", sent, err)
	}
	if got := delivered(f.sent("-1002002")); got != 1 {
		t.Fatalf("%d pushes delivered to the supergroup, want 1", got)
	}
	moved, err := h.store.Chat(ctx, chat.ID)
	if err != nil || moved.ExternalID != "-1002002" || !moved.Active {
		t.Fatalf("chat after the upgrade: %+v (%v)", moved, err)
	}
	if n, _ := h.store.CountSubscriptions(ctx, chat.ID); n != 1 {
		t.Errorf("the supergroup tracks %d parcels, want the group's 1", n)
	}
}
