package limiter

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// TestReserveSpacesActions: a burst at once, then one every 1/limit.
func TestReserveSpacesActions(t *testing.T) {
	k := NewKeyed[string](1, 2)
	for i, want := range []time.Duration{0, 0, time.Second, 2 * time.Second} {
		if got := k.Reserve("a", t0); got != want {
			t.Errorf("reservation %d: wait %v, want %v", i, got, want)
		}
	}
	if got := k.Reserve("b", t0); got != 0 {
		t.Errorf("another key waits %v behind a busy one", got)
	}
}

// TestIdleKeysAreForgotten: keys whose buckets have filled up again are
// dropped at the next sweep; a key still refilling is kept.
func TestIdleKeysAreForgotten(t *testing.T) {
	k := NewKeyed[int](rate.Every(2*time.Second), 10) // full again 20 s after the last use
	for key := range 10_000 {
		k.Allow(key, t0)
	}
	if n := k.len(); n != 10_000 {
		t.Fatalf("%d keys remembered, want 10000", n)
	}
	for range 10 {
		k.Allow(-1, t0.Add(15*time.Second)) // -1 is not full at 20 s
	}
	for _, tc := range []struct {
		at   time.Duration
		want int
	}{
		{19 * time.Second, 10_002}, // nobody full yet
		{21 * time.Second, 2},      // -1 (refilling) and the key asking
		{36 * time.Second, 2},      // -1 is full at 35 s, but the next sweep is due at 41 s
		{42 * time.Second, 1},      // only the key asking
	} {
		k.Allow(-2, t0.Add(tc.at))
		if n := k.len(); n != tc.want {
			t.Errorf("after %v: %d keys remembered, want %d", tc.at, n, tc.want)
		}
	}
}

// TestRateHoldsAcrossEviction: the limiter decides exactly as a limiter
// per key that is never forgotten would, over a long random run with many
// keys coming and going, so forgetting keys never lets one act more often.
func TestRateHoldsAcrossEviction(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit rate.Limit
		burst int
	}{
		{"one a second, burst 3", 1, 3},
		{"one every 2 s, burst 10", rate.Every(2 * time.Second), 10},
		{"twenty a minute, burst 3", rate.Every(3 * time.Second), 3},
		{"28 a second, burst 1", 28, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			k := NewKeyed[int](tc.limit, tc.burst)
			reference := map[int]*rate.Limiter{}
			now := t0
			forgotten := 0
			for i := range 20_000 {
				now = now.Add(time.Duration(rng.IntN(int(50 * time.Millisecond))))
				if rng.IntN(200) == 0 {
					// A quiet spell, long enough for some buckets to fill up.
					now = now.Add(time.Duration(rng.IntN(int(40 * time.Second))))
				}
				key := rng.IntN(40)
				ref, ok := reference[key]
				if !ok {
					ref = rate.NewLimiter(tc.limit, tc.burst)
					reference[key] = ref
				}
				if rng.IntN(2) == 0 {
					if got, want := k.Allow(key, now), ref.AllowN(now, 1); got != want {
						t.Fatalf("step %d: Allow(%d) = %v, a never-forgotten limiter says %v", i, key, got, want)
					}
				} else {
					if got, want := k.Reserve(key, now), ref.ReserveN(now, 1).DelayFrom(now); got != want {
						t.Fatalf("step %d: Reserve(%d) = %v, a never-forgotten limiter says %v", i, key, got, want)
					}
				}
				if k.len() < len(reference) {
					forgotten++
				}
			}
			if forgotten == 0 {
				t.Error("no key was ever forgotten; the test proves nothing about eviction")
			}
		})
	}
}

// TestConcurrentUse: many goroutines share a few keys at one instant;
// each key lets exactly its burst through.
func TestConcurrentUse(t *testing.T) {
	const keys, burst = 5, 7
	k := NewKeyed[int](1, burst)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		allowed = map[int]int{}
		waited  = map[int]int{}
	)
	for g := range 16 {
		wg.Go(func() {
			for i := range 500 {
				key := (g + i) % keys
				ok := k.Allow(key, t0)
				late := k.Reserve(key+keys, t0) > 0
				mu.Lock()
				if ok {
					allowed[key]++
				}
				if !late {
					waited[key+keys]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for key := range keys {
		if allowed[key] != burst {
			t.Errorf("key %d allowed %d times at one instant, want %d", key, allowed[key], burst)
		}
		if waited[key+keys] != burst {
			t.Errorf("key %d reserved %d times without waiting, want %d", key+keys, waited[key+keys], burst)
		}
	}
}
