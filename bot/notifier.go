package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/wording"
)

// ErrChatGone is wrapped by an adapter's Send when the platform says the
// chat can never be reached again: the bot was blocked or removed, the
// chat or channel no longer exists.
var ErrChatGone = errors.New("bot: chat is gone")

// RetryError is returned by an adapter's Send when the platform asks to
// wait before trying again.
type RetryError struct {
	After time.Duration
	Err   error
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("bot: platform asks to retry after %s: %v", e.After, e.Err)
}

func (e *RetryError) Unwrap() error { return e.Err }

// MovedError is returned by an adapter's Send when the platform says the
// chat now lives under another id (a Telegram group upgraded to a
// supergroup). Nothing was delivered. The adapter only reports it: the
// notifier moves the chat, with its parcels, to To and sends again there.
type MovedError struct {
	To  string // the chat's new platform id
	Err error
}

func (e *MovedError) Error() string {
	return fmt.Sprintf("bot: chat moved to %s: %v", e.To, e.Err)
}

func (e *MovedError) Unwrap() error { return e.Err }

// Threader is an Adapter that keeps each shipment's pushes in one thread.
// SendInThread posts r into the thread (starting one when thread is "")
// and returns the thread's reference.
type Threader interface {
	SendInThread(ctx context.Context, chat ChatRef, thread string, r Reply) (string, error)
}

// maxAttempts is how often a push is tried before it is given up.
const maxAttempts = 8

// Notifier drains the outbox: it renders each push in its chat's language
// and sends it through the chat's platform, holding it back while the chat
// is muted or in quiet hours. A push is marked sent only once the platform
// accepted it.
//
// The notifier does not pace its sends: each adapter alone keeps to its
// platform's send rates (in all, per chat, per group), because replies to
// people go out through the adapter without passing the notifier, and a
// rate counted in two places is kept in neither. What the notifier owns is
// the outbox side of a rate limit: a push the platform refuses with a
// *RetryError waits in the outbox, not in a goroutine.
type Notifier struct {
	store    *store.Store
	catalog  *locales.Catalog
	clock    tracking.Clock
	adapters map[Platform]Adapter
	pushes   *prometheus.CounterVec
}

// SetMetrics counts the notifier's pushes in reg, by platform and outcome
// (sent, held, retry, failed, chat_gone).
func (n *Notifier) SetMetrics(reg prometheus.Registerer) {
	n.pushes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "trackbot_pushes_total",
		Help: "Pushes handled by the notifier, by platform and outcome.",
	}, []string{"platform", "outcome"})
	reg.MustRegister(n.pushes)
}

func (n *Notifier) count(platform, outcome string) {
	if n.pushes != nil {
		n.pushes.WithLabelValues(platform, outcome).Inc()
	}
}

// NewNotifier returns a notifier that sends through the given adapters.
func NewNotifier(st *store.Store, catalog *locales.Catalog, clock tracking.Clock, adapters ...Adapter) *Notifier {
	n := &Notifier{store: st, catalog: catalog, clock: clock, adapters: map[Platform]Adapter{}}
	for _, a := range adapters {
		n.adapters[a.Platform()] = a
	}
	return n
}

// keepSent is how long a finished push stays in the outbox as a record.
const keepSent = 30 * 24 * time.Hour

// keepClaims is how long a claim (store.Claim) and a day's provider
// request count are remembered: far longer than Slack retries an event,
// and a week of digest days.
const keepClaims = 7 * 24 * time.Hour

