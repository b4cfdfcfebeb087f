package tracking_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// subscribed is one of a chat's subscriptions as the store holds it.
type subscribed struct {
	carrier, label, orderRef, marketplace string
	muted                                 bool
}

func subscriptionsOf(t *testing.T, s *store.Store, chatID int64) []subscribed {
	t.Helper()
	subs, err := s.Subscriptions(context.Background(), chatID)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]subscribed, len(subs))
	for i, tr := range subs {
		out[i] = subscribed{tr.Shipment.Carrier, tr.Sub.Label, tr.Sub.OrderRef, tr.Sub.Marketplace, tr.Sub.Muted}
	}
	return out
}

// A corrected carrier moves the chat from one shipment to another. A
// failure in the middle of that move must leave the chat following the
// parcel under exactly one carrier, never both and never none.
func TestChangeCarrierFailingHalfWayLeavesOneSubscription(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(t0.Add(time.Hour))
		const number = "RB123456785CN"
		ups, fedex := trackingtest.NewProvider("ups-fake"), trackingtest.NewProvider("fedex-fake")
		ups.Set(number, script(number, ev(0, tracking.SubPackageAccepted, "Picked up", "Louisville")))
		fedex.Set(number, tracking.Result{Number: number, Carrier: "fedex",
			Events: []tracking.Event{ev(0, tracking.SubPackageAccepted, "Picked up", "Memphis")}})
		reg := tracking.NewRegistry(clock)
		reg.AddCarrier(ups, "ups")
		reg.AddCarrier(fedex, "fedex")
		crash := errors.New("power cut")
		var failing atomic.Bool
		e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, MinInterval: time.Minute, BeforeCommit: func() error {
			if failing.Load() {
				return crash
			}
			return nil
		}})

		chat, other := newChat(t, s, "team"), newChat(t, s, "other")
		first, err := e.Track(ctx, tracking.TrackRequest{ChatID: chat, Number: number, Carrier: "ups", Label: "lamp", OrderRef: "#42"})
		if err != nil {
			t.Fatal(err)
		}
		shop, muted := "temu", true
		if err := s.UpdateSubscription(ctx, chat, first.SubscriptionID, store.SubscriptionSettings{Marketplace: &shop, Muted: &muted}); err != nil {
			t.Fatal(err)
		}
		// Another chat already follows the number under the other carrier,
		// so moving needs no lookup: the only transaction is the move.
		if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: other, Number: number, Carrier: "fedex"}); err != nil {
			t.Fatal(err)
		}

		before := subscribed{"ups", "lamp", "#42", "temu", true}
		failing.Store(true)
		_, err = e.Track(ctx, tracking.TrackRequest{ChatID: chat, Number: number, Carrier: "fedex", Label: "lamp", Replaces: first.SubscriptionID})
		if !errors.Is(err, crash) {
			t.Fatalf("move with a fault before commit: %v, want the injected fault", err)
		}
		if got := subscriptionsOf(t, s, chat); len(got) != 1 || got[0] != before {
			t.Fatalf("after the failed move the chat follows %+v, want exactly %+v", got, before)
		}
		if got := subscriptionsOf(t, s, other); len(got) != 1 || got[0].carrier != "fedex" {
			t.Fatalf("the other chat follows %+v, want its fedex parcel untouched", got)
		}

		failing.Store(false)
		moved, err := e.Track(ctx, tracking.TrackRequest{ChatID: chat, Number: number, Carrier: "fedex", Label: "lamp", Replaces: first.SubscriptionID})
		if err != nil {
			t.Fatal(err)
		}
		after := subscribed{"fedex", "lamp", "#42", "temu", true}
		if got := subscriptionsOf(t, s, chat); len(got) != 1 || got[0] != after {
			t.Fatalf("after the move the chat follows %+v, want exactly %+v", got, after)
		}
		if _, err := s.Shipment(ctx, first.Shipment.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the ups shipment nobody follows any more: %v, want it removed", err)
		}
		if moved.Shipment.Carrier != "fedex" || moved.New != true {
			t.Errorf("move result: carrier %s, new %v", moved.Shipment.Carrier, moved.New)
		}

		// A replaced subscription that is not the chat's moves nothing.
		if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: other, Number: number, Carrier: "ups", Replaces: moved.SubscriptionID}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("moving another chat's subscription: %v, want ErrNotFound", err)
		}
		if got := subscriptionsOf(t, s, other); len(got) != 1 || got[0].carrier != "fedex" {
			t.Fatalf("the other chat follows %+v after a refused move", got)
		}
	})
}

