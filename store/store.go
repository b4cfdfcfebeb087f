// Package store keeps trackbot's state in PostgreSQL or in an embedded
// SQLite file, behind one set of methods. Dialect differences stay in this
// package: callers see neither placeholders nor locking clauses.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // registers the "postgres" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/trackbot/trackbot/migrations"
	"github.com/trackbot/trackbot/tracking"
)

// Dialect names the SQL dialect of a Store.
type Dialect string

// The two dialects trackbot runs on.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// ErrNotFound is returned when a looked-up row does not exist. It wraps
// tracking.ErrNotFound, which is what packages above store test for.
var ErrNotFound error = notFoundError{}

type notFoundError struct{}

func (notFoundError) Error() string { return "store: not found" }
func (notFoundError) Unwrap() error { return tracking.ErrNotFound }

// Store is trackbot's database. It is safe for concurrent use.
type Store struct {
	db      *sqlx.DB
	dialect Dialect

	// stmts keeps the prepared statements of fixed text (prepared.go).
	stmts sync.Map

	// extras keeps recently claimed shipments' events, legs and
	// protection ends on SQLite (extras_cache.go).
	extras extrasCache

	migrationsOnce sync.Once
	migrations     *goose.Provider
	migrationsErr  error

	// path is the SQLite database's file; instance releases its instance
	// lock once TakeBackLeases took it (instance_unix.go).
	path       string
	instanceMu sync.Mutex
	instance   func()
}

// Open connects to the database a DATABASE_URL names: postgres:// or
// postgresql:// for PostgreSQL, sqlite:PATH for an embedded SQLite file. It
// does not migrate; call Migrate.
func Open(ctx context.Context, databaseURL string, opts ...Option) (*Store, error) {
	dialect, dsn, err := ParseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	s := &Store{dialect: dialect}
	if dialect == SQLite {
		registerSQLiteLower()
		s.path, _, _ = strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	}
	s.db, err = sqlx.Open(string(dialect), dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	if o.statements != nil {
		counted := sql.OpenDB(&countingConnector{drv: s.db.Driver(), dsn: dsn, n: o.statements})
		s.db.Close()
		s.db = sqlx.NewDb(counted, string(dialect))
	}
	switch dialect {
	case Postgres:
		s.db.SetMaxOpenConns(20)
		s.db.SetMaxIdleConns(10)
		s.db.SetConnMaxIdleTime(5 * time.Minute)
	case SQLite:
		// SQLite has one writer at a time. WAL lets readers go on while it
		// writes, immediate transactions take the write lock up front so two
		// writers never deadlock on an upgrade, and the busy timeout makes a
		// second writer wait instead of failing.
		s.db.SetMaxOpenConns(4)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", dialect, scrub(err, databaseURL))
	}
	return s, nil
}

// sqliteLower registers the LOWER below once per process.
var sqliteLower sync.Once

// registerSQLiteLower makes SQLite's LOWER fold every letter, as
// PostgreSQL's does in a UTF-8 database, instead of ASCII letters only, so
// that a label or an order reference is found in any case on both
// databases ("подарок" finds "Подарок"). It applies to the connections the
// driver opens afterwards.
// https://sqlite.org/appfunc.html (an application function overrides a built-in one)
func registerSQLiteLower() {
	sqliteLower.Do(func() {
		sqlite.MustRegisterDeterministicScalarFunction("lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			if text, ok := args[0].(string); ok {
				return strings.ToLower(text), nil
			}
			return args[0], nil // NULL, numbers and blobs have no letters to fold
		})
	})
}

// ParseURL splits a DATABASE_URL into its dialect and the driver's data
// source name.
func ParseURL(databaseURL string) (Dialect, string, error) {
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		u, err := url.Parse(databaseURL)
		if err != nil || u.Host == "" && u.Query().Get("host") == "" {
			return "", "", errors.New("store: not a valid postgres:// URL")
		}
		return Postgres, databaseURL, nil
	case strings.HasPrefix(databaseURL, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "//")
		if path == "" {
			return "", "", errors.New("store: sqlite: needs a file path, like sqlite:trackbot.db")
		}
		path, query, _ := strings.Cut(path, "?")
		params := url.Values{}
		if query != "" {
			var err error
			if params, err = url.ParseQuery(query); err != nil {
				return "", "", errors.New("store: sqlite: bad query string")
			}
		}
		params.Add("_pragma", "foreign_keys(1)")
		params.Add("_pragma", "journal_mode(WAL)")
		params.Add("_pragma", "busy_timeout(10000)")
		params.Add("_pragma", "synchronous(NORMAL)")
		params.Set("_txlock", "immediate")
		params.Set("_time_format", "sqlite")
		return SQLite, "file:" + path + "?" + params.Encode(), nil
	}
	return "", "", errors.New("store: must start with postgres:// or sqlite:, like sqlite:trackbot.db")
}

// scrub removes the connection URL, and with it any password, from a
// driver's error.
func scrub(err error, databaseURL string) error {
	msg := err.Error()
	if databaseURL != "" && strings.Contains(msg, databaseURL) {
		return errors.New(strings.ReplaceAll(msg, databaseURL, "[DATABASE_URL]"))
	}
	if u, perr := url.Parse(databaseURL); perr == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(msg, pw) {
			return errors.New(strings.ReplaceAll(msg, pw, "[redacted]"))
		}
	}
	return err
}

// Dialect reports which database the store runs on.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB is the underlying pool, for metrics collectors.
func (s *Store) DB() *sql.DB { return s.db.DB }

// Close closes the pool.
func (s *Store) Close() error {
	s.closeStatements()
	err := s.db.Close()
	s.instanceMu.Lock()
	if s.instance != nil {
		s.instance()
		s.instance = nil
	}
	s.instanceMu.Unlock()
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// migrationProvider returns the goose provider over the embedded
// migrations, built once: /readyz asks it on every probe.
func (s *Store) migrationProvider() (*goose.Provider, error) {
	s.migrationsOnce.Do(func() { s.migrations, s.migrationsErr = s.newMigrationProvider() })
	return s.migrations, s.migrationsErr
}

func (s *Store) newMigrationProvider() (*goose.Provider, error) {
	dialect, dir := goose.DialectPostgres, "postgres"
	var opts []goose.ProviderOption
	if s.dialect == SQLite {
		dialect, dir = goose.DialectSQLite3, "sqlite"
	} else {
		// Replicas may start together: the advisory lock lets one migrate
		// while the others wait, then find nothing left to do.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(migrations.FS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	p, err := goose.NewProvider(dialect, s.db.DB, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration and reports how many ran.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	p, err := s.migrationProvider()
	if err != nil {
		return 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range results {
		slog.InfoContext(ctx, "migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return len(results), nil
}

// MigrationsCurrent reports whether every embedded migration has been
// applied.
func (s *Store) MigrationsCurrent(ctx context.Context) (bool, error) {
	p, err := s.migrationProvider()
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("store: migration status: %w", err)
	}
	return !pending, nil
}

// tx runs fn in a transaction and commits it when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}
