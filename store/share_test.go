package store_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/trackbot/trackbot/migrations"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// shareTokenVersion is the migration that hashes the share tokens.
const shareTokenVersion = 5

// TestShareTokensAreHashedAndExpire: the store keeps no share token in
// plain text, and a token opens its page until it expires or is revoked.
func TestShareTokensAreHashedAndExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
		chat, sub := sharedSubscription(t, s, now)
		tokens := []struct {
			token   string
			expires time.Time
			opensAt map[time.Duration]bool // time after now → opens
		}{
			{strings.Repeat("ab", 16), time.Time{}, map[time.Duration]bool{0: true, 10 * 365 * 24 * time.Hour: true}},
			{strings.Repeat("cd", 16), now.Add(24 * time.Hour), map[time.Duration]bool{0: true, 23 * time.Hour: true, 24 * time.Hour: false, 25 * time.Hour: false}},
		}
		for _, tk := range tokens {
			if err := s.CreateShareToken(ctx, chat, sub, tk.token, now, tk.expires, store.ShareOptions{ShowLabel: true}); err != nil {
				t.Fatal(err)
			}
			var plain int
			if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM share_tokens WHERE token_hash LIKE '%' || $1 || '%'`, tk.token).Scan(&plain); err != nil || plain != 0 {
				t.Errorf("token %s: %d rows hold it in plain text (%v)", tk.token, plain, err)
			}
			for after, opens := range tk.opensAt {
				p, err := s.SharedPage(ctx, tk.token, now.Add(after))
				if opens && (err != nil || p.Label != "Lamp") {
					t.Errorf("token %s, %v after: %+v, %v; want the page", tk.token, after, p, err)
				}
				if !opens && !errors.Is(err, store.ErrNotFound) {
					t.Errorf("token %s, %v after: %v; want expired (not found)", tk.token, after, err)
				}
			}
		}
		if err := s.RevokeShareTokens(ctx, chat, sub, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SharedPage(ctx, tokens[0].token, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a revoked token: %v; want not found", err)
		}
	})
}

// TestShareTokenMigrationHashesExistingTokens migrates a database whose
// share tokens are in plain text: on PostgreSQL the links keep working,
// hashed; SQLite, which has no SHA-256 function, drops them. Either way no
// token is left in plain text.
func TestShareTokenMigrationHashesExistingTokens(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s, _ := storetest.OpenURL(t, d)
			dialect, dir := goose.DialectPostgres, "postgres"
			if d == store.SQLite {
				dialect, dir = goose.DialectSQLite3, "sqlite"
			}
			sub, err := fs.Sub(migrations.FS, dir)
			if err != nil {
				t.Fatal(err)
			}
			p, err := goose.NewProvider(dialect, s.DB(), sub)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, shareTokenVersion-1); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
			// The chat as that schema has it: EnsureChat writes today's
			// columns.
			var chatID int64
			if err := s.DB().QueryRowContext(ctx, `INSERT INTO chats (platform, team_id, external_id, kind, role, created_at, updated_at)
				VALUES ('telegram', '', '7', 'private', 'buyer', $1, $1) RETURNING id`, now).Scan(&chatID); err != nil {
				t.Fatal(err)
			}
			st, _, err := s.EnsureShipment(ctx, "ups", "1Z999AA10123456784", now)
			if err != nil {
				t.Fatal(err)
			}
			subID, _, err := s.Subscribe(ctx, &tracking.SubscribeRequest{ChatID: chatID, ShipmentID: st.ID, Label: "Lamp", Now: now})
			if err != nil {
				t.Fatal(err)
			}
			token := strings.Repeat("ef", 16)
			if _, err := s.DB().ExecContext(ctx, `INSERT INTO share_tokens (token, subscription_id, created_at) VALUES ($1, $2, $3)`,
				token, subID, now); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var plain int
			if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM share_tokens WHERE token_hash = $1`, token).Scan(&plain); err != nil || plain != 0 {
				t.Errorf("%d rows hold the token in plain text (%v)", plain, err)
			}
			page, err := s.SharedPage(ctx, token, now)
			switch {
			case d == store.Postgres && (err != nil || page.Shipment.Number != "1Z999AA10123456784"):
				t.Errorf("the link shared before the migration: %+v, %v; want it to keep working", page, err)
			case d == store.SQLite && !errors.Is(err, store.ErrNotFound):
				t.Errorf("the link shared before the migration: %v; want it dropped", err)
			}
		})
	}
}

// sharedSubscription tracks a parcel labelled "Lamp" in a new chat and
// returns the chat's and the subscription's ids.
func sharedSubscription(t *testing.T, s *store.Store, now time.Time) (chat, sub int64) {
	t.Helper()
	ctx := context.Background()
	st, _, err := s.EnsureShipment(ctx, "ups", "1Z999AA10123456784", now)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.EnsureChat(ctx, "telegram", "", "7", "private", "buyer", now)
	if err != nil {
		t.Fatal(err)
	}
	sub, _, err = s.Subscribe(ctx, &tracking.SubscribeRequest{ChatID: c.ID, ShipmentID: st.ID, Label: "Lamp", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID, sub
}
