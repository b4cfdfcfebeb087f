package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/sethvargo/go-envconfig"
	"golang.org/x/sync/errgroup"
	"golang.org/x/term"

	"github.com/trackbot/trackbot/adapters/console"
	"github.com/trackbot/trackbot/adapters/slack"
	"github.com/trackbot/trackbot/adapters/telegram"
	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

// app holds what every command that touches the database shares.
type app struct {
	cfg     *config
	log     *slog.Logger
	store   *store.Store
	catalog *locales.Catalog
	bot     *bot.Bot
	engine  *tracking.Engine
	metrics *prometheus.Registry
	clock   tracking.Clock
	// chat is set when the console chat runs in this terminal.
	chat bool
}

// setLogger makes the default logger write to the terminal's standard
// error at LOG_LEVEL in LOG_FORMAT. A command that talks to a person in the
// terminal (quiet) logs only warnings and errors unless LOG_LEVEL asks for
// debug, so that log lines do not drown what it prints.
func setLogger(cfg *config, io stdio, quiet bool) *slog.Logger {
	level, _ := parseLogLevel(cfg.LogLevel)
	if quiet && level > slog.LevelDebug && level < slog.LevelWarn {
		level = slog.LevelWarn
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(io.err, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(io.err, opts)
	}
	logger := slog.New(h)
	slog.SetDefault(logger)
	return logger
}

// setup loads the configuration, opens and migrates the database and loads
// the catalogs; a chat in the terminal logs quietly (see setLogger).
func setup(ctx context.Context, cfg *config, io stdio, chat bool) (*app, error) {
	logger := setLogger(cfg, io, chat)

	catalog, err := locales.Load(cfg.DefaultLanguage)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	a := &app{cfg: cfg, log: logger, store: st, catalog: catalog,
		metrics: prometheus.NewRegistry(), clock: tracking.SystemClock{}, chat: chat}
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "trackbot_build_info",
		Help:        "Always 1; its labels say which trackbot and which Go built this process.",
		ConstLabels: prometheus.Labels{"version": buildVersion(), "goversion": runtime.Version()},
	})
	buildInfo.Set(1)
	a.metrics.MustRegister(
		buildInfo,
		newOutboxCollector(st),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(st.DB(), string(st.Dialect())),
	)
	reg := newRegistry(cfg, a.clock, tracking.NewMetrics(a.metrics))
	reg.ShareQuotas(st) // daily quotas count every replica's requests
	a.engine = tracking.NewEngine(st, reg, tracking.Options{
		Clock: a.clock, MinInterval: cfg.PollMinInterval, DemoStep: cfg.DemoStep,
		RegisterPush: cfg.PublicURL != "", Thresholds: cfg.thresholds(),
	})
	a.bot = bot.New(bot.Config{Store: st, Engine: a.engine, Catalog: catalog, Clock: a.clock, PublicURL: cfg.PublicURL,
		ShareLinkTTL: time.Duration(cfg.ShareLinkTTL), ShopifySecret: cfg.ShopifyWebhookSecret,
		ParcelLimit: cfg.ChatParcelLimit})
	return a, nil
}

// outboxCollector reports the pushes waiting in the outbox, and the
// carrier pushes kept and not merged yet. When the database cannot be
// asked, it reports no sample, rather than a number that would read as a
// count, and counts the failure.
type outboxCollector struct {
	st      *store.Store
	pending *prometheus.Desc
	kept    *prometheus.Desc
	errors  prometheus.Counter
}

func newOutboxCollector(st *store.Store) *outboxCollector {
	return &outboxCollector{
		st: st,
		pending: prometheus.NewDesc("trackbot_outbox_pending",
			"Pushes waiting to be sent, including those held for mute and quiet hours.", nil, nil),
		kept: prometheus.NewDesc("trackbot_carrier_pushes_kept",
			"Carrier pushes answered and kept, not merged into their shipments yet; it grows only while a burst of pushes outruns the merge, or while merges fail.", nil, nil),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "trackbot_outbox_pending_errors_total",
			Help: "Scrapes that could not count the outbox because the database did not answer.",
		}),
	}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.kept
	c.errors.Describe(ch)
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	// A scrape that cannot count is one error, however many counts fail.
	pending, err := c.st.PendingPushes(ctx)
	var kept int
	if err == nil {
		kept, err = c.st.QueuedCarrierPushes(ctx)
	}
	if err != nil {
		slog.Warn("metrics: count pending pushes", "err", err)
		c.errors.Inc()
	} else {
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(pending))
		ch <- prometheus.MustNewConstMetric(c.kept, prometheus.GaugeValue, float64(kept))
	}
	c.errors.Collect(ch)
}

