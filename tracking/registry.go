package tracking

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Registry routes a carrier to the providers that can look it up, in order
// of preference: a carrier's own API first, then aggregators.
type Registry struct {
	clock     Clock
	byCarrier map[string][]Provider
	fallback  []Provider
	byName    map[string]Provider
	budgets   map[string]*budget
	metrics   *Metrics
}

// NewRegistry returns an empty registry that reads the time from clock.
func NewRegistry(clock Clock) *Registry {
	return &Registry{clock: clock, byCarrier: map[string][]Provider{}, byName: map[string]Provider{}, budgets: map[string]*budget{}}
}

// SetBudget limits calls to the named provider to perSecond requests a
// second and perDay a day (zero: no limit).
func (r *Registry) SetBudget(provider string, perSecond float64, perDay int) {
	r.budgets[provider] = newBudget(perSecond, perDay)
}

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
		return nil, fmt.Errorf("tracking: lookup %s: %w", q.Number, ErrNoProvider)
	}
	var errs []error
	for _, p := range ps {
		res, err := r.call(ctx, p, q)
		if err == nil {
			if res.Provider == "" {
				res.Provider = p.Name()
			}
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		errs = append(errs, fmt.Errorf("%s: %w", p.Name(), err))
	}
	return nil, lookupError(q.Number, errs)
}

// call makes one budgeted, counted provider call.
func (r *Registry) call(ctx context.Context, p Provider, q Query) (*Result, error) {
	b := r.budgets[p.Name()]
	if b != nil {
		if err := b.take(ctx, p.Name(), r.clock.Now()); err != nil {
			r.metrics.providerCall(p.Name(), err)
			return nil, err
		}
	}
	res, err := p.Lookup(ctx, q)
	if err == nil && res == nil {
		err = ErrNumberUnknown
	}
	if b != nil {
		b.record(p.Name(), err, r.clock.Now())
		r.metrics.budgetLeft(p.Name(), b.remaining(r.clock.Now()))
	}
	r.metrics.providerCall(p.Name(), err)
	return res, err
}

// lookupError keeps the most telling error: a number no provider knows is
// unknown; a rate limit or outage anywhere says to retry later.
func lookupError(number string, errs []error) error {
	var rl *RateLimitError
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
		if rl == nil {
			errors.As(e, &rl)
		}
	}
	all := strings.Join(msgs, "; ")
	switch {
	case rl != nil:
		return fmt.Errorf("tracking: lookup %s: %w (%s)", number, rl, all)
	case allAre(errs, ErrNumberUnknown):
		return fmt.Errorf("tracking: lookup %s: %w", number, ErrNumberUnknown)
	case anyIs(errs, ErrUnavailable):
		return fmt.Errorf("tracking: lookup %s: %w (%s)", number, ErrUnavailable, all)
	}
	return fmt.Errorf("tracking: lookup %s: %s", number, all)
}

func allAre(errs []error, target error) bool {
	for _, e := range errs {
		if !errors.Is(e, target) {
			return false
		}
	}
	return len(errs) > 0
}

func anyIs(errs []error, target error) bool {
	for _, e := range errs {
		if errors.Is(e, target) {
			return true
		}
	}
	return false
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
		if b := r.budgets[bp.Name()]; b != nil {
			if err := b.take(ctx, bp.Name(), r.clock.Now()); err != nil {
				r.metrics.providerCall(bp.Name(), err)
				continue
			}
		}
		results, err := bp.LookupBatch(ctx, qs)
		if b := r.budgets[bp.Name()]; b != nil {
			b.record(bp.Name(), err, r.clock.Now())
		}
		r.metrics.providerCall(bp.Name(), err)
		for i, res := range results {
			if res == nil || i >= len(qs) {
				continue
			}
			if res.Provider == "" {
				res.Provider = bp.Name()
			}
			out[Leg{Number: qs[i].Number, Carrier: qs[i].Carrier}] = res
		}
	}
	return out
}
