package telegram

import (
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestOnePollerAtATime: two replicas on one PostgreSQL database; only the
// one holding the polling lock calls getUpdates, and when it stops the
// other takes over.
func TestOnePollerAtATime(t *testing.T) {
	s := storetest.Open(t, store.Postgres)
	h := newHarness(t, s)
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "a", nil)
	b, _ := h.adapter(t, f, "b", nil)
	core := &seen{}
	stopA := start(t, a, core)
	waitFor(t, "replica a to poll", func() bool { return f.count("getUpdates", "a") > 0 })
	stopB := start(t, b, core)
	waitFor(t, "replica b to start", func() bool { return f.count("setMyCommands", "b") == 7 })

	time.Sleep(100 * time.Millisecond) // five of b's lock retries
	if n := f.count("getUpdates", "b"); n != 0 {
		t.Fatalf("replica b polled %d times while a held the lock", n)
	}
	if n := f.count("deleteWebhook", "b"); n != 0 {
		t.Errorf("replica b deleted the webhook while a held the lock")
	}

	f.push(textUpdate(privateChat(1001), person(1001, "en"), "/start"))
	waitFor(t, "the update to be handled", func() bool { return len(f.sent("1001")) == 1 })

	stopA()
	polledByA := f.count("getUpdates", "a")
	waitFor(t, "replica b to take over", func() bool { return f.count("getUpdates", "b") > 0 })
	f.push(textUpdate(privateChat(1001), person(1001, "en"), "/help"))
	waitFor(t, "the update after the takeover to be handled", func() bool { return len(f.sent("1001")) == 2 })
	if n := f.count("getUpdates", "a"); n != polledByA {
		t.Errorf("replica a polled %d more times after it stopped", n-polledByA)
	}
	if msgs := core.list(); len(msgs) != 2 || msgs[0].Text != "/start" || msgs[1].Text != "/help" {
		t.Errorf("handled %+v, want /start then /help, once each", msgs)
	}
	stopB()
}
