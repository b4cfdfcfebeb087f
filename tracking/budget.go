package tracking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// budget keeps one provider within its request rate and daily quota, and
// stops calling it for a while after repeated outages (a circuit breaker).
// The rate and the breaker are per process; the daily quota is shared by
// the replicas when the registry has a QuotaCounter.
type budget struct {
	limiter *rate.Limiter
	perDay  int

	mu       sync.Mutex
	day      string
	used     int
	failures int
	openTill time.Time
	warned   bool

	// queued counts the requests waiting in the limiter, for tests that
	// pause a provider while requests queue.
	queued atomic.Int32
}

// QuotaCounter counts a provider's requests of a day for every replica
// together; the store is one.
type QuotaCounter interface {
	// SpendQuota counts one request against limit, reporting the requests
	// used with it, or false when the limit is already reached.
	SpendQuota(ctx context.Context, provider, day string, limit int) (used int, ok bool, err error)
}

// breakerThreshold consecutive outages open the breaker for breakerCooldown.
const (
	breakerThreshold = 5
	breakerCooldown  = 2 * time.Minute
)

func newBudget(perSecond float64, perDay int) *budget {
	lim := rate.Inf
	if perSecond > 0 {
		lim = rate.Limit(perSecond)
	}
	// A burst of one spaces requests evenly: a burst of perSecond let a
	// second see twice the rate (the burst, then the refill), which
	// providers counting per second answer with 429s.
	return &budget{limiter: rate.NewLimiter(lim, 1), perDay: perDay}
}

// pacerKey is the context key of a provider call's pacer.
type pacerKey struct{}

// pacer spends the budget of one provider call request by request: the
// call's first request was paid when the call was admitted, every further
// one waits for a rate token of its own and spends one request of the
// daily quota.
type pacer struct {
	budget   *budget
	provider string
	clock    Clock
	shared   QuotaCounter

	mu   sync.Mutex
	paid int
}

// withPacer returns ctx for a call admitted under b, whose first request
// is paid.
func (b *budget) withPacer(ctx context.Context, provider string, clock Clock, shared QuotaCounter) context.Context {
	return context.WithValue(ctx, pacerKey{}, &pacer{budget: b, provider: provider, clock: clock, shared: shared, paid: 1})
}

// Pace waits until the provider call that ctx belongs to may send one more
// HTTP request within its provider's rate, and spends one request of its
// daily quota. Providers that send several requests for one call (17TRACK:
// 40 numbers a request, registering those it does not know) call it
// before each, through wire.Call, so that the budget counts requests, not
// calls. It returns a *RateLimitError when the quota is spent or the
// provider is paused. Outside a budgeted call it returns at once.
func Pace(ctx context.Context) error {
	p, _ := ctx.Value(pacerKey{}).(*pacer)
	if p == nil {
		return nil
	}
	p.mu.Lock()
	if p.paid > 0 {
		p.paid--
		p.mu.Unlock()
		return nil
	}
	p.mu.Unlock()
	if err := p.budget.take(ctx, p.provider, p.clock, p.shared); err != nil {
		var rl *RateLimitError
		if errors.As(err, &rl) {
			return err
		}
		// Like a request the context cut short: the call may succeed later.
		return fmt.Errorf("tracking: pace request: %w: %w", ErrUnavailable, err)
	}
	return nil
}

// take spends one request of the budget, waiting for the rate limiter. It
// returns a *RateLimitError when the daily quota is spent and while the
// provider is paused (the breaker is open, or it asked to wait). The pause
// is checked again once the limiter lets the request go, with the time
// read then: a request that queued before a 429 or a tripped breaker must
// not leave inside the pause. With a shared counter the daily quota counts
// every replica's requests; when the counter cannot be reached, this
// process counts alone meanwhile.
func (b *budget) take(ctx context.Context, provider string, clock Clock, shared QuotaCounter) error {
	if err := b.paused(provider, clock.Now()); err != nil {
		return err
	}
	b.queued.Add(1)
	err := b.limiter.Wait(ctx)
	b.queued.Add(-1)
	if err != nil {
		return err
	}
	now := clock.Now()
	b.mu.Lock()
	day := now.UTC().Format(time.DateOnly)
	if day != b.day {
		b.day, b.used, b.warned = day, 0, false
	}
	if now.Before(b.openTill) {
		b.mu.Unlock()
		return &RateLimitError{Provider: provider, RetryAfter: b.openTill.Sub(now)}
	}
	spent := b.perDay > 0 && b.used >= b.perDay
	if b.perDay > 0 && !spent && shared != nil {
		b.mu.Unlock()
		used, ok, err := shared.SpendQuota(ctx, provider, day, b.perDay)
		b.mu.Lock()
		switch {
		case err != nil:
			slog.WarnContext(ctx, "shared provider quota unreachable; counting in this process", "provider", provider, "err", err)
			b.used++
		case !ok:
			b.used, spent = b.perDay, true
		default:
			b.used = used
		}
	} else if !spent {
		b.used++
	}
	if spent {
		if !b.warned {
			b.warned = true
			slog.Warn("provider daily quota spent; polling slows until it renews", "provider", provider, "quota", b.perDay)
		}
		b.mu.Unlock()
		midnight := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
		return &RateLimitError{Provider: provider, RetryAfter: midnight.Sub(now), Daily: true}
	}
	b.mu.Unlock()
	return nil
}

// paused returns a *RateLimitError while the provider is paused at now,
// so that a paused provider's requests do not queue in the limiter.
func (b *budget) paused(provider string, now time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Before(b.openTill) {
		return &RateLimitError{Provider: provider, RetryAfter: b.openTill.Sub(now)}
	}
	return nil
}

// maxPause caps how long a provider's own "retry after" pauses all calls
// to it, so that a wrong or huge value cannot stop tracking for good.
const maxPause = 24 * time.Hour

// record notes the outcome of a call: a provider that asked to wait (429
// with Retry-After, a spent quota) is left alone that long for every
// number, and repeated outages open the breaker.
func (b *budget) record(provider string, err error, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var rl *RateLimitError
	if errors.As(err, &rl) && rl.RetryAfter > 0 {
		if till := now.Add(min(rl.RetryAfter, maxPause)); till.After(b.openTill) {
			b.openTill = till
		}
	}
	if err == nil || !isOutage(err) {
		b.failures = 0
		return
	}
	b.failures++
	if b.failures >= breakerThreshold {
		b.openTill = now.Add(breakerCooldown)
		b.failures = 0
		slog.Warn("provider failing; pausing calls to it", "provider", provider, "for", breakerCooldown)
	}
}

// remaining reports the requests left today, or -1 for no daily quota.
func (b *budget) remaining(now time.Time) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.perDay <= 0 {
		return -1
	}
	if now.UTC().Format(time.DateOnly) != b.day {
		return b.perDay
	}
	return b.perDay - b.used
}

// isOutage reports a failure that says nothing about the number: a
// timeout, a server error, a refused connection.
func isOutage(err error) bool {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return false
	}
	return errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded)
}
