package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// TestGuidanceOfAWidelyFollowedParcelIsSetBased refreshes a parcel that
// 2,000 chats follow (150 on SQLite under -race: expect.Size), twice:
// first a rule starts to apply for all of them, then it clears while
// another starts. Each refresh must commit in a
// bounded number of statements, with every chat's state and push written.
func TestGuidanceOfAWidelyFollowedParcelIsSetBased(t *testing.T) {
	const maxStatements = 10
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			chats := expect.Size(2000, 150, d == store.SQLite)
			ctx := context.Background()
			s, statements := storetest.OpenCounting(t, d)
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			st, _, err := s.EnsureShipment(ctx, "ups", "1ZFOLLOWED", now)
			if err != nil {
				t.Fatal(err)
			}
			series := numbers(chats)
			if _, err := s.DB().Exec(`INSERT INTO chats (platform, team_id, external_id, created_at, updated_at)
				SELECT 'telegram', '', CAST(i AS TEXT), $1, $1 FROM `+series, now); err != nil {
				t.Fatal(err)
			}
			followedByAllChats(t, s, st.ID, now)

			for i, rules := range [][]string{{tracking.RuleNoEvent}, {tracking.RuleNoProgress}} {
				now = now.Add(time.Hour)
				if _, ok, err := s.ClaimShipment(ctx, st.ID, "w", now, time.Minute); err != nil || !ok {
					t.Fatalf("claim: %v %v", ok, err)
				}
				statements.Store(0)
				err := s.ApplyRefresh(ctx, &tracking.Change{
					ShipmentID: st.ID, LeaseOwner: "w", Now: now, Status: tracking.StatusTransit,
					Substatus: tracking.SubPackageDeparted, StatusChangedAt: now, GuidanceSig: fmt.Sprint(i),
					Guidance: func(tracking.Reader) []tracking.Advice {
						var out []tracking.Advice
						for _, r := range rules {
							out = append(out, tracking.Advice{Rule: r, Level: tracking.LevelWarn, Push: true})
						}
						return out
					},
				})
				if err != nil {
					t.Fatal(err)
				}
				n := statements.Load()
				t.Logf("refresh %d: guidance of %d chats in %d statements", i+1, chats, n)
				if n > maxStatements {
					t.Errorf("refresh %d took %d statements, want at most %d", i+1, n, maxStatements)
				}
			}

			var active, cleared, pushed int
			if err := s.DB().QueryRow(`SELECT
				(SELECT COUNT(*) FROM guidance_state WHERE rule = $1 AND active AND arms = 1 AND cleared_at IS NULL),
				(SELECT COUNT(*) FROM guidance_state WHERE rule = $2 AND NOT active AND arms = 1 AND cleared_at IS NOT NULL AND fired_at < cleared_at),
				(SELECT COUNT(*) FROM outbox WHERE kind = 'guidance')`,
				tracking.RuleNoProgress, tracking.RuleNoEvent).Scan(&active, &cleared, &pushed); err != nil {
				t.Fatal(err)
			}
			if active != chats || cleared != chats || pushed != 2*chats {
				t.Errorf("active %d, cleared %d, pushed %d; want %d, %d, %d", active, cleared, pushed, chats, chats, 2*chats)
			}
		})
	}
}
