package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// orderPushes sends what waits in the outbox and returns what the chats
// were sent, and how many "orders" rows the outbox holds in all.
func (f *feeds) orderPushes(n *bot.Notifier, rec *recorder) (sent []string, rows int) {
	f.t.Helper()
	before := rec.count()
	if _, err := n.RunOnce(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	if err := f.store.DB().QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'orders'`).Scan(&rows); err != nil {
		f.t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.sent[before:]...), rows
}

// TestOrderFeedTellsTheChat: a delivery to a chat's feed is told in the
// chat in one push, in its language, written with the subscriptions: three
// orders are one push naming each; a replay of the delivery writes and
// sends nothing; a delivery of 200 orders is still one push, counting
// them and naming the first ten; a parcel the chat followed already is not
// news. A Shopify fulfillment is told as "🛒 Shop order #1001: now
// tracking …", at the alert level "action" too, and its cancellation as
// one push of what stopped. A muted chat hears it once unmuted.
func TestOrderFeedTellsTheChat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFeeds(t, s, "")
		rec := &recorder{}
		n := bot.NewNotifier(s, f.cat, f.clock, rec)
		now := t0.Unix()

		// A generic hook in a German chat.
		f.handle(bot.Message{Chat: privateChat, Text: "/lang de"})
		path, reply := f.connect(privateChat, "/connect webhook")
		secret := feedSecret.FindString(reply)
		three := []byte(`[{"order": "A-1001", "number": "1Z999AA10123456784", "carrier": "UPS", "country": "de"},
			{"order": "A-1002", "number": "DEMO-LIVE-FR"}, {"order": "A-1003", "number": "DEMO-STALLED", "country": "fr"}]`)
		if got := f.post(path, genericHeaders(secret, now, three), three); got != 200 {
			t.Fatalf("three orders: %d", got)
		}
		sent, rows := f.orderPushes(n, rec)
		want := privateChat.ID + ": 🛒 Aus Ihrem Shop: Ich verfolge jetzt 3 Pakete / • A-1001 · UPS 1Z999AA10123456784 (Ziel: Deutschland)" +
			" / • A-1002 · Demo-Paketdienst DEMO-LIVE-FR / • A-1003 · Demo-Paketdienst DEMO-STALLED (Ziel: Frankreich) / "
		if len(sent) != 1 || rows != 1 || sent[0] != want {
			t.Fatalf("three orders: %d rows, sent %q\nwant %q", rows, sent, want)
		}
		if got := f.post(path, genericHeaders(secret, now, three), three); got != 200 {
			t.Fatalf("replay: %d", got)
		}
		if sent, rows := f.orderPushes(n, rec); len(sent) != 0 || rows != 1 {
			t.Errorf("replay: %d rows, sent %q; want 1 and nothing new", rows, sent)
		}
		// Another delivery naming a parcel the chat follows already and a
		// new one tells only the new one.
		again := []byte(`[{"order": "A-1002", "number": "DEMO-LIVE-FR"}, {"order": "A-1004", "number": "DEMO-DELIVERED-4"}]`)
		if got := f.post(path, genericHeaders(secret, now+1, again), again); got != 200 {
			t.Fatalf("again: %d", got)
		}
		if sent, _ := f.orderPushes(n, rec); len(sent) != 1 || sent[0] != privateChat.ID+": 🛒 Shop-Bestellung A-1004: Ich verfolge jetzt Demo-Paketdienst DEMO-DELIVERED-4 / " {
			t.Errorf("a delivery with one new parcel: sent %q", sent)
		}

		// 200 orders in a chat of its own: one push.
		big := bot.ChatRef{Platform: bot.Telegram, ID: "77200", Kind: bot.Private}
		path, reply = f.connect(big, "/connect webhook")
		secret = feedSecret.FindString(reply)
		var orders []string
		for i := range 200 {
			orders = append(orders, fmt.Sprintf(`{"order": "B-%d", "number": "DEMO-DELIVERED-%d"}`, i, 5000+i))
		}
		body := []byte("[" + strings.Join(orders, ",") + "]")
		if got := f.post(path, genericHeaders(secret, now, body), body); got != 200 {
			t.Fatalf("200 orders: %d", got)
		}
		sent, _ = f.orderPushes(n, rec)
		if len(sent) != 1 || !strings.HasPrefix(sent[0], big.ID+": 🛒 From your shop: now tracking 200 parcels / • B-0 · Demo Carrier DEMO-DELIVERED-5000 / ") ||
			!strings.HasSuffix(sent[0], " / • B-9 · Demo Carrier DEMO-DELIVERED-5009 / …and 190 more / ") || strings.Contains(sent[0], "B-10 ") {
			t.Errorf("200 orders: sent %q", sent)
		}

		// Shopify, in a chat that hears only what needs action, muted
		// when the fulfillment comes.
		shop := bot.ChatRef{Platform: bot.Telegram, ID: "7731", Kind: bot.Private}
		const key = "4f1d2a0c9b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060000"
		path, _ = f.connect(shop, "/connect shopify "+key)
		f.handle(bot.Message{Chat: shop, Text: "/alerts action"})
		f.handle(bot.Message{Chat: shop, Text: "/mute"})
		create := fixture(t, "shopify_fulfillment_create.json")
		if got := f.post(path, shopifyHeaders(key, "fulfillments/create", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", create), create); got != 200 {
			t.Fatalf("create: %d", got)
		}
		if sent, _ := f.orderPushes(n, rec); len(sent) != 0 {
			t.Errorf("a muted chat was sent %q", sent)
		}
		f.handle(bot.Message{Chat: shop, Text: "/unmute"})
		if sent, _ := f.orderPushes(n, rec); len(sent) != 1 || sent[0] != shop.ID+": 🛒 Shop order #1001: now tracking UPS 1Z999AA10123456784 (to Germany) / " {
			t.Errorf("fulfillment: sent %q", sent)
		}
		cancelled := fixture(t, "shopify_fulfillment_cancelled.json")
		for range 2 { // Shopify's retry of the same delivery tells nothing more
			if got := f.post(path, shopifyHeaders(key, "fulfillments/update", "0d2c6a3e-7fb1-4b9e-9a55-3c1f5e1d9b21", cancelled), cancelled); got != 200 {
				t.Fatalf("cancel: %d", got)
			}
		}
		if sent, _ := f.orderPushes(n, rec); len(sent) != 1 || sent[0] != shop.ID+": 🛒 Shop order #1001 cancelled: stopped tracking UPS 1Z999AA10123456784 (to Germany) / " {
			t.Errorf("cancellation: sent %q", sent)
		}
		if got := f.subs(shop); len(got) != 0 {
			t.Errorf("after the cancellation the chat follows %v", got)
		}
	})
}

// TestOrderDeliveryOfADeadReplicaIsDoneOnRetry: a replica that took a
// delivery and died before doing it leaves it to the sender's retry: while
// its lease runs the retry is 503 (Shopify tries again), after it the
// delivery is tracked and told, once.
func TestOrderDeliveryOfADeadReplicaIsDoneOnRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFeeds(t, s, "")
		rec := &recorder{}
		n := bot.NewNotifier(s, f.cat, f.clock, rec)
		const key, event = "4f1d2a0c9b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060000", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
		path, _ := f.connect(privateChat, "/connect shopify "+key)
		id := strings.TrimPrefix(path, "/webhooks/orders/")
		if state, err := s.LeaseClaim(context.Background(), "order-feed:"+id+":"+event, f.clock.Now(), 2*time.Minute); err != nil || state != store.Leased {
			t.Fatalf("the dead replica's lease: %v %v", state, err)
		}
		create := fixture(t, "shopify_fulfillment_create.json")
		if got := f.post(path, shopifyHeaders(key, "fulfillments/create", event, create), create); got != 503 {
			t.Errorf("while the lease runs: %d, want 503", got)
		}
		if got := f.subs(privateChat); len(got) != 0 {
			t.Errorf("while the lease runs the chat follows %v", got)
		}
		f.clock.Advance(3 * time.Minute)
		for range 2 {
			if got := f.post(path, shopifyHeaders(key, "fulfillments/create", event, create), create); got != 200 {
				t.Fatalf("after the lease: %d", got)
			}
		}
		if got := f.subs(privateChat); !equal(got, []string{"1Z999AA10123456784 ups #1001 DE"}) {
			t.Errorf("after the lease the chat follows %v", got)
		}
		if sent, rows := f.orderPushes(n, rec); len(sent) != 1 || rows != 1 {
			t.Errorf("after the lease: %d rows, sent %q; want one", rows, sent)
		}
	})
}
