package tracking

import (
	"slices"
	"strings"
	"time"
)

// ShipmentState is what the engine knows of a shipment: its row, its later
// legs and the fingerprints of the events already stored.
type ShipmentState struct {
	ID                 int64
	Carrier            string
	Number             string
	Provider           string
	Status             Status
	Substatus          Substatus
	StatusChangedAt    time.Time
	LastEventAt        *time.Time
	ETA                *time.Time
	OriginCountry      string
	DestinationCountry string
	PushRegistered     bool
	CheckFailures      int
	NextCheckAt        *time.Time
	LastCheckedAt      *time.Time
	StoppedReason      string
	CreatedAt          time.Time
	// Legs are the numbers later carriers carry the parcel under, in the
	// order they appeared; the shipment's own number is not among them.
	Legs []Leg
	// Known holds the fingerprints of the stored events.
	Known map[string]bool
	// Events are the stored events, oldest first.
	Events []Event
	// GuidanceSig is the signature of the guidance that applied at the
	// last refresh (see guidanceSignature).
	GuidanceSig string
	// ProtectionEnds are the distinct ends of buyer protection that the
	// shipment's subscriptions gave, earliest first: the guidance and the
	// schedule look ahead to their reminders.
	ProtectionEnds []time.Time
}

// NeedsAttention reports a shipment someone has to look at: its state asks
// for action, or it has not moved for a week.
func (st *ShipmentState) NeedsAttention(now time.Time) bool {
	if st.Substatus.ActionRequired() || st.Status == StatusFailure {
		return true
	}
	if st.Status.Final() {
		return false
	}
	last := st.CreatedAt
	if st.LastEventAt != nil {
		last = *st.LastEventAt
	}
	return now.Sub(last) >= 7*24*time.Hour
}

// Change is everything one refresh writes, in one transaction: new events
// and legs, the shipment's new state and schedule, and the notice every
// subscribed chat must receive.
type Change struct {
	ShipmentID int64
	// LeaseOwner is the worker that holds the shipment's lease; a change
	// from a worker that lost its lease is refused.
	LeaseOwner         string
	Now                time.Time
	Provider           string
	Events             []Event
	Legs               []Leg
	Status             Status
	Substatus          Substatus
	StatusChangedAt    time.Time
	LastEventAt        *time.Time
	ETA                *time.Time
	OriginCountry      string
	DestinationCountry string
	NextCheckAt        *time.Time
	StoppedReason      string
	// Broadcast, when set, goes to the outbox once per subscription.
	Broadcast *Broadcast
	// GuidanceSig is the shipment's new guidance signature.
	GuidanceSig string
	// Guidance, when set, is asked for the advice that applies to each
	// subscription, by its reader (its chat's role, its marketplace and
	// the end of its buyer protection): rules newly
	// applying are pushed once, rules no longer applying are re-armed.
	Guidance func(Reader) []Advice
	// BeforeCommit runs inside the transaction after every write and
	// before the commit; an error rolls everything back. Tests inject
	// faults through it.
	BeforeCommit func() error
}

