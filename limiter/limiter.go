// Package limiter keeps a rate limit per key — per chat, per group — for
// any number of keys in bounded memory.
//
// It sits below both bot and the adapters (it imports nothing of
// trackbot's), so that the conversation core and every platform adapter
// use the same type without either importing the other.
package limiter

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Keyed is a token bucket per key: each key may act burst times at once,
// then at limit a second. Time is passed in by the caller, so a fake clock
// drives it in tests.
//
// A key whose bucket has filled up again is forgotten: a fresh bucket is
// full too, so forgetting it never lets the key act more often than the
// limit allows. Memory thus holds only the keys that acted within about one
// refill time (burst / limit). A Keyed is safe for concurrent use.
type Keyed[K comparable] struct {
	limit  rate.Limit
	burst  int
	refill time.Duration // from empty to full; how often idle keys are swept

	mu        sync.Mutex
	keys      map[K]*rate.Limiter
	nextSweep time.Time
}

// NewKeyed returns a limiter that lets each key act burst times at once and
// then limit times a second. limit must be positive and finite, and burst
// at least one.
func NewKeyed[K comparable](limit rate.Limit, burst int) *Keyed[K] {
	if limit <= 0 || limit == rate.Inf || burst < 1 {
		panic("limiter: NewKeyed needs a positive, finite limit and a burst of at least one")
	}
	refill := time.Duration(float64(burst) / float64(limit) * float64(time.Second))
	return &Keyed[K]{limit: limit, burst: burst, refill: max(refill, time.Millisecond), keys: map[K]*rate.Limiter{}}
}

// Allow reports whether key may act at now; when it may, it takes one of
// the key's tokens.
func (k *Keyed[K]) Allow(key K, now time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.bucket(key, now).AllowN(now, 1)
}

// Reserve takes one of the key's tokens at now, ahead of time when none is
// left, and returns how long the caller must wait before it acts: zero when
// it may act at once. The caller must then act, since the token is spent.
func (k *Keyed[K]) Reserve(key K, now time.Time) time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.bucket(key, now).ReserveN(now, 1).DelayFrom(now)
}

// bucket returns key's bucket, making a full one for a key it does not
// know, and sweeps full buckets out once every refill time.
func (k *Keyed[K]) bucket(key K, now time.Time) *rate.Limiter {
	if !now.Before(k.nextSweep) {
		k.sweep(now)
	}
	l, ok := k.keys[key]
	if !ok {
		l = rate.NewLimiter(k.limit, k.burst)
		k.keys[key] = l
	}
	return l
}

// sweep forgets every key whose bucket is full at now.
func (k *Keyed[K]) sweep(now time.Time) {
	full := float64(k.burst)
	for key, l := range k.keys {
		if l.TokensAt(now) >= full {
			delete(k.keys, key)
		}
	}
	k.nextSweep = now.Add(k.refill)
}

// len reports how many keys are remembered.
func (k *Keyed[K]) len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.keys)
}
