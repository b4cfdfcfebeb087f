package tracking_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// TestUnchangedRoundIsRescheduledInOneStatement runs a round over 50
// shipments that bring nothing new, one of whose lookups fails: the round
// claims, loads, reschedules all 50 in one statement and finds nothing
// more, and each shipment gets its own next check and failure count.
func TestUnchangedRoundIsRescheduledInOneStatement(t *testing.T) {
	const shipments = 50
	const maxStatements = 6 // claim, events, legs, reschedule, the empty claim; one to spare
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s, statements := storetest.OpenCounting(t, d)
			clock := tracking.NewFakeClock(t0.Add(72 * time.Hour))
			fake := trackingtest.NewProvider("fake")
			ids := map[string]int64{}
			for i := range shipments {
				n := fmt.Sprintf("1ZRESCHED%09d", i)
				fake.Set(n, script(n, ev(0, tracking.SubPackageAccepted, "Picked up", "Louisville")))
				st, _, err := s.EnsureShipment(ctx, "ups", n, t0)
				if err != nil {
					t.Fatal(err)
				}
				ids[n] = st.ID
			}
			e := fakeEngine(s, clock, fake, tracking.Options{Owner: "w", BatchSize: 100})
			if n, err := e.RunOnce(ctx); err != nil || n != shipments {
				t.Fatalf("first round: %d, %v", n, err)
			}
			failing := fmt.Sprintf("1ZRESCHED%09d", 7)
			fake.Fail(failing, tracking.ErrUnavailable)

			clock.Advance(24 * time.Hour)
			statements.Store(0)
			if n, err := e.RunOnce(ctx); err != nil || n != shipments {
				t.Fatalf("unchanged round: %d, %v", n, err)
			}
			n := statements.Load()
			t.Logf("unchanged round of %d shipments: %d statements", shipments, n)
			if n > maxStatements {
				t.Errorf("unchanged round of %d took %d statements, want at most %d", shipments, n, maxStatements)
			}
			for n, id := range ids {
				st, err := s.Shipment(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				wantFailures := 0
				if n == failing {
					wantFailures = 1
				}
				if st.LastCheckedAt == nil || !st.LastCheckedAt.Equal(clock.Now()) || st.NextCheckAt == nil ||
					!st.NextCheckAt.After(clock.Now()) || st.CheckFailures != wantFailures {
					t.Errorf("%s: checked %v, next %v, failures %d; want checked now, next later, %d failures",
						n, st.LastCheckedAt, st.NextCheckAt, st.CheckFailures, wantFailures)
				}
			}
		})
	}
}

// TestRescheduleManySkipsLostLeases reschedules three leased shipments in
// one go after another worker took one of them over: that one is neither
// written nor listed.
func TestRescheduleManySkipsLostLeases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var rs []tracking.Reschedule
		for i := range 3 {
			st, _, err := s.EnsureShipment(ctx, "ups", fmt.Sprintf("1ZLEASE%d", i), t0)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok, err := s.ClaimShipment(ctx, st.ID, "w", t0, time.Minute); err != nil || !ok {
				t.Fatalf("claim: %v %v", ok, err)
			}
			next := t0.Add(time.Duration(i+1) * time.Hour)
			rs = append(rs, tracking.Reschedule{ID: st.ID, Next: &next, CheckedAt: t0.Add(time.Second), Failures: i})
		}
		// The lease ran out and another worker took the second shipment.
		if _, ok, err := s.ClaimShipment(ctx, rs[1].ID, "other", t0.Add(2*time.Minute), time.Minute); err != nil || !ok {
			t.Fatalf("take over: %v %v", ok, err)
		}
		written, err := s.RescheduleMany(ctx, "w", rs)
		if err != nil {
			t.Fatal(err)
		}
		if len(written) != 2 || written[0]+written[1] != rs[0].ID+rs[2].ID {
			t.Errorf("written %v, want %d and %d", written, rs[0].ID, rs[2].ID)
		}
		for i, r := range rs {
			st, err := s.Shipment(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				if st.LastCheckedAt != nil || st.CheckFailures != 0 {
					t.Errorf("taken-over shipment written: checked %v, failures %d", st.LastCheckedAt, st.CheckFailures)
				}
				continue
			}
			if st.NextCheckAt == nil || !st.NextCheckAt.Equal(*r.Next) || st.LastCheckedAt == nil ||
				!st.LastCheckedAt.Equal(r.CheckedAt) || st.CheckFailures != r.Failures {
				t.Errorf("shipment %d: next %v, checked %v, failures %d; want %v, %v, %d",
					i, st.NextCheckAt, st.LastCheckedAt, st.CheckFailures, r.Next, r.CheckedAt, r.Failures)
			}
		}
		// Its lease is released: a new claim gets it at once.
		if _, ok, err := s.ClaimShipment(ctx, rs[0].ID, "third", t0.Add(2*time.Minute), time.Minute); err != nil || !ok {
			t.Errorf("claim after reschedule: %v %v, want the lease released", ok, err)
		}
	})
}
