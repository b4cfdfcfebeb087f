package tracking

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// Store is the persistence the engine needs. The store package implements
// it on PostgreSQL and SQLite.
//
// EnsureShipmentDue returns the shipment for a carrier and number, creating
// it due for a first check at due when it does not exist (created reports
// which).
// Shipment reads one shipment without leasing it. ClaimShipment leases one shipment to owner unless another owner holds a
// live lease (ok false); ReleaseShipment gives owner's lease back,
// changing nothing else. ClaimDue leases up to limit shipments whose check
// is due and nobody else holds. Reschedule records a refresh that changed
// nothing and releases the lease; RescheduleMany does so for many in one
// go, skipping (and not listing) those whose lease was lost. ApplyRefresh writes a Change in one
// transaction and releases the lease; it returns ErrLeaseLost when owner no
// longer holds the lease. Subscribe writes a Subscription request in one
// transaction (created false when the chat already followed the shipment);
// it fails with ErrTooManyShipments, writing nothing, past the request's
// limit. SubscribeMany does so for many shipments at once, creating those
// missing, in one transaction (see SubscribeManyRequest); it fails with
// ErrTooManyShipments, writing nothing, when the chat's subscriptions grew
// past the limit meanwhile. CountSubscriptions counts a chat's subscriptions; Following
// reports whether the chat follows the shipment of carrier and number.
// SetDestinationCountry records a destination the sender gave, unless one
// is known.
// UpdateChatGuidance moves the guidance of a chat's subscriptions (all, or
// those named) in one transaction, asking advise for each shipment as it
// loads it; SetShop does the same for one subscription together with the
// change of its shop and protection date, and SetRole for every
// subscription of a chat together with the change of its role.
// IngestNumber takes a push: for every shipment the number belongs to (its
// own or a leg's) that no other owner leases, it asks decide what to write
// and writes it, without a lease: a reschedule when unchanged, else the
// Change as ApplyRefresh would. It writes only a shipment as decide saw
// it; it may ask decide again about a shipment that changed meanwhile.
// A shipment another owner leases is left alone, and reported with
// ErrShipmentBusy once the others are written.
// QueueCarrierPush keeps a verified push's results, leased to owner until
// until when owner is given; TakeCarrierPushes
// leases kept pushes nobody holds, oldest first, to owner until until;
// DoneCarrierPushes deletes merged ones.
type Store interface {
	EnsureShipmentDue(ctx context.Context, carrier, number string, now, due time.Time) (st *ShipmentState, created bool, err error)
	Shipment(ctx context.Context, id int64) (*ShipmentState, error)
	ClaimShipment(ctx context.Context, id int64, owner string, now time.Time, lease time.Duration) (st *ShipmentState, ok bool, err error)
	ReleaseShipment(ctx context.Context, id int64, owner string) error
	ClaimDue(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]*ShipmentState, error)
	Reschedule(ctx context.Context, id int64, owner string, now time.Time, next *time.Time, failures int) error
	RescheduleMany(ctx context.Context, owner string, rs []Reschedule) (written []int64, err error)
	ApplyRefresh(ctx context.Context, c *Change) error
	Subscribe(ctx context.Context, req *SubscribeRequest) (subscriptionID int64, created bool, err error)
	SubscribeMany(ctx context.Context, req *SubscribeManyRequest) ([]Subscribed, error)
	CountSubscriptions(ctx context.Context, chatID int64) (int, error)
	Following(ctx context.Context, chatID int64, carrier, number string) (bool, error)
	ShipmentsByNumber(ctx context.Context, number string) ([]int64, error)
	IngestNumber(ctx context.Context, number, owner string, now time.Time, decide func(st *ShipmentState) (c *Change, unchanged bool)) error
	QueueCarrierPush(ctx context.Context, provider string, results []*Result, now time.Time, owner string, until *time.Time) (int64, error)
	TakeCarrierPushes(ctx context.Context, owner string, now, until time.Time, limit int) ([]KeptPush, error)
	DoneCarrierPushes(ctx context.Context, ids []int64) error
	SetPushRegistered(ctx context.Context, id int64, registered bool) error
	SetDestinationCountry(ctx context.Context, id int64, country string) error
	UpdateChatGuidance(ctx context.Context, chatID int64, subscriptionIDs []int64, advise func(*ShipmentState) func(Reader) []Advice, now time.Time) error
	SetShop(ctx context.Context, chatID int64, c ShopChange, advise func(st *ShipmentState) func(Reader) []Advice, now time.Time) error
	SetRole(ctx context.Context, chatID int64, c RoleChange, advise func(st *ShipmentState) func(Reader) []Advice, now time.Time) error
}