// runWorkers runs the engine's scheduler, the merge of kept carrier
// pushes and a notifier over the adapters until ctx ends.
func (a *app) runWorkers(ctx context.Context, g *errgroup.Group, adapters ...bot.Adapter) {
	// A run that was killed left its leases behind; on SQLite, with no
	// other process on the database, they can only be this process's, and
	// its pushes should not wait them out.
	if n, err := a.store.TakeBackLeases(ctx); errors.Is(err, store.ErrSharedDatabase) {
		a.log.Info("another trackbot process works on this database; leases left behind end on their own")
	} else if err != nil {
		a.log.Warn("cannot take back the leases of the previous run; they end on their own", "err", err)
	} else if n > 0 {
		a.log.Info("took back the leases of the previous run", "leases", n)
	}
	n := bot.NewNotifier(a.store, a.catalog, a.clock, adapters...)
	n.SetMetrics(a.metrics)
	g.Go(func() error { return a.engine.Run(ctx, a.schedulerTick()) })
	g.Go(func() error { return a.engine.RunPushes(ctx, a.schedulerTick()) })
	g.Go(func() error { return n.Run(ctx, a.schedulerTick()) })
}

// schedulerTick is how often the engine looks for due shipments: often
// enough for the demo's steps, never busier than five times a second.
func (a *app) schedulerTick() time.Duration {
	return min(max(a.cfg.DemoStep/3, 200*time.Millisecond), 5*time.Second)
}

func (a *app) close() {
	if err := a.store.Close(); err != nil {
		a.log.Error("close database", "err", err)
	}
}

func cmdServe(ctx context.Context, args []string, io stdio, env envconfig.Lookuper) error {
	fs := newFlags("serve", "trackbot [serve]", io)
	// serve is the command a bare trackbot runs: its usage is the whole.
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage) }
	// With no chat platform configured and a person at the terminal, the
	// bare command is a working bot: it opens the console chat.
	a, err := open(ctx, fs, args, io, env, func(cfg *config) bool {
		return !cfg.telegramEnabled() && !cfg.slackEnabled() && isTerminal(io.in)
	})
	if err != nil {
		return err
	}
	defer a.close()
	cfg := a.cfg

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	srv := newHTTPServer(a)
	var adapters []bot.Adapter
	var runs []func(context.Context) error
	if cfg.telegramEnabled() {
		tgA, err := telegram.New(telegram.Config{
			Token: cfg.TelegramToken, APIURL: cfg.TelegramAPIURL, WebhookSecret: cfg.TelegramWebhookSecret,
			PublicURL: cfg.PublicURL, Store: a.store, Catalog: a.catalog, Refusals: srv.Refusals(),
		})
		if err != nil {
			return err
		}
		srv.Handle("POST "+telegram.WebhookPath, tgA.WebhookHandler())
		adapters = append(adapters, tgA)
		runs = append(runs, func(ctx context.Context) error { return tgA.Run(ctx, a.bot) })
	}
	if cfg.slackEnabled() {
		sl, err := slack.New(slack.Config{
			BotToken: cfg.SlackBotToken, AppToken: cfg.SlackAppToken, SigningSecret: cfg.SlackSigningSecret,
			APIURL: cfg.SlackAPIURL, Store: a.store, Attention: a.bot, Clock: a.clock, DigestHour: cfg.SlackDigestHour,
			Refusals: srv.Refusals(),
		})
		if err != nil {
			return err
		}
		if cfg.SlackSigningSecret != "" {
			srv.Handle("POST "+slack.CommandsPath, sl.CommandsHandler())
			srv.Handle("POST "+slack.InteractionsPath, sl.InteractionsHandler())
			srv.Handle("POST "+slack.EventsPath, sl.EventsHandler())
		}
		adapters = append(adapters, sl)
		runs = append(runs, func(ctx context.Context) error { return sl.Run(ctx, a.bot) })
	}
	addr := cfg.listenAddr(a.chat)
	ln, err := net.Listen("tcp", addr)
	switch {
	case err == nil:
		g.Go(func() error { return srv.ServeListener(gctx, ln) })
		if a.chat { // before the chat's first prompt
			fmt.Fprintf(io.out, "HTTP server on http://%s (metrics, tracking pages; HTTP_ADDR changes it).\n", ln.Addr())
		}
	case a.chat:
		// The HTTP server is an extra while someone tries the bot out:
		// a busy port must not end the chat.
		a.log.Warn("HTTP server not started; the chat goes on without it (set HTTP_ADDR to a free address)",
			"HTTP_ADDR", addr, "err", err)
	default:
		return fmt.Errorf("HTTP_ADDR %s: %w", addr, err)
	}
	if a.chat {
		adapters = append(adapters, a.goConsole(gctx, g, cancel, io))
	} else if len(adapters) == 0 {
		a.log.Warn("no chat platform configured: set TELEGRAM_TOKEN or SLACK_BOT_TOKEN, or run trackbot chat")
	}
	for _, run := range runs {
		g.Go(func() error { return run(gctx) })
	}
	a.runWorkers(gctx, g, adapters...)
	err = g.Wait()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

