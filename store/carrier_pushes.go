package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/gob"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/trackbot/trackbot/tracking"
)

// encodeResults is the store's own encoding of a push's results. gob
// keeps every exported field, the ones the JSON of an event leaves out
// (the number it was reported for, an approximate time) included, and a
// kept push lives seconds, not across versions.
func encodeResults(results []*tracking.Result) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(results); err != nil {
		return nil, fmt.Errorf("store: encode a carrier push: %w", err)
	}
	return buf.Bytes(), nil
}

func decodeResults(data []byte) ([]*tracking.Result, error) {
	var results []*tracking.Result
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&results); err != nil {
		return nil, fmt.Errorf("store: decode a carrier push: %w", err)
	}
	return results, nil
}

// QueueCarrierPush keeps a verified push's results, in one INSERT, and
// returns its ID. With an owner, the push is leased to it until until
// from the start (the process that kept it merges it at once, from
// memory); without, it waits for TakeCarrierPushes.
func (s *Store) QueueCarrierPush(ctx context.Context, provider string, results []*tracking.Result, now time.Time, owner string, until *time.Time) (int64, error) {
	data, err := encodeResults(results)
	if err != nil {
		return 0, err
	}
	var id []int64
	if err := s.selectP(ctx, nil, &id, `INSERT INTO carrier_pushes (provider, results, received_at, lease_owner, lease_until)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, provider, data, dbTime(now), owner, dbTimePtr(until)); err != nil {
		return 0, fmt.Errorf("store: keep a push from %s: %w", provider, err)
	}
	if len(id) != 1 {
		return 0, fmt.Errorf("store: keep a push from %s: no id", provider)
	}
	return id[0], nil
}

// TakeCarrierPushes leases to owner, until until, up to limit kept pushes
// that nobody else holds (no lease, or one that ran out by now), oldest
// first, and returns them in the order they came in.
func (s *Store) TakeCarrierPushes(ctx context.Context, owner string, now, until time.Time, limit int) ([]tracking.KeptPush, error) {
	locking := ""
	if s.dialect == Postgres {
		locking = " FOR UPDATE SKIP LOCKED"
	}
	var rows []struct {
		ID         int64     `db:"id"`
		Provider   string    `db:"provider"`
		Results    []byte    `db:"results"`
		ReceivedAt time.Time `db:"received_at"`
		Taken      int       `db:"taken"`
	}
	if err := s.selectP(ctx, nil, &rows, `UPDATE carrier_pushes SET lease_owner = $1, lease_until = $2, taken = taken + 1
		WHERE id IN (SELECT id FROM carrier_pushes WHERE lease_until IS NULL OR lease_until <= $3
			ORDER BY id LIMIT $4`+locking+`)
		RETURNING id, provider, results, received_at, taken`, owner, dbTime(until), dbTime(now), limit); err != nil {
		return nil, fmt.Errorf("store: take carrier pushes: %w", err)
	}
	pushes := make([]tracking.KeptPush, 0, len(rows))
	for _, r := range rows {
		// A push that cannot be read back is handed over as such, to be
		// given up, rather than holding up the ones after it.
		results, err := decodeResults(r.Results)
		pushes = append(pushes, tracking.KeptPush{ID: r.ID, Provider: r.Provider, Results: results,
			ReceivedAt: r.ReceivedAt.UTC(), Taken: r.Taken, Unreadable: err})
	}
	// RETURNING promises no order.
	slices.SortFunc(pushes, func(a, b tracking.KeptPush) int { return cmp.Compare(a.ID, b.ID) })
	return pushes, nil
}

// DoneCarrierPushes deletes pushes that were merged, in one statement.
func (s *Store) DoneCarrierPushes(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	query, args, err := sqlx.In(`DELETE FROM carrier_pushes WHERE id IN (?)`, ids)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, s.rebind(query), args...); err != nil {
		return fmt.Errorf("store: delete merged carrier pushes: %w", err)
	}
	return nil
}

// QueuedCarrierPushes counts the pushes kept and not merged yet.
func (s *Store) QueuedCarrierPushes(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM carrier_pushes`); err != nil {
		return 0, fmt.Errorf("store: count kept carrier pushes: %w", err)
	}
	return n, nil
}
