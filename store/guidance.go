package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/trackbot/trackbot/tracking"
)

// guidanceTarget is a subscription as guidance sees it.
type guidanceTarget struct {
	SubID       int64  `db:"sub_id"`
	ChatID      int64  `db:"chat_id"`
	Marketplace string `db:"marketplace"`
	Role        string `db:"role"`
	Active      bool   `db:"active"`
	Number      string `db:"number"`
}

type ruleState struct {
	SubID  int64  `db:"subscription_id"`
	Rule   string `db:"rule"`
	Active bool   `db:"active"`
	Arms   int    `db:"arms"`
}

// applyGuidance brings the guidance state of every subscription of a
// shipment up to date with the advice eval gives for its role and
// marketplace. A rule that starts to apply fires once: with push, it goes
// to the outbox (for active chats); a rule that stops applying is re-armed,
// so that it fires again if it returns.
func applyGuidance(ctx context.Context, tx *sqlx.Tx, shipmentID int64, eval func(role, marketplace string) []tracking.Advice, now time.Time, push bool) error {
	var targets []guidanceTarget
	if err := tx.SelectContext(ctx, &targets, `SELECT s.id AS sub_id, s.chat_id, s.marketplace, c.role, c.active, sh.number
		FROM subscriptions s JOIN chats c ON c.id = s.chat_id JOIN shipments sh ON sh.id = s.shipment_id
		WHERE s.shipment_id = $1 ORDER BY s.id`, shipmentID); err != nil {
		return fmt.Errorf("store: guidance targets: %w", err)
	}
	var states []ruleState
	if err := tx.SelectContext(ctx, &states, `SELECT g.subscription_id, g.rule, g.active, g.arms FROM guidance_state g
		JOIN subscriptions s ON s.id = g.subscription_id WHERE s.shipment_id = $1`, shipmentID); err != nil {
		return fmt.Errorf("store: guidance state: %w", err)
	}
	return writeGuidance(ctx, tx, shipmentID, targets, states, eval, now, push)
}

// writeGuidance moves the guidance of the given subscriptions of a
// shipment, whose rule states are states, as tracking decides for the
// advice eval gives, and writes the outcome inside tx.
func writeGuidance(ctx context.Context, tx *sqlx.Tx, shipmentID int64, targets []guidanceTarget, states []ruleState,
	eval func(role, marketplace string) []tracking.Advice, now time.Time, push bool) error {
	if len(targets) == 0 {
		return nil
	}
	subs := make([]tracking.GuidanceTarget, len(targets))
	for i, t := range targets {
		subs[i] = tracking.GuidanceTarget{SubscriptionID: t.SubID, ChatID: t.ChatID, Role: t.Role, Marketplace: t.Marketplace, Active: t.Active}
	}
	known := make([]tracking.RuleState, len(states))
	for i, st := range states {
		known[i] = tracking.RuleState{SubscriptionID: st.SubID, Rule: st.Rule, Active: st.Active, Arms: st.Arms}
	}
	u := tracking.GuidanceTransitions(shipmentID, targets[0].Number, subs, known, eval, now, push)
	for _, w := range u.Rules {
		var err error
		switch {
		case w.New:
			_, err = tx.ExecContext(ctx, `INSERT INTO guidance_state (subscription_id, rule, active, fired_at, arms)
				VALUES ($1, $2, TRUE, $3, $4)`, w.SubscriptionID, w.Rule, dbTime(w.At), w.Arms)
		case w.Active:
			_, err = tx.ExecContext(ctx, `UPDATE guidance_state SET active = TRUE, arms = $1, fired_at = $2, cleared_at = NULL
				WHERE subscription_id = $3 AND rule = $4`, w.Arms, dbTime(w.At), w.SubscriptionID, w.Rule)
		default:
			_, err = tx.ExecContext(ctx, `UPDATE guidance_state SET active = FALSE, cleared_at = $1
				WHERE subscription_id = $2 AND rule = $3`, dbTime(w.At), w.SubscriptionID, w.Rule)
		}
		if err != nil {
			return fmt.Errorf("store: guidance state of %s: %w", w.Rule, err)
		}
	}
	for _, n := range u.Notices {
		if err := enqueueOne(ctx, tx, n, now); err != nil {
			return err
		}
	}
	return nil
}

// enqueueOne writes one notice for one chat, unless a row with its
// dedupe key exists.
func enqueueOne(ctx context.Context, tx *sqlx.Tx, n tracking.OutboxNotice, now time.Time) error {
	payload, err := tracking.EncodeNotice(n.Notice)
	if err != nil {
		return fmt.Errorf("store: enqueue: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (chat_id, subscription_id, kind, payload, dedupe_key, state, not_before, created_at)
		VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) ON CONFLICT (dedupe_key) DO NOTHING`,
		n.ChatID, n.SubscriptionID, n.Notice.Kind, string(payload), n.Key, dbTime(now)); err != nil {
		return fmt.Errorf("store: enqueue %s notice: %w", n.Notice.Kind, err)
	}
	return nil
}

// UpdateGuidance brings one subscription's guidance up to date after the
// chat changed what the advice depends on (its role, the shop): a rule
// that now applies is pushed once, one that no longer does is re-armed.
func (s *Store) UpdateGuidance(ctx context.Context, subID int64, eval func(role, marketplace string) []tracking.Advice, now time.Time) error {
	now = dbTime(now)
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		return subscriptionGuidance(ctx, tx, subID, eval, now, true)
	})
}

// subscriptionGuidance brings one subscription's guidance state up to
// date inside tx; with push, a rule that starts to apply is pushed.
func subscriptionGuidance(ctx context.Context, tx *sqlx.Tx, subID int64, eval func(role, marketplace string) []tracking.Advice, now time.Time, push bool) error {
	var t guidanceTarget
	if err := tx.GetContext(ctx, &t, `SELECT s.id AS sub_id, s.chat_id, s.marketplace, c.role, c.active, sh.number
		FROM subscriptions s JOIN chats c ON c.id = s.chat_id JOIN shipments sh ON sh.id = s.shipment_id
		WHERE s.id = $1`, subID); err != nil {
		return fmt.Errorf("store: guidance of subscription %d: %w", subID, err)
	}
	var states []ruleState
	if err := tx.SelectContext(ctx, &states, `SELECT subscription_id, rule, active, arms FROM guidance_state
		WHERE subscription_id = $1`, subID); err != nil {
		return fmt.Errorf("store: guidance of subscription %d: %w", subID, err)
	}
	var shipmentID int64
	if err := tx.GetContext(ctx, &shipmentID, `SELECT shipment_id FROM subscriptions WHERE id = $1`, subID); err != nil {
		return fmt.Errorf("store: guidance of subscription %d: %w", subID, err)
	}
	return writeGuidance(ctx, tx, shipmentID, []guidanceTarget{t}, states, eval, now, push)
}
