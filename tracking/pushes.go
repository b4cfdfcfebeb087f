package tracking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// KeptPush is a verified carrier push kept until it is merged: the
// provider it came from, the results it carried, and how many times a
// worker has taken it (this time included).
type KeptPush struct {
	ID         int64
	Provider   string
	Results    []*Result
	ReceivedAt time.Time
	Taken      int
	// Unreadable is why the push could not be read back, if it could not
	// (written by a version that kept it otherwise); it is given up.
	Unreadable error
}

// maxPushTakes is how many times a kept push is taken before it is given
// up: a push whose merge fails that often (a lease running out each time)
// fails for what it holds, not for a passing outage.
const maxPushTakes = 10

// While a push was kept within busyIntake, the merge runs on
// busyMergeWorkers workers only (see mergeBatch).
const (
	busyIntake       = 100 * time.Millisecond
	busyMergeWorkers = 2
)

// lastKept is when this engine last kept a push, by the machine's clock.
func (e *Engine) lastKept() time.Time { return time.Unix(0, e.keptAt.Load()) }

// keptInMemory is how many kept pushes an engine holds in memory for its
// merge; a push kept while they are all waiting is left to the merge's
// next look at the store.
const keptInMemory = 4096

// Push takes a carrier's webhook call: the named provider verifies and
// reads it, and its results are kept in one write, to be merged by
// RunPushes (at once, in this process) into every shipment they name
// through the same merge as a poll. Answering as soon as the push is kept
// is what carriers ask of a webhook, and keeps a burst of pushes from
// timing out while the merges catch up; a kept push is as safe as a
// merged one.
//
// It returns an error wrapping ErrBadSignature for a push that fails
// verification, ErrBadPayload for a verified push that cannot be read, and
// ErrNoProvider for a provider that takes no pushes; any other error is the
// store's, and the same push may succeed later.
func (e *Engine) Push(ctx context.Context, provider string, header http.Header, body []byte) error {
	p, ok := e.providers.Provider(provider)
	if !ok {
		return fmt.Errorf("tracking: push from %q: %w", provider, ErrNoProvider)
	}
	wp, ok := p.(WebhookParser)
	if !ok {
		return fmt.Errorf("tracking: push from %q: %w", provider, ErrNoProvider)
	}
	results, err := wp.ParseWebhook(header, body)
	if err != nil {
		return fmt.Errorf("tracking: push from %s: %w", provider, err)
	}
	kept := make([]*Result, 0, len(results))
	for _, r := range results {
		if r == nil {
			continue
		}
		if r.Provider == "" {
			r.Provider = provider
		}
		kept = append(kept, r)
	}
	if len(kept) == 0 {
		return nil
	}
	// The push is leased to this engine as it is written, and handed to
	// its merge in memory: no second write to take it, nor a read to get
	// it back. When the merge has more waiting than it holds, the push is
	// written without a lease, for the merge's next look at the store.
	now := e.clock.Now()
	owner, until := "", (*time.Time)(nil)
	if len(e.kept) < cap(e.kept) {
		u := now.Add(e.lease)
		owner, until = e.owner, &u
	}
	id, err := e.store.QueueCarrierPush(ctx, provider, kept, now, owner, until)
	if err != nil {
		return err
	}
	// The machine's time, not the engine's clock: this is about load.
	e.keptAt.Store(time.Now().UnixNano())
	if owner != "" {
		// Room was checked before the write; should the merge's memory
		// have filled up meanwhile, this waits for it to take one.
		select {
		case e.kept <- KeptPush{ID: id, Provider: provider, Results: kept, ReceivedAt: now, Taken: 1}:
		case <-ctx.Done():
			// The caller gave up (the push is answered 503 and sent
			// again): the lease runs out, and the push is taken from
			// the store then, if it was not merged from the new one.
			return ctx.Err()
		}
	}
	select {
	case e.pushKept <- struct{}{}:
	default:
	}
	return nil
}

