package wire

import (
	"slices"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracking"
)

// TestLocalTime reads offset-less times in the zone of the event's place,
// falls back to the next place (the leg's country), and keeps times with
// an offset as they are.
func TestLocalTime(t *testing.T) {
	ny := tracking.Location{Country: "US", State: "NY", City: "NEW YORK"}
	for _, tc := range []struct {
		name       string
		in         string
		places     []tracking.Location
		want       string
		approx, ok bool
	}{
		{"offset wins over place", "2026-11-20T12:45:00-05:00", []tracking.Location{{Country: "CN"}}, "2026-11-20T17:45:00Z", false, true},
		{"New York in winter", "2026-11-20T12:45:00", []tracking.Location{ny}, "2026-11-20T17:45:00Z", false, true},
		{"New York in summer", "2026-07-20T12:45:00", []tracking.Location{ny}, "2026-07-20T16:45:00Z", false, true},
		{"state spelled out", "2026-11-20T12:45:00", []tracking.Location{{Country: "US", State: "California"}}, "2026-11-20T20:45:00Z", false, true},
		{"China is one zone", "2026-11-20 23:30:00", []tracking.Location{{Country: "CN", City: "Urumqi"}}, "2026-11-20T15:30:00Z", false, true},
		{"São Paulo", "2026-11-20T10:00:00", []tracking.Location{{Country: "BR", State: "SP"}}, "2026-11-20T13:00:00Z", false, true},
		{"Manaus by city", "2026-11-20T10:00:00", []tracking.Location{{Country: "BR", City: "Manaus"}}, "2026-11-20T14:00:00Z", false, true},
		{"Brazil without a state", "2026-11-20T10:00:00", []tracking.Location{{Country: "BR"}}, "2026-11-20T13:00:00Z", true, true},
		{"US without a state", "2026-11-20T12:45:00", []tracking.Location{{Country: "US"}}, "2026-11-20T17:45:00Z", true, true},
		{"Germany has one clock", "2026-11-20T12:45:00", []tracking.Location{{Country: "DE"}}, "2026-11-20T11:45:00Z", false, true},
		{"leg country decides", "2026-11-20T12:45:00", []tracking.Location{{City: "HUB"}, {Country: "GB"}}, "2026-11-20T12:45:00Z", false, true},
		{"no place at all", "2026-11-20T12:45:00", nil, "2026-11-20T12:45:00Z", true, true},
		{"unknown country", "2026-11-20T12:45:00", []tracking.Location{{Country: "XX"}}, "2026-11-20T12:45:00Z", true, true},
		{"empty", "", []tracking.Location{ny}, "", false, false},
		{"unreadable", "yesterday", []tracking.Location{ny}, "", false, false},
		{"year 1 placeholder", "0001-01-01T00:00:00", []tracking.Location{ny}, "", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, approx, ok := LocalTime(tc.in, tc.places...)
			if ok != tc.ok || approx != tc.approx {
				t.Fatalf("LocalTime(%q) ok=%v approximate=%v, want ok=%v approximate=%v", tc.in, ok, approx, tc.ok, tc.approx)
			}
			if !ok {
				return
			}
			if want, _ := time.Parse(time.RFC3339, tc.want); !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("LocalTime(%q) = %v, want %v", tc.in, got, want)
			}
		})
	}
}

// TestZoneTables checks that every zone the tables name is in the embedded
// zone rules and belongs to its country.
func TestZoneTables(t *testing.T) {
	for cc, zones := range countryZones {
		for _, z := range zones {
			if _, err := time.LoadLocation(z); err != nil {
				t.Errorf("%s: %v", cc, err)
			}
		}
	}
	in := func(cc, zone string) bool { return slices.Contains(countryZones[cc], zone) }
	for cc, z := range primaryZones {
		if len(countryZones[cc]) < 2 || !in(cc, z) {
			t.Errorf("primary zone %s of %s: not one of the country's several zones %v", z, cc, countryZones[cc])
		}
	}
	for cc := range regionsSplit {
		if _, ok := primaryZones[cc]; !ok {
			t.Errorf("%s spans zones but has no primary zone", cc)
		}
	}
	for cc, m := range regionZones {
		if _, ok := primaryZones[cc]; !ok {
			t.Errorf("%s has regions but no primary zone", cc)
		}
		for key, z := range m {
			if !in(cc, z) {
				t.Errorf("%s %q: zone %s is not one of the country's %v", cc, key, z, countryZones[cc])
			}
		}
	}
}

// TestLocatedEvent takes the first time that reads, places it, and falls
// back to the carrier's own place text when the payload has no structured
// place.
func TestLocatedEvent(t *testing.T) {
	for _, tc := range []struct {
		name      string
		times     []string
		place     tracking.Location
		text, leg string
		want      string
		wantLoc   tracking.Location
		approx    bool
		ok        bool
	}{
		{"first readable time", []string{"", "2026-11-20T23:30:00+08:00", "2026-11-20T00:00:00"}, tracking.Location{City: " Guangzhou ", Country: "CN"}, "GZ", "CN",
			"2026-11-20T15:30:00Z", tracking.Location{City: "Guangzhou", Country: "CN"}, false, true},
		{"place text and leg country", []string{"2026-11-20T10:30:00"}, tracking.Location{}, " NEW YORK NY ", "US",
			"2026-11-20T15:30:00Z", tracking.Location{City: "NEW YORK NY"}, true, true},
		{"no time", []string{"", "soon"}, tracking.Location{Country: "US"}, "", "US", "", tracking.Location{}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := LocatedEvent(tc.times, tc.place, tc.text, tc.leg)
			if ok != tc.ok || e.Approximate != tc.approx || e.Location != tc.wantLoc {
				t.Fatalf("LocatedEvent = %+v, %v; want location %+v approximate %v ok %v", e, ok, tc.wantLoc, tc.approx, tc.ok)
			}
			if want, _ := time.Parse(time.RFC3339, tc.want); ok && !e.Time.Equal(want) {
				t.Errorf("time %v, want %v", e.Time, want)
			}
		})
	}
}
