// Package trackingtest holds an in-memory Provider for tests of the engine
// and of everything built on it.
package trackingtest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/trackbot/trackbot/tracking"
)

// Provider is a scriptable tracking.Provider: tests set what each number
// returns and read how often each was asked. It is safe for concurrent use.
type Provider struct {
	name string

	mu      sync.Mutex
	results map[string]*tracking.Result
	errs    map[string]error
	calls   map[string]int
	delay   time.Duration
}

var _ tracking.Provider = (*Provider)(nil)

// NewProvider returns a fake provider called name that knows no number.
func NewProvider(name string) *Provider {
	return &Provider{name: name, results: map[string]*tracking.Result{}, errs: map[string]error{}, calls: map[string]int{}}
}

// Name returns the provider's name.
func (p *Provider) Name() string { return p.name }

// Set makes number answer with a copy of r from now on.
func (p *Provider) Set(number string, r tracking.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r.Events = append([]tracking.Event(nil), r.Events...)
	r.NextLegs = append([]tracking.Leg(nil), r.NextLegs...)
	p.results[number] = &r
	delete(p.errs, number)
}

// Fail makes number answer with err from now on.
func (p *Provider) Fail(number string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errs[number] = err
}

// Slow makes every lookup from now on take d of real time (less when its
// context ends first), like a carrier that answers slowly.
func (p *Provider) Slow(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

// Calls reports how often number was looked up.
func (p *Provider) Calls(number string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[number]
}

// AllCalls returns the lookups per number.
func (p *Provider) AllCalls() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.calls))
	for k, v := range p.calls {
		out[k] = v
	}
	return out
}

// Lookup returns what was set for the number.
func (p *Provider) Lookup(ctx context.Context, q tracking.Query) (*tracking.Result, error) {
	p.mu.Lock()
	delay := p.delay
	p.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[q.Number]++
	if err := p.errs[q.Number]; err != nil {
		return nil, err
	}
	r, ok := p.results[q.Number]
	if !ok {
		return nil, fmt.Errorf("fake: %s: %w", q.Number, tracking.ErrNumberUnknown)
	}
	c := *r
	c.Events = append([]tracking.Event(nil), r.Events...)
	c.NextLegs = append([]tracking.Leg(nil), r.NextLegs...)
	if c.Provider == "" {
		c.Provider = p.name
	}
	return &c, nil
}

// BatchProvider is a Provider that also answers many numbers in one call,
// counting the calls.
type BatchProvider struct {
	*Provider
	mu      sync.Mutex
	batches []int
}

var _ tracking.BatchProvider = (*BatchProvider)(nil)

// NewBatchProvider returns a fake batch provider called name.
func NewBatchProvider(name string) *BatchProvider {
	return &BatchProvider{Provider: NewProvider(name)}
}

// LookupBatch answers each query as Lookup would; unknown numbers get nil.
func (p *BatchProvider) LookupBatch(ctx context.Context, qs []tracking.Query) ([]*tracking.Result, error) {
	p.mu.Lock()
	p.batches = append(p.batches, len(qs))
	p.mu.Unlock()
	out := make([]*tracking.Result, len(qs))
	for i, q := range qs {
		r, err := p.Provider.Lookup(ctx, q)
		if err == nil {
			out[i] = r
		}
	}
	return out, nil
}

// Batches returns the size of every batch call made.
func (p *BatchProvider) Batches() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int(nil), p.batches...)
}
