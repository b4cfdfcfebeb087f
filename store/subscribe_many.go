package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/trackbot/trackbot/tracking"
)

// shipmentKey names a shipment as its unique index does.
type shipmentKey struct{ carrier, number string }

// manyPlan is what SubscribeMany decided for one distinct shipment of its
// request.
type manyPlan struct {
	key shipmentKey
	// subID is the chat's subscription, when it followed the shipment
	// before; 0 for one to create.
	subID           int64
	label, orderRef string // the last given, "" when none was
	country         string // the first given
	st              *tracking.ShipmentState
	created         bool
}

// SubscribeMany makes a chat follow many shipments in one transaction (see
// tracking.SubscribeManyRequest). Its statements do not grow with the
// number of items: each step is one statement for the whole set, or one
// per chunk of maxParams parameters. It fails with
// tracking.ErrTooManyShipments, writing nothing, when the chat's
// subscriptions grew past the limit while it ran.
func (s *Store) SubscribeMany(ctx context.Context, r *tracking.SubscribeManyRequest) ([]tracking.Subscribed, error) {
	now := dbTime(r.Now)
	out := make([]tracking.Subscribed, len(r.Items))
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var chat struct {
			Role       string `db:"role"`
			Active     bool   `db:"active"`
			AlertLevel string `db:"alert_level"`
		}
		if err := tx.GetContext(ctx, &chat, `SELECT role, active, alert_level FROM chats WHERE id = $1`, r.ChatID); err != nil {
			return fmt.Errorf("store: subscribe many: chat %d: %w", r.ChatID, err)
		}
		var followed []struct {
			ID      int64  `db:"id"`
			Carrier string `db:"carrier"`
			Number  string `db:"number"`
		}
		if err := tx.SelectContext(ctx, &followed, `SELECT s.id, sh.carrier, sh.number FROM subscriptions s
			JOIN shipments sh ON sh.id = s.shipment_id WHERE s.chat_id = $1`, r.ChatID); err != nil {
			return fmt.Errorf("store: subscribe many: %w", err)
		}
		count := len(followed)
		plans := map[shipmentKey]*manyPlan{}
		for _, f := range followed {
			k := shipmentKey{f.Carrier, f.Number}
			plans[k] = &manyPlan{key: k, subID: f.ID}
		}
		// In order, as one Track after another: an item the chat follows
		// (before or from an earlier item) is followed whatever the limit;
		// a new one counts towards it.
		var order []*manyPlan // the items' distinct shipments, in order
		inOrder := map[shipmentKey]bool{}
		itemPlan := make([]*manyPlan, len(r.Items))
		for i, it := range r.Items {
			k := shipmentKey{it.Carrier, it.Number}
			p := plans[k]
			if p == nil {
				if r.Limit > 0 && count >= r.Limit {
					out[i].OverLimit = true
					continue
				}
				count++
				p = &manyPlan{key: k, created: true}
				plans[k] = p
			}
			if it.Label != "" {
				p.label = it.Label
			}
			if it.OrderRef != "" {
				p.orderRef = it.OrderRef
			}
			if p.country == "" {
				p.country = it.DestinationCountry
			}
			if !inOrder[k] {
				inOrder[k] = true
				order = append(order, p)
			}
			itemPlan[i] = p
		}
		if len(order) == 0 {
			return nil
		}
		if err := s.ensureShipments(ctx, tx, order, now); err != nil {
			return err
		}
		if err := setDestinations(ctx, tx, order); err != nil {
			return err
		}
		if err := s.insertSubscriptions(ctx, tx, r, order, now); err != nil {
			return err
		}
		if err := relabel(ctx, tx, order); err != nil {
			return err
		}
		if err := resumeSilent(ctx, tx, order, now); err != nil {
			return err
		}
		// The guidance already applying to each new subscription, fired
		// without a push (seedGuidance, for the whole set).
		var all tracking.GuidanceUpdate
		for _, p := range order {
			if !p.created || r.Advise == nil {
				continue
			}
			target := tracking.GuidanceTarget{SubscriptionID: p.subID, ChatID: r.ChatID, Role: chat.Role, Active: chat.Active,
				Alerts: tracking.AlertLevel(chat.AlertLevel)}
			u := tracking.GuidanceTransitions(p.st.ID, p.st.Number, []tracking.GuidanceTarget{target}, nil, r.Advise(p.st), now, false)
			all.Rules = append(all.Rules, u.Rules...)
			all.Notices = append(all.Notices, u.Notices...)
		}
		if err := writeRules(ctx, tx, all.Rules); err != nil {
			return err
		}
		if err := enqueueNotices(ctx, tx, all.Notices, now); err != nil {
			return err
		}
		for i, p := range itemPlan {
			if p == nil {
				continue
			}
			out[i] = tracking.Subscribed{SubscriptionID: p.subID, Created: p.created, Shipment: p.st}
			p.created = false // a repeated item finds it followed, as a second Track would
		}
		// A shop's delivery tells the chat what it started tracking, with
		// the subscriptions (one row, whatever the number of items).
		if n, ok := r.OrderFeedNotice(out); ok {
			if err := enqueueChatNotice(ctx, tx, n, now); err != nil {
				return err
			}
		}
		if r.BeforeCommit != nil {
			return r.BeforeCommit()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ensureShipments creates the plans' shipments where missing, due for
// their first check at now, and loads every plan's shipment with its
// events and legs.
func (s *Store) ensureShipments(ctx context.Context, tx *sqlx.Tx, order []*manyPlan, now time.Time) error {
	// Inserted in the unique index's order: two transactions creating
	// overlapping sets wait for each other instead of deadlocking.
	sorted := slices.Clone(order)
	slices.SortFunc(sorted, func(a, b *manyPlan) int {
		return cmp.Or(strings.Compare(a.key.carrier, b.key.carrier), strings.Compare(a.key.number, b.key.number))
	})
	if err := chunks(len(sorted), 2, 1, func(from, to int) error {
		var sb strings.Builder
		sb.WriteString(`INSERT INTO shipments (carrier, number, status, substatus, status_changed_at, next_check_at, created_at, updated_at) VALUES `)
		args := []any{now}
		for i, p := range sorted[from:to] {
			if i > 0 {
				sb.WriteString(", ")
			}
			k := 1 + 2*i
			fmt.Fprintf(&sb, "($%d, $%d, 'UNKNOWN', 'other', $1, $1, $1, $1)", k+1, k+2)
			args = append(args, p.key.carrier, p.key.number)
		}
		sb.WriteString(` ON CONFLICT (carrier, number) DO NOTHING`)
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("store: subscribe many: ensure shipments: %w", err)
		}
		return nil
	}); err != nil {
		return err
	}
	byKey := make(map[shipmentKey]*manyPlan, len(order))
	for _, p := range order {
		byKey[p.key] = p
	}
	return chunks(len(order), 1, 0, func(from, to int) error {
		var sb strings.Builder
		sb.WriteString(`SELECT ` + shipmentColumns + ` FROM shipments WHERE number IN `)
		placeholders(&sb, 0, to-from)
		args := make([]any, 0, to-from)
		for _, p := range order[from:to] {
			args = append(args, p.key.number)
		}
		var rows []shipmentRow
		if err := tx.SelectContext(ctx, &rows, sb.String(), args...); err != nil {
			return fmt.Errorf("store: subscribe many: load shipments: %w", err)
		}
		// The same number under another carrier is another shipment.
		mine := rows[:0]
		for _, row := range rows {
			if byKey[shipmentKey{row.Carrier, row.Number}] != nil {
				mine = append(mine, row)
			}
		}
		sts, err := s.withExtras(ctx, tx, mine)
		if err != nil {
			return err
		}
		for _, st := range sts {
			byKey[shipmentKey{st.Carrier, st.Number}].st = st
		}
		for _, p := range order[from:to] {
			if p.st == nil {
				return fmt.Errorf("store: subscribe many: shipment %s %s vanished", p.key.carrier, p.key.number)
			}
		}
		return nil
	})
}

// setDestinations records the destination countries given for shipments
// that know none yet, as SetDestinationCountry does, one statement a chunk.
func setDestinations(ctx context.Context, tx *sqlx.Tx, order []*manyPlan) error {
	var set []*manyPlan
	for _, p := range order {
		if p.country != "" && p.st.DestinationCountry == "" {
			set = append(set, p)
		}
	}
	return chunks(len(set), 3, 0, func(from, to int) error {
		var a assignments
		var cases, ids []string
		for _, p := range set[from:to] {
			cases = append(cases, "WHEN "+a.arg(p.st.ID)+" THEN "+a.arg(p.country))
		}
		for _, p := range set[from:to] {
			ids = append(ids, a.arg(p.st.ID))
		}
		q := `UPDATE shipments SET destination_country = CASE id ` + strings.Join(cases, " ") + ` ELSE destination_country END
			WHERE destination_country = '' AND id IN (` + strings.Join(ids, ", ") + `)`
		if _, err := tx.ExecContext(ctx, q, a.args...); err != nil {
			return fmt.Errorf("store: subscribe many: destinations: %w", err)
		}
		for _, p := range set[from:to] {
			p.st.DestinationCountry = p.country
		}
		return nil
	})
}

// insertSubscriptions creates the subscriptions of the plans that have
// none. The chat is pushed only what comes after: after the newest event
// of a shipment looked up before, after now for one never looked up (its
// first lookup is the scheduler's). Past the limit, because another
// subscription came in meanwhile, it fails with ErrTooManyShipments.
func (s *Store) insertSubscriptions(ctx context.Context, tx *sqlx.Tx, r *tracking.SubscribeManyRequest, order []*manyPlan, now time.Time) error {
	var create []*manyPlan
	for _, p := range order {
		if p.created {
			create = append(create, p)
		}
	}
	if len(create) == 0 {
		return nil
	}
	byShipment := make(map[int64]*manyPlan, len(create))
	for _, p := range create {
		byShipment[p.st.ID] = p
	}
	const perRow = 4
	if err := chunks(len(create), perRow, 2, func(from, to int) error {
		var sb strings.Builder
		sb.WriteString(`INSERT INTO subscriptions (chat_id, shipment_id, label, order_ref, last_pushed_event_at, created_at) VALUES `)
		args := []any{r.ChatID, now}
		for i, p := range create[from:to] {
			if i > 0 {
				sb.WriteString(", ")
			}
			k := 2 + perRow*i
			fmt.Fprintf(&sb, "($1, $%d, $%d, $%d, $%d, $2)", k+1, k+2, k+3, k+4)
			lastPushed := p.st.LastEventAt
			if p.st.LastCheckedAt == nil {
				lastPushed = &now
			}
			args = append(args, p.st.ID, p.label, p.orderRef, dbTimePtr(lastPushed))
		}
		sb.WriteString(` ON CONFLICT (chat_id, shipment_id) DO NOTHING RETURNING id, shipment_id`)
		var rows []struct {
			ID         int64 `db:"id"`
			ShipmentID int64 `db:"shipment_id"`
		}
		if err := tx.SelectContext(ctx, &rows, sb.String(), args...); err != nil {
			return fmt.Errorf("store: subscribe many: %w", err)
		}
		for _, row := range rows {
			byShipment[row.ShipmentID].subID = row.ID
		}
		return nil
	}); err != nil {
		return err
	}
	// A subscription another transaction made meanwhile is the chat's
	// already: it keeps it, with this request's label and order.
	var raced []*manyPlan
	for _, p := range create {
		if p.subID == 0 {
			raced = append(raced, p)
		}
	}
	if err := chunks(len(raced), 1, 1, func(from, to int) error {
		var sb strings.Builder
		sb.WriteString(`SELECT id, shipment_id FROM subscriptions WHERE chat_id = $1 AND shipment_id IN `)
		placeholders(&sb, 1, to-from)
		args := []any{r.ChatID}
		for _, p := range raced[from:to] {
			args = append(args, p.st.ID)
		}
		var rows []struct {
			ID         int64 `db:"id"`
			ShipmentID int64 `db:"shipment_id"`
		}
		if err := tx.SelectContext(ctx, &rows, sb.String(), args...); err != nil {
			return fmt.Errorf("store: subscribe many: %w", err)
		}
		for _, row := range rows {
			p := byShipment[row.ShipmentID]
			p.subID, p.created = row.ID, false
		}
		return nil
	}); err != nil {
		return err
	}
	if r.Limit > 0 {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM subscriptions WHERE chat_id = $1`, r.ChatID); err != nil {
			return fmt.Errorf("store: subscribe many: %w", err)
		}
		if n > r.Limit {
			return tracking.ErrTooManyShipments
		}
	}
	return nil
}

// relabel gives the subscriptions the chat had before (or that raced in)
// the label and order reference their items gave, one statement a chunk.
func relabel(ctx context.Context, tx *sqlx.Tx, order []*manyPlan) error {
	var set []*manyPlan
	for _, p := range order {
		if !p.created && (p.label != "" || p.orderRef != "") {
			set = append(set, p)
		}
	}
	return chunks(len(set), 5, 0, func(from, to int) error {
		var a assignments
		var labels, orders, ids []string
		for _, p := range set[from:to] {
			if p.label != "" {
				labels = append(labels, "WHEN "+a.arg(p.subID)+" THEN "+a.arg(p.label))
			}
		}
		for _, p := range set[from:to] {
			if p.orderRef != "" {
				orders = append(orders, "WHEN "+a.arg(p.subID)+" THEN "+a.arg(p.orderRef))
			}
		}
		for _, p := range set[from:to] {
			ids = append(ids, a.arg(p.subID))
		}
		var sets []string
		if len(labels) > 0 {
			sets = append(sets, "label = CASE id "+strings.Join(labels, " ")+" ELSE label END")
		}
		if len(orders) > 0 {
			sets = append(sets, "order_ref = CASE id "+strings.Join(orders, " ")+" ELSE order_ref END")
		}
		q := "UPDATE subscriptions SET " + strings.Join(sets, ", ") + " WHERE id IN (" + strings.Join(ids, ", ") + ")"
		if _, err := tx.ExecContext(ctx, q, a.args...); err != nil {
			return fmt.Errorf("store: subscribe many: labels: %w", err)
		}
		return nil
	})
}

// resumeSilent puts the plans' shipments stopped for silence back on the
// schedule (resume), one statement a chunk.
func resumeSilent(ctx context.Context, tx *sqlx.Tx, order []*manyPlan, now time.Time) error {
	var ids []any
	for _, p := range order {
		if p.st.StoppedReason == tracking.StopSilent {
			ids = append(ids, p.st.ID)
		}
	}
	return chunks(len(ids), 1, 2, func(from, to int) error {
		var sb strings.Builder
		sb.WriteString(`UPDATE shipments SET next_check_at = $1, stopped_reason = '', check_failures = 0, updated_at = $1
			WHERE next_check_at IS NULL AND stopped_reason = $2 AND id IN `)
		placeholders(&sb, 2, to-from)
		args := append([]any{now, tracking.StopSilent}, ids[from:to]...)
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("store: subscribe many: resume: %w", err)
		}
		return nil
	})
}
