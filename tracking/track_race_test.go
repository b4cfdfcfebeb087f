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

// gate holds a provider's lookups until released, and says when one
// started.
type gate struct {
	tracking.Provider
	entered chan struct{}
	release chan struct{}
}

func (g *gate) Lookup(ctx context.Context, q tracking.Query) (*tracking.Result, error) {
	select {
	case g.entered <- struct{}{}:
	default:
	}
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Provider.Lookup(ctx, q)
}

// TestTrackWaitsForAnotherReplicasFirstLookup: a shipment that exists but
// was never looked up (an import's) is due at once, so another replica's
// tick can claim it just before a /track of it looks it up. The chat is
// answered with what that lookup found, and is not pushed it again: its
// subscription knows what the answer showed (both databases).
func TestTrackWaitsForAnotherReplicasFirstLookup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(t0)
		const number = "1ZTEST000000000001"
		fake := trackingtest.NewProvider("fake")
		fake.Set(number, script(number, ev(-2, tracking.SubPackageAccepted, "Picked up", "Louisville")))
		held := &gate{Provider: fake, entered: make(chan struct{}, 1), release: make(chan struct{})}
		other := fakeEngine(s, clock, held, tracking.Options{Owner: "replica-b"})
		this := fakeEngine(s, clock, fake, tracking.Options{Owner: "replica-a"})

		// The shipment exists, never looked up; the other replica's round
		// claims it and is looking it up when the /track comes.
		if _, _, err := s.EnsureShipment(ctx, "ups", number, t0); err != nil {
			t.Fatal(err)
		}
		round := make(chan error, 1)
		go func() {
			_, err := other.RunOnce(ctx)
			round <- err
		}()
		<-held.entered
		go func() {
			// Track is waiting on the claim by now, or finds the lookup
			// done; either way it must answer with its result.
			time.Sleep(200 * time.Millisecond)
			close(held.release)
		}()

		chat := newChat(t, s, "c1")
		tr, err := this.Track(ctx, tracking.TrackRequest{ChatID: chat, Number: number, Carrier: "ups"})
		if err != nil {
			t.Fatal(err)
		}
		if err := <-round; err != nil {
			t.Fatal(err)
		}
		if n := len(tr.Shipment.Events); n != 1 {
			t.Errorf("the answer to /track shows %d events, want the one the other replica's lookup found", n)
		}
		counts, err := s.OutboxCounts(ctx, chat)
		if err != nil {
			t.Fatal(err)
		}
		if counts["pending"] != 0 {
			t.Errorf("outbox %v, want nothing pending: the answer already showed the event", counts)
		}
	})
}
