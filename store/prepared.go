package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// prepared returns query prepared once for the pool and kept: the hot
// statements of a push and a scheduling round are of fixed text, so
// PostgreSQL parses and plans them once per connection instead of once per
// call (lib/pq otherwise prepares every parameterised statement anew, in a
// round trip of its own). Only fixed texts go through here, so the cache
// stays small. SQLite runs the text as it is: a statement kept prepared
// there would hold its implicit transaction open between runs.
func (s *Store) prepared(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sqlx.Stmt), nil
	}
	st, err := s.db.PreparexContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	if old, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return old.(*sqlx.Stmt), nil
	}
	return st, nil
}

// execP runs a fixed-text statement inside tx, prepared (see prepared).
func (s *Store) execP(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (sql.Result, error) {
	if s.dialect == SQLite {
		return tx.ExecContext(ctx, query, args...)
	}
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtxContext(ctx, st).ExecContext(ctx, args...)
}

// selectP is execP for a query whose rows go into dest; without tx it runs
// on the pool.
func (s *Store) selectP(ctx context.Context, tx *sqlx.Tx, dest any, query string, args ...any) error {
	if s.dialect == SQLite {
		if tx != nil {
			return tx.SelectContext(ctx, dest, query, args...)
		}
		return s.db.SelectContext(ctx, dest, query, args...)
	}
	st, err := s.prepared(ctx, query)
	if err != nil {
		return err
	}
	if tx != nil {
		st = tx.StmtxContext(ctx, st)
	}
	return st.SelectContext(ctx, dest, args...)
}

// closeStatements closes the kept prepared statements.
func (s *Store) closeStatements() {
	s.stmts.Range(func(k, v any) bool {
		v.(*sqlx.Stmt).Close()
		s.stmts.Delete(k)
		return true
	})
}
