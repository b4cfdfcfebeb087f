// Package telegram is the chat adapter for Telegram's Bot API. It receives
// updates by long polling (on one replica at a time) or through a webhook
// (on every replica), turns them into bot.Message values, and renders the
// core's replies as HTML messages with inline keyboards.
package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/limiter"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/web"
)

// WebhookPath is where the webhook handler must be mounted, under PublicURL.
const WebhookPath = "/telegram/webhook"

// pollingLock is the cluster-wide lock whose holder alone long-polls:
// Telegram answers a second concurrent getUpdates with 409 Conflict.
const pollingLock = "telegram-polling"

// pollTimeout bounds one getUpdates long poll; Telegram holds the request
// open for a second less.
const pollTimeout = 50 * time.Second

// maxWebhookBody caps a webhook request at 1 MiB, as every webhook route
// does (docs/architecture.md, Path 3).
const maxWebhookBody = 1 << 20

// allowedUpdates are the only updates trackbot asks Telegram for.
var allowedUpdates = []string{models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery}

// Config configures an Adapter.
type Config struct {
	// Token is the bot token from @BotFather. Required.
	Token string
	// APIURL is the Bot API base URL; "" means https://api.telegram.org.
	APIURL string
	// WebhookSecret and PublicURL, when both set, switch on webhook mode:
	// Telegram posts updates to PublicURL + WebhookPath with the secret in
	// the X-Telegram-Bot-Api-Secret-Token header. Otherwise the adapter
	// long-polls.
	WebhookSecret string
	PublicURL     string
	// Store holds the polling lock; required for long polling.
	Store *store.Store
	// Catalog supplies the languages of the command menu. Required.
	Catalog *locales.Catalog
	// Clock is the time the send rate limits and waits are measured in;
	// nil means the wall clock.
	Clock tracking.Clock
	// HTTPClient carries the Bot API requests; nil means a client whose
	// timeout outlasts a long poll. A custom client's timeout must too.
	HTTPClient *http.Client
	// Refusals counts and logs the webhook calls refused (web.Server's);
	// nil logs them, at most once a minute, without counting.
	Refusals *web.Refusals
}

// Adapter is trackbot on Telegram. It implements bot.Adapter.
type Adapter struct {
	cfg   Config
	api   *tg.Bot
	http  *http.Client // the SDK's, for the getUpdates the adapter makes itself
	clock tracking.Clock

	// sleep waits for d or until ctx ends. Tests replace it to record
	// waits instead of sleeping.
	sleep func(ctx context.Context, d time.Duration) error
	// lockRetry is how often a replica without the polling lock asks for
	// it again.
	lockRetry time.Duration
	// pollRetry is how long the poller waits before asking again for
	// updates of which it could confirm none (see pollUpdates).
	pollRetry time.Duration
	// received, when set (by tests), is called once an update is taken
	// and queued, just before it is handled; false stops it there as a
	// replica dying would: not handled, not given back, not answered.
	received func(*models.Update) bool
	// typingEvery is how often Working repeats the typing status.
	typingEvery time.Duration
	// retryPolicy is the backoff between attempts of a request that failed
	// on the network or with a 5xx.
	retryPolicy func() backoff.BackOff

	username atomic.Value // string: the bot's @username, from getMe
	session  atomic.Pointer[session]

	// The send rates, by the adapter's clock (see throttle).
	mu     sync.Mutex
	global *rate.Limiter
	chats  *limiter.Keyed[int64]
	groups *limiter.Keyed[int64]
	window *window
}

var _ bot.Adapter = (*Adapter)(nil)

// session is a running Run: where updates go.
type session struct {
	ctx   context.Context
	h     bot.Handler
	queue *dispatcher
	// claimPrefix starts the store claim of each update: update ids are
	// counted per bot, so the bot's id is part of it.
	claimPrefix string
}

