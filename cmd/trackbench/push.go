package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/aftership"
	"github.com/trackbot/trackbot/web"
)

const webhookSecret = "trackbench-secret"

// pushBody is an AfterShip tracking_update push for number with one new
// checkpoint at at.
func pushBody(number string, at time.Time) []byte {
	body, _ := json.Marshal(map[string]any{
		"event": "tracking_update",
		"msg": map[string]any{
			"id": "bench", "tracking_number": number, "slug": "ups", "tag": "InTransit", "subtag": "InTransit_001",
			"origin_country_region": "USA", "destination_country_region": "USA",
			"checkpoints": []map[string]any{{
				"checkpoint_time": at.UTC().Format("2006-01-02T15:04:05Z"), "message": "Arrived at facility",
				"slug": "ups", "city": "Chicago", "state": "IL", "country_region": "USA", "tag": "InTransit", "subtag": "InTransit_001",
			}},
		},
	})
	return body
}

// sign is AfterShip's signature of a body.
func sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(webhookSecret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// pushEngine is an engine that takes AfterShip's pushes for UPS parcels.
func pushEngine(b *benchDB, clock tracking.Clock, owner string) *tracking.Engine {
	reg := tracking.NewRegistry(clock)
	reg.AddCarrier(aftership.New(aftership.Config{APIKey: "bench", BaseURL: "http://127.0.0.1:1/tracking/2026-07", WebhookSecret: webhookSecret}), "ups")
	return tracking.NewEngine(b.store, reg, tracking.Options{Clock: clock, MinInterval: time.Minute, Owner: owner})
}

// measurePushes sends n signed AfterShip pushes, each with news for
// another seeded shipment, from workers clients at once, to trackbot's
// webhook route (web.Server, Engine.Push: verified, parsed, kept), while
// the engine's merge (Engine.RunPushes) runs beside it as it does in
// trackbot serve. pushes is the rate of answered pushes; pushes merged is
// the end-to-end rate, from the first push sent to the last one merged
// into its shipment with the chat's alert written; the statements and
// WAL per push count both. The floor is a bare Go handler on the same
// kind of pool: it verifies the signature, parses the JSON and does one
// INSERT.
func measurePushes(ctx context.Context, b *benchDB, n int, r *report) error {
	clock := tracking.NewFakeClock(b.seeded.Add(time.Hour))
	e := pushEngine(b, clock, "bench-push")
	srv := web.New("", nil, prometheus.NewRegistry())
	srv.HandleCarrierPushes(e)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	mctx, stop := context.WithCancel(ctx)
	merging := make(chan error, 1)
	go func() { merging <- e.RunPushes(mctx, 200*time.Millisecond) }()
	defer func() {
		stop()
		<-merging
	}()

	// A tenth more, sent first and not timed, warms the pools, the
	// prepared statements and the caches up, as a serving process has
	// them.
	warm := max(1, n/10)
	bodies := make([][]byte, warm+n)
	for i := range bodies {
		bodies[i] = pushBody(shipmentNumber(pushFrom+i%max(1, b.size-pushFrom)), b.seeded.Add(-time.Hour+time.Duration(i)*time.Second))
	}
	drained := func(start time.Time) error {
		for {
			kept, err := b.store.QueuedCarrierPushes(ctx)
			if err != nil {
				return err
			}
			if kept == 0 {
				return nil
			}
			if time.Since(start) > 5*time.Minute {
				return fmt.Errorf("%d of %d pushes still not merged after %v", kept, n, time.Since(start).Round(time.Second))
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	if _, err := send(ctx, ts.URL+"/webhooks/aftership", bodies[:warm]); err != nil {
		return fmt.Errorf("trackbot: %w", err)
	}
	if err := drained(time.Now()); err != nil {
		return err
	}
	warmBodies, bodies := bodies[:warm], bodies[warm:]
	before, err := b.pushedEvents(ctx)
	if err != nil {
		return err
	}
	b.statements.Store(0)
	wal := b.walMeter(ctx)
	start := time.Now()
	rate, err := send(ctx, ts.URL+"/webhooks/aftership", bodies)
	if err != nil {
		return fmt.Errorf("trackbot: %w", err)
	}
	if err := drained(start); err != nil {
		return err
	}
	merged := float64(n) / time.Since(start).Seconds()
	r.figure(label(b.name, "push statements/push"), float64(b.statements.Load())/float64(n), "")
	pushWAL := wal()
	after, err := b.pushedEvents(ctx)
	if err != nil {
		return err
	}
	// A reused database may hold the same news from an earlier run.
	if after-before != n && !b.reused {
		return fmt.Errorf("%d pushes merged %d new events, want %d", n, after-before, n)
	}

	bare, err := bareHandler(ctx, b)
	if err != nil {
		return err
	}
	defer bare.Close()
	if _, err := send(ctx, bare.URL, warmBodies); err != nil {
		return fmt.Errorf("bare handler: %w", err)
	}
	wal = b.walMeter(ctx)
	floor, err := send(ctx, bare.URL, bodies)
	if err != nil {
		return fmt.Errorf("bare handler: %w", err)
	}
	if bareWAL := wal(); pushWAL > 0 && bareWAL > 0 {
		r.pair(label(b.name, "push WAL kB/push"), pushWAL/float64(n)/1024, label(b.name, "push WAL kB/push floor"), bareWAL/float64(n)/1024, "kB")
	}
	r.pair(label(b.name, "pushes"), rate, label(b.name, "pushes floor"), floor, "/s")
	r.pair(label(b.name, "pushes merged"), merged, label(b.name, "pushes floor"), floor, "/s")
	return nil
}

// pushedEvents counts the events the harness's pushes write (their
// description is the push body's), so that a run can tell that every
// push was merged, not only answered.
func (b *benchDB) pushedEvents(ctx context.Context) (int, error) {
	var n int
	if err := b.store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE description = 'Arrived at facility'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pushed events: %w", err)
	}
	return n, nil
}

// walMeter starts counting the WAL PostgreSQL writes (everyone's on the
// server); the func it returns reports the bytes since, or 0 on SQLite.
func (b *benchDB) walMeter(ctx context.Context) func() float64 {
	if b.dialect != store.Postgres {
		return func() float64 { return 0 }
	}
	var start string
	if err := b.store.DB().QueryRowContext(ctx, `SELECT CAST(pg_current_wal_lsn() AS TEXT)`).Scan(&start); err != nil {
		return func() float64 { return 0 }
	}
	return func() float64 {
		var d float64
		if err := b.store.DB().QueryRowContext(ctx, `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), CAST($1 AS pg_lsn))`, start).Scan(&d); err != nil {
			return 0
		}
		return d
	}
}

// send posts the signed bodies from workers clients and returns the
// pushes answered 200 a second; any other answer is an error.
func send(ctx context.Context, url string, bodies [][]byte) (float64, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: time.Minute}
	defer client.CloseIdleConnections()
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(bodies[i]))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("aftership-hmac-sha256", sign(bodies[i]))
				resp, err := client.Do(req)
				if err == nil {
					msg, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("HTTP %d: %s", resp.StatusCode, msg)
					}
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(len(bodies)) / time.Since(start).Seconds(), firstErr
}

// bareHandler serves the floor of a push: verify, parse, one INSERT, on
// a pool of the store's kind (driver, connection count, SQLite pragmas).
func bareHandler(ctx context.Context, b *benchDB) (*bareServer, error) {
	dialect, dsn, err := store.ParseURL(b.url)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(string(dialect), dsn)
	if err != nil {
		return nil, err
	}
	id := "BIGSERIAL PRIMARY KEY"
	if dialect == store.SQLite {
		db.SetMaxOpenConns(4)
		id = "INTEGER PRIMARY KEY"
	} else {
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(10)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_pushes (id `+id+`, number TEXT NOT NULL,
		tag TEXT NOT NULL, occurred_at TEXT NOT NULL, body TEXT NOT NULL, received_at TIMESTAMP NOT NULL)`); err != nil {
		db.Close()
		return nil, err
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got, err := base64.StdEncoding.DecodeString(req.Header.Get("aftership-hmac-sha256"))
		mac := hmac.New(sha256.New, []byte(webhookSecret))
		mac.Write(body)
		if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var push struct {
			Msg struct {
				TrackingNumber string `json:"tracking_number"`
				Tag            string `json:"tag"`
				Checkpoints    []struct {
					Time string `json:"checkpoint_time"`
				} `json:"checkpoints"`
			} `json:"msg"`
		}
		if err := json.Unmarshal(body, &push); err != nil || len(push.Msg.Checkpoints) == 0 {
			http.Error(w, "unreadable push", http.StatusBadRequest)
			return
		}
		if _, err := db.ExecContext(req.Context(), `INSERT INTO bench_pushes (number, tag, occurred_at, body, received_at)
			VALUES ($1, $2, $3, $4, $5)`, push.Msg.TrackingNumber, push.Msg.Tag, push.Msg.Checkpoints[0].Time, string(body), time.Now().UTC()); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	return &bareServer{Server: ts, db: db}, nil
}

// bareServer is the bare handler's server and its pool.
type bareServer struct {
	*httptest.Server
	db *sql.DB
}

func (s *bareServer) Close() {
	s.Server.Close()
	s.db.Close()
}
