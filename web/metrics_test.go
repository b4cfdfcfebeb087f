package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/web"
)

// TestRequestMetricsByRoute: requests are counted by the route pattern that
// matched, never by the path (which carries share tokens), and by status.
func TestRequestMetricsByRoute(t *testing.T) {
	srv := web.New(":0", readyAlways{}, prometheus.NewRegistry())
	srv.HandleTrackingPages(failingPages(tracking.ErrNotFound))
	h := srv.Handler()
	for _, path := range []string{"/healthz", "/healthz", "/t/" + strings.Repeat("cd", 16), "/no/such/page"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`trackbot_http_requests_total{code="200",route="GET /healthz"} 2`,
		`trackbot_http_requests_total{code="404",route="unmatched"} 1`,
		`trackbot_http_request_duration_seconds_count{route="GET /healthz"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, strings.Repeat("cd", 16)) {
		t.Error("a share token reached the metrics")
	}
	if !strings.Contains(body, `route="GET /t/{token}"`) {
		t.Errorf("the tracking page is not counted by its pattern:\n%s", grep(body, "trackbot_http_requests_total"))
	}
}

func grep(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
