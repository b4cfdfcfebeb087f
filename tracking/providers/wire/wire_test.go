package wire

import (
	"net/http"
	"testing"
	"time"
)

// TestTime reads the time formats the providers' payloads use (17TRACK,
// Shippo and DHL send offsets with and without a colon, fractions, local
// times without a zone, bare dates), always into UTC.
func TestTime(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2026-11-20T15:04:05+02:00", "2026-11-20T13:04:05Z"},
		{"2026-11-20T08:04:05-05:00", "2026-11-20T13:04:05Z"},
		{"2026-11-20T13:04:05Z", "2026-11-20T13:04:05Z"},
		{"2026-11-20T13:04:05", "2026-11-20T13:04:05Z"},
		{"2026-11-20 13:04:05", "2026-11-20T13:04:05Z"},
		{"2026-11-20T15:04:05+0200", "2026-11-20T13:04:05Z"},
		{"2026-11-20 15:04:05+02:00", "2026-11-20T13:04:05Z"},
		{"2022-04-04T16:35:22.123+08:00", "2022-04-04T08:35:22.123Z"},
		{"2024-04-01T23:10:00.123+0200", "2024-04-01T21:10:00.123Z"},
		{"2016-12-09T01:40:17.515Z", "2016-12-09T01:40:17.515Z"},
		{"2024-05-09T07:58", "2024-05-09T07:58:00Z"},
		{"2021-01-14 00:52", "2021-01-14T00:52:00Z"},
		{"2024-05-09", "2024-05-09T00:00:00Z"},
		{"", ""},
		{"yesterday", ""},
		{"20/11/2026", ""},
		{"0001-01-01T00:00:00Z", ""},
		{"0001-01-01T00:00:00", ""},
		{"0000-01-01", ""},
	} {
		got, ok := Time(tc.in)
		if tc.want == "" {
			if ok {
				t.Errorf("Time(%q) = %v, want no time", tc.in, got)
			}
			continue
		}
		want, err := time.Parse(time.RFC3339Nano, tc.want)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("Time(%q) = %v, %v; want %v in UTC", tc.in, got, ok, want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header, value string
		want          time.Duration
	}{
		{"Retry-After", "7", 7 * time.Second},
		{"Retry-After", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"Retry-After", now.Add(-time.Hour).Format(http.TimeFormat), time.Second},
		{"X-RateLimit-Reset", "30", 30 * time.Second},
		{"X-RateLimit-Reset", "1795190460", time.Unix(1795190460, 0).Sub(now)},
		{"Retry-After", "soon", time.Minute},
	} {
		h := http.Header{}
		h.Set(tc.header, tc.value)
		if got := RetryAfter(h, now, time.Minute); got != tc.want {
			t.Errorf("%s: %s → %v, want %v", tc.header, tc.value, got, tc.want)
		}
	}
}
