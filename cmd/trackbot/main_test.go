package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestMain lets the test binary stand in for the trackbot binary: with
// TRACKBOT_TEST_MAIN=1 it runs main, so tests can start real processes.
func TestMain(m *testing.M) {
	if os.Getenv("TRACKBOT_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childEnv is the environment every trackbot process a test starts begins
// with: the switch that makes the test binary run main, and a home in dir.
// Under the race detector a process sleeps a second before it exits, by
// default, so that late reports get out; with dozens of short children
// that second was most of this package's time, and each child's own races
// are reported while it runs, so the children skip it (GORACE is ignored
// by a binary built without -race). When the tests measure coverage, the child writes its counters where go
// test collects the parent's (-test.gocoverdir), so what the child runs
// counts towards the package's coverage; without a GOCOVERDIR a binary
// built with -cover warns on standard error, which the tests read.
func childEnv(t *testing.T, dir string) []string {
	t.Helper()
	env := []string{"TRACKBOT_TEST_MAIN=1", "HOME=" + dir,
		"GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")}
	if testing.CoverMode() == "" {
		return env
	}
	coverDir := t.TempDir()
	if f := flag.Lookup("test.gocoverdir"); f != nil && f.Value.String() != "" {
		coverDir = f.Value.String()
	}
	return append(env, "GOCOVERDIR="+coverDir)
}

type result struct {
	stdout, stderr string
	code           int
}

// trackbot runs the binary with the given environment, standard input and
// arguments, in a fresh working directory.
func trackbot(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(append(childEnv(t, cmd.Dir), "PATH="+os.Getenv("PATH")), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// telegramToken has the shape of a bot token, and "s3cret" in it, which
// must never be printed.
const telegramToken = "123456:s3cret_0123456789abcdefghijklmnopqr"

func TestInvalidSettingsExitNamingTheVariable(t *testing.T) {
	for _, tc := range []struct{ env, variable string }{
		{"DATABASE_URL=mysql://x", "DATABASE_URL"},
		{"HTTP_ADDR=nonsense", "HTTP_ADDR"},
		{"POLL_MIN_INTERVAL=abc", "POLL_MIN_INTERVAL"},
		{"GUIDANCE_NO_PROGRESS=two weeks", "GUIDANCE_NO_PROGRESS"},
		{"SLACK_DIGEST_HOUR=25", "SLACK_DIGEST_HOUR"},
		{"DEMO_STEP=-1s", "DEMO_STEP"},
		{"LOG_LEVEL=loud", "LOG_LEVEL"},
		{"LOG_FORMAT=xml", "LOG_FORMAT"},
		{"DEFAULT_LANGUAGE=tlh", "DEFAULT_LANGUAGE"},
		{"PUBLIC_URL=ftp://x", "PUBLIC_URL"},
		{"TELEGRAM_API_URL=nope", "TELEGRAM_API_URL"},
		{"SLACK_APP_TOKEN=xoxb-not-an-app-token-s3cret", "SLACK_APP_TOKEN"},
	} {
		t.Run(tc.env, func(t *testing.T) {
			for _, args := range [][]string{{}, {"migrate"}, {"chat"}} {
				env := []string{tc.env, "TELEGRAM_TOKEN=" + telegramToken, "SLACK_BOT_TOKEN=xoxb-s3cret", "SLACK_SIGNING_SECRET=s3cret-signing"}
				r := trackbot(t, env, "", args...)
				if r.code == 0 {
					t.Fatalf("%v: exit 0, want non-zero", args)
				}
				lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
				if len(lines) != 1 || !strings.Contains(lines[0], tc.variable) {
					t.Errorf("%v: stderr %q, want one line naming %s", args, r.stderr, tc.variable)
				}
				if strings.Contains(r.stderr+r.stdout, "s3cret") {
					t.Errorf("%v: output leaks a secret: %q", args, r.stderr)
				}
			}
		})
	}
}

func TestChatAnswersHelpOnAFreshDatabase(t *testing.T) {
	dir := t.TempDir()
	r := trackbot(t, []string{"DATABASE_URL=sqlite:" + filepath.Join(dir, "new.db")}, "/help\n", "chat")
	if r.code != 0 || !strings.Contains(r.stdout, "/track") || !strings.Contains(r.stdout, "/forget") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "new.db")); err != nil {
		t.Errorf("database file not created: %v", err)
	}
}

func TestDefaultDatabaseIsTrackbotDBInTheWorkingDirectory(t *testing.T) {
	cmd := exec.Command(os.Args[0], "chat")
	cmd.Dir = t.TempDir()
	cmd.Env = childEnv(t, cmd.Dir)
	cmd.Stdin = strings.NewReader("/start\n")
	out, err := cmd.Output()
	if err != nil || !strings.Contains(string(out), "trackbot") {
		t.Fatalf("chat: %v, %q", err, out)
	}
	if _, err := os.Stat(filepath.Join(cmd.Dir, "trackbot.db")); err != nil {
		t.Errorf("trackbot.db not created: %v", err)
	}
}

func TestHelpEverywhere(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"serve", "--help"}, {"chat", "--help"}, {"migrate", "--help"}, {"version", "--help"}} {
		r := trackbot(t, nil, "", args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage") && !strings.Contains(r.stdout, "trackbot") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := trackbot(t, nil, "", "frobnicate"); r.code == 0 {
		t.Errorf("unknown command exited 0")
	}
	if r := trackbot(t, nil, "", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "trackbot ") {
		t.Errorf("version: %+v", r)
	}
}

