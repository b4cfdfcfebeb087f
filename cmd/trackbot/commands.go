package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
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
	a.metrics.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "trackbot_outbox_pending",
			Help: "Pushes waiting to be sent, including those held for mute and quiet hours.",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := st.PendingPushes(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		}),
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
		ShareLinkTTL: time.Duration(cfg.ShareLinkTTL)})
	return a, nil
}

// runWorkers runs the engine's scheduler and a notifier over the adapters
// until ctx ends.
func (a *app) runWorkers(ctx context.Context, g *errgroup.Group, adapters ...bot.Adapter) {
	// A run that was killed left its leases behind; on SQLite they can only
	// be this process's, and its pushes should not wait them out.
	if n, err := a.store.TakeBackLeases(ctx); err != nil {
		a.log.Warn("cannot take back the leases of the previous run; they end on their own", "err", err)
	} else if n > 0 {
		a.log.Info("took back the leases of the previous run", "leases", n)
	}
	n := bot.NewNotifier(a.store, a.catalog, a.clock, adapters...)
	n.SetMetrics(a.metrics)
	g.Go(func() error { return a.engine.Run(ctx, a.schedulerTick()) })
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
			PublicURL: cfg.PublicURL, Store: a.store, Catalog: a.catalog,
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
	if a.chat {
		adapters = append(adapters, a.goConsole(gctx, g, cancel, io))
	} else if len(adapters) == 0 {
		a.log.Warn("no chat platform configured: set TELEGRAM_TOKEN or SLACK_BOT_TOKEN, or run trackbot chat")
	}
	g.Go(func() error { return srv.Serve(gctx) })
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
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	cfg, err := loadConfig(ctx, env)
	if err != nil {
		return nil, usageError{err}
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
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(ctx, env)
	if err != nil {
		return usageError{err}
	}
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
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(io.out, "trackbot", buildVersion())
	return nil
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
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
