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

// TestOutboxRowsOnlyForTheLevelsThatHearThem refreshes a parcel that
// 2,000 chats follow (150 on SQLite under -race), a third at each alert
// level, with a change of sub-status and a piece of advice for
// information: the refresh commits in a bounded number of statements, and
// only the chats whose level hears each notice get an outbox row for it,
// one row each (the alert carries the advice).
// Every subscription is marked as told of the event, heard or not.
func TestOutboxRowsOnlyForTheLevelsThatHearThem(t *testing.T) {
	const maxStatements = 10
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			chats := expect.Size(2000, 150, d == store.SQLite)
			ctx := context.Background()
			s, statements := storetest.OpenCounting(t, d)
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			st, _, err := s.EnsureShipment(ctx, "ups", "1ZLEVELS", now)
			if err != nil {
				t.Fatal(err)
			}
			series := numbers(chats)
			if _, err := s.DB().Exec(`INSERT INTO chats (platform, team_id, external_id, created_at, updated_at, alert_level)
				SELECT 'telegram', '', CAST(i AS TEXT), $1, $1,
					CASE i % 3 WHEN 0 THEN 'all' WHEN 1 THEN 'changes' ELSE 'action' END FROM `+series, now); err != nil {
				t.Fatal(err)
			}
			followedByAllChats(t, s, st.ID, now)
			perLevel := map[string]int{}
			for i := 1; i <= chats; i++ {
				perLevel[[]string{"all", "changes", "action"}[i%3]]++
			}

			now = now.Add(time.Hour)
			if _, ok, err := s.ClaimShipment(ctx, st.ID, "w", now, time.Minute); err != nil || !ok {
				t.Fatalf("claim: %v %v", ok, err)
			}
			ev := tracking.Event{Time: now.Add(-time.Minute), Status: tracking.StatusTransit, Substatus: tracking.SubPackageArrived, Description: "Arrived"}
			statements.Store(0)
			c := statusChange(st, ev, tracking.AlertChanges, now)
			c.GuidanceSig = "1"
			c.Guidance = func(tracking.Reader) []tracking.Advice {
				return []tracking.Advice{{Rule: tracking.RuleDestinationPost, Level: tracking.LevelInfo, Push: true}}
			}
			err = s.ApplyRefresh(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if n := statements.Load(); n > maxStatements {
				t.Errorf("the refresh took %d statements for %d chats, want at most %d", n, chats, maxStatements)
			}

			got := map[string]int{}
			// Each row carries the quietest level that hears it (here
			// "changes" for both), so that a chat turning quieter can drop it.
			rows, err := s.DB().Query(`SELECT o.kind || ':' || c.alert_level || ':' || o.alert_level, COUNT(*) FROM outbox o JOIN chats c ON c.id = o.chat_id
				GROUP BY o.kind, c.alert_level, o.alert_level`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var k string
				var n int
				if err := rows.Scan(&k, &n); err != nil {
					t.Fatal(err)
				}
				got[k] = n
			}
			// The advice rides in the alert (one event, one message).
			want := map[string]int{"status:all:changes": perLevel["all"], "status:changes:changes": perLevel["changes"]}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("outbox rows by kind and level: %v, want %v", got, want)
			}
			var fired, told int
			if err := s.DB().QueryRow(`SELECT (SELECT COUNT(*) FROM guidance_state WHERE active),
				(SELECT COUNT(*) FROM subscriptions WHERE last_pushed_event_at IS NOT NULL)`).Scan(&fired, &told); err != nil {
				t.Fatal(err)
			}
			if fired != chats || told != chats {
				t.Errorf("rule fired for %d and event marked told for %d subscriptions, want all %d", fired, told, chats)
			}
		})
	}
}

