package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/trackbot/trackbot/tracking"
)

// Tracked is a chat's subscription together with its shipment's state.
type Tracked struct {
	Sub      Subscription
	Shipment *tracking.ShipmentState
}

// Subscription is a tracking.Subscription with the state of its alerts'
// delivery, which the store keeps and the notifier reads but the engine
// never needs.
type Subscription struct {
	tracking.Subscription
	// Muted holds the shipment's alerts back until it is unmuted.
	Muted bool
	// SnoozedUntil holds alerts back until then (a team's "snooze").
	SnoozedUntil *time.Time
	// ThreadRef is the platform's reference of the thread the shipment's
	// alerts go to (Slack's thread_ts); "" until the first alert.
	ThreadRef string
}

type trackedRow struct {
	SubID        int64      `db:"sub_id"`
	ChatID       int64      `db:"chat_id"`
	Label        string     `db:"label"`
	OrderRef     string     `db:"order_ref"`
	Marketplace  string     `db:"marketplace"`
	SubMuted     bool       `db:"sub_muted"`
	SnoozedUntil *time.Time `db:"snoozed_until"`
	ThreadRef    string     `db:"thread_ref"`
	SubCreatedAt time.Time  `db:"sub_created_at"`
	shipmentRow
}

const trackedSelect = `SELECT s.id AS sub_id, s.chat_id, s.label, s.order_ref, s.marketplace, s.muted AS sub_muted,
	s.snoozed_until, s.thread_ref, s.created_at AS sub_created_at,
	sh.id, sh.carrier, sh.number, sh.provider, sh.status, sh.substatus, sh.status_changed_at, sh.last_event_at, sh.eta,
	sh.origin_country, sh.destination_country, sh.push_registered, sh.check_failures, sh.next_check_at,
	sh.last_checked_at, sh.stopped_reason, sh.created_at
	FROM subscriptions s JOIN shipments sh ON sh.id = s.shipment_id`

func (r *trackedRow) tracked() Tracked {
	return Tracked{
		Sub: Subscription{
			Subscription: tracking.Subscription{
				ID: r.SubID, ChatID: r.ChatID, ShipmentID: r.shipmentRow.ID, Label: r.Label, OrderRef: r.OrderRef,
				Marketplace: r.Marketplace, CreatedAt: r.SubCreatedAt.UTC(),
			},
			Muted: r.SubMuted, SnoozedUntil: utc(r.SnoozedUntil), ThreadRef: r.ThreadRef,
		},
		Shipment: r.shipmentRow.state(),
	}
}

