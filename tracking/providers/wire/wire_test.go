package wire

import (
	"net/http"
	"testing"
	"time"
)

func TestTime(t *testing.T) {
	want := time.Date(2026, 11, 20, 13, 4, 5, 0, time.UTC)
	for _, s := range []string{"2026-11-20T15:04:05+02:00", "2026-11-20T08:04:05-05:00", "2026-11-20T13:04:05Z",
		"2026-11-20T13:04:05", "2026-11-20 13:04:05", "2026-11-20T15:04:05+0200", "2026-11-20 15:04:05+02:00"} {
		if got, ok := Time(s); !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("Time(%q) = %v, %v; want %v in UTC", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "yesterday", "20/11/2026"} {
		if _, ok := Time(s); ok {
			t.Errorf("Time(%q) read a time", s)
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