// merge folds provider results into what the shipment already knows. It
// deduplicates events by fingerprint, orders them by time, derives the
// current status (see currentStatus), and adds the legs the results name. The returned change has no schedule yet; empty reports that
// nothing at all is new.
func merge(st *ShipmentState, results []*Result, now time.Time) (c *Change, empty bool) {
	c = &Change{
		ShipmentID: st.ID, Now: now, Provider: st.Provider,
		Status: st.Status, Substatus: st.Substatus, StatusChangedAt: st.StatusChangedAt,
		LastEventAt: st.LastEventAt, ETA: st.ETA, GuidanceSig: st.GuidanceSig,
		OriginCountry: st.OriginCountry, DestinationCountry: st.DestinationCountry,
	}
	seen := map[string]bool{}
	knownLegs := map[Leg]bool{{Number: st.Number, Carrier: st.Carrier}: true}
	for _, l := range st.Legs {
		knownLegs[l] = true
	}
	var summary *Result
	for i, r := range results {
		if r == nil {
			continue
		}
		if i == 0 {
			summary = r
			if r.Provider != "" {
				c.Provider = r.Provider
			}
		}
		for _, e := range r.Events {
			e = normalizeEvent(e, r)
			fp := e.Fingerprint()
			if st.Known[fp] || seen[fp] {
				continue
			}
			seen[fp] = true
			c.Events = append(c.Events, e)
		}
		for _, l := range r.NextLegs {
			// Numbers are stored upper case, as NormalizeNumber makes
			// them, so that a chat finds a leg by its indexed number.
			l.Number = strings.ToUpper(strings.TrimSpace(l.Number))
			if l.Carrier == "" {
				// A provider named the number but not its carrier: the
				// number's format usually tells.
				if d := Detect(l.Number); len(d.Candidates) > 0 {
					l.Carrier = d.Candidates[0].Carrier
				}
			}
			if l.Number == "" || knownLegs[l] {
				continue
			}
			knownLegs[l] = true
			c.Legs = append(c.Legs, l)
		}
		if r.ETA != nil {
			eta := r.ETA.UTC()
			c.ETA = &eta
		}
		if c.OriginCountry == "" && r.OriginCountry != "" {
			c.OriginCountry = r.OriginCountry
		}
		if c.DestinationCountry == "" && r.DestinationCountry != "" {
			c.DestinationCountry = r.DestinationCountry
		}
	}
	slices.SortStableFunc(c.Events, func(a, b Event) int { return a.Time.Compare(b.Time) })

	var newest *Event
	for i := range c.Events {
		e := &c.Events[i]
		if c.LastEventAt == nil || e.Time.After(*c.LastEventAt) {
			newest = e
		}
	}
	if newest != nil {
		t := newest.Time
		c.LastEventAt = &t
	}
	if d, ok := currentStatus(st, c, summary); ok && (d.status != c.Status || d.substatus != c.Substatus) {
		c.Status, c.Substatus, c.StatusChangedAt = d.status, d.substatus, d.since
		if c.StatusChangedAt.IsZero() {
			c.StatusChangedAt = now
		}
	}
	if newest != nil {
		c.Broadcast = statusBroadcast(st, c, *newest)
	}

	empty = len(c.Events) == 0 && len(c.Legs) == 0 && c.Status == st.Status && c.Substatus == st.Substatus &&
		c.Provider == st.Provider && c.OriginCountry == st.OriginCountry &&
		c.DestinationCountry == st.DestinationCountry && equalTime(c.ETA, st.ETA)
	return c, empty
}

// decision is a status currentStatus settled on, and since when it holds;
// a zero since means "from now".
type decision struct {
	status    Status
	substatus Substatus
	since     time.Time
}

