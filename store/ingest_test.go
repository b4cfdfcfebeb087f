package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// TestIngestWritesOnlyTheRowItRead pushes news for a shipment whose row
// another writer changes while the push decides: the push must not write
// over that change from what it read, but read the row again and decide
// anew; a shipment another owner leases is left alone, and reported busy.
func TestIngestWritesOnlyTheRowItRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		st, _, err := s.EnsureShipment(ctx, "ups", "1ZRACE", now)
		if err != nil {
			t.Fatal(err)
		}
		event := tracking.Event{Time: now.Add(-time.Hour), Substatus: tracking.SubPackageDeparted, Description: "Departed"}
		var seen []string
		decide := func(st *tracking.ShipmentState) (*tracking.Change, bool) {
			seen = append(seen, st.OriginCountry)
			if len(seen) == 1 && s.Dialect() == store.Postgres {
				// Another writer, between this push's read and its write
				// (on SQLite the push's transaction holds the one writer).
				if _, err := s.DB().ExecContext(ctx, `UPDATE shipments SET origin_country = 'CN' WHERE id = $1`, st.ID); err != nil {
					t.Fatal(err)
				}
			}
			next := now.Add(time.Hour)
			return &tracking.Change{ShipmentID: st.ID, Now: now, Status: tracking.StatusTransit, Substatus: tracking.SubPackageDeparted,
				StatusChangedAt: now, LastEventAt: &event.Time, OriginCountry: st.OriginCountry, NextCheckAt: &next,
				Events: []tracking.Event{event}}, false
		}
		if err := s.IngestNumber(ctx, "1ZRACE", "pusher", now, decide); err != nil {
			t.Fatal(err)
		}
		got, err := s.Shipment(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantOrigin := "CN"
		if s.Dialect() == store.SQLite {
			wantOrigin = ""
		}
		if got.OriginCountry != wantOrigin || len(got.Events) != 1 || got.Status != tracking.StatusTransit {
			t.Errorf("after the push: origin %q, %d events, status %s; want origin %q (the other writer's) and the push's event and status",
				got.OriginCountry, len(got.Events), got.Status, wantOrigin)
		}
		if s.Dialect() == store.Postgres && (len(seen) != 2 || seen[1] != "CN") {
			t.Errorf("decided on origins %q, want a second decision on the row as the other writer left it", seen)
		}

		// Leased by another owner: the push leaves it alone, and says so,
		// so that it is merged again once that owner is done.
		if _, ok, err := s.ClaimShipment(ctx, st.ID, "scheduler", now, time.Minute); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		calls := 0
		if err := s.IngestNumber(ctx, "1ZRACE", "pusher", now, func(st *tracking.ShipmentState) (*tracking.Change, bool) {
			calls++
			return &tracking.Change{ShipmentID: st.ID, Now: now}, true
		}); !errors.Is(err, tracking.ErrShipmentBusy) {
			t.Fatalf("push to a leased shipment: %v, want ErrShipmentBusy", err)
		}
		if calls != 0 {
			t.Errorf("the push decided %d times on a shipment another owner leases", calls)
		}
	})
}