func TestMigrateTwiceLeavesTheSchema(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			u := storetest.URL(t, d)
			first := trackbot(t, []string{"DATABASE_URL=" + u}, "", "migrate")
			second := trackbot(t, []string{"DATABASE_URL=" + u}, "", "migrate")
			if first.code != 0 || second.code != 0 {
				t.Fatalf("migrate: %+v / %+v", first, second)
			}
			if !strings.Contains(second.stdout, "migrations applied: 0") {
				t.Errorf("second migrate applied something: %q", second.stdout)
			}
		})
	}
}

func TestConcurrentMigrateOnPostgres(t *testing.T) {
	u := storetest.URL(t, store.Postgres)
	var wg sync.WaitGroup
	results := make([]result, 3)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = trackbot(t, []string{"DATABASE_URL=" + u}, "", "migrate")
		}()
	}
	wg.Wait()
	applied := 0
	for _, r := range results {
		if r.code != 0 {
			t.Fatalf("a concurrent migrate failed: %+v", r)
		}
		if !strings.Contains(r.stdout, "migrations applied: 0") {
			applied++
		}
	}
	if applied != 1 {
		t.Errorf("%d processes applied migrations, want exactly 1", applied)
	}
}

// serveApp sets the app up from env as trackbot serve does, without its
// workers and adapters, and serves its HTTP handler; both end with t.
func serveApp(t *testing.T, env map[string]string) (*app, *httptest.Server) {
	t.Helper()
	vars := map[string]string{"HTTP_ADDR": "127.0.0.1:0"}
	maps.Copy(vars, env)
	ctx := context.Background()
	cfg, err := loadConfig(ctx, envconfig.MapLookuper(vars))
	if err != nil {
		t.Fatal(err)
	}
	a, err := setup(ctx, cfg, stdio{in: strings.NewReader(""), out: io.Discard, err: io.Discard}, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	srv := httptest.NewServer(newHTTPServer(a).Handler())
	t.Cleanup(srv.Close)
	return a, srv
}

// TestReadyz puts a TCP proxy between trackbot and PostgreSQL, so that
// stopping the proxy is the database going away.
func TestReadyz(t *testing.T) {
	if storetest.PostgresURL() == "" {
		t.Skip("PostgreSQL tests SKIPPED: TEST_DATABASE_URL is not set")
	}
	u := storetest.URL(t, store.Postgres)
	proxy := newTCPProxy(t, hostOf(t, u))
	proxied := strings.Replace(u, hostOf(t, u), proxy.addr(), 1)

	_, srv := serveApp(t, map[string]string{"DATABASE_URL": proxied})

	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, _ := get("/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz with the database up: %d", code)
	}
	code, metrics := get("/metrics")
	if code != http.StatusOK || !strings.Contains(metrics, "go_goroutines") || !strings.Contains(metrics, "go_sql_open_connections") ||
		!strings.Contains(metrics, "trackbot_outbox_pending 0") || !strings.Contains(metrics, "trackbot_carrier_pushes_kept 0") {
		t.Errorf("/metrics lacks go_ or database pool series (status %d)", code)
	}
	proxy.stop()
	if code, _ := get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database down: %d, want 503", code)
	}
	// With the database down, the outbox gauge has no sample (never a
	// number like -1 that reads as a count) and the failure is counted.
	code, metrics = get("/metrics")
	if code != http.StatusOK || strings.Contains(metrics, "\ntrackbot_outbox_pending ") || strings.Contains(metrics, "\ntrackbot_carrier_pushes_kept ") ||
		!strings.Contains(metrics, "trackbot_outbox_pending_errors_total 1") {
		t.Errorf("/metrics with the database down (status %d):\n%s", code, metrics)
	}
	for _, want := range []string{
		`trackbot_build_info{goversion="go`,
		`trackbot_http_requests_total{code="503",route="GET /readyz"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
}

func hostOf(t *testing.T, u string) string {
	t.Helper()
	_, rest, _ := strings.Cut(u, "@")
	host, _, _ := strings.Cut(rest, "/")
	return host
}

// tcpProxy forwards connections to a target until stopped; stopping it
// also cuts every open connection.
type tcpProxy struct {
	ln     net.Listener
	mu     sync.Mutex
	conns  []net.Conn
	target string
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target}
	t.Cleanup(p.stop)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) stop() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func TestDetectJSON(t *testing.T) {
	type detection struct {
		Number     string `json:"number"`
		Valid      bool   `json:"valid"`
		Candidates []struct {
			Carrier, Format, Checksum string
			Confidence                float64
		} `json:"candidates"`
		OriginCountry string `json:"origin_country"`
	}
	r := trackbot(t, nil, "", "detect", "RR123456785CN", "RR123456789CN", "--json")
	if r.code != 0 {
		t.Fatalf("detect: %+v", r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one JSON object per number, got %q", r.stdout)
	}
	var good, bad detection
	if err := json.Unmarshal([]byte(lines[0]), &good); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &bad); err != nil {
		t.Fatal(err)
	}
	if !good.Valid || good.OriginCountry != "CN" || len(good.Candidates) == 0 ||
		good.Candidates[0].Format != "s10" || good.Candidates[0].Checksum != "valid" {
		t.Errorf("RR123456785CN: %+v, want a valid S10 from CN", good)
	}
	if bad.Valid || len(bad.Candidates) == 0 || bad.Candidates[0].Format != "s10" || bad.Candidates[0].Checksum != "invalid" {
		t.Errorf("RR123456789CN: %+v, want a failed S10 check digit", bad)
	}
}

func TestTrackStalledDemoJSON(t *testing.T) {
	r := trackbot(t, nil, "", "track", "DEMO-STALLED", "--json")
	if r.code != 0 {
		t.Fatalf("track: %+v", r)
	}
	var sh struct {
		Number, Carrier, Status string
		Events                  []struct {
			Time time.Time `json:"time"`
		} `json:"events"`
		Legs     []any `json:"legs"`
		Guidance []any `json:"guidance"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sh); err != nil {
		t.Fatalf("%v in %q", err, r.stdout)
	}
	if sh.Status != "TRANSIT" || len(sh.Events) == 0 {
		t.Fatalf("status %s with %d events, want TRANSIT", sh.Status, len(sh.Events))
	}
	var newest time.Time
	for _, e := range sh.Events {
		if e.Time.After(newest) {
			newest = e.Time
		}
	}
	if age := time.Since(newest); age < 15*24*time.Hour-time.Hour || age > 15*24*time.Hour+time.Hour {
		t.Errorf("last event is %s old, want 15 days", age)
	}
	if last := sh.Events[len(sh.Events)-1].Time; !last.Equal(newest) {
		t.Errorf("events are not oldest first")
	}
}

