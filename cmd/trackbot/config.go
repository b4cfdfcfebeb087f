package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
)

// config holds every setting trackbot reads from its environment.
type config struct {
	DatabaseURL     string `env:"DATABASE_URL, default=sqlite:trackbot.db"`
	HTTPAddr        string `env:"HTTP_ADDR"` // empty: see listenAddr
	PublicURL       string `env:"PUBLIC_URL"`
	ShareLinkTTL    span   `env:"SHARE_LINK_TTL, default=90d"`
	ChatParcelLimit int    `env:"CHAT_PARCEL_LIMIT, default=200"`
	DefaultLanguage string `env:"DEFAULT_LANGUAGE, default=en"`
	LogLevel        string `env:"LOG_LEVEL, default=info"`
	LogFormat       string `env:"LOG_FORMAT, default=text"`

	TelegramToken         string `env:"TELEGRAM_TOKEN"`
	TelegramAPIURL        string `env:"TELEGRAM_API_URL, default=https://api.telegram.org"`
	TelegramWebhookSecret string `env:"TELEGRAM_WEBHOOK_SECRET"`

	SlackBotToken      string `env:"SLACK_BOT_TOKEN"`
	SlackAppToken      string `env:"SLACK_APP_TOKEN"`
	SlackSigningSecret string `env:"SLACK_SIGNING_SECRET"`
	SlackAPIURL        string `env:"SLACK_API_URL, default=https://slack.com/api/"`
	SlackDigestHour    int    `env:"SLACK_DIGEST_HOUR, default=9"`

	SeventeenTrackAPIKey   string `env:"SEVENTEENTRACK_API_KEY"`
	SeventeenTrackAPIURL   string `env:"SEVENTEENTRACK_API_URL, default=https://api.17track.net/track/v2.2"`
	AfterShipAPIKey        string `env:"AFTERSHIP_API_KEY"`
	AfterShipAPIURL        string `env:"AFTERSHIP_API_URL, default=https://api.aftership.com/tracking/2026-07"`
	AfterShipWebhookSecret string `env:"AFTERSHIP_WEBHOOK_SECRET"`
	ShippoAPIToken         string `env:"SHIPPO_API_TOKEN"`
	ShippoAPIURL           string `env:"SHIPPO_API_URL, default=https://api.goshippo.com"`
	ShippoWebhookSecret    string `env:"SHIPPO_WEBHOOK_SECRET"`
	DHLAPIKey              string `env:"DHL_API_KEY"`
	DHLAPIURL              string `env:"DHL_API_URL, default=https://api-eu.dhl.com/track/shipments"`
	DHLWebhookSecret       string `env:"DHL_WEBHOOK_SECRET"`
	DHLDailyLimit          int    `env:"DHL_DAILY_LIMIT, default=250"`

	// ShopifyWebhookSecret verifies the Shopify order feeds given no key
	// of their own (one shop's webhook signing key).
	ShopifyWebhookSecret string `env:"SHOPIFY_WEBHOOK_SECRET"`

	DemoStep        time.Duration `env:"DEMO_STEP, default=15s"`
	PollMinInterval time.Duration `env:"POLL_MIN_INTERVAL, default=15m"`

	// Guidance thresholds: when each playbook rule starts to apply.
	NewNumberSilent span `env:"GUIDANCE_NEW_NUMBER_SILENT, default=48h"`
	NoInfo          span `env:"GUIDANCE_NO_INFO, default=7d"`
	LabelOnly       span `env:"GUIDANCE_LABEL_ONLY, default=10d"`
	NoEvent         span `env:"GUIDANCE_NO_EVENT, default=7d"`
	NoProgress      span `env:"GUIDANCE_NO_PROGRESS, default=14d"`
	CustomsLong     span `env:"GUIDANCE_CUSTOMS_LONG, default=10d"`
	OriginSilent    span `env:"GUIDANCE_ORIGIN_SILENT, default=5d"`
	TemuNoUpdate    span `env:"GUIDANCE_TEMU_NO_UPDATE, default=7d"`
	Late            span `env:"GUIDANCE_LATE, default=2d"`
	// ProtectionLead is how long before a buyer protection the chat gave
	// ends its reminder comes.
	ProtectionLead span `env:"GUIDANCE_PROTECTION_LEAD, default=3d"`
}

