package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/trackbot/trackbot/tracking"
)

// guidanceTarget is a subscription as guidance sees it.
type guidanceTarget struct {
	SubID       int64  `db:"sub_id"`
	ChatID      int64  `db:"chat_id"`
	Marketplace string `db:"marketplace"`
	// ProtectionEnds is the end of the buyer protection the chat gave.
	ProtectionEnds *time.Time `db:"protection_ends"`
	Role           string     `db:"role"`
	Active         bool       `db:"active"`
	AlertLevel     string     `db:"alert_level"`
	Number         string     `db:"number"`
}

type ruleState struct {
	SubID  int64  `db:"subscription_id"`
	Rule   string `db:"rule"`
	Active bool   `db:"active"`
	Arms   int    `db:"arms"`
}

// applyGuidance brings the guidance state of every subscription of a
// shipment up to date with the advice eval gives for its role and
// marketplace, and returns the pushes it calls for, for the caller to
// write (enqueueNotices; a refresh first folds those that join its status
// alert into it, enqueueBroadcast). A rule that starts to apply fires
// once: with push, it calls for a push to active chats (enqueueNotices
// drops what a chat's level does not hear alone); a rule that stops applying is re-armed, so that it fires again if
// it returns. read, when not nil, is what tx read of the shipment already.
func (s *Store) applyGuidance(ctx context.Context, tx *sqlx.Tx, shipmentID int64, eval func(tracking.Reader) []tracking.Advice, now time.Time, push bool, read *guidanceRead) ([]tracking.OutboxNotice, error) {
	if read == nil {
		var err error
		if read, err = s.readGuidance(ctx, tx, shipmentID); err != nil {
			return nil, err
		}
	}
	return writeGuidance(ctx, tx, shipmentID, read.targets, read.states, eval, now, push)
}

// readGuidance reads the subscriptions of a shipment and their rule
// states, in one statement: each subscription with each of its rule
// states, or once without (rule NULL) when it has none.
func (s *Store) readGuidance(ctx context.Context, tx *sqlx.Tx, shipmentID int64) (*guidanceRead, error) {
	var rows []struct {
		guidanceTarget
		Rule       *string `db:"rule"`
		RuleActive *bool   `db:"rule_active"`
		Arms       *int    `db:"arms"`
	}
	if err := s.selectP(ctx, tx, &rows, `SELECT s.id AS sub_id, s.chat_id, s.marketplace, s.protection_ends, c.role, c.active, c.alert_level, sh.number,
			g.rule, g.active AS rule_active, g.arms
		FROM subscriptions s JOIN chats c ON c.id = s.chat_id JOIN shipments sh ON sh.id = s.shipment_id
			LEFT JOIN guidance_state g ON g.subscription_id = s.id
		WHERE s.shipment_id = $1 ORDER BY s.id, g.rule`, shipmentID); err != nil {
		return nil, fmt.Errorf("store: guidance targets: %w", err)
	}
	read := &guidanceRead{}
	for i, r := range rows {
		if i == 0 || rows[i-1].SubID != r.SubID {
			read.targets = append(read.targets, r.guidanceTarget)
		}
		if r.Rule != nil {
			read.states = append(read.states, ruleState{SubID: r.SubID, Rule: *r.Rule, Active: r.RuleActive != nil && *r.RuleActive, Arms: deref(r.Arms)})
		}
	}
	return read, nil
}

