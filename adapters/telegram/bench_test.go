package telegram

import (
	"context"
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
// accepted at and how many requests Telegram would have refused, and fails
// unless none was refused and the rate is at least 90% of thirty a second.
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
		sent    int
		tooMany int
		took    time.Duration
	)
	for b.Loop() {
		b.StopTimer()
		h, f := broadcastSetup(b, d, chats)
		b.StartTimer()
		k, refused, elapsed := broadcast(b, h, f, chats)
		sent += k
		tooMany += refused
		took += elapsed
	}
	rate := float64(sent) / took.Seconds()
	b.ReportMetric(rate, "msgs/s")
	b.ReportMetric(float64(tooMany), "429s")
	b.Logf("%d pushes in %v: %.2f msgs/s, %d refused with 429", sent, took.Round(time.Millisecond), rate, tooMany)
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
// has been accepted by the fake, and reports how many were, how many
// requests were refused with 429, and how long it took from the start to
// the last accepted message.
func broadcast(b *testing.B, h *harness, f *fakeAPI, chats int) (accepted, tooMany int, took time.Duration) {
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
		accepted, last, tooMany := f.sendStats()
		if accepted >= chats {
			pending, err := h.store.PendingPushes(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if pending == 0 {
				if accepted != chats {
					b.Fatalf("%d messages accepted, want one for each of %d chats", accepted, chats)
				}
				return accepted, tooMany, last.Sub(begin)
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("after %v, %d of %d pushes accepted, %d refused with 429", time.Since(begin).Round(time.Second), accepted, chats, tooMany)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
