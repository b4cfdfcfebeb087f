package wording_test

import (
	"testing"
	"time"

	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/wording"
)

// TestWords: dates follow each catalog's order and month names in the zone
// asked for, a sub-status names the state when it says more than its
// status, and an event's zone comes from its place.
func TestWords(t *testing.T) {
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 2, 23, 30, 0, 0, time.UTC)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	for lang, want := range map[string]string{
		"en": "3 Dec 2026 07:30", "de": "3. Dez. 2026 07:30", "zh": "2026年12月3日 07:30",
	} {
		if got := wording.New(cat.Localizer(lang)).Date(at, shanghai); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	w := wording.New(cat.Localizer("en"))
	for _, tc := range []struct {
		st   tracking.Status
		sub  tracking.Substatus
		want string
	}{
		{tracking.StatusTransit, tracking.SubCustomsHeld, "Held at customs"},
		{tracking.StatusTransit, tracking.SubOther, "In transit"},
		{tracking.StatusDelivered, "", "Delivered"},
	} {
		if got := w.Status(tc.st, tc.sub); got != tc.want {
			t.Errorf("%s/%s: %q, want %q", tc.st, tc.sub, got, tc.want)
		}
	}
	for _, tc := range []struct {
		place tracking.Location
		zone  string
	}{
		{tracking.Location{City: "Shenzhen", Country: "CN"}, "Asia/Shanghai"},
		{tracking.Location{City: "Frankfurt", Country: "DE"}, "Europe/Berlin"},
		{tracking.Location{City: "Nowhere"}, ""},
	} {
		got := ""
		if loc, ok := wording.EventZone(tracking.Event{Location: tc.place}); ok {
			got = loc.String()
		}
		if got != tc.zone {
			t.Errorf("%+v: zone %q, want %q", tc.place, got, tc.zone)
		}
	}
}
