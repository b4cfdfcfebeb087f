package web_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/web"
)

// feedsFunc answers order deliveries with a function.
type feedsFunc func(id string, body []byte) error

func (f feedsFunc) ReceiveOrders(_ context.Context, id string, _ http.Header, body []byte) error {
	return f(id, body)
}

// TestOrderFeedAnswers: each outcome of a delivery has its status; every
// refusal is counted by reason, the log gets one line a minute per reason,
// and neither names the feed's id, which lets a sender in.
func TestOrderFeedAnswers(t *testing.T) {
	logs := captureLog(t)
	outcomes := map[string]error{
		"ok":          nil,
		"gone":        fmt.Errorf("x: %w", tracking.ErrNotFound),
		"forged":      fmt.Errorf("x: %w", tracking.ErrBadSignature),
		"unreadable":  fmt.Errorf("x: order 2 has no number: %w", tracking.ErrBadPayload),
		"unserved":    fmt.Errorf("x: %w", tracking.ErrNoProvider),
		"full":        fmt.Errorf("x: %w", tracking.ErrTooManyShipments),
		"unreachable": errors.New("database down"),
	}
	var got []string
	srv := web.New("127.0.0.1:0", nil, prometheus.NewRegistry())
	srv.HandleOrderFeeds(feedsFunc(func(id string, body []byte) error {
		got = append(got, id)
		return outcomes[string(body)]
	}))
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	post := func(id, body string) (int, string) {
		resp, err := http.Post(ts.URL+"/webhooks/orders/"+id, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b := make([]byte, 512)
		n, _ := resp.Body.Read(b)
		return resp.StatusCode, string(b[:n])
	}
	cases := []struct {
		body   string
		status int
	}{
		{"ok", 200}, {"gone", 404}, {"forged", 401}, {"unreadable", 400}, {"unserved", 422}, {"full", 422}, {"unreachable", 503},
	}
	for _, c := range cases {
		for range 3 {
			status, text := post("feedid"+c.body, c.body)
			if status != c.status {
				t.Errorf("%s: %d, want %d", c.body, status, c.status)
			}
			if c.body == "unreadable" && !strings.Contains(text, "order 2 has no number") {
				t.Errorf("a 400 does not say why: %q", text)
			}
		}
	}
	if len(got) != 3*len(cases) || got[0] != "feedidok" {
		t.Errorf("the handler was given ids %v", got)
	}
	for reason, n := range map[string]string{"unknown_feed": "3", "bad_signature": "3", "bad_payload": "3", "no_provider": "3", "chat_full": "3"} {
		if line := metric(t, ts, `trackbot_order_feed_refused_total{reason="`+reason+`"}`); !strings.HasSuffix(line, " "+n) {
			t.Errorf("%s counted %q, want %s", reason, line, n)
		}
	}
	if line := metric(t, ts, "trackbot_order_feed_failed_total"); !strings.HasSuffix(line, " 3") {
		t.Errorf("failures counted %q", line)
	}
	if n := logs.count("order delivery refused"); n != 5 {
		t.Errorf("%d refusal lines logged, want one per reason", n)
	}
	if n := logs.count("feedid"); n != 0 {
		t.Errorf("the log names feed ids %d times", n)
	}
}
