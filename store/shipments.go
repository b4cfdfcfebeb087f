package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/trackbot/trackbot/tracking"
)

var _ tracking.Store = (*Store)(nil)

const shipmentColumns = `id, carrier, number, provider, status, substatus, status_changed_at, last_event_at, eta,
	origin_country, destination_country, push_registered, check_failures, next_check_at, last_checked_at,
	stopped_reason, created_at, guidance_sig`

type shipmentRow struct {
	ID                 int64      `db:"id"`
	Carrier            string     `db:"carrier"`
	Number             string     `db:"number"`
	Provider           string     `db:"provider"`
	Status             string     `db:"status"`
	Substatus          string     `db:"substatus"`
	StatusChangedAt    time.Time  `db:"status_changed_at"`
	LastEventAt        *time.Time `db:"last_event_at"`
	ETA                *time.Time `db:"eta"`
	OriginCountry      string     `db:"origin_country"`
	DestinationCountry string     `db:"destination_country"`
	PushRegistered     bool       `db:"push_registered"`
	CheckFailures      int        `db:"check_failures"`
	NextCheckAt        *time.Time `db:"next_check_at"`
	LastCheckedAt      *time.Time `db:"last_checked_at"`
	StoppedReason      string     `db:"stopped_reason"`
	CreatedAt          time.Time  `db:"created_at"`
	GuidanceSig        string     `db:"guidance_sig"`
}

func (r *shipmentRow) state() *tracking.ShipmentState {
	return &tracking.ShipmentState{
		ID: r.ID, Carrier: r.Carrier, Number: r.Number, Provider: r.Provider,
		Status: tracking.Status(r.Status), Substatus: tracking.Substatus(r.Substatus),
		StatusChangedAt: r.StatusChangedAt.UTC(), LastEventAt: utc(r.LastEventAt), ETA: utc(r.ETA),
		OriginCountry: r.OriginCountry, DestinationCountry: r.DestinationCountry,
		PushRegistered: r.PushRegistered, CheckFailures: r.CheckFailures,
		NextCheckAt: utc(r.NextCheckAt), LastCheckedAt: utc(r.LastCheckedAt),
		StoppedReason: r.StoppedReason, CreatedAt: r.CreatedAt.UTC(), Known: map[string]bool{},
		GuidanceSig: r.GuidanceSig,
	}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// dbTime is how a time goes into the database: UTC to the microsecond,
// PostgreSQL's precision, so that both databases compare alike.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func dbTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return dbTime(*t)
}

// EnsureShipment returns the shipment for a carrier and number, creating it
// due for its first check at once.
func (s *Store) EnsureShipment(ctx context.Context, carrier, number string, now time.Time) (*tracking.ShipmentState, bool, error) {
	return s.EnsureShipmentDue(ctx, carrier, number, now, now)
}

// EnsureShipmentDue returns the shipment for a carrier and number,
// creating it due for its first check at due: later than now when the
// caller looks it up itself, so that the scheduler does not look it up
// too meanwhile. An existing shipment keeps its schedule.
func (s *Store) EnsureShipmentDue(ctx context.Context, carrier, number string, now, due time.Time) (*tracking.ShipmentState, bool, error) {
	now = dbTime(now)
	var id int64
	err := s.db.GetContext(ctx, &id, `INSERT INTO shipments
		(carrier, number, status, substatus, status_changed_at, next_check_at, created_at, updated_at)
		VALUES ($1, $2, 'UNKNOWN', 'other', $3, $4, $3, $3)
		ON CONFLICT (carrier, number) DO NOTHING RETURNING id`, carrier, number, now, dbTime(due))
	created := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, false, fmt.Errorf("store: ensure shipment %s: %w", number, err)
	}
	var row shipmentRow
	q := `SELECT ` + shipmentColumns + ` FROM shipments WHERE carrier = $1 AND number = $2`
	if err := s.db.GetContext(ctx, &row, q, carrier, number); err != nil {
		return nil, false, fmt.Errorf("store: ensure shipment %s: %w", number, err)
	}
	sts, err := s.withExtras(ctx, s.db, []shipmentRow{row})
	if err != nil {
		return nil, false, err
	}
	return sts[0], created, nil
}

