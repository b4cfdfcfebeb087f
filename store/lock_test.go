package store_test

import (
	"context"
	"database/sql"
	"hash/fnv"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestLockReleaseIsIdempotent: Release may be called twice, and from many
// goroutines at once, without panicking or racing (run it with -race);
// every call returns only once PostgreSQL has freed the lock; afterwards
// Done is closed and another holder can take the lock.
func TestLockReleaseIsIdempotent(t *testing.T) {
	const name = "release-test"
	for _, tc := range []struct {
		name    string
		release func(t *testing.T, l *store.Lock, held func() bool)
	}{
		{"twice in a row", func(t *testing.T, l *store.Lock, held func() bool) {
			for i := range 2 {
				l.Release()
				if held() {
					t.Errorf("Release %d returned while the lock was still held", i+1)
				}
			}
		}},
		{"concurrently", func(t *testing.T, l *store.Lock, held func() bool) {
			var wg sync.WaitGroup
			start := make(chan struct{})
			for range 16 {
				wg.Go(func() {
					<-start
					l.Release()
					if held() {
						t.Error("a concurrent Release returned while the lock was still held")
					}
				})
			}
			close(start)
			wg.Wait()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, store.Postgres)
			u := storetest.URL(t, store.Postgres)
			other, err := store.Open(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			admin, err := sql.Open("postgres", u)
			if err != nil {
				t.Fatal(err)
			}
			defer admin.Close()
			held := func() bool { return advisoryLockHeld(t, admin, name) }
			lock, ok, err := s.TryLock(ctx, name)
			if err != nil || !ok || !held() {
				t.Fatalf("TryLock: %v %v, held: %v", ok, err, held())
			}
			tc.release(t, lock, held)
			select {
			case <-lock.Done:
			case <-time.After(5 * time.Second):
				t.Fatal("Done is still open after Release")
			}
			l2, ok, err := other.TryLock(ctx, name)
			if err != nil || !ok {
				t.Fatalf("after release, another holder cannot take the lock: %v %v", ok, err)
			}
			l2.Release()
			l2.Release()
		})
	}
}

// TestSQLiteLockReleaseIsIdempotent: the SQLite lock, always granted,
// may be released any number of times too.
func TestSQLiteLockReleaseIsIdempotent(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	lock, ok, err := s.TryLock(context.Background(), "release-test")
	if err != nil || !ok {
		t.Fatalf("TryLock: %v %v", ok, err)
	}
	lock.Release()
	lock.Release()
}

// advisoryLockHeld reports whether any session holds the advisory lock
// store.TryLock takes for name. PostgreSQL shows a bigint key as its high
// and low 32 bits.
func advisoryLockHeld(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	h := fnv.New64a()
	h.Write([]byte("trackbot:" + name))
	key := h.Sum64()
	var n int
	err := db.QueryRow(`SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND classid = $1 AND objid = $2 AND objsubid = 1`, int64(key>>32), int64(key&0xffffffff)).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}