// ErrLeaseLost is returned when a worker writes a shipment whose lease it
// no longer holds; the other holder's write wins.
var ErrLeaseLost = errors.New("tracking: shipment lease lost")

// ErrShipmentBusy is returned by IngestNumber when a shipment the number
// belongs to is leased by another worker (a refresh under way, whose
// lookup may predate the push's news): the other shipments were written,
// and the push is to be merged again once that lease ends.
var ErrShipmentBusy = errors.New("tracking: shipment busy with another worker")

// Options configure an Engine.
type Options struct {
	// MinInterval is the shortest time between two checks of a real
	// carrier's shipment (POLL_MIN_INTERVAL).
	MinInterval time.Duration
	// DemoStep is the time between two checks of a demo shipment.
	DemoStep time.Duration
	// Owner names this engine in leases; a random name when empty.
	Owner string
	// Lease is how long a claimed shipment stays with this engine if it
	// dies mid-refresh; two minutes when zero.
	Lease time.Duration
	// BatchSize is how many due shipments one claim takes; 100 when zero.
	BatchSize int
	// Workers is how many refreshes run at once; 8 when zero.
	Workers int
	Clock   Clock
	Metrics *Metrics
	// BeforeCommit, when set, runs inside every refresh transaction before
	// it commits; fault-injection tests make it fail.
	BeforeCommit func() error
	// RegisterPush asks providers that can push updates to do so for every
	// new shipment; it needs trackbot's webhook to be reachable
	// (PUBLIC_URL).
	RegisterPush bool
	// Thresholds time the guidance rules; zero fields take the defaults.
	Thresholds Thresholds
}

// Engine tracks shipments: it looks numbers up, merges what providers say
// into one journey per shipment, schedules the next look and records, in
// the same transaction, every push the change calls for.
type Engine struct {
	store        Store
	providers    *Registry
	clock        Clock
	policy       Policy
	owner        string
	lease        time.Duration
	batch        int
	workers      int
	metrics      *Metrics
	beforeCommit func() error
	registerPush bool
	thresholds   Thresholds
	// kept holds the carrier pushes this engine kept and leased to itself,
	// for its merge (MergePushes) to take from memory; pushKept wakes the
	// merge (RunPushes).
	kept     chan KeptPush
	pushKept chan struct{}
	keptAt   atomic.Int64 // when the last push was kept, in Unix nanoseconds
}

// NewEngine returns an engine over store and providers.
func NewEngine(store Store, providers *Registry, opts Options) *Engine {
	e := &Engine{
		store: store, providers: providers, clock: opts.Clock, owner: opts.Owner,
		lease: opts.Lease, batch: opts.BatchSize, workers: opts.Workers, metrics: opts.Metrics,
		beforeCommit: opts.BeforeCommit, registerPush: opts.RegisterPush, thresholds: opts.Thresholds.withDefaults(),
		policy:   Policy{MinInterval: opts.MinInterval, DemoStep: opts.DemoStep, ProtectionLead: opts.Thresholds.withDefaults().ProtectionLead},
		kept:     make(chan KeptPush, keptInMemory),
		pushKept: make(chan struct{}, 1),
	}
	if e.clock == nil {
		e.clock = SystemClock{}
	}
	if e.owner == "" {
		b := make([]byte, 6)
		rand.Read(b)
		e.owner = "engine-" + hex.EncodeToString(b)
	}
	if e.lease == 0 {
		e.lease = 2 * time.Minute
	}
	if e.batch == 0 {
		e.batch = 100
	}
	if e.workers == 0 {
		e.workers = 8
	}
	e.policy = e.policy.withDefaults()
	return e
}

// Clock is the engine's clock.
func (e *Engine) Clock() Clock { return e.clock }

// Thresholds are the times the engine's guidance rules use, defaults
// filled in; the bot's "late" list filter reads them too.
func (e *Engine) Thresholds() Thresholds { return e.thresholds }

// Providers is the engine's provider registry.
func (e *Engine) Providers() *Registry { return e.providers }