// Subscriptions lists a chat's subscriptions, oldest first.
func (s *Store) Subscriptions(ctx context.Context, chatID int64) ([]Tracked, error) {
	var rows []trackedRow
	if err := s.db.SelectContext(ctx, &rows, trackedSelect+` WHERE s.chat_id = $1 ORDER BY s.id`, chatID); err != nil {
		return nil, fmt.Errorf("store: subscriptions of chat %d: %w", chatID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	// The list's guidance reads timelines: load every shipment's events
	// and legs in two queries for the whole chat.
	shipments := make([]shipmentRow, len(rows))
	for i := range rows {
		shipments[i] = rows[i].shipmentRow
	}
	states, err := s.withExtras(ctx, s.db, shipments)
	if err != nil {
		return nil, err
	}
	out := make([]Tracked, len(rows))
	for i := range rows {
		out[i] = rows[i].tracked()
		out[i].Shipment = states[i]
	}
	return out, nil
}

// Following reports whether a chat follows the shipment of carrier and
// number.
func (s *Store) Following(ctx context.Context, chatID int64, carrier, number string) (bool, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM subscriptions sub JOIN shipments sh ON sh.id = sub.shipment_id
		WHERE sub.chat_id = $1 AND sh.carrier = $2 AND sh.number = $3`, chatID, carrier, number); err != nil {
		return false, fmt.Errorf("store: following: %w", err)
	}
	return n > 0, nil
}

// CountSubscriptions counts a chat's subscriptions.
func (s *Store) CountSubscriptions(ctx context.Context, chatID int64) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM subscriptions WHERE chat_id = $1`, chatID); err != nil {
		return 0, fmt.Errorf("store: count subscriptions: %w", err)
	}
	return n, nil
}

// Subscription returns one of a chat's subscriptions by id. A subscription
// of another chat is ErrNotFound: every lookup is scoped to the chat.
func (s *Store) Subscription(ctx context.Context, chatID, subID int64) (Tracked, error) {
	var r trackedRow
	err := s.db.GetContext(ctx, &r, trackedSelect+` WHERE s.chat_id = $1 AND s.id = $2`, chatID, subID)
	if errors.Is(err, sql.ErrNoRows) {
		return Tracked{}, ErrNotFound
	}
	if err != nil {
		return Tracked{}, fmt.Errorf("store: subscription %d: %w", subID, err)
	}
	return r.tracked(), nil
}

// FindSubscription finds a chat's subscription by tracking number (its own
// or a later leg's) or by label, ignoring case. A label shared by several
// subscriptions finds the oldest. Numbers are stored upper case
// (tracking.NormalizeNumber), so only the reference is folded and the
// number columns are compared as they are indexed.
func (s *Store) FindSubscription(ctx context.Context, chatID int64, ref string) (Tracked, error) {
	ref = strings.TrimSpace(ref)
	var r trackedRow
	err := s.db.GetContext(ctx, &r, trackedSelect+` WHERE s.chat_id = $1 AND (sh.number = UPPER($2)
		OR LOWER(s.label) = LOWER($2) OR LOWER(s.order_ref) = LOWER($2)
		OR EXISTS (SELECT 1 FROM legs l WHERE l.shipment_id = sh.id AND l.number = UPPER($2)))
		ORDER BY CASE WHEN sh.number = UPPER($2) THEN 0 ELSE 1 END, s.id LIMIT 1`, chatID, ref)
	if errors.Is(err, sql.ErrNoRows) {
		return Tracked{}, ErrNotFound
	}
	if err != nil {
		return Tracked{}, fmt.Errorf("store: find subscription: %w", err)
	}
	return r.tracked(), nil
}

// SubscriptionSettings are the fields of a subscription a chat can change;
// nil fields stay as they are.
type SubscriptionSettings struct {
	Label        *string
	OrderRef     *string
	Marketplace  *string
	Muted        *bool
	SnoozedUntil **time.Time
	ThreadRef    *string
}

// UpdateSubscription changes one of a chat's subscriptions. It returns
// ErrNotFound when the subscription is not the chat's.
func (s *Store) UpdateSubscription(ctx context.Context, chatID, subID int64, set SubscriptionSettings) error {
	var a assignments
	assign(&a, "label", set.Label)
	assign(&a, "order_ref", set.OrderRef)
	assign(&a, "marketplace", set.Marketplace)
	assign(&a, "muted", set.Muted)
	if set.SnoozedUntil != nil {
		a.add("snoozed_until", dbTimePtr(*set.SnoozedUntil))
	}
	assign(&a, "thread_ref", set.ThreadRef)
	if a.empty() {
		return nil
	}
	q := "UPDATE subscriptions SET " + a.set() + " WHERE chat_id = " + a.arg(chatID) + " AND id = " + a.arg(subID)
	res, err := s.db.ExecContext(ctx, q, a.args...)
	if err != nil {
		return fmt.Errorf("store: update subscription %d: %w", subID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Unsubscribe removes one of a chat's subscriptions, and its shipment when
// no chat tracks it any more.
func (s *Store) Unsubscribe(ctx context.Context, chatID, subID int64) error {
	if s.dialect == Postgres {
		// One statement, no transaction around it: the shipment goes too
		// when no other chat follows it (the outer DELETE sees the
		// subscriptions as they were before the statement).
		var n int
		if err := s.db.GetContext(ctx, &n, `WITH d AS (DELETE FROM subscriptions WHERE chat_id = $1 AND id = $2 RETURNING shipment_id),
			o AS (DELETE FROM shipments WHERE id IN (SELECT shipment_id FROM d)
				AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.shipment_id = shipments.id AND s.id <> $2) RETURNING id)
			SELECT COUNT(*) FROM d`, chatID, subID); err != nil {
			return fmt.Errorf("store: unsubscribe %d: %w", subID, err)
		}
		if n == 0 {
			return ErrNotFound
		}
		return nil
	}
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		var shipmentID int64
		err := tx.GetContext(ctx, &shipmentID, `DELETE FROM subscriptions WHERE chat_id = $1 AND id = $2 RETURNING shipment_id`, chatID, subID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("store: unsubscribe %d: %w", subID, err)
		}
		return deleteOrphans(ctx, tx, s.rebind, []int64{shipmentID})
	})
}

// Subscribe makes a chat follow a shipment, in one transaction: the
// subscription (a chat that already follows the shipment keeps its own, a
// new label or order reference replacing the old), the removal of the
// subscription it replaces with that one's settings carried over, the
// resumption of a shipment stopped for silence, and the guidance already
// applying to a new subscription, recorded as fired without a push. It
// fails with tracking.ErrTooManyShipments past the chat's limit and with
// ErrNotFound when the replaced subscription is not the chat's; either way
// nothing is written.
func (s *Store) Subscribe(ctx context.Context, r *tracking.SubscribeRequest) (id int64, created bool, err error) {
	now := dbTime(r.Now)
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		var old struct {
			ShipmentID  int64  `db:"shipment_id"`
			OrderRef    string `db:"order_ref"`
			Marketplace string `db:"marketplace"`
			Muted       bool   `db:"muted"`
			// ProtectionEnds carries over: the order is the same.
			ProtectionEnds *time.Time `db:"protection_ends"`
		}
		if r.Replaces != 0 {
			err := tx.GetContext(ctx, &old, `SELECT shipment_id, order_ref, marketplace, muted, protection_ends FROM subscriptions
				WHERE chat_id = $1 AND id = $2`, r.ChatID, r.Replaces)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return fmt.Errorf("store: subscribe: replaced subscription: %w", err)
			}
		}
		err := tx.GetContext(ctx, &id, `INSERT INTO subscriptions (chat_id, shipment_id, label, last_pushed_event_at, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (chat_id, shipment_id) DO NOTHING RETURNING id`,
			r.ChatID, r.ShipmentID, r.Label, dbTimePtr(r.LastPushed), now)
		switch {
		case err == nil:
			created = true
		case errors.Is(err, sql.ErrNoRows):
			if err := tx.GetContext(ctx, &id, `SELECT id FROM subscriptions WHERE chat_id = $1 AND shipment_id = $2`,
				r.ChatID, r.ShipmentID); err != nil {
				return fmt.Errorf("store: subscribe: %w", err)
			}
		default:
			return fmt.Errorf("store: subscribe: %w", err)
		}
		if created && r.Limit > 0 && r.Replaces == 0 {
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM subscriptions WHERE chat_id = $1`, r.ChatID); err != nil {
				return fmt.Errorf("store: subscribe: %w", err)
			}
			if n > r.Limit {
				return tracking.ErrTooManyShipments
			}
		}
		var a assignments
		if r.Label != "" {
			a.add("label", r.Label)
		}
		switch {
		case r.OrderRef != "":
			a.add("order_ref", r.OrderRef)
		case r.Replaces != 0:
			a.add("order_ref", old.OrderRef)
		}
		if r.Replaces != 0 {
			a.add("marketplace", old.Marketplace)
			a.add("muted", old.Muted)
			a.add("protection_ends", dbTimePtr(old.ProtectionEnds))
		}
		if !a.empty() {
			if _, err := tx.ExecContext(ctx, "UPDATE subscriptions SET "+a.set()+" WHERE id = "+a.arg(id), a.args...); err != nil {
				return fmt.Errorf("store: subscribe: %w", err)
			}
		}
		if r.Replaces != 0 && r.Replaces != id {
			if _, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE id = $1`, r.Replaces); err != nil {
				return fmt.Errorf("store: subscribe: remove the replaced subscription: %w", err)
			}
			if err := deleteOrphans(ctx, tx, s.rebind, []int64{old.ShipmentID}); err != nil {
				return fmt.Errorf("store: subscribe: %w", err)
			}
		}
		if r.Resume {
			if err := resume(ctx, tx, r.ShipmentID, tracking.StopSilent, now); err != nil {
				return err
			}
		}
		if created && r.Guidance != nil {
			if err := seedGuidance(ctx, tx, id, r.ShipmentID, r.Guidance, now); err != nil {
				return err
			}
		}
		if r.BeforeCommit != nil {
			return r.BeforeCommit()
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return id, created, nil
}

// Events returns a shipment's events, oldest first.
func (s *Store) Events(ctx context.Context, shipmentID int64) ([]tracking.Event, error) {
	var rows []eventRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT shipment_id, fingerprint, occurred_at, status, substatus, description,
		city, state, country, carrier, number FROM events WHERE shipment_id = $1 ORDER BY occurred_at, id`, shipmentID); err != nil {
		return nil, fmt.Errorf("store: events of shipment %d: %w", shipmentID, err)
	}
	out := make([]tracking.Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, nil
}

// ShipmentView returns a shipment with its legs and whole timeline.
func (s *Store) ShipmentView(ctx context.Context, shipmentID int64) (*tracking.Shipment, error) {
	st, err := s.Shipment(ctx, shipmentID)
	if err != nil {
		return nil, err
	}
	return tracking.NewShipment(st, st.Events), nil
}

// Resume puts a shipment whose polling stopped back on the schedule.
func (s *Store) Resume(ctx context.Context, shipmentID int64, now time.Time) error {
	return resume(ctx, s.db, shipmentID, "", dbTime(now))
}

// resume puts a stopped shipment back on the schedule; with a reason, only
// one stopped for that reason.
func resume(ctx context.Context, db sqlx.ExecerContext, shipmentID int64, reason string, now time.Time) error {
	if _, err := db.ExecContext(ctx, `UPDATE shipments SET next_check_at = $1, stopped_reason = '', check_failures = 0,
		updated_at = $1 WHERE id = $2 AND next_check_at IS NULL AND ($3 = '' OR stopped_reason = $3)`,
		now, shipmentID, reason); err != nil {
		return fmt.Errorf("store: resume shipment %d: %w", shipmentID, err)
	}
	return nil
}

// CreateShareToken stores a token that opens a read-only tracking page for
// one of a chat's subscriptions until expires (the zero time: until it is
// revoked), showing what opts allow. Only the token's SHA-256 is stored:
// the database alone opens no page.
func (s *Store) CreateShareToken(ctx context.Context, chatID, subID int64, token string, now, expires time.Time, opts ShareOptions) error {
	var until *time.Time
	if !expires.IsZero() {
		until = &expires
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO share_tokens (token_hash, subscription_id, created_at, expires_at, show_label)
		SELECT $1, id, $2, $3, $6 FROM subscriptions WHERE id = $4 AND chat_id = $5`,
		shareTokenHash(token), dbTime(now), dbTimePtr(until), subID, chatID, opts.ShowLabel)
	if err != nil {
		return fmt.Errorf("store: create share token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// shareTokenHash is what the store keeps of a share token: its hex
// SHA-256. The tokens are 128 random bits, so no salt or slow hash is
// needed against guessing.
func shareTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// RevokeShareTokens closes every tracking page of one of a chat's
// subscriptions.
func (s *Store) RevokeShareTokens(ctx context.Context, chatID, subID int64, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE share_tokens SET revoked_at = $1 WHERE revoked_at IS NULL
		AND subscription_id IN (SELECT id FROM subscriptions WHERE id = $2 AND chat_id = $3)`, dbTime(now), subID, chatID); err != nil {
		return fmt.Errorf("store: revoke share tokens: %w", err)
	}
	return nil
}
