package telegram

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestWindowHoldsAPlaceUntilASecondAfterTheAnswer takes thirty places at
// once; the thirty-first waits for an answer, then until a second after
// it, however late the answer came, so that Telegram never sees thirty-one
// messages within a second.
func TestWindowHoldsAPlaceUntilASecondAfterTheAnswer(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var slept []time.Duration
	sleep := func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		slept = append(slept, d)
		now = now.Add(d)
		return nil
	}
	w := newWindow()
	ctx := context.Background()
	for i := range placesPerSecond {
		if err := w.acquire(ctx, clock, sleep); err != nil {
			t.Fatal(i, err)
		}
	}
	if len(slept) != 0 {
		t.Fatalf("the first %d messages waited %v", placesPerSecond, slept)
	}
	got := make(chan error)
	go func() { got <- w.acquire(ctx, clock, sleep) }()
	select {
	case err := <-got:
		t.Fatalf("the thirty-first message went out with thirty unanswered (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	// The first answer comes back 700 ms late.
	mu.Lock()
	now = now.Add(700 * time.Millisecond)
	answered := now
	mu.Unlock()
	w.release(answered)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if len(slept) != 1 || slept[0] != time.Second {
		t.Errorf("the thirty-first message waited %v, want a second after the first answer", slept)
	}
	if sent := clock(); sent.Sub(answered) < time.Second {
		t.Errorf("the thirty-first message went out %v after the first answer, want a second", sent.Sub(answered))
	}
}
