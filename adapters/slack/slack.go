// Package slack is trackbot's Slack adapter. It receives slash commands,
// button presses, mentions and direct messages — over Socket Mode when an
// app-level token is configured, over signed HTTP requests otherwise —
// hands them to the conversation core, and renders the core's replies as
// Block Kit messages. Alerts for one shipment go into one thread per
// channel; the App Home tab and a daily digest show what needs attention.
//
// The adapter decides nothing about what to say: every sentence comes from
// the core, the digest and the App Home included, and every user or
// carrier string is escaped for Slack's mrkdwn so that it can never
// mention anybody.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
	"golang.org/x/sync/errgroup"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/limiter"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/web"
)

// Command is the slash command that carries every trackbot command as a
// sub-command ("/track list"); manifest.yaml declares it.
const Command = "/track"

// The paths of the HTTP handlers, under trackbot's public address, as
// manifest.yaml names them.
const (
	CommandsPath     = "/slack/commands"
	InteractionsPath = "/slack/interactions"
	EventsPath       = "/slack/events"
)

// Config wires an Adapter.
type Config struct {
	// BotToken is the bot user's OAuth token (xoxb-…); required.
	BotToken string
	// AppToken is an app-level token (xapp-…, scope connections:write).
	// When set, Run receives everything over Socket Mode; otherwise only
	// the HTTP handlers receive.
	AppToken string
	// SigningSecret verifies the HTTP requests Slack sends; without it
	// the HTTP handlers refuse every request.
	SigningSecret string
	// APIURL is the Web API base; https://slack.com/api/ when empty.
	APIURL string
	// Store holds the chats the digest and the App Home are for, and the
	// claims that keep events and digests from being taken twice.
	Store *store.Store
	// Attention words the digest and the App Home: the conversation core.
	Attention Attention
	// Clock tells the time of the digest and of cached look-ups; the wall
	// clock when nil.
	Clock tracking.Clock
	// DigestHour is the local hour (0–23, in each channel's time zone) of
	// the daily "needs attention" digest. A negative hour switches the
	// digest off.
	DigestHour int
	// Refusals counts and logs the HTTP requests refused as unsigned or
	// stale (web.Server's); nil logs them, at most once a minute, without
	// counting.
	Refusals *web.Refusals
}

// Adapter connects trackbot to Slack. It is safe for concurrent use.
type Adapter struct {
	api        *slackgo.Client
	appToken   string
	secret     string
	refusals   *web.Refusals
	store      *store.Store
	attention  Attention
	clock      tracking.Clock
	digestHour int

	// ready is closed once Run has set handler and botUser; the HTTP
	// handlers answer 503 before.
	ready   chan struct{}
	handler bot.Handler
	botUser string
	workCtx context.Context

	// channels paces posts per channel, by the wall clock (see post).
	channels *limiter.Keyed[string]

	mu      sync.Mutex
	stopped bool
	work    sync.WaitGroup
	langs   map[string]cachedLang // user id → locale
}

var (
	_ bot.Adapter  = (*Adapter)(nil)
	_ bot.Threader = (*Adapter)(nil)
)

// New returns an adapter. It does not talk to Slack until Run.
func New(cfg Config) (*Adapter, error) {
	if cfg.BotToken == "" {
		return nil, errors.New("slack: a bot token is required")
	}
	if cfg.Store == nil || cfg.Attention == nil {
		return nil, errors.New("slack: a store and the conversation core's attention are required")
	}
	apiURL := cfg.APIURL
	if apiURL == "" {
		apiURL = slackgo.APIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		// The SDK appends method names to the base as they are.
		apiURL += "/"
	}
	opts := []slackgo.Option{
		slackgo.OptionAPIURL(apiURL),
		slackgo.OptionHTTPClient(&http.Client{Timeout: 30 * time.Second}),
	}
	if cfg.AppToken != "" {
		opts = append(opts, slackgo.OptionAppLevelToken(cfg.AppToken))
	}
	clock := cfg.Clock
	if clock == nil {
		clock = tracking.SystemClock{}
	}
	hour := cfg.DigestHour
	if hour > 23 {
		return nil, fmt.Errorf("slack: digest hour %d is not an hour of the day", hour)
	}
	return &Adapter{
		api: slackgo.New(cfg.BotToken, opts...), appToken: cfg.AppToken, secret: cfg.SigningSecret, refusals: cfg.Refusals,
		store: cfg.Store, attention: cfg.Attention, clock: clock, digestHour: hour,
		ready: make(chan struct{}), langs: map[string]cachedLang{},
		channels: limiter.NewKeyed[string](channelRate, channelBurst),
	}, nil
}