// New returns an adapter for cfg. It makes no request: Run does.
func New(cfg Config) (*Adapter, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("telegram: no token")
	}
	if cfg.Catalog == nil {
		return nil, errors.New("telegram: no catalog")
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	a := &Adapter{
		cfg:         cfg,
		clock:       cfg.Clock,
		sleep:       tracking.Sleep,
		lockRetry:   5 * time.Second,
		pollRetry:   5 * time.Second,
		typingEvery: typingEvery,
		retryPolicy: func() backoff.BackOff {
			b := backoff.NewExponentialBackOff()
			b.InitialInterval = 500 * time.Millisecond
			b.MaxInterval = 5 * time.Second
			return b
		},
		global: rate.NewLimiter(globalRate, globalBurst),
		chats:  limiter.NewKeyed[int64](chatRate, chatBurst),
		groups: limiter.NewKeyed[int64](groupRate, groupBurst),
		window: newWindow(),
	}
	if a.clock == nil {
		a.clock = tracking.SystemClock{}
	}
	if !a.webhookMode() && cfg.Store == nil {
		return nil, errors.New("telegram: long polling needs a store for its lock")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: pollTimeout + 15*time.Second}
	}
	a.http = client
	// The SDK sends; it receives nothing (pollUpdates, WebhookHandler).
	opts := []tg.Option{
		tg.WithSkipGetMe(), // Run calls getMe, with its context
		tg.WithHTTPClient(pollTimeout, statusClient{client}),
		tg.WithErrorsHandler(func(err error) {
			slog.Warn("telegram: bot api", "err", scrub(err.Error(), cfg.Token))
		}),
	}
	if cfg.APIURL != "" {
		opts = append(opts, tg.WithServerURL(strings.TrimRight(cfg.APIURL, "/")))
	}
	api, err := tg.New(cfg.Token, opts...)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", scrubbed(err, cfg.Token))
	}
	a.api = api
	a.username.Store("")
	return a, nil
}

// Platform is bot.Telegram.
func (a *Adapter) Platform() bot.Platform { return bot.Telegram }

// Telegram's send rates, which this adapter alone keeps to: every message
// trackbot sends on Telegram, a reply or a push, goes through it, so it is
// the one place that can count them all (the notifier paces nothing; it
// only holds a push back in the outbox when Telegram answers 429).
// See https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
//
// In all: Telegram allows about thirty messages a second over any second,
// not per calendar second: a burst on top of the full rate, or thirty-one
// messages spaced exactly 1/30 s apart with a little jitter on the way, is
// over the limit and answered 429. So messages are spread at 29.5 a second,
// and each holds one of thirty places from its request until a second
// after its answer (window): a request that a busy machine delays cannot
// make a thirty-first message fall within Telegram's second.
//
// In a chat: about one message a second, with a short burst. Pushes keep
// to it; replies answer a person's own messages, which the bot's command
// rate already bounds, and are not slowed down.
//
// In a group: twenty messages a minute, for replies and pushes alike.
const (
	globalRate  = 29.5
	globalBurst = 1
	chatRate    = 1
	chatBurst   = 3
	groupRate   = rate.Limit(1.0 / 3) // one every three seconds
	groupBurst  = 3
)

func (a *Adapter) webhookMode() bool {
	return a.cfg.WebhookSecret != "" && a.cfg.PublicURL != ""
}

