package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/trackbot/trackbot/tracking"
)

// guidanceRead is what applyGuidance reads of a shipment, when it was read
// already in the same transaction.
type guidanceRead struct {
	targets []guidanceTarget
	states  []ruleState
}

// ingestRow is a shipment as the push's one read on PostgreSQL returns it:
// the row, and as JSON arrays its events, legs, protection ends, and the
// subscriptions and rule states guidance needs.
type ingestRow struct {
	shipmentRow
	Version    string `db:"version"`
	Events     []byte `db:"events_json"`
	Legs       []byte `db:"legs_json"`
	Protection []byte `db:"protection_json"`
	Targets    []byte `db:"targets_json"`
	States     []byte `db:"states_json"`
	// Busy is set when another owner leases the shipment.
	Busy bool `db:"busy"`
}

// ingestReadPG reads, in one statement, locking them, the shipments that
// number belongs to and no other owner leases, with everything a push's
// merge and guidance read of them; busy counts those another owner
// leases, left out.
// Without tx it reads without locking, and versions are the rows' xmin,
// for a write that checks nothing changed since.
func (s *Store) ingestReadPG(ctx context.Context, tx *sqlx.Tx, number, owner string, now time.Time) (sts []*tracking.ShipmentState, reads []*guidanceRead, versions []string, busy int, err error) {
	locking := " FOR UPDATE OF shipments SKIP LOCKED"
	if tx == nil {
		locking = ""
	}
	var rows []ingestRow
	if err := s.selectP(ctx, tx, &rows, `SELECT `+shipmentColumns+`, CAST(xmin AS TEXT) AS version,
		(lease_until IS NOT NULL AND lease_until > $2 AND lease_owner <> $3) AS busy,
		(SELECT json_agg(json_build_array(e.fingerprint, e.occurred_at, e.status, e.substatus, e.description,
			e.city, e.state, e.country, e.carrier, e.number) ORDER BY e.occurred_at, e.id) FROM events e WHERE e.shipment_id = shipments.id) AS events_json,
		(SELECT json_agg(json_build_array(l.carrier, l.number) ORDER BY l.seq) FROM legs l WHERE l.shipment_id = shipments.id) AS legs_json,
		(SELECT json_agg(DISTINCT p.protection_ends ORDER BY p.protection_ends) FROM subscriptions p
			WHERE p.shipment_id = shipments.id AND p.protection_ends IS NOT NULL) AS protection_json,
		(SELECT json_agg(json_build_array(t.id, t.chat_id, t.marketplace, t.protection_ends, c.role, c.active, c.alert_level) ORDER BY t.id)
			FROM subscriptions t JOIN chats c ON c.id = t.chat_id WHERE t.shipment_id = shipments.id) AS targets_json,
		(SELECT json_agg(json_build_array(g.subscription_id, g.rule, g.active, g.arms) ORDER BY g.subscription_id, g.rule)
			FROM guidance_state g JOIN subscriptions t ON t.id = g.subscription_id WHERE t.shipment_id = shipments.id) AS states_json
		FROM shipments
		WHERE id IN (SELECT id FROM shipments WHERE number = $1 UNION SELECT shipment_id FROM legs WHERE number = $1)
		ORDER BY id`+locking, number, now, owner); err != nil {
		return nil, nil, nil, 0, fmt.Errorf("store: shipments of %s: %w", number, err)
	}
	free := rows[:0]
	for _, r := range rows {
		if r.Busy {
			busy++
			continue
		}
		free = append(free, r)
	}
	rows = free
	sts = make([]*tracking.ShipmentState, len(rows))
	reads = make([]*guidanceRead, len(rows))
	versions = make([]string, len(rows))
	for i, r := range rows {
		st := r.state()
		if err := unmarshalRows(r.Events, func(f []json.RawMessage) error {
			var e eventRow
			if err := decodeFields(f, &e.Fingerprint, &e.OccurredAt, &e.Status, &e.Substatus, &e.Description,
				&e.City, &e.State, &e.Country, &e.Carrier, &e.Number); err != nil {
				return err
			}
			st.Known[e.Fingerprint] = true
			st.Events = append(st.Events, e.event())
			return nil
		}); err != nil {
			return nil, nil, nil, 0, err
		}
		if err := unmarshalRows(r.Legs, func(f []json.RawMessage) error {
			var l tracking.Leg
			if err := decodeFields(f, &l.Carrier, &l.Number); err != nil {
				return err
			}
			st.Legs = append(st.Legs, l)
			return nil
		}); err != nil {
			return nil, nil, nil, 0, err
		}
		if len(r.Protection) > 0 {
			var ends []time.Time
			if err := json.Unmarshal(r.Protection, &ends); err != nil {
				return nil, nil, nil, 0, fmt.Errorf("store: protection ends: %w", err)
			}
			for _, e := range ends {
				st.ProtectionEnds = append(st.ProtectionEnds, e.UTC())
			}
		}
		g := &guidanceRead{}
		if err := unmarshalRows(r.Targets, func(f []json.RawMessage) error {
			t := guidanceTarget{Number: st.Number}
			if err := decodeFields(f, &t.SubID, &t.ChatID, &t.Marketplace, &t.ProtectionEnds, &t.Role, &t.Active, &t.AlertLevel); err != nil {
				return err
			}
			t.ProtectionEnds = utc(t.ProtectionEnds)
			g.targets = append(g.targets, t)
			return nil
		}); err != nil {
			return nil, nil, nil, 0, err
		}
		if err := unmarshalRows(r.States, func(f []json.RawMessage) error {
			var rs ruleState
			if err := decodeFields(f, &rs.SubID, &rs.Rule, &rs.Active, &rs.Arms); err != nil {
				return err
			}
			g.states = append(g.states, rs)
			return nil
		}); err != nil {
			return nil, nil, nil, 0, err
		}
		sts[i], reads[i], versions[i] = st, g, r.Version
	}
	return sts, reads, versions, busy, nil
}

