package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/trackbot/trackbot/tracking"
)

// rowGuard is what a write without a transaction checks of the row: that
// it is the version read (xmin) and no other owner leases it.
type rowGuard struct {
	version string
	owner   string
	now     time.Time
}

// writeChangePG is the part of writeChange that PostgreSQL does in one
// statement: the shipment's row, its new events and the chats' pushes of
// its notice, chained as data-modifying CTEs that write nothing unless the
// shipment's row was written (the lease held). A push or a refresh with
// news costs one round trip for them instead of three or four. It reports
// whether the row was written.
//
// It writes n, the change's status alert or nil, as enqueueBroadcast does
// an alert no advice joins: one row per subscription of an active chat
// whose alert level hears it, and the mark of every subscription moves on.
// A caller whose change fired advice leaves n nil and writes the alert
// with it (enqueueBroadcast).
//
// With guard (and no tx) it writes only a row as the caller read it.
func (s *Store) writeChangePG(ctx context.Context, tx *sqlx.Tx, c *tracking.Change, n *tracking.Broadcast, leased bool, guard *rowGuard) (bool, error) {
	now := dbTime(c.Now)
	var sb strings.Builder
	args := []any{c.Provider, string(c.Status), string(c.Substatus), dbTime(c.StatusChangedAt), dbTimePtr(c.LastEventAt),
		dbTimePtr(c.ETA), c.OriginCountry, c.DestinationCountry, dbTimePtr(c.NextCheckAt), now, c.StoppedReason,
		c.ShipmentID, c.GuidanceSig}
	param := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	sb.WriteString(`WITH u AS (UPDATE shipments SET provider = $1, status = $2, substatus = $3,
		status_changed_at = $4, last_event_at = $5, eta = $6, origin_country = $7, destination_country = $8,
		next_check_at = $9, last_checked_at = $10, check_failures = 0, stopped_reason = $11,
		lease_owner = '', lease_until = NULL, updated_at = $10, guidance_sig = $13
		WHERE id = $12`)
	if leased {
		sb.WriteString(" AND lease_owner = " + param(c.LeaseOwner))
	}
	if guard != nil {
		owner := param(guard.owner)
		sb.WriteString(" AND CAST(xmin AS TEXT) = " + param(guard.version) +
			" AND (lease_until IS NULL OR lease_until <= " + param(dbTime(guard.now)) + " OR lease_owner = " + owner + ")")
	}
	sb.WriteString(" RETURNING id)")
	if len(c.Events) > 0 {
		sb.WriteString(`, e AS (INSERT INTO events (shipment_id, fingerprint, occurred_at, status, substatus, description,
			city, state, country, carrier, number, created_at)
			SELECT u.id, v.f, v.t, v.st, v.sub, v.d, v.ci, v.sa, v.co, v.ca, v.nu, $10 FROM u, (VALUES `)
		for i, e := range c.Events {
			if i > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "(CAST(%s AS TEXT), CAST(%s AS TIMESTAMPTZ), CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS TEXT))",
				param(e.Fingerprint()), param(dbTime(e.Time)), param(string(e.Status)), param(string(e.Substatus)), param(e.Description),
				param(e.Location.City), param(e.Location.State), param(e.Location.Country), param(e.Carrier), param(e.Number))
		}
		sb.WriteString(`) AS v(f, t, st, sub, d, ci, sa, co, ca, nu) ON CONFLICT (shipment_id, fingerprint) DO NOTHING)`)
	}
	if n != nil {
		payload, err := tracking.EncodeNotice(n.Notice)
		if err != nil {
			return false, fmt.Errorf("store: enqueue: %w", err)
		}
		kind, body, key, level := param(n.Notice.Kind), param(string(payload)), param(":"+n.Key), param(string(n.Level))
		insert := `INSERT INTO outbox (chat_id, subscription_id, kind, payload, dedupe_key, state, not_before, created_at, alert_level)
			SELECT s.chat_id, s.id, ` + kind + `, ` + body + `, ` + kind + ` || ':' || CAST(s.id AS TEXT) || ` + key + `, 'pending', $10, $10, ` + level
		// Only chats whose level hears the alert get a row.
		hears := ""
		if n.Level != "" {
			var in []string
			for _, l := range n.Level.Audience() {
				in = append(in, param(string(l)))
			}
			hears = " AND c.alert_level IN (" + strings.Join(in, ", ") + ")"
		}
		if n.EventTime == nil {
			sb.WriteString(`, o AS (` + insert + `
				FROM subscriptions s JOIN chats c ON c.id = s.chat_id
				WHERE s.shipment_id = $12 AND c.active` + hears + ` AND EXISTS (SELECT 1 FROM u)
				ON CONFLICT (dedupe_key) DO NOTHING)`)
		} else {
			// The mark moves on for every subscription told of nothing
			// newer, heard or not; those of active chats that hear the
			// alert get the push.
			at := param(dbTime(*n.EventTime))
			sb.WriteString(`, m AS (UPDATE subscriptions SET last_pushed_event_at = CAST(` + at + ` AS TIMESTAMPTZ)
				WHERE shipment_id = $12 AND (last_pushed_event_at IS NULL OR last_pushed_event_at < CAST(` + at + ` AS TIMESTAMPTZ))
					AND EXISTS (SELECT 1 FROM u)
				RETURNING id, chat_id),
			o AS (` + insert + `
				FROM m s JOIN chats c ON c.id = s.chat_id
				WHERE c.active` + hears + `
				ON CONFLICT (dedupe_key) DO NOTHING)`)
		}
	}
	sb.WriteString(" SELECT COUNT(*) FROM u")
	query := sb.String()
	var written []int
	var err error
	if len(c.Events) <= 4 {
		// A push or a poll brings a few events at a time: a few texts,
		// prepared once each.
		err = s.selectP(ctx, tx, &written, query, args...)
	} else {
		err = tx.SelectContext(ctx, &written, query, args...)
	}
	if err != nil {
		return false, fmt.Errorf("store: write shipment %d: %w", c.ShipmentID, err)
	}
	return len(written) == 1 && written[0] > 0, nil
}
