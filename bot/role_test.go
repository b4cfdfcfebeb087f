package bot_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// TestRoleInALargeChatIsOneOperation changes the role of a chat that
// follows 500 Temu parcels (100 on SQLite under -race: expect.Size),
// silent for 8 days: as a buyer each has Temu's in-app support step, as a
// seller it has not. Switching back to buyer
// re-arms the step for every parcel, and must cost a bounded number of
// statements, not a few per parcel.
func TestRoleInALargeChatIsOneOperation(t *testing.T) {
	const maxStatements = 50
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			parcels := expect.Size(500, 100, d == store.SQLite)
			s, statements := storetest.OpenCounting(t, d)
			h := newHarness(t, s)
			h.say(privateChat, "en", "/start")
			seedChat(t, s, parcels, t0.Add(-8*24*time.Hour), t0)
			h.say(privateChat, "en", "/role buyer")
			h.say(privateChat, "en", "/role seller")

			statements.Store(0)
			got := render(h.say(privateChat, "en", "/role buyer"))
			n := statements.Load()
			t.Logf("/role in a chat of %d parcels: %d statements", parcels, n)
			if n > maxStatements {
				t.Errorf("/role took %d statements, want at most %d", n, maxStatements)
			}
			var rearmed int
			if err := s.DB().QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'guidance' AND dedupe_key LIKE '%:temu_no_update:2'`).Scan(&rearmed); err != nil {
				t.Fatal(err)
			}
			if rearmed != parcels {
				t.Errorf("re-armed Temu step pushed for %d parcels, want %d; reply:\n%s", rearmed, parcels, got)
			}
		})
	}
}

// seedChat gives the chat of privateChat n Temu parcels in transit, whose
// one event happened at last, in one statement per table.
func seedChat(t *testing.T, s *store.Store, n int, last, now time.Time) {
	t.Helper()
	series := fmt.Sprintf(`(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < %d) SELECT i FROM g) g`, n)
	var chatID int64
	if err := s.DB().QueryRow(`SELECT id FROM chats WHERE external_id = $1`, privateChat.ID).Scan(&chatID); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO shipments (carrier, number, status, substatus, status_changed_at, last_event_at, last_checked_at, created_at, updated_at)
			SELECT 'ups', '1ZSEED' || CAST(i AS TEXT), 'TRANSIT', 'package_departed', $1, $1, $2, $1, $2 FROM ` + series, []any{last, now}},
		{`INSERT INTO events (shipment_id, fingerprint, occurred_at, status, substatus, description, city, country, carrier, number, created_at)
			SELECT id, 'f' || number, $1, 'TRANSIT', 'package_departed', 'Departed', 'Louisville', 'US', 'ups', number, $2
			FROM shipments WHERE number LIKE '1ZSEED%'`, []any{last, now}},
		{`INSERT INTO subscriptions (chat_id, shipment_id, marketplace, created_at)
			SELECT $1, id, 'temu', $2 FROM shipments WHERE number LIKE '1ZSEED%'`, []any{chatID, now}},
	} {
		if _, err := s.DB().Exec(q.sql, q.args...); err != nil {
			t.Fatalf("seed: %v\n%s", err, q.sql)
		}
	}
}

// TestRoleFailureChangesNothing: /role writes the role and the guidance
// it changes in one transaction, so a failure inside it (here, just
// before the commit) leaves the chat a seller and queues none of the
// buyer's advice; the same command once the failure is gone does both.
func TestRoleFailureChangesNothing(t *testing.T) {
	const parcels = 5
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		h.say(privateChat, "en", "/start")
		seedChat(t, s, parcels, t0.Add(-8*24*time.Hour), t0)
		h.say(privateChat, "en", "/role seller")

		crash := errors.New("crash before commit")
		faulty := tracking.NewEngine(s, h.engine.Providers(), tracking.Options{Clock: h.clock, DemoStep: time.Minute,
			MinInterval: time.Minute, BeforeCommit: func() error { return crash }})
		broken := bot.New(bot.Config{Store: s, Engine: faulty, Catalog: h.cat, Clock: h.clock})
		broken.Handle(context.Background(), bot.Message{Chat: privateChat, User: "u1", Text: "/role buyer", Language: "en"})

		state := func() (role string, pushes int) {
			t.Helper()
			if err := s.DB().QueryRow(`SELECT role FROM chats WHERE external_id = $1`, privateChat.ID).Scan(&role); err != nil {
				t.Fatal(err)
			}
			if err := s.DB().QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'guidance' AND dedupe_key LIKE '%:temu_no_update:%'`).Scan(&pushes); err != nil {
				t.Fatal(err)
			}
			return role, pushes
		}
		if role, pushes := state(); role != "seller" || pushes != 0 {
			t.Fatalf("after a failed /role buyer: role %q, %d Temu pushes; want seller and none", role, pushes)
		}
		h.say(privateChat, "en", "/role buyer")
		if role, pushes := state(); role != "buyer" || pushes != parcels {
			t.Fatalf("after /role buyer: role %q, %d Temu pushes; want buyer and %d", role, pushes, parcels)
		}
	})
}