// TrackRequest asks to track a number for a chat.
type TrackRequest struct {
	ChatID  int64
	Number  string
	Carrier string
	// Label names the parcel for the chat; "" keeps the label it had.
	Label string
	// OrderRef is the order the parcel belongs to; "" keeps the one it had.
	OrderRef string
	// Replaces, when set, is the chat's subscription the new one takes the
	// place of (the same number under a corrected carrier): its order
	// reference, marketplace and mute carry over, and it is removed in the
	// same transaction, so the chat never follows the parcel twice or not
	// at all.
	Replaces int64
	// Limit is how many shipments the chat may follow at most; 0 is no
	// limit.
	Limit int
	// Deferred leaves a new shipment's first lookup to the scheduler, which
	// finds it due at once, instead of looking it up before Track returns:
	// for many numbers at a time. The chat is then told only of events
	// after now, as it would be of events after a first lookup, rather
	// than of each parcel's whole history when the lookups come in.
	Deferred bool
	// DestinationCountry is where the sender says the parcel goes (ISO
	// 3166 alpha-2, a shop's order); "" when unknown. It is kept only
	// while the shipment knows no destination of its own, and it reaches
	// the providers' lookups.
	DestinationCountry string
}

// SubscribeRequest is everything that makes a chat follow a shipment,
// written by the store in one transaction: the subscription with its label
// and order reference, the removal of the subscription it replaces, the
// resumption of a shipment whose polling stopped for silence, and the
// guidance that already applies, recorded as fired without a push.
type SubscribeRequest struct {
	ChatID     int64
	ShipmentID int64
	Label      string
	OrderRef   string
	Replaces   int64
	Limit      int
	// LastPushed is the newest event the chat has seen: it is pushed only
	// what comes after.
	LastPushed *time.Time
	// Resume puts the shipment back on the schedule if its polling stopped
	// for silence.
	Resume bool
	// Guidance gives the advice per reader (role, marketplace, end of
	// buyer protection); it seeds a new subscription's guidance state.
	Guidance func(Reader) []Advice
	Now      time.Time
	// BeforeCommit, when set, runs inside the transaction before it
	// commits; fault-injection tests make it fail.
	BeforeCommit func() error
}

// ErrTooManyShipments is returned when a chat would follow more shipments
// than its limit.
var ErrTooManyShipments = errors.New("tracking: too many shipments for one chat")

// Tracked is the outcome of Track.
type Tracked struct {
	Shipment       *ShipmentState
	SubscriptionID int64
	// New reports that the chat did not track the shipment before.
	New bool
	// LookupErr is the first lookup's error, if it failed; the shipment is
	// tracked anyway and retried on schedule.
	LookupErr error
}

