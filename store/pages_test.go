package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// TestSharedPageShowsWhatItsTokenAllows: a token shows the label and the
// order reference only when it was made to, and its chat's brand and
// language; another chat's token of the same shipment shows that chat's.
// Forgetting a chat takes its brand with it.
func TestSharedPageShowsWhatItsTokenAllows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		seller, sub := sharedSubscription(t, s, now)
		if _, err := s.DB().ExecContext(ctx, `UPDATE subscriptions SET order_ref = 'ORD-1' WHERE id = $1`, sub); err != nil {
			t.Fatal(err)
		}
		lang := "de"
		if err := s.UpdateChat(ctx, seller, store.ChatSettings{Language: &lang}, now); err != nil {
			t.Fatal(err)
		}
		brand := store.Brand{Name: "Lamps & Co", URL: "https://shop.example.com", LogoURL: "https://cdn.example.net/l.png"}
		if err := s.SetBrand(ctx, seller, brand, now); err != nil {
			t.Fatal(err)
		}
		other, err := s.EnsureChat(ctx, "telegram", "", "8", "private", "buyer", now)
		if err != nil {
			t.Fatal(err)
		}
		st, _, err := s.EnsureShipment(ctx, "ups", "1Z999AA10123456784", now)
		if err != nil {
			t.Fatal(err)
		}
		otherSub, _, err := s.Subscribe(ctx, &tracking.SubscribeRequest{ChatID: other.ID, ShipmentID: st.ID, Label: "Mine", Now: now})
		if err != nil {
			t.Fatal(err)
		}
		tokens := map[string]struct {
			chat, sub int64
			opts      store.ShareOptions
			want      store.SharedPage
		}{
			strings.Repeat("a1", 16): {seller, sub, store.ShareOptions{}, store.SharedPage{Language: "de", Brand: brand}},
			strings.Repeat("a2", 16): {seller, sub, store.ShareOptions{ShowLabel: true}, store.SharedPage{Label: "Lamp", OrderRef: "ORD-1", Language: "de", Brand: brand}},
			strings.Repeat("a3", 16): {other.ID, otherSub, store.ShareOptions{}, store.SharedPage{}},
		}
		for token, tk := range tokens {
			if err := s.CreateShareToken(ctx, tk.chat, tk.sub, token, now, time.Time{}, tk.opts); err != nil {
				t.Fatal(err)
			}
		}
		for token, tk := range tokens {
			p, err := s.SharedPage(ctx, token, now)
			if err != nil {
				t.Fatal(err)
			}
			if p.Shipment.Number != "1Z999AA10123456784" || p.Label != tk.want.Label || p.OrderRef != tk.want.OrderRef ||
				p.Language != tk.want.Language || p.Brand != tk.want.Brand {
				t.Errorf("token %s: %+v, want %+v", token, p, tk.want)
			}
		}
		if _, err := s.Forget(ctx, seller); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM chat_brands`).Scan(&left); err != nil || left != 0 {
			t.Errorf("%d brands left after the chat was forgotten (%v)", left, err)
		}
	})
}
