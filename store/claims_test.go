package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestLeaseClaimIsHeldUntilDoneOrExpired: ten replicas race for a leased
// piece of work and one takes it; while its lease runs the others find it
// busy, once it has ended another takes it over (the first taker died),
// and once the work is claimed as done nobody takes it again. A lease given
// back is free at once; a lease given back after it was taken over stays
// with the new holder.
func TestLeaseClaimIsHeldUntilDoneOrExpired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
		const lease = 2 * time.Minute
		take := func(key string, at time.Time) store.LeaseState {
			t.Helper()
			got, err := s.LeaseClaim(ctx, key, at, lease)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		states := make(chan store.LeaseState, 10)
		for range 10 {
			go func() {
				got, err := s.LeaseClaim(ctx, "telegram-update:1:7", now, lease)
				if err != nil {
					t.Error(err)
				}
				states <- got
			}()
		}
		count := map[store.LeaseState]int{}
		for range 10 {
			count[<-states]++
		}
		if count[store.Leased] != 1 || count[store.Busy] != 9 {
			t.Fatalf("ten racers got %v, want one Leased (%d) and nine Busy (%d)", count, store.Leased, store.Busy)
		}
		if got := take("telegram-update:1:7", now.Add(lease-time.Second)); got != store.Busy {
			t.Errorf("a second before the lease ends: %d, want Busy", got)
		}
		// The taker died: at the end of its lease another takes over.
		if got := take("telegram-update:1:7", now.Add(lease)); got != store.Leased {
			t.Fatalf("when the lease ends: %d, want Leased", got)
		}
		// The first taker, back from the dead, gives its lease back: the
		// new holder keeps it.
		if err := s.ReleaseLease(ctx, "telegram-update:1:7", now); err != nil {
			t.Fatal(err)
		}
		if got := take("telegram-update:1:7", now.Add(lease+time.Second)); got != store.Busy {
			t.Errorf("after a stale release: %d, want Busy", got)
		}
		if ok, err := s.Claim(ctx, "telegram-update:1:7", now.Add(lease+time.Second)); err != nil || !ok {
			t.Fatalf("completing: %v %v", ok, err)
		}
		for _, at := range []time.Duration{lease + 2*time.Second, 10 * lease} {
			if got := take("telegram-update:1:7", now.Add(at)); got != store.Done {
				t.Errorf("after completion, at +%v: %d, want Done", at, got)
			}
		}

		// Given back, a lease is free at once.
		if got := take("telegram-update:1:8", now); got != store.Leased {
			t.Fatalf("another key: %d, want Leased", got)
		}
		if err := s.ReleaseLease(ctx, "telegram-update:1:8", now); err != nil {
			t.Fatal(err)
		}
		if got := take("telegram-update:1:8", now.Add(time.Second)); got != store.Leased {
			t.Errorf("after the release: %d, want Leased", got)
		}
		// Work claimed for good without a lease is done.
		if ok, _ := s.Claim(ctx, "telegram-update:1:9", now); !ok {
			t.Fatal("a new key is free")
		}
		if got := take("telegram-update:1:9", now); got != store.Done {
			t.Errorf("a claimed key: %d, want Done", got)
		}
		// Leases are pruned with the claims.
		if n, err := s.PruneClaims(ctx, now.Add(time.Hour)); err != nil || n < 4 {
			t.Errorf("pruned %d (%v), want the claims and leases of 7, 8 and 9", n, err)
		}
		if got := take("telegram-update:1:7", now.Add(2*time.Hour)); got != store.Leased {
			t.Errorf("after pruning: %d, want Leased", got)
		}
	})
}
