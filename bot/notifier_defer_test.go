package bot_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// slackOnly is an adapter of another platform than the pending pushes'.
type slackOnly struct{ recorder }

func (*slackOnly) Platform() bot.Platform { return bot.Slack }

// TestNotifierDefersAnUnconnectedPlatformInOneStatementPerBatch leaves 250
// Telegram pushes, each in its own chat, pending while only Slack is
// connected. The notifier puts all of them back for later, sends none,
// and spends a few statements per claimed batch of 100, not one per push
// or per chat.
func TestNotifierDefersAnUnconnectedPlatformInOneStatementPerBatch(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s, statements := storetest.OpenCounting(t, d)
			const pushes = 250
			for i := range pushes {
				chat, err := s.EnsureChat(ctx, "telegram", "", fmt.Sprint(1000+i), "private", "buyer", t0)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.DB().ExecContext(ctx, `INSERT INTO outbox (chat_id, kind, payload, dedupe_key, not_before, created_at)
					VALUES ($1, 'status', '{}', $2, $3, $4)`, chat.ID, fmt.Sprint("k", i), t0, t0); err != nil {
					t.Fatal(err)
				}
			}
			cat, err := locales.Load("en")
			if err != nil {
				t.Fatal(err)
			}
			clock := tracking.NewFakeClock(t0.Add(time.Minute))
			slack := &slackOnly{}
			n := bot.NewNotifier(s, cat, clock, slack)

			statements.Store(0)
			if sent, err := n.RunOnce(ctx); err != nil || sent != 0 {
				t.Fatalf("sent %d, %v; want none sent", sent, err)
			}
			// Per batch: the claim (with its advisory lock on PostgreSQL)
			// and the one deferral.
			const batches = (pushes + 99) / 100
			if got := statements.Load(); got > 3*batches {
				t.Errorf("%d statements for %d pushes of an unconnected platform, want at most %d (%d batches)", got, pushes, 3*batches, batches)
			}
			var waiting int
			if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox
				WHERE state = 'pending' AND lease_until IS NULL AND not_before > $1 AND last_error = 'platform not connected'`,
				clock.Now().UTC()).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if waiting != pushes {
				t.Errorf("%d of %d pushes put back for later", waiting, pushes)
			}
			if slack.count() != 0 {
				t.Errorf("Slack was sent %d Telegram pushes", slack.count())
			}
			// An hour later, with Telegram still away, the same again.
			clock.Advance(time.Hour + time.Minute)
			statements.Store(0)
			if sent, err := n.RunOnce(ctx); err != nil || sent != 0 {
				t.Fatalf("an hour later: sent %d, %v", sent, err)
			}
			if got := statements.Load(); got > 3*batches {
				t.Errorf("an hour later: %d statements, want at most %d", got, 3*batches)
			}
		})
	}
}
