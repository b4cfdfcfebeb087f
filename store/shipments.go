package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

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
	sts, err := s.withExtras(ctx, s.db, rows)
	if err == nil {
		sts, err = s.withProtection(ctx, s.db, sts)
	}
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
	var rows []shipmentRow
	err := s.db.SelectContext(ctx, &rows, s.claimDueSQL(), owner, now.Add(lease), now, limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim due shipments: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	sts, err := s.withExtras(ctx, s.db, rows)
	if err != nil {
		return nil, err
	}
	return s.withProtection(ctx, s.db, sts)
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

// withExtras adds every shipment's legs and events, in one query each for
// the whole batch.
func (s *Store) withExtras(ctx context.Context, q sqlx.QueryerContext, rows []shipmentRow) ([]*tracking.ShipmentState, error) {
	out := make([]*tracking.ShipmentState, len(rows))
	byID := make(map[int64]*tracking.ShipmentState, len(rows))
	ids := make([]int64, len(rows))
	for i := range rows {
		out[i] = rows[i].state()
		byID[rows[i].ID] = out[i]
		ids[i] = rows[i].ID
	}
	query, args, err := sqlx.In(`SELECT shipment_id, fingerprint, occurred_at, status, substatus, description,
		city, state, country, carrier, number FROM events WHERE shipment_id IN (?) ORDER BY shipment_id, occurred_at, id`, ids)
	if err != nil {
		return nil, err
	}
	var evs []eventRow
	if err := sqlx.SelectContext(ctx, q, &evs, s.rebind(query), args...); err != nil {
		return nil, fmt.Errorf("store: load events: %w", err)
	}
	for _, e := range evs {
		st := byID[e.ShipmentID]
		st.Known[e.Fingerprint] = true
		st.Events = append(st.Events, e.event())
	}
	query, args, err = sqlx.In(`SELECT shipment_id, carrier, number FROM legs WHERE shipment_id IN (?) ORDER BY shipment_id, seq`, ids)
	if err != nil {
		return nil, err
	}
	var legs []struct {
		ShipmentID int64  `db:"shipment_id"`
		Carrier    string `db:"carrier"`
		Number     string `db:"number"`
	}
	if err := sqlx.SelectContext(ctx, q, &legs, s.rebind(query), args...); err != nil {
		return nil, fmt.Errorf("store: load legs: %w", err)
	}
	for _, l := range legs {
		st := byID[l.ShipmentID]
		st.Legs = append(st.Legs, tracking.Leg{Carrier: l.Carrier, Number: l.Number})
	}
	return out, nil
}

// withProtection adds the ends of buyer protection that each claimed
// shipment's subscriptions gave, in one query for the batch: a refresh
// needs them for the reminders' guidance and schedule, nothing else does.
func (s *Store) withProtection(ctx context.Context, q sqlx.QueryerContext, sts []*tracking.ShipmentState) ([]*tracking.ShipmentState, error) {
	if len(sts) == 0 {
		return sts, nil
	}
	byID := make(map[int64]*tracking.ShipmentState, len(sts))
	ids := make([]int64, len(sts))
	for i, st := range sts {
		byID[st.ID], ids[i] = st, st.ID
	}
	query, args, err := sqlx.In(`SELECT DISTINCT shipment_id, protection_ends FROM subscriptions
		WHERE shipment_id IN (?) AND protection_ends IS NOT NULL ORDER BY shipment_id, protection_ends`, ids)
	if err != nil {
		return nil, err
	}
	var ends []struct {
		ShipmentID int64     `db:"shipment_id"`
		Ends       time.Time `db:"protection_ends"`
	}
	if err := sqlx.SelectContext(ctx, q, &ends, s.rebind(query), args...); err != nil {
		return nil, fmt.Errorf("store: load protection ends: %w", err)
	}
	for _, e := range ends {
		st := byID[e.ShipmentID]
		st.ProtectionEnds = append(st.ProtectionEnds, e.Ends.UTC())
	}
	return sts, nil
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
	// PostgreSQL cannot tell the type of a bare parameter in CASE.
	ts, integer := "$%d", "$%d"
	if s.dialect == Postgres {
		ts, integer = "CAST($%d AS TIMESTAMPTZ)", "CAST($%d AS INTEGER)"
	}
	const perRow = 4
	err = chunks(len(rs), perRow, 1, func(from, to int) error {
		var next, checked, failures, ids strings.Builder
		args := make([]any, 1, 1+(to-from)*perRow)
		args[0] = owner
		for i, r := range rs[from:to] {
			k := 2 + i*perRow
			fmt.Fprintf(&next, " WHEN $%d THEN "+ts, k, k+1)
			fmt.Fprintf(&checked, " WHEN $%d THEN "+ts, k, k+2)
			fmt.Fprintf(&failures, " WHEN $%d THEN "+integer, k, k+3)
			if i > 0 {
				ids.WriteString(", ")
			}
			fmt.Fprintf(&ids, "$%d", k)
			args = append(args, r.ID, dbTimePtr(r.Next), dbTime(r.CheckedAt), r.Failures)
		}
		var got []int64
		if err := s.db.SelectContext(ctx, &got, `UPDATE shipments SET
			next_check_at = CASE id`+next.String()+` END,
			last_checked_at = CASE id`+checked.String()+` END,
			updated_at = CASE id`+checked.String()+` END,
			check_failures = CASE id`+failures.String()+` END,
			lease_owner = '', lease_until = NULL
			WHERE id IN (`+ids.String()+`) AND lease_owner = $1 RETURNING id`, args...); err != nil {
			return fmt.Errorf("store: reschedule %d shipments: %w", to-from, err)
		}
		written = append(written, got...)
		return nil
	})
	return written, err
}

// ApplyRefresh writes a refresh's change in one transaction: the events,
// the legs, the shipment's state and schedule, and one outbox row per
// subscription for its notice. It refuses a change whose lease was lost.
func (s *Store) ApplyRefresh(ctx context.Context, c *tracking.Change) error {
	now := dbTime(c.Now)
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE shipments SET provider = $1, status = $2, substatus = $3,
			status_changed_at = $4, last_event_at = $5, eta = $6, origin_country = $7, destination_country = $8,
			next_check_at = $9, last_checked_at = $10, check_failures = 0, stopped_reason = $11,
			lease_owner = '', lease_until = NULL, updated_at = $10, guidance_sig = $14
			WHERE id = $12 AND lease_owner = $13`,
			c.Provider, string(c.Status), string(c.Substatus), dbTime(c.StatusChangedAt), dbTimePtr(c.LastEventAt),
			dbTimePtr(c.ETA), c.OriginCountry, c.DestinationCountry, dbTimePtr(c.NextCheckAt), now, c.StoppedReason,
			c.ShipmentID, c.LeaseOwner, c.GuidanceSig)
		if err != nil {
			return fmt.Errorf("store: update shipment %d: %w", c.ShipmentID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: update shipment %d: %w", c.ShipmentID, tracking.ErrLeaseLost)
		}
		if err := insertEvents(ctx, tx, c.ShipmentID, c.Events, now); err != nil {
			return err
		}
		for _, l := range c.Legs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO legs (shipment_id, seq, carrier, number, created_at)
				VALUES ($1, (SELECT COUNT(*) + 1 FROM legs WHERE shipment_id = $1), $2, $3, $4)
				ON CONFLICT (shipment_id, carrier, number) DO NOTHING`, c.ShipmentID, l.Carrier, l.Number, now); err != nil {
				return fmt.Errorf("store: insert leg: %w", err)
			}
		}
		var advice []tracking.OutboxNotice
		if c.Guidance != nil {
			if advice, err = applyGuidance(ctx, tx, c.ShipmentID, c.Guidance, now, true); err != nil {
				return err
			}
		}
		if c.Broadcast != nil {
			// The alert carries the advice the refresh fired for each
			// chat that hears it: one event, one message.
			if advice, err = enqueueBroadcast(ctx, tx, c.ShipmentID, c.Broadcast, advice, now); err != nil {
				return err
			}
		}
		if err := enqueueNotices(ctx, tx, advice, now); err != nil {
			return err
		}
		if c.BeforeCommit != nil {
			if err := c.BeforeCommit(); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertEvents writes events in one statement; an event already stored
// under its fingerprint is skipped.
func insertEvents(ctx context.Context, tx *sqlx.Tx, shipmentID int64, events []tracking.Event, now time.Time) error {
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
	if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
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