func TestTrackJSONListsTheGuidance(t *testing.T) {
	type advice struct{ Rule, Level string }
	guidance := func(number string) []advice {
		r := trackbot(t, nil, "", "track", number, "--json")
		if r.code != 0 {
			t.Fatalf("track %s: %+v", number, r)
		}
		var sh struct {
			Guidance []advice `json:"guidance"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &sh); err != nil {
			t.Fatal(err)
		}
		return sh.Guidance
	}
	has := func(list []advice, rule string) bool {
		for _, a := range list {
			if a.Rule == rule {
				return true
			}
		}
		return false
	}
	if g := guidance("DEMO-STALLED"); !has(g, "no_progress_14d") {
		t.Errorf("DEMO-STALLED guidance %v lacks the two-week rule", g)
	}
	if g := guidance("DEMO-LABEL"); !has(g, "label_only") {
		t.Errorf("DEMO-LABEL guidance %v lacks the label-only rule", g)
	}
	for _, a := range guidance("DEMO-NOTFOUND") {
		if a.Level != "info" {
			t.Errorf("DEMO-NOTFOUND tracked today warns: %+v", a)
		}
	}
}

func TestTrackRejectsBadInput(t *testing.T) {
	for _, args := range [][]string{{"track"}, {"track", "x!"}, {"track", "DEMO-LIVE", "--carrier", "nope"}, {"detect"}} {
		if r := trackbot(t, nil, "", args...); r.code == 0 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want a one-line error", args, r.code, r.stderr)
		}
	}
}

// TestServeShutsDownGracefully starts the server, waits for it to answer,
// then sends SIGTERM: it must stop and exit 0.
func TestServeShutsDownGracefully(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0])
	cmd.Dir = t.TempDir()
	cmd.Env = append(childEnv(t, cmd.Dir), "HTTP_ADDR="+addr, "DEMO_STEP=1s")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	up := false
	answered := expect.Eventually(20*time.Second, func() bool {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		up = resp.StatusCode == http.StatusOK
		return true
	})
	if !answered || !up {
		cmd.Process.Kill()
		t.Fatalf("server never became ready: %s", stderr.String())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("still running 15 s after SIGTERM:\n%s", stderr.String())
	}
}

// TestTrackThroughEachProvider runs trackbot track against a fake of each
// carrier's or aggregator's API, configured only through the environment
// as a user would: the request carries the key where the vendor expects it
// (and the detected carrier, where the vendor takes one), the vendor's
// documented answer comes back normalized, and the key is never printed.
func TestTrackThroughEachProvider(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     func(url string) []string
		args    []string
		secret  string // the key, which no output may show
		path    string // the request path the vendor serves the number at
		auth    func(r *http.Request, body string) bool
		fixture string
		want    string // carrier status substatus, as JSON prints them
		events  int
	}{{
		name:    "Shippo test mode",
		env:     func(u string) []string { return []string{"SHIPPO_API_TOKEN=t", "SHIPPO_API_URL=" + u} },
		args:    []string{"track", "SHIPPO_TRANSIT", "--carrier", "shippo", "--json"},
		path:    "/tracks/shippo/SHIPPO_TRANSIT",
		auth:    func(r *http.Request, _ string) bool { return r.Header.Get("Authorization") == "ShippoToken t" },
		fixture: "../../tracking/providers/shippo/testdata/track_test_transit.json",
		want:    "shippo TRANSIT package_departed", events: 2,
	}, {
		name:   "Shippo, carrier detected",
		env:    func(u string) []string { return []string{"SHIPPO_API_TOKEN=shippo_test_k", "SHIPPO_API_URL=" + u} },
		args:   []string{"track", "shippo_transit", "--json"},
		secret: "shippo_test_k",
		path:   "/tracks/shippo/SHIPPO_TRANSIT",
		auth: func(r *http.Request, _ string) bool {
			return r.Header.Get("Authorization") == "ShippoToken shippo_test_k"
		},
		fixture: "../../tracking/providers/shippo/testdata/track_test_transit.json",
		want:    "shippo TRANSIT package_departed", events: 2,
	}, {
		name:   "DHL",
		env:    func(u string) []string { return []string{"DHL_API_KEY=dhl-k", "DHL_API_URL=" + u + "/track/shipments"} },
		args:   []string{"track", "3344556677", "--carrier", "dhl-express", "--json"},
		secret: "dhl-k",
		path:   "/track/shipments",
		auth: func(r *http.Request, _ string) bool {
			return r.Header.Get("DHL-API-Key") == "dhl-k" && r.URL.Query().Get("trackingNumber") == "3344556677"
		},
		fixture: "../../tracking/providers/dhl/testdata/shipment_express.json",
		want:    "dhl-express TRANSIT outfordelivery", events: 6,
	}, {
		name: "AfterShip",
		env: func(u string) []string {
			return []string{"AFTERSHIP_API_KEY=as-k", "AFTERSHIP_API_URL=" + u + "/tracking/2026-07"}
		},
		args:   []string{"track", "LX123456785CN", "--json"},
		secret: "as-k",
		path:   "/tracking/2026-07/trackings",
		auth: func(r *http.Request, _ string) bool {
			return r.Header.Get("as-api-key") == "as-k" && strings.Contains(r.URL.RawQuery, "LX123456785CN")
		},
		fixture: "../../tracking/providers/aftership/testdata/get_trackings_multileg.json",
		want:    "china-post TRANSIT outfordelivery",
	}, {
		name: "17TRACK, with the detected carrier's key",
		env: func(u string) []string {
			return []string{"SEVENTEENTRACK_API_KEY=k-s3cret", "SEVENTEENTRACK_API_URL=" + u}
		},
		args:   []string{"track", "LX123456785CN", "--json"},
		secret: "k-s3cret",
		path:   "/gettrackinfo",
		auth: func(r *http.Request, body string) bool {
			// China Post, detected from the S10 suffix, is 17TRACK's 3011.
			return r.Header.Get("17token") == "k-s3cret" && strings.Contains(body, `"LX123456785CN"`) &&
				strings.Contains(body, `"carrier":3011`)
		},
		fixture: "../../tracking/providers/seventeentrack/testdata/gettrackinfo_multileg.json",
		want:    "china-post TRANSIT outfordelivery", events: 7,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			body, err := os.ReadFile(tc.fixture)
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var asked []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				request, _ := io.ReadAll(r.Body)
				mu.Lock()
				asked = append(asked, r.Method+" "+r.URL.String()+" "+string(request))
				mu.Unlock()
				if r.URL.Path != tc.path || !tc.auth(r, string(request)) {
					http.Error(w, `{"error":"not here"}`, http.StatusNotFound)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write(body)
			}))
			defer srv.Close()
			r := trackbot(t, tc.env(srv.URL), "", tc.args...)
			mu.Lock()
			defer mu.Unlock()
			if r.code != 0 {
				t.Fatalf("track: %+v\nasked: %v", r, asked)
			}
			if tc.secret != "" && strings.Contains(r.stdout+r.stderr, tc.secret) {
				t.Errorf("the output shows the key %q", tc.secret)
			}
			var sh struct {
				Carrier, Status, Substatus string
				Events                     []struct{ Time time.Time }
			}
			if err := json.Unmarshal([]byte(r.stdout), &sh); err != nil {
				t.Fatalf("%v in %s", err, r.stdout)
			}
			if got := sh.Carrier + " " + sh.Status + " " + sh.Substatus; got != tc.want {
				t.Errorf("shipment is %q, want %q", got, tc.want)
			}
			if tc.events > 0 && len(sh.Events) != tc.events {
				t.Errorf("%d events, want %d", len(sh.Events), tc.events)
			}
			for i, e := range sh.Events {
				if e.Time.Location() != time.UTC || (i > 0 && e.Time.Before(sh.Events[i-1].Time)) {
					t.Errorf("event %d at %v: events must be UTC, oldest first", i, e.Time)
				}
			}
		})
	}
}

// TestServeWiresTelegram runs the binary with TELEGRAM_TOKEN and a fake Bot
// API: the update it serves is answered, in the user's language.
func TestServeWiresTelegram(t *testing.T) {
	var mu sync.Mutex
	var sent []string
	served := false
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseMultipartForm(1 << 20)
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		w.Header().Set("Content-Type", "application/json")
		switch method {
		case "getMe":
			io.WriteString(w, `{"ok":true,"result":{"id":7,"is_bot":true,"first_name":"trackbot","username":"trackbot"}}`)
		case "getUpdates":
			mu.Lock()
			first := !served
			served = true
			mu.Unlock()
			if first {
				io.WriteString(w, `{"ok":true,"result":[{"update_id":1,"message":{"message_id":1,"date":1,
					"chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"A","language_code":"de"},"text":"/start"}}]}`)
				return
			}
			time.Sleep(100 * time.Millisecond)
			io.WriteString(w, `{"ok":true,"result":[]}`)
		case "sendMessage":
			mu.Lock()
			sent = append(sent, r.FormValue("chat_id")+": "+r.FormValue("text"))
			mu.Unlock()
			io.WriteString(w, `{"ok":true,"result":{"message_id":2,"date":1,"chat":{"id":42,"type":"private"}}}`)
		default:
			io.WriteString(w, `{"ok":true,"result":true}`)
		}
	}))
	defer api.Close()

	cmd := exec.Command(os.Args[0])
	cmd.Dir = t.TempDir()
	cmd.Env = append(childEnv(t, cmd.Dir), "HTTP_ADDR=127.0.0.1:0",
		"TELEGRAM_TOKEN="+telegramToken, "TELEGRAM_API_URL="+api.URL)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	expect.Eventually(30*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(sent) > 0
	})
	mu.Lock()
	defer mu.Unlock()
	if len(sent) == 0 || !strings.HasPrefix(sent[0], "42: ") || !strings.Contains(sent[0], "Hallo") {
		t.Fatalf("sent %q; stderr:\n%s", sent, stderr.String())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	if strings.Contains(stderr.String(), "s3cret") {
		t.Errorf("the token leaked into the log")
	}
}

// TestServeWiresSlack runs the binary in Slack's HTTP mode against a fake
// Web API: a signed /track command is acknowledged and answered in the
// channel; an unsigned one is refused.
func TestServeWiresSlack(t *testing.T) {
	var mu sync.Mutex
	var posted []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch strings.TrimPrefix(r.URL.Path, "/") {
		case "auth.test":
			io.WriteString(w, `{"ok":true,"user_id":"UBOT","team_id":"T1","bot_id":"B1"}`)
		case "chat.postMessage":
			mu.Lock()
			posted = append(posted, r.FormValue("channel")+": "+r.FormValue("text"))
			mu.Unlock()
			io.WriteString(w, `{"ok":true,"channel":"C1","ts":"1700000000.000100"}`)
		case "users.info":
			io.WriteString(w, `{"ok":true,"user":{"id":"U1","locale":"en-US"}}`)
		default:
			io.WriteString(w, `{"ok":true}`)
		}
	}))
	defer api.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	const secret = "sl4ck-signing"
	cmd := exec.Command(os.Args[0])
	cmd.Dir = t.TempDir()
	cmd.Env = append(childEnv(t, cmd.Dir), "HTTP_ADDR="+addr,
		"SLACK_BOT_TOKEN=xoxb-1", "SLACK_SIGNING_SECRET="+secret, "SLACK_API_URL="+api.URL+"/")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	body := "command=%2Ftrack&text=DEMO-STALLED&team_id=T1&channel_id=C1&user_id=U1&response_url=" + api.URL + "%2Fresponse"
	post := func(sign bool) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/slack/commands", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		mac := hmac.New(sha256.New, []byte(secret))
		if !sign {
			mac = hmac.New(sha256.New, []byte("forged"))
		}
		mac.Write([]byte("v0:" + ts + ":" + body))
		req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	code := 0
	if !expect.Eventually(30*time.Second, func() bool { code = post(true); return code == http.StatusOK }) {
		t.Fatalf("signed command: %d; stderr:\n%s", code, stderr.String())
	}
	expect.Eventually(30*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(posted) > 0
	})
	mu.Lock()
	got := strings.Join(posted, "\n")
	mu.Unlock()
	if !strings.Contains(got, "C1: ") || !strings.Contains(got, "DEMO-STALLED") {
		t.Errorf("posted %q", got)
	}
	if code := post(false); code != http.StatusUnauthorized {
		t.Errorf("forged command: %d, want 401", code)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
}

