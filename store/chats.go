package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/trackbot/trackbot/tracking"
)

// Chat is a place trackbot talks to, with its settings.
type Chat struct {
	ID         int64     `db:"id"`
	Platform   string    `db:"platform"`
	TeamID     string    `db:"team_id"`
	ExternalID string    `db:"external_id"`
	Kind       string    `db:"kind"`
	Language   string    `db:"language"`
	Timezone   string    `db:"timezone"`
	Role       string    `db:"role"`
	QuietStart *int      `db:"quiet_start"`
	QuietEnd   *int      `db:"quiet_end"`
	Muted      bool      `db:"muted"`
	Active     bool      `db:"active"`
	CreatedAt  time.Time `db:"created_at"`
	// AlertLevel is how much of its parcels' news the chat is pushed
	// (tracking.AlertLevel); a new chat gets its kind's default.
	AlertLevel string `db:"alert_level"`
}

const chatColumns = `id, platform, team_id, external_id, kind, language, timezone, role, quiet_start, quiet_end, muted, active, created_at, alert_level`

// EnsureChat returns the chat a platform knows by team and id, creating it
// with the given kind and role, and the alert level its kind starts with
// (tracking.DefaultAlertLevel). A chat that had been deactivated (the bot
// was blocked, the channel archived) is active again: somebody is talking
// to trackbot there.
func (s *Store) EnsureChat(ctx context.Context, platform, team, externalID, kind, role string, now time.Time) (*Chat, error) {
	now = dbTime(now)
	var c Chat
	// Every message ensures its chat: an active chat of the same kind is
	// read, not written, so that a command costs no commit of its own.
	err := s.db.GetContext(ctx, &c, `SELECT `+chatColumns+` FROM chats WHERE platform = $1 AND team_id = $2 AND external_id = $3`,
		platform, team, externalID)
	if err == nil && c.Active && c.Kind == kind {
		c.CreatedAt = c.CreatedAt.UTC()
		return &c, nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: ensure chat: %w", err)
	}
	err = s.db.GetContext(ctx, &c, `INSERT INTO chats (platform, team_id, external_id, kind, role, created_at, updated_at, alert_level)
		VALUES ($1, $2, $3, $4, $5, $6, $6, $7)
		ON CONFLICT (platform, team_id, external_id) DO UPDATE SET active = TRUE, kind = excluded.kind,
			updated_at = CASE WHEN chats.active THEN chats.updated_at ELSE excluded.updated_at END
		RETURNING `+chatColumns, platform, team, externalID, kind, role, now, string(tracking.DefaultAlertLevel(kind)))
	if err != nil {
		return nil, fmt.Errorf("store: ensure chat: %w", err)
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

// Chat returns a chat by id.
func (s *Store) Chat(ctx context.Context, id int64) (*Chat, error) {
	var c Chat
	err := s.db.GetContext(ctx, &c, `SELECT `+chatColumns+` FROM chats WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: chat %d: %w", id, err)
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

// ChatSettings are the settings a chat can change; nil fields stay as they
// are.
type ChatSettings struct {
	Language *string
	Timezone *string
	Role     *string
	// Quiet sets quiet hours [start, end) in the chat's zone; a pointer to
	// nil switches them off.
	Quiet *[2]*int
	Muted *bool
}

// UpdateChat changes a chat's settings.
func (s *Store) UpdateChat(ctx context.Context, id int64, set ChatSettings, now time.Time) error {
	var a assignments
	assign(&a, "language", set.Language)
	assign(&a, "timezone", set.Timezone)
	assign(&a, "role", set.Role)
	if set.Quiet != nil {
		a.add("quiet_start", set.Quiet[0])
		a.add("quiet_end", set.Quiet[1])
	}
	assign(&a, "muted", set.Muted)
	if a.empty() {
		return nil
	}
	a.add("updated_at", dbTime(now))
	q := "UPDATE chats SET " + a.set() + " WHERE id = " + a.arg(id)
	if _, err := s.db.ExecContext(ctx, q, a.args...); err != nil {
		return fmt.Errorf("store: update chat %d: %w", id, err)
	}
	return nil
}

// SetAlertLevel sets how much of its parcels' news a chat is pushed, and
// drops, in the same transaction, the chat's waiting pushes that the new
// level does not hear: a chat that turns quieter is not sent the backlog
// it just declined. It reports how many pushes it dropped.
func (s *Store) SetAlertLevel(ctx context.Context, chatID int64, level tracking.AlertLevel, now time.Time) (int, error) {
	var dropped int64
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE chats SET alert_level = $1, updated_at = $2 WHERE id = $3`,
			string(level), dbTime(now), chatID); err != nil {
			return err
		}
		var a assignments
		q := `UPDATE outbox SET state = 'dropped', last_error = 'not at the alert level ' || ` + a.arg(string(level)) + `
			WHERE chat_id = ` + a.arg(chatID) + ` AND state = 'pending' AND (lease_until IS NULL OR lease_until <= ` + a.arg(dbTime(now)) + `)
			AND alert_level <> '' AND alert_level NOT IN (`
		for i, l := range level.Heard() {
			if i > 0 {
				q += ", "
			}
			q += a.arg(string(l))
		}
		res, err := tx.ExecContext(ctx, q+`)`, a.args...)
		if err != nil {
			return err
		}
		dropped, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: set alert level of chat %d: %w", chatID, err)
	}
	return int(dropped), nil
}

// assignments builds the SET list of a partial update, numbering its
// placeholders.
type assignments struct {
	cols []string
	args []any
}

// add assigns v to col.
func (a *assignments) add(col string, v any) { a.cols = append(a.cols, col+" = "+a.arg(v)) }

// assign assigns *v to col when v is set: a nil field of a settings
// struct leaves its column alone.
func assign[T any](a *assignments, col string, v *T) {
	if v != nil {
		a.add(col, *v)
	}
}

// arg adds v as an argument and returns its placeholder.
func (a *assignments) arg(v any) string {
	a.args = append(a.args, v)
	return fmt.Sprintf("$%d", len(a.args))
}

func (a *assignments) empty() bool { return len(a.cols) == 0 }

func (a *assignments) set() string { return strings.Join(a.cols, ", ") }

// DeactivateChat marks a chat unreachable (the bot was blocked, the channel
// is gone) and drops its pending pushes: none will be attempted again.
// Talking to trackbot there again reactivates it (EnsureChat).
func (s *Store) DeactivateChat(ctx context.Context, id int64, reason string, now time.Time) error {
	now = dbTime(now)
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE chats SET active = FALSE, updated_at = $1 WHERE id = $2`, now, id); err != nil {
			return fmt.Errorf("store: deactivate chat %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'dropped', last_error = $1, lease_until = NULL
			WHERE chat_id = $2 AND state = 'pending'`, reason, id); err != nil {
			return fmt.Errorf("store: deactivate chat %d: %w", id, err)
		}
		return nil
	})
}