// Track makes a chat follow a number: it finds or creates the shared
// shipment, looks it up when it has never been looked up, and subscribes
// the chat in one transaction (see SubscribeRequest); a shipment whose
// polling stopped for silence is followed again. The chat is pushed only
// what happens after it started tracking. It fails, writing nothing, with
// ErrNoProvider when no provider serves the carrier and with
// ErrTooManyShipments when the chat is at its limit.
func (e *Engine) Track(ctx context.Context, req TrackRequest) (*Tracked, error) {
	if !StorableText(req.Label) || !StorableText(req.OrderRef) || !StorableText(req.Number) {
		// Checked before the shipment is created: PostgreSQL would refuse
		// the subscription and leave the shipment polled for nobody.
		return nil, fmt.Errorf("tracking: track %q: %w", req.Number, ErrUnstorableText)
	}
	if len(e.providers.Providers(req.Carrier)) == 0 {
		return nil, e.providers.noProvider("track", req.Number, req.Carrier)
	}
	if req.Limit > 0 && req.Replaces == 0 {
		// Refuse before the lookup; the subscribing transaction checks
		// again, and that check is the one that holds. A parcel the chat
		// follows already is counted already: its label and order may
		// still change at the limit.
		n, err := e.store.CountSubscriptions(ctx, req.ChatID)
		if err != nil {
			return nil, err
		}
		if n >= req.Limit {
			following, err := e.store.Following(ctx, req.ChatID, req.Carrier, req.Number)
			if err != nil {
				return nil, err
			}
			if !following {
				return nil, fmt.Errorf("tracking: track %s: %w", req.Number, ErrTooManyShipments)
			}
		}
	}
	now := e.clock.Now()
	// A new shipment Track looks up itself is not the scheduler's until
	// that lookup had its chance (a lease's time): were it due at once, a
	// tick could claim it first and Refresh would then ask the providers a
	// second time. A deferred one is the scheduler's at once.
	due := now.Add(e.lease)
	if req.Deferred {
		due = now
	}
	st, _, err := e.store.EnsureShipmentDue(ctx, req.Carrier, req.Number, now, due)
	if err != nil {
		return nil, err
	}
	if cc := strings.ToUpper(req.DestinationCountry); cc != "" && st.DestinationCountry == "" && IsCountry(cc) {
		if err := e.store.SetDestinationCountry(ctx, st.ID, cc); err != nil {
			return nil, err
		}
		st.DestinationCountry = cc
	}
	out := &Tracked{}
	lastPushed := st.LastEventAt
	switch {
	case st.LastCheckedAt != nil:
	case req.Deferred:
		lastPushed = &now
	default:
		st, out.LookupErr = e.firstLookup(ctx, st.ID)
		if st == nil {
			return nil, out.LookupErr
		}
		lastPushed = st.LastEventAt
	}
	out.Shipment = st
	now = e.clock.Now()
	out.SubscriptionID, out.New, err = e.store.Subscribe(ctx, &SubscribeRequest{
		ChatID: req.ChatID, ShipmentID: st.ID, Label: req.Label, OrderRef: req.OrderRef,
		Replaces: req.Replaces, Limit: req.Limit, LastPushed: lastPushed,
		Resume: st.StoppedReason == StopSilent, Guidance: e.advisor(NewShipment(st, st.Events), now),
		Now: now, BeforeCommit: e.beforeCommit,
	})
	if err != nil {
		return nil, fmt.Errorf("tracking: track %s: %w", req.Number, err)
	}
	return out, nil
}

// Refresh looks a shipment up now, unless another worker is doing so, and
// returns its state afterwards. A failed lookup is returned as the error
// together with the unchanged state; a nil state means the store failed.
func (e *Engine) Refresh(ctx context.Context, id int64) (*ShipmentState, error) {
	st, ok, err := e.store.ClaimShipment(ctx, id, e.owner, e.clock.Now(), e.lease)
	if err != nil {
		return nil, err
	}
	if !ok {
		return st, nil // another worker is on it; its result lands shortly
	}
	lookupErr, err := e.refresh(ctx, st)
	if err != nil {
		return nil, err
	}
	return st, lookupErr
}

// firstLookupWait bounds how long Track waits for another worker's first
// lookup of a shipment, and firstLookupPoll is how often it looks.
const (
	firstLookupWait = 10 * time.Second
	firstLookupPoll = 100 * time.Millisecond
)

// firstLookup is Refresh for a shipment Track found never looked up: one
// that another worker looked up meanwhile (a tick that claimed it first)
// is not looked up again, and its lease is given back as it was. While
// another worker holds it (an import's shipment is due at once, and a
// tick of any replica may claim it first), Track waits for that worker's
// lookup to land, at most firstLookupWait, rather than answer the chat
// with nothing known and subscribe it as told of nothing: the other
// worker's push would then either tell the chat what its answer should
// have shown or, landing before the subscription, never reach it.
func (e *Engine) firstLookup(ctx context.Context, id int64) (*ShipmentState, error) {
	for waited := time.Duration(0); ; waited += firstLookupPoll {
		st, ok, err := e.store.ClaimShipment(ctx, id, e.owner, e.clock.Now(), e.lease)
		if err != nil {
			return nil, err
		}
		if !ok {
			// Done once the other worker has looked the number up, or
			// given the lease back (then this one claims it).
			if st.LastCheckedAt != nil || waited >= firstLookupWait {
				return st, nil
			}
			if Sleep(ctx, firstLookupPoll) != nil {
				return st, nil
			}
			continue
		}
		if st.LastCheckedAt != nil {
			if err := e.store.ReleaseShipment(ctx, id, e.owner); err != nil {
				return nil, err
			}
			return st, nil
		}
		lookupErr, err := e.refresh(ctx, st)
		if err != nil {
			return nil, err
		}
		return st, lookupErr
	}
}

