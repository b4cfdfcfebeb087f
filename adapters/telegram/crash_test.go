package telegram

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// killable runs a until kill is called, as a process that can die; dead
// is closed once Run has returned.
func killable(t *testing.T, a *Adapter, h bot.Handler) (kill func(), dead <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.Run(ctx, h); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("Run did not return after its context ended")
		}
	})
	return cancel, done
}

// diesOnReceiving makes a die the moment it has taken an update and is
// about to handle it: the update is neither handled, nor given back, nor
// confirmed. It returns a channel closed when that happened.
func diesOnReceiving(a *Adapter, kill func()) <-chan struct{} {
	died := make(chan struct{})
	a.received = func(*models.Update) bool {
		kill()
		close(died)
		return false
	}
	return died
}

// handledOnce checks that the /track the dead replica had taken was
// handled exactly once, by the other replica: the core handed it once,
// one reply from replica "b" and none from "a", one subscription.
func handledOnce(t *testing.T, h *harness, f *fakeAPI, core *seen) {
	t.Helper()
	time.Sleep(100 * time.Millisecond) // room for a second answer to show
	if msgs := core.list(); len(msgs) != 1 || msgs[0].Text != "/track DEMO-STALLED" {
		t.Errorf("the core was handed %+v, want the /track once", msgs)
	}
	var from []string
	for _, c := range f.sent("1001") {
		from = append(from, c.Replica+": "+c.Method+" "+strings.SplitN(c.Form["text"], "\n", 2)[0])
	}
	if len(from) != 1 || !strings.HasPrefix(from[0], "b: sendMessage") {
		t.Errorf("chat 1001 was sent %q, want one reply, from replica b", from)
	}
	c, err := h.store.EnsureChat(context.Background(), "telegram", "", "1001", "private", "buyer", h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	subs, err := h.store.Subscriptions(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 {
		t.Errorf("chat 1001 follows %d parcels, want the one it tracked", len(subs))
	}
}

// TestPolledUpdateOfADeadReplicaIsHandledOnceByAnother: the replica
// holding the polling lock takes an update from getUpdates and dies before
// handling it. It has not confirmed it, so Telegram hands it to the
// replica that takes the lock over; that replica leaves it alone while the
// dead one's lease runs (it might be alive and at it), then handles it,
// answers it once and confirms it (both databases).
func TestPolledUpdateOfADeadReplicaIsHandledOnceByAnother(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		f := newFakeAPI(t)
		a, _ := h.adapter(t, f, "a", nil)
		b, _ := h.adapter(t, f, "b", nil)
		b.pollRetry = 20 * time.Millisecond
		core := &seen{h: h.bot}

		killA, deadA := killable(t, a, core)
		died := diesOnReceiving(a, killA)
		waitFor(t, "replica a to poll", func() bool { return f.count("getUpdates", "a") > 0 })
		startB := func() {
			start(t, b, core)
			waitFor(t, "replica b to start", func() bool { return f.count("setMyCommands", "b") == 7 })
		}
		if s.Dialect() == store.Postgres {
			startB() // standing by behind the polling lock
		}
		f.push(textUpdate(privateChat(1001), person(1001, "en"), "/track DEMO-STALLED"))
		<-died
		<-deadA
		if s.Dialect() == store.SQLite {
			startB() // one process at a time serves an SQLite file
		}

		// b polls, and gets the update again: a never confirmed it.
		waitFor(t, "replica b to poll three times", func() bool { return f.count("getUpdates", "b") >= 3 })
		if got := f.unconfirmed(); !slices.Equal(got, []int{1}) {
			t.Fatalf("unconfirmed updates %v while a's lease runs, want [1]", got)
		}
		if msgs, sent := core.list(), f.sent("1001"); len(msgs) != 0 || len(sent) != 0 {
			t.Fatalf("while a's lease runs: handled %+v, sent %d; want neither", msgs, len(sent))
		}

		h.clock.Advance(updateLease)
		waitFor(t, "the reply", func() bool { return len(f.sent("1001")) > 0 })
		waitFor(t, "update 1 to be confirmed", func() bool { return len(f.unconfirmed()) == 0 })
		handledOnce(t, h, f, core)
	})
}

