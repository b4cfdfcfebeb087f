package telegram

import (
	"context"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestPushesToAChatKeptToOneASecond: the adapter, which owns Telegram's
// send rates, lets three pushes to a chat go at once and spaces the rest a
// second apart, by its clock; another chat is not held up by it.
func TestPushesToAChatKeptToOneASecond(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	chat := bot.ChatRef{Platform: bot.Telegram, ID: "1005", Kind: bot.Private}
	begin := h.clock.Now()
	var at []time.Duration
	for range 6 {
		if err := a.Send(context.Background(), chat, bot.TextReply("hi")); err != nil {
			t.Fatal(err)
		}
		at = append(at, h.clock.Now().Sub(begin))
	}
	for i, want := range []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 3 * time.Second} {
		// The rate in all (28 a second) adds a few tens of milliseconds.
		if at[i] < want-time.Millisecond || at[i] > want+200*time.Millisecond {
			t.Errorf("push %d went at %v, want %v", i+1, at[i], want)
		}
	}
	if got := delivered(f.sent("1005")); got != 6 {
		t.Errorf("%d pushes delivered, want 6", got)
	}
	before := h.clock.Now()
	if err := a.Send(context.Background(), bot.ChatRef{Platform: bot.Telegram, ID: "1006"}, bot.TextReply("hi")); err != nil {
		t.Fatal(err)
	}
	if waited := h.clock.Now().Sub(before); waited > 100*time.Millisecond {
		t.Errorf("a push to another chat waited %v behind the busy one", waited)
	}
}