// MergePushes merges the kept carrier pushes this engine holds in memory,
// then those in the store nobody holds, a batch at a time, until none is
// left; it returns how many it dealt with. The results of one number are
// merged in the order they came, in one worker; other numbers side by
// side. A push is deleted once all its results are merged. One that fails,
// or names a shipment another worker is refreshing (ErrShipmentBusy),
// stays leased, and is taken again (by any process) when its lease runs
// out: merging what was merged already writes nothing, so a crash between
// a merge and the delete costs nothing but a read. It is not safe to run
// twice at once on one engine: RunPushes runs it.
func (e *Engine) MergePushes(ctx context.Context) (int, error) {
	total := 0
	for {
		var batch []KeptPush
	fill:
		for len(batch) < e.batch {
			select {
			case p := <-e.kept:
				batch = append(batch, p)
			default:
				break fill
			}
		}
		if len(batch) == 0 {
			break
		}
		n, err := e.mergeKept(ctx, batch)
		total += n
		if err != nil {
			return total, err
		}
	}
	for {
		now := e.clock.Now()
		batch, err := e.store.TakeCarrierPushes(ctx, e.owner, now, now.Add(e.lease), e.batch)
		if err != nil || len(batch) == 0 {
			return total, err
		}
		n, err := e.mergeKept(ctx, batch)
		total += n
		if err != nil || len(batch) < e.batch {
			return total, err
		}
	}
}

// mergeKept merges a batch of kept pushes and deletes those it dealt with.
func (e *Engine) mergeKept(ctx context.Context, batch []KeptPush) (int, error) {
	done, err := e.mergeBatch(ctx, batch)
	if derr := e.store.DoneCarrierPushes(ctx, done); derr != nil && err == nil {
		err = derr
	}
	return len(done), err
}

// mergeBatch merges a batch of kept pushes and returns the IDs of those
// whose results were all merged, or that were given up.
func (e *Engine) mergeBatch(ctx context.Context, batch []KeptPush) (done []int64, err error) {
	type item struct {
		push int
		r    *Result
	}
	var order []string
	byNumber := map[string][]item{}
	for i, p := range batch {
		if p.Unreadable != nil {
			slog.ErrorContext(ctx, "carrier push given up: it cannot be read back", "provider", p.Provider,
				"received_at", p.ReceivedAt, "err", p.Unreadable)
			continue
		}
		if p.Taken > maxPushTakes {
			numbers := make([]string, len(p.Results))
			for j, r := range p.Results {
				numbers[j] = r.Number
			}
			slog.ErrorContext(ctx, "carrier push given up: its merge failed every time", "provider", p.Provider,
				"numbers", numbers, "received_at", p.ReceivedAt, "taken", p.Taken)
			continue
		}
		for _, r := range p.Results {
			if _, ok := byNumber[r.Number]; !ok {
				order = append(order, r.Number)
			}
			byNumber[r.Number] = append(byNumber[r.Number], item{i, r})
		}
	}
	failed := make([]bool, len(batch))
	var mu sync.Mutex
	var firstErr error
	// While pushes are coming in, answering them comes first: the merge
	// takes two workers, and the rest of the machine answers; once the
	// burst is over, it takes all of the engine's workers to catch up.
	workers := e.workers
	if time.Since(e.lastKept()) < busyIntake {
		workers = min(workers, busyMergeWorkers)
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for _, number := range order {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			items := byNumber[number]
			for k, it := range items {
				if err := e.Ingest(ctx, it.r); err != nil {
					mu.Lock()
					busy := errors.Is(err, ErrShipmentBusy)
					// The number's later results wait for this one: their
					// pushes stay too.
					for _, later := range items[k:] {
						failed[later.push] = true
					}
					// A shipment under refresh is no failure: the push
					// waits for its lease to run out, then merges.
					if firstErr == nil && !busy {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	for i, p := range batch {
		if !failed[i] {
			done = append(done, p.ID)
		}
	}
	if firstErr != nil {
		firstErr = fmt.Errorf("tracking: merge carrier pushes: %w", firstErr)
	}
	return done, firstErr
}

// RunPushes merges kept carrier pushes until ctx ends: as soon as this
// process keeps one, and every tick for those other processes kept or
// left behind. A failing round backs off as Every does, and a push kept
// meanwhile does not cut the wait short.
func (e *Engine) RunPushes(ctx context.Context, tick time.Duration) error {
	wait := func(ctx context.Context, d time.Duration) error {
		if d > tick {
			return Sleep(ctx, d)
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-e.pushKept:
			return nil
		case <-t.C:
			return nil
		}
	}
	return every(ctx, "carrier push merge", tick, func(ctx context.Context) error {
		_, err := e.MergePushes(ctx)
		return err
	}, wait, slog.Default())
}
