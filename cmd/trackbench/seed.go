package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"sync/atomic"
	"time"

	"github.com/trackbot/trackbot/store"
)

// target is a database to seed: a dialect and the URL given for it.
type target struct {
	dialect store.Dialect
	url     string
}

// benchDB is one seeded database of one size.
type benchDB struct {
	name       string // "postgres 1m"
	dialect    store.Dialect
	size       int
	chats      int
	url        string // DATABASE_URL reaching the seeded schema or file
	store      *store.Store
	statements *atomic.Int64
	seeded     time.Time // "now" of the seeded rows
	firstShip  int64
	firstChat  int64
	cmdChats   []string // external ids of the 500-parcel chats
	parcels    int      // parcels of each command chat
	reused     bool     // seeded by an earlier run (-reuse)
}

func (b *benchDB) Close() { b.store.Close() }

// shipmentNumber is the tracking number of the i-th seeded shipment,
// counted from 0.
func shipmentNumber(i int) string { return fmt.Sprintf("TB%d", 1000000000+i+1) }

// The seeded shipments are taken in ranges by the measurements, so that
// none disturbs another.
const (
	refreshFrom, refreshCount = 0, 1000
	claimFrom, claimCount     = 1000, 2000
	pushFrom                  = 3000
)

// openSeeded makes a fresh database of n shipments for t and seeds it in
// bulk.
func openSeeded(ctx context.Context, t target, n int, reuse bool, r *report) (*benchDB, error) {
	b := &benchDB{name: string(t.dialect) + " " + sizeName(n), dialect: t.dialect, size: n,
		chats: max(1, n/10), seeded: time.Now().UTC().Truncate(time.Second)}
	if reuse {
		if ok, err := b.reopen(ctx, t); ok || err != nil {
			b.reused = ok
			return b, err
		}
	}
	switch t.dialect {
	case store.Postgres:
		schema := "trackbench_" + sizeName(n)
		admin, err := sql.Open("postgres", t.url)
		if err != nil {
			return nil, err
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
			return nil, fmt.Errorf("drop schema: %w", err)
		}
		if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			return nil, fmt.Errorf("create schema: %w", err)
		}
		u, err := url.Parse(t.url)
		if err != nil {
			return nil, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		b.url = u.String()
	case store.SQLite:
		b.url = t.url
		path := t.url[len("sqlite:"):]
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			os.Remove(p)
		}
	}
	b.statements = new(atomic.Int64)
	var err error
	if b.store, err = store.Open(ctx, b.url, store.CountStatements(b.statements)); err != nil {
		return nil, err
	}
	if _, err := b.store.Migrate(ctx); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := b.seed(ctx); err != nil {
		return nil, fmt.Errorf("seed %s: %w", b.name, err)
	}
	r.figure(label(b.name, "seeding s"), time.Since(start).Seconds(), "s")
	return b, nil
}