func cmdChat(ctx context.Context, args []string, io stdio, env envconfig.Lookuper) error {
	fs := newFlags("chat", "trackbot chat\n\nTalk to the bot in this terminal. With piped input, each line is\nhandled in turn and the chat ends with the input.", io)
	a, err := open(ctx, fs, args, io, env, func(*config) bool { return true })
	if err != nil {
		return err
	}
	defer a.close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	a.runWorkers(gctx, g, a.goConsole(gctx, g, cancel, io))
	return g.Wait()
}

// open parses the flags of a command that runs the bot, loads the
// configuration and sets the app up. chat decides, from the configuration,
// whether the console chat is wanted.
func open(ctx context.Context, fs *flag.FlagSet, args []string, io stdio, env envconfig.Lookuper, chat func(*config) bool) (*app, error) {
	if err := parseFlags(fs, args, io); err != nil {
		return nil, err
	}
	cfg, err := loadConfig(ctx, env)
	if err != nil {
		return nil, usageError{error: err}
	}
	return setup(ctx, cfg, io, chat(cfg))
}

// goConsole runs the console chat in g; the end of the chat (or of piped
// input) calls cancel, which ends the program.
func (a *app) goConsole(ctx context.Context, g *errgroup.Group, cancel context.CancelFunc, io stdio) *console.Adapter {
	con := newConsole(io)
	g.Go(func() error {
		defer cancel()
		return con.Run(ctx, a.bot)
	})
	return con
}

// newConsole opens the console chat on the process's terminal or pipes.
func newConsole(io stdio) *console.Adapter {
	interactive := isTerminal(io.in)
	if interactive {
		fmt.Fprintln(io.out, "trackbot console chat — type /help, or press Ctrl-D to leave.")
	}
	return console.New(io.in, io.out, terminalLanguage(), interactive)
}

func cmdMigrate(ctx context.Context, args []string, io stdio, env envconfig.Lookuper) error {
	fs := newFlags("migrate", "trackbot migrate\n\nApply every pending database migration and exit.", io)
	if err := parseFlags(fs, args, io); err != nil {
		return err
	}
	cfg, err := loadConfig(ctx, env)
	if err != nil {
		return usageError{error: err}
	}
	setLogger(cfg, io, false)
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "migrations applied: %d; schema is current\n", n)
	return nil
}

func cmdVersion(args []string, io stdio) error {
	fs := newFlags("version", "trackbot version", io)
	if err := parseFlags(fs, args, io); err != nil {
		return err
	}
	fmt.Fprintln(io.out, "trackbot", buildVersion())
	return nil
}

// buildVersion is the version set with -ldflags, else the one the Go
// toolchain stamped into the binary (see versionOf).
func buildVersion() string {
	if version != "" {
		return version
	}
	info, _ := debug.ReadBuildInfo()
	return versionOf(info)
}

// versionOf reads a version from build information: the module version
// when built with go install from a tag, otherwise the commit that go build
// recorded from the clone (vcs.revision, shortened, "-dirty" with local
// changes); "dev" when the build knows neither.
func versionOf(info *debug.BuildInfo) string {
	if info == nil {
		return "dev"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var revision string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if revision == "" {
		return "dev"
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if modified {
		revision += "-dirty"
	}
	return revision
}

func cmdHealthcheck(ctx context.Context, args []string, io stdio, env envconfig.Lookuper) error {
	fs := newFlags("healthcheck", "trackbot healthcheck\n\nAsk the running server's /readyz (at HTTP_ADDR) whether it is ready:\nexit 0 if it is, 1 if not. Made for container health checks.", io)
	if err := parseFlags(fs, args, io); err != nil {
		return err
	}
	cfg, err := loadConfig(ctx, env)
	if err != nil {
		return usageError{error: err}
	}
	return probeReady(ctx, cfg.listenAddr(false))
}

// probeReady asks the server listening on addr for /readyz. A server bound
// to every interface is asked on the loopback one.
func probeReady(ctx context.Context, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("healthcheck: HTTP_ADDR %s: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/readyz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, resp.Status)
	}
	return nil
}

// isTerminal reports whether r is an interactive terminal. A character
// device is not enough: a service's standard input is often /dev/null.
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalLanguage reads the person's language from the locale variables,
// so that a German terminal gets a German chat.
func terminalLanguage() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := os.Getenv(v); l != "" && l != "C" && l != "POSIX" && !strings.HasPrefix(l, "C.") {
			return l
		}
	}
	return ""
}
