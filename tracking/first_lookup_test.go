package tracking_test

import (
	"context"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// tickingStore runs tick right after a shipment is ensured: where the
// scheduler of another replica would find it before Track looks it up.
type tickingStore struct {
	*store.Store
	tick func()
}

func (s tickingStore) EnsureShipmentDue(ctx context.Context, carrier, number string, now, due time.Time) (*tracking.ShipmentState, bool, error) {
	st, created, err := s.Store.EnsureShipmentDue(ctx, carrier, number, now, due)
	if err == nil {
		s.tick()
	}
	return st, created, err
}

// TestANewShipmentIsLookedUpOnce: a tick that comes between the creation
// of a shipment and Track's own first lookup leaves it to Track, so the
// provider is asked once (the scheduler takes it over only if that lookup
// has not come within a lease); a deferred one is the tick's at once. A
// never looked up shipment that exists already is due, and when a tick
// takes it first, Track does not ask again either.
func TestANewShipmentIsLookedUpOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(t0.Add(time.Hour))
		fake := trackingtest.NewProvider("fake")
		const now, later = "1ZFIRST000000001", "1ZFIRST000000002"
		for _, n := range []string{now, later} {
			fake.Set(n, script(n, ev(0, tracking.SubPackageAccepted, "Picked up", "Louisville")))
		}
		reg := tracking.NewRegistry(clock)
		reg.AddCarrier(fake, "ups")
		scheduler := tracking.NewEngine(s, reg, tracking.Options{Owner: "scheduler", Clock: clock, MinInterval: time.Minute})
		var claimed []int
		ticking := tickingStore{Store: s, tick: func() {
			n, err := scheduler.RunOnce(ctx)
			if err != nil {
				t.Error(err)
			}
			claimed = append(claimed, n)
		}}
		e := tracking.NewEngine(ticking, reg, tracking.Options{Owner: "chat", Clock: clock, MinInterval: time.Minute})
		chatID := newChat(t, s, "first")

		res, err := e.Track(ctx, tracking.TrackRequest{ChatID: chatID, Number: now, Carrier: "ups"})
		if err != nil || res.LookupErr != nil {
			t.Fatalf("Track: %v, %v", err, res.LookupErr)
		}
		if c := fake.Calls(now); c != 1 || len(res.Shipment.Events) != 1 {
			t.Errorf("the provider was asked %d times, want 1; Track saw %d events", c, len(res.Shipment.Events))
		}
		if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: chatID, Number: later, Carrier: "ups", Deferred: true}); err != nil {
			t.Fatal(err)
		}
		if want := []int{0, 1}; len(claimed) != 2 || claimed[0] != want[0] || claimed[1] != want[1] {
			t.Errorf("the ticks claimed %v shipments, want %v", claimed, want)
		}
		if c := fake.Calls(later); c != 1 {
			t.Errorf("the deferred shipment was asked for %d times, want 1 (by the tick)", c)
		}

		// A shipment that exists, never looked up (an import's), is due
		// at once: the tick takes it first, and Track does not ask again.
		const imported = "1ZFIRST000000003"
		fake.Set(imported, script(imported, ev(0, tracking.SubPackageAccepted, "Picked up", "Louisville")))
		st, _, err := s.EnsureShipment(ctx, "ups", imported, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		res, err = e.Track(ctx, tracking.TrackRequest{ChatID: chatID, Number: imported, Carrier: "ups"})
		if err != nil || res.LookupErr != nil {
			t.Fatalf("Track: %v, %v", err, res.LookupErr)
		}
		if c := fake.Calls(imported); c != 1 || len(res.Shipment.Events) != 1 || claimed[len(claimed)-1] != 1 {
			t.Errorf("the provider was asked %d times, want 1 (by the tick, which claimed %v); Track saw %d events",
				c, claimed, len(res.Shipment.Events))
		}
		if _, ok, err := s.ClaimShipment(ctx, st.ID, "another", clock.Now(), time.Minute); err != nil || !ok {
			t.Errorf("Track kept the lease of a shipment it did not look up: %v, %v", ok, err)
		}
	})
}