// Shipment returns one shipment's state, without leasing it, or
// ErrNotFound.
func (s *Store) Shipment(ctx context.Context, id int64) (*tracking.ShipmentState, error) {
	var row shipmentRow
	err := s.db.GetContext(ctx, &row, `SELECT `+shipmentColumns+` FROM shipments WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: shipment %d: %w", id, err)
	}
	sts, err := s.withExtras(ctx, s.db, []shipmentRow{row})
	if err != nil {
		return nil, err
	}
	return sts[0], nil
}

// ClaimShipment leases one shipment to owner unless another owner holds a
// live lease.
func (s *Store) ClaimShipment(ctx context.Context, id int64, owner string, now time.Time, lease time.Duration) (*tracking.ShipmentState, bool, error) {
	now = dbTime(now)
	var rows []shipmentRow
	err := s.db.SelectContext(ctx, &rows, `UPDATE shipments SET lease_owner = $1, lease_until = $2
		WHERE id = $3 AND (lease_until IS NULL OR lease_until <= $4 OR lease_owner = $1)
		RETURNING `+shipmentColumns, owner, now.Add(lease), id, now)
	if err != nil {
		return nil, false, fmt.Errorf("store: claim shipment %d: %w", id, err)
	}
	if len(rows) == 0 {
		st, err := s.Shipment(ctx, id)
		return st, false, err
	}
	sts, err := s.withProtection(ctx, s.db, rows)
	if err != nil {
		return nil, false, err
	}
	return sts[0], true, nil
}

// ReleaseShipment gives back owner's lease of a shipment without changing
// its schedule; a lease owner no longer holds is left alone.
func (s *Store) ReleaseShipment(ctx context.Context, id int64, owner string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE shipments SET lease_owner = '', lease_until = NULL
		WHERE id = $1 AND lease_owner = $2`, id, owner); err != nil {
		return fmt.Errorf("store: release shipment %d: %w", id, err)
	}
	return nil
}

