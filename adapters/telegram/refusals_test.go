package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/web"
)

type ready struct{}

func (ready) Ready(context.Context) error { return nil }

// TestWebhookJunkIsCountedAndLoggedOnceAMinute: a flood of posts without
// the secret, and of unreadable updates with it, is refused, every one is
// counted by reason, and the log gets one line for the route.
func TestWebhookJunkIsCountedAndLoggedOnceAMinute(t *testing.T) {
	logs := &expect.Buffer{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	reg := prometheus.NewRegistry()
	srv := web.New(":0", ready{}, reg)
	h := newHarness(t, storetest.Open(t, store.SQLite))
	a, _ := h.adapter(t, newFakeAPI(t), "", func(c *Config) {
		c.WebhookSecret = testSecret
		c.PublicURL = "https://bot.example.com"
		c.Refusals = srv.Refusals()
	})
	const forged, junk = 40, 7
	for i := range forged {
		secret := ""
		if i%2 == 1 {
			secret = "guess"
		}
		if code := post(a, secret, []byte(`{"update_id": 1}`)); code != http.StatusUnauthorized {
			t.Fatalf("forged post: %d, want 401", code)
		}
	}
	for range junk {
		if code := post(a, testSecret, []byte("{not json")); code != http.StatusBadRequest {
			t.Fatalf("unreadable update: %d, want 400", code)
		}
	}
	want := fmt.Sprintf(`
# HELP trackbot_webhook_refused_total Chat platform webhook calls refused, by route and reason (bad_secret, bad_signature, bad_update).
# TYPE trackbot_webhook_refused_total counter
trackbot_webhook_refused_total{reason="bad_secret",route="%[1]s"} %[2]d
trackbot_webhook_refused_total{reason="bad_update",route="%[1]s"} %[3]d
`, WebhookPath, forged, junk)
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "trackbot_webhook_refused_total"); err != nil {
		t.Error(err)
	}
	if n := strings.Count(logs.String(), "webhook call refused"); n != 1 {
		t.Errorf("%d log lines for %d refused calls, want 1 a minute:\n%s", n, forged+junk, logs.String())
	}
	if n := strings.Count(logs.String(), "route="+WebhookPath); n != 1 {
		t.Errorf("the log line does not name the route:\n%s", logs.String())
	}
}