// Platform is bot.Slack.
func (a *Adapter) Platform() bot.Platform { return bot.Slack }

// The posting rate of a channel: Slack allows about one message a second
// per channel, and tolerates short bursts.
// https://docs.slack.dev/reference/methods/chat.postMessage#rate_limiting
const (
	channelRate  = 1
	channelBurst = 3
)

// Run serves Slack until ctx ends, handing every message to h. It checks
// the bot token (https://docs.slack.dev/reference/methods/auth.test), then
// runs Socket Mode when an app token is configured and the daily digest.
// Without an app token it only enables the HTTP handlers, which the
// caller mounts. Run waits for the messages in progress before it returns;
// call it once.
//
// With several replicas, the digest runs on one of them at a time: it holds
// the store's "slack-digest" lock while it works.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	auth, err := a.authTest(ctx)
	if err != nil {
		return err
	}
	a.handler, a.botUser, a.workCtx = h, auth.UserID, context.WithoutCancel(ctx)
	digest := a.digestHour >= 0
	close(a.ready)
	slog.InfoContext(ctx, "slack connected", "team", auth.TeamID, "bot_user", auth.UserID, "socket_mode", a.appToken != "")

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		<-gctx.Done() // the HTTP handlers serve until then
		return nil
	})
	if digest {
		g.Go(func() error { return a.digestLoop(gctx) })
	}
	if a.appToken != "" {
		g.Go(func() error { return a.runSocketMode(gctx) })
	}
	err = g.Wait()

	a.mu.Lock()
	a.stopped = true
	a.mu.Unlock()
	a.work.Wait()
	return err
}