// MoveChat gives a chat the new id its platform moved it to (a Telegram
// group upgraded to a supergroup), keeping its settings and parcels. When
// the new id already has a chat of its own, the old chat's parcels join
// it, and the old chat goes.
func (s *Store) MoveChat(ctx context.Context, platform, team, from, to string) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		var oldID, newID int64
		err := tx.GetContext(ctx, &oldID, `SELECT id FROM chats WHERE platform = $1 AND team_id = $2 AND external_id = $3`, platform, team, from)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: move chat: %w", err)
		}
		err = tx.GetContext(ctx, &newID, `SELECT id FROM chats WHERE platform = $1 AND team_id = $2 AND external_id = $3`, platform, team, to)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := tx.ExecContext(ctx, `UPDATE chats SET external_id = $1, kind = 'group' WHERE id = $2`, to, oldID); err != nil {
				return fmt.Errorf("store: move chat: %w", err)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: move chat: %w", err)
		}
		for _, q := range []string{
			`UPDATE subscriptions SET chat_id = $1 WHERE chat_id = $2
				AND shipment_id NOT IN (SELECT shipment_id FROM subscriptions WHERE chat_id = $1)`,
			`UPDATE outbox SET chat_id = $1 WHERE chat_id = $2 AND state = 'pending'
				AND (subscription_id IS NULL OR subscription_id IN (SELECT id FROM subscriptions WHERE chat_id = $1))`,
		} {
			if _, err := tx.ExecContext(ctx, q, newID, oldID); err != nil {
				return fmt.Errorf("store: move chat: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM chats WHERE id = $1`, oldID); err != nil {
			return fmt.Errorf("store: move chat: %w", err)
		}
		return nil
	})
}

// Forget deletes a chat and everything trackbot keeps about it — its
// settings, subscriptions, share tokens, pending pushes — and every
// shipment no other chat tracks. It reports how many subscriptions went.
func (s *Store) Forget(ctx context.Context, id int64) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM subscriptions WHERE chat_id = $1`, id); err != nil {
			return err
		}
		var shipments []int64
		if err := tx.SelectContext(ctx, &shipments, `SELECT shipment_id FROM subscriptions WHERE chat_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM chats WHERE id = $1`, id); err != nil {
			return err
		}
		return deleteOrphans(ctx, tx, s.rebind, shipments)
	})
	if err != nil {
		return 0, fmt.Errorf("store: forget chat %d: %w", id, err)
	}
	return n, nil
}

// deleteOrphans deletes those of the shipments that no chat tracks.
func deleteOrphans(ctx context.Context, tx *sqlx.Tx, rebind func(string) string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	q, args, err := sqlx.In(`DELETE FROM shipments WHERE id IN (?)
		AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.shipment_id = shipments.id)`, ids)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, rebind(q), args...)
	return err
}
