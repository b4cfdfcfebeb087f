package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"
)

// How the holder of a lock watches its connection: a ping every
// lockPingEvery, each given lockPingTimeout to answer. A ping that does not
// answer in time counts as a broken connection, so that a half-open TCP
// connection cannot keep a replica believing it holds a lock that
// PostgreSQL has already freed.
const (
	lockPingEvery   = 5 * time.Second
	lockPingTimeout = 5 * time.Second
)

// Lock is a held cluster-wide lock. Done is closed when the lock is lost
// because its database connection broke, so the holder must stop the work
// it guards; it is also closed once the lock is released.
type Lock struct {
	Done <-chan struct{}

	once    sync.Once
	release func()
}

// Release gives the lock up. It may be called any number of times, from
// any goroutine; only the first call does anything, and every call returns
// once the lock is given up.
func (l *Lock) Release() {
	l.once.Do(func() {
		if l.release != nil {
			l.release()
		}
	})
}

// TryLock takes the named lock if no other process holds it. On PostgreSQL
// it is a session advisory lock on a connection of its own, so it is freed
// when the holder dies and another replica can take over. On SQLite, whose
// file one process at a time serves, it is always granted. ok is false
// when another holder has it.
func (s *Store) TryLock(ctx context.Context, name string) (lock *Lock, ok bool, err error) {
	done := make(chan struct{})
	if s.dialect == SQLite {
		return &Lock{Done: done}, true, nil
	}
	h := fnv.New64a()
	h.Write([]byte("trackbot:" + name))
	key := int64(h.Sum64())
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("store: lock %s: %w", name, err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("store: lock %s: %w", name, err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	stop := make(chan struct{})
	go func() {
		// Watch the connection: if it breaks, the lock is gone.
		defer close(done)
		t := time.NewTicker(lockPingEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if err := ping(conn); err != nil {
					slog.Warn("store: lost the connection holding a lock", "lock", name, "err", err)
					return
				}
			}
		}
	}()
	release := func() {
		close(stop)
		<-done // no ping is under way while the lock is given up
		ctx, cancel := context.WithTimeout(context.Background(), lockPingTimeout)
		defer cancel()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
			// The session may still hold the lock: end the connection
			// rather than return it to the pool, which frees the lock on
			// PostgreSQL's side for certain.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}
	return &Lock{Done: done, release: release}, true, nil
}

// ping checks the lock's connection within lockPingTimeout.
func ping(conn *sql.Conn) error {
	ctx, cancel := context.WithTimeout(context.Background(), lockPingTimeout)
	defer cancel()
	return conn.PingContext(ctx)
}