// authTest identifies the bot. Slack refusing the token ends it at once;
// an unreachable Slack is asked again, less and less often, until ctx ends.
// https://docs.slack.dev/reference/methods/auth.test
func (a *Adapter) authTest(ctx context.Context) (*slackgo.AuthTestResponse, error) {
	wait := time.Second
	for {
		auth, err := a.api.AuthTestContext(ctx)
		var refused slackgo.SlackErrorResponse
		if err == nil || errors.As(err, &refused) || ctx.Err() != nil {
			if err != nil {
				return nil, fmt.Errorf("slack: auth.test: %w", err)
			}
			return auth, nil
		}
		slog.WarnContext(ctx, "slack unreachable; trying again", "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("slack: auth.test: %w", err)
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// spawn runs fn in the background with a context that outlives the
// request that caused it (Slack wants an answer within 3 s) but not the
// adapter. It reports false when the adapter is not running.
func (a *Adapter) spawn(fn func(ctx context.Context)) bool {
	select {
	case <-a.ready:
	default:
		return false
	}
	a.mu.Lock()
	if a.stopped {
		a.mu.Unlock()
		return false
	}
	a.work.Add(1)
	a.mu.Unlock()
	go func() {
		defer a.work.Done()
		ctx, cancel := context.WithTimeout(a.workCtx, time.Minute)
		defer cancel()
		fn(ctx)
	}()
	return true
}

// Send posts a push to a chat.
// https://docs.slack.dev/reference/methods/chat.postMessage
func (a *Adapter) Send(ctx context.Context, chat bot.ChatRef, r bot.Reply) error {
	_, err := a.post(ctx, chat.ID, "", false, r)
	return err
}

// SendInThread posts a push into the shipment's thread of a channel: the
// first push starts the thread and its timestamp becomes the thread's
// reference; later pushes reply in it, and an urgent one is also
// broadcast to the channel. Private chats get no threads.
// https://docs.slack.dev/reference/methods/chat.postMessage#threads
func (a *Adapter) SendInThread(ctx context.Context, chat bot.ChatRef, thread string, r bot.Reply) (string, error) {
	if chat.Kind == bot.Private {
		return "", a.Send(ctx, chat, r)
	}
	msg, err := a.post(ctx, chat.ID, thread, r.Urgent, r)
	if err != nil {
		return "", err
	}
	if thread == "" || msg.Timestamp != "" && msg.ThreadTimestamp == "" {
		// A new thread; or the thread's first message was deleted and
		// Slack posted this one on its own: it starts the thread now.
		return msg.Timestamp, nil
	}
	return thread, nil
}

// post sends one message, in a thread when thread is set. It is how pushes
// and the digest reach a channel, and it alone keeps to the channel's
// posting rate (channelRate), waiting by the wall clock: the notifier paces
// nothing, and replies answer a person's own command, which the bot's
// command rate already bounds.
func (a *Adapter) post(ctx context.Context, channel, thread string, broadcast bool, r bot.Reply) (slackgo.Message, error) {
	if d := a.channels.Reserve(channel, time.Now()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return slackgo.Message{}, ctx.Err()
		case <-t.C:
		}
	}
	blocks, text := render(r)
	opts := []slackgo.MsgOption{slackgo.MsgOptionText(text, false), slackgo.MsgOptionBlocks(blocks...)}
	if thread != "" {
		opts = append(opts, slackgo.MsgOptionTS(thread))
		if broadcast {
			opts = append(opts, slackgo.MsgOptionBroadcast())
		}
	}
	_, ts, msg, err := a.api.PostMessageWithResponseContext(ctx, channel, opts...)
	if err != nil {
		return slackgo.Message{}, classify("chat.postMessage", err)
	}
	if msg.Timestamp == "" {
		msg.Timestamp = ts
	}
	return msg, nil
}

// goneErrors are the Web API errors after which a channel can never be
// posted to again.
var goneErrors = map[string]bool{
	"channel_not_found": true,
	"not_in_channel":    true,
	"is_archived":       true,
	"account_inactive":  true,
}

// classify maps Slack's errors onto the core's: a rate limit becomes a
// *bot.RetryError, a channel that is gone wraps bot.ErrChatGone.
func classify(method string, err error) error {
	var rl *slackgo.RateLimitedError
	if errors.As(err, &rl) {
		return &bot.RetryError{After: rl.RetryAfter, Err: fmt.Errorf("slack: %s: %w", method, err)}
	}
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) && goneErrors[se.Err] {
		return fmt.Errorf("slack: %s: %w: %w", method, bot.ErrChatGone, err)
	}
	return fmt.Errorf("slack: %s: %w", method, err)
}

// runSocketMode receives commands, button presses and events over a
// WebSocket, acknowledging each at once.
// https://docs.slack.dev/apis/events-api/using-socket-mode
func (a *Adapter) runSocketMode(ctx context.Context) error {
	sm := socketmode.New(a.api, socketmode.OptionLog(slog.NewLogLogger(slog.Default().Handler(), slog.LevelDebug)))
	done := make(chan error, 1)
	go func() { done <- sm.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack: socket mode: %w", err)
		case evt := <-sm.Events:
			a.onSocketEvent(ctx, sm, evt)
		}
	}
}

func (a *Adapter) onSocketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	ack := func(payload any) {
		if evt.Request == nil {
			return
		}
		if err := sm.AckCtx(ctx, evt.Request.EnvelopeID, payload); err != nil {
			slog.WarnContext(ctx, "slack: socket mode ack failed", "err", err)
		}
	}
	switch evt.Type {
	case socketmode.EventTypeConnected:
		slog.InfoContext(ctx, "slack socket mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage:
		slog.WarnContext(ctx, "slack socket mode trouble", "event", evt.Type, "detail", fmt.Sprint(evt.Data))
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slackgo.SlashCommand)
		if !ok {
			ack(nil)
			return
		}
		reply, _ := a.onCommand(cmd)
		ack(reply)
	case socketmode.EventTypeInteractive:
		// Scheduling the answer takes no time; acknowledge after it.
		if cb, ok := evt.Data.(slackgo.InteractionCallback); ok {
			a.onInteraction(cb)
		}
		ack(nil)
	case socketmode.EventTypeEventsAPI:
		if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			a.onEvent(ctx, ev)
		}
		ack(nil)
	}
}
