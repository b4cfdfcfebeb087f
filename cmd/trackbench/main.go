// Command trackbench measures how trackbot holds up with many parcels on
// one machine, and compares every figure with a floor it measures in the
// same run on the same database: what the database gives the simplest
// code doing the same amount of work. It prints "name: value" lines, then
// one verdict line per target (ratio and PASS or FAIL), and exits 1 when
// a target is missed.
//
//	go run ./cmd/trackbench -db 'postgres://postgres@127.0.0.1:5432/trackbench?sslmode=disable'
//
// The sizes (-sizes, 10k,100k,1m by default) are shipment counts; each
// gets its own PostgreSQL schema (trackbench_<size>, dropped and seeded
// afresh with generate_series) and, with -sqlite, its own SQLite file
// (seeded with a recursive CTE). BENCHMARKS.md explains every figure.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trackbot/trackbot/store"
)

type config struct {
	db        string
	sizes     []int
	sqlite    bool
	sqliteDir string
	fanout    int
	rss       bool
	seconds   float64
	pushes    int
	only      map[string]bool
	sqliteMax int
	reuse     bool
}

// runs reports whether the measurement part is to run (-only).
func (c config) runs(part string) bool { return len(c.only) == 0 || c.only[part] }

func main() {
	var cfg config
	var sizes string
	flag.StringVar(&cfg.db, "db", os.Getenv("TEST_DATABASE_URL"), "PostgreSQL URL (postgres://…); its database gets one schema per size")
	flag.StringVar(&sizes, "sizes", "10k,100k,1m", "shipment counts, comma separated (k = thousand, m = million)")
	flag.BoolVar(&cfg.sqlite, "sqlite", true, "also measure SQLite where it applies (refreshes, pushes, claims, chat commands)")
	flag.StringVar(&cfg.sqliteDir, "sqlite-dir", "", "directory for the SQLite files (default: a temporary one)")
	flag.IntVar(&cfg.fanout, "fanout", 600, "chats the Telegram fan-out pushes to (0: skip)")
	flag.BoolVar(&cfg.rss, "rss", true, "measure the memory of a trackbot serve process on the largest size")
	flag.Float64Var(&cfg.seconds, "seconds", 3, "how long each floor loop runs")
	flag.IntVar(&cfg.pushes, "pushes", 4000, "signed carrier pushes sent per size")
	var sqliteMax string
	flag.StringVar(&sqliteMax, "sqlite-max", "100k", "the largest size measured on SQLite (a household's or a small team's database)")
	flag.BoolVar(&cfg.reuse, "reuse", false, "keep a database seeded by an earlier run when its size matches (faster; figures after the first run see its leftovers)")
	only := flag.String("only", "", "measure only these parts, comma separated: refresh, pushes, claims, commands, fanout, serve (default: all)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the harness and trackbot's code it runs to this file")
	flag.IntVar(&workers, "workers", workers, "connections of every concurrent loop (the engine's workers, the push senders, the floors)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "trackbench:", err)
			os.Exit(2)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *only != "" {
		cfg.only = map[string]bool{}
		for _, p := range strings.Split(*only, ",") {
			cfg.only[strings.TrimSpace(p)] = true
		}
	}
	var err error
	if cfg.sizes, err = parseSizes(sizes); err != nil {
		fmt.Fprintln(os.Stderr, "trackbench:", err)
		os.Exit(2)
	}
	if m, err := parseSizes(sqliteMax); err != nil || len(m) != 1 {
		fmt.Fprintln(os.Stderr, "trackbench: -sqlite-max: want one size, like 100k")
		os.Exit(2)
	} else {
		cfg.sqliteMax = m[0]
	}
	if cfg.db == "" && !cfg.sqlite {
		fmt.Fprintln(os.Stderr, "trackbench: give -db postgres://… (or TEST_DATABASE_URL), or -sqlite")
		os.Exit(2)
	}
	ok, err := run(context.Background(), cfg, os.Stdout)
	pprof.StopCPUProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "trackbench:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// parseSizes reads "10k,1m" as shipment counts.
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		mul := 1
		switch {
		case strings.HasSuffix(f, "k"):
			mul, f = 1000, strings.TrimSuffix(f, "k")
		case strings.HasSuffix(f, "m"):
			mul, f = 1000000, strings.TrimSuffix(f, "m")
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-sizes: %q is not a count like 10k or 1m", f)
		}
		out = append(out, n*mul)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// sizeName writes a count as -sizes reads it.
func sizeName(n int) string {
	switch {
	case n%1000000 == 0:
		return fmt.Sprintf("%dm", n/1000000)
	case n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return strconv.Itoa(n)
}

// run measures everything and prints it; ok is false when a target is
// missed.
func run(ctx context.Context, cfg config, out io.Writer) (ok bool, err error) {
	r := newReport(out)
	start := time.Now()
	r.line("started", time.Now().UTC().Format(time.RFC3339))
	machine(ctx, cfg, r)
	dir := cfg.sqliteDir
	if cfg.sqlite && dir == "" {
		if dir, err = os.MkdirTemp("", "trackbench"); err != nil {
			return false, err
		}
		defer os.RemoveAll(dir)
	}
	var dbs []*benchDB
	defer func() {
		for _, b := range dbs {
			b.Close()
		}
	}()
	for _, n := range cfg.sizes {
		var targets []target
		if cfg.db != "" {
			targets = append(targets, target{dialect: store.Postgres, url: cfg.db})
		}
		if cfg.sqlite && n <= cfg.sqliteMax {
			targets = append(targets, target{dialect: store.SQLite, url: "sqlite:" + filepath.Join(dir, "trackbench_"+sizeName(n)+".db")})
		}
		for _, t := range targets {
			b, err := openSeeded(ctx, t, n, cfg.reuse, r)
			if err != nil {
				return false, err
			}
			dbs = append(dbs, b)
			if err := measureSize(ctx, cfg, b, r); err != nil {
				return false, fmt.Errorf("%s: %w", b.name, err)
			}
		}
	}
	// The fan-out and the serve process run on the largest size, on
	// PostgreSQL when given.
	var big *benchDB
	for _, b := range dbs {
		if big == nil || b.size > big.size || b.size == big.size && b.dialect == store.Postgres {
			big = b
		}
	}
	if cfg.fanout > 0 && big != nil && cfg.runs("fanout") {
		if err := measureFanout(ctx, big, cfg.fanout, cfg.pushes, r); err != nil {
			return false, fmt.Errorf("fan-out: %w", err)
		}
	}
	if cfg.rss && big != nil && cfg.runs("serve") {
		if err := measureServe(ctx, big, r); err != nil {
			return false, fmt.Errorf("serve: %w", err)
		}
	}
	r.line("took", time.Since(start).Round(time.Second).String())
	r.line("load average at the end", loadAverage())
	return r.verdicts(cfg), nil
}

// measureSize runs the measurements of one seeded database.
func measureSize(ctx context.Context, cfg config, b *benchDB, r *report) error {
	parts := []struct {
		name string
		fn   func() error
	}{
		{"refresh", func() error { return measureRefresh(ctx, b, cfg.seconds, r) }},
		{"pushes", func() error { return measurePushes(ctx, b, cfg.pushes, r) }},
		{"claims", func() error { return measureClaims(ctx, b, r) }},
		{"commands", func() error { return measureCommands(ctx, b, r) }},
	}
	for _, p := range parts {
		if !cfg.runs(p.name) {
			continue
		}
		if err := p.fn(); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	return nil
}

// machine prints what the figures were measured on.
func machine(ctx context.Context, cfg config, r *report) {
	r.line("machine", fmt.Sprintf("%d CPUs (%s), %s/%s, %s", runtime.NumCPU(), cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.Version()))
	if cfg.db != "" {
		if db, err := sql.Open("postgres", cfg.db); err == nil {
			var v string
			if db.QueryRowContext(ctx, `SHOW server_version`).Scan(&v) == nil {
				r.line("postgresql", v)
			}
			db.Close()
		}
	}
	r.line("load average at the start", loadAverage())
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// loadAverage is /proc/loadavg's 1, 5 and 15-minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
