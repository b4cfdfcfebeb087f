package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
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
//
// A chat's pushes go out in the order they were written: no push is handed
// out while an earlier pending push of its chat is leased, whoever holds
// that lease. When a notifier dies holding a chat's pushes, the chat's
// later ones wait until the lease ends, and are then claimed together with
// the earlier ones, in order. (A push held back on purpose — muted, in
// quiet hours — is not leased and holds nothing up.) On PostgreSQL claims
// take turns on a transaction-scoped advisory lock, so that a claim sees
// the leases of every claim before it; the sending that follows runs side
// by side.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxItem, error) {
	now = dbTime(now)
	var items []OutboxItem
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if s.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, outboxClaimLock); err != nil {
				return err
			}
		}
		return tx.SelectContext(ctx, &items, s.claimOutboxSQL(), now.Add(lease), now, limit)
	})
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

// outboxClaimLock is the advisory lock outbox claims take turns on
// (PostgreSQL): without it, two claims running at once would each see the
// other's rows as unleased, and one could take a chat's later push while
// the other takes the earlier one.
const outboxClaimLock int64 = 0x7472_6163_6b6f_7862 // "trackoxb"

// claimOutboxSQL leases due pending pushes ($1 lease end, $2 now, $3
// limit); it walks the outbox_due index, and outbox_chat for the earlier
// pushes of each chat.
func (s *Store) claimOutboxSQL() string {
	locking := ""
	if s.dialect == Postgres {
		locking = " FOR UPDATE OF o SKIP LOCKED"
	}
	return `UPDATE outbox SET lease_until = $1
		WHERE id IN (SELECT o.id FROM outbox o JOIN chats c ON c.id = o.chat_id
			WHERE o.state = 'pending' AND o.not_before <= $2 AND (o.lease_until IS NULL OR o.lease_until <= $2) AND c.active
				AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.chat_id = o.chat_id AND e.id < o.id
					AND e.state = 'pending' AND e.lease_until > $2)
			ORDER BY o.id LIMIT $3` + locking + `)
		RETURNING ` + outboxColumns
}

// ErrSharedDatabase is returned by TakeBackLeases when another live
// process works on the same SQLite database (a console beside a server):
// the leases may be its, and are left to run out.
var ErrSharedDatabase = errors.New("store: another trackbot process works on this SQLite database")

// TakeBackLeases ends, at start-up, the leases a previous run of this
// process left behind when it stopped without giving them back (a crash,
// a kill): on SQLite, when no other live process works on the database
// (this Store takes, and keeps until Close, the database's instance lock),
// every lease is a dead run's, and waiting them out would only hold its
// pushes, refreshes, kept carrier pushes and chat updates back. When
// another process holds that lock, it returns ErrSharedDatabase and ends
// nothing. On PostgreSQL, where leases may be another live replica's, it
// does nothing: a dead replica's leases are taken over when they run out.
// It reports how many leases it ended.
func (s *Store) TakeBackLeases(ctx context.Context) (int64, error) {
	if s.dialect != SQLite {
		return 0, nil
	}
	s.instanceMu.Lock()
	if s.instance == nil {
		release, ok, err := holdInstance(s.path)
		if err != nil || !ok {
			s.instanceMu.Unlock()
			if err == nil {
				err = ErrSharedDatabase
			}
			return 0, err
		}
		s.instance = release
	}
	s.instanceMu.Unlock()
	var n int64
	for _, q := range []string{
		`UPDATE outbox SET lease_until = NULL WHERE lease_until IS NOT NULL`,
		`UPDATE shipments SET lease_owner = '', lease_until = NULL WHERE lease_until IS NOT NULL`,
		`UPDATE carrier_pushes SET lease_owner = '', lease_until = NULL WHERE lease_until IS NOT NULL`,
		// Leases of chat updates taken and not handled (LeaseClaim);
		// the claims of handled ones stay.
		`DELETE FROM claims WHERE key LIKE 'lease:%'`,
	} {
		res, err := s.db.ExecContext(ctx, q)
		if err != nil {
			return n, fmt.Errorf("store: take back leases: %w", err)
		}
		k, _ := res.RowsAffected()
		n += k
	}
	return n, nil
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

// DeferUnconnected puts back, in one statement, those of the claimed
// pushes ids whose chat is on none of the platforms this process has
// connected, until notBefore, and returns their ids: a platform whose
// adapter is not running (a token removed, the console closed) would
// otherwise cost one write per push and round.
func (s *Store) DeferUnconnected(ctx context.Context, ids []int64, platforms []string, notBefore time.Time, reason string) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(platforms) == 0 {
		platforms = []string{""} // no platform: every chat is unconnected
	}
	query, args, err := sqlx.In(`UPDATE outbox SET not_before = ?, lease_until = NULL, last_error = ?
		WHERE id IN (?) AND chat_id IN (SELECT id FROM chats WHERE platform NOT IN (?)) RETURNING id`,
		dbTime(notBefore), reason, ids, platforms)
	if err != nil {
		return nil, err
	}
	var deferred []int64
	if err := s.db.SelectContext(ctx, &deferred, s.rebind(query), args...); err != nil {
		return nil, fmt.Errorf("store: defer pushes of unconnected platforms: %w", err)
	}
	return deferred, nil
}

// DeferMany is Defer, by choice (not an attempt), for many pushes in one
// statement.
func (s *Store) DeferMany(ctx context.Context, ids []int64, notBefore time.Time, reason string) error {
	if len(ids) == 0 {
		return nil
	}
	query, args, err := sqlx.In(`UPDATE outbox SET not_before = ?, lease_until = NULL, last_error = ? WHERE id IN (?)`,
		dbTime(notBefore), reason, ids)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, s.rebind(query), args...); err != nil {
		return fmt.Errorf("store: defer %d pushes: %w", len(ids), err)
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
