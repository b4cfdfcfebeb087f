package tracking_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func newChat(t *testing.T, s *store.Store, id string) int64 {
	t.Helper()
	c, err := s.EnsureChat(context.Background(), "console", "", id, "private", "buyer", t0)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

type outboxRow struct {
	ChatID    int64  `db:"chat_id"`
	Kind      string `db:"kind"`
	Payload   string `db:"payload"`
	DedupeKey string `db:"dedupe_key"`
}

func outbox(t *testing.T, s *store.Store) []outboxRow {
	t.Helper()
	rows, err := s.DB().Query(`SELECT chat_id, kind, payload, dedupe_key FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.ChatID, &r.Kind, &r.Payload, &r.DedupeKey); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestLiveDemoReachesDeliveredThroughASecondLeg(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(t0)
		reg := tracking.NewRegistry(clock)
		reg.AddCarrier(demo.New(time.Second, clock), tracking.CarrierDemo)
		e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, DemoStep: time.Second, MinInterval: time.Minute})

		watcher := newChat(t, s, "watcher")
		tracked, err := e.Track(ctx, tracking.TrackRequest{ChatID: newChat(t, s, "first"), Number: "DEMO-LIVE-DE", Carrier: tracking.CarrierDemo})
		if err != nil || tracked.LookupErr != nil {
			t.Fatalf("track: %v / %v", err, tracked.LookupErr)
		}
		if got := tracked.Shipment.Substatus; got != tracking.SubPackageAccepted {
			t.Fatalf("first lookup: %s, want package_accepted", got)
		}
		// A second chat tracks the same number: it shares the shipment.
		second, err := e.Track(ctx, tracking.TrackRequest{ChatID: watcher, Number: "DEMO-LIVE-DE", Carrier: tracking.CarrierDemo})
		if err != nil || second.Shipment.ID != tracked.Shipment.ID {
			t.Fatalf("second chat: %v, shipment %d vs %d", err, second.Shipment.ID, tracked.Shipment.ID)
		}

		var st *tracking.ShipmentState
		for round := 0; round < 20; round++ {
			clock.Advance(time.Second)
			if _, err := e.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			st, err = s.Shipment(ctx, tracked.Shipment.ID)
			if err != nil {
				t.Fatal(err)
			}
			if st.Status == tracking.StatusDelivered {
				break
			}
		}
		if st.Status != tracking.StatusDelivered {
			t.Fatalf("after 20 rounds: %s/%s, want DELIVERED", st.Status, st.Substatus)
		}
		wantLeg := demo.LocalNumber("DEMO-LIVE-DE", "DE")
		if len(st.Legs) != 1 || st.Legs[0].Number != wantLeg {
			t.Errorf("legs %+v, want the local number %s", st.Legs, wantLeg)
		}
		if st.DestinationCountry != "DE" || st.OriginCountry != "CN" {
			t.Errorf("countries %s → %s", st.OriginCountry, st.DestinationCountry)
		}

		want := []tracking.Substatus{tracking.SubPackageDeparted, tracking.SubPackageArrived, tracking.SubCustomsProcessing,
			tracking.SubCarrierHandover, tracking.SubOutForDelivery, tracking.SubDelivered}
		for _, chat := range []int64{tracked.SubscriptionID, second.SubscriptionID} {
			_ = chat
		}
		rows := outbox(t, s)
		perChat := map[int64][]tracking.Substatus{}
		guidance := map[int64][]string{}
		keys := map[string]bool{}
		advised := func(chat int64, g tracking.GuidanceNotice) {
			guidance[chat] = append(guidance[chat], g.Rule)
			if g.Rule == tracking.RuleDestinationPost {
				link := g.Data.Link
				if g.Data.NewNumber != wantLeg || !strings.Contains(link, wantLeg) || !strings.Contains(link, "dhl.de") {
					t.Errorf("handover guidance names %v with link %q, want %s on the Deutsche Post page", g.Data.NewNumber, link, wantLeg)
				}
			}
		}
		for _, r := range rows {
			if keys[r.DedupeKey] {
				t.Errorf("duplicate outbox key %s", r.DedupeKey)
			}
			keys[r.DedupeKey] = true
			if r.Kind == tracking.NoticeGuidance {
				var g tracking.GuidanceNotice
				if err := json.Unmarshal([]byte(r.Payload), &g); err != nil {
					t.Fatal(err)
				}
				advised(r.ChatID, g)
				continue
			}
			var n tracking.StatusNotice
			if err := json.Unmarshal([]byte(r.Payload), &n); err != nil {
				t.Fatal(err)
			}
			// The advice of the change rides in its alert.
			for _, g := range n.Advice {
				advised(r.ChatID, g)
			}
			perChat[r.ChatID] = append(perChat[r.ChatID], n.Substatus)
			if n.Substatus == tracking.SubCarrierHandover && (len(n.NewLegs) != 1 || n.NewLegs[0].Number != wantLeg) {
				t.Errorf("handover notice names legs %+v, want %s", n.NewLegs, wantLeg)
			}
		}
		if len(perChat) != 2 {
			t.Fatalf("outbox rows for %d chats, want 2: %+v", len(perChat), rows)
		}
		for chat, got := range perChat {
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("chat %d was told %v, want one row per change %v", chat, got, want)
			}
			if g := fmt.Sprint(guidance[chat]); g != "[destination_post delivered]" {
				t.Errorf("chat %d got guidance %s, want the destination post once, then delivered once", chat, g)
			}
		}

		// Polling stops after the final check confirms the delivery.
		for range 3 {
			clock.Advance(time.Second)
			if _, err := e.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		st, _ = s.Shipment(ctx, tracked.Shipment.ID)
		if st.NextCheckAt != nil || st.StoppedReason != tracking.StopFinal {
			t.Errorf("after delivery: next check %v, stopped %q", st.NextCheckAt, st.StoppedReason)
		}
		if n := len(outbox(t, s)); n != len(rows) {
			t.Errorf("final checks wrote %d more outbox rows", n-len(rows))
		}
	})
}

// script returns a result with events at the given hours after t0.
func script(number string, events ...tracking.Event) tracking.Result {
	return tracking.Result{Number: number, Carrier: "ups", Events: events}
}

func ev(hours int, sub tracking.Substatus, text, city string) tracking.Event {
	return tracking.Event{Time: t0.Add(time.Duration(hours) * time.Hour), Substatus: sub, Description: text,
		Location: tracking.Location{City: city, Country: "US"}}
}

func fakeEngine(s *store.Store, clock *tracking.FakeClock, p tracking.Provider, opts tracking.Options) *tracking.Engine {
	reg := tracking.NewRegistry(clock)
	reg.AddCarrier(p, "ups")
	opts.Clock = clock
	if opts.MinInterval == 0 {
		opts.MinInterval = time.Minute
	}
	return tracking.NewEngine(s, reg, opts)
}

func TestSharedShipmentCostsOneCallAndRepeatsWriteNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(t0.Add(48 * time.Hour))
		fake := trackingtest.NewProvider("fake")
		const number = "1Z999AA10123456784"
		accepted := ev(0, tracking.SubPackageAccepted, "Picked up", "Louisville")
		fake.Set(number, script(number, accepted))
		e := fakeEngine(s, clock, fake, tracking.Options{})

		for i := range 100 {
			if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: newChat(t, s, fmt.Sprint("chat", i)), Number: number, Carrier: "ups"}); err != nil {
				t.Fatal(err)
			}
		}
		if got := fake.Calls(number); got != 1 {
			t.Fatalf("100 chats tracking one number made %d calls, want 1", got)
		}
		if n := len(outbox(t, s)); n != 0 {
			t.Fatalf("tracking wrote %d outbox rows; a chat that starts tracking is answered, not pushed", n)
		}

		round := func() {
			t.Helper()
			clock.Advance(24 * time.Hour)
			calls := fake.Calls(number)
			if _, err := e.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			if got := fake.Calls(number) - calls; got != 1 {
				t.Fatalf("one refresh made %d provider calls, want 1", got)
			}
		}
		departed := ev(10, tracking.SubPackageDeparted, "Departed facility", "Louisville")
		fake.Set(number, script(number, accepted, departed))
		round()
		if n := len(outbox(t, s)); n != 100 {
			t.Fatalf("a new event wrote %d outbox rows, want one per chat (100)", n)
		}

		// The same events again.
		round()
		// The same events with edited descriptions.
		edited := departed
		edited.Description = "DEPARTED FROM FACILITY (updated text)"
		fake.Set(number, script(number, accepted, edited))
		round()
		// An event older than the last one pushed.
		older := ev(5, tracking.SubPackageProcessed, "Processed", "Louisville")
		fake.Set(number, script(number, accepted, older, edited))
		round()
		if n := len(outbox(t, s)); n != 100 {
			t.Fatalf("repeated, edited and older events wrote %d more outbox rows", n-100)
		}
		st, _ := s.Shipment(ctx, 1)
		if st.Substatus != tracking.SubPackageDeparted || len(st.Known) != 3 {
			t.Errorf("state %s with %d events; the older event is kept in the timeline but does not change the status", st.Substatus, len(st.Known))
		}
	})
}

// TestTwoEnginesRefreshEachShipmentOncePerRound races two engines over the
// same due shipments. Ten batches of ten are enough for the two to claim
// side by side; what counts is that every shipment is looked up exactly
// once per round and that the two refresh all of them between them.
func TestTwoEnginesRefreshEachShipmentOncePerRound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(t0)
		fake := trackingtest.NewProvider("fake")
		const n = 100
		numbers := make([]string, n)
		for i := range numbers {
			numbers[i] = fmt.Sprintf("1ZTEST%012d", i)
			fake.Set(numbers[i], script(numbers[i], ev(0, tracking.SubPackageAccepted, "Picked up", "Louisville")))
			if _, _, err := s.EnsureShipment(ctx, "ups", numbers[i], t0); err != nil {
				t.Fatal(err)
			}
		}
		engines := []*tracking.Engine{
			fakeEngine(s, clock, fake, tracking.Options{Owner: "a", BatchSize: 10}),
			fakeEngine(s, clock, fake, tracking.Options{Owner: "b", BatchSize: 10}),
		}
		for round := 1; round <= 2; round++ {
			var wg sync.WaitGroup
			counts := make([]int, len(engines))
			for i, e := range engines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var err error
					counts[i], err = e.RunOnce(ctx)
					if err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			for _, num := range numbers {
				if got := fake.Calls(num); got != round {
					t.Fatalf("round %d: %s looked up %d times in all, want %d", round, num, got, round)
				}
			}
			if counts[0]+counts[1] != n {
				t.Errorf("round %d: engines refreshed %d + %d shipments, want %d", round, counts[0], counts[1], n)
			}
			t.Logf("round %d: engine a %d, engine b %d", round, counts[0], counts[1])
			clock.Advance(24 * time.Hour)
		}
	})
}

func TestFaultBeforeCommitLosesAndDoublesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(t0.Add(time.Hour))
		fake := trackingtest.NewProvider("fake")
		const number = "1Z999AA10123456784"
		fake.Set(number, script(number, ev(0, tracking.SubPackageAccepted, "Picked up", "Louisville")))
		healthy := fakeEngine(s, clock, fake, tracking.Options{Owner: "healthy"})
		for _, chat := range []string{"a", "b"} {
			if _, err := healthy.Track(ctx, tracking.TrackRequest{ChatID: newChat(t, s, chat), Number: number, Carrier: "ups"}); err != nil {
				t.Fatal(err)
			}
		}

		crash := errors.New("power cut")
		faulty := fakeEngine(s, clock, fake, tracking.Options{Owner: "faulty", BeforeCommit: func() error { return crash }})
		fake.Set(number, script(number, ev(0, tracking.SubPackageAccepted, "Picked up", "Louisville"),
			ev(30, tracking.SubOutForDelivery, "Out for delivery", "Denver")))
		clock.Advance(24 * time.Hour)
		if _, err := faulty.RunOnce(ctx); !errors.Is(err, crash) {
			t.Fatalf("faulty round: %v, want the injected fault", err)
		}
		if n := len(outbox(t, s)); n != 0 {
			t.Fatalf("a failed transaction left %d outbox rows", n)
		}

		// A restart: a new engine takes over once the dead one's lease runs out.
		restarted := fakeEngine(s, clock, fake, tracking.Options{Owner: "restarted"})
		if n, _ := restarted.RunOnce(ctx); n != 0 {
			t.Fatalf("the dead engine's lease was ignored: %d refreshed", n)
		}
		clock.Advance(3 * time.Minute)
		for range 3 {
			if _, err := restarted.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			clock.Advance(2 * time.Hour)
		}
		rows := outbox(t, s)
		if len(rows) != 2 {
			t.Fatalf("after the restart: %d outbox rows, want exactly one per chat (2)", len(rows))
		}
		st, _ := s.Shipment(ctx, 1)
		if st.Substatus != tracking.SubOutForDelivery || len(st.Known) != 2 {
			t.Errorf("after the restart: %s with %d events", st.Substatus, len(st.Known))
		}
	})
}

func TestSilentShipmentStopsAndTellsItsChats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(t0.Add(50 * 24 * time.Hour))
		fake := trackingtest.NewProvider("fake")
		const number = "1Z999AA10123456784"
		fake.Set(number, script(number, ev(0, tracking.SubPackageDeparted, "Departed facility", "Louisville")))
		e := fakeEngine(s, clock, fake, tracking.Options{})
		if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: newChat(t, s, "a"), Number: number, Carrier: "ups"}); err != nil {
			t.Fatal(err)
		}
		for range 30 {
			clock.Advance(12 * time.Hour)
			if _, err := e.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		st, _ := s.Shipment(ctx, 1)
		if st.NextCheckAt != nil || st.StoppedReason != tracking.StopSilent {
			t.Fatalf("after 65 silent days: next %v, stopped %q", st.NextCheckAt, st.StoppedReason)
		}
		rows := outbox(t, s)
		if len(rows) != 1 || rows[0].Kind != tracking.NoticeStopped {
			t.Fatalf("outbox %+v, want one stopped notice", rows)
		}
		var n tracking.StoppedNotice
		json.Unmarshal([]byte(rows[0].Payload), &n)
		if n.SilentDays < 60 {
			t.Errorf("notice says %d silent days", n.SilentDays)
		}
		calls := fake.Calls(number)
		clock.Advance(10 * 24 * time.Hour)
		e.RunOnce(ctx)
		if fake.Calls(number) != calls {
			t.Errorf("a stopped shipment was polled again")
		}
	})
}

func TestSchedulerBatchesWhereTheProviderCan(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	clock := tracking.NewFakeClock(t0.Add(48 * time.Hour))
	batch := trackingtest.NewBatchProvider("batchy")
	single := trackingtest.NewProvider("single")
	reg := tracking.NewRegistry(clock)
	reg.AddCarrier(batch, tracking.CarrierYunExpress)
	reg.AddFallback(single)
	e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, MinInterval: time.Minute, BatchSize: 100})

	const n = 120
	for i := range n {
		number := fmt.Sprintf("YT%016d", i)
		r := script(number, ev(0, tracking.SubPackageAccepted, "Accepted", "Shenzhen"))
		if i == 0 {
			single.Set(number, r) // only the fallback knows this one
		} else {
			batch.Set(number, r)
		}
		if _, _, err := s.EnsureShipment(ctx, tracking.CarrierYunExpress, number, t0); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := e.RunOnce(ctx); err != nil || got != n {
		t.Fatalf("round: %d, %v", got, err)
	}
	if b := batch.Batches(); fmt.Sprint(b) != "[100 20]" {
		t.Errorf("batch calls %v, want [100 20]", b)
	}
	// Every number is asked once, in a batch; the one the batch did not
	// know is asked once more alone, then of the fallback.
	for num, c := range batch.AllCalls() {
		want := 1
		if num == fmt.Sprintf("YT%016d", 0) {
			want = 2
		}
		if c != want {
			t.Errorf("%s asked %d times, want %d", num, c, want)
		}
	}
	if got := single.Calls(fmt.Sprintf("YT%016d", 0)); got != 1 {
		t.Errorf("fallback asked %d times for the number the batch did not know", got)
	}
	st, _ := s.Shipment(ctx, 1)
	if st.Substatus != tracking.SubPackageAccepted {
		t.Errorf("fallback result not merged: %s", st.Substatus)
	}
}
