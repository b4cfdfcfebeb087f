package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// OutboxItem is one push waiting to be sent.
type OutboxItem struct {
	ID             int64     `db:"id"`
	ChatID         int64     `db:"chat_id"`
	SubscriptionID *int64    `db:"subscription_id"`
	Kind           string    `db:"kind"`
	Payload        string    `db:"payload"`
	DedupeKey      string    `db:"dedupe_key"`
	Attempts       int       `db:"attempts"`
	CreatedAt      time.Time `db:"created_at"`
}

const outboxColumns = `id, chat_id, subscription_id, kind, payload, dedupe_key, attempts, created_at`

// ClaimOutbox leases up to limit pending pushes that are due, of active
// chats, oldest first. A claimed push is not handed out again until its
// lease runs out, so replicas never send one twice at the same time.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxItem, error) {
	now = dbTime(now)
	var items []OutboxItem
	err := s.db.SelectContext(ctx, &items, s.claimOutboxSQL(), now.Add(lease), now, limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	for i := range items {
		items[i].CreatedAt = items[i].CreatedAt.UTC()
	}
	// RETURNING does not keep the subquery's order.
	slices.SortFunc(items, func(a, b OutboxItem) int { return cmp.Compare(a.ID, b.ID) })
	return items, nil
}

// claimOutboxSQL leases due pending pushes ($1 lease end, $2 now, $3
// limit); it walks the outbox_due index.
func (s *Store) claimOutboxSQL() string {
	locking := ""
	if s.dialect == Postgres {
		locking = " FOR UPDATE OF o SKIP LOCKED"
	}
	return `UPDATE outbox SET lease_until = $1
		WHERE id IN (SELECT o.id FROM outbox o JOIN chats c ON c.id = o.chat_id
			WHERE o.state = 'pending' AND o.not_before <= $2 AND (o.lease_until IS NULL OR o.lease_until <= $2) AND c.active
			ORDER BY o.id LIMIT $3` + locking + `)
		RETURNING ` + outboxColumns
}

// MarkSent records that the platform accepted a push.
func (s *Store) MarkSent(ctx context.Context, id int64, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = 'sent', sent_at = $1, lease_until = NULL,
		attempts = attempts + 1 WHERE id = $2`, dbTime(now), id); err != nil {
		return fmt.Errorf("store: mark push %d sent: %w", id, err)
	}
	return nil
}

// Defer puts a push back until notBefore. attempted counts the deferral as
// a failed attempt (a platform error) rather than a wait by choice (mute,
// quiet hours).
func (s *Store) Defer(ctx context.Context, id int64, notBefore time.Time, attempted bool, reason string) error {
	inc := 0
	if attempted {
		inc = 1
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE outbox SET not_before = $1, lease_until = NULL, attempts = attempts + $2,
		last_error = $3 WHERE id = $4`, dbTime(notBefore), inc, reason, id); err != nil {
		return fmt.Errorf("store: defer push %d: %w", id, err)
	}
	return nil
}

// FailPush gives up on a push after repeated failures.
func (s *Store) FailPush(ctx context.Context, id int64, reason string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = 'failed', lease_until = NULL, attempts = attempts + 1,
		last_error = $1 WHERE id = $2`, reason, id); err != nil {
		return fmt.Errorf("store: fail push %d: %w", id, err)
	}
	return nil
}

// ReleaseDeferred makes a chat's pushes that were held back for mute due
// now, once the chat or one of its shipments is unmuted.
func (s *Store) ReleaseDeferred(ctx context.Context, chatID int64, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE outbox SET not_before = $1 WHERE chat_id = $2 AND state = 'pending' AND not_before > $1`,
		dbTime(now), chatID); err != nil {
		return fmt.Errorf("store: release deferred pushes: %w", err)
	}
	return nil
}

// OutboxCounts reports a chat's pushes by state, for tests and /metrics.
func (s *Store) OutboxCounts(ctx context.Context, chatID int64) (map[string]int, error) {
	var rows []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT state, COUNT(*) AS n FROM outbox WHERE chat_id = $1 GROUP BY state`, chatID); err != nil {
		return nil, fmt.Errorf("store: outbox counts: %w", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

// PendingPushes counts the pushes waiting in the outbox, of every chat.
func (s *Store) PendingPushes(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM outbox WHERE state = 'pending'`); err != nil {
		return 0, fmt.Errorf("store: count pending pushes: %w", err)
	}
	return n, nil
}

// pruneOutboxSQL deletes the dealt-with pushes older than $1 through the
// outbox_done_created index; the outbox keeps 30 days of them.
const pruneOutboxSQL = `DELETE FROM outbox WHERE state <> 'pending' AND created_at < $1`

// PruneOutbox deletes pushes that were sent, given up or dropped before
// the given time; they only served as a record.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, pruneOutboxSQL, dbTime(before))
	if err != nil {
		return 0, fmt.Errorf("store: prune outbox: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