// reopen opens the database an earlier run seeded for b's size, when it
// holds that many shipments; ok is false when it must be seeded afresh.
func (b *benchDB) reopen(ctx context.Context, t target) (ok bool, err error) {
	b.url = t.url
	if t.dialect == store.Postgres {
		u, err := url.Parse(t.url)
		if err != nil {
			return false, err
		}
		q := u.Query()
		q.Set("search_path", "trackbench_"+sizeName(b.size))
		u.RawQuery = q.Encode()
		b.url = u.String()
	}
	b.statements = new(atomic.Int64)
	s, err := store.Open(ctx, b.url, store.CountStatements(b.statements))
	if err != nil {
		return false, nil
	}
	var n int
	var seeded time.Time
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*), MIN(id), MIN(created_at) FROM shipments`).Scan(&n, &b.firstShip, &seeded); err != nil || n != b.size {
		s.Close()
		return false, nil
	}
	if err := s.DB().QueryRowContext(ctx, `SELECT MIN(id) FROM chats`).Scan(&b.firstChat); err != nil {
		s.Close()
		return false, err
	}
	b.store = s
	b.seeded = seeded.UTC().Add(48 * time.Hour)
	b.parcels = min(500, b.size)
	for i := range 5 {
		b.cmdChats = append(b.cmdChats, fmt.Sprintf("cmd%d", i+1))
	}
	return true, nil
}

// series is a table expression of the integers 0..n-1 as column i.
func (b *benchDB) series(n int) string {
	if b.dialect == store.Postgres {
		return fmt.Sprintf("generate_series(0, %d) AS g(i)", n-1)
	}
	return fmt.Sprintf("(WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < %d) SELECT i FROM g) AS g", n-1)
}

// seed writes n shipments in transit, one event each, n/10 Telegram
// chats that follow them (each shipment one chat), a sent push for every
// subscription (the outbox a month of pushes leaves), and five chats of
// 500 parcels each for the chat commands; one statement per table.
func (b *benchDB) seed(ctx context.Context) error {
	db := b.store.DB()
	now := b.seeded
	last := now.Add(-48 * time.Hour)
	notDue := now.Add(365 * 24 * time.Hour)
	b.parcels = min(500, b.size)
	for i := range 5 {
		b.cmdChats = append(b.cmdChats, fmt.Sprintf("cmd%d", i+1))
	}
	steps := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO chats (platform, external_id, kind, role, created_at, updated_at)
			SELECT 'telegram', CAST(1000000 + i AS TEXT), 'private', 'buyer', $1, $1 FROM ` + b.series(b.chats), []any{now}},
		{`INSERT INTO shipments (carrier, number, status, substatus, status_changed_at, last_event_at, next_check_at,
			last_checked_at, origin_country, destination_country, created_at, updated_at)
			SELECT 'ups', 'TB' || CAST(1000000001 + i AS TEXT), 'TRANSIT', 'package_departed', $1, $1, $2, $3, 'US', 'US', $1, $3
			FROM ` + b.series(b.size), []any{last, notDue, now}},
	}
	for _, s := range steps {
		if _, err := db.ExecContext(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("%w\n%s", err, s.sql)
		}
	}
	if err := db.QueryRowContext(ctx, `SELECT MIN(id) FROM shipments`).Scan(&b.firstShip); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, `SELECT MIN(id) FROM chats`).Scan(&b.firstChat); err != nil {
		return err
	}
	steps = steps[:0]
	steps = append(steps,
		struct {
			sql  string
			args []any
		}{`INSERT INTO events (shipment_id, fingerprint, occurred_at, status, substatus, description, city, country, carrier, number, created_at)
			SELECT id, 'seed', $1, 'TRANSIT', 'package_departed', 'Departed facility', 'Louisville', 'US', 'ups', number, $2 FROM shipments`,
			[]any{last, now}},
		struct {
			sql  string
			args []any
		}{`INSERT INTO subscriptions (chat_id, shipment_id, last_pushed_event_at, created_at)
			SELECT $1 + (id - $2) % $3, id, $4, $5 FROM shipments`, []any{b.firstChat, b.firstShip, b.chats, last, now}},
		struct {
			sql  string
			args []any
		}{`INSERT INTO outbox (chat_id, subscription_id, kind, payload, dedupe_key, state, attempts, not_before, created_at, sent_at)
			SELECT chat_id, id, 'status', '{}', 'seed:' || CAST(id AS TEXT), 'sent', 1, $1, $1, $1 FROM subscriptions`, []any{now}},
	)
	for _, s := range steps {
		if _, err := db.ExecContext(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("%w\n%s", err, s.sql)
		}
	}
	for i, ext := range b.cmdChats {
		c, err := b.store.EnsureChat(ctx, "telegram", "", ext, "private", "buyer", now)
		if err != nil {
			return err
		}
		from := b.firstShip + int64((i*b.parcels)%b.size)
		if _, err := db.ExecContext(ctx, `INSERT INTO subscriptions (chat_id, shipment_id, last_pushed_event_at, created_at)
			SELECT $1, id, $2, $3 FROM shipments WHERE id >= $4 AND id < $5`, c.ID, last, now, from, from+int64(b.parcels)); err != nil {
			return err
		}
	}
	if b.dialect == store.Postgres {
		// Vacuumed now, not by autovacuum in the middle of a measurement;
		// and the seeding's write-ahead log checkpointed now, not by the
		// checkpoints it would set off during the first measurements
		// (a million parcels write about a gigabyte of it). A server
		// that does not let this user checkpoint checkpoints on its own.
		if _, err := db.ExecContext(ctx, `VACUUM (ANALYZE)`); err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, `CHECKPOINT`); err != nil {
			slog.Warn("trackbench: cannot checkpoint after seeding; figures may vary more", "err", err)
		}
		return nil
	}
	_, err := db.ExecContext(ctx, `ANALYZE`)
	return err
}

// shipmentID is the id of the i-th seeded shipment.
func (b *benchDB) shipmentID(i int) int64 { return b.firstShip + int64(i%b.size) }
