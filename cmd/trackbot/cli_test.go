package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/trackbot/trackbot/internal/expect"
)

// TestHelpFlagsPrintTheFullUsage: -h, --help and help print the same full
// usage, naming every command, on standard output, and exit 0.
func TestHelpFlagsPrintTheFullUsage(t *testing.T) {
	var first string
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"-help"}} {
		r := trackbot(t, nil, "", args...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		for _, cmd := range []string{"[serve]", "chat", "detect", "track", "migrate", "healthcheck", "version", "help"} {
			if !strings.Contains(r.stdout, "trackbot "+cmd) {
				t.Errorf("%v: usage lacks %q:\n%s", args, cmd, r.stdout)
			}
		}
		if first == "" {
			first = r.stdout
		} else if r.stdout != first {
			t.Errorf("%v prints another usage:\n%s", args, r.stdout)
		}
	}
}

// TestWrongFlagIsOneLineAndTheUsageOnStderr: a flag mistake is reported
// once, on the first line of standard error, followed by the usage of the
// command; nothing goes to standard output; the exit code is 2.
func TestWrongFlagIsOneLineAndTheUsageOnStderr(t *testing.T) {
	for _, args := range [][]string{{"--bogus"}, {"serve", "--bogus"}, {"migrate", "-x"}, {"track", "DEMO-LIVE", "--bogus"}, {"frobnicate"}} {
		r := trackbot(t, nil, "", args...)
		lines := strings.Split(r.stderr, "\n")
		if r.code != 2 || r.stdout != "" || !strings.HasPrefix(lines[0], "trackbot: ") || len(lines) < 3 ||
			!strings.Contains(r.stderr, "Usage") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2, one error line then the usage on stderr", args, r.code, r.stdout, r.stderr)
			continue
		}
		if (len(args) == 1 || args[0] == "serve") && !strings.Contains(r.stderr, "trackbot healthcheck") {
			t.Errorf("%v: stderr lacks the full usage:\n%s", args, r.stderr)
		}
		if n := strings.Count(r.stderr, strings.TrimPrefix(lines[0], "trackbot: ")); n != 1 {
			t.Errorf("%v: the error is printed %d times:\n%s", args, n, r.stderr)
		}
	}
}

// TestMisconfigurationsNameTheVariable: each setting that used to be
// silently ignored or reported without its variable is one line naming the
// variable, exit 2, for every command that reads the configuration.
func TestMisconfigurationsNameTheVariable(t *testing.T) {
	readOnly := t.TempDir()
	if err := os.Chmod(readOnly, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(readOnly, 0o755) })
	lockedDB := filepath.Join(readOnly, "trackbot.db")
	for _, tc := range []struct {
		name      string
		env       []string
		variables []string // each must be named on the line
	}{
		{"slack bot token alone", []string{"SLACK_BOT_TOKEN=xoxb-s3cret"}, []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"}},
		{"webhook secret without public url", []string{"TELEGRAM_TOKEN=" + telegramToken, "TELEGRAM_WEBHOOK_SECRET=s3cret"}, []string{"TELEGRAM_WEBHOOK_SECRET", "PUBLIC_URL"}},
		{"garbage telegram token", []string{"TELEGRAM_TOKEN=s3cret-garbage"}, []string{"TELEGRAM_TOKEN"}},
		{"telegram token without its id", []string{"TELEGRAM_TOKEN=:s3cret_0123456789abcdefghijklmnopqr"}, []string{"TELEGRAM_TOKEN"}},
		{"unwritable sqlite path", []string{"DATABASE_URL=sqlite:" + lockedDB}, []string{"DATABASE_URL", lockedDB}},
		{"sqlite where no one may write", []string{"DATABASE_URL=sqlite:/proc/trackbot.db"}, []string{"DATABASE_URL", "/proc/trackbot.db"}},
		{"sqlite in a missing directory", []string{"DATABASE_URL=sqlite:/nonexistent-dir/x.db"}, []string{"DATABASE_URL", "/nonexistent-dir/x.db"}},
		{"secret twice", []string{"DHL_API_KEY=s3cret", "DHL_API_KEY_FILE=/dev/null"}, []string{"DHL_API_KEY", "DHL_API_KEY_FILE"}},
		{"secret file missing", []string{"TELEGRAM_TOKEN_FILE=/nonexistent-s3cret"}, []string{"TELEGRAM_TOKEN_FILE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if os.Geteuid() == 0 && strings.Contains(tc.name, "unwritable") {
				t.Skip("root writes anywhere: the unwritable case needs an ordinary user")
			}
			for _, args := range [][]string{{}, {"migrate"}, {"chat"}, {"healthcheck"}} {
				r := trackbot(t, tc.env, "", args...)
				lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
				if r.code != 2 || len(lines) != 1 {
					t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line", args, r.code, r.stderr)
					continue
				}
				for _, v := range tc.variables {
					if !strings.Contains(lines[0], v) {
						t.Errorf("%v: %q does not name %s", args, lines[0], v)
					}
				}
				if strings.Contains(r.stderr, "s3cret_") || strings.Contains(r.stderr, "s3cret-garbage") {
					t.Errorf("%v: the line repeats a secret: %q", args, lines[0])
				}
			}
		})
	}
}

