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
