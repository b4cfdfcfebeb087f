package tracking

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEveryBacksOffWhileRoundsFail: rounds that fail in a row wait twice
// as long each time, up to a minute, with one log line per step; the
// first round that works logs the recovery and goes back to the tick.
func TestEveryBacksOffWhileRoundsFail(t *testing.T) {
	down := errors.New("store: connection refused")
	tests := []struct {
		name    string
		tick    time.Duration
		results []error // of the rounds in turn; the loop ends after them
		waits   []time.Duration
		errors  int
	}{
		{
			name:    "a healthy loop waits the tick",
			tick:    time.Second,
			results: []error{nil, nil, nil},
			waits:   []time.Duration{time.Second, time.Second, time.Second},
		},
		{
			name:    "an outage doubles the wait up to a minute, then recovers",
			tick:    time.Second,
			results: []error{nil, down, down, down, down, down, down, down, down, nil, nil},
			waits: []time.Duration{time.Second, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
				16 * time.Second, 32 * time.Second, time.Minute, time.Minute, time.Second, time.Second},
			errors: 8,
		},
		{
			name:    "a failure after a recovery starts again from the tick",
			tick:    5 * time.Second,
			results: []error{down, down, nil, down},
			waits:   []time.Duration{5 * time.Second, 10 * time.Second, 5 * time.Second, 5 * time.Second},
			errors:  3,
		},
		{
			name:    "a tick longer than a minute is never shortened",
			tick:    2 * time.Minute,
			results: []error{down, down},
			waits:   []time.Duration{2 * time.Minute, 2 * time.Minute},
			errors:  2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var logged bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logged, nil))
			rounds := 0
			round := func(context.Context) error {
				err := tt.results[rounds]
				rounds++
				return err
			}
			var waits []time.Duration
			wait := func(ctx context.Context, d time.Duration) error {
				waits = append(waits, d)
				if len(waits) == len(tt.results) {
					cancel()
				}
				return ctx.Err()
			}
			if err := every(ctx, "test round", tt.tick, round, wait, log); err != nil {
				t.Fatalf("every: %v", err)
			}
			if !slices.Equal(waits, tt.waits) {
				t.Errorf("waits %v, want %v", waits, tt.waits)
			}
			if n := strings.Count(logged.String(), "level=ERROR"); n != tt.errors {
				t.Errorf("%d error lines, want one per failed round (%d):\n%s", n, tt.errors, logged.String())
			}
			recovered := strings.Count(logged.String(), "test round recovered")
			if want := recoveries(tt.results); recovered != want {
				t.Errorf("%d recovery lines, want %d:\n%s", recovered, want, logged.String())
			}
		})
	}
}

// recoveries counts the rounds that worked right after one that failed.
func recoveries(results []error) int {
	n := 0
	for i := 1; i < len(results); i++ {
		if results[i] == nil && results[i-1] != nil {
			n++
		}
	}
	return n
}

// TestEveryStopsWithItsContext: a round that fails because the loop is
// being stopped is not logged, and Every returns nil.
func TestEveryStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var logged bytes.Buffer
	round := func(ctx context.Context) error {
		cancel()
		return ctx.Err()
	}
	err := every(ctx, "test round", time.Second, round, func(context.Context, time.Duration) error {
		t.Error("waited after the context ended")
		return nil
	}, slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil || logged.Len() != 0 {
		t.Errorf("every: %v, logged %q", err, logged.String())
	}
}
