package telegram

import (
	"context"
	"slices"
	"sync"
	"time"
)

// window keeps to Telegram's limit in all over any second, whatever the
// delays on the way: a message holds one of placesPerSecond places from
// the moment it is sent until a second after its answer came back. Since
// Telegram accepts a message between those two moments, no second of
// Telegram's can see more than placesPerSecond accepted messages: the
// places of all of them would be held at once. The even rate (globalRate)
// spreads the messages; the window is what makes a late request harmless,
// so that the rate can be close to Telegram's own.
type window struct {
	mu       sync.Mutex
	inflight int
	until    []time.Time   // when the places of answered messages come free, in order
	answered chan struct{} // closed when a message in flight is answered
}

// placesPerSecond is Telegram's limit in all.
const placesPerSecond = 30

func newWindow() *window { return &window{answered: make(chan struct{})} }

// acquire waits, by now and sleep, for a place.
func (w *window) acquire(ctx context.Context, now func() time.Time, sleep func(context.Context, time.Duration) error) error {
	for {
		w.mu.Lock()
		t := now()
		i := 0
		for i < len(w.until) && !w.until[i].After(t) {
			i++
		}
		w.until = w.until[i:]
		if w.inflight+len(w.until) < placesPerSecond {
			w.inflight++
			w.mu.Unlock()
			return nil
		}
		if len(w.until) > 0 {
			d := w.until[0].Sub(t)
			w.mu.Unlock()
			if err := sleep(ctx, d); err != nil {
				return err
			}
			continue
		}
		answered := w.answered
		w.mu.Unlock()
		select {
		case <-answered:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// release frees the place a second after the answer came back, at now.
func (w *window) release(now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inflight--
	free := now.Add(time.Second)
	i, _ := slices.BinarySearchFunc(w.until, free, func(a, b time.Time) int { return a.Compare(b) })
	w.until = slices.Insert(w.until, i, free)
	close(w.answered)
	w.answered = make(chan struct{})
}