// Lookup asks the providers about a number once, without storing anything.
// A number no provider knows yet is a shipment too, of status UNKNOWN
// without events, returned together with an error wrapping
// ErrNumberUnknown.
func (e *Engine) Lookup(ctx context.Context, q Query) (*Shipment, error) {
	now := e.clock.Now()
	if q.TrackedSince.IsZero() {
		q.TrackedSince = now
	}
	st := &ShipmentState{Carrier: q.Carrier, Number: q.Number, Status: StatusUnknown, Substatus: SubOther,
		StatusChangedAt: now, CreatedAt: q.TrackedSince, Known: map[string]bool{}}
	var events []Event
	// Later legs appear as the earlier ones are read; follow them.
	for range 4 {
		results, err := e.lookupAll(ctx, st, nil)
		if errors.Is(err, ErrNumberUnknown) && len(events) == 0 {
			return NewShipment(st, nil), err
		}
		if err != nil {
			return nil, err
		}
		c, _ := merge(st, results, now)
		applyChange(st, c)
		events = append(events, c.Events...)
		if !slices.ContainsFunc(c.Legs, func(l Leg) bool { return !e.carriesLeg(results[0], l, now) }) {
			break // no new leg, or the answer carries them all
		}
	}
	return NewShipment(st, events), nil
}

// registerForPush asks the provider that answered for a new shipment to
// push its updates, where it can. Failure only means polling stays the
// main source, so it is logged, not returned.
func (e *Engine) registerForPush(ctx context.Context, st *ShipmentState) {
	if !e.registerPush || st.Provider == "" || st.PushRegistered {
		return
	}
	p, ok := e.providers.Provider(st.Provider)
	if !ok {
		return
	}
	pr, ok := p.(PushRegisterer)
	if !ok {
		return
	}
	if err := pr.Register(ctx, Query{Number: st.Number, Carrier: st.Carrier, DestinationCountry: st.DestinationCountry}); err != nil {
		slog.WarnContext(ctx, "push registration failed; polling instead", "provider", st.Provider, "number", st.Number, "err", err)
		return
	}
	if err := e.store.SetPushRegistered(ctx, st.ID, true); err != nil {
		slog.WarnContext(ctx, "recording push registration failed", "number", st.Number, "err", err)
		return
	}
	st.PushRegistered = true
}

// Ingest merges a result that arrived without being asked for (a push)
// into every shipment its number belongs to, through the same commit step
// as a poll: a push schedules, stops and notifies exactly as a poll
// bringing the same news would. A shipment another worker is refreshing
// right now is left alone, and the error wraps ErrShipmentBusy: that
// worker's lookup may predate the news, so the push is to be merged again
// later (a kept push stays kept).
func (e *Engine) Ingest(ctx context.Context, r *Result) error {
	now := e.clock.Now()
	// The store may ask again about a shipment that changed meanwhile:
	// the last decision for each is what was written.
	decided := map[int64]*Change{}
	var order []int64
	err := e.store.IngestNumber(ctx, r.Number, e.owner, now, func(st *ShipmentState) (*Change, bool) {
		results := make([]*Result, 1+len(st.Legs))
		if st.Number == r.Number {
			results[0] = r
		}
		for i, l := range st.Legs {
			if l.Number == r.Number {
				results[i+1] = r
			}
		}
		c, same := e.decide(st, results, now)
		if _, ok := decided[st.ID]; !ok {
			order = append(order, st.ID)
		}
		if same {
			decided[st.ID] = nil
		} else {
			decided[st.ID] = c
		}
		return c, same
	})
	if err != nil && !errors.Is(err, ErrShipmentBusy) {
		return err
	}
	for _, id := range order {
		if c := decided[id]; c == nil {
			e.metrics.refresh("unchanged")
		} else {
			e.counted(c)
		}
	}
	return err
}

// RunOnce runs one scheduling round: it claims due shipments batch by batch
// and refreshes them, until none is due. It returns how many it refreshed.
func (e *Engine) RunOnce(ctx context.Context) (int, error) {
	total := 0
	for {
		batch, err := e.store.ClaimDue(ctx, e.owner, e.clock.Now(), e.lease, e.batch)
		if err != nil {
			return total, err
		}
		if len(batch) == 0 {
			return total, nil
		}
		// The shipments' own numbers first; then, in a second batch, the
		// later legs whose first answer does not carry them.
		pre := e.providers.Prefetch(ctx, firstQueries(batch))
		if qs := e.ownLegQueries(batch, pre, e.clock.Now()); len(qs) > 0 {
			maps.Copy(pre, e.providers.Prefetch(ctx, qs))
		}
		later := &reschedules{}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(e.workers)
		for _, st := range batch {
			g.Go(func() error {
				_, err := e.refreshWith(gctx, st, pre, later)
				return err
			})
		}
		err = g.Wait()
		// The batch's reschedules are written even when a refresh failed:
		// the others looked their shipments up.
		if ferr := later.flush(ctx, e.store, e.owner); err == nil && ctx.Err() == nil {
			err = ferr
		}
		if err != nil {
			return total, err
		}
		total += len(batch)
	}
}