// ClaimDue leases up to limit due shipments that nobody else holds. On
// PostgreSQL, concurrent claimers skip each other's rows instead of
// waiting; SQLite has one writer at a time anyway.
func (s *Store) ClaimDue(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]*tracking.ShipmentState, error) {
	now = dbTime(now)
	if s.dialect == SQLite {
		return s.claimDueSQLite(ctx, owner, now, lease, limit)
	}
	var rows []shipmentRow
	err := s.selectP(ctx, nil, &rows, s.claimDueSQL(), owner, now.Add(lease), now, limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim due shipments: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return s.withProtection(ctx, s.db, rows)
}

// claimDueSQL leases the due shipments nobody holds ($1 owner, $2 lease
// end, $3 now, $4 limit); it walks the shipments_due index.
func (s *Store) claimDueSQL() string {
	locking := ""
	if s.dialect == Postgres {
		locking = " FOR UPDATE SKIP LOCKED"
	}
	return `UPDATE shipments SET lease_owner = $1, lease_until = $2
		WHERE id IN (SELECT id FROM shipments
			WHERE next_check_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
			ORDER BY next_check_at LIMIT $4` + locking + `)
		RETURNING ` + shipmentColumns
}

// withExtras adds every shipment's legs and events, in one query for the
// whole batch.
func (s *Store) withExtras(ctx context.Context, q sqlx.QueryerContext, rows []shipmentRow) ([]*tracking.ShipmentState, error) {
	return s.loadExtras(ctx, q, rows, false)
}

// withProtection is withExtras that also adds the ends of buyer
// protection that each shipment's subscriptions gave, still in one query:
// a refresh needs them for the reminders' guidance and schedule, nothing
// else does.
func (s *Store) withProtection(ctx context.Context, q sqlx.QueryerContext, rows []shipmentRow) ([]*tracking.ShipmentState, error) {
	return s.loadExtras(ctx, q, rows, true)
}

// extraRow is one row of loadExtras's query: an event (part 0), a leg
// (part 1) or an end of buyer protection (part 2, in occurred_at).
type extraRow struct {
	ShipmentID  int64      `db:"shipment_id"`
	Part        int        `db:"part"`
	Fingerprint string     `db:"fingerprint"`
	OccurredAt  *time.Time `db:"occurred_at"`
	Status      string     `db:"status"`
	Substatus   string     `db:"substatus"`
	Description string     `db:"description"`
	City        string     `db:"city"`
	State       string     `db:"state"`
	Country     string     `db:"country"`
	Carrier     string     `db:"carrier"`
	Number      string     `db:"number"`
	Ord         int64      `db:"ord"`
}

// loadExtras adds the shipments' events and legs, and with protection
// their ends of buyer protection, in one statement: a claim or a push
// costs one round trip for them, not one per kind.
func (s *Store) loadExtras(ctx context.Context, q sqlx.QueryerContext, rows []shipmentRow, protection bool) ([]*tracking.ShipmentState, error) {
	out := make([]*tracking.ShipmentState, len(rows))
	byID := make(map[int64]*tracking.ShipmentState, len(rows))
	ids := make([]int64, len(rows))
	for i := range rows {
		out[i] = rows[i].state()
		byID[rows[i].ID] = out[i]
		ids[i] = rows[i].ID
	}
	if len(rows) == 0 {
		return out, nil
	}
	var extras []extraRow
	if s.dialect == Postgres {
		// One text for any number of shipments: prepared once.
		query := `SELECT shipment_id, 0 AS part, fingerprint, occurred_at, status, substatus, description,
				city, state, country, carrier, number, id AS ord FROM events WHERE shipment_id = ANY($1)
			UNION ALL SELECT shipment_id, 1, '', CAST(NULL AS TIMESTAMPTZ), '', '', '', '', '', '', carrier, number, seq
				FROM legs WHERE shipment_id = ANY($1)`
		if protection {
			query += `
			UNION ALL SELECT DISTINCT shipment_id, 2, '', protection_ends, '', '', '', '', '', '', '', '', 0 FROM subscriptions
				WHERE shipment_id = ANY($1) AND protection_ends IS NOT NULL`
		}
		tx, _ := q.(*sqlx.Tx)
		if err := s.selectP(ctx, tx, &extras, query+` ORDER BY 1, 2, 4, 13`, pq.Array(ids)); err != nil {
			return nil, fmt.Errorf("store: load events and legs: %w", err)
		}
	} else {
		// The ids as one JSON parameter: a short text to compile.
		js, err := json.Marshal(ids)
		if err != nil {
			return nil, err
		}
		query := `SELECT shipment_id, 0 AS part, fingerprint, occurred_at, status, substatus, description,
				city, state, country, carrier, number, id AS ord FROM events WHERE shipment_id IN (SELECT value FROM json_each($1))
			UNION ALL SELECT shipment_id, 1, '', NULL, '', '', '', '', '', '', carrier, number, seq FROM legs
				WHERE shipment_id IN (SELECT value FROM json_each($1))`
		if protection {
			query += `
			UNION ALL SELECT DISTINCT shipment_id, 2, '', protection_ends, '', '', '', '', '', '', '', '', 0 FROM subscriptions
				WHERE shipment_id IN (SELECT value FROM json_each($1)) AND protection_ends IS NOT NULL`
		}
		if err := sqlx.SelectContext(ctx, q, &extras, query+` ORDER BY 1, 2, 4, 13`, string(js)); err != nil {
			return nil, fmt.Errorf("store: load events and legs: %w", err)
		}
	}
	for _, x := range extras {
		st := byID[x.ShipmentID]
		switch x.Part {
		case 0:
			e := eventRow{ShipmentID: x.ShipmentID, Fingerprint: x.Fingerprint, Status: x.Status, Substatus: x.Substatus,
				Description: x.Description, City: x.City, State: x.State, Country: x.Country, Carrier: x.Carrier, Number: x.Number}
			if x.OccurredAt != nil {
				e.OccurredAt = *x.OccurredAt
			}
			st.Known[e.Fingerprint] = true
			st.Events = append(st.Events, e.event())
		case 1:
			st.Legs = append(st.Legs, tracking.Leg{Carrier: x.Carrier, Number: x.Number})
		case 2:
			if x.OccurredAt != nil {
				st.ProtectionEnds = append(st.ProtectionEnds, x.OccurredAt.UTC())
			}
		}
	}
	return out, nil
}

type eventRow struct {
	ShipmentID  int64     `db:"shipment_id"`
	Fingerprint string    `db:"fingerprint"`
	OccurredAt  time.Time `db:"occurred_at"`
	Status      string    `db:"status"`
	Substatus   string    `db:"substatus"`
	Description string    `db:"description"`
	City        string    `db:"city"`
	State       string    `db:"state"`
	Country     string    `db:"country"`
	Carrier     string    `db:"carrier"`
	Number      string    `db:"number"`
}

func (r eventRow) event() tracking.Event {
	return tracking.Event{Time: r.OccurredAt.UTC(), Status: tracking.Status(r.Status), Substatus: tracking.Substatus(r.Substatus),
		Description: r.Description, Location: tracking.Location{City: r.City, State: r.State, Country: r.Country},
		Carrier: r.Carrier, Number: r.Number}
}

// rebind turns ? placeholders into the dialect's.
func (s *Store) rebind(q string) string {
	if s.dialect == Postgres {
		return sqlx.Rebind(sqlx.DOLLAR, q)
	}
	return q
}

// Reschedule records a refresh that changed nothing and releases the lease.
func (s *Store) Reschedule(ctx context.Context, id int64, owner string, now time.Time, next *time.Time, failures int) error {
	now = dbTime(now)
	res, err := s.db.ExecContext(ctx, `UPDATE shipments SET next_check_at = $1, last_checked_at = $2,
		check_failures = $3, lease_owner = '', lease_until = NULL, updated_at = $2
		WHERE id = $4 AND lease_owner = $5`, dbTimePtr(next), now, failures, id, owner)
	if err != nil {
		return fmt.Errorf("store: reschedule shipment %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: reschedule shipment %d: %w", id, tracking.ErrLeaseLost)
	}
	return nil
}

// RescheduleMany is Reschedule for the refreshes of one round that
// changed nothing, in one statement per chunk: each shipment gets its own
// next check, check time and failure count, and its lease is released. A
// shipment whose lease owner lost is not written; written lists the ids
// that were.
func (s *Store) RescheduleMany(ctx context.Context, owner string, rs []tracking.Reschedule) (written []int64, err error) {
	if s.dialect == Postgres {
		// The batch as arrays: one text whatever its size, prepared once.
		ids, failures := make([]int64, len(rs)), make([]int64, len(rs))
		next, checked := make([]*time.Time, len(rs)), make([]time.Time, len(rs))
		for i, r := range rs {
			ids[i], failures[i], checked[i] = r.ID, int64(r.Failures), dbTime(r.CheckedAt)
			if r.Next != nil {
				t := dbTime(*r.Next)
				next[i] = &t
			}
		}
		if err := s.selectP(ctx, nil, &written, `UPDATE shipments AS s SET next_check_at = v.next, last_checked_at = v.checked,
			updated_at = v.checked, check_failures = v.failures, lease_owner = '', lease_until = NULL
			FROM unnest(CAST($2 AS BIGINT[]), CAST($3 AS TIMESTAMPTZ[]), CAST($4 AS TIMESTAMPTZ[]), CAST($5 AS INTEGER[]))
				AS v(id, next, checked, failures)
			WHERE s.id = v.id AND s.lease_owner = $1 RETURNING s.id`,
			owner, pq.Array(ids), pq.Array(next), pq.Array(checked), pq.Array(failures)); err != nil {
			return nil, fmt.Errorf("store: reschedule %d shipments: %w", len(rs), err)
		}
		return written, nil
	}
	// SQLite: the batch as one JSON parameter, so that the statement is a
	// short text to compile whatever the batch's size; the times are
	// written as the driver writes them (sqliteTime).
	type row [4]any
	batch := make([]row, len(rs))
	for i, r := range rs {
		var next any
		if r.Next != nil {
			next = sqliteTime(*r.Next)
		}
		batch[i] = row{r.ID, next, sqliteTime(r.CheckedAt), r.Failures}
	}
	js, err := json.Marshal(batch)
	if err != nil {
		return nil, err
	}
	if err := s.db.SelectContext(ctx, &written, `UPDATE shipments SET next_check_at = v.next, last_checked_at = v.checked,
		updated_at = v.checked, check_failures = v.failures, lease_owner = '', lease_until = NULL
		FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS next,
			json_extract(value, '$[2]') AS checked, json_extract(value, '$[3]') AS failures FROM json_each($2)) AS v
		WHERE shipments.id = v.id AND shipments.lease_owner = $1 RETURNING shipments.id`, owner, string(js)); err != nil {
		return nil, fmt.Errorf("store: reschedule %d shipments: %w", len(rs), err)
	}
	return written, nil
}

// sqliteTime is a time as the SQLite driver writes it (its "sqlite" time
// format, which ParseURL sets), for times that go into a statement inside
// a JSON parameter.
func sqliteTime(t time.Time) string { return dbTime(t).Format("2006-01-02 15:04:05.999999999-07:00") }

// ApplyRefresh writes a refresh's change in one transaction: the events,
// the legs, the shipment's state and schedule, and one outbox row per
// subscription for its notice. It refuses a change whose lease was lost.
func (s *Store) ApplyRefresh(ctx context.Context, c *tracking.Change) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error { return s.writeChange(ctx, tx, c, true, nil) })
}

