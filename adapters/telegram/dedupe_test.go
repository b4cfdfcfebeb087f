package telegram

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestUpdateDeliveredAgainIsHandledOnce: Telegram posts an update again
// when a webhook call failed or timed out, possibly to another replica
// behind the same URL; the update id is claimed in the shared store, so the
// chat is answered once.
func TestUpdateDeliveredAgainIsHandledOnce(t *testing.T) {
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
		stopA, stopB := start(t, a, core), start(t, b, core)
		defer stopA()
		defer stopB()
		waitFor(t, "both webhooks", func() bool { return f.count("setWebhook", "") == 2 })

		update := updateJSON(t, textUpdate(privateChat(1001), person(1001, "en"), "/help")) // update 1
		for i, r := range []*Adapter{a, b, a} {
			if code := post(r, testSecret, update); code != http.StatusOK {
				t.Fatalf("delivery %d: %d", i, code)
			}
		}
		// The replicas handle updates side by side, so the next one is sent
		// once the first is answered, to fix the order.
		waitFor(t, "the reply to /help", func() bool { return len(f.sent("1001")) >= 1 })
		u := textUpdate(privateChat(1001), person(1001, "en"), "/list")
		u["update_id"] = 2
		next, _ := json.Marshal(u)
		if code := post(b, testSecret, next); code != http.StatusOK {
			t.Fatalf("the next update: %d", code)
		}
		waitFor(t, "the reply to /list", func() bool { return len(f.sent("1001")) == 2 })
		// Stopping drains what each replica still had queued.
		stopA()
		stopB()
		if msgs := core.list(); len(msgs) != 2 || msgs[0].Text != "/help" || msgs[1].Text != "/list" {
			t.Errorf("the core was handed %+v, want /help once, then /list", msgs)
		}
	})
}