// Run refreshes due shipments every tick until ctx ends. Store errors are
// logged and retried, less often while they last (see Every).
func (e *Engine) Run(ctx context.Context, tick time.Duration) error {
	return Every(ctx, "scheduler round", tick, func(ctx context.Context) error {
		_, err := e.RunOnce(ctx)
		return err
	})
}

// refresh looks a leased shipment up, writes the outcome and releases the
// lease. A lookup failure is recorded in the schedule and returned as
// lookupErr; err reports a failure to write. Losing the lease to another
// worker is not a failure: that worker's write stands.
func (e *Engine) refresh(ctx context.Context, st *ShipmentState) (lookupErr, err error) {
	return e.refreshWith(ctx, st, nil, nil)
}

// Reschedule is a refresh that changed nothing, waiting to be written
// with the others of its round: the shipment's next check (nil: none), when
// it was checked, and its consecutive failures.
type Reschedule struct {
	ID        int64
	Next      *time.Time
	CheckedAt time.Time
	Failures  int
}

// reschedules collects the reschedules of one round's batch, so that they
// cost one statement together instead of one each; most refreshes bring
// nothing new. It is safe for concurrent use.
type reschedules struct {
	mu     sync.Mutex
	rows   []Reschedule
	states []*ShipmentState
}

func (r *reschedules) add(st *ShipmentState, next *time.Time, now time.Time, failures int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rows = append(r.rows, Reschedule{ID: st.ID, Next: next, CheckedAt: now, Failures: failures})
	r.states = append(r.states, st)
}

// flush writes the collected reschedules and brings the shipments whose
// lease held up to date; the others belong to whoever holds them now.
func (r *reschedules) flush(ctx context.Context, s Store, owner string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.rows) == 0 {
		return nil
	}
	written, err := s.RescheduleMany(ctx, owner, r.rows)
	if err != nil {
		return err
	}
	held := make(map[int64]bool, len(written))
	for _, id := range written {
		held[id] = true
	}
	for i, st := range r.states {
		if row := r.rows[i]; held[st.ID] {
			checked := row.CheckedAt
			st.NextCheckAt, st.LastCheckedAt, st.CheckFailures = row.Next, &checked, row.Failures
		}
	}
	r.rows, r.states = nil, nil
	return nil
}

// refreshWith is refresh with results already fetched in a batch; with
// later, a refresh that changes nothing is rescheduled in later's batch
// instead of at once.
func (e *Engine) refreshWith(ctx context.Context, st *ShipmentState, pre map[Leg]*Result, later *reschedules) (lookupErr, err error) {
	first := st.LastCheckedAt == nil
	results, lookupErr := e.lookupAll(ctx, st, pre)
	now := e.clock.Now()
	if lookupErr != nil && !errors.Is(lookupErr, ErrNumberUnknown) {
		if ctx.Err() != nil {
			return lookupErr, nil // shutting down; the lease runs out
		}
		next := e.policy.afterFailure(st, lookupErr, now)
		e.metrics.refresh("failed")
		if later != nil {
			later.add(st, &next, now, st.CheckFailures+1)
			return lookupErr, nil
		}
		return lookupErr, ignoreLeaseLost(e.store.Reschedule(ctx, st.ID, e.owner, now, &next, st.CheckFailures+1))
	}
	if err := e.commitIn(ctx, st, results, now, later); err != nil {
		return lookupErr, err
	}
	if first {
		// The first check registers for pushes, whether Track made it
		// or the scheduler did, for a shipment tracked in bulk.
		e.registerForPush(ctx, st)
	}
	return lookupErr, nil
}

// commit is the one step that writes what a refresh found, whether a poll
// asked for it or a carrier pushed it, so that both schedule, stop, count
// and notify alike. It releases the lease and brings st up to date.
// Losing the lease to another worker is not a failure: that worker's
// write stands.
func (e *Engine) commit(ctx context.Context, st *ShipmentState, results []*Result, now time.Time) error {
	return e.commitIn(ctx, st, results, now, nil)
}