// Run announces the bot (getMe, the localized command menu) and receives
// updates until ctx ends, handing each to h and sending back its replies.
// Updates of one chat are handled in order, chats side by side.
//
// In webhook mode it registers PublicURL + WebhookPath with setWebhook and
// serves what WebhookHandler receives. Otherwise it long-polls with
// getUpdates, but only while this process holds the store's polling lock;
// other replicas wait and take over when the holder stops or dies.
// Run must not be called twice at once.
//
// https://core.telegram.org/bots/api#getupdates
// https://core.telegram.org/bots/api#setwebhook
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	me, err := a.getMe(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	a.username.Store(me.Username)
	a.setCommands(ctx)

	q := newDispatcher()
	a.session.Store(&session{ctx: ctx, h: h, queue: q, claimPrefix: "telegram-update:" + strconv.FormatInt(me.ID, 10) + ":"})
	defer func() {
		a.session.Store(nil)
		q.close()
	}()

	if a.webhookMode() {
		if err := a.setWebhook(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		<-ctx.Done()
		return nil
	}
	a.poll(ctx)
	return nil
}

// getMe learns the bot's username, which tells commands addressed to it
// from those for other bots in a group. Network trouble is retried until
// ctx ends; a refused token is not.
// https://core.telegram.org/bots/api#getme
func (a *Adapter) getMe(ctx context.Context) (*models.User, error) {
	me, err := backoff.Retry(ctx, func() (*models.User, error) {
		me, err := a.api.GetMe(ctx)
		if err != nil && !transient(ctx, err) {
			return nil, backoff.Permanent(err)
		}
		return me, err
	}, backoff.WithBackOff(a.retryPolicy()), backoff.WithMaxElapsedTime(0), backoff.WithNotify(a.logRetry("getMe")))
	if err != nil {
		return nil, fmt.Errorf("telegram: getMe: %w", scrubbed(err, a.cfg.Token))
	}
	return me, nil
}

// setWebhook points Telegram at this deployment's webhook; every replica
// does it, which is harmless since they all register the same URL.
// https://core.telegram.org/bots/api#setwebhook
func (a *Adapter) setWebhook(ctx context.Context) error {
	_, err := backoff.Retry(ctx, func() (bool, error) {
		ok, err := a.api.SetWebhook(ctx, &tg.SetWebhookParams{
			URL:            a.cfg.PublicURL + WebhookPath,
			SecretToken:    a.cfg.WebhookSecret,
			AllowedUpdates: allowedUpdates,
		})
		if err != nil && !transient(ctx, err) {
			return false, backoff.Permanent(err)
		}
		return ok, err
	}, backoff.WithBackOff(a.retryPolicy()), backoff.WithMaxElapsedTime(0), backoff.WithNotify(a.logRetry("setWebhook")))
	if err != nil {
		return fmt.Errorf("telegram: setWebhook: %w", scrubbed(err, a.cfg.Token))
	}
	return nil
}

// logRetry logs a start-up request that will be tried again.
func (a *Adapter) logRetry(method string) backoff.Notify {
	return func(err error, next time.Duration) {
		slog.Warn("telegram: Bot API unreachable; retrying", "method", method, "in", next, "err", scrub(err.Error(), a.cfg.Token))
	}
}

// poll long-polls whenever this process holds the polling lock, and asks
// for it again every lockRetry while another replica has it.
func (a *Adapter) poll(ctx context.Context) {
	waiting := false
	for {
		lock, ok, err := a.cfg.Store.TryLock(ctx, pollingLock)
		switch {
		case ctx.Err() != nil:
			if ok {
				lock.Release()
			}
			return
		case err != nil:
			slog.WarnContext(ctx, "telegram: cannot take the polling lock", "err", err)
		case ok:
			slog.InfoContext(ctx, "telegram: long polling on this replica")
			waiting = false
			a.pollHolding(ctx, lock)
		case !waiting:
			slog.InfoContext(ctx, "telegram: another replica is long polling; standing by")
			waiting = true
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(a.lockRetry):
		}
	}
}

// pollHolding runs getUpdates until ctx ends or the lock is lost.
// https://core.telegram.org/bots/api#deletewebhook
func (a *Adapter) pollHolding(ctx context.Context, lock *store.Lock) {
	defer lock.Release()
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-lock.Done:
			slog.WarnContext(ctx, "telegram: lost the polling lock; stopping")
			cancel()
		case <-pctx.Done():
		}
	}()
	// getUpdates answers 409 while a webhook is set.
	if _, err := a.api.DeleteWebhook(pctx, &tg.DeleteWebhookParams{}); err != nil {
		if pctx.Err() == nil {
			slog.WarnContext(ctx, "telegram: deleteWebhook failed", "err", scrub(err.Error(), a.cfg.Token))
		}
		return
	}
	a.pollUpdates(pctx)
}

// WebhookHandler receives Telegram's webhook posts; mount it at POST
// WebhookPath. A request without the configured secret in
// X-Telegram-Bot-Api-Secret-Token is answered 401 and not looked at, as is
// every request when webhook mode is off; refusals are counted and logged
// at most once a minute (Config.Refusals). Bodies are capped at 1 MiB.
//
// An update is answered 200 only once it is handled (or was before, or
// needs nothing), and 503 when it could not be: not running (yet, or any
// more), its chat's queue full, stopped before handling it, or another
// replica holding it (store.LeaseClaim). Telegram then delivers it again,
// through the load balancer to this replica or another. A replica that
// dies while handling an update answers nothing; its lease runs out and a
// later delivery is handled elsewhere.
// https://core.telegram.org/bots/api#setwebhook
func (a *Adapter) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !web.PostOnly(w, r) {
			return
		}
		secret := a.cfg.WebhookSecret
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			a.cfg.Refusals.Refuse(r.Context(), WebhookPath, "bad_secret")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, ok := web.ReadBody(w, r, maxWebhookBody)
		if !ok {
			return
		}
		var u models.Update
		if err := json.Unmarshal(body, &u); err != nil {
			a.cfg.Refusals.Refuse(r.Context(), WebhookPath, "bad_update", "err", err)
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		d := a.accept(&u)
		if d == nil {
			// Not running (yet, or any more): Telegram will deliver again.
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		if !d.wait(r.Context()) {
			http.Error(w, "not handled; deliver again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// scrub removes the bot token from a text bound for a log or an error.
func scrub(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "***")
}
