package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/trackbot/trackbot/tracking"
)

// extrasCacheMax bounds the shipments whose extras the store keeps: a
// household's or a small team's parcels all fit, and a larger database
// keeps the most recently claimed ones.
const extrasCacheMax = 20000

// extrasCache keeps, on SQLite, the events, legs and ends of buyer
// protection of recently claimed shipments, with the shipment's
// extras_rev when they were read (migration 00012: triggers move it on
// every write of them). A claim that returns the same revision takes
// them from here instead of reading and decoding them again: most
// refreshes bring nothing new. A revision read before the extras can
// only make a later claim read them again, never keep stale ones.
type extrasCache struct {
	mu sync.Mutex
	m  map[int64]*cachedExtras
}

// cachedExtras is what loadExtras read of one shipment. Its slices are
// never handed out: every claim gets copies, which the engine may change.
type cachedExtras struct {
	rev          int64
	createdAt    time.Time
	events       []tracking.Event
	fingerprints []string
	legs         []tracking.Leg
	protection   []time.Time
}

// fill gives st the cached extras of its shipment at rev, and reports
// whether there were any.
func (c *extrasCache) fill(st *tracking.ShipmentState, rev int64) bool {
	c.mu.Lock()
	e := c.m[st.ID]
	c.mu.Unlock()
	if e == nil || e.rev != rev || !e.createdAt.Equal(st.CreatedAt) {
		return false
	}
	st.Events = slices.Clone(e.events)
	st.Legs = slices.Clone(e.legs)
	st.ProtectionEnds = slices.Clone(e.protection)
	for _, f := range e.fingerprints {
		st.Known[f] = true
	}
	return true
}

// put keeps the extras just read for st's shipment at rev.
func (c *extrasCache) put(st *tracking.ShipmentState, rev int64) {
	e := &cachedExtras{rev: rev, createdAt: st.CreatedAt, events: slices.Clone(st.Events),
		fingerprints: slices.Collect(maps.Keys(st.Known)), legs: slices.Clone(st.Legs),
		protection: slices.Clone(st.ProtectionEnds)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[int64]*cachedExtras)
	}
	if _, ok := c.m[st.ID]; !ok && len(c.m) >= extrasCacheMax {
		for id := range c.m { // any one: map order is random
			delete(c.m, id)
			break
		}
	}
	c.m[st.ID] = e
}

// claimedRow is a shipment as SQLite's claim returns it, with the
// revision of its extras.
type claimedRow struct {
	shipmentRow
	ExtrasRev int64 `db:"extras_rev"`
}

// claimDueSQLite is ClaimDue on SQLite: the extras of the shipments whose
// revision is the one kept come from the cache, the others' are read in
// one statement as on PostgreSQL.
func (s *Store) claimDueSQLite(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]*tracking.ShipmentState, error) {
	var rows []claimedRow
	if err := s.db.SelectContext(ctx, &rows, s.claimDueSQL()+`, extras_rev`, owner, now.Add(lease), now, limit); err != nil {
		return nil, fmt.Errorf("store: claim due shipments: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]*tracking.ShipmentState, len(rows))
	var missed []shipmentRow
	var at []int
	for i := range rows {
		st := rows[i].state()
		if s.extras.fill(st, rows[i].ExtrasRev) {
			out[i] = st
			continue
		}
		missed = append(missed, rows[i].shipmentRow)
		at = append(at, i)
	}
	if len(missed) == 0 {
		return out, nil
	}
	read, err := s.withProtection(ctx, s.db, missed)
	if err != nil {
		return nil, err
	}
	for j, st := range read {
		i := at[j]
		s.extras.put(st, rows[i].ExtrasRev)
		out[i] = st
	}
	return out, nil
}