// ingestOptimistic is IngestNumber on PostgreSQL without a transaction
// around it, for the common push: one read, then for each shipment one
// statement that writes only if the row is as read (its xmin) and still
// free of other owners' leases, so that it costs two round trips and a
// commit that waits for no other. done is false, and nothing or only
// whole shipments were written, when a row changed meanwhile or a change
// needs more than that statement (new legs, guidance to write): the
// caller then takes the push in a transaction.
func (s *Store) ingestOptimistic(ctx context.Context, number, owner string, now time.Time,
	decide func(st *tracking.ShipmentState) (c *tracking.Change, unchanged bool)) (done bool, busy int, err error) {
	sts, reads, versions, busy, err := s.ingestReadPG(ctx, nil, number, owner, now)
	if err != nil {
		return false, 0, err
	}
	type write struct {
		c         *tracking.Change
		unchanged bool
	}
	writes := make([]write, len(sts))
	for i, st := range sts {
		c, unchanged := decide(st)
		if c.BeforeCommit != nil {
			return false, 0, nil // a test's fault is injected into a transaction
		}
		if !unchanged {
			if len(c.Legs) > 0 {
				return false, 0, nil
			}
			if c.Guidance != nil {
				u := guidanceUpdate(c.ShipmentID, reads[i].targets, reads[i].states, c.Guidance, dbTime(c.Now), true)
				if len(u.Rules) > 0 || len(u.Notices) > 0 {
					return false, 0, nil
				}
			}
		}
		writes[i] = write{c, unchanged}
	}
	for i, w := range writes {
		guard := &rowGuard{version: versions[i], owner: owner, now: now}
		var written bool
		if w.unchanged {
			var n []int64
			if err := s.selectP(ctx, nil, &n, `UPDATE shipments SET next_check_at = $1, last_checked_at = $2,
				check_failures = 0, lease_owner = '', lease_until = NULL, updated_at = $2
				WHERE id = $3 AND CAST(xmin AS TEXT) = $4 AND (lease_until IS NULL OR lease_until <= $2 OR lease_owner = $5)
				RETURNING id`, dbTimePtr(w.c.NextCheckAt), dbTime(now), sts[i].ID, guard.version, owner); err != nil {
				return false, 0, fmt.Errorf("store: reschedule shipment %d: %w", sts[i].ID, err)
			}
			written = len(n) == 1
		} else if written, err = s.writeChangePG(ctx, nil, w.c, w.c.Broadcast, false, guard); err != nil {
			return false, 0, err
		}
		if !written {
			return false, 0, nil
		}
	}
	return true, busy, nil
}

// unmarshalRows calls fn with the fields of each array in a JSON array of
// arrays (json_agg of json_build_array); NULL is no rows.
func unmarshalRows(data []byte, fn func([]json.RawMessage) error) error {
	if len(data) == 0 {
		return nil
	}
	var rows [][]json.RawMessage
	if err := json.Unmarshal(data, &rows); err != nil {
		return fmt.Errorf("store: read aggregated rows: %w", err)
	}
	for _, r := range rows {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// decodeFields decodes each field into its destination.
func decodeFields(fields []json.RawMessage, dst ...any) error {
	if len(fields) != len(dst) {
		return fmt.Errorf("store: %d aggregated fields, want %d", len(fields), len(dst))
	}
	for i, f := range fields {
		if err := json.Unmarshal(f, dst[i]); err != nil {
			return fmt.Errorf("store: aggregated field %d: %w", i, err)
		}
	}
	return nil
}