func deref(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

// writeGuidance moves the guidance of the given subscriptions of a
// shipment, whose rule states are states, as tracking decides for the
// advice eval gives, writes the rule states inside tx and returns the
// pushes the rules that fired call for.
func writeGuidance(ctx context.Context, tx *sqlx.Tx, shipmentID int64, targets []guidanceTarget, states []ruleState,
	eval func(tracking.Reader) []tracking.Advice, now time.Time, push bool) ([]tracking.OutboxNotice, error) {
	u := guidanceUpdate(shipmentID, targets, states, eval, now, push)
	if err := writeRules(ctx, tx, u.Rules); err != nil {
		return nil, err
	}
	return u.Notices, nil
}

// guidanceUpdate is what writeGuidance writes and returns.
func guidanceUpdate(shipmentID int64, targets []guidanceTarget, states []ruleState,
	eval func(tracking.Reader) []tracking.Advice, now time.Time, push bool) tracking.GuidanceUpdate {
	if len(targets) == 0 {
		return tracking.GuidanceUpdate{}
	}
	subs := make([]tracking.GuidanceTarget, len(targets))
	for i, t := range targets {
		subs[i] = tracking.GuidanceTarget{SubscriptionID: t.SubID, ChatID: t.ChatID, Role: t.Role, Marketplace: t.Marketplace, ProtectionEnds: utc(t.ProtectionEnds), Active: t.Active, Alerts: tracking.AlertLevel(t.AlertLevel)}
	}
	known := make([]tracking.RuleState, len(states))
	for i, st := range states {
		known[i] = tracking.RuleState{SubscriptionID: st.SubID, Rule: st.Rule, Active: st.Active, Arms: st.Arms}
	}
	return tracking.GuidanceTransitions(shipmentID, targets[0].Number, subs, known, eval, now, push)
}

// maxParams bounds the parameters of one statement, under both
// databases' limits (PostgreSQL 65,535; SQLite 32,766).
const maxParams = 30000

// chunks calls fn with consecutive ranges [from, to) of n rows, each small
// enough that perRow parameters a row (plus fixed ones) stay under
// maxParams.
func chunks(n, perRow, fixed int, fn func(from, to int) error) error {
	size := (maxParams - fixed) / perRow
	for from := 0; from < n; from += size {
		if err := fn(from, min(from+size, n)); err != nil {
			return err
		}
	}
	return nil
}

// placeholders writes "($k+1, …, $k+n)" for a row's n parameters after
// the first k.
func placeholders(sb *strings.Builder, k, n int) {
	sb.WriteByte('(')
	for j := 1; j <= n; j++ {
		if j > 1 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(sb, "$%d", k+j)
	}
	sb.WriteByte(')')
}

// writeRules writes rule state changes in one statement per chunk: a rule
// that fires is inserted or re-armed, one that clears keeps when it fired
// and how often. A parcel followed by thousands of chats so costs a few
// statements, not one per chat and rule.
func writeRules(ctx context.Context, tx *sqlx.Tx, rules []tracking.RuleWrite) error {
	// One statement may not touch a row twice (PostgreSQL's ON CONFLICT DO
	// UPDATE refuses): the last write of a rule wins, as it would have in
	// sequence.
	type key struct {
		sub  int64
		rule string
	}
	last := make(map[key]int, len(rules))
	for i, w := range rules {
		last[key{w.SubscriptionID, w.Rule}] = i
	}
	writes := make([]tracking.RuleWrite, 0, len(last))
	for i, w := range rules {
		if last[key{w.SubscriptionID, w.Rule}] == i {
			writes = append(writes, w)
		}
	}
	const perRow = 6
	return chunks(len(writes), perRow, 0, func(from, to int) error {
		var sb strings.Builder
		sb.WriteString(`INSERT INTO guidance_state (subscription_id, rule, active, fired_at, cleared_at, arms) VALUES `)
		args := make([]any, 0, (to-from)*perRow)
		for i, w := range writes[from:to] {
			if i > 0 {
				sb.WriteString(", ")
			}
			placeholders(&sb, i*perRow, perRow)
			var cleared any
			if !w.Active {
				cleared = dbTime(w.At)
			}
			args = append(args, w.SubscriptionID, w.Rule, w.Active, dbTime(w.At), cleared, w.Arms)
		}
		sb.WriteString(` ON CONFLICT (subscription_id, rule) DO UPDATE SET active = excluded.active,
			fired_at = CASE WHEN excluded.active THEN excluded.fired_at ELSE guidance_state.fired_at END,
			cleared_at = excluded.cleared_at,
			arms = CASE WHEN excluded.active THEN excluded.arms ELSE guidance_state.arms END`)
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("store: guidance state: %w", err)
		}
		return nil
	})
}

