package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// TestClaimSeesEveryWriteOfExtras claims a shipment again and again while
// its events, legs and protection ends are written by plain statements,
// as any writer may: each claim must return them as they stand, though
// SQLite's store keeps what an earlier claim read.
func TestClaimSeesEveryWriteOfExtras(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		sh, _, err := s.EnsureShipment(ctx, "ups", "1ZEXTRAS0001", now)
		if err != nil {
			t.Fatal(err)
		}
		claim := func(step string) *tracking.ShipmentState {
			t.Helper()
			got, err := s.ClaimDue(ctx, "owner", now, time.Minute, 10)
			if err != nil || len(got) != 1 {
				t.Fatalf("%s: claimed %d shipments, err %v; want 1", step, len(got), err)
			}
			if err := s.ReleaseShipment(ctx, sh.ID, "owner"); err != nil {
				t.Fatal(err)
			}
			return got[0]
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := s.DB().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		check := func(step string, st *tracking.ShipmentState, events, legs []string, ends []time.Time) {
			t.Helper()
			var gotEvents, gotLegs []string
			for _, e := range st.Events {
				gotEvents = append(gotEvents, e.Description)
			}
			for _, l := range st.Legs {
				gotLegs = append(gotLegs, l.Number)
			}
			if !slices.Equal(gotEvents, events) || !slices.Equal(gotLegs, legs) || len(st.Known) != len(events) {
				t.Errorf("%s: events %q (%d known), legs %q; want %q, %q", step, gotEvents, len(st.Known), gotLegs, events, legs)
			}
			if len(st.ProtectionEnds) != len(ends) || len(ends) == 1 && !st.ProtectionEnds[0].Equal(ends[0]) {
				t.Errorf("%s: protection ends %v, want %v", step, st.ProtectionEnds, ends)
			}
		}

		check("first claim", claim("first claim"), nil, nil, nil)
		check("claim again", claim("claim again"), nil, nil, nil)

		exec(`INSERT INTO events (shipment_id, fingerprint, occurred_at, status, substatus, description, created_at)
			VALUES ($1, 'f1', $2, 'TRANSIT', 'package_departed', 'Departed', $2)`, sh.ID, now.Add(-time.Hour))
		check("event added", claim("event added"), []string{"Departed"}, nil, nil)
		check("nothing written", claim("nothing written"), []string{"Departed"}, nil, nil)

		exec(`UPDATE events SET description = 'Departed facility' WHERE shipment_id = $1`, sh.ID)
		exec(`INSERT INTO legs (shipment_id, seq, carrier, number, created_at) VALUES ($1, 1, 'usps', 'LEG1', $2)`, sh.ID, now)
		check("event changed, leg added", claim("event changed, leg added"), []string{"Departed facility"}, []string{"LEG1"}, nil)

		var chatID int64
		if err := s.DB().QueryRowContext(ctx, `INSERT INTO chats (platform, team_id, external_id, created_at, updated_at)
			VALUES ('telegram', '', 'extras', $1, $1) RETURNING id`, now).Scan(&chatID); err != nil {
			t.Fatal(err)
		}
		ends := now.Add(10 * 24 * time.Hour)
		exec(`INSERT INTO subscriptions (chat_id, shipment_id, created_at, protection_ends) VALUES ($1, $2, $3, $4)`, chatID, sh.ID, now, ends)
		check("protection given", claim("protection given"), []string{"Departed facility"}, []string{"LEG1"}, []time.Time{ends})

		later := ends.Add(5 * 24 * time.Hour)
		exec(`UPDATE subscriptions SET protection_ends = $1 WHERE shipment_id = $2`, later, sh.ID)
		exec(`DELETE FROM legs WHERE shipment_id = $1`, sh.ID)
		check("protection moved, leg removed", claim("protection moved, leg removed"), []string{"Departed facility"}, nil, []time.Time{later})

		exec(`DELETE FROM subscriptions WHERE shipment_id = $1`, sh.ID)
		exec(`DELETE FROM events WHERE shipment_id = $1`, sh.ID)
		check("all removed", claim("all removed"), nil, nil, nil)
	})
}