// TestShippoOwnLabelCarriersAreNotSentToShippo runs the binary with only a
// Shippo token. Shippo tracks Canada Post only for labels bought through
// Shippo, so a Canada Post number is answered, in the chat and on the
// command line, as one no configured service can track, without asking
// Shippo; a USPS number still goes to Shippo.
func TestShippoOwnLabelCarriersAreNotSentToShippo(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		out   string // in standard output, or standard error when code is not 0
		calls int    // requests the fake Shippo server sees
	}{
		{name: "chat, Canada Post 16 digits", stdin: "/track 7035114477138472\n", args: []string{"chat"},
			out: "none of the tracking services configured on this server can track this carrier"},
		{name: "chat, Canada Post S10", stdin: "/track PG616083375CA\n", args: []string{"chat"},
			out: "(Canada Post): none of the tracking services configured on this server can track this carrier"},
		{name: "track, Canada Post", args: []string{"track", "7035114477138472"}, code: 1,
			out: "no provider is configured for this carrier"},
		{name: "chat, USPS", stdin: "/track 9400111201080805483016\n", args: []string{"chat"},
			out: "9400111201080805483016", calls: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var asked []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				asked = append(asked, r.Method+" "+r.URL.Path)
				mu.Unlock()
				http.Error(w, `{"detail":"Not found."}`, http.StatusNotFound)
			}))
			defer srv.Close()
			dir := t.TempDir()
			r := trackbot(t, []string{"SHIPPO_API_TOKEN=shippo_live_k", "SHIPPO_API_URL=" + srv.URL,
				"DATABASE_URL=sqlite:" + filepath.Join(dir, "t.db")}, tc.stdin, tc.args...)
			out := r.stdout
			if tc.code != 0 {
				out = r.stderr
			}
			if r.code != tc.code || !strings.Contains(out, tc.out) {
				t.Errorf("exit %d, want %d; output lacks %q:\nstdout %q\nstderr %q", r.code, tc.code, tc.out, r.stdout, r.stderr)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(asked) != tc.calls {
				t.Errorf("Shippo was asked %v, want %d calls", asked, tc.calls)
			}
		})
	}
}