// enqueueNotices writes notices for their chats in one statement per
// chunk, in order; a notice whose dedupe key exists is skipped, and so is
// one its chat's alert level does not hear on its own
// (tracking.OutboxNotice.HeardAlone): advice that joined a status alert
// never comes here, and advice alone needs the level.
func enqueueNotices(ctx context.Context, tx *sqlx.Tx, notices []tracking.OutboxNotice, now time.Time) error {
	heard := notices[:0:0]
	for _, n := range notices {
		if n.HeardAlone() {
			heard = append(heard, n)
		}
	}
	notices = heard
	const perRow = 6
	return chunks(len(notices), perRow, 1, func(from, to int) error {
		var sb strings.Builder
		sb.WriteString(`INSERT INTO outbox (chat_id, subscription_id, kind, payload, dedupe_key, alert_level, state, not_before, created_at) VALUES `)
		args := make([]any, 1, 1+(to-from)*perRow)
		args[0] = dbTime(now)
		for i, n := range notices[from:to] {
			payload, err := tracking.EncodeNotice(n.Notice)
			if err != nil {
				return fmt.Errorf("store: enqueue: %w", err)
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			k := 1 + i*perRow
			fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d, 'pending', $1, $1)", k+1, k+2, k+3, k+4, k+5, k+6)
			args = append(args, n.ChatID, n.SubscriptionID, n.Notice.Kind, string(payload), n.Key, string(n.AlertLevel()))
		}
		sb.WriteString(` ON CONFLICT (dedupe_key) DO NOTHING`)
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("store: enqueue notices: %w", err)
		}
		return nil
	})
}

// seedGuidance records, inside tx, the rules that already apply when a
// subscription to shipmentID starts, as fired and without a push: the
// chat's answer shows them, and they are pushed only if they clear and
// return. A new subscription has no rule state yet.
func seedGuidance(ctx context.Context, tx *sqlx.Tx, subID, shipmentID int64, eval func(tracking.Reader) []tracking.Advice, now time.Time) error {
	var t guidanceTarget
	if err := tx.GetContext(ctx, &t, `SELECT s.id AS sub_id, s.chat_id, s.marketplace, s.protection_ends, c.role, c.active, c.alert_level, sh.number
		FROM subscriptions s JOIN chats c ON c.id = s.chat_id JOIN shipments sh ON sh.id = s.shipment_id
		WHERE s.id = $1`, subID); err != nil {
		return fmt.Errorf("store: guidance of subscription %d: %w", subID, err)
	}
	notices, err := writeGuidance(ctx, tx, shipmentID, []guidanceTarget{t}, nil, eval, now, false)
	if err != nil {
		return err
	}
	return enqueueNotices(ctx, tx, notices, now)
}

// UpdateChatGuidance brings the guidance of a chat's subscriptions up to
// date after the chat changed what the advice depends on (its role, a
// shop), in one transaction: every subscription of the chat, or only those
// in subIDs when given. advise gives the advice of each shipment as
// loaded inside the transaction; rules that now apply are pushed once,
// rules that no longer apply are re-armed. The statements do not grow
// with the number of subscriptions.
func (s *Store) UpdateChatGuidance(ctx context.Context, chatID int64, subIDs []int64,
	advise func(st *tracking.ShipmentState) func(tracking.Reader) []tracking.Advice, now time.Time) error {
	now = dbTime(now)
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		return s.chatGuidance(ctx, tx, chatID, subIDs, advise, now)
	})
}