// commitIn is commit; with later, a change that brings nothing is
// rescheduled in later's batch, and st is brought up to date when the
// batch is written.
func (e *Engine) commitIn(ctx context.Context, st *ShipmentState, results []*Result, now time.Time, later *reschedules) error {
	c, unchanged := e.decide(st, results, now)
	if unchanged {
		e.metrics.refresh("unchanged")
		if later != nil {
			later.add(st, c.NextCheckAt, now, 0)
			return nil
		}
		if err := e.store.Reschedule(ctx, st.ID, e.owner, now, c.NextCheckAt, 0); err != nil {
			return ignoreLeaseLost(err)
		}
		st.NextCheckAt, st.LastCheckedAt, st.CheckFailures = c.NextCheckAt, &now, 0
		return nil
	}
	if err := e.store.ApplyRefresh(ctx, c); err != nil {
		return ignoreLeaseLost(err)
	}
	e.counted(c)
	applyChange(st, c)
	return nil
}

// decide is what commit writes for a refresh's results: the change, with
// its schedule, guidance and notices, and whether it changes nothing but
// the schedule (a reschedule).
func (e *Engine) decide(st *ShipmentState, results []*Result, now time.Time) (c *Change, unchanged bool) {
	c, empty := merge(st, results, now)
	c.LeaseOwner = e.owner
	c.NextCheckAt, c.StoppedReason = e.policy.next(st, c, now)
	if e.withGuidance(st, c, now) {
		empty = false
	}
	// The chats hear of a silent stop once, when it happens; a shipment
	// already stopped that a push wakes without news stays stopped quietly.
	if c.StoppedReason == StopSilent && st.StoppedReason != StopSilent {
		days := int(now.Sub(lastActivity(st, c)).Hours() / 24)
		c.Broadcast = stoppedBroadcast(st, days, now)
	}
	c.BeforeCommit = e.beforeCommit
	return c, empty && c.StoppedReason == ""
}

// counted counts a written change in the refresh metrics.
func (e *Engine) counted(c *Change) {
	if c.StoppedReason != "" {
		e.metrics.refresh("stopped")
	} else {
		e.metrics.refresh("changed")
	}
}

func ignoreLeaseLost(err error) error {
	if errors.Is(err, ErrLeaseLost) {
		return nil
	}
	return err
}

// lookupAll asks about the shipment's own number and every later leg that
// the own number's answer does not carry (see carriesLeg). The origin
// carrier often stops reporting once a parcel leaves the country, so a
// failure on one number does not spoil the others; the error is returned
// only when no number could be looked up.
func (e *Engine) lookupAll(ctx context.Context, st *ShipmentState, pre map[Leg]*Result) ([]*Result, error) {
	legs := append([]Leg{{Number: st.Number, Carrier: st.Carrier}}, st.Legs...)
	results := make([]*Result, len(legs))
	var firstErr error
	ok := 0
	now := e.clock.Now()
	for i, l := range legs {
		r, found := pre[l]
		if !found && i > 0 && e.carriesLeg(results[0], l, now) {
			continue // its events are in results[0] already
		}
		if found {
			c := *r
			if c.Carrier == "" {
				c.Carrier = l.Carrier
			}
			if c.Number == "" {
				c.Number = l.Number
			}
			results[i] = &c
			ok++
			continue
		}
		r, err := e.providers.Lookup(ctx, Query{Number: l.Number, Carrier: l.Carrier, DestinationCountry: st.DestinationCountry, TrackedSince: st.CreatedAt})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if r.Carrier == "" {
			r.Carrier = l.Carrier
		}
		if r.Number == "" {
			r.Number = l.Number
		}
		results[i] = r
		ok++
	}
	if ok == 0 {
		return nil, firstErr
	}
	return results, nil
}

// firstQueries lists the own numbers of a batch of shipments.
func firstQueries(batch []*ShipmentState) []Query {
	qs := make([]Query, 0, len(batch))
	for _, st := range batch {
		qs = append(qs, Query{Number: st.Number, Carrier: st.Carrier, DestinationCountry: st.DestinationCountry, TrackedSince: st.CreatedAt})
	}
	return qs
}

