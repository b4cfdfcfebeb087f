package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

func TestMigrateIsIdempotent(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s, _ := storetest.OpenURL(t, d)
			current, err := s.MigrationsCurrent(ctx)
			if err != nil || current {
				t.Fatalf("fresh database: current=%v err=%v, want pending migrations", current, err)
			}
			n, err := s.Migrate(ctx)
			if err != nil || n == 0 {
				t.Fatalf("first migrate: n=%d err=%v", n, err)
			}
			before := schemaOf(t, s)
			n, err = s.Migrate(ctx)
			if err != nil || n != 0 {
				t.Fatalf("second migrate: n=%d err=%v, want 0 applied", n, err)
			}
			if after := schemaOf(t, s); after != before {
				t.Errorf("schema changed on second migrate:\n%s\n---\n%s", before, after)
			}
			if current, err := s.MigrationsCurrent(ctx); err != nil || !current {
				t.Errorf("after migrate: current=%v err=%v", current, err)
			}
			t.Logf("%s: %d migrations, schema has %d columns", d, n, strings.Count(before, "\n"))
		})
	}
}

// schemaOf lists every table and column of the store's schema.
func schemaOf(t *testing.T, s *store.Store) string {
	t.Helper()
	q := `SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
		WHERE table_schema = current_schema() ORDER BY table_name, column_name`
	if s.Dialect() == store.SQLite {
		q = `SELECT m.name || '.' || p.name || ' ' || p.type FROM sqlite_master m, pragma_table_info(m.name) p
			WHERE m.type = 'table' ORDER BY m.name, p.name`
	}
	rows, err := s.DB().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var sb strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		sb.WriteString(line + "\n")
	}
	if sb.Len() == 0 {
		t.Fatal("empty schema")
	}
	return sb.String()
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url     string
		dialect store.Dialect
		wantErr bool
	}{
		{"sqlite:trackbot.db", store.SQLite, false},
		{"sqlite:///var/lib/trackbot/bot.db", store.SQLite, false},
		{"postgres://u:p@localhost/db?sslmode=disable", store.Postgres, false},
		{"postgresql://localhost/db", store.Postgres, false},
		{"mysql://x", "", true},
		{"sqlite:", "", true},
		{"", "", true},
	} {
		d, dsn, err := store.ParseURL(tc.url)
		if (err != nil) != tc.wantErr || d != tc.dialect {
			t.Errorf("ParseURL(%q) = %q, %v; want %q, err=%v", tc.url, d, err, tc.dialect, tc.wantErr)
		}
		if d == store.SQLite && !strings.Contains(dsn, "foreign_keys") {
			t.Errorf("ParseURL(%q) dsn %q lacks foreign keys", tc.url, dsn)
		}
	}
}

func TestOpenErrorHidesPassword(t *testing.T) {
	_, err := store.Open(context.Background(), "postgres://trackbot:s3cr3t-pw@127.0.0.1:1/db?sslmode=disable&connect_timeout=1")
	if err == nil {
		t.Fatal("connected to a closed port")
	}
	if strings.Contains(err.Error(), "s3cr3t-pw") {
		t.Errorf("error leaks the password: %v", err)
	}
}

func TestTryLockIsExclusiveOnPostgres(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, store.Postgres)
	u := storetest.URL(t, store.Postgres)
	other, err := store.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, ok, err := s.TryLock(ctx, "telegram-polling")
	if err != nil || !ok {
		t.Fatalf("first TryLock: %v %v", ok, err)
	}
	if _, ok, err := other.TryLock(ctx, "telegram-polling"); err != nil || ok {
		t.Fatalf("second holder got the lock: %v %v", ok, err)
	}
	lock.Release()
	l2, ok, err := other.TryLock(ctx, "telegram-polling")
	if err != nil || !ok {
		t.Fatalf("after release: %v %v", ok, err)
	}
	l2.Release()
}

func TestMoveChatKeepsParcelsAndSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
		old, _ := s.EnsureChat(ctx, "telegram", "", "-100", "group", "buyer", now)
		de := "de"
		if err := s.UpdateChat(ctx, old.ID, store.ChatSettings{Language: &de}, now); err != nil {
			t.Fatal(err)
		}
		a, _, _ := s.EnsureShipment(ctx, "ups", "1ZAAA", now)
		b, _, _ := s.EnsureShipment(ctx, "ups", "1ZBBB", now)
		s.Subscribe(ctx, &tracking.SubscribeRequest{ChatID: old.ID, ShipmentID: a.ID, Label: "lamp", Now: now})
		s.Subscribe(ctx, &tracking.SubscribeRequest{ChatID: old.ID, ShipmentID: b.ID, Now: now})

		if err := s.MoveChat(ctx, "telegram", "", "-100", "-1001"); err != nil {
			t.Fatal(err)
		}
		moved, err := s.EnsureChat(ctx, "telegram", "", "-1001", "group", "buyer", now)
		if err != nil || moved.ID != old.ID || moved.Language != "de" {
			t.Fatalf("moved chat %+v (%v), want chat %d keeping its language", moved, err, old.ID)
		}
		if n, _ := s.CountSubscriptions(ctx, moved.ID); n != 2 {
			t.Errorf("moved chat tracks %d parcels, want 2", n)
		}

		// Moving onto a chat that already exists merges the parcels.
		other, _ := s.EnsureChat(ctx, "telegram", "", "-200", "group", "buyer", now)
		c, _, _ := s.EnsureShipment(ctx, "ups", "1ZCCC", now)
		s.Subscribe(ctx, &tracking.SubscribeRequest{ChatID: other.ID, ShipmentID: c.ID, Now: now})
		s.Subscribe(ctx, &tracking.SubscribeRequest{ChatID: other.ID, ShipmentID: a.ID, Now: now})
		if err := s.MoveChat(ctx, "telegram", "", "-200", "-1001"); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountSubscriptions(ctx, moved.ID); n != 3 {
			t.Errorf("after the merge the chat tracks %d parcels, want 3", n)
		}
		if _, err := s.Chat(ctx, other.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the merged-away chat still exists: %v", err)
		}
		if err := s.MoveChat(ctx, "telegram", "", "-999", "-1002"); err != nil {
			t.Errorf("moving an unknown chat: %v", err)
		}
	})
}

func TestPruneOutboxKeepsPendingPushes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		old := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
		chat, _ := s.EnsureChat(ctx, "telegram", "", "5", "private", "buyer", old)
		for i, state := range []string{"pending", "sent", "failed"} {
			if _, err := s.DB().Exec(`INSERT INTO outbox (chat_id, kind, payload, dedupe_key, state, not_before, created_at)
				VALUES ($1, 'status', '{}', $2, $3, $4, $4)`, chat.ID, "k"+state, state, old.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.PruneOutbox(ctx, old.Add(time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("pruned %d (%v), want the sent and the failed push", n, err)
		}
		if c, _ := s.OutboxCounts(ctx, chat.ID); c["pending"] != 1 || len(c) != 1 {
			t.Errorf("left %v, want only the pending push", c)
		}
	})
}

func TestClaimIsTakenOnceUntilReleasedOrPruned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
		// Ten replicas race for one key: exactly one wins.
		won := race(10, func() bool {
			ok, err := s.Claim(ctx, "slack-event:Ev1", now)
			if err != nil {
				t.Error(err)
			}
			return ok
		})
		if won != 1 {
			t.Fatalf("%d of 10 claims of one key won, want 1", won)
		}
		if ok, _ := s.Claim(ctx, "slack-event:Ev2", now); !ok {
			t.Error("another key is free")
		}
		if err := s.Release(ctx, "slack-event:Ev1"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.Claim(ctx, "slack-event:Ev1", now.Add(time.Hour)); !ok {
			t.Error("a released key can be claimed again")
		}
		n, err := s.PruneClaims(ctx, now.Add(time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("pruned %d (%v), want Ev2 only", n, err)
		}
		if ok, _ := s.Claim(ctx, "slack-event:Ev2", now.Add(2*time.Hour)); !ok {
			t.Error("a pruned key can be claimed again")
		}
		if ok, _ := s.Claim(ctx, "slack-event:Ev1", now.Add(2*time.Hour)); ok {
			t.Error("the re-claimed Ev1 is still held")
		}
	})
}

func TestSpendQuotaIsSharedAndStopsAtTheLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// Eight replicas spend a quota of five at once: five requests pass.
		n := race(8, func() bool {
			_, ok, err := s.SpendQuota(ctx, "dhl", "2026-11-21", 5)
			if err != nil {
				t.Error(err)
			}
			return ok
		})
		if n != 5 {
			t.Fatalf("%d of 8 requests passed a quota of 5", n)
		}
		if used, ok, _ := s.SpendQuota(ctx, "dhl", "2026-11-22", 5); !ok || used != 1 {
			t.Errorf("a new day: used %d, ok %v; want the first request of the day", used, ok)
		}
		if used, ok, _ := s.SpendQuota(ctx, "shippo", "2026-11-21", 5); !ok || used != 1 {
			t.Errorf("another provider: used %d, ok %v", used, ok)
		}
		if err := s.PruneQuotas(ctx, "2026-11-22"); err != nil {
			t.Fatal(err)
		}
		if used, ok, _ := s.SpendQuota(ctx, "dhl", "2026-11-21", 5); !ok || used != 1 {
			t.Errorf("after pruning the day: used %d, ok %v", used, ok)
		}
	})
}

// race runs try n times at once, as n replicas would, and counts the
// tries that succeeded.
func race(n int, try func() bool) int {
	results := make(chan bool, n)
	for range n {
		go func() { results <- try() }()
	}
	won := 0
	for range n {
		if <-results {
			won++
		}
	}
	return won
}