// span is a duration that also takes whole days ("14d"), the unit the
// guidance thresholds are thought in.
type span time.Duration

// EnvDecode parses "14d", "36h" or "90m".
func (s *span) EnvDecode(val string) error {
	if days, ok := strings.CutSuffix(strings.TrimSpace(val), "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return errors.New("not a valid duration")
		}
		*s = span(time.Duration(n) * 24 * time.Hour)
		return nil
	}
	d, err := time.ParseDuration(val)
	if err != nil || d < 0 {
		return errors.New("not a valid duration")
	}
	*s = span(d)
	return nil
}

// thresholds are the guidance thresholds of the configuration.
func (c *config) thresholds() tracking.Thresholds {
	return tracking.Thresholds{
		NewNumberSilent: time.Duration(c.NewNumberSilent), NoInfo: time.Duration(c.NoInfo),
		LabelOnly: time.Duration(c.LabelOnly), NoEvent: time.Duration(c.NoEvent),
		NoProgress: time.Duration(c.NoProgress), CustomsLong: time.Duration(c.CustomsLong),
		OriginSilent: time.Duration(c.OriginSilent), TemuNoUpdate: time.Duration(c.TemuNoUpdate),
		Late: time.Duration(c.Late), ProtectionLead: time.Duration(c.ProtectionLead),
	}
}

// envVariable returns the variable the config field named field is read
// from, as its env struct tag says, and the field's type; ok is false when
// config has no such field or the field is not read from the environment.
// Reading the tags keeps error messages and struct in step.
func envVariable(field string) (name string, typ reflect.Type, ok bool) {
	f, ok := reflect.TypeFor[config]().FieldByName(field)
	if !ok {
		return "", nil, false
	}
	name, _, _ = strings.Cut(f.Tag.Get("env"), ",")
	name = strings.TrimSpace(name)
	return name, f.Type, name != ""
}

