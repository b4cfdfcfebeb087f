package telegram

import (
	"context"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// BenchmarkBroadcast pushes one status change of a shipment that 2,000
// private chats follow: the engine writes a push per chat into the
// outbox, and the notifier sends them through the adapter to a fake Bot
// API that enforces Telegram's send limits (thirty messages a second in
// all, one a second in a chat). It reports the rate the pushes were
// accepted at, how many requests Telegram would have refused, and the
// headroom: how much longer than a second the busiest thirty-one
// consecutive messages took (at zero or less the thirty-first is refused).
// It fails unless none was refused and the rate is at least 90% of thirty
// a second.
// One broadcast takes over a minute. It runs on SQLite, or on PostgreSQL
// when TEST_DATABASE_URL is set.
//
//	go test ./adapters/telegram -run '^$' -bench Broadcast -benchtime 1x
func BenchmarkBroadcast(b *testing.B) {
	d := store.SQLite
	if storetest.PostgresURL() != "" {
		d = store.Postgres
	}
	b.Run(string(d), func(b *testing.B) { benchmarkBroadcast(b, d) })
}

// minBroadcastRate is 90% of Telegram's thirty messages a second.
const minBroadcastRate = 0.9 * limitPerSecond

func benchmarkBroadcast(b *testing.B, d store.Dialect) {
	const chats = 2000
	var (
		sent     int
		tooMany  int
		took     time.Duration
		headroom = time.Hour
	)
	for b.Loop() {
		b.StopTimer()
		h, f := broadcastSetup(b, d, chats)
		b.StartTimer()
		accepted, refused, elapsed := broadcast(b, h, f, chats)
		sent += len(accepted)
		tooMany += refused
		took += elapsed
		headroom = min(headroom, tightestSecond(accepted)-time.Second)
	}
	rate := float64(sent) / took.Seconds()
	b.ReportMetric(rate, "msgs/s")
	b.ReportMetric(float64(tooMany), "429s")
	b.ReportMetric(float64(headroom)/float64(time.Millisecond), "headroom-ms")
	b.Logf("%d pushes in %v: %.2f msgs/s, %d refused with 429, %v headroom",
		sent, took.Round(time.Millisecond), rate, tooMany, headroom.Round(100*time.Microsecond))
	if tooMany > 0 {
		b.Fatalf("Telegram would have refused %d requests with 429 Too Many Requests", tooMany)
	}
	if rate < minBroadcastRate {
		b.Fatalf("%.2f msgs/s, want at least %.0f (90%% of Telegram's %d a second)", rate, minBroadcastRate, limitPerSecond)
	}
}

// broadcastSetup makes a fresh store where chats private chats follow one
// demo shipment, lets the shipment take a step so that one push per chat
// waits in the outbox, and starts a fake Bot API that enforces Telegram's
// limits.
func broadcastSetup(b *testing.B, d store.Dialect, chats int) (*harness, *fakeAPI) {
	b.Helper()
	ctx := context.Background()
	// The engine's clock stands in the past, so that the pushes it writes
	// are due by the wall clock the notifier and the adapter keep.
	h := newHarnessAt(b, storetest.Open(b, d), time.Now().Add(-time.Hour).Truncate(time.Second))
	for i := range chats {
		c, err := h.store.EnsureChat(ctx, "telegram", "", strconv.Itoa(1_000_001+i), "private", "buyer", h.clock.Now())
		if err != nil {
			b.Fatal(err)
		}
		_, err = h.engine.Track(ctx, tracking.TrackRequest{ChatID: c.ID, Number: "DEMO-LIVE-BROADCAST", Carrier: tracking.CarrierDemo, Label: "Lamp"})
		if err != nil {
			b.Fatal(err)
		}
	}
	h.clock.Advance(time.Minute)
	if n, err := h.engine.RunOnce(ctx); err != nil || n != 1 {
		b.Fatalf("refresh: %d shipments, %v; want the one", n, err)
	}
	if n, err := h.store.PendingPushes(ctx); err != nil || n != chats {
		b.Fatalf("%d pushes pending (%v), want one for each of %d chats", n, err, chats)
	}
	f := newFakeAPI(b)
	f.enforceLimits()
	return h, f
}

// broadcast runs the notifier and a wall-clock adapter until every push
// has been accepted by the fake, and reports when each was accepted, how
// many requests were refused with 429, and how long it took from the
// start to the last accepted message.
func broadcast(b *testing.B, h *harness, f *fakeAPI, chats int) (accepted []time.Time, tooMany int, took time.Duration) {
	b.Helper()
	a, err := New(Config{Token: testToken, APIURL: f.srv.URL, Store: h.store, Catalog: h.cat, HTTPClient: f.srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	n := bot.NewNotifier(h.store, h.cat, tracking.SystemClock{}, a)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	begin := time.Now()
	go func() { done <- n.Run(ctx, 200*time.Millisecond) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("notifier: %v", err)
		}
	}()

	deadline := begin.Add(10 * time.Minute)
	for {
		accepted, tooMany := f.sendStats()
		if len(accepted) >= chats {
			pending, err := h.store.PendingPushes(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if pending == 0 {
				if len(accepted) != chats {
					b.Fatalf("%d messages accepted, want one for each of %d chats", len(accepted), chats)
				}
				return accepted, tooMany, accepted[len(accepted)-1].Sub(begin)
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("after %v, %d of %d pushes accepted, %d refused with 429",
				time.Since(begin).Round(time.Second), len(accepted), chats, tooMany)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tightestSecond is the shortest time that any limitPerSecond+1
// consecutive accepted messages took; Telegram refuses the last of them
// unless it is over a second.
func tightestSecond(accepted []time.Time) time.Duration {
	tightest := time.Duration(math.MaxInt64)
	for i := limitPerSecond; i < len(accepted); i++ {
		tightest = min(tightest, accepted[i].Sub(accepted[i-limitPerSecond]))
	}
	return tightest
}
