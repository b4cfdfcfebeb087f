package tracking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Registry routes a carrier to the providers that can look it up, in order
// of preference: a carrier's own API first, then aggregators.
type Registry struct {
	clock     Clock
	byCarrier map[string][]Provider
	ownLabels map[string][]string // carrier → providers that track only labels bought through them
	fallback  []Provider
	byName    map[string]Provider
	budgets   map[string]*budget
	quotas    QuotaCounter
	metrics   *Metrics
}

// NewRegistry returns an empty registry that reads the time from clock.
func NewRegistry(clock Clock) *Registry {
	return &Registry{clock: clock, byCarrier: map[string][]Provider{}, ownLabels: map[string][]string{}, byName: map[string]Provider{}, budgets: map[string]*budget{}}
}

// SetBudget limits calls to the named provider to perSecond requests a
// second and perDay a day (zero: no limit).
func (r *Registry) SetBudget(provider string, perSecond float64, perDay int) {
	r.budgets[provider] = newBudget(perSecond, perDay)
}

// ShareQuotas makes the daily quotas of SetBudget count the requests of
// every replica through qc, rather than this process's alone.
func (r *Registry) ShareQuotas(qc QuotaCounter) { r.quotas = qc }

// SetMetrics makes the registry count its provider calls in m.
func (r *Registry) SetMetrics(m *Metrics) { r.metrics = m }

// Names lists the registered providers' names.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// AddCarrier makes p a provider for the listed carriers, after any added
// before it.
func (r *Registry) AddCarrier(p Provider, carriers ...string) {
	r.byName[p.Name()] = p
	for _, c := range carriers {
		r.byCarrier[c] = append(r.byCarrier[c], p)
	}
}

// LabelScope says which numbers of a carrier a provider can track.
type LabelScope int

const (
	// AnyLabel: the provider tracks any number of the carrier.
	AnyLabel LabelScope = iota
	// OwnLabelsOnly: the provider tracks only labels bought through it.
	// trackbot follows numbers from any shop, so such a carrier is never
	// routed to the provider.
	OwnLabelsOnly
)

// Coverage maps carrier ids to the scope in which a provider tracks them.
type Coverage map[string]LabelScope

