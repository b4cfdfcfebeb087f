// Package wire does what every carrier and aggregator client does alike:
// building and sending requests and reading their answers and errors
// (client.go, call.go), times in their many spellings, read in the zone of
// the event's place when they carry no offset (zone.go), the events of an
// answer put in order (events.go), and how long a rate-limited answer asks
// trackbot to wait.
package wire

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// timeLayouts are the spellings of a time seen in tracking payloads, the
// first zonedLayouts of them with an offset and the others without;
// fractional seconds are accepted by all of them.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

const zonedLayouts = 4

// placeholder reports a time of year 1, as written: "0001-01-01T00:00:00"
// is what APIs built on .NET or Go send for "no date", and read as a time
// it would be the zero time, which the engine takes for "unknown" and
// cannot order.
func placeholder(t time.Time) bool { return t.Year() <= 1 }

// Time reads a payload time into UTC. A time with an offset keeps its
// instant; a time without one is taken as UTC, which is right for fields
// documented as UTC (Shippo's status_date) and for estimated delivery
// dates, but not for a carrier's local scan time: LocalTime reads those.
// ok is false for an empty or unreadable time and for a placeholder of
// year 1.
func Time(s string) (t time.Time, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if placeholder(t) {
				return time.Time{}, false
			}
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// RetryAfter reads how long a 429 asks to wait: Retry-After in seconds or
// as an HTTP date, else X-RateLimit-Reset in seconds or, when that large, a
// Unix time; fallback when neither says. The wait is at least a second, so
// that a reset time in the past never turns into a busy retry loop.
func RetryAfter(h http.Header, now time.Time, fallback time.Duration) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
			return max(time.Duration(secs)*time.Second, time.Second)
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), time.Second)
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
			if n > 1e9 {
				return max(time.Unix(int64(n), 0).Sub(now), time.Second)
			}
			return max(time.Duration(n*float64(time.Second)), time.Second)
		}
	}
	return fallback
}