// ownLegQueries lists the later legs of a batch of shipments that need a
// look-up of their own: those whose shipment's own number was answered in
// pre and that answer does not carry. The legs of a shipment whose own
// number is not in pre are left to lookupAll, which asks the own number
// first and decides then, so that no leg is registered at a provider only
// because a batch failed.
func (e *Engine) ownLegQueries(batch []*ShipmentState, pre map[Leg]*Result, now time.Time) []Query {
	var qs []Query
	for _, st := range batch {
		first, ok := pre[Leg{Number: st.Number, Carrier: st.Carrier}]
		if !ok {
			continue
		}
		for _, l := range st.Legs {
			if !e.carriesLeg(first, l, now) {
				qs = append(qs, Query{Number: l.Number, Carrier: l.Carrier, DestinationCountry: st.DestinationCountry, TrackedSince: st.CreatedAt})
			}
		}
	}
	return qs
}

// legSilence is how long the answer for a shipment's own number may bring
// no news of a later leg before that leg is looked up on its own: a week,
// the time after which a parcel without an update is worth a worry (and
// customs rarely takes longer to let a parcel through).
const legSilence = 7 * 24 * time.Hour

// carriesLeg reports whether first, the answer for a shipment's own number,
// reports the later leg l itself, so that l needs no look-up of its own —
// and no registration at a provider that charges one unit per number.
//
// The rule: first carries l while it brings an event of l that is final
// (delivered, returned) or less than legSilence old; and, when it brings no
// event of l yet, while it comes from a provider that follows legs
// (LegFollower), names l, and its own newest event is less than legSilence
// old: the handover is recent and the provider is following it. When the
// answer stops bringing the leg's events for that long, the leg is looked
// up on its own, and may then cost a unit.
func (e *Engine) carriesLeg(first *Result, l Leg, now time.Time) bool {
	if first == nil {
		return false
	}
	var newest, newestOfLeg time.Time
	for _, ev := range first.Events {
		if ev.Time.After(newest) {
			newest = ev.Time
		}
		if !eventOfLeg(ev, l, first) {
			continue
		}
		if ev.Status == StatusDelivered || ev.Status == StatusReturned {
			return true
		}
		if ev.Time.After(newestOfLeg) {
			newestOfLeg = ev.Time
		}
	}
	if !newestOfLeg.IsZero() {
		return now.Sub(newestOfLeg) < legSilence
	}
	p, ok := e.providers.Provider(first.Provider)
	if !ok {
		return false
	}
	lf, ok := p.(LegFollower)
	if !ok || !lf.FollowsLegs() || !slices.Contains(first.NextLegs, l) {
		return false
	}
	return !newest.IsZero() && now.Sub(newest) < legSilence
}

// eventOfLeg reports whether ev, from the answer first, belongs to the
// later leg l: it names l's number, or, when it names none of its own, l's
// carrier where that differs from the first number's.
func eventOfLeg(ev Event, l Leg, first *Result) bool {
	if ev.Number != "" && !strings.EqualFold(ev.Number, first.Number) {
		return strings.EqualFold(ev.Number, l.Number)
	}
	return ev.Carrier != "" && ev.Carrier == l.Carrier && l.Carrier != first.Carrier
}

// applyChange brings an in-memory state up to date with a written change.
func applyChange(st *ShipmentState, c *Change) {
	*st = applied(st, c)
	now := c.Now
	st.LastCheckedAt, st.NextCheckAt, st.StoppedReason, st.CheckFailures = &now, c.NextCheckAt, c.StoppedReason, 0
	st.GuidanceSig = c.GuidanceSig
	if st.Known == nil {
		st.Known = map[string]bool{}
	}
	for _, ev := range c.Events {
		st.Known[ev.Fingerprint()] = true
	}
}

// applied returns the shipment's state and journey once c is written,
// leaving st as it was.
func applied(st *ShipmentState, c *Change) ShipmentState {
	next := *st
	next.Provider, next.Status, next.Substatus, next.StatusChangedAt = c.Provider, c.Status, c.Substatus, c.StatusChangedAt
	next.LastEventAt, next.ETA, next.OriginCountry, next.DestinationCountry = c.LastEventAt, c.ETA, c.OriginCountry, c.DestinationCountry
	next.Legs = append(slices.Clone(st.Legs), c.Legs...)
	next.Events = mergedEvents(st.Events, c.Events)
	return next
}