// loadConfig reads the configuration from lookuper and validates it. Its
// errors are one line naming the variable, and never carry a secret.
func loadConfig(ctx context.Context, lookuper envconfig.Lookuper) (*config, error) {
	files, err := readSecretFiles(lookuper)
	if err != nil {
		return nil, err
	}
	lookuper = envconfig.MultiLookuper(envconfig.MapLookuper(files), lookuper)
	var c config
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{Target: &c, Lookuper: lookuper}); err != nil {
		return nil, describeEnvError(err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// secretVariables are the variables that hold secrets. Each can also be
// given as NAME_FILE, the path of a file that holds the value (Docker and
// Kubernetes secrets), so that the secret need not sit in the environment.
var secretVariables = []string{
	"DATABASE_URL",
	"TELEGRAM_TOKEN", "TELEGRAM_WEBHOOK_SECRET",
	"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET",
	"SEVENTEENTRACK_API_KEY",
	"AFTERSHIP_API_KEY", "AFTERSHIP_WEBHOOK_SECRET",
	"SHIPPO_API_TOKEN", "SHIPPO_WEBHOOK_SECRET",
	"DHL_API_KEY", "DHL_WEBHOOK_SECRET",
	"SHOPIFY_WEBHOOK_SECRET",
}

// readSecretFiles reads the file of every NAME_FILE that is set and returns
// the values by NAME, without the file's trailing newline. Setting both
// NAME and NAME_FILE is an error: which one wins would be a guess.
func readSecretFiles(lookuper envconfig.Lookuper) (map[string]string, error) {
	values := map[string]string{}
	var errs []error
	for _, name := range secretVariables {
		path, ok := lookuper.Lookup(name + "_FILE")
		if !ok || path == "" {
			continue
		}
		if v, set := lookuper.Lookup(name); set && v != "" {
			errs = append(errs, fmt.Errorf("config: %s and %s_FILE are both set; keep one", name, name))
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("config: %s_FILE: cannot read %s (%s)", name, path, reason(err)))
			continue
		}
		values[name] = strings.TrimRight(string(b), "\r\n")
	}
	return values, errors.Join(errs...)
}

// describeEnvError turns go-envconfig's "Field: message" into a line naming
// the variable and what its value should look like. Only numbers and
// durations can fail to decode, and their values are not secret, but the
// raw value is left out anyway.
func describeEnvError(err error) error {
	field, _, _ := strings.Cut(err.Error(), ":")
	name, typ, ok := envVariable(strings.TrimSpace(field))
	if !ok {
		return fmt.Errorf("config: %w", err)
	}
	switch typ {
	case reflect.TypeFor[int]():
		return fmt.Errorf("config: %s: not a whole number", name)
	case reflect.TypeFor[span]():
		return fmt.Errorf("config: %s: not a valid duration (use days or a unit, like 14d or 36h)", name)
	case reflect.TypeFor[time.Duration]():
		return fmt.Errorf("config: %s: not a valid duration (use a number with a unit, like 90s or 15m)", name)
	}
	return fmt.Errorf("config: %s: not a valid value", name)
}

// Validate checks every setting that can be checked without network access.
func (c *config) Validate() error {
	var errs []error
	bad := func(name, why string) { errs = append(errs, fmt.Errorf("config: %s: %s", name, why)) }

	if _, _, err := store.ParseURL(c.DatabaseURL); err != nil {
		bad("DATABASE_URL", strings.TrimPrefix(err.Error(), "store: "))
	}
	if dialect, dsn, err := store.ParseURL(c.DatabaseURL); err == nil && dialect == store.SQLite {
		if err := writableSQLite(dsn); err != nil {
			bad("DATABASE_URL", err.Error())
		}
	}
	if c.HTTPAddr != "" {
		if err := validListenAddr(c.HTTPAddr); err != nil {
			bad("HTTP_ADDR", err.Error())
		}
	}
	if c.PublicURL != "" {
		if err := validHTTPURL(c.PublicURL); err != nil {
			bad("PUBLIC_URL", err.Error())
		}
	}
	if c.ShareLinkTTL < 0 {
		bad("SHARE_LINK_TTL", "must not be negative (0: links last until revoked)")
	}
	if c.ChatParcelLimit < 1 || c.ChatParcelLimit > 100000 {
		bad("CHAT_PARCEL_LIMIT", "must be between 1 and 100000")
	}
	if !supportedLanguage(c.DefaultLanguage) {
		bad("DEFAULT_LANGUAGE", "must be one of "+strings.Join(languages, ", "))
	}
	if _, err := parseLogLevel(c.LogLevel); err != nil {
		bad("LOG_LEVEL", err.Error())
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("LOG_FORMAT", `must be "text" or "json"`)
	}
	for name, u := range map[string]string{
		"TELEGRAM_API_URL": c.TelegramAPIURL, "SLACK_API_URL": c.SlackAPIURL,
		"SEVENTEENTRACK_API_URL": c.SeventeenTrackAPIURL, "AFTERSHIP_API_URL": c.AfterShipAPIURL,
		"SHIPPO_API_URL": c.ShippoAPIURL, "DHL_API_URL": c.DHLAPIURL,
	} {
		if err := validHTTPURL(u); err != nil {
			bad(name, err.Error())
		}
	}
	if c.TelegramToken != "" && !telegramTokenShape.MatchString(c.TelegramToken) {
		bad("TELEGRAM_TOKEN", "is not a bot token (digits, a colon and 35 characters, as @BotFather gives it)")
	}
	if c.TelegramWebhookSecret != "" && !validTelegramSecret(c.TelegramWebhookSecret) {
		bad("TELEGRAM_WEBHOOK_SECRET", "must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
	} else if c.TelegramWebhookSecret != "" && c.PublicURL == "" {
		bad("TELEGRAM_WEBHOOK_SECRET", "webhook mode needs PUBLIC_URL; set it, or unset TELEGRAM_WEBHOOK_SECRET for long polling")
	}
	if c.SlackAppToken != "" && !strings.HasPrefix(c.SlackAppToken, "xapp-") {
		bad("SLACK_APP_TOKEN", `must be an app-level token starting with "xapp-"`)
	}
	if (c.SlackAppToken != "" || c.SlackSigningSecret != "") && c.SlackBotToken == "" {
		bad("SLACK_BOT_TOKEN", "is required when SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set")
	}
	if c.SlackBotToken != "" && c.SlackAppToken == "" && c.SlackSigningSecret == "" {
		bad("SLACK_BOT_TOKEN", "needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP endpoints) to receive messages")
	}
	if c.SlackDigestHour < -1 || c.SlackDigestHour > 23 {
		bad("SLACK_DIGEST_HOUR", "must be an hour from 0 to 23, or -1 for no digest")
	}
	if c.DHLDailyLimit < 0 {
		bad("DHL_DAILY_LIMIT", "must be 0 (no limit) or more")
	}
	if c.DemoStep <= 0 {
		bad("DEMO_STEP", "must be positive")
	}
	if c.PollMinInterval < time.Second {
		bad("POLL_MIN_INTERVAL", "must be at least 1s")
	}
	return errors.Join(errs...)
}

// telegramTokenShape is the shape of a bot token as @BotFather gives it:
// the bot's id, a colon, and 35 characters.
var telegramTokenShape = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]{35}$`)

// listenAddr is where the HTTP server listens: HTTP_ADDR when set,
// otherwise port 8080 on every interface for a server, and on the loopback
// interface only while the console chat runs in a terminal, so that trying
// trackbot out does not open /metrics and the tracking pages to the
// network.
func (c *config) listenAddr(console bool) string {
	switch {
	case c.HTTPAddr != "":
		return c.HTTPAddr
	case console:
		return "127.0.0.1:8080"
	}
	return ":8080"
}

// writableSQLite checks that the SQLite database of dsn ("file:PATH?…")
// can be opened for writing, or created, so that a wrong path is reported
// with its name rather than as SQLite's "unable to open database file".
func writableSQLite(dsn string) error {
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil
	}
	if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
		return f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot write the SQLite database %s (%s)", path, reason(err))
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".trackbot-write-check-*")
	if err != nil {
		return fmt.Errorf("cannot create the SQLite database %s in %s (%s)", path, dir, reason(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// reason is the end of a file system error, without the path and
// operation it repeats.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func validListenAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("must be host:port or :port, like :8080")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errors.New("port must be a number from 0 to 65535")
	}
	if strings.ContainsAny(host, " /") {
		return errors.New("host must be a name or an IP address")
	}
	return nil
}

func validHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an http:// or https:// URL")
	}
	return nil
}

func validTelegramSecret(s string) bool {
	if len(s) == 0 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// languages are the languages trackbot speaks.
var languages = []string{"en", "de", "es", "fr", "ru", "zh"}

func supportedLanguage(code string) bool {
	for _, l := range languages {
		if l == code {
			return true
		}
	}
	return false
}

func parseLogLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, errors.New("must be debug, info, warn or error")
	}
	return l, nil
}

// telegramEnabled reports whether the Telegram adapter is switched on.
func (c *config) telegramEnabled() bool { return c.TelegramToken != "" }

// slackEnabled reports whether the Slack adapter is switched on.
func (c *config) slackEnabled() bool {
	return c.SlackBotToken != "" && (c.SlackAppToken != "" || c.SlackSigningSecret != "")
}