// Run sends due pushes every tick until ctx ends, and once an hour clears
// finished pushes older than a month out of the outbox, and claims and
// provider request counts older than a week.
func (n *Notifier) Run(ctx context.Context, tick time.Duration) error {
	var pruned time.Time
	return tracking.Every(ctx, "notifier round", tick, func(ctx context.Context) error {
		if _, err := n.RunOnce(ctx); err != nil {
			// Pruning waits for a round that works: the store is likely
			// down, and one line a round says so.
			return err
		}
		now := n.clock.Now()
		if now.Sub(pruned) < time.Hour {
			return nil
		}
		pruned = now
		var errs []error
		if _, err := n.store.PruneOutbox(ctx, now.Add(-keepSent)); err != nil {
			errs = append(errs, fmt.Errorf("pruning the outbox: %w", err))
		}
		if _, err := n.store.PruneClaims(ctx, now.Add(-keepClaims)); err != nil {
			errs = append(errs, fmt.Errorf("pruning claims: %w", err))
		}
		if err := n.store.PruneQuotas(ctx, now.Add(-keepClaims).UTC().Format(time.DateOnly)); err != nil {
			errs = append(errs, fmt.Errorf("pruning provider quotas: %w", err))
		}
		return errors.Join(errs...)
	})
}

// RunOnce sends every push that is due now and reports how many were sent.
// Pushes of one chat go out in order; chats are served side by side.
func (n *Notifier) RunOnce(ctx context.Context) (int, error) {
	sent := 0
	for {
		items, err := n.store.ClaimOutbox(ctx, n.clock.Now(), 2*time.Minute, 100)
		if err != nil || len(items) == 0 {
			return sent, err
		}
		claimed := len(items)
		if items, err = n.deferUnconnected(ctx, items); err != nil {
			return sent, err
		}
		byChat := map[int64][]store.OutboxItem{}
		var order []int64
		for _, it := range items {
			if _, ok := byChat[it.ChatID]; !ok {
				order = append(order, it.ChatID)
			}
			byChat[it.ChatID] = append(byChat[it.ChatID], it)
		}
		var mu sync.Mutex
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(8)
		for _, chatID := range order {
			g.Go(func() error {
				k, err := n.deliverChat(gctx, chatID, byChat[chatID])
				mu.Lock()
				sent += k
				mu.Unlock()
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return sent, err
		}
		if claimed < 100 {
			return sent, nil
		}
	}
}

// deferUnconnected puts the claimed pushes of chats whose platform is not
// connected in this process back for an hour, in one statement for the
// batch, and returns the others.
func (n *Notifier) deferUnconnected(ctx context.Context, items []store.OutboxItem) ([]store.OutboxItem, error) {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	platforms := make([]string, 0, len(n.adapters))
	for p := range n.adapters {
		platforms = append(platforms, string(p))
	}
	deferred, err := n.store.DeferUnconnected(ctx, ids, platforms, n.clock.Now().Add(time.Hour), "platform not connected")
	if err != nil || len(deferred) == 0 {
		return items, err
	}
	gone := make(map[int64]bool, len(deferred))
	for _, id := range deferred {
		gone[id] = true
	}
	return slices.DeleteFunc(items, func(it store.OutboxItem) bool { return gone[it.ID] }), nil
}

// deliverChat sends one chat's pushes in order. It stops at the first one
// that must wait, so that later pushes never overtake it.
func (n *Notifier) deliverChat(ctx context.Context, chatID int64, items []store.OutboxItem) (int, error) {
	chat, err := n.store.Chat(ctx, chatID)
	if err != nil {
		return 0, err
	}
	sent := 0
	for i, it := range items {
		wait, err := n.deliver(ctx, chat, it)
		if err != nil {
			return sent, err
		}
		if wait.IsZero() {
			sent++
			continue
		}
		later := make([]int64, 0, len(items)-i-1)
		for _, it := range items[i+1:] {
			later = append(later, it.ID)
		}
		return sent, n.store.DeferMany(ctx, later, wait, "behind an earlier push")
	}
	return sent, nil
}

// deliver sends one push. It returns the time the chat's pushes must wait
// until, or zero when the push is done with (sent, given up, or dropped).
func (n *Notifier) deliver(ctx context.Context, chat *store.Chat, it store.OutboxItem) (time.Time, error) {
	now := n.clock.Now()
	ad, ok := n.adapters[Platform(chat.Platform)]
	if !ok {
		// The platform is not connected in this process (the console chat
		// is closed, a token was removed): try again later.
		next := now.Add(time.Hour)
		return next, n.store.Defer(ctx, it.ID, next, false, "platform not connected")
	}
	var tr *store.Tracked
	if it.SubscriptionID != nil {
		t, err := n.store.Subscription(ctx, chat.ID, *it.SubscriptionID)
		if err != nil {
			return time.Time{}, err
		}
		tr = &t
	}
	if until, why := holdUntil(chat, tr, now); !until.IsZero() {
		n.count(chat.Platform, "held")
		return until, n.store.Defer(ctx, it.ID, until, false, why)
	}
	reply, err := n.render(ctx, chat, tr, it)
	if err != nil {
		slog.ErrorContext(ctx, "cannot render push; dropping it", "outbox", it.ID, "err", err)
		return time.Time{}, n.store.FailPush(ctx, it.ID, "render: "+err.Error())
	}
	ref := ChatRef{Platform: Platform(chat.Platform), Team: chat.TeamID, ID: chat.ExternalID, Kind: ChatKind(chat.Kind)}
	sendErr := n.send(ctx, ad, ref, tr, reply)
	var moved *MovedError
	if errors.As(sendErr, &moved) {
		if err := n.move(ctx, chat, moved.To); err != nil {
			return time.Time{}, err
		}
		ref.ID = chat.ExternalID
		sendErr = n.send(ctx, ad, ref, tr, reply)
	}
	var retry *RetryError
	switch {
	case sendErr == nil:
		n.count(chat.Platform, "sent")
		return time.Time{}, n.store.MarkSent(ctx, it.ID, n.clock.Now())
	case errors.Is(sendErr, ErrChatGone):
		n.count(chat.Platform, "chat_gone")
		slog.WarnContext(ctx, "chat unreachable; deactivating it", "chat", chat.ID, "platform", chat.Platform, "err", sendErr)
		return time.Time{}, n.store.DeactivateChat(ctx, chat.ID, sendErr.Error(), now)
	case errors.As(sendErr, &retry):
		n.count(chat.Platform, "retry")
		next := n.clock.Now().Add(retry.After)
		return next, n.store.Defer(ctx, it.ID, next, true, sendErr.Error())
	case it.Attempts+1 >= maxAttempts:
		n.count(chat.Platform, "failed")
		slog.ErrorContext(ctx, "push failed too often; giving up", "outbox", it.ID, "err", sendErr)
		return time.Time{}, n.store.FailPush(ctx, it.ID, sendErr.Error())
	}
	n.count(chat.Platform, "retry")
	next := now.Add(backoff(it.Attempts))
	slog.WarnContext(ctx, "push failed; will retry", "outbox", it.ID, "retry_at", next, "err", sendErr)
	return next, n.store.Defer(ctx, it.ID, next, true, sendErr.Error())
}

// move records that the platform moved a chat to a new id: the chat and
// its parcels move there (merging into the chat already under that id, if
// any), and the chat's later pushes go there.
func (n *Notifier) move(ctx context.Context, chat *store.Chat, to string) error {
	if err := n.store.MoveChat(ctx, chat.Platform, chat.TeamID, chat.ExternalID, to); err != nil {
		return err
	}
	slog.InfoContext(ctx, "chat moved to a new id", "platform", chat.Platform, "from", chat.ExternalID, "to", to)
	chat.ExternalID = to
	return nil
}

func (n *Notifier) send(ctx context.Context, ad Adapter, ref ChatRef, tr *store.Tracked, reply Reply) error {
	th, ok := ad.(Threader)
	if !ok || tr == nil {
		return ad.Send(ctx, ref, reply)
	}
	thread, err := th.SendInThread(ctx, ref, tr.Sub.ThreadRef, reply)
	if err != nil {
		return err
	}
	if thread != "" && thread != tr.Sub.ThreadRef {
		return n.store.UpdateSubscription(ctx, tr.Sub.ChatID, tr.Sub.ID, store.SubscriptionSettings{ThreadRef: &thread})
	}
	return nil
}

// backoff is the wait after the given number of failed attempts: 30 s,
// doubling, at most an hour.
func backoff(attempts int) time.Duration {
	return min(30*time.Second<<min(attempts, 7), time.Hour)
}

// holdUntil says whether a push must wait, and until when: while the chat
// or the shipment is muted (until unmuted, which releases it), snoozed, or
// in the chat's quiet hours.
func holdUntil(chat *store.Chat, tr *store.Tracked, now time.Time) (time.Time, string) {
	if chat.Muted || tr != nil && tr.Sub.Muted {
		return now.Add(24 * time.Hour), "muted"
	}
	if tr != nil && tr.Sub.SnoozedUntil != nil && tr.Sub.SnoozedUntil.After(now) {
		return *tr.Sub.SnoozedUntil, "snoozed"
	}
	if chat.QuietStart != nil && chat.QuietEnd != nil {
		if end, quiet := quietEnd(*chat.QuietStart, *chat.QuietEnd, now.In(location(chat.Timezone))); quiet {
			return end.UTC(), "quiet hours"
		}
	}
	return time.Time{}, ""
}

// quietEnd reports whether local time is within [start, end) hours, which
// may wrap past midnight, and when the quiet ends.
func quietEnd(start, end int, local time.Time) (time.Time, bool) {
	h := local.Hour()
	in := start < end && h >= start && h < end || start > end && (h >= start || h < end)
	if !in {
		return time.Time{}, false
	}
	day := time.Date(local.Year(), local.Month(), local.Day(), end, 0, 0, 0, local.Location())
	if !day.After(local) {
		day = day.AddDate(0, 0, 1)
	}
	return day, true
}

// render turns an outbox row into a push in the chat's language.
func (n *Notifier) render(ctx context.Context, chat *store.Chat, tr *store.Tracked, it store.OutboxItem) (Reply, error) {
	loc := n.catalog.Localizer(chat.Language)
	t := &turn{ctx: ctx, loc: loc, tz: location(chat.Timezone), now: n.clock.Now(), chat: chat}
	notice, err := tracking.DecodeNotice(it.Kind, []byte(it.Payload))
	if err != nil {
		return Reply{}, err
	}
	switch notice.Kind {
	case tracking.NoticeStatus:
		return t.statusPush(tr, *notice.Status), nil
	case tracking.NoticeGuidance:
		return t.guidancePush(tr, *notice.Guidance), nil
	case tracking.NoticeStopped:
		return t.stoppedPush(tr, *notice.Stopped), nil
	case tracking.NoticeOrders:
		return t.ordersPush(*notice.Orders), nil
	}
	return Reply{}, fmt.Errorf("unknown push kind %q", it.Kind)
}

func pushName(tr *store.Tracked, number string) string {
	if tr != nil && tr.Sub.Label != "" {
		return tr.Sub.Label + " · " + number
	}
	return number
}

func subButtons(t *turn, tr *store.Tracked) []Button {
	if tr == nil {
		return nil
	}
	id := strconv.FormatInt(tr.Sub.ID, 10)
	buttons := []Button{{Label: t.T("button_details", nil), Action: "info", Payload: id}}
	if t.chat.Platform == string(Slack) {
		buttons = append(buttons,
			Button{Label: t.T("button_ack", nil), Action: "ack", Payload: id},
			Button{Label: t.T("button_snooze", nil), Action: "snooze", Payload: id})
	}
	return append(buttons, Button{Label: t.T("button_mute", nil), Action: "mute", Payload: id})
}

// statusPush tells a chat that a shipment moved.
func (t *turn) statusPush(tr *store.Tracked, p tracking.StatusNotice) Reply {
	title := "push_status"
	if p.Unchanged {
		title = "push_scan"
	}
	lines := []string{t.T(title, map[string]any{"Status": t.statusName(p.Status, p.Substatus)})}
	e := p.Event
	what := t.eventText(e)
	if place := e.Location.String(); place != "" {
		what += " — " + place
	}
	lines = append(lines, t.date(e.Time)+"  "+what)
	if passed := t.passedNames(p.Passed); passed != "" {
		lines = append(lines, t.T("push_passed", map[string]any{"Statuses": passed}))
	} else if p.NewEvents > 1 {
		lines = append(lines, t.loc.N("push_more_events", p.NewEvents-1, nil))
	}
	// The new leg's carrier is named as the card names it: for the
	// newest leg, whoever tracking.HandedOver says carries it there.
	legs := &tracking.Shipment{Number: p.Number, Carrier: p.Carrier, Status: p.Status, Legs: p.NewLegs}
	if tr != nil && tr.Shipment != nil {
		legs.OriginCountry, legs.DestinationCountry = tr.Shipment.OriginCountry, tr.Shipment.DestinationCountry
	}
	for i, l := range p.NewLegs {
		lines = append(lines, t.T("push_new_leg", map[string]any{"NewNumber": l.Number, "Carrier": wording.New(t.loc).LegCarrier(legs, i)}))
	}
	if tr != nil && tr.Sub.OrderRef != "" {
		lines = append(lines, t.T("card_order", map[string]any{"Order": tr.Sub.OrderRef}))
	}
	blocks := []Block{
		{Text: &Text{Title: true, Body: pushName(tr, p.Number)}},
		{Text: &Text{Body: strings.Join(lines, "\n")}},
	}
	// The advice the same refresh fired comes in the alert, as its own
	// push would say it: one event, one message.
	blocks = append(blocks, t.adviceBlocks(p.Advice)...)
	if b := subButtons(t, tr); b != nil {
		// The advice's buttons follow "Details", as in the advice's push.
		b = slices.Insert(b, 1, adviceButtons(t, tr, p.Advice)...)
		blocks = append(blocks, Block{Buttons: b})
	}
	return Reply{Blocks: blocks, Urgent: tracking.NeedsAction(p.Status, p.Substatus) || urgentAdvice(p.Advice)}
}

// passedNames names the statuses a folded push passed through, newest
// first as in a card's timeline, so that a chat that heard nothing while
// they happened still learns each of them; "" when there are none.
func (t *turn) passedNames(steps []tracking.StatusStep) string {
	names := make([]string, 0, len(steps))
	for i := len(steps) - 1; i >= 0; i-- {
		names = append(names, t.statusName(steps[i].Status, steps[i].Substatus))
	}
	return strings.Join(names, t.T("push_passed_separator", nil))
}

// guidancePush tells a chat what a shipment's situation means and what to
// do next.
func (t *turn) guidancePush(tr *store.Tracked, p tracking.GuidanceNotice) Reply {
	advice := []tracking.GuidanceNotice{p}
	blocks := append([]Block{{Text: &Text{Title: true, Body: pushName(tr, p.Number)}}}, t.adviceBlocks(advice)...)
	if tr != nil {
		id := strconv.FormatInt(tr.Sub.ID, 10)
		buttons := []Button{{Label: t.T("button_details", nil), Action: "info", Payload: id}}
		blocks = append(blocks, Block{Buttons: append(buttons, adviceButtons(t, tr, advice)...)})
	}
	return Reply{Blocks: blocks, Urgent: urgentAdvice(advice)}
}

// stoppedPush tells a chat that polling stopped after a long silence.
func (t *turn) stoppedPush(tr *store.Tracked, p tracking.StoppedNotice) Reply {
	blocks := []Block{
		{Text: &Text{Title: true, Body: pushName(tr, p.Number)}},
		{Text: &Text{Body: t.loc.N("push_stopped", p.SilentDays, nil)}},
	}
	if tr != nil {
		blocks = append(blocks, Block{Buttons: []Button{{Label: t.T("button_resume", nil), Action: "resume", Payload: strconv.FormatInt(tr.Sub.ID, 10)}}})
	}
	return Reply{Blocks: blocks}
}
