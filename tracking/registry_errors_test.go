package tracking_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// refusedError is a provider's own error type, such as a refused API key.
type refusedError struct{ status int }

func (e *refusedError) Error() string { return fmt.Sprintf("refused with %d", e.status) }

var errBadKey = errors.New("bad api key")

// TestLookupErrorsStayInspectable: when no provider answers, the lookup's
// error names each provider's failure and errors.Is and errors.As reach
// every one of them — except a provider's "number unknown", which is the
// lookup's verdict only when all providers say so.
func TestLookupErrorsStayInspectable(t *testing.T) {
	const number = "1Z999AA10123456784"
	unknown := fmt.Errorf("p: %w", tracking.ErrNumberUnknown)
	limited := &tracking.RateLimitError{Provider: "second", RetryAfter: time.Minute}
	timeout := fmt.Errorf("p: %w: %w", tracking.ErrUnavailable, context.DeadlineExceeded)
	refused := fmt.Errorf("p: %w", &refusedError{status: 401})
	for _, tc := range []struct {
		name          string
		first, second error
		is            []error // errors.Is holds
		isNot         []error // errors.Is does not
		refused       bool    // errors.As finds the *refusedError
		limitedBy     string  // errors.As finds a *RateLimitError of this provider
	}{
		{name: "one provider's own error", first: refused, second: fmt.Errorf("p: %w", errBadKey),
			is: []error{errBadKey}, isNot: []error{tracking.ErrNumberUnknown, tracking.ErrUnavailable}, refused: true},
		{name: "unknown everywhere", first: unknown, second: unknown,
			is: []error{tracking.ErrNumberUnknown}, isNot: []error{tracking.ErrUnavailable}},
		{name: "unknown and refused", first: unknown, second: refused,
			isNot: []error{tracking.ErrNumberUnknown, tracking.ErrUnavailable}, refused: true},
		{name: "unknown and rate limited", first: unknown, second: limited,
			is: []error{tracking.ErrUnavailable}, isNot: []error{tracking.ErrNumberUnknown}, limitedBy: "second"},
		{name: "timed out and refused", first: timeout, second: refused,
			is: []error{tracking.ErrUnavailable, context.DeadlineExceeded}, isNot: []error{tracking.ErrNumberUnknown}, refused: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, second := trackingtest.NewProvider("first"), trackingtest.NewProvider("second")
			first.Fail(number, tc.first)
			second.Fail(number, tc.second)
			r := tracking.NewRegistry(tracking.NewFakeClock(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)))
			r.AddCarrier(first, "ups")
			r.AddCarrier(second, "ups")
			_, err := r.Lookup(context.Background(), tracking.Query{Number: number, Carrier: "ups"})
			if err == nil {
				t.Fatal("Lookup succeeded, want both providers' failures")
			}
			for _, want := range []string{number, "first: " + tc.first.Error(), "second: " + tc.second.Error()} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			for _, target := range tc.is {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false, want true", err, target)
				}
			}
			for _, target := range tc.isNot {
				if errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = true, want false", err, target)
				}
			}
			var ref *refusedError
			if errors.As(err, &ref) != tc.refused || tc.refused && ref.status != 401 {
				t.Errorf("errors.As(%v, *refusedError) = %v, want %v", err, ref, tc.refused)
			}
			var rl *tracking.RateLimitError
			if got := errors.As(err, &rl); got != (tc.limitedBy != "") || got && rl.Provider != tc.limitedBy {
				t.Errorf("errors.As(%v, *RateLimitError) = %v, want one of %q", err, rl, tc.limitedBy)
			}
		})
	}
}