// currentStatus applies the one status rule: the provider's summary sets
// the current status unless a strictly newer event of the same leg or a
// later one says otherwise, so an earlier leg's scan never undoes it (a
// delivered summary stays delivered).
//
// The summary is that of the answer for the shipment's own number
// (AfterShip's tag and subtag, 17TRACK's latest_status, Shippo's
// tracking_status, DHL's status); it is as new as that answer's newest
// event, whose leg is the summary's leg, and only stored or new events
// newer than it, of that leg or a later one, can override it. An answer
// without a summary, or one that says only "unknown", leaves the newest
// new event to decide, as long as it is not of an earlier leg than the
// event that made the shipment delivered or returned. An event whose time
// could not be placed (Event.Approximate) decides only when no other
// candidate can, so that a time off by hours never reorders another leg.
// ok is false when nothing decides and the status stays.
func currentStatus(st *ShipmentState, c *Change, summary *Result) (d decision, ok bool) {
	legs := map[string]int{st.Number: 0}
	for i, l := range append(slices.Clone(st.Legs), c.Legs...) {
		if _, seen := legs[l.Number]; !seen {
			legs[l.Number] = i + 1
		}
	}
	legOf := func(e Event) int { return legs[e.Number] }

	// newestOf returns the newest event that passes keep, preferring any
	// placed event over an approximate one.
	newestOf := func(keep func(Event) bool, events ...[]Event) (Event, bool) {
		var best, bestApprox Event
		var found, foundApprox bool
		for _, evs := range events {
			for _, e := range evs {
				if !keep(e) {
					continue
				}
				if e.Approximate {
					if !foundApprox || e.Time.After(bestApprox.Time) {
						bestApprox, foundApprox = e, true
					}
				} else if !found || e.Time.After(best.Time) {
					best, found = e, true
				}
			}
		}
		if found {
			return best, true
		}
		return bestApprox, foundApprox
	}

	if summary != nil && summary.Status.Valid() && summary.Status != StatusUnknown {
		d = decision{status: summary.Status, substatus: summary.Substatus}
		if !d.substatus.Valid() {
			d.substatus = SubOther
		}
		// The answer is as new as its newest event, and the summary holds
		// since the newest of its events that says the same.
		base, baseLeg, hasBase := time.Time{}, 0, false
		for _, e := range summary.Events {
			e = normalizeEvent(e, summary)
			if !hasBase || e.Time.After(base) {
				base, baseLeg, hasBase = e.Time, legOf(e), true
			}
			if e.Status == d.status && e.Substatus == d.substatus && e.Time.After(d.since) {
				d.since = e.Time
			}
		}
		if d.since.IsZero() {
			d.since = base
		}
		newer := func(e Event) bool { return e.Time.After(base) && legOf(e) >= baseLeg }
		if !hasBase {
			// An answer without events is overridden only by a later leg.
			newer = func(e Event) bool { return legOf(e) > 0 }
		}
		if e, ok := newestOf(newer, st.Events, c.Events); ok {
			return decision{status: e.Status, substatus: e.Substatus, since: e.Time}, true
		}
		return d, true
	}

	floor := -1
	if c.Status.Final() {
		if e, ok := newestOf(func(e Event) bool { return e.Status == c.Status }, st.Events); ok {
			floor = legOf(e)
		}
	}
	e, ok := newestOf(func(e Event) bool {
		return (st.LastEventAt == nil || e.Time.After(*st.LastEventAt)) && legOf(e) >= floor
	}, c.Events)
	if ok {
		return decision{status: e.Status, substatus: e.Substatus, since: e.Time}, true
	}
	if st.LastEventAt == nil && len(c.Events) == 0 && summary != nil && summary.Status.Valid() {
		// No events at all: the provider's own summary is all there is.
		d = decision{status: summary.Status, substatus: summary.Substatus}
		if !d.substatus.Valid() {
			d.substatus = SubOther
		}
		return d, true
	}
	return decision{}, false
}

// normalizeEvent fills what a provider left out: times in UTC to the
// second, a status from the sub-status or the description, the carrier and
// number of the result the event came with.
func normalizeEvent(e Event, r *Result) Event {
	e.Time = e.Time.UTC().Truncate(time.Second)
	if !e.Substatus.Valid() {
		if sub, ok := GuessSubstatus(e.Description); ok {
			e.Substatus = sub
		} else {
			e.Substatus = SubOther
		}
	}
	if !e.Status.Valid() || e.Status == StatusUnknown && e.Substatus != SubOther {
		e.Status = e.Substatus.Parent()
	}
	if e.Carrier == "" {
		e.Carrier = r.Carrier
	}
	if e.Number == "" {
		e.Number = r.Number
	}
	return e
}

func countNewer(events []Event, since *time.Time) int {
	n := 0
	for _, e := range events {
		if since == nil || e.Time.After(*since) {
			n++
		}
	}
	return n
}

func equalTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
