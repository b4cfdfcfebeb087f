package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// workers is how many refreshes the engine runs at once (its default),
// and how many connections every floor loop uses.
var workers = 8

// measureRefresh refreshes refreshCount of the seeded shipments through
// the engine's scheduler: once with news (two new events each, every
// change written with its pushes), then in rounds that bring nothing new,
// for at least seconds. The floor is a one-row UPDATE per transaction on
// the same shipments table, from as many connections as the engine's
// workers, through the same pool.
func measureRefresh(ctx context.Context, b *benchDB, seconds float64, r *report) error {
	k := min(refreshCount, b.size)
	clock := tracking.NewFakeClock(b.seeded.Add(time.Hour))
	fake := trackingtest.NewProvider("bench")
	for i := range k {
		n := shipmentNumber(refreshFrom + i)
		fake.Set(n, tracking.Result{Number: n, Carrier: "ups", Events: []tracking.Event{
			{Time: b.seeded.Add(-72 * time.Hour), Substatus: tracking.SubPackageAccepted, Description: "Picked up", Location: tracking.Location{City: "Louisville", Country: "US"}},
			{Time: b.seeded.Add(-2 * time.Hour), Substatus: tracking.SubPackageDeparted, Description: "Departed facility", Location: tracking.Location{City: "Louisville", Country: "US"}},
		}})
	}
	reg := tracking.NewRegistry(clock)
	reg.AddCarrier(fake, "ups")
	e := tracking.NewEngine(b.store, reg, tracking.Options{Clock: clock, MinInterval: time.Minute, Owner: "bench-refresh", BatchSize: 200, Workers: workers})
	due := func() error {
		_, err := b.store.DB().ExecContext(ctx, `UPDATE shipments SET next_check_at = $1 WHERE id >= $2 AND id < $3`,
			clock.Now().UTC(), b.shipmentID(refreshFrom), b.shipmentID(refreshFrom)+int64(k))
		return err
	}
	round := func() (time.Duration, int64, error) {
		if err := due(); err != nil {
			return 0, 0, err
		}
		b.statements.Store(0)
		start := time.Now()
		n, err := e.RunOnce(ctx)
		if err == nil && n != k {
			err = fmt.Errorf("refreshed %d shipments, want %d", n, k)
		}
		return time.Since(start), b.statements.Load(), err
	}

	took, stmts, err := round()
	if err != nil {
		return err
	}
	changed := float64(k) / took.Seconds()
	r.figure(label(b.name, "refresh changed statements/refresh"), float64(stmts)/float64(k), "")

	var unchangedTook time.Duration
	var unchangedStmts int64
	rounds := 0
	for rounds < 3 || unchangedTook.Seconds() < seconds {
		// A minute on: due again (the engine's minimum interval), and no
		// guidance rule's time has come.
		clock.Advance(time.Minute)
		took, stmts, err := round()
		if err != nil {
			return err
		}
		unchangedTook += took
		unchangedStmts += stmts
		rounds++
	}
	unchanged := float64(rounds*k) / unchangedTook.Seconds()
	r.figure(label(b.name, "refresh unchanged statements/refresh"), float64(unchangedStmts)/float64(rounds*k), "")

	floor, err := updateFloor(ctx, b, seconds)
	if err != nil {
		return err
	}
	r.pair(label(b.name, "refresh unchanged"), unchanged, label(b.name, "refresh floor"), floor, "/s")
	r.pair(label(b.name, "refresh changed"), changed, label(b.name, "refresh floor"), floor, "/s")
	return nil
}

// updateFloor runs, from workers connections of the store's own pool, a
// loop of transactions of one UPDATE of one shipment row each, for
// seconds, and returns the transactions a second.
func updateFloor(ctx context.Context, b *benchDB, seconds float64) (float64, error) {
	db := b.store.DB()
	var done atomic.Int64
	var firstErr error
	var once sync.Once
	deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for time.Now().Before(deadline) {
				id := b.shipmentID(rng.IntN(b.size))
				tx, err := db.BeginTx(ctx, nil)
				if err == nil {
					if _, err = tx.ExecContext(ctx, `UPDATE shipments SET updated_at = $1 WHERE id = $2`, time.Now().UTC(), id); err != nil {
						tx.Rollback()
					} else {
						err = tx.Commit()
					}
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(done.Load()) / time.Since(start).Seconds(), firstErr
}