// Tracking writes the subscription, its label, its order reference and
// the resumption of a silent shipment together, and a chat at its limit
// gets nothing written.
func TestTrackIsOneTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(t0.Add(time.Hour))
		const number = "1Z999AA10123456784"
		fake := trackingtest.NewProvider("fake")
		fake.Set(number, script(number, ev(0, tracking.SubPackageDeparted, "Departed", "Louisville")))
		crash := errors.New("power cut")
		var failing atomic.Bool
		e := fakeEngine(s, clock, fake, tracking.Options{BeforeCommit: func() error {
			if failing.Load() {
				return crash
			}
			return nil
		}})
		watcher := newChat(t, s, "watcher")
		first, err := e.Track(ctx, tracking.TrackRequest{ChatID: watcher, Number: number, Carrier: "ups"})
		if err != nil {
			t.Fatal(err)
		}
		// Sixty-one quiet days: polling stops for silence.
		clock.Advance(61 * 24 * time.Hour)
		if _, err := e.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.Shipment(ctx, first.Shipment.ID); st.StoppedReason != tracking.StopSilent {
			t.Fatalf("stopped reason %q, want %q", st.StoppedReason, tracking.StopSilent)
		}

		chat := newChat(t, s, "buyer")
		failing.Store(true)
		if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: chat, Number: number, Carrier: "ups", Label: "boots", OrderRef: "#7"}); !errors.Is(err, crash) {
			t.Fatalf("track with a fault before commit: %v", err)
		}
		if got := subscriptionsOf(t, s, chat); len(got) != 0 {
			t.Fatalf("a failed track left %+v", got)
		}
		if st, _ := s.Shipment(ctx, first.Shipment.ID); st.StoppedReason != tracking.StopSilent || st.NextCheckAt != nil {
			t.Fatalf("a failed track resumed the shipment: %q, next %v", st.StoppedReason, st.NextCheckAt)
		}

		failing.Store(false)
		if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: chat, Number: number, Carrier: "ups", Label: "boots", OrderRef: "#7"}); err != nil {
			t.Fatal(err)
		}
		if got := subscriptionsOf(t, s, chat); len(got) != 1 || got[0] != (subscribed{"ups", "boots", "#7", "", false}) {
			t.Fatalf("after tracking: %+v", got)
		}
		st, _ := s.Shipment(ctx, first.Shipment.ID)
		if st.StoppedReason != "" || st.NextCheckAt == nil || !st.NextCheckAt.Equal(clock.Now()) {
			t.Fatalf("tracking a silent shipment: stopped %q, next %v, want it due now", st.StoppedReason, st.NextCheckAt)
		}

		// The limit: a chat following one parcel with a limit of one gets
		// ErrTooManyShipments for a second, and nothing is written.
		const second = "1Z999AA10123456791"
		fake.Set(second, script(second, ev(0, tracking.SubPackageAccepted, "Picked up", "Louisville")))
		if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: chat, Number: second, Carrier: "ups", Limit: 1}); !errors.Is(err, tracking.ErrTooManyShipments) {
			t.Fatalf("past the limit: %v, want ErrTooManyShipments", err)
		}
		if ids, _ := s.ShipmentsByNumber(ctx, second); len(ids) != 0 {
			t.Errorf("a refused track created shipments %v", ids)
		}
		// A parcel the chat follows already is counted already: its order
		// reference may still change at the limit.
		if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: chat, Number: number, Carrier: "ups", OrderRef: "#8", Limit: 1}); err != nil {
			t.Fatalf("a followed parcel at the limit: %v", err)
		}
		if got := subscriptionsOf(t, s, chat); len(got) != 1 || got[0].orderRef != "#8" {
			t.Errorf("after a new order reference at the limit: %+v", got)
		}
	})
}