// AnyLabel lists, sorted, the carriers the provider tracks for any label.
func (c Coverage) AnyLabel() []string {
	var out []string
	for id, scope := range c {
		if scope == AnyLabel {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// AddCoverage makes p a provider for the carriers it tracks for any label,
// after any added before it. The carriers it tracks only for its own
// labels are not routed to it; they are remembered so that a lookup no
// provider can take names the limit.
func (r *Registry) AddCoverage(p Provider, cov Coverage) {
	r.AddCarrier(p, cov.AnyLabel()...)
	for id, scope := range cov {
		if scope == OwnLabelsOnly {
			r.ownLabels[id] = append(r.ownLabels[id], p.Name())
		}
	}
}

// noProvider is the error for a carrier no provider can track, naming the
// providers that track it only for their own labels.
func (r *Registry) noProvider(op, number, carrier string) error {
	if names := r.ownLabels[carrier]; len(names) > 0 {
		return fmt.Errorf("tracking: %s %s: %s tracks %s only for its own labels: %w",
			op, number, strings.Join(names, ", "), carrier, ErrNoProvider)
	}
	return fmt.Errorf("tracking: %s %s: %w", op, number, ErrNoProvider)
}

// AddFallback makes p a provider for every carrier except the demo, tried
// after the carriers' own providers: an aggregator.
func (r *Registry) AddFallback(p Provider) {
	r.byName[p.Name()] = p
	r.fallback = append(r.fallback, p)
}

// Provider returns the provider registered under name.
func (r *Registry) Provider(name string) (Provider, bool) {
	p, ok := r.byName[name]
	return p, ok
}

// Providers lists the providers to try for a carrier, best first.
func (r *Registry) Providers(carrier string) []Provider {
	out := append([]Provider(nil), r.byCarrier[carrier]...)
	if carrier == "demo" {
		return out
	}
	for _, p := range r.fallback {
		dup := false
		for _, q := range out {
			dup = dup || q == p
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

// Lookup asks the carrier's providers in order until one knows the number.
// A provider that fails or does not know the number hands over to the next;
// the error of the last one is returned when none answers.
func (r *Registry) Lookup(ctx context.Context, q Query) (*Result, error) {
	ps := r.Providers(q.Carrier)
	if len(ps) == 0 {
		return nil, r.noProvider("lookup", q.Number, q.Carrier)
	}
	var errs []error
	for i, p := range ps {
		res, asked, err := r.call(ctx, p, q)
		if err == nil {
			if res.Provider == "" {
				res.Provider = p.Name()
			}
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// A budget that held the call back has logged already; a provider
		// that was asked is told here, once per call.
		next := "none"
		if i+1 < len(ps) {
			next = ps[i+1].Name()
		}
		switch {
		case !asked:
		case errors.Is(err, ErrNumberUnknown):
			slog.InfoContext(ctx, "provider has nothing on the number", "provider", p.Name(), "number", q.Number, "next", next)
		default:
			slog.WarnContext(ctx, "provider lookup failed", "provider", p.Name(), "number", q.Number,
				"outcome", outcome(err), "next", next, "err", err)
		}
		errs = append(errs, fmt.Errorf("%s: %w", p.Name(), err))
	}
	return nil, lookupError(q.Number, errs)
}

// call makes one budgeted, counted provider call. asked is false when the
// budget held the call back and the provider was not asked.
func (r *Registry) call(ctx context.Context, p Provider, q Query) (res *Result, asked bool, err error) {
	b := r.budgets[p.Name()]
	if b != nil {
		if err := b.take(ctx, p.Name(), r.clock, r.quotas); err != nil {
			r.metrics.providerHeld(p.Name(), err)
			// Another replica may have spent the shared quota: say so.
			r.metrics.budgetLeft(p.Name(), b.remaining(r.clock.Now()))
			return nil, false, err
		}
		ctx = b.withPacer(ctx, p.Name(), r.clock, r.quotas)
	}
	// Latency is real time, whatever clock the registry runs on.
	start := time.Now()
	res, err = p.Lookup(ctx, q)
	took := time.Since(start)
	if err == nil && empty(res) {
		res, err = nil, fmt.Errorf("%s: %s: no status and no events: %w", p.Name(), q.Number, ErrNumberUnknown)
	}
	if b != nil {
		b.record(p.Name(), err, r.clock.Now())
		r.metrics.budgetLeft(p.Name(), b.remaining(r.clock.Now()))
	}
	r.metrics.providerCall(p.Name(), took, err)
	return res, true, err
}

// lookupError is the error of a lookup that no provider answered. Its text
// names every provider's failure; errors.Is and errors.As see through to
// each of them, with one exception: a provider that does not know the
// number is hidden from them unless no provider knows it, because
// "unknown" is the lookup's verdict only when all agree. So a rate limit
// or an outage anywhere says to retry later (ErrUnavailable,
// *RateLimitError), and a number no provider knows is ErrNumberUnknown.
func lookupError(number string, errs []error) error {
	told := errs
	if !allAre(errs, ErrNumberUnknown) {
		told = nil
		for _, e := range errs {
			if !errors.Is(e, ErrNumberUnknown) {
				told = append(told, e)
			}
		}
	}
	return &lookupFailure{number: number, errs: errs, told: told}
}

// lookupFailure is what lookupError returns.
type lookupFailure struct {
	number string
	errs   []error // every provider's, in the order they were asked
	told   []error // those errors.Is and errors.As see
}

func (e *lookupFailure) Error() string {
	msgs := make([]string, len(e.errs))
	for i, err := range e.errs {
		msgs[i] = err.Error()
	}
	return fmt.Sprintf("tracking: lookup %s: %s", e.number, strings.Join(msgs, "; "))
}

func (e *lookupFailure) Unwrap() []error { return e.told }

func allAre(errs []error, target error) bool {
	for _, e := range errs {
		if !errors.Is(e, target) {
			return false
		}
	}
	return len(errs) > 0
}

// Prefetch looks many numbers up at once where the first provider for
// their carrier takes batches (17TRACK takes 40 a call), so that a
// scheduling round costs a few calls instead of one per number. It returns
// what it learned by leg; a number it could not get — unknown to the
// provider, or the batch failed — is simply missing, and the caller looks
// it up one by one, with the usual fallbacks.
func (r *Registry) Prefetch(ctx context.Context, qs []Query) map[Leg]*Result {
	groups := map[BatchProvider][]Query{}
	var order []BatchProvider
	for _, q := range qs {
		ps := r.Providers(q.Carrier)
		if len(ps) == 0 {
			continue
		}
		bp, ok := ps[0].(BatchProvider)
		if !ok {
			continue
		}
		if _, seen := groups[bp]; !seen {
			order = append(order, bp)
		}
		groups[bp] = append(groups[bp], q)
	}
	out := map[Leg]*Result{}
	for _, bp := range order {
		qs := groups[bp]
		callCtx := ctx
		if b := r.budgets[bp.Name()]; b != nil {
			if err := b.take(ctx, bp.Name(), r.clock, r.quotas); err != nil {
				r.metrics.providerHeld(bp.Name(), err)
				continue
			}
			// A batch is many requests (17TRACK: one per 40 numbers); each
			// after the first waits for its own token and spends its own
			// request of the daily quota.
			callCtx = b.withPacer(ctx, bp.Name(), r.clock, r.quotas)
		}
		start := time.Now()
		results, err := bp.LookupBatch(callCtx, qs)
		took := time.Since(start)
		if b := r.budgets[bp.Name()]; b != nil {
			b.record(bp.Name(), err, r.clock.Now())
		}
		r.metrics.providerCall(bp.Name(), took, err)
		if err != nil && ctx.Err() == nil {
			slog.WarnContext(ctx, "provider batch lookup failed; asking one by one", "provider", bp.Name(),
				"numbers", len(qs), "outcome", outcome(err), "err", err)
		}
		for i, res := range results {
			if empty(res) || i >= len(qs) {
				continue // asked again alone, with the fallbacks
			}
			if res.Provider == "" {
				res.Provider = bp.Name()
			}
			out[Leg{Number: qs[i].Number, Carrier: qs[i].Carrier}] = res
		}
	}
	return out
}

// empty reports an answer that says nothing: no status and no events. It
// counts as the provider not knowing the number, so that the next provider
// is asked. A number the provider calls invalid is an answer: the chat has
// to check it, not wait.
func empty(res *Result) bool {
	return res == nil || len(res.Events) == 0 && (res.Status == "" || res.Status == StatusUnknown) && res.Substatus != SubInvalidNumber
}
