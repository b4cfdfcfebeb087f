package store

import (
	"context"
	"fmt"
	"time"
)

// Claim takes the piece of work named key, once for all replicas and
// restarts: it reports true to the first caller and false to every later
// one, until the claim is released or pruned. Keys name the work and its
// scope, such as "slack-event:Ev0PV52K21" or "slack-digest:7:2026-11-21".
func (s *Store) Claim(ctx context.Context, key string, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO claims (key, created_at) VALUES ($1, $2)
		ON CONFLICT (key) DO NOTHING`, key, dbTime(now))
	if err != nil {
		return false, fmt.Errorf("store: claim %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: claim %s: %w", key, err)
	}
	return n == 1, nil
}

// Release gives a claim back, so that the work it guarded may be tried
// again: the caller took it and then failed to do it.
func (s *Store) Release(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM claims WHERE key = $1`, key); err != nil {
		return fmt.Errorf("store: release %s: %w", key, err)
	}
	return nil
}

// PruneClaims forgets the claims made before a time, returning how many.
func (s *Store) PruneClaims(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM claims WHERE created_at < $1`, dbTime(before))
	if err != nil {
		return 0, fmt.Errorf("store: prune claims: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// LeaseState is what LeaseClaim found.
type LeaseState int

const (
	// Leased: the caller holds the work until its lease ends, it completes
	// the work with Claim, or gives it back with ReleaseLease.
	Leased LeaseState = iota + 1
	// Done: the work was completed (Claim of the key), by this caller or
	// another, and must not be done again.
	Done
	// Busy: another caller holds an unexpired lease on it; ask again later.
	Busy
)

// LeaseClaim takes the work named key for the time lease, for work that
// must be done once and must not be lost when its taker dies before doing
// it (a chat update received and not handled yet): the first caller gets
// Leased; every other gets Busy while the lease runs, and the first to ask
// after it ended takes the work over; once the work is done, Claim(key)
// records it and everyone gets Done. The lease is a claim row of its own,
// named leaseKey(key), whose created_at is when it was taken; both rows
// are pruned with the other claims.
func (s *Store) LeaseClaim(ctx context.Context, key string, now time.Time, lease time.Duration) (LeaseState, error) {
	now = dbTime(now)
	// One statement, so that no completion slips between the check of the
	// work's claim and the taking of the lease; on PostgreSQL a caller
	// racing for the same expired lease waits for the row and then finds
	// it taken.
	res, err := s.db.ExecContext(ctx, `INSERT INTO claims (key, created_at)
		SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM claims WHERE key = $3)
		ON CONFLICT (key) DO UPDATE SET created_at = excluded.created_at
		WHERE claims.created_at <= $4`, leaseKey(key), now, key, dbTime(now.Add(-lease)))
	if err != nil {
		return 0, fmt.Errorf("store: lease %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: lease %s: %w", key, err)
	}
	if n == 1 {
		return Leased, nil
	}
	var done bool
	if err := s.db.GetContext(ctx, &done, `SELECT EXISTS (SELECT 1 FROM claims WHERE key = $1)`, key); err != nil {
		return 0, fmt.Errorf("store: lease %s: %w", key, err)
	}
	if done {
		return Done, nil
	}
	return Busy, nil
}

// ReleaseLease gives back a lease taken at taken by LeaseClaim without
// doing the work, so that it may be taken again at once. A lease that
// ended and was taken over since is left to its new holder.
func (s *Store) ReleaseLease(ctx context.Context, key string, taken time.Time) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM claims WHERE key = $1 AND created_at = $2`,
		leaseKey(key), dbTime(taken)); err != nil {
		return fmt.Errorf("store: release lease %s: %w", key, err)
	}
	return nil
}

// leaseKey names the claim row that holds key's lease.
func leaseKey(key string) string { return "lease:" + key }