// writeChange writes a change inside tx. leased checks that c.LeaseOwner
// still holds the shipment's lease; without it the caller holds the row.
// read, when not nil, is the shipment's guidance as tx read it already.
func (s *Store) writeChange(ctx context.Context, tx *sqlx.Tx, c *tracking.Change, leased bool, read *guidanceRead) error {
	now := dbTime(c.Now)
	if s.dialect == Postgres {
		return s.writeChangeOnPG(ctx, tx, c, leased, read)
	}
	holder := ""
	args := []any{c.Provider, string(c.Status), string(c.Substatus), dbTime(c.StatusChangedAt), dbTimePtr(c.LastEventAt),
		dbTimePtr(c.ETA), c.OriginCountry, c.DestinationCountry, dbTimePtr(c.NextCheckAt), now, c.StoppedReason,
		c.ShipmentID, c.GuidanceSig}
	if leased {
		holder = " AND lease_owner = $14"
		args = append(args, c.LeaseOwner)
	}
	res, err := s.execP(ctx, tx, `UPDATE shipments SET provider = $1, status = $2, substatus = $3,
		status_changed_at = $4, last_event_at = $5, eta = $6, origin_country = $7, destination_country = $8,
		next_check_at = $9, last_checked_at = $10, check_failures = 0, stopped_reason = $11,
		lease_owner = '', lease_until = NULL, updated_at = $10, guidance_sig = $13
		WHERE id = $12`+holder, args...)
	if err != nil {
		return fmt.Errorf("store: update shipment %d: %w", c.ShipmentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: update shipment %d: %w", c.ShipmentID, tracking.ErrLeaseLost)
	}
	if err := s.insertEvents(ctx, tx, c.ShipmentID, c.Events, now); err != nil {
		return err
	}
	if err := insertLegs(ctx, tx, c, now); err != nil {
		return err
	}
	var advice []tracking.OutboxNotice
	if c.Guidance != nil {
		if advice, err = s.applyGuidance(ctx, tx, c.ShipmentID, c.Guidance, now, true, read); err != nil {
			return err
		}
	}
	return writePushes(ctx, tx, c, c.Broadcast, advice, now)
}

// writeChangeOnPG is writeChange on PostgreSQL. The guidance is worked out
// first, from a read that locks nothing (or the caller's): when it fires
// no advice, the change's one statement (writeChangePG) writes the row,
// the events and the status alert; when it does, the alert, which carries
// the advice, follows the guidance as on SQLite.
func (s *Store) writeChangeOnPG(ctx context.Context, tx *sqlx.Tx, c *tracking.Change, leased bool, read *guidanceRead) error {
	now := dbTime(c.Now)
	var u tracking.GuidanceUpdate
	if c.Guidance != nil {
		if read == nil {
			var err error
			if read, err = s.readGuidance(ctx, tx, c.ShipmentID); err != nil {
				return err
			}
		}
		u = guidanceUpdate(c.ShipmentID, read.targets, read.states, c.Guidance, now, true)
	}
	inline, later := c.Broadcast, (*tracking.Broadcast)(nil)
	if len(u.Notices) > 0 {
		inline, later = nil, c.Broadcast
	}
	written, err := s.writeChangePG(ctx, tx, c, inline, leased, nil)
	if err != nil {
		return err
	}
	if !written {
		return fmt.Errorf("store: update shipment %d: %w", c.ShipmentID, tracking.ErrLeaseLost)
	}
	if err := insertLegs(ctx, tx, c, now); err != nil {
		return err
	}
	if err := writeRules(ctx, tx, u.Rules); err != nil {
		return err
	}
	return writePushes(ctx, tx, c, later, u.Notices, now)
}

// insertLegs writes a change's new legs.
func insertLegs(ctx context.Context, tx *sqlx.Tx, c *tracking.Change, now time.Time) error {
	for _, l := range c.Legs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO legs (shipment_id, seq, carrier, number, created_at)
			VALUES ($1, (SELECT COUNT(*) + 1 FROM legs WHERE shipment_id = $1), $2, $3, $4)
			ON CONFLICT (shipment_id, carrier, number) DO NOTHING`, c.ShipmentID, l.Carrier, l.Number, now); err != nil {
			return fmt.Errorf("store: insert leg: %w", err)
		}
	}
	return nil
}

// writePushes writes a change's status alert n, when not nil, carrying the
// advice the change fired for each chat that hears it (one event, one
// message; enqueueBroadcast), then the advice left over, and runs the
// change's BeforeCommit.
func writePushes(ctx context.Context, tx *sqlx.Tx, c *tracking.Change, n *tracking.Broadcast, advice []tracking.OutboxNotice, now time.Time) error {
	if n != nil {
		var err error
		if advice, err = enqueueBroadcast(ctx, tx, c.ShipmentID, n, advice, now); err != nil {
			return err
		}
	}
	if err := enqueueNotices(ctx, tx, advice, now); err != nil {
		return err
	}
	if c.BeforeCommit != nil {
		return c.BeforeCommit()
	}
	return nil
}

// IngestNumber takes a carrier's push for number: it reads every shipment
// the number belongs to (its own number or a later leg's) that no other
// owner leases, with its events, legs and protection ends, asks decide
// what to write, and writes it, without writing a lease (a lease of this
// owner is released as a refresh would). A shipment another owner leases
// is left alone, and reported with tracking.ErrShipmentBusy once the
// others are written. On PostgreSQL a push that writes one statement per
// shipment takes no transaction: the statement writes only the row as it
// was read (ingestOptimistic), and the push reads again when it changed.
// Otherwise, and on SQLite, one transaction holds the rows (PostgreSQL:
// FOR UPDATE, skipping a row another transaction holds; SQLite: its one
// writer).
func (s *Store) IngestNumber(ctx context.Context, number, owner string, now time.Time,
	decide func(st *tracking.ShipmentState) (c *tracking.Change, unchanged bool)) error {
	now = dbTime(now)
	busyErr := func(busy int) error {
		if busy == 0 {
			return nil
		}
		return fmt.Errorf("store: %d shipments of %s leased by another worker: %w", busy, number, tracking.ErrShipmentBusy)
	}
	if s.dialect == Postgres {
		// Most pushes need no transaction (ingestOptimistic); a row that
		// changed meanwhile is read again.
		for range 3 {
			done, busy, err := s.ingestOptimistic(ctx, number, owner, now, decide)
			if err != nil {
				return err
			}
			if done {
				return busyErr(busy)
			}
		}
	}
	busy := 0
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var sts []*tracking.ShipmentState
		var reads []*guidanceRead
		var err error
		if s.dialect == Postgres {
			// One round trip for the rows, their history and guidance.
			sts, reads, _, busy, err = s.ingestReadPG(ctx, tx, number, owner, now)
		} else {
			var rows []struct {
				shipmentRow
				Busy bool `db:"busy"`
			}
			if err := s.selectP(ctx, tx, &rows, `SELECT `+shipmentColumns+`,
					(lease_until IS NOT NULL AND lease_until > $2 AND lease_owner <> $3) AS busy
				FROM shipments
				WHERE id IN (SELECT id FROM shipments WHERE number = $1 UNION SELECT shipment_id FROM legs WHERE number = $1)
				ORDER BY id`, number, now, owner); err != nil {
				return fmt.Errorf("store: shipments of %s: %w", number, err)
			}
			free := make([]shipmentRow, 0, len(rows))
			for _, r := range rows {
				if r.Busy {
					busy++
					continue
				}
				free = append(free, r.shipmentRow)
			}
			sts, err = s.withProtection(ctx, tx, free)
			reads = make([]*guidanceRead, len(sts))
		}
		if err != nil {
			return err
		}
		for i, st := range sts {
			c, unchanged := decide(st)
			if !unchanged {
				if err := s.writeChange(ctx, tx, c, false, reads[i]); err != nil {
					return err
				}
				continue
			}
			if _, err := s.execP(ctx, tx, `UPDATE shipments SET next_check_at = $1, last_checked_at = $2,
				check_failures = 0, lease_owner = '', lease_until = NULL, updated_at = $2 WHERE id = $3`,
				dbTimePtr(c.NextCheckAt), now, st.ID); err != nil {
				return fmt.Errorf("store: reschedule shipment %d: %w", st.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return busyErr(busy)
}

// insertEvents writes events in one statement; an event already stored
// under its fingerprint is skipped.
func (s *Store) insertEvents(ctx context.Context, tx *sqlx.Tx, shipmentID int64, events []tracking.Event, now time.Time) error {
	if len(events) == 0 {
		return nil
	}
	const cols = 12
	var sb strings.Builder
	sb.WriteString(`INSERT INTO events (shipment_id, fingerprint, occurred_at, status, substatus, description,
		city, state, country, carrier, number, created_at) VALUES `)
	args := make([]any, 0, len(events)*cols)
	for i, e := range events {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(")
		for j := 1; j <= cols; j++ {
			if j > 1 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "$%d", i*cols+j)
		}
		sb.WriteString(")")
		args = append(args, shipmentID, e.Fingerprint(), dbTime(e.Time), string(e.Status), string(e.Substatus),
			e.Description, e.Location.City, e.Location.State, e.Location.Country, e.Carrier, e.Number, now)
	}
	sb.WriteString(" ON CONFLICT (shipment_id, fingerprint) DO NOTHING")
	exec := tx.ExecContext
	if len(events) <= 4 {
		// A push or a poll brings a few events at a time: a few texts,
		// prepared once each.
		exec = func(ctx context.Context, query string, args ...any) (sql.Result, error) {
			return s.execP(ctx, tx, query, args...)
		}
	}
	if _, err := exec(ctx, sb.String(), args...); err != nil {
		return fmt.Errorf("store: insert events: %w", err)
	}
	return nil
}

// enqueueBroadcast writes one outbox row per subscription of the shipment
// whose chat is active and whose alert level hears the notice (no row is
// written that nobody will send). With an event time, only subscriptions
// that have not been told of a newer event get one, and the mark of every
// subscription moves on, heard or not: a chat that chose not to hear a
// scan has been told all it wanted. The dedupe key makes a second write
// of the same notice a no-op.
//
// advice is the guidance the same refresh fired (applyGuidance). One event
// is one message: a subscription that gets the alert gets its advice in
// the same row (tracking.Broadcast.WithAdvice), and enqueueBroadcast
// returns the advice of the others, which goes on its own (the chat does
// not hear the alert, or was told of a newer event). It stays one
// statement for any number of chats; only when the advised subscriptions
// outgrow one statement's parameters (tens of thousands) does it take one
// statement per range of them.
func enqueueBroadcast(ctx context.Context, tx *sqlx.Tx, shipmentID int64, n *tracking.Broadcast, advice []tracking.OutboxNotice, now time.Time) ([]tracking.OutboxNotice, error) {
	payload, err := tracking.EncodeNotice(n.Notice)
	if err != nil {
		return nil, fmt.Errorf("store: enqueue: %w", err)
	}
	folds, err := foldAdvice(n, advice)
	if err != nil {
		return nil, err
	}
	heard := map[int64]bool{}
	write := func(from, to int) error {
		var a assignments
		kind, key, at, id := a.arg(n.Notice.Kind), a.arg(":"+n.Key), a.arg(now), a.arg(shipmentID)
		var where strings.Builder
		if n.EventTime != nil {
			where.WriteString(" AND (s.last_pushed_event_at IS NULL OR s.last_pushed_event_at < " + a.arg(dbTime(*n.EventTime)) + ")")
		}
		if n.Level != "" {
			levels := n.Level.Audience()
			where.WriteString(" AND c.alert_level IN (")
			for i, l := range levels {
				if i > 0 {
					where.WriteString(", ")
				}
				where.WriteString(a.arg(string(l)))
			}
			where.WriteString(")")
		}
		part := folds.subs[from:to]
		if from > 0 {
			where.WriteString(" AND s.id > " + a.arg(folds.subs[from-1].sub))
		}
		if to < len(folds.subs) {
			where.WriteString(" AND s.id <= " + a.arg(folds.subs[to-1].sub))
		}
		body, level := folds.cases(&a, part, string(payload), string(n.Level))
		var got []int64
		if err := tx.SelectContext(ctx, &got, `INSERT INTO outbox (chat_id, subscription_id, kind, payload, dedupe_key, state, not_before, created_at, alert_level)
			SELECT s.chat_id, s.id, `+kind+`, `+body+`, `+kind+` || ':' || CAST(s.id AS TEXT) || `+key+`, 'pending', `+at+`, `+at+`, `+level+`
			FROM subscriptions s JOIN chats c ON c.id = s.chat_id
			WHERE s.shipment_id = `+id+` AND c.active`+where.String()+`
			ON CONFLICT (dedupe_key) DO NOTHING RETURNING subscription_id`, a.args...); err != nil {
			return fmt.Errorf("store: enqueue %s notice: %w", n.Notice.Kind, err)
		}
		for _, sub := range got {
			heard[sub] = true
		}
		return nil
	}
	if len(folds.subs) == 0 {
		err = write(0, 0)
	} else {
		// A folded subscription costs its id and, at worst, its own payload
		// and level.
		err = chunks(len(folds.subs), 3, 16, write)
	}
	if err != nil {
		return nil, err
	}
	if n.EventTime != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET last_pushed_event_at = $1
			WHERE shipment_id = $2 AND (last_pushed_event_at IS NULL OR last_pushed_event_at < $1)`,
			dbTime(*n.EventTime), shipmentID); err != nil {
			return nil, fmt.Errorf("store: mark pushed event: %w", err)
		}
	}
	var alone []tracking.OutboxNotice
	for _, a := range advice {
		if !heard[a.SubscriptionID] || !folds.folded[a.SubscriptionID] {
			alone = append(alone, a)
		}
	}
	return alone, nil
}