// TestMigrateLogsAsConfigured: trackbot migrate logs in LOG_FORMAT at
// LOG_LEVEL like every other command.
func TestMigrateLogsAsConfigured(t *testing.T) {
	r := trackbot(t, []string{"LOG_FORMAT=json"}, "", "migrate")
	if r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	for _, l := range lines {
		var rec struct{ Msg string }
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec.Msg == "" {
			t.Errorf("log line %q is not JSON", l)
		}
	}
	if !strings.Contains(r.stderr, "migration applied") {
		t.Errorf("no migration logged: %q", r.stderr)
	}
	if r := trackbot(t, []string{"LOG_LEVEL=warn"}, "", "migrate"); r.code != 0 || r.stderr != "" {
		t.Errorf("LOG_LEVEL=warn: %+v, want no info lines", r)
	}
}

// TestSecretsFromFiles: every secret variable can be read from NAME_FILE,
// without the file's trailing newline; NAME and NAME_FILE together is an
// error naming both.
func TestSecretsFromFiles(t *testing.T) {
	dir := t.TempDir()
	values := map[string]string{
		"DATABASE_URL":            "sqlite:" + filepath.Join(dir, "x.db"),
		"TELEGRAM_TOKEN":          telegramToken,
		"TELEGRAM_WEBHOOK_SECRET": "tg-secret",
		"PUBLIC_URL":              "https://bot.example",
		"SLACK_BOT_TOKEN":         "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_SIGNING_SECRET": "sign",
		"SEVENTEENTRACK_API_KEY": "17", "AFTERSHIP_API_KEY": "as", "AFTERSHIP_WEBHOOK_SECRET": "asw",
		"SHIPPO_API_TOKEN": "sh", "SHIPPO_WEBHOOK_SECRET": "shw", "DHL_API_KEY": "dhl", "DHL_WEBHOOK_SECRET": "dhlw",
		"SHOPIFY_WEBHOOK_SECRET": "shopify-key",
	}
	env := map[string]string{"PUBLIC_URL": values["PUBLIC_URL"]}
	for _, name := range secretVariables {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(values[name]+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		env[name+"_FILE"] = path
	}
	cfg, err := loadConfig(context.Background(), envconfig.MapLookuper(env))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{
		"DATABASE_URL": cfg.DatabaseURL, "TELEGRAM_TOKEN": cfg.TelegramToken, "TELEGRAM_WEBHOOK_SECRET": cfg.TelegramWebhookSecret,
		"SLACK_BOT_TOKEN": cfg.SlackBotToken, "SLACK_APP_TOKEN": cfg.SlackAppToken, "SLACK_SIGNING_SECRET": cfg.SlackSigningSecret,
		"SEVENTEENTRACK_API_KEY": cfg.SeventeenTrackAPIKey, "AFTERSHIP_API_KEY": cfg.AfterShipAPIKey,
		"AFTERSHIP_WEBHOOK_SECRET": cfg.AfterShipWebhookSecret, "SHIPPO_API_TOKEN": cfg.ShippoAPIToken,
		"SHIPPO_WEBHOOK_SECRET": cfg.ShippoWebhookSecret, "DHL_API_KEY": cfg.DHLAPIKey, "DHL_WEBHOOK_SECRET": cfg.DHLWebhookSecret,
		"SHOPIFY_WEBHOOK_SECRET": cfg.ShopifyWebhookSecret,
	}
	for _, name := range secretVariables {
		if got[name] != values[name] {
			t.Errorf("%s from %s_FILE: %q, want %q", name, name, got[name], values[name])
		}
	}

	env["SHIPPO_API_TOKEN"] = "also-here"
	_, err = loadConfig(context.Background(), envconfig.MapLookuper(env))
	if err == nil || !strings.Contains(err.Error(), "SHIPPO_API_TOKEN and SHIPPO_API_TOKEN_FILE are both set") {
		t.Errorf("both set: %v", err)
	}
}

// TestEverySecretHasAFileVariant: every variable whose name says it holds a
// secret is in secretVariables, and every entry there is a real variable.
func TestEverySecretHasAFileVariant(t *testing.T) {
	listed := map[string]bool{}
	for _, name := range secretVariables {
		listed[name] = true
	}
	known := map[string]bool{}
	for f := range reflect.TypeFor[config]().Fields() {
		name, _, _ := envVariable(f.Name)
		known[name] = true
		secret := name == "DATABASE_URL" || strings.HasSuffix(name, "_TOKEN") || strings.HasSuffix(name, "_KEY") || strings.HasSuffix(name, "_SECRET")
		if secret != listed[name] {
			t.Errorf("%s: secret %v, listed in secretVariables %v", name, secret, listed[name])
		}
	}
	for name := range listed {
		if !known[name] {
			t.Errorf("secretVariables lists %s, which config does not read", name)
		}
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "dev"},
		{"go install from a tag", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{"clean clone", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}}, "0123456789ab"},
		{"clone with changes", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}}}, "0123456789ab-dirty"},
		{"no vcs", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionOf(tc.info); got != tc.want {
				t.Errorf("versionOf = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestHealthcheck: trackbot healthcheck exits 0 while a server is ready at
// HTTP_ADDR and 1 when none answers.
func TestHealthcheck(t *testing.T) {
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0])
	cmd.Dir = t.TempDir()
	cmd.Env = append(childEnv(t, cmd.Dir), "HTTP_ADDR="+addr)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	_, port, _ := net.SplitHostPort(addr)
	// HTTP_ADDR=:PORT (every interface) is probed on the loopback address.
	for _, probe := range []string{addr, ":" + port} {
		if !expect.Eventually(30*time.Second, func() bool {
			return trackbot(t, []string{"HTTP_ADDR=" + probe}, "", "healthcheck").code == 0
		}) {
			t.Fatalf("healthcheck of %s never passed; server log:\n%s", probe, stderr.String())
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	r := trackbot(t, []string{"HTTP_ADDR=" + addr}, "", "healthcheck")
	if r.code != 1 || !strings.Contains(r.stderr, "healthcheck") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("healthcheck with no server: %+v, want exit 1 and one line", r)
	}
}

// TestServeNamesHTTPAddrWhenThePortIsBusy: a server that cannot listen
// stops with an error naming HTTP_ADDR.
func TestServeNamesHTTPAddrWhenThePortIsBusy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := trackbot(t, []string{"HTTP_ADDR=" + ln.Addr().String()}, "")
	if r.code == 0 || !strings.Contains(r.stderr, "HTTP_ADDR "+ln.Addr().String()) || !strings.Contains(r.stderr, "address already in use") {
		t.Errorf("%+v, want an error naming HTTP_ADDR", r)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
