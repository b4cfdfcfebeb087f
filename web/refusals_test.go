package web_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/aftership"
	"github.com/trackbot/trackbot/tracking/providers/dhl"
	"github.com/trackbot/trackbot/tracking/providers/seventeentrack"
	"github.com/trackbot/trackbot/tracking/providers/shippo"
	"github.com/trackbot/trackbot/web"
)

// logLines collects what slog writes while a test runs. The default
// logger is the process's, so tests using it do not run in parallel.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) count(substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), substr)
}

func captureLog(t *testing.T) *logLines {
	t.Helper()
	l := &logLines{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(l, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return l
}

// metric returns the line of /metrics that starts with series.
func metric(t *testing.T, ts *httptest.Server, series string) string {
	t.Helper()
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, series+" ") {
			return line
		}
	}
	return ""
}

// TestCarrierPushRefusals: a push signed by the provider but unreadable is
// answered 400, which no provider retries, and a forged one 401; every
// refusal is counted by provider and reason, while the log gets at most
// one line a minute for the route, however many arrive. A push that could
// not be stored (the database is down) is answered 503 with Retry-After,
// since sending it again later will work.
func TestCarrierPushRefusals(t *testing.T) {
	signers := map[string]pushSigner{"17track": sign17Track, "aftership": signAfterShip, "dhl": signDHL, "shippo": signShippo}
	bodies := []struct {
		name string
		body string
	}{
		{"not JSON", `{"event": "TRACKING_UPDATED", "data": {`},
		{"JSON of the wrong shape", `{"event": 42, "data": "x", "msg": [1], "shipments": "none"}`},
	}
	logs := captureLog(t)
	s := storetest.Open(t, store.SQLite)
	clock := tracking.NewFakeClock(time.Now())
	reg := tracking.NewRegistry(clock)
	reg.AddCarrier(dhl.New(dhl.Config{APIKey: "k", WebhookSecret: pushSecret, Now: clock.Now}), dhl.Carriers()...)
	reg.AddCarrier(shippo.New(shippo.Config{APIKey: "k", WebhookSecret: pushSecret, Now: clock.Now}), shippo.Carriers()...)
	reg.AddFallback(seventeentrack.New(seventeentrack.Config{APIKey: pushSecret}))
	reg.AddFallback(aftership.New(aftership.Config{APIKey: "k", WebhookSecret: pushSecret}))
	engine := tracking.NewEngine(s, reg, tracking.Options{Clock: clock})
	srv := web.New(":0", alwaysReady{}, prometheus.NewRegistry())
	srv.HandleCarrierPushes(engine)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	post := func(provider, body string, sign pushSigner, secret string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, ts.URL+"/webhooks/"+provider, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if sign != nil {
			sign(req, []byte(body), secret, clock.Now())
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	const forged = 25
	for provider, sign := range signers {
		for _, b := range bodies {
			if resp := post(provider, b.body, sign, pushSecret); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s, %s but signed: %d, want 400", provider, b.name, resp.StatusCode)
			}
		}
		for range forged {
			if resp := post(provider, `{"event":"x"}`, sign, "wrong"); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s, forged: %d, want 401", provider, resp.StatusCode)
			}
		}
		for _, want := range []string{
			fmt.Sprintf(`trackbot_carrier_push_refused_total{provider=%q,reason="bad_payload"} %d`, provider, len(bodies)),
			fmt.Sprintf(`trackbot_carrier_push_refused_total{provider=%q,reason="bad_signature"} %d`, provider, forged),
		} {
			series, _, _ := strings.Cut(want, " ")
			if got := metric(t, ts, series); got != want {
				t.Errorf("metric %q, want %q", got, want)
			}
		}
		if n := logs.count("provider=" + provider); n != 1 {
			t.Errorf("%s: %d log lines for %d refusals, want 1:\n%s", provider, n, forged+len(bodies), logs.buf.String())
		}
	}
	// Unknown routes share one series and one log line, whatever name the
	// sender makes up.
	for i := range forged {
		if resp := post(fmt.Sprintf("made-up-%d", i), "{}", nil, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown provider: %d, want 404", resp.StatusCode)
		}
	}
	if got, want := metric(t, ts, `trackbot_carrier_push_refused_total{provider="unknown",reason="unknown_provider"}`),
		fmt.Sprintf(`trackbot_carrier_push_refused_total{provider="unknown",reason="unknown_provider"} %d`, forged); got != want {
		t.Errorf("metric %q, want %q", got, want)
	}
	if n := logs.count("provider=unknown"); n != 1 {
		t.Errorf("%d log lines for %d pushes to unknown providers, want 1", n, forged)
	}
	if n := logs.count("level=ERROR"); n != 0 {
		t.Errorf("refused pushes logged %d errors", n)
	}

	// The database goes away: a genuine push cannot be stored, and the
	// provider is asked to come back.
	body := `{"event":"TRACKING_UPDATED","data":{"number":"1Z2617V10397725789","carrier":100002,"track_info":{}}}`
	if err := s.DB().Close(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		resp := post("17track", body, sign17Track, pushSecret)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Errorf("push while the database is down: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if n := logs.count("level=ERROR"); n != 1 {
		t.Errorf("3 failed pushes logged %d errors, want 1", n)
	}
}

// failingPushes fails every push with err.
type failingPushes struct{ err error }

func (f failingPushes) Push(context.Context, string, http.Header, []byte) error { return f.err }

// TestCarrierPushStatusByError: the answer follows the kind of error, and
// only an error that a later retry may not meet again is a 5xx.
func TestCarrierPushStatusByError(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, http.StatusOK},
		{fmt.Errorf("x: %w", tracking.ErrBadSignature), http.StatusUnauthorized},
		{fmt.Errorf("x: %w: %w", tracking.ErrBadPayload, errors.New("unexpected EOF")), http.StatusBadRequest},
		{fmt.Errorf("x: %w", tracking.ErrNoProvider), http.StatusNotFound},
		{errors.New("store: database is locked"), http.StatusServiceUnavailable},
	}
	captureLog(t)
	for _, tt := range tests {
		srv := web.New(":0", alwaysReady{}, prometheus.NewRegistry())
		srv.HandleCarrierPushes(failingPushes{tt.err})
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhooks/aftership", strings.NewReader("{}")))
		if rec.Code != tt.want {
			t.Errorf("%v: %d, want %d", tt.err, rec.Code, tt.want)
		}
	}
}
