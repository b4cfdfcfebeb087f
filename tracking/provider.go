package tracking

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Provider looks tracking numbers up at a carrier or an aggregator.
//
// Lookup returns the provider's normalized view of the number. It returns an
// error wrapping ErrNumberUnknown when the provider has nothing for the
// number, a *RateLimitError when the provider asks to slow down, and an error
// wrapping ErrUnavailable for timeouts and server failures; any other error
// is permanent for this query.
type Provider interface {
	Name() string
	Lookup(ctx context.Context, q Query) (*Result, error)
}

// BatchProvider is a Provider that can look up many numbers in one call.
// The results come back in the order of the queries; a number the provider
// does not know has a nil result.
type BatchProvider interface {
	Provider
	LookupBatch(ctx context.Context, qs []Query) ([]*Result, error)
}

// PushRegisterer is a Provider that can push updates to trackbot's webhook
// once a number is registered, so that the engine polls it only as a safety
// net.
type PushRegisterer interface {
	Provider
	Register(ctx context.Context, q Query) error
	Unregister(ctx context.Context, q Query) error
}

// LegFollower is a Provider that follows a parcel onto the later legs it
// names, as aggregators do: its answer for a shipment's own number also
// brings the later carriers' events (17TRACK lists every carrier's events,
// AfterShip its last-mile checkpoints). The engine then does not look such
// a leg up on its own, which would register it again and spend a unit of
// the provider's quota, while that answer keeps bringing the leg's events.
type LegFollower interface {
	Provider
	FollowsLegs() bool
}

// WebhookParser is a Provider that receives pushes at
// POST /webhooks/{name}. ParseWebhook verifies the request's signature and
// returns ErrBadSignature when it fails, and an error wrapping ErrBadPayload
// when a push that passed verification cannot be read (sending it again
// cannot help); otherwise it returns the results the push carries.
type WebhookParser interface {
	Provider
	ParseWebhook(header http.Header, body []byte) ([]*Result, error)
}

// Errors a Provider wraps so that the engine can tell outcomes apart.
var (
	ErrNumberUnknown = errors.New("tracking: number unknown to provider")
	ErrUnavailable   = errors.New("tracking: provider unavailable")
	ErrBadSignature  = errors.New("tracking: webhook signature mismatch")
	ErrBadPayload    = errors.New("tracking: webhook payload unreadable")
	ErrNoProvider    = errors.New("tracking: no provider for carrier")
)

// Refusal is a refused input's reason in the sender's terms, wrapping the
// class that decides the answer (ErrBadPayload, ErrNoProvider): an HTTP
// answer gives the Reason alone, not the packages the error went through.
type Refusal struct {
	Reason string
	Err    error
}

func (r *Refusal) Error() string { return r.Reason + ": " + r.Err.Error() }
func (r *Refusal) Unwrap() error { return r.Err }

// ReasonOf is the reason to give the sender of a refused input: a
// Refusal's own words, else the error's text.
func ReasonOf(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	return err.Error()
}

// RateLimitError is returned when a provider asks trackbot to wait.
type RateLimitError struct {
	Provider   string
	RetryAfter time.Duration
	// Daily is set when the provider's daily quota, not its rate, is spent.
	Daily bool
}

func (e *RateLimitError) Error() string {
	what := "rate limited"
	if e.Daily {
		what = "daily quota spent"
	}
	return fmt.Sprintf("tracking: %s %s, retry after %s", e.Provider, what, e.RetryAfter)
}

// Is makes errors.Is(err, ErrUnavailable) true for rate limits too, so
// callers that only care whether to retry later need one check.
func (e *RateLimitError) Is(target error) bool { return target == ErrUnavailable }
