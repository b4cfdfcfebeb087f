package slack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/web"
)

type ready struct{}

func (ready) Ready(context.Context) error { return nil }

// TestUnsignedFloodIsCountedAndLoggedOnceAMinute: unsigned, forged and
// stale requests to each Slack route, mounted on the HTTP server as serve
// mounts them, are refused, every one is counted by route, and the log
// gets one line a minute for each route.
func TestUnsignedFloodIsCountedAndLoggedOnceAMinute(t *testing.T) {
	logs := &expect.Buffer{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	reg := prometheus.NewRegistry()
	srv := web.New(":0", ready{}, reg)
	e := newEnv(t, storetest.Open(t, store.SQLite), func(c *Config) { c.Refusals = srv.Refusals() })
	srv.Handle("POST "+CommandsPath, e.adapter.CommandsHandler())
	srv.Handle("POST "+InteractionsPath, e.adapter.InteractionsHandler())
	srv.Handle("POST "+EventsPath, e.adapter.EventsHandler())
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	e.start()

	const each = 15
	routes := []string{CommandsPath, InteractionsPath, EventsPath}
	for _, route := range routes {
		for i := range each {
			body := "text=junk"
			req, err := http.NewRequest(http.MethodPost, ts.URL+route, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			switch i % 3 {
			case 1:
				sign(req, body, "not-the-secret", 0)
			case 2:
				sign(req, body, secret, 6*time.Minute)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("%s: %d, want 401", route, resp.StatusCode)
			}
		}
	}
	want := "\n# HELP trackbot_webhook_refused_total Chat platform webhook calls refused, by route and reason (bad_secret, bad_signature, bad_update).\n# TYPE trackbot_webhook_refused_total counter\n"
	for _, route := range []string{CommandsPath, EventsPath, InteractionsPath} { // as Prometheus sorts them
		want += fmt.Sprintf("trackbot_webhook_refused_total{reason=\"bad_signature\",route=%q} %d\n", route, each)
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "trackbot_webhook_refused_total"); err != nil {
		t.Error(err)
	}
	text := logs.String()
	if n := strings.Count(text, "webhook call refused"); n != len(routes) {
		t.Errorf("%d log lines for %d refused calls on %d routes, want one a route:\n%s", n, each*len(routes), len(routes), text)
	}
	for _, route := range routes {
		if n := strings.Count(text, "route="+route+" "); n != 1 {
			t.Errorf("%s logged %d times, want once", route, n)
		}
	}
}
