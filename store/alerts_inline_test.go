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

// TestAnAlertWithoutAdviceOnlyForTheLevelsThatHearIt refreshes, then
// pushes, a parcel that nine chats follow, three at each alert level, with
// changes that fire no guidance (on PostgreSQL the change's own statement
// writes the alert): a change of sub-status reaches the "all" and
// "changes" chats, a new scan without one only the "all" chats, each row
// carrying the alert's level; every subscription is marked as told, heard
// or not.
func TestAnAlertWithoutAdviceOnlyForTheLevelsThatHearIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		st := followedAtEachLevel(t, s, "1ZINLINE", now)
		rows := func(level tracking.AlertLevel) map[string]int {
			got := map[string]int{}
			r, err := s.DB().Query(`SELECT c.alert_level || ':' || o.alert_level, COUNT(*) FROM outbox o JOIN chats c ON c.id = o.chat_id
				WHERE o.alert_level = $1 GROUP BY c.alert_level, o.alert_level`, string(level))
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
			return got
		}

		now = now.Add(time.Hour)
		if _, ok, err := s.ClaimShipment(ctx, st.ID, "w", now, time.Minute); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		ev := tracking.Event{Time: now.Add(-time.Minute), Status: tracking.StatusTransit, Substatus: tracking.SubPackageArrived, Description: "Arrived"}
		if err := s.ApplyRefresh(ctx, statusChange(st, ev, tracking.AlertChanges, now)); err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(rows(tracking.AlertChanges)), fmt.Sprint(map[string]int{"all:changes": 3, "changes:changes": 3}); got != want {
			t.Errorf("refresh: outbox rows by chat level and row level %s, want %s", got, want)
		}

		now = now.Add(time.Hour)
		scan := tracking.Event{Time: now.Add(-time.Minute), Status: tracking.StatusTransit, Substatus: tracking.SubPackageArrived, Description: "Departed"}
		if err := s.IngestNumber(ctx, st.Number, "p", now, func(got *tracking.ShipmentState) (*tracking.Change, bool) {
			c := statusChange(st, scan, tracking.AlertAll, now)
			c.LeaseOwner = ""
			return c, false
		}); err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(rows(tracking.AlertAll)), fmt.Sprint(map[string]int{"all:all": 3}); got != want {
			t.Errorf("push: outbox rows by chat level and row level %s, want %s", got, want)
		}
		var told int
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM subscriptions WHERE last_pushed_event_at = $1`, scan.Time).Scan(&told); err != nil {
			t.Fatal(err)
		}
		if told != 9 {
			t.Errorf("%d subscriptions marked told of the scan, want all 9", told)
		}
	})
}

// followedAtEachLevel makes a UPS shipment NUMBER that nine private chats
// follow, three at each alert level (all, changes, action in turn).
func followedAtEachLevel(t *testing.T, s *store.Store, number string, now time.Time) *tracking.ShipmentState {
	t.Helper()
	ctx := context.Background()
	st, _, err := s.EnsureShipment(ctx, "ups", number, now)
	if err != nil {
		t.Fatal(err)
	}
	levels := []tracking.AlertLevel{tracking.AlertAll, tracking.AlertChanges, tracking.AlertAction}
	for i := range 9 {
		c, err := s.EnsureChat(ctx, "telegram", "", fmt.Sprint(i), "private", "buyer", now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().Exec(`UPDATE chats SET alert_level = $1 WHERE id = $2`, string(levels[i%3]), c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().Exec(`INSERT INTO subscriptions (chat_id, shipment_id, created_at) VALUES ($1, $2, $3)`, c.ID, st.ID, now); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// numbers is a row source g of the numbers 1 to n in column i, in SQL
// both databases read: seeding many rows costs one statement.
func numbers(n int) string {
	return fmt.Sprintf(`(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < %d) SELECT i FROM g) g`, n)
}

// followedByAllChats subscribes every chat of the database to a shipment.
func followedByAllChats(t *testing.T, s *store.Store, shipmentID int64, now time.Time) {
	t.Helper()
	if _, err := s.DB().Exec(`INSERT INTO subscriptions (chat_id, shipment_id, created_at)
		SELECT id, $1, $2 FROM chats`, shipmentID, now); err != nil {
		t.Fatal(err)
	}
}

// statusChange is a refresh by worker "w" at at that brings the one new
// event ev and pushes its status alert at level to the chats that hear it.
func statusChange(st *tracking.ShipmentState, ev tracking.Event, level tracking.AlertLevel, at time.Time) *tracking.Change {
	return &tracking.Change{ShipmentID: st.ID, LeaseOwner: "w", Now: at, Status: ev.Status, Substatus: ev.Substatus,
		StatusChangedAt: at, LastEventAt: &ev.Time, Events: []tracking.Event{ev},
		Broadcast: &tracking.Broadcast{Key: ev.Fingerprint(), EventTime: &ev.Time, Level: level,
			Notice: tracking.Notice{Kind: tracking.NoticeStatus, Status: &tracking.StatusNotice{
				ShipmentID: st.ID, Number: st.Number, Carrier: st.Carrier, Status: ev.Status, Substatus: ev.Substatus, Event: ev, NewEvents: 1}}}}
}
