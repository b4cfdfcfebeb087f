package tracking_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// BenchmarkRefreshDue measures the scheduler over 10,000 due shipments
// against a provider that answers at once: refreshes per second, and SQL
// statements per refresh, both for refreshes that bring nothing new (the
// common case) and for the first round, which stores every event.
//
//	TEST_DATABASE_URL=postgres://… go test ./tracking/ -run '^$' -bench RefreshDue -benchtime 5x
func BenchmarkRefreshDue(b *testing.B) {
	for _, d := range []store.Dialect{store.Postgres, store.SQLite} {
		b.Run(string(d), func(b *testing.B) { benchmarkRefreshDue(b, d) })
	}
}

func benchmarkRefreshDue(b *testing.B, d store.Dialect) {
	const shipments = 10000
	ctx := context.Background()
	var statements atomic.Int64
	u := storetest.URL(b, d)
	s, err := store.Open(ctx, u, store.CountStatements(&statements))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	clock := tracking.NewFakeClock(t0.Add(72 * time.Hour))
	fake := trackingtest.NewProvider("fake")
	numbers := make([]string, shipments)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("1ZBENCH%011d", i)
		fake.Set(numbers[i], script(numbers[i],
			ev(0, tracking.SubPackageAccepted, "Picked up", "Louisville"),
			ev(20, tracking.SubPackageDeparted, "Departed facility", "Louisville")))
	}
	insertDue(b, s, numbers, t0)
	e := fakeEngine(s, clock, fake, tracking.Options{Owner: "bench", BatchSize: 200, Workers: 8})

	statements.Store(0)
	start := time.Now()
	if n, err := e.RunOnce(ctx); err != nil || n != shipments {
		b.Fatalf("first round: %d, %v", n, err)
	}
	changedStmts := float64(statements.Load()) / shipments
	changedRate := shipments / time.Since(start).Seconds()

	statements.Store(0)
	rounds := 0
	b.ResetTimer()
	for b.Loop() {
		clock.Advance(24 * time.Hour)
		if n, err := e.RunOnce(ctx); err != nil || n != shipments {
			b.Fatalf("round: %d, %v", n, err)
		}
		rounds++
	}
	b.StopTimer()
	refreshes := float64(rounds * shipments)
	b.ReportMetric(refreshes/b.Elapsed().Seconds(), "refreshes/s")
	b.ReportMetric(float64(statements.Load())/refreshes, "stmts/unchanged-refresh")
	b.ReportMetric(changedStmts, "stmts/changed-refresh")
	b.ReportMetric(changedRate, "changed-refreshes/s")
}

// insertDue creates due shipments in bulk, faster than one by one.
func insertDue(b *testing.B, s *store.Store, numbers []string, at time.Time) {
	b.Helper()
	const chunk = 500
	for i := 0; i < len(numbers); i += chunk {
		end := min(i+chunk, len(numbers))
		var sb strings.Builder
		args := []any{}
		sb.WriteString(`INSERT INTO shipments (carrier, number, status, substatus, status_changed_at, next_check_at, created_at, updated_at) VALUES `)
		for j, n := range numbers[i:end] {
			if j > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "('ups', $%d, 'UNKNOWN', 'other', $%d, $%d, $%d, $%d)", 2*j+1, 2*j+2, 2*j+2, 2*j+2, 2*j+2)
			args = append(args, n, at)
		}
		if _, err := s.DB().Exec(sb.String(), args...); err != nil {
			b.Fatal(err)
		}
	}
}
