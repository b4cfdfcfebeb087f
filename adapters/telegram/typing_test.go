package telegram

import (
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// TestTypingWhileALookupIsSlow: a /track whose carrier takes five seconds
// to answer shows "typing…" within a second, again every typingEvery
// while the lookup runs, and never after the answer; a quick command
// shows none.
func TestTypingWhileALookupIsSlow(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	fake := trackingtest.NewProvider("fake")
	fake.Set("RR123456785CN", tracking.Result{Number: "RR123456785CN", Carrier: tracking.CarrierChinaPost,
		Events: []tracking.Event{{Time: t0.Add(-time.Hour), Substatus: tracking.SubPackageAccepted, Description: "Accepted"}}})
	fake.Slow(5 * time.Second)
	reg := tracking.NewRegistry(h.clock)
	reg.AddFallback(fake)
	e := tracking.NewEngine(h.store, reg, tracking.Options{Clock: h.clock})
	core := bot.New(bot.Config{Store: h.store, Engine: e, Catalog: h.cat, Clock: h.clock})

	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	a.typingEvery = 2 * time.Second // two of them within the five seconds
	start(t, a, core)
	waitFor(t, "the first getUpdates", func() bool { return f.count("getUpdates", "") > 0 })

	f.push(textUpdate(privateChat(1001), person(1001, "en"), "/help"))
	waitFor(t, "the answer to /help", func() bool { return len(f.sent("1001")) == 1 })
	if n := f.count("sendChatAction", ""); n != 0 {
		t.Errorf("/help, answered at once, sent %d chat actions", n)
	}

	sent := time.Now()
	f.push(textUpdate(privateChat(1001), person(1001, "en"), "/track RR123456785CN"))
	waitFor(t, "sendChatAction", func() bool { return f.count("sendChatAction", "") > 0 })
	if d := time.Since(sent); d > time.Second {
		t.Errorf("the first sendChatAction came %v after /track, want within 1 s", d)
	}
	waitFor(t, "the answer to /track", func() bool { return len(f.sent("1001")) == 2 })
	if d := time.Since(sent); d < 5*time.Second {
		t.Fatalf("answered after %v: the provider was not slow", d)
	}
	time.Sleep(100 * time.Millisecond) // room for a late chat action to show
	var typing int
	for _, c := range f.recorded(false) {
		switch {
		case c.Method == "sendChatAction":
			typing++
			if c.Form["chat_id"] != "1001" || c.Form["action"] != "typing" {
				t.Errorf("sendChatAction %v, want typing in chat 1001", c.Form)
			}
		case c.Method == "sendMessage" && strings.HasPrefix(c.Form["text"], "Now tracking") && typing == 0:
			t.Errorf("the answer came before any sendChatAction")
		}
	}
	if typing < 3 {
		t.Errorf("%d sendChatAction calls during a five-second lookup, want one at once and one every 2 s", typing)
	}
	calls := f.recorded(false)
	if last := calls[len(calls)-1]; last.Method != "sendMessage" {
		t.Errorf("the last call is %s, want the answer: nothing may follow it", last.Method)
	}
}
