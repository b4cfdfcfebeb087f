package store_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// planRows is how many rows each large table gets: enough that a planner
// with fresh statistics prefers an index wherever one serves.
func planRows(s *store.Store) int { return expect.Size(20000, 2000, s.Dialect() == store.SQLite) }

// TestHotQueriesUseIndexes plans every statement a push, a tick or a chat
// request runs on tables of planRows rows and fails when one of them reads
// a large table from end to end.
func TestHotQueriesUseIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		seedLarge(t, s, base)
		for _, q := range s.HotQueries(base.Add(50*time.Second), base.Add(100*time.Second)) {
			t.Run(strings.ReplaceAll(q.Name, " ", "_"), func(t *testing.T) {
				scans, plan := fullScans(t, s, q)
				if len(scans) > 0 {
					t.Errorf("%s reads %v from end to end:\n%s", q.Name, scans, plan)
				}
			})
		}
	})
}

// seedLarge fills chats, shipments, legs, subscriptions and the outbox
// with planRows rows each, in one statement per table, then refreshes the
// planner's statistics. Row i is due, or was created, i seconds after
// base; one chat in a hundred is a Slack channel and one push in a hundred
// is pending, as in a long-running installation.
func seedLarge(t *testing.T, s *store.Store, base time.Time) {
	t.Helper()
	series := numbers(planRows(s))
	at := `$1`
	plus := func(col string) string { // base + col seconds, in each dialect
		if s.Dialect() == store.Postgres {
			return `CAST($1 AS TIMESTAMPTZ) + ` + col + ` * INTERVAL '1 second'`
		}
		return `strftime('%Y-%m-%d %H:%M:%S', $1, '+' || ` + col + ` || ' seconds')`
	}
	stmts := []string{
		`INSERT INTO chats (platform, team_id, external_id, created_at, updated_at)
			SELECT CASE WHEN i % 100 = 0 THEN 'slack' ELSE 'telegram' END, '', CAST(i AS TEXT), ` + at + `, ` + at + ` FROM ` + series,
		`INSERT INTO shipments (carrier, number, status_changed_at, next_check_at, created_at, updated_at)
			SELECT 'ups', 'NUM' || CAST(i AS TEXT), ` + at + `, ` + plus("i") + `, ` + at + `, ` + at + ` FROM ` + series,
		`INSERT INTO legs (shipment_id, seq, carrier, number, created_at)
			SELECT i, 1, 'usps', 'LEG' || CAST(i AS TEXT), ` + at + ` FROM ` + series,
		`INSERT INTO subscriptions (chat_id, shipment_id, created_at) SELECT i, i, ` + at + ` FROM ` + series,
		`INSERT INTO outbox (chat_id, subscription_id, kind, dedupe_key, state, not_before, created_at)
			SELECT i, i, 'status', 'k' || CAST(i AS TEXT), CASE WHEN i % 100 = 0 THEN 'pending' ELSE 'sent' END,
			` + plus("i") + `, ` + plus("i") + ` FROM ` + series,
	}
	for _, q := range stmts {
		if _, err := s.DB().Exec(q, base); err != nil {
			t.Fatalf("seed: %v\n%s", err, q)
		}
	}
	if _, err := s.DB().Exec(`ANALYZE`); err != nil {
		t.Fatalf("analyze: %v", err)
	}
}

// largeTables are the tables seedLarge fills.
var largeTables = map[string]bool{"chats": true, "shipments": true, "legs": true, "subscriptions": true, "outbox": true}

// fullScans plans q and returns the large tables the plan reads whole,
// with the plan as text for the failure message.
func fullScans(t *testing.T, s *store.Store, q store.HotQuery) ([]string, string) {
	t.Helper()
	if s.Dialect() == store.Postgres {
		var out string
		if err := s.DB().QueryRow(`EXPLAIN (FORMAT JSON) `+q.SQL, q.Args...).Scan(&out); err != nil {
			t.Fatalf("explain: %v", err)
		}
		var plans []struct{ Plan pgPlan }
		if err := json.Unmarshal([]byte(out), &plans); err != nil || len(plans) != 1 {
			t.Fatalf("explain output %q: %v", out, err)
		}
		return plans[0].Plan.seqScans(), out
	}
	rows, err := s.DB().Query(`EXPLAIN QUERY PLAN `+q.SQL, q.Args...)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	defer rows.Close()
	var scans []string
	var plan strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(detail + "\n")
		// "SCAN outbox" reads the table whole; "SEARCH outbox USING INDEX"
		// and "SCAN … USING COVERING INDEX" of a subquery's result do not
		// count, but a SCAN of a table through an index does: it visits
		// every row too.
		f := strings.Fields(detail)
		if len(f) >= 2 && f[0] == "SCAN" && largeTables[f[1]] {
			scans = append(scans, f[1])
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return scans, plan.String()
}

// pgPlan is the part of a PostgreSQL plan node the test reads.
type pgPlan struct {
	NodeType string   `json:"Node Type"`
	Relation string   `json:"Relation Name"`
	Plans    []pgPlan `json:"Plans"`
}

func (p pgPlan) seqScans() []string {
	var out []string
	if p.NodeType == "Seq Scan" && largeTables[p.Relation] {
		out = append(out, p.Relation)
	}
	for _, c := range p.Plans {
		out = append(out, c.seqScans()...)
	}
	return out
}
