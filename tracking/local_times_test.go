package tracking_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/aftership"
	pt "github.com/trackbot/trackbot/tracking/providers/providertest"
)

// TestAfterShipLocalTimes tracks, through the AfterShip provider, the
// engine and the store, a Cainiao parcel whose answer (shaped as
// AfterShip's tracking object, carrier-apis.md §2.2) holds Cainiao scans
// with a +08:00 offset and then USPS checkpoints in New York's local time
// without an offset, the last a Cainiao mirror of the out-for-delivery
// scan. Read in New York's zone the USPS times fall in place: the
// shipment is delivered, its events are in true UTC order, the mirror is
// the same event as the scan it mirrors, and nothing moved after delivery.
func TestAfterShipLocalTimes(t *testing.T) {
	const key, number = "test-as-api-key", "LP00512345678901"
	body, err := os.ReadFile("testdata/aftership_local_times.json")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var routes []string
	base := pt.Server(t, "as-api-key", key, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		routes = append(routes, r.Method+" "+r.URL.Path)
		mu.Unlock()
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/trackings") {
			t.Errorf("unexpected call %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})

	utc := func(s string) time.Time {
		t.Helper()
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	// EST (UTC-5) holds in New York after 1 November 2026.
	want := []struct {
		at   string
		desc string
	}{
		{"2026-11-03T02:00:00Z", "Shipment accepted by the sorting center"},
		{"2026-11-04T00:00:00Z", "Departed from sorting center"},
		{"2026-11-05T12:00:00Z", "Departed from country of origin"},
		{"2026-11-07T19:00:00Z", "Arrived at destination country"},
		{"2026-11-09T11:10:00Z", "Arrived at USPS Regional Facility"},
		{"2026-11-10T15:30:00Z", "Out for Delivery, Expected Delivery by 9:00pm"},
		{"2026-11-10T17:45:00Z", "Delivered, In/At Mailbox"},
	}

	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := utc("2026-11-11T09:00:00Z")
		clock := tracking.NewFakeClock(now)
		reg := tracking.NewRegistry(clock)
		reg.AddCarrier(aftership.New(aftership.Config{APIKey: key, BaseURL: base}), "cainiao")
		e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock})
		c, err := s.EnsureChat(ctx, "console", "local-times", "buyer", "private", "buyer", now)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := e.Track(ctx, tracking.TrackRequest{ChatID: c.ID, Number: number, Carrier: "cainiao"})
		if err != nil || tr.LookupErr != nil {
			t.Fatalf("Track: %v, lookup: %v", err, tr.LookupErr)
		}

		sh, err := s.ShipmentView(ctx, tr.Shipment.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sh.Status != tracking.StatusDelivered || sh.Substatus != tracking.SubDelivered {
			t.Errorf("status %s/%s, want DELIVERED/delivered", sh.Status, sh.Substatus)
		}
		events, err := s.Events(ctx, tr.Shipment.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != len(want) {
			t.Errorf("%d events, want %d (the mirrored out-for-delivery scan is the same event)", len(events), len(want))
		}
		for i := range min(len(events), len(want)) {
			if got := events[i]; !got.Time.Equal(utc(want[i].at)) || got.Description != want[i].desc {
				t.Errorf("event %d: %s %q, want %s %q", i, got.Time.UTC().Format(time.RFC3339), got.Description, want[i].at, want[i].desc)
			}
		}
		if sh.LastEventAt == nil || !sh.LastEventAt.Equal(utc("2026-11-10T17:45:00Z")) {
			t.Errorf("last event at %v, want the delivery at 17:45Z", sh.LastEventAt)
		}
		for _, role := range []tracking.Role{tracking.RoleBuyer, tracking.RoleSeller} {
			for _, a := range e.Advise(sh, "", role, clock.Now()) {
				if a.Rule == tracking.RuleMovedAfterDelivery {
					t.Errorf("%s is advised %q", role, a.Rule)
				}
			}
		}
	})
	mu.Lock()
	defer mu.Unlock()
	for _, r := range routes {
		if r != "GET /trackings" {
			t.Errorf("call %s, want only GET /trackings", r)
		}
	}
}
