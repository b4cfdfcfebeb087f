package tracking_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// manyWorld is a database where a chat follows one parcel and another chat
// follows a parcel waiting at a pickup point and one stopped for silence.
func manyWorld(t *testing.T, s *store.Store) (e *tracking.Engine, chatID int64) {
	t.Helper()
	ctx := context.Background()
	clock := tracking.NewFakeClock(t0.Add(72 * time.Hour))
	fake := trackingtest.NewProvider("fake")
	for _, n := range []string{"1ZMANYPICKUP0001", "1ZMANYSILENT0001"} {
		fake.Set(n, script(n, ev(0, tracking.SubPickupAvailable, "Ready for collection", "Louisville")))
	}
	e = fakeEngine(s, clock, fake, tracking.Options{Owner: "w"})
	chatID, other := newChat(t, s, "bulk"), newChat(t, s, "other")
	for _, n := range []string{"1ZMANYPICKUP0001", "1ZMANYSILENT0001"} {
		if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: other, Number: n, Carrier: "ups"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DB().Exec(`UPDATE shipments SET next_check_at = NULL, stopped_reason = 'silent' WHERE number = '1ZMANYSILENT0001'`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: chatID, Number: "1ZMANYFOLLOW0001", Carrier: "ups",
		Label: "old", Deferred: true}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	return e, chatID
}

// manyRequests has a parcel followed already, parcels other chats follow,
// new ones, repeats, refusals, and two past the limit of six.
func manyRequests(chatID int64) []tracking.TrackRequest {
	r := func(number, label, order, country string) tracking.TrackRequest {
		return tracking.TrackRequest{ChatID: chatID, Number: number, Carrier: "ups", Label: label, OrderRef: order,
			DestinationCountry: country, Limit: 6, Deferred: true}
	}
	noProvider := r("JD0000000000000001", "", "", "")
	noProvider.Carrier = "nobody"
	return []tracking.TrackRequest{
		r("1ZMANYPICKUP0001", "pickup", "", ""),
		r("1ZMANYSILENT0001", "", "ORD-S", "fr"),
		r("1ZMANYFOLLOW0001", "", "ORD-F", "DE"),
		r("1ZMANYNEW0000001", "", "", "de"),
		noProvider,
		r("1ZMANYNEW0000002", "two", "ORD-2", "ZZ"),
		r("1ZMANYNEW0000001", "again", "", "IT"),
		r("1ZMANYBADLABEL01", "bad\x00label", "", ""),
		r("1ZMANYNEW0000003", "", "", ""),
		r("1ZMANYOVER000001", "over", "", "US"),
		r("1ZMANYFOLLOW0001", "followed", "", ""),
		r("1ZMANYOVER000002", "", "", ""),
	}
}

// outcome names what became of one request.
func outcome(res *tracking.Tracked, err error) string {
	switch {
	case errors.Is(err, tracking.ErrTooManyShipments):
		return "over limit"
	case errors.Is(err, tracking.ErrNoProvider):
		return "no provider"
	case errors.Is(err, tracking.ErrUnstorableText):
		return "unstorable"
	case err != nil:
		return "error: " + err.Error()
	case res.New:
		return "new"
	}
	return "already"
}

// dump lists, without ids, every row tracking many parcels may write.
func dump(t *testing.T, s *store.Store) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT 'shipment', carrier, number, status, substatus, next_check_at, last_checked_at, stopped_reason,
			destination_country, check_failures, created_at FROM shipments ORDER BY carrier, number`,
		`SELECT 'subscription', c.external_id, sh.number, s.label, s.order_ref, s.marketplace, s.muted,
			s.last_pushed_event_at, s.created_at FROM subscriptions s JOIN shipments sh ON sh.id = s.shipment_id
			JOIN chats c ON c.id = s.chat_id ORDER BY c.external_id, sh.number`,
		`SELECT 'guidance', c.external_id, sh.number, g.rule, g.active, g.fired_at, g.cleared_at, g.arms FROM guidance_state g
			JOIN subscriptions s ON s.id = g.subscription_id JOIN shipments sh ON sh.id = s.shipment_id
			JOIN chats c ON c.id = s.chat_id ORDER BY c.external_id, sh.number, g.rule`,
		`SELECT 'outbox', c.external_id, o.kind, o.dedupe_key, o.state FROM outbox o JOIN chats c ON c.id = o.chat_id
			ORDER BY o.dedupe_key`,
	} {
		rows, err := s.DB().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			cells := make([]string, len(vals))
			for i, v := range vals {
				switch v := v.(type) {
				case time.Time:
					cells[i] = v.UTC().Format(time.RFC3339Nano)
				case []byte:
					cells[i] = string(v)
				default:
					cells[i] = fmt.Sprint(v)
				}
			}
			out = append(out, strings.Join(cells, " | "))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestTrackManyWritesWhatTrackWrites tracks the same requests once with
// Track, one after another, and once with TrackMany, each in its own
// database: every request has the same outcome and the databases end with
// the same rows (labels and orders, the destinations given, the silent
// shipment resumed, the pickup advice seeded without a push, the limit).
func TestTrackManyWritesWhatTrackWrites(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			one, many := storetest.Open(t, d), storetest.Open(t, d)
			e1, chat1 := manyWorld(t, one)
			e2, chat2 := manyWorld(t, many)

			var want []string
			for _, r := range manyRequests(chat1) {
				res, err := e1.Track(ctx, r)
				want = append(want, r.Number+": "+outcome(res, err))
			}
			results, err := e2.TrackMany(ctx, chat2, manyRequests(chat2))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, r := range manyRequests(chat2) {
				got = append(got, r.Number+": "+outcome(results[i].Tracked, results[i].Err))
			}
			if !slices.Equal(got, want) {
				t.Errorf("outcomes:\n got %q\nwant %q", got, want)
			}
			for _, o := range []string{"new", "already", "over limit", "no provider", "unstorable"} {
				if !slices.ContainsFunc(want, func(s string) bool { return strings.HasSuffix(s, ": "+o) }) {
					t.Errorf("the requests have no %q outcome: %q", o, want)
				}
			}
			rows1, rows2 := dump(t, one), dump(t, many)
			if !slices.Equal(rows1, rows2) {
				t.Errorf("rows differ:\nTrack:\n%s\nTrackMany:\n%s", strings.Join(rows1, "\n"), strings.Join(rows2, "\n"))
			}
			if !slices.ContainsFunc(rows2, func(s string) bool { return strings.HasPrefix(s, "guidance | bulk | 1ZMANYPICKUP0001") }) {
				t.Errorf("no guidance seeded for the bulk chat's pickup parcel:\n%s", strings.Join(rows2, "\n"))
			}
		})
	}
}

// TestTrackManyStatementsDoNotGrow tracks 10 and then 500 new parcels, with
// labels, orders and destinations, in chats that follow some of them
// already: both take the same number of statements, give or take two.
func TestTrackManyStatementsDoNotGrow(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s, statements := storetest.OpenCounting(t, d)
			clock := tracking.NewFakeClock(t0)
			e := fakeEngine(s, clock, trackingtest.NewProvider("fake"), tracking.Options{Owner: "w"})
			count := func(n int) int64 {
				chatID := newChat(t, s, fmt.Sprintf("count-%d", n))
				var reqs []tracking.TrackRequest
				for i := range n {
					reqs = append(reqs, tracking.TrackRequest{ChatID: chatID, Number: fmt.Sprintf("1ZCOUNT%04d%05d", n, i),
						Carrier: "ups", Label: fmt.Sprintf("parcel %d", i), OrderRef: fmt.Sprintf("#%d", i),
						DestinationCountry: "DE", Limit: n, Deferred: true})
				}
				// A tenth followed already, with its label changed now.
				if _, err := e.TrackMany(ctx, chatID, reqs[:n/10]); err != nil {
					t.Fatal(err)
				}
				for i := range n / 10 {
					reqs[i].Label = "renamed"
				}
				statements.Store(0)
				results, err := e.TrackMany(ctx, chatID, reqs)
				if err != nil {
					t.Fatal(err)
				}
				for i, r := range results {
					if r.Err != nil || r.Tracked.New != (i >= n/10) {
						t.Fatalf("request %d of %d: %+v", i, n, r)
					}
				}
				return statements.Load()
			}
			few, many := count(10), count(500)
			t.Logf("%s: 10 parcels %d statements, 500 parcels %d", d, few, many)
			if many > few+2 {
				t.Errorf("500 parcels took %d statements, 10 took %d", many, few)
			}
		})
	}
}

// TestTrackManyFailureWritesNothing makes the transaction fail before it
// commits: no shipment, subscription or guidance is left.
func TestTrackManyFailureWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(t0)
		boom := errors.New("boom")
		e := fakeEngine(s, clock, trackingtest.NewProvider("fake"), tracking.Options{Owner: "w",
			BeforeCommit: func() error { return boom }})
		chatID := newChat(t, s, "failing")
		before := dump(t, s)
		_, err := e.TrackMany(ctx, chatID, []tracking.TrackRequest{
			{ChatID: chatID, Number: "1ZFAIL0000000001", Carrier: "ups", Label: "a", DestinationCountry: "DE", Deferred: true},
			{ChatID: chatID, Number: "1ZFAIL0000000002", Carrier: "ups", Deferred: true},
		})
		if !errors.Is(err, boom) {
			t.Fatalf("TrackMany: %v, want %v", err, boom)
		}
		if after := dump(t, s); !slices.Equal(after, before) {
			t.Errorf("a failed TrackMany wrote:\n%s", strings.Join(after, "\n"))
		}
	})
}

// TestTrackOrdersTellsWithItsSubscriptions: a shop's delivery is told in
// the transaction of its subscriptions: a failure before the commit
// leaves neither; the delivery written then is one "orders" row naming
// the parcels the chat did not follow (not the one it did); written
// again, under the same name, nothing more; under another name, with
// nothing new, nothing either.
func TestTrackOrdersTellsWithItsSubscriptions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(t0)
		boom := errors.New("boom")
		fake := trackingtest.NewProvider("fake")
		faulty := fakeEngine(s, clock, fake, tracking.Options{Owner: "f", BeforeCommit: func() error { return boom }})
		e := fakeEngine(s, clock, fake, tracking.Options{Owner: "w"})
		chatID := newChat(t, s, "shop")
		if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: chatID, Number: "1ZORDER000000000", Carrier: "ups", Deferred: true}); err != nil {
			t.Fatal(err)
		}
		reqs := []tracking.TrackRequest{
			{ChatID: chatID, Number: "1ZORDER000000001", Carrier: "ups", OrderRef: "#1001", DestinationCountry: "de", Deferred: true},
			{ChatID: chatID, Number: "1ZORDER000000000", Carrier: "ups", OrderRef: "#1001", Deferred: true},
			{ChatID: chatID, Number: "1ZORDER000000002", Carrier: "ups", OrderRef: "#1002", Deferred: true},
		}
		before := dump(t, s)
		if _, err := faulty.TrackOrders(ctx, chatID, "delivery-1", reqs); !errors.Is(err, boom) {
			t.Fatalf("TrackOrders: %v, want %v", err, boom)
		}
		if after := dump(t, s); !slices.Equal(after, before) {
			t.Errorf("a failed TrackOrders wrote:\n%s", strings.Join(after, "\n"))
		}
		rows := func() []string {
			t.Helper()
			var out []string
			r, err := s.DB().Query(`SELECT dedupe_key, payload FROM outbox WHERE kind = 'orders' ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for r.Next() {
				var key, payload string
				if err := r.Scan(&key, &payload); err != nil {
					t.Fatal(err)
				}
				out = append(out, key+" "+payload)
			}
			return out
		}
		want := []string{`orders:delivery-1 {"parcels":2,"orders":2,"first":[` +
			`{"order":"#1001","number":"1ZORDER000000001","carrier":"ups","country":"DE"},` +
			`{"order":"#1002","number":"1ZORDER000000002","carrier":"ups"}]}`}
		for _, delivery := range []string{"delivery-1", "delivery-1", "delivery-2"} {
			if _, err := e.TrackOrders(ctx, chatID, delivery, reqs); err != nil {
				t.Fatal(err)
			}
			if got := rows(); !slices.Equal(got, want) {
				t.Fatalf("after %s: %q\nwant %q", delivery, got, want)
			}
		}
	})
}