// folds are the alert rows that carry advice: each advised subscription
// with the variant (payload and level) its row takes. Chats of one role
// and shop get the same advice, so a widely followed parcel has a few
// variants, each written once into the statement.
type folds struct {
	subs     []foldedSub // by subscription id
	variants []foldVariant
	folded   map[int64]bool
}

type foldedSub struct {
	sub     int64
	variant int
}

type foldVariant struct {
	payload string
	level   string
}

// foldAdvice works out the row each advised subscription of n would get.
func foldAdvice(n *tracking.Broadcast, advice []tracking.OutboxNotice) (folds, error) {
	f := folds{folded: map[int64]bool{}}
	bySub := map[int64][]tracking.OutboxNotice{}
	for _, a := range advice {
		bySub[a.SubscriptionID] = append(bySub[a.SubscriptionID], a)
	}
	index := map[foldVariant]int{}
	for sub, notices := range bySub {
		notice, level, ok := n.WithAdvice(notices)
		if !ok {
			continue
		}
		payload, err := tracking.EncodeNotice(notice)
		if err != nil {
			return folds{}, fmt.Errorf("store: enqueue: %w", err)
		}
		v := foldVariant{payload: string(payload), level: string(level)}
		i, seen := index[v]
		if !seen {
			i = len(f.variants)
			index[v] = i
			f.variants = append(f.variants, v)
		}
		f.subs = append(f.subs, foldedSub{sub: sub, variant: i})
		f.folded[sub] = true
	}
	slices.SortFunc(f.subs, func(a, b foldedSub) int { return cmp.Compare(a.sub, b.sub) })
	return f, nil
}