// TestAnAlertCarriesItsAdviceForEveryChat refreshes a parcel followed by
// many chats, a third at each alert level, half buyers and half sellers,
// with a change of sub-status that "action" does not hear and advice at
// warn level that every level hears, worded for each role. Each chat gets
// exactly one outbox row: the alert with its role's advice in it, or,
// where the level does not hear the alert, the advice alone. 2,000 chats
// commit in a bounded number of statements; 12,000 (on PostgreSQL) are
// more than one statement's parameters can name, and are written in
// ranges, each chat still once.
func TestAnAlertCarriesItsAdviceForEveryChat(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		sizes := []int{2000, 12000}
		if d == store.SQLite {
			// Guidance state for 12,000 chats takes SQLite seconds to
			// write; the statements are the same.
			sizes = sizes[:1]
		}
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s/%d", d, size), func(t *testing.T) {
				chats := expect.Size(size, 150, d == store.SQLite)
				ctx := context.Background()
				s, statements := storetest.OpenCounting(t, d)
				now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
				st, _, err := s.EnsureShipment(ctx, "ups", "1ZONEALERT", now)
				if err != nil {
					t.Fatal(err)
				}
				series := numbers(chats)
				if _, err := s.DB().Exec(`INSERT INTO chats (platform, team_id, external_id, created_at, updated_at, alert_level, role)
					SELECT 'telegram', '', CAST(i AS TEXT), $1, $1,
						CASE i % 3 WHEN 0 THEN 'all' WHEN 1 THEN 'changes' ELSE 'action' END,
						CASE i % 2 WHEN 0 THEN 'buyer' ELSE 'seller' END FROM `+series, now); err != nil {
					t.Fatal(err)
				}
				followedByAllChats(t, s, st.ID, now)

				now = now.Add(time.Hour)
				if _, ok, err := s.ClaimShipment(ctx, st.ID, "w", now, time.Minute); err != nil || !ok {
					t.Fatalf("claim: %v %v", ok, err)
				}
				ev := tracking.Event{Time: now.Add(-time.Minute), Status: tracking.StatusTransit, Substatus: tracking.SubCustomsProcessing, Description: "Customs"}
				statements.Store(0)
				c := statusChange(st, ev, tracking.AlertChanges, now)
				c.GuidanceSig = "1"
				c.Guidance = func(r tracking.Reader) []tracking.Advice {
					return []tracking.Advice{{Rule: tracking.RuleCustomsLong, Level: tracking.LevelWarn, Push: true, Message: "advice_for_" + r.Role}}
				}
				err = s.ApplyRefresh(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				if n := statements.Load(); size == 2000 && n > 10 {
					t.Errorf("the refresh took %d statements for %d chats, want at most 10", n, chats)
				}

				rows, err := s.DB().Query(`SELECT c.alert_level, c.role, o.kind, o.alert_level, o.payload FROM outbox o
					JOIN chats c ON c.id = o.chat_id ORDER BY o.chat_id`)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				got := map[string]int{}
				for rows.Next() {
					var chatLevel, role, kind, rowLevel, payload string
					if err := rows.Scan(&chatLevel, &role, &kind, &rowLevel, &payload); err != nil {
						t.Fatal(err)
					}
					n, err := tracking.DecodeNotice(kind, []byte(payload))
					if err != nil {
						t.Fatal(err)
					}
					var advice []tracking.GuidanceNotice
					switch {
					case n.Status != nil:
						advice = n.Status.Advice
					case n.Guidance != nil:
						advice = []tracking.GuidanceNotice{*n.Guidance}
					}
					if len(advice) != 1 || advice[0].Message != "advice_for_"+role {
						t.Fatalf("a %s chat's %s row carries advice %+v, want its role's, once", role, kind, advice)
					}
					got[chatLevel+":"+kind+":"+rowLevel]++
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				perLevel := map[string]int{}
				for i := 1; i <= chats; i++ {
					perLevel[[]string{"all", "changes", "action"}[i%3]]++
				}
				// A row is kept for a chat turning quieter while either part
				// of it is still heard: the advice is heard at "action".
				want := map[string]int{
					"all:status:action": perLevel["all"], "changes:status:action": perLevel["changes"],
					"action:guidance:action": perLevel["action"],
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("outbox rows by chat level, kind and row level: %v, want %v", got, want)
				}
			})
		}
	}
}
