package tracking

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Clock tells the time. The engine never reads the wall clock directly, so
// that stall rules and schedules are tested without sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// maxBackoff is the longest wait between two failing rounds of a loop
// (unless its tick is longer).
const maxBackoff = time.Minute

// Every calls round at once and then every tick until ctx ends; it
// returns nil then. The background loops (scheduler, notifier, Slack
// digest) run on it, named by name in the log.
//
// A round that fails is logged and tried again later: after tick, then
// twice as long after each further failure in a row, up to a minute (or
// tick, when longer), so that a database outage neither floods the log nor
// hammers the database on its way back; one line is logged per step, with
// the wait. The first round that succeeds again is logged too, and brings
// the loop back to tick.
func Every(ctx context.Context, name string, tick time.Duration, round func(context.Context) error) error {
	return every(ctx, name, tick, round, Sleep, slog.Default())
}

// every is Every with the wait and the log handed in, for tests.
func every(ctx context.Context, name string, tick time.Duration, round func(context.Context) error,
	wait func(context.Context, time.Duration) error, log *slog.Logger) error {
	limit := max(maxBackoff, tick)
	failures := 0
	next := tick
	for {
		err := round(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			failures++
			if failures > 1 {
				next = min(2*next, limit)
			}
			log.ErrorContext(ctx, name+" failed", "err", err, "failures", failures, "retry_in", next)
		case failures > 0:
			log.InfoContext(ctx, name+" recovered", "after_failures", failures)
			failures, next = 0, tick
		}
		if wait(ctx, next) != nil {
			return nil
		}
	}
}

// Sleep waits for d or until ctx ends, and returns ctx's error then; a d
// that is not positive waits for nothing.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// FakeClock is a Clock that only moves when told to. It is safe for
// concurrent use.
type FakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFakeClock returns a FakeClock standing at t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{now: t.UTC()} }

// Now returns the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *FakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC()
}