// cases returns the payload and level expressions of an alert row: the
// variant of each folded subscription in part, else the alert's own.
func (f folds) cases(a *assignments, part []foldedSub, payload, level string) (string, string) {
	if len(part) == 0 {
		return a.arg(payload), a.arg(level)
	}
	bySub := map[int][]int64{}
	var order []int
	for _, s := range part {
		if _, ok := bySub[s.variant]; !ok {
			order = append(order, s.variant)
		}
		bySub[s.variant] = append(bySub[s.variant], s.sub)
	}
	var body, lvl strings.Builder
	body.WriteString("CASE")
	lvl.WriteString("CASE")
	for _, v := range order {
		var in strings.Builder
		in.WriteString(" WHEN s.id IN (")
		for i, sub := range bySub[v] {
			if i > 0 {
				in.WriteString(", ")
			}
			in.WriteString(a.arg(sub))
		}
		in.WriteString(") THEN ")
		body.WriteString(in.String() + a.arg(f.variants[v].payload))
		lvl.WriteString(in.String() + a.arg(f.variants[v].level))
	}
	body.WriteString(" ELSE " + a.arg(payload) + " END")
	lvl.WriteString(" ELSE " + a.arg(level) + " END")
	return body.String(), lvl.String()
}

// shipmentsByNumberSQL finds a number's shipments through the
// shipments_number and legs_number indexes: a push arrives for any of a
// million shipments.
const shipmentsByNumberSQL = `SELECT id FROM shipments WHERE number = $1
	UNION SELECT shipment_id FROM legs WHERE number = $1 ORDER BY 1`

// ShipmentsByNumber lists the shipments a number belongs to, as their own
// number or as a later leg's, whatever the carrier: a carrier's push names
// only the number.
func (s *Store) ShipmentsByNumber(ctx context.Context, number string) ([]int64, error) {
	var ids []int64
	err := s.db.SelectContext(ctx, &ids, shipmentsByNumberSQL, number)
	if err != nil {
		return nil, fmt.Errorf("store: shipments by number: %w", err)
	}
	return ids, nil
}

// SetPushRegistered records that a provider pushes a shipment's updates,
// so that polling becomes a safety net.
func (s *Store) SetPushRegistered(ctx context.Context, id int64, registered bool) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE shipments SET push_registered = $1 WHERE id = $2`, registered, id); err != nil {
		return fmt.Errorf("store: set push registered: %w", err)
	}
	return nil
}

// SetDestinationCountry records where a shipment goes, as its sender said
// (a shop's order), unless it is known already: a carrier's word, once
// merged, stands.
func (s *Store) SetDestinationCountry(ctx context.Context, id int64, country string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE shipments SET destination_country = $1 WHERE id = $2 AND destination_country = ''`, country, id); err != nil {
		return fmt.Errorf("store: set destination country: %w", err)
	}
	return nil
}
