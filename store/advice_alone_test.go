package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// TestAdviceAloneOnlyForTheLevelsThatHearIt refreshes a parcel that nine
// chats follow, three at each alert level, with no status alert (a
// refresh that finds the parcel stalled) and two pieces of advice, one
// for information and one at warn level. Alone, advice needs the chat's
// level: "all" and "changes" get both, "action" only the warning. The
// information still counts as fired for "action": the same advice again
// pushes nothing more.
func TestAdviceAloneOnlyForTheLevelsThatHearIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		st := followedAtEachLevel(t, s, "1ZALONE", now)
		refresh := func(sig string) {
			t.Helper()
			now = now.Add(time.Hour)
			if _, ok, err := s.ClaimShipment(ctx, st.ID, "w", now, time.Minute); err != nil || !ok {
				t.Fatalf("claim: %v %v", ok, err)
			}
			if err := s.ApplyRefresh(ctx, &tracking.Change{ShipmentID: st.ID, LeaseOwner: "w", Now: now, Status: tracking.StatusTransit,
				StatusChangedAt: now, GuidanceSig: sig,
				Guidance: func(tracking.Reader) []tracking.Advice {
					return []tracking.Advice{{Rule: tracking.RuleDestinationPost, Level: tracking.LevelInfo, Push: true},
						{Rule: tracking.RuleNoProgress, Level: tracking.LevelWarn, Push: true}}
				}}); err != nil {
				t.Fatal(err)
			}
		}
		rows := func() string {
			got := map[string]int{}
			r, err := s.DB().Query(`SELECT c.alert_level || ':' || o.kind || ':' || o.alert_level, COUNT(*) FROM outbox o JOIN chats c ON c.id = o.chat_id
				GROUP BY c.alert_level, o.kind, o.alert_level`)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for r.Next() {
				var k string
				var n int
				if err := r.Scan(&k, &n); err != nil {
					t.Fatal(err)
				}
				got[k] = n
			}
			return fmt.Sprint(got)
		}
		want := fmt.Sprint(map[string]int{
			"all:guidance:changes": 3, "all:guidance:action": 3,
			"changes:guidance:changes": 3, "changes:guidance:action": 3,
			"action:guidance:action": 3,
		})
		refresh("1")
		if got := rows(); got != want {
			t.Errorf("outbox rows by chat level, kind and row level %s, want %s", got, want)
		}
		var fired int
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM guidance_state WHERE active`).Scan(&fired); err != nil {
			t.Fatal(err)
		}
		if fired != 18 {
			t.Errorf("%d rules fired, want both for all 9 subscriptions", fired)
		}
		refresh("2")
		if got := rows(); got != want {
			t.Errorf("the same advice again: outbox rows %s, want still %s", got, want)
		}
	})
}