// TestConcurrentTrackManyShareShipments: two chats import the same 200
// numbers at once, in opposite orders: both succeed (no deadlock), and
// each number is one shipment both chats follow.
func TestConcurrentTrackManyShareShipments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := fakeEngine(s, tracking.NewFakeClock(t0), trackingtest.NewProvider("fake"), tracking.Options{Owner: "w"})
		chats := []int64{newChat(t, s, "left"), newChat(t, s, "right")}
		errs := make(chan error, len(chats))
		for i, chatID := range chats {
			var reqs []tracking.TrackRequest
			for j := range 200 {
				if i == 1 {
					j = 199 - j
				}
				reqs = append(reqs, tracking.TrackRequest{ChatID: chatID, Number: fmt.Sprintf("1ZSHARED%08d", j), Carrier: "ups", Deferred: true})
			}
			go func() {
				results, err := e.TrackMany(ctx, chatID, reqs)
				for _, r := range results {
					if err == nil && (r.Err != nil || !r.Tracked.New) {
						err = fmt.Errorf("%+v", r)
					}
				}
				errs <- err
			}()
		}
		for range chats {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		var shipments, subs int
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM shipments`).Scan(&shipments); err != nil {
			t.Fatal(err)
		}
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM subscriptions`).Scan(&subs); err != nil {
			t.Fatal(err)
		}
		if shipments != 200 || subs != 400 {
			t.Errorf("%d shipments and %d subscriptions, want 200 and 400", shipments, subs)
		}
	})
}
