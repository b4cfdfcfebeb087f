package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"
)

// Lock is a held cluster-wide lock; Release gives it up. Done is closed
// when the lock is lost because its database connection broke, so the
// holder must stop the work it guards.
type Lock struct {
	Release func()
	Done    <-chan struct{}
}

// TryLock takes the named lock if no other process holds it. On PostgreSQL
// it is a session advisory lock on a connection of its own, so it is freed
// when the holder dies and another replica can take over. On SQLite, whose
// file one process at a time serves, it is always granted. ok is false
// when another holder has it.
func (s *Store) TryLock(ctx context.Context, name string) (lock *Lock, ok bool, err error) {
	done := make(chan struct{})
	if s.dialect == SQLite {
		return &Lock{Release: func() {}, Done: done}, true, nil
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
	released := make(chan struct{})
	go func() {
		// Watch the connection: if it breaks, the lock is gone.
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Second):
				if err := conn.PingContext(context.Background()); err != nil {
					return
				}
			}
		}
	}()
	release := func() {
		select {
		case <-released:
			return
		default:
			close(released)
		}
		close(stop)
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, key)
		conn.Close()
	}
	return &Lock{Release: release, Done: done}, true, nil
}
