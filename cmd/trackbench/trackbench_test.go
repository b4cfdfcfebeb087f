package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestHarnessRunsSmall runs every measurement but the serve process at a
// small size, on SQLite and, with TEST_DATABASE_URL, on PostgreSQL, so
// that the harness keeps working as the code changes. The figures of so
// small a run say nothing; the test checks that each is there, and the
// one that does not depend on the machine: /role's statements.
func TestHarnessRunsSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("the harness runs for a few seconds")
	}
	const size = 5000
	// SQLite built with the race detector runs about thirty times slower:
	// under -race only PostgreSQL is measured, and .ci/run runs this test
	// once more without -race for SQLite.
	cfg := config{db: storetest.PostgresURL(), sizes: []int{size}, sqlite: !expect.Race, sqliteDir: t.TempDir(), sqliteMax: size,
		fanout: 5, seconds: 0.2, pushes: 40}
	if cfg.db != "" {
		t.Cleanup(func() {
			if db, err := sql.Open("postgres", cfg.db); err == nil {
				db.Exec(`DROP SCHEMA IF EXISTS trackbench_5k CASCADE`)
				db.Close()
			}
		})
	}
	var out strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if _, err := run(ctx, cfg, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var dbs []string
	if cfg.sqlite {
		dbs = append(dbs, "sqlite")
	}
	if cfg.db != "" {
		dbs = append(dbs, "postgres")
	}
	for _, db := range dbs {
		for _, name := range []string{"refresh unchanged", "refresh changed", "pushes", "push statements/push",
			"claim p50 ms", "claim p99 ms", "/list p50 ms", "/role statements", "/remove max ms"} {
			if !strings.Contains(out.String(), db+" 5k "+name+": ") {
				t.Errorf("no %q figure for %s in:\n%s", name, db, out.String())
			}
		}
		verdict := "verdict " + db + " /role in a 500-parcel chat at 5k <= 50 statements: "
		if !strings.Contains(out.String(), verdict) {
			t.Errorf("no /role verdict for %s in:\n%s", db, out.String())
		}
		for _, line := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(line, verdict) && !strings.HasSuffix(line, " PASS") {
				t.Errorf("%s", line)
			}
		}
	}
	for _, name := range []string{"fanout msgs/s: ", "fanout 429s: ", "verdict fan-out"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("no %q in:\n%s", name, out.String())
		}
	}
}
