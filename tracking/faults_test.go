package tracking_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/dhl"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// logRecords collects the log records written while a test runs.
type logRecords struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (l *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r.Clone())
	return nil
}
func (l *logRecords) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecords) WithGroup(string) slog.Handler      { return l }

// matching returns the records with message msg, each as its attributes.
func (l *logRecords) matching(msg string) []map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]string
	for _, r := range l.recs {
		if r.Message != msg {
			continue
		}
		attrs := map[string]string{"level": r.Level.String()}
		r.Attrs(func(a slog.Attr) bool {
			attrs[a.Key] = a.Value.String()
			return true
		})
		out = append(out, attrs)
	}
	return out
}

// captureLogs sends the default logger to a collector until the test ends.
func captureLogs(t *testing.T) *logRecords {
	l := &logRecords{}
	prev := slog.Default()
	slog.SetDefault(slog.New(l))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return l
}

// counterValue reads one series of a counter from reg; 0 when absent.
func counterValue(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// TestProviderFaultsKeepStateAndFallBack runs the DHL provider against a
// fake API that turns faulty after the parcel is tracked. Whatever the
// fault, a scheduling round neither fails nor loses what is stored; it
// logs one line naming the provider, counts the outcome, and asks the next
// provider where one is configured.
func TestProviderFaultsKeepStateAndFallBack(t *testing.T) {
	express, err := os.ReadFile("providers/dhl/testdata/shipment_express.json")
	if err != nil {
		t.Fatal(err)
	}
	const number = "3344556677"
	faults := []struct {
		name    string
		serve   http.HandlerFunc
		outcome string // trackbot_provider_requests_total's outcome for dhl
		warned  bool   // a failure (warning), not a number the provider lacks
	}{
		{"429 with Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		}, "rate_limited", true},
		{"500", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "internal error", http.StatusInternalServerError)
		}, "unavailable", true},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // answers after the client gave up
		}, "unavailable", true},
		{"malformed JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"shipments": [{"id": "3344556677", "events": [`))
		}, "error", true},
		{"answer cut off mid-body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "4096")
			w.Write([]byte(`{"shipments": [{"id": "3344556677", "events": [`))
			w.(http.Flusher).Flush()
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		}, "unavailable", true},
		{"HTML instead of JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<html><body>502 Bad Gateway</body></html>`))
		}, "error", true},
		{"empty event list", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"shipments": [{"id": "3344556677", "service": "express", "events": []}]}`))
		}, "unknown", false},
	}
	for _, fault := range faults {
		for _, withFallback := range []bool{false, true} {
			name := fault.name
			if withFallback {
				name += ", with a fallback"
			}
			t.Run(name, func(t *testing.T) {
				storetest.Each(t, func(t *testing.T, s *store.Store) {
					ctx := context.Background()
					clock := tracking.NewFakeClock(time.Date(2024, 6, 14, 16, 0, 0, 0, time.UTC))
					var faulty atomic.Bool
					var asked atomic.Int32
					srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						asked.Add(1)
						if faulty.Load() {
							fault.serve(w, r)
							return
						}
						w.Header().Set("Content-Type", "application/json")
						w.Write(express)
					}))
					defer srv.Close()

					promReg := prometheus.NewRegistry()
					metrics := tracking.NewMetrics(promReg)
					reg := tracking.NewRegistry(clock)
					reg.SetMetrics(metrics)
					reg.AddCarrier(dhl.New(dhl.Config{APIKey: "k", BaseURL: srv.URL, Now: clock.Now,
						HTTPClient: &http.Client{Timeout: 300 * time.Millisecond}}), "dhl-express")
					reg.SetBudget("dhl", 0, 0)
					backup := trackingtest.NewProvider("backup")
					if withFallback {
						delivered := tracking.Event{Time: time.Date(2024, 6, 14, 15, 30, 0, 0, time.UTC), Substatus: tracking.SubDelivered,
							Description: "Delivered", Location: tracking.Location{City: "Queens", Country: "US"}}
						backup.Set(number, tracking.Result{Number: number, Carrier: "dhl-express", Events: []tracking.Event{delivered}})
						reg.AddFallback(backup)
					}
					e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, MinInterval: time.Minute, Metrics: metrics})

					if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: newChat(t, s, "c1"), Number: number, Carrier: "dhl-express"}); err != nil {
						t.Fatal(err)
					}
					before, err := s.Shipment(ctx, 1)
					if err != nil || len(before.Known) != 6 || before.Substatus != tracking.SubOutForDelivery {
						t.Fatalf("tracked %+v, %v; want DHL's six events, out for delivery", before, err)
					}

					logs := captureLogs(t)
					faulty.Store(true)
					asked.Store(0)
					clock.Advance(time.Hour)
					if _, err := e.RunOnce(ctx); err != nil {
						t.Fatalf("a provider fault failed the round: %v", err)
					}
					if n := asked.Load(); n != 1 {
						t.Errorf("DHL was asked %d times in the round, want 1", n)
					}
					msg, level := "provider lookup failed", "WARN"
					if !fault.warned {
						// A number the provider does not know is no failure.
						msg, level = "provider has nothing on the number", "INFO"
					}
					lines := append(logs.matching("provider lookup failed"), logs.matching("provider has nothing on the number")...)
					next := "none"
					if withFallback {
						next = "backup"
					}
					if len(lines) != 1 || len(logs.matching(msg)) != 1 || lines[0]["level"] != level ||
						lines[0]["provider"] != "dhl" || lines[0]["number"] != number || lines[0]["next"] != next {
						t.Errorf("log lines %v, want one %s %q naming dhl, the number and the next provider %s", lines, level, msg, next)
					}
					if n := counterValue(t, promReg, "trackbot_provider_requests_total", map[string]string{"provider": "dhl", "outcome": fault.outcome}); n != 1 {
						t.Errorf("dhl %s counted %v times, want 1", fault.outcome, n)
					}

					after, err := s.Shipment(ctx, 1)
					if err != nil {
						t.Fatal(err)
					}
					rows := outbox(t, s)
					if withFallback {
						if backup.Calls(number) != 1 {
							t.Errorf("the fallback was asked %d times, want 1", backup.Calls(number))
						}
						statusRows := 0
						for _, r := range rows {
							if r.Kind == "status" {
								statusRows++
							}
						}
						if len(after.Known) != 7 || after.Status != tracking.StatusDelivered || statusRows != 1 {
							t.Errorf("after the fallback: %d events, %s, %d status pushes; want DHL's six plus the fallback's delivery, pushed once",
								len(after.Known), after.Status, statusRows)
						}
					} else if len(after.Known) != 6 || after.Substatus != tracking.SubOutForDelivery || len(rows) != 0 {
						t.Errorf("after the fault: %d events, %s, %d outbox rows; want the stored journey untouched and nothing pushed",
							len(after.Known), after.Substatus, len(rows))
					}

					if fault.outcome != "rate_limited" {
						return
					}
					// DHL asked for two minutes' rest: no number asks it
					// before they are over, and the next one after does.
					clock.Advance(time.Minute)
					asked.Store(0)
					reg.Lookup(ctx, tracking.Query{Number: "1234567890", Carrier: "dhl-express"})
					if n := asked.Load(); n != 0 {
						t.Errorf("DHL was asked %d times during its Retry-After", n)
					}
					clock.Advance(90 * time.Second)
					reg.Lookup(ctx, tracking.Query{Number: "1234567890", Carrier: "dhl-express"})
					if n := asked.Load(); n != 1 {
						t.Errorf("DHL was asked %d times after its Retry-After, want 1", n)
					}
				})
			})
		}
	}
}

// TestUnknownStatusCodeIsCountedAndReadFromText tracks a DHL parcel whose
// events carry a status code trackbot's table lacks: the parcel is still
// tracked, its events read from their text, and the code counted in the
// metrics.
func TestUnknownStatusCodeIsCountedAndReadFromText(t *testing.T) {
	express, err := os.ReadFile("providers/dhl/testdata/shipment_express.json")
	if err != nil {
		t.Fatal(err)
	}
	// DHL's documented codes, and two events under one it never documented.
	body := bytes.Replace(express, []byte(`"statusCode": "transit"`), []byte(`"statusCode": "gateway-hold"`), 3)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	s := storetest.Open(t, store.SQLite)
	clock := tracking.NewFakeClock(time.Date(2024, 6, 20, 0, 0, 0, 0, time.UTC))
	promReg := prometheus.NewRegistry()
	metrics := tracking.NewMetrics(promReg)
	reg := tracking.NewRegistry(clock)
	reg.SetMetrics(metrics)
	reg.AddCarrier(dhl.New(dhl.Config{APIKey: "k", BaseURL: srv.URL, Now: clock.Now}), "dhl-express")
	e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, MinInterval: time.Minute, Metrics: metrics})

	before := counterValue(t, promReg, "trackbot_provider_unknown_codes_total", map[string]string{"provider": "dhl"})
	res, err := e.Track(context.Background(), tracking.TrackRequest{ChatID: newChat(t, s, "c1"), Number: "3344556677", Carrier: "dhl-express"})
	if err != nil || res.LookupErr != nil {
		t.Fatalf("track: %v, %v", err, res.LookupErr)
	}
	if res.Shipment.Substatus != tracking.SubOutForDelivery || len(res.Shipment.Known) != 6 {
		t.Errorf("tracked %s with %d events, want all six, out for delivery as the text says", res.Shipment.Substatus, len(res.Shipment.Known))
	}
	if after := counterValue(t, promReg, "trackbot_provider_unknown_codes_total", map[string]string{"provider": "dhl"}); after <= before {
		t.Errorf("unknown codes counted %v, before %v: want more", after, before)
	}
}

// TestRetryAfterHoldsQueuedAndNewRequests has DHL answer 429 with
// Retry-After 30 while more lookups wait in its rate limiter: neither the
// queued lookups nor new ones reach it before the 30 seconds are over, and
// the first one after does.
func TestRetryAfterHoldsQueuedAndNewRequests(t *testing.T) {
	ctx := context.Background()
	clock := tracking.NewFakeClock(time.Date(2024, 6, 14, 16, 0, 0, 0, time.UTC))
	var mu sync.Mutex
	var arrivals []time.Time // the clock's time at each request
	first := make(chan struct{})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, clock.Now())
		n := len(arrivals)
		mu.Unlock()
		if n == 1 {
			close(first)
			<-release // the 429 comes back while others queue
		}
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	asked := func() []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Time(nil), arrivals...)
	}

	reg := tracking.NewRegistry(clock)
	reg.AddCarrier(dhl.New(dhl.Config{APIKey: "k", BaseURL: srv.URL, Now: clock.Now}), "dhl-express")
	reg.SetBudget("dhl", 1, 0) // one a second: the others queue
	lookup := func(number string) error {
		_, err := reg.Lookup(ctx, tracking.Query{Number: number, Carrier: "dhl-express"})
		return err
	}

	const queued = 3
	errs := make(chan error, queued+1)
	go func() { errs <- lookup("1000000000") }()
	<-first
	for i := range queued {
		go func() { errs <- lookup(fmt.Sprintf("100000000%d", i+1)) }()
	}
	if !expect.Eventually(20*time.Second, func() bool { return reg.QueuedForTest("dhl") == queued }) {
		close(release)
		t.Fatalf("%d lookups queue in the limiter, want %d", reg.QueuedForTest("dhl"), queued)
	}
	close(release)
	for range queued + 1 {
		var rl *tracking.RateLimitError
		if err := <-errs; !errors.As(err, &rl) {
			t.Errorf("lookup during the pause: %v, want a rate limit", err)
		}
	}
	if got := asked(); len(got) != 1 {
		t.Fatalf("DHL was asked %d times, at %v; want once, the queued lookups held by its Retry-After", len(got), got)
	}

	clock.Advance(29 * time.Second)
	if err := lookup("2000000000"); err == nil {
		t.Error("a new lookup inside the Retry-After succeeded")
	}
	if got := asked(); len(got) != 1 {
		t.Fatalf("DHL was asked %d times; a new lookup left inside its Retry-After", len(got))
	}
	clock.Advance(2 * time.Second)
	lookup("3000000000")
	if got := asked(); len(got) != 2 || got[1].Sub(got[0]) < 30*time.Second {
		t.Errorf("DHL was asked at %v; want once more, 30 seconds or more after the 429", got)
	}
}

// TestOutagesOpenTheBreakerForQueuedAndNewRequests: after five outages in
// a row the provider is left alone for two minutes (the breaker), and the
// pause holds for the requests already queued in the rate limiter when it
// opened as for new ones; after it, requests go out again.
func TestOutagesOpenTheBreakerForQueuedAndNewRequests(t *testing.T) {
	ctx := context.Background()
	clock := tracking.NewFakeClock(time.Date(2024, 6, 14, 16, 0, 0, 0, time.UTC))
	var mu sync.Mutex
	asked := 0
	fifth := make(chan struct{})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked++
		n := asked
		mu.Unlock()
		if n == 5 {
			close(fifth)
			<-release // the fifth outage comes back while others queue
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return asked
	}

	reg := tracking.NewRegistry(clock)
	reg.AddCarrier(dhl.New(dhl.Config{APIKey: "k", BaseURL: srv.URL, Now: clock.Now}), "dhl-express")
	reg.SetBudget("dhl", 1, 0) // one a second: the others queue
	lookup := func(number string) error {
		_, err := reg.Lookup(ctx, tracking.Query{Number: number, Carrier: "dhl-express"})
		return err
	}
	for i := range 4 {
		if err := lookup(fmt.Sprintf("100000000%d", i)); !errors.Is(err, tracking.ErrUnavailable) {
			t.Fatalf("outage %d: %v, want ErrUnavailable", i+1, err)
		}
	}
	const queued = 3
	errs := make(chan error, queued+1)
	go func() { errs <- lookup("1000000004") }()
	<-fifth
	for i := range queued {
		go func() { errs <- lookup(fmt.Sprintf("200000000%d", i)) }()
	}
	if !expect.Eventually(20*time.Second, func() bool { return reg.QueuedForTest("dhl") == queued }) {
		close(release)
		t.Fatalf("%d lookups queue in the limiter, want %d", reg.QueuedForTest("dhl"), queued)
	}
	close(release)
	paused := 0
	for range queued + 1 {
		var rl *tracking.RateLimitError
		if err := <-errs; errors.As(err, &rl) {
			paused++
		}
	}
	if paused != queued || count() != 5 {
		t.Fatalf("%d of the queued lookups held by the breaker, DHL asked %d times; want %d held and 5 asked", paused, count(), queued)
	}

	clock.Advance(119 * time.Second)
	var rl *tracking.RateLimitError
	if err := lookup("3000000000"); !errors.As(err, &rl) || count() != 5 {
		t.Fatalf("a new lookup inside the pause: %v, DHL asked %d times; want a rate limit and 5", err, count())
	}
	clock.Advance(2 * time.Second)
	lookup("3000000001")
	if count() != 6 {
		t.Errorf("DHL asked %d times after the pause, want once more", count())
	}
}
