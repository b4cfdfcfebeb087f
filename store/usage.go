package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SpendQuota counts one request to a provider on a day (a UTC date,
// 2026-11-21) against a daily limit shared by every replica. It reports
// the requests used with this one, and false, without counting, when the
// limit is already reached.
func (s *Store) SpendQuota(ctx context.Context, provider, day string, limit int) (used int, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `INSERT INTO provider_usage (provider, day, used) VALUES ($1, $2, 1)
		ON CONFLICT (provider, day) DO UPDATE SET used = provider_usage.used + 1
		WHERE provider_usage.used < $3
		RETURNING used`, provider, day, limit).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		return limit, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: spend %s quota: %w", provider, err)
	}
	return used, true, nil
}

// PruneQuotas forgets the request counts of days before a day.
func (s *Store) PruneQuotas(ctx context.Context, before string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM provider_usage WHERE day < $1`, before); err != nil {
		return fmt.Errorf("store: prune quotas: %w", err)
	}
	return nil
}
