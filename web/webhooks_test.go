package web_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/dhl"
	"github.com/trackbot/trackbot/web"
)

type alwaysReady struct{}

func (alwaysReady) Ready(context.Context) error { return nil }

// TestCarrierPushGoesThroughTheMerge sends DHL's push to the real server,
// engine and store: a wrong token is refused with nothing written, the
// right one stores the events and queues the chat's alert.
func TestCarrierPushGoesThroughTheMerge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
		clock := tracking.NewFakeClock(now)
		reg := tracking.NewRegistry(clock)
		reg.AddCarrier(dhl.New(dhl.Config{APIKey: "k", WebhookSecret: "push-secret", Now: clock.Now}), dhl.Carriers()...)
		engine := tracking.NewEngine(s, reg, tracking.Options{Clock: clock})

		const number = "00340434161094042557"
		st, _, err := s.EnsureShipment(ctx, tracking.CarrierDHLPaket, number, now.Add(-72*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		chat, err := s.EnsureChat(ctx, "telegram", "", "42", "private", "buyer", now)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Subscribe(ctx, chat.ID, st.ID, "", nil, now); err != nil {
			t.Fatal(err)
		}

		srv := web.New(":0", alwaysReady{}, prometheus.NewRegistry())
		srv.HandleCarrierPushes(engine)
		ts := httptest.NewServer(srv.Handler())
		defer ts.Close()
		body, err := os.ReadFile("../tracking/providers/dhl/testdata/push_shipments.json")
		if err != nil {
			t.Fatal(err)
		}
		post := func(path, token string) int {
			req, _ := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(string(body)))
			if token != "" {
				req.Header.Set(dhl.TokenHeader, token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		for _, tok := range []string{"", "wrong"} {
			if code := post("/webhooks/dhl", tok); code != http.StatusUnauthorized {
				t.Errorf("token %q: %d, want 401", tok, code)
			}
		}
		if events, _ := s.Events(ctx, st.ID); len(events) != 0 {
			t.Fatalf("a refused push wrote %d events", len(events))
		}
		if code := post("/webhooks/nobody", "push-secret"); code != http.StatusNotFound {
			t.Errorf("unknown provider: %d, want 404", code)
		}
		if code := post("/webhooks/dhl", "push-secret"); code != http.StatusOK {
			t.Fatalf("good push: %d", code)
		}
		after, err := s.Shipment(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Status != tracking.StatusDelivered || len(after.Known) != 4 {
			t.Errorf("after the push: %s with %d events, want DELIVERED with 4", after.Status, len(after.Known))
		}
		// One status alert, and the delivered guidance with its "I didn't
		// get it" button.
		if c, _ := s.OutboxCounts(ctx, chat.ID); c["pending"] != 2 {
			t.Errorf("outbox %v, want the status alert and the delivered guidance", c)
		}
		// The same push again changes nothing.
		post("/webhooks/dhl", "push-secret")
		if c, _ := s.OutboxCounts(ctx, chat.ID); c["pending"] != 2 {
			t.Errorf("a repeated push queued more: %v", c)
		}
	})
}

func TestTrackingPageEscapesAndHidesUnknownTokens(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	st, _, err := s.EnsureShipment(ctx, "ups", "1Z999AA10123456784", now)
	if err != nil {
		t.Fatal(err)
	}
	chat, _ := s.EnsureChat(ctx, "telegram", "", "7", "private", "buyer", now)
	sub, _, err := s.Subscribe(ctx, chat.ID, st.ID, `<script>alert(1)</script>`, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	token := strings.Repeat("ab", 16)
	if err := s.CreateShareToken(ctx, chat.ID, sub, token, now); err != nil {
		t.Fatal(err)
	}
	srv := web.New(":0", alwaysReady{}, prometheus.NewRegistry())
	srv.HandleTrackingPages(s, func(err error) bool { return errors.Is(err, store.ErrNotFound) })
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	resp, err := http.Get(ts.URL + "/t/" + token)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "1Z999AA10123456784") || strings.Contains(string(page), "<script>alert") {
		t.Errorf("page: %d, escaped label missing or raw script present:\n%s", resp.StatusCode, page)
	}
	for _, bad := range []string{strings.Repeat("cd", 16), "short"} {
		resp, err := http.Get(ts.URL + "/t/" + bad)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("token %q: %d, want 404", bad, resp.StatusCode)
		}
	}
}
