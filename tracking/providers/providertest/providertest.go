// Package providertest holds what the tests of every tracking provider
// share: fixtures and golden results under testdata, checks of the errors
// a provider returns, and checks that a provider's status mapping keeps
// the meaning of the vendor's taxonomy. Only tests import it.
package providertest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/tracking"
)

// ReadFile returns the fixture testdata/name of the package under test.
func ReadFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// GoldenJSON compares v, as indented JSON, with testdata/golden/name.json;
// run with -update to rewrite it.
func GoldenJSON(t testing.TB, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	expect.Golden(t, filepath.Join("testdata", "golden", name+".json"), append(got, '\n'))
}

// Reply is a handler that answers every request with code, header and body,
// as a vendor's API answers a failure.
func Reply(code int, body string, header http.Header) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// ErrCheck checks the error of a provider call.
type ErrCheck func(t *testing.T, err error)

// Is checks that the error is target, as errors.Is sees it.
func Is(target error) ErrCheck {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Errorf("error %v, want %v", err, target)
		}
	}
}

// Permanent checks that there is an error and that retrying cannot help:
// it is neither tracking.ErrUnavailable nor tracking.ErrNumberUnknown.
func Permanent(t *testing.T, err error) {
	t.Helper()
	if err == nil || errors.Is(err, tracking.ErrUnavailable) || errors.Is(err, tracking.ErrNumberUnknown) {
		t.Errorf("error %v, want a permanent error", err)
	}
}

// KeyRefused checks a permanent error that is refused (the provider's own
// sentinel) and says that the API key was refused.
func KeyRefused(refused error) ErrCheck {
	return func(t *testing.T, err error) {
		t.Helper()
		Permanent(t, err)
		if !errors.Is(err, refused) || !strings.Contains(fmtErr(err), "API key refused") {
			t.Errorf("error %v, want one that says the API key was refused", err)
		}
	}
}

// RateLimited checks a *tracking.RateLimitError from provider that asks
// for a pause of after (a daily quota when daily), and that reads as
// tracking.ErrUnavailable, so that callers who know nothing of rate limits
// retry later.
func RateLimited(provider string, after time.Duration, daily bool) ErrCheck {
	return func(t *testing.T, err error) {
		t.Helper()
		var rl *tracking.RateLimitError
		if !errors.As(err, &rl) {
			t.Fatalf("error %v, want a *tracking.RateLimitError", err)
		}
		if rl.Provider != provider || rl.RetryAfter != after || rl.Daily != daily {
			t.Errorf("rate limit %+v, want provider %s, retry after %s, daily %v", rl, provider, after, daily)
		}
		if !errors.Is(err, tracking.ErrUnavailable) {
			t.Errorf("rate limit %v does not read as ErrUnavailable", err)
		}
	}
}

// NoSecret fails the test when err shows any of secrets.
func NoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if err != nil && strings.Contains(err.Error(), s) {
			t.Errorf("error %q shows a secret", err)
		}
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// CompareResult reports the differences between two results field by
// field, so that a failure names the event that differs; every event time
// must be in UTC.
func CompareResult(t *testing.T, got, want *tracking.Result) {
	t.Helper()
	if len(got.Events) != len(want.Events) {
		t.Errorf("%d events, want %d", len(got.Events), len(want.Events))
	}
	for i := range min(len(got.Events), len(want.Events)) {
		if !reflect.DeepEqual(got.Events[i], want.Events[i]) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got.Events[i], want.Events[i])
		}
		if got.Events[i].Time.Location() != time.UTC {
			t.Errorf("event %d time %v is not in UTC", i, got.Events[i].Time)
		}
	}
	g, w := *got, *want
	g.Events, w.Events = nil, nil
	if !reflect.DeepEqual(g, w) {
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		t.Errorf("result:\n got %s\nwant %s", gb, wb)
	}
}

// UnknownCodeLoggedOnce runs classify three times with a code the
// provider's tables lack and checks that the code is logged once, naming
// the provider.
func UnknownCodeLoggedOnce(t *testing.T, provider, code string, classify func()) {
	t.Helper()
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	for range 3 {
		classify()
	}
	if n := strings.Count(buf.String(), code); n != 1 {
		t.Errorf("unknown code %s logged %d times, want once:\n%s", code, n, buf.String())
	}
	if !strings.Contains(buf.String(), "provider="+provider) {
		t.Errorf("log line lacks provider=%s:\n%s", provider, buf.String())
	}
}

// UTC parses an RFC 3339 time written in a test; it panics on a typo.
func UTC(ts string) *time.Time {
	tm, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		panic(err)
	}
	return &tm
}

// Event builds an expected event at ts, an RFC 3339 time.
func Event(ts string, st tracking.Status, sub tracking.Substatus, desc, city, state, country, carrier, number string) tracking.Event {
	return tracking.Event{
		Time: *UTC(ts), Status: st, Substatus: sub, Description: desc,
		Location: tracking.Location{City: city, State: state, Country: country},
		Carrier:  carrier, Number: number,
	}
}

// WantEvent is an event as a test expects it, its time in RFC 3339.
type WantEvent struct {
	Time    string
	Status  tracking.Status
	Sub     tracking.Substatus
	Loc     tracking.Location
	Carrier string
	Number  string
}

// CheckEvents compares events with what a test expects, in order, each
// time in UTC; on a different count it lists what it got.
func CheckEvents(t *testing.T, got []tracking.Event, want []WantEvent) {
	t.Helper()
	if len(got) != len(want) {
		for _, e := range got {
			t.Logf("  %s %s/%s %q", e.Time.Format(time.RFC3339), e.Status, e.Substatus, e.Description)
		}
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	for i, w := range want {
		e := got[i]
		if e.Time.Location() != time.UTC {
			t.Errorf("event %d: time zone %s, want UTC", i, e.Time.Location())
		}
		if ts := e.Time.Format(time.RFC3339); ts != w.Time {
			t.Errorf("event %d: time %s, want %s", i, ts, w.Time)
		}
		if e.Status != w.Status || e.Substatus != w.Sub {
			t.Errorf("event %d (%q): %s/%s, want %s/%s", i, e.Description, e.Status, e.Substatus, w.Status, w.Sub)
		}
		if e.Location != w.Loc {
			t.Errorf("event %d: location %+v, want %+v", i, e.Location, w.Loc)
		}
		if e.Carrier != w.Carrier || e.Number != w.Number {
			t.Errorf("event %d: carrier %q number %q, want %q %q", i, e.Carrier, e.Number, w.Carrier, w.Number)
		}
	}
}

// Want is a WantEvent, for tables of them.
func Want(ts string, st tracking.Status, sub tracking.Substatus, loc tracking.Location, carrier, number string) WantEvent {
	return WantEvent{Time: ts, Status: st, Sub: sub, Loc: loc, Carrier: carrier, Number: number}
}

// Server starts a fake vendor API, stopped when the test ends, that checks
// every request carries the credential (header set to value), answering
// 401 and failing the test otherwise, and hands the rest to h. It returns
// the server's base URL.
func Server(t *testing.T, header, value string, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get(header); got != value {
			t.Errorf("%s = %q", header, got)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Unreachable returns the base URL of a server that has already stopped:
// a connection to it is refused.
func Unreachable() string {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

// Silent returns the base URL of a server that takes every request and
// answers none, until the client gives up or the test ends.
func Silent(t *testing.T) string {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	// Cleanups run last first: the handlers return before Close waits for them.
	t.Cleanup(func() { close(release) })
	return srv.URL
}
