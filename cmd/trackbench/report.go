package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/trackbot/trackbot/store"
)

// report prints figures as they are measured and keeps them for the
// verdicts.
type report struct {
	mu      sync.Mutex
	out     io.Writer
	figures map[string]float64
}

func newReport(out io.Writer) *report {
	return &report{out: out, figures: map[string]float64{}}
}

// line prints a "name: value" line that is not a figure.
func (r *report) line(name, value string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.out, "%s: %s\n", name, value)
}

// figure records and prints a figure.
func (r *report) figure(name string, v float64, unit string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.figures[name] = v
	fmt.Fprintf(r.out, "%s: %s %s\n", name, num(v), unit)
}

// pair records and prints a figure beside its floor, with their ratio.
func (r *report) pair(name string, v float64, floorName string, floor float64, unit string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.figures[name] = v
	r.figures[floorName] = floor
	ratio := math.NaN()
	if floor > 0 {
		ratio = v / floor
	}
	fmt.Fprintf(r.out, "%s: %s %s (floor %s: %s %s; ratio %.2f)\n", name, num(v), unit, floorName, num(floor), unit, ratio)
}

func (r *report) get(name string) (float64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.figures[name]
	return v, ok
}

func num(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// percentile of sorted durations, nearest rank.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	k := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(k, len(s)-1))]
}

// verdicts prints one line per target and reports whether all passed.
func (r *report) verdicts(cfg config) bool {
	ok := true
	verdict := func(what string, ratio float64, pass bool) {
		word := "PASS"
		if !pass {
			word, ok = "FAIL", false
		}
		r.line("verdict "+what, fmt.Sprintf("%.2f %s", ratio, word))
	}
	small, large := sizeName(cfg.sizes[0]), sizeName(cfg.sizes[len(cfg.sizes)-1])
	for _, d := range []store.Dialect{store.Postgres, store.SQLite} {
		db := string(d)
		// Pushes: at the largest size at least half the bare handler,
		// and within 20% of the smallest size.
		if v, ok1 := r.get(db + " " + large + " pushes"); ok1 {
			if bare, ok2 := r.get(db + " " + large + " pushes floor"); ok2 && d == store.Postgres {
				verdict(fmt.Sprintf("%s pushes at %s >= 0.5 x bare handler", db, large), v/bare, v >= 0.5*bare)
			}
			// Each size's figure is taken against its own floor, measured
			// beside it: the machine's speed drifts between the sizes'
			// runs, minutes apart, and the raw rates with it.
			base, ok2 := r.get(db + " " + small + " pushes")
			bare, ok3 := r.get(db + " " + large + " pushes floor")
			baseBare, ok4 := r.get(db + " " + small + " pushes floor")
			if ok2 && ok3 && ok4 && small != large && d == store.Postgres {
				x := (v / bare) / (base / baseBare)
				verdict(fmt.Sprintf("%s pushes at %s within 20%% of %s, each against its floor (0.8 to 1.2 x)", db, large, small), x, x >= 0.8 && x <= 1.2)
			}
		}
		// Unchanged refreshes: against the one-row UPDATE floor.
		want := 1.0
		if d == store.SQLite {
			want = 0.7
		}
		for _, n := range cfg.sizes {
			name := fmt.Sprintf("%s %s refresh unchanged", db, sizeName(n))
			if v, ok1 := r.get(name); ok1 {
				floor, _ := r.get(fmt.Sprintf("%s %s refresh floor", db, sizeName(n)))
				verdict(fmt.Sprintf("%s unchanged refreshes at %s >= %.1f x floor", db, sizeName(n), want), v/floor, v >= want*floor)
			}
		}
		for _, n := range cfg.sizes {
			if v, ok1 := r.get(fmt.Sprintf("%s %s /role statements", db, sizeName(n))); ok1 {
				verdict(fmt.Sprintf("%s /role in a 500-parcel chat at %s <= 50 statements", db, sizeName(n)), v/50, v <= 50)
			}
		}
		if v, ok1 := r.get(fmt.Sprintf("%s %s /remove p50 ms", db, large)); ok1 && d == store.Postgres {
			verdict(fmt.Sprintf("%s /remove (median) at %s outbox rows <= 5 ms", db, large), v/5, v <= 5)
		}
		if v, ok1 := r.get(fmt.Sprintf("%s %s claim p99 ms", db, large)); ok1 && small != large && d == store.Postgres {
			base, _ := r.get(fmt.Sprintf("%s %s claim p99 ms", db, small))
			verdict(fmt.Sprintf("%s claim p99 at %s <= 2 x at %s", db, large, small), v/base, v <= 2*base)
		}
	}
	if v, ok1 := r.get("serve rss mb"); ok1 {
		verdict("serve RSS at "+large+" <= 150 MB", v/150, v <= 150)
	}
	if v, ok1 := r.get("fanout msgs/s"); ok1 {
		n429, _ := r.get("fanout 429s")
		verdict("fan-out >= 0.93 x 30/s with no 429", v/30, v >= 0.93*30 && n429 == 0)
	}
	return ok
}

// label joins the parts of a figure's name.
func label(parts ...string) string { return strings.Join(parts, " ") }