// TestTrackRefusesUnstorableTextBeforeAnyRow: a label or an order
// reference the database cannot hold as typed is refused before the
// shipment is created, so that no shipment is left polled for nobody
// (PostgreSQL refused the subscription only after the shipment was in).
func TestTrackRefusesUnstorableTextBeforeAnyRow(t *testing.T) {
	requests := []struct {
		name            string
		label, orderRef string
	}{
		{"a NUL in the label", "a\x00b", ""},
		{"a right-to-left override in the label", "\u202Egal", ""},
		{"invalid UTF-8 in the order reference", "", "#\xff"},
		{"an escape in the order reference", "", "#1\x1b[2J"},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(t0)
		fake := trackingtest.NewProvider("fake")
		reg := tracking.NewRegistry(clock)
		reg.AddCarrier(fake, "ups")
		e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, MinInterval: time.Minute})
		chat := newChat(t, s, "c1")
		for _, r := range requests {
			_, err := e.Track(ctx, tracking.TrackRequest{ChatID: chat, Number: "1Z999AA10123456784", Carrier: "ups", Label: r.label, OrderRef: r.orderRef})
			if !errors.Is(err, tracking.ErrUnstorableText) {
				t.Errorf("%s: %v, want ErrUnstorableText", r.name, err)
			}
			var shipments int
			if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM shipments`).Scan(&shipments); err != nil || shipments != 0 {
				t.Errorf("%s: %d shipments (%v), want none", r.name, shipments, err)
			}
			if n := fake.Calls("1Z999AA10123456784"); n != 0 {
				t.Errorf("%s: the provider was asked %d times", r.name, n)
			}
		}
	})
}

// TestStorableText: what the database and the chat hold as typed.
func TestStorableText(t *testing.T) {
	for _, tc := range []struct {
		text string
		ok   bool
	}{
		{"Blue jacket", true},
		{"Синяя куртка 📦", true},
		{"two\nlines\twith a tab\r\n", true},
		{"שלום \u200F mark", true}, // a right-to-left mark is no override
		{"", true},
		{"a\x00b", false},
		{"bell\a", false},
		{"del\x7f", false},
		{"c1 \u0085", false},
		{"\u202Aembedding", false},
		{"\u202Eoverride", false},
		{"\u2066isolate\u2069", false},
		{"caf\xe9", false},
	} {
		if got := tracking.StorableText(tc.text); got != tc.ok {
			t.Errorf("StorableText(%q) = %v, want %v", tc.text, got, tc.ok)
		}
	}
}

// registering is a fake provider that can be asked to push.
type registering struct {
	*trackingtest.Provider
	registered atomic.Int32
}

func (p *registering) Register(context.Context, tracking.Query) error {
	p.registered.Add(1)
	return nil
}
func (p *registering) Unregister(context.Context, tracking.Query) error { return nil }

// TestFirstCheckRegistersForPushes: a shipment is registered for pushes
// once, at its first check, whether Track looks it up at once or leaves
// the lookup to the scheduler (tracked in bulk).
func TestFirstCheckRegistersForPushes(t *testing.T) {
	for _, deferred := range []bool{false, true} {
		t.Run(map[bool]string{false: "looked up by Track", true: "deferred"}[deferred], func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				clock := tracking.NewFakeClock(t0)
				const number = "1Z999AA10123456784"
				p := &registering{Provider: trackingtest.NewProvider("pusher")}
				p.Set(number, script(number, ev(0, tracking.SubPackageAccepted, "Picked up", "Louisville")))
				reg := tracking.NewRegistry(clock)
				reg.AddCarrier(p, "ups")
				e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, MinInterval: time.Minute, RegisterPush: true})
				if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: newChat(t, s, "c1"), Number: number, Carrier: "ups", Deferred: deferred}); err != nil {
					t.Fatal(err)
				}
				want := map[bool]int32{false: 1, true: 0}[deferred]
				if n := p.registered.Load(); n != want {
					t.Errorf("after Track: registered %d times, want %d", n, want)
				}
				for range 3 {
					clock.Advance(2 * time.Hour)
					if _, err := e.RunOnce(ctx); err != nil {
						t.Fatal(err)
					}
				}
				if n := p.registered.Load(); n != 1 {
					t.Errorf("after the scheduler's checks: registered %d times, want once", n)
				}
			})
		})
	}
}