// SetShop records where a chat bought one parcel and, when given, when its
// buyer protection ends, and re-evaluates that parcel's guidance, in one
// transaction; with CheckBy, the shipment is checked no later than then.
// A subscription that is not the chat's is ErrNotFound.
func (s *Store) SetShop(ctx context.Context, chatID int64, c tracking.ShopChange,
	advise func(st *tracking.ShipmentState) func(tracking.Reader) []tracking.Advice, now time.Time) error {
	now = dbTime(now)
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		var a assignments
		a.add("marketplace", c.Marketplace)
		if c.ProtectionEnds != nil {
			a.add("protection_ends", dbTime(*c.ProtectionEnds))
		}
		res, err := tx.ExecContext(ctx, "UPDATE subscriptions SET "+a.set()+" WHERE chat_id = "+a.arg(chatID)+" AND id = "+a.arg(c.SubscriptionID), a.args...)
		if err != nil {
			return fmt.Errorf("store: set shop of subscription %d: %w", c.SubscriptionID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if c.CheckBy != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE shipments SET next_check_at = $1
				WHERE id = (SELECT shipment_id FROM subscriptions WHERE id = $2) AND next_check_at > $1`,
				dbTime(*c.CheckBy), c.SubscriptionID); err != nil {
				return fmt.Errorf("store: check subscription %d by %s: %w", c.SubscriptionID, *c.CheckBy, err)
			}
		}
		return s.chatGuidance(ctx, tx, chatID, []int64{c.SubscriptionID}, advise, now)
	})
}

// SetRole changes a chat's role and re-evaluates the guidance of every one
// of its subscriptions for it, in one transaction (the statements of
// UpdateChatGuidance and one more). A chat that does not exist is
// ErrNotFound.
func (s *Store) SetRole(ctx context.Context, chatID int64, c tracking.RoleChange,
	advise func(st *tracking.ShipmentState) func(tracking.Reader) []tracking.Advice, now time.Time) error {
	now = dbTime(now)
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE chats SET role = $1, updated_at = $2 WHERE id = $3`, string(c.Role), now, chatID)
		if err != nil {
			return fmt.Errorf("store: set role of chat %d: %w", chatID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if err := s.chatGuidance(ctx, tx, chatID, nil, advise, now); err != nil {
			return err
		}
		if c.BeforeCommit != nil {
			return c.BeforeCommit()
		}
		return nil
	})
}

// chatGuidance is UpdateChatGuidance inside tx.
func (s *Store) chatGuidance(ctx context.Context, tx *sqlx.Tx, chatID int64, subIDs []int64,
	advise func(st *tracking.ShipmentState) func(tracking.Reader) []tracking.Advice, now time.Time) error {
	only, args := "", []any{chatID}
	if len(subIDs) > 0 {
		var sb strings.Builder
		sb.WriteString(" AND s.id IN ")
		placeholders(&sb, 1, len(subIDs))
		only = sb.String()
		for _, id := range subIDs {
			args = append(args, id)
		}
	}
	var targets []chatTarget
	if err := tx.SelectContext(ctx, &targets, `SELECT s.id AS sub_id, s.chat_id, s.shipment_id, s.marketplace, s.protection_ends, c.role, c.active, c.alert_level, sh.number
		FROM subscriptions s JOIN chats c ON c.id = s.chat_id JOIN shipments sh ON sh.id = s.shipment_id
		WHERE s.chat_id = $1`+only+` ORDER BY s.id`, args...); err != nil {
		return fmt.Errorf("store: guidance targets of chat %d: %w", chatID, err)
	}
	if len(targets) == 0 {
		return nil
	}
	var rows []shipmentRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+shipmentColumns+` FROM shipments WHERE id IN
		(SELECT s.shipment_id FROM subscriptions s WHERE s.chat_id = $1`+only+`)`, args...); err != nil {
		return fmt.Errorf("store: shipments of chat %d: %w", chatID, err)
	}
	sts, err := s.withExtras(ctx, tx, rows)
	if err != nil {
		return err
	}
	byID := make(map[int64]*tracking.ShipmentState, len(sts))
	for _, st := range sts {
		byID[st.ID] = st
	}
	var states []ruleState
	if err := tx.SelectContext(ctx, &states, `SELECT g.subscription_id, g.rule, g.active, g.arms FROM guidance_state g
		JOIN subscriptions s ON s.id = g.subscription_id WHERE s.chat_id = $1`+only, args...); err != nil {
		return fmt.Errorf("store: guidance state of chat %d: %w", chatID, err)
	}
	known := map[int64][]tracking.RuleState{}
	for _, st := range states {
		known[st.SubID] = append(known[st.SubID], tracking.RuleState{SubscriptionID: st.SubID, Rule: st.Rule, Active: st.Active, Arms: st.Arms})
	}
	// A chat follows a shipment once, so each subscription is its
	// shipment's only target here; in subscription order, the pushes
	// queue as they did one subscription at a time.
	var all tracking.GuidanceUpdate
	for _, t := range targets {
		st := byID[t.ShipmentID]
		if st == nil {
			continue
		}
		u := tracking.GuidanceTransitions(t.ShipmentID, t.Number,
			[]tracking.GuidanceTarget{{SubscriptionID: t.SubID, ChatID: t.ChatID, Role: t.Role, Marketplace: t.Marketplace, ProtectionEnds: utc(t.ProtectionEnds), Active: t.Active, Alerts: tracking.AlertLevel(t.AlertLevel)}},
			known[t.SubID], advise(st), now, true)
		all.Rules = append(all.Rules, u.Rules...)
		all.Notices = append(all.Notices, u.Notices...)
	}
	if err := writeRules(ctx, tx, all.Rules); err != nil {
		return err
	}
	return enqueueNotices(ctx, tx, all.Notices, now)
}

// chatTarget is a subscription of a chat as guidance sees it, with its
// shipment.
type chatTarget struct {
	guidanceTarget
	ShipmentID int64 `db:"shipment_id"`
}
