package tracking_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// jsonHook is a provider whose pushes are its results as JSON, taken only
// with the right token: the least a provider's webhook does.
type jsonHook struct {
	*trackingtest.Provider
}

const hookToken = "hook-token"

func (jsonHook) ParseWebhook(h http.Header, body []byte) ([]*tracking.Result, error) {
	if h.Get("Token") != hookToken {
		return nil, tracking.ErrBadSignature
	}
	var rs []*tracking.Result
	if err := json.Unmarshal(body, &rs); err != nil {
		return nil, errors.Join(tracking.ErrBadPayload, err)
	}
	return rs, nil
}

// pushBody is a push of one result for number: one event of status at at.
func hookPush(t *testing.T, number string, status tracking.Status, at time.Time) []byte {
	t.Helper()
	body, err := json.Marshal([]tracking.Result{{Number: number, Carrier: "hook", Events: []tracking.Event{{
		Time: at, Status: status, Description: string(status), Location: tracking.Location{City: "Lyon", Country: "FR"},
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// chatStatuses lists the statuses of the status notices queued for a
// chat, in the order they were written.
func chatStatuses(t *testing.T, s *store.Store, chatID int64) []tracking.Status {
	t.Helper()
	rows, err := s.DB().QueryContext(context.Background(), `SELECT kind, payload FROM outbox WHERE chat_id = $1 ORDER BY id`, chatID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []tracking.Status
	for rows.Next() {
		var kind, payload string
		if err := rows.Scan(&kind, &payload); err != nil {
			t.Fatal(err)
		}
		n, err := tracking.DecodeNotice(kind, []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		if n.Status != nil {
			out = append(out, n.Status.Status)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// hookWorld is a store with one shipment of the hook provider, HOOK
// number, followed by one private chat, and an engine that takes the
// hook's pushes.
type hookWorld struct {
	clock *tracking.FakeClock
	reg   *tracking.Registry
	e     *tracking.Engine
	st    *tracking.ShipmentState
	chat  int64
}

func newHookWorld(t *testing.T, s *store.Store, number string, opts tracking.Options) hookWorld {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	w := hookWorld{clock: tracking.NewFakeClock(now)}
	w.reg = tracking.NewRegistry(w.clock)
	w.reg.AddCarrier(jsonHook{trackingtest.NewProvider("hook")}, "hook")
	opts.Clock = w.clock
	w.e = tracking.NewEngine(s, w.reg, opts)
	st, _, err := s.EnsureShipment(ctx, "hook", number, now)
	if err != nil {
		t.Fatal(err)
	}
	chat, err := s.EnsureChat(ctx, "telegram", "", number, "private", "buyer", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Subscribe(ctx, &tracking.SubscribeRequest{ChatID: chat.ID, ShipmentID: st.ID, Now: now}); err != nil {
		t.Fatal(err)
	}
	w.st, w.chat = st, chat.ID
	return w
}

// TestKeptPushesAreMergedOnceInOrder: a verified push is answered once it
// is kept, before anything is merged; the merge then brings each push's
// news, a number's pushes in the order they came, and tells the chat once
// per change; a push for a number nobody follows is merged into nothing
// and deleted like the others. A push a dead worker had taken, and
// perhaps merged, is taken again once its lease runs out and merged
// without a second alert.
func TestKeptPushesAreMergedOnceInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newHookWorld(t, s, "HOOK1", tracking.Options{Owner: "live", Lease: time.Minute, BatchSize: 2})
		clock, reg, e, st, chat := w.clock, w.reg, w.e, w.st, w.chat
		start := clock.Now()
		header := http.Header{"Token": {hookToken}}

		if err := e.Push(ctx, "hook", http.Header{"Token": {"forged"}}, hookPush(t, "HOOK1", tracking.StatusDelivered, start)); !errors.Is(err, tracking.ErrBadSignature) {
			t.Fatalf("forged push: %v, want ErrBadSignature", err)
		}
		if err := e.Push(ctx, "hook", header, []byte("{")); !errors.Is(err, tracking.ErrBadPayload) {
			t.Fatalf("unreadable push: %v, want ErrBadPayload", err)
		}
		journey := []tracking.Status{tracking.StatusPreTransit, tracking.StatusTransit, tracking.StatusDelivered}
		for i, status := range journey {
			if err := e.Push(ctx, "hook", header, hookPush(t, "HOOK1", status, start.Add(time.Duration(i+1)*time.Hour))); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Push(ctx, "hook", header, hookPush(t, "NOBODY9", tracking.StatusDelivered, start)); err != nil {
			t.Fatal(err)
		}
		if n, err := s.QueuedCarrierPushes(ctx); err != nil || n != 4 {
			t.Fatalf("kept pushes: %d, %v; want the 4 verified ones", n, err)
		}
		if got, _ := s.Shipment(ctx, st.ID); got.Status != tracking.StatusUnknown || len(got.Known) != 0 {
			t.Fatalf("before the merge: %s with %d events, want nothing merged yet", got.Status, len(got.Known))
		}

		// Batches of two: the number's three pushes span two batches.
		if n, err := e.MergePushes(ctx); err != nil || n != 4 {
			t.Fatalf("merge: %d, %v; want 4", n, err)
		}
		if n, err := s.QueuedCarrierPushes(ctx); err != nil || n != 0 {
			t.Fatalf("kept pushes after the merge: %d, %v", n, err)
		}
		got, err := s.Shipment(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tracking.StatusDelivered || len(got.Known) != 3 {
			t.Errorf("after the merge: %s with %d events, want delivered with 3", got.Status, len(got.Known))
		}
		if alerts := chatStatuses(t, s, chat); !slices.Equal(alerts, journey) {
			t.Errorf("alerts %v, want %v: one per change, in the order the pushes came", alerts, journey)
		}

		// Another process that kept a push, merged it and died before
		// deleting it: its push waits out the lease, then merges into
		// nothing new.
		dead := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, Owner: "dead", Lease: time.Minute})
		again := hookPush(t, "HOOK1", tracking.StatusDelivered, start.Add(3*time.Hour))
		if err := dead.Push(ctx, "hook", header, again); err != nil {
			t.Fatal(err)
		}
		rs, err := jsonHook{}.ParseWebhook(header, again)
		if err != nil {
			t.Fatal(err)
		}
		if err := dead.Ingest(ctx, rs[0]); err != nil {
			t.Fatal(err)
		}
		if n, err := e.MergePushes(ctx); err != nil || n != 0 {
			t.Fatalf("merge while the dead process's lease holds: %d, %v; want 0", n, err)
		}
		clock.Advance(time.Minute)
		if n, err := e.MergePushes(ctx); err != nil || n != 1 {
			t.Fatalf("merge once the lease ran out: %d, %v; want 1", n, err)
		}
		if n, err := s.QueuedCarrierPushes(ctx); err != nil || n != 0 {
			t.Fatalf("kept pushes at the end: %d, %v", n, err)
		}
		if alerts := chatStatuses(t, s, chat); !slices.Equal(alerts, journey) {
			t.Errorf("after merging a push again: alerts %v, want still %v", alerts, journey)
		}
	})
}

// TestKeptPushKeepsWhatJSONLeavesOut: the store's encoding of a kept push
// keeps every field the merge reads, those an event's JSON leaves out (the
// number it was reported for, an approximate time) included.
func TestKeptPushKeepsWhatJSONLeavesOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
		eta := now.Add(48 * time.Hour)
		want := []*tracking.Result{{
			Number: "LX123456785CN", Carrier: "china-post", Provider: "17track", Status: tracking.StatusPreTransit,
			Substatus: tracking.SubOther, ETA: &eta, OriginCountry: "CN", DestinationCountry: "DE",
			Events: []tracking.Event{{Time: now.In(time.FixedZone("CST", 8*3600)), Status: tracking.StatusPreTransit,
				Description: "Departed", Location: tracking.Location{City: "Shenzhen", Country: "CN"}, Carrier: "china-post",
				Number: "LX123456785CN", Approximate: true}},
			NextLegs: []tracking.Leg{{Carrier: "dhl-de", Number: "00340434161094042557"}},
		}}
		if _, err := s.QueueCarrierPush(ctx, "17track", want, now, "", nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.TakeCarrierPushes(ctx, "w", now, now.Add(time.Minute), 10)
		if err != nil || len(got) != 1 {
			t.Fatalf("take: %d, %v", len(got), err)
		}
		if got[0].Provider != "17track" || !got[0].ReceivedAt.Equal(now) || len(got[0].Results) != 1 {
			t.Fatalf("kept push %+v", got[0])
		}
		r, w := got[0].Results[0], want[0]
		if r.Number != w.Number || r.Carrier != w.Carrier || r.Provider != w.Provider || r.Status != w.Status ||
			r.Substatus != w.Substatus || r.ETA == nil || !r.ETA.Equal(eta) || r.OriginCountry != "CN" ||
			r.DestinationCountry != "DE" || !slices.Equal(r.NextLegs, w.NextLegs) || len(r.Events) != 1 {
			t.Fatalf("kept result %+v, want %+v", r, w)
		}
		if ev := r.Events[0]; !ev.Time.Equal(w.Events[0].Time) || ev.Number != w.Events[0].Number || !ev.Approximate ||
			ev.Location != w.Events[0].Location || ev.Carrier != "china-post" || ev.Description != "Departed" {
			t.Errorf("kept event %+v, want %+v", ev, w.Events[0])
		}
	})
}

// TestKeptPushesThatCannotMergeAreGivenUp: a kept push that cannot be read
// back, or whose merge failed at every one of its takes, is given up
// (deleted, with an ERROR line) instead of holding up the pushes after it.
func TestKeptPushesThatCannotMergeAreGivenUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newHookWorld(t, s, "HOOK2", tracking.Options{})
		e, st, now := w.e, w.st, w.clock.Now()
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO carrier_pushes (provider, results, received_at) VALUES ('hook', $1, $2)`,
			[]byte("not the store's encoding"), now); err != nil {
			t.Fatal(err)
		}
		// The second push has been taken ten times, and failed each time.
		rs, err := jsonHook{}.ParseWebhook(http.Header{"Token": {hookToken}}, hookPush(t, "HOOK2", tracking.StatusPreTransit, now))
		if err != nil {
			t.Fatal(err)
		}
		id, err := s.QueueCarrierPush(ctx, "hook", rs, now, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().ExecContext(ctx, `UPDATE carrier_pushes SET taken = 10 WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if err := e.Push(ctx, "hook", http.Header{"Token": {hookToken}}, hookPush(t, "HOOK2", tracking.StatusTransit, now.Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
		if n, err := e.MergePushes(ctx); err != nil || n != 3 {
			t.Fatalf("merge: %d, %v; want 3 dealt with", n, err)
		}
		if n, err := s.QueuedCarrierPushes(ctx); err != nil || n != 0 {
			t.Fatalf("kept pushes after the merge: %d, %v", n, err)
		}
		got, err := s.Shipment(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tracking.StatusTransit || len(got.Known) != 1 {
			t.Errorf("after the merge: %s with %d events, want only the third push's news", got.Status, len(got.Known))
		}
	})
}

// TestKeptPushWaitsForARefreshUnderWay: a push for a shipment another
// worker is refreshing is not merged then (that refresh's lookup may
// predate the news), nor dropped: it stays kept, and is merged once the
// refresh is over and the push's lease has run out.
func TestKeptPushWaitsForARefreshUnderWay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newHookWorld(t, s, "HOOK3", tracking.Options{Owner: "pushes", Lease: time.Minute})
		clock, e, st, chat, now := w.clock, w.e, w.st, w.chat, w.clock.Now()
		if _, ok, err := s.ClaimShipment(ctx, st.ID, "refresher", now, 30*time.Second); err != nil || !ok {
			t.Fatalf("claim for a refresh: %v, %v", ok, err)
		}
		if err := e.Push(ctx, "hook", http.Header{"Token": {hookToken}}, hookPush(t, "HOOK3", tracking.StatusTransit, now.Add(-time.Hour))); err != nil {
			t.Fatal(err)
		}
		if n, err := e.MergePushes(ctx); err != nil || n != 0 {
			t.Fatalf("merge during the refresh: %d, %v; want 0 and no error", n, err)
		}
		if n, err := s.QueuedCarrierPushes(ctx); err != nil || n != 1 {
			t.Fatalf("kept during the refresh: %d, %v; want 1", n, err)
		}
		if got, _ := s.Shipment(ctx, st.ID); len(got.Known) != 0 {
			t.Fatalf("the push was merged into a shipment under refresh")
		}
		// The refresh ends (its lease runs out here), and so does the
		// push's lease.
		clock.Advance(time.Minute)
		if n, err := e.MergePushes(ctx); err != nil || n != 1 {
			t.Fatalf("merge after the refresh: %d, %v; want 1", n, err)
		}
		got, err := s.Shipment(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tracking.StatusTransit || len(got.Known) != 1 {
			t.Errorf("after the refresh: %s with %d events, want the push's news", got.Status, len(got.Known))
		}
		if alerts := chatStatuses(t, s, chat); !slices.Equal(alerts, []tracking.Status{tracking.StatusTransit}) {
			t.Errorf("alerts %v, want the push's one", alerts)
		}
	})
}
