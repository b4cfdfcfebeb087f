// Package storetest opens real, isolated databases for tests: an SQLite
// file always, and PostgreSQL when TEST_DATABASE_URL is set. Each call gets
// its own schema, so tests never see each other's rows.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/lib/pq" // the "postgres" driver for schema setup

	"github.com/trackbot/trackbot/store"
)

// Each runs fn once per available database as a subtest named after the
// dialect, each with a fresh, migrated store. Without TEST_DATABASE_URL the
// PostgreSQL subtest is skipped, and says so.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated store of the given dialect, closed and
// dropped when the test ends. For PostgreSQL it skips the test, saying why,
// when TEST_DATABASE_URL is unset.
func Open(t testing.TB, d store.Dialect) *store.Store {
	t.Helper()
	s, _ := OpenURL(t, d)
	ctx := context.Background()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return s
}

// OpenCounting is Open with a counter of every SQL statement the store
// sends, for tests that bound how many an operation takes. The counter
// includes the migration's; reset it before the operation measured.
func OpenCounting(t testing.TB, d store.Dialect) (*store.Store, *atomic.Int64) {
	t.Helper()
	ctx := context.Background()
	statements := new(atomic.Int64)
	s, err := store.Open(ctx, URL(t, d), store.CountStatements(statements))
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return s, statements
}

// OpenURL is Open without the migration; it also returns the DATABASE_URL
// that reaches the same fresh database, for tests that start a second
// process or a second store on it.
func OpenURL(t testing.TB, d store.Dialect) (*store.Store, string) {
	t.Helper()
	u := URL(t, d)
	s, err := store.Open(context.Background(), u)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { s.Close() })
	return s, u
}

// URL makes a fresh empty database of the given dialect and returns its
// DATABASE_URL.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "trackbot.db")
	}
	base := PostgresURL()
	if base == "" {
		t.Skip("PostgreSQL tests SKIPPED: TEST_DATABASE_URL is not set")
	}
	schema := "t_" + randomHex(8)
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("postgres", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	parsed, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	q := parsed.Query()
	q.Set("search_path", schema)
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	parsed.RawQuery = q.Encode()
	return parsed.String()
}

var (
	pgOnce sync.Once
	pgURL  string
)

// PostgresURL is TEST_DATABASE_URL, or "" when PostgreSQL tests are off.
func PostgresURL() string {
	pgOnce.Do(func() { pgURL = os.Getenv("TEST_DATABASE_URL") })
	return pgURL
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