// TestWebhookUpdateOfADeadReplicaIsHandledOnceByAnother: Telegram posts an
// update to a replica that takes it and dies before handling it, so the
// call gets no 200; Telegram delivers it again, through the load balancer
// to the other replica, which answers 503 while the dead one's lease runs
// and, on a delivery after it ended, handles it and answers 200; later
// deliveries are answered 200 and handled no more (both databases).
func TestWebhookUpdateOfADeadReplicaIsHandledOnceByAnother(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		f := newFakeAPI(t)
		webhook := func(c *Config) {
			c.WebhookSecret = testSecret
			c.PublicURL = "https://bot.example.com"
		}
		a, _ := h.adapter(t, f, "a", webhook)
		b, _ := h.adapter(t, f, "b", webhook)
		core := &seen{h: h.bot}
		killA, deadA := killable(t, a, core)
		died := diesOnReceiving(a, killA)
		start(t, b, core)
		waitFor(t, "both webhooks", func() bool { return f.count("setWebhook", "") == 2 })

		update := updateJSON(t, textUpdate(privateChat(1001), person(1001, "en"), "/track DEMO-STALLED"))
		if code := post(a, testSecret, update); code/100 == 2 {
			t.Fatalf("the replica that died answered %d", code)
		}
		<-died
		<-deadA
		if code := post(b, testSecret, update); code != http.StatusServiceUnavailable {
			t.Errorf("delivered again while a's lease runs: %d, want 503", code)
		}
		if msgs, sent := core.list(), f.sent("1001"); len(msgs) != 0 || len(sent) != 0 {
			t.Fatalf("while a's lease runs: handled %+v, sent %d; want neither", msgs, len(sent))
		}

		h.clock.Advance(updateLease)
		if code := post(b, testSecret, update); code != http.StatusOK {
			t.Fatalf("delivered again after a's lease: %d, want 200", code)
		}
		if n := len(f.sent("1001")); n != 1 {
			t.Errorf("answered 200 with %d replies sent, want the reply sent first", n)
		}
		if code := post(b, testSecret, update); code != http.StatusOK {
			t.Errorf("delivered once more: %d, want 200", code)
		}
		handledOnce(t, h, f, core)
	})
}

// numbered is a text update from chat 1001 with the given update id.
func numbered(t *testing.T, id int, text string) []byte {
	t.Helper()
	b := updateJSON(t, textUpdate(privateChat(1001), person(1001, "en"), text))
	return bytes.Replace(b, []byte(`"update_id":1`), []byte(`"update_id":`+strconv.Itoa(id)), 1)
}

// gated answers "ok: <text>" and records the texts; the text "wait" waits
// for the gate to open first.
type gated struct {
	mu   sync.Mutex
	gate chan struct{}
	core seen
}

func (g *gated) Handle(ctx context.Context, m bot.Message) []bot.Reply {
	replies := g.core.Handle(ctx, m)
	if m.Text == "wait" {
		g.mu.Lock()
		gate := g.gate
		g.mu.Unlock()
		<-gate
	}
	return replies
}

// open opens the gate.
func (g *gated) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.gate)
}

// shut shuts the gate again.
func (g *gated) shut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.gate = make(chan struct{})
}

func (g *gated) texts() []string {
	var out []string
	for _, m := range g.core.list() {
		out = append(out, m.Text)
	}
	return out
}

// TestAFullQueueIsPolledAgain: a chat that sends more updates than its
// queue holds while one is being handled gets the rest refused, not
// dropped: they are not confirmed, so the next poll brings them again,
// and every update is handled once, in order.
func TestAFullQueueIsPolledAgain(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	core := &gated{gate: make(chan struct{})}
	start(t, a, core)
	waitFor(t, "the first getUpdates", func() bool { return f.count("getUpdates", "") > 0 })

	total := maxQueued + 6
	var want []string
	for i := range total {
		text := strconv.Itoa(i + 1)
		if i == 0 {
			text = "wait"
		}
		want = append(want, text)
		f.push(textUpdate(privateChat(1001), person(1001, "en"), text))
	}
	waitFor(t, "the first update to be handled", func() bool { return len(core.core.list()) == 1 })
	polls := f.count("getUpdates", "")
	time.Sleep(50 * time.Millisecond)
	if n := f.count("getUpdates", "") - polls; n != 0 {
		t.Errorf("%d polls while the batch is handled, want none: the next poll confirms it", n)
	}
	core.open()
	waitFor(t, "every update to be answered", func() bool { return len(f.sent("1001")) == total })
	waitFor(t, "every update to be confirmed", func() bool { return len(f.unconfirmed()) == 0 })
	time.Sleep(50 * time.Millisecond)
	if got := core.texts(); !slices.Equal(got, want) {
		t.Errorf("handled %v, want %v: each once, in order", got, want)
	}
}

// TestWebhookRefusesWhatItCannotHandle: a webhook call is answered 200
// only once its update is handled; 503, so that Telegram delivers it
// again, when the chat's queue is full or the replica stops before
// handling it. A replica that stops gives its updates back, so the other
// replica handles them at once, each once.
func TestWebhookRefusesWhatItCannotHandle(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	webhook := func(c *Config) {
		c.WebhookSecret = testSecret
		c.PublicURL = "https://bot.example.com"
	}
	a, _ := h.adapter(t, f, "a", webhook)
	b, _ := h.adapter(t, f, "b", webhook)
	core := &gated{gate: make(chan struct{})}
	stopA, deadA := killable(t, a, core)
	start(t, b, core)
	waitFor(t, "both webhooks", func() bool { return f.count("setWebhook", "") == 2 })

	// One update handled and as many queued as the chat's queue holds.
	codes := make(chan int, maxQueued+1)
	go func() { codes <- post(a, testSecret, numbered(t, 1, "wait")) }()
	waitFor(t, "the first update to be handled", func() bool { return len(core.core.list()) == 1 })
	for i := range maxQueued {
		go func() { codes <- post(a, testSecret, numbered(t, i+2, strconv.Itoa(i+2))) }()
	}
	waitFor(t, "the queue to fill", func() bool {
		s := a.session.Load()
		s.queue.mu.Lock()
		defer s.queue.mu.Unlock()
		return len(s.queue.queues[1001]) == maxQueued
	})
	full := numbered(t, maxQueued+2, "full")
	if code := post(a, testSecret, full); code != http.StatusServiceUnavailable {
		t.Errorf("a full queue: %d, want 503", code)
	}
	core.open()
	for range maxQueued + 1 {
		if code := <-codes; code != http.StatusOK {
			t.Errorf("a queued update: %d, want 200", code)
		}
	}
	if n := len(f.sent("1001")); n != maxQueued+1 {
		t.Errorf("%d replies once every call was answered 200, want %d", n, maxQueued+1)
	}
	if code := post(a, testSecret, full); code != http.StatusOK {
		t.Errorf("the refused update delivered again: %d, want 200", code)
	}

	// A stops while one update is handled and another waits behind it:
	// the one under way is finished (within finishGrace), the one behind
	// it is given back, and b answers it when Telegram delivers both
	// again; each is answered once in all.
	before := len(f.sent("1001"))
	core.shut()
	busy, waiting := numbered(t, 100, "wait"), numbered(t, 101, "behind")
	go func() { codes <- post(a, testSecret, busy) }()
	waitFor(t, "the update to be handled", func() bool { return len(core.core.list()) == maxQueued+3 })
	go func() { codes <- post(a, testSecret, waiting) }()
	waitFor(t, "the next update to queue", func() bool {
		s := a.session.Load()
		s.queue.mu.Lock()
		defer s.queue.mu.Unlock()
		return len(s.queue.queues[1001]) == 1
	})
	stopA()
	for range 2 {
		if code := <-codes; code != http.StatusServiceUnavailable {
			t.Errorf("stopping: %d, want 503", code)
		}
	}
	core.open()
	<-deadA
	if n := len(f.sent("1001")) - before; n != 1 {
		t.Errorf("a sent %d replies once stopped, want the one to the update it was handling", n)
	}
	for _, u := range [][]byte{busy, waiting} {
		if code := post(b, testSecret, u); code != http.StatusOK {
			t.Errorf("delivered again to b: %d, want 200 at once", code)
		}
	}
	if n := len(f.sent("1001")) - before; n != 2 {
		t.Errorf("%d replies to the two updates a was at when it stopped, want one each", n)
	}
}
