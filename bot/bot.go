package bot

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/trackbot/trackbot/limiter"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
)

// Config wires a Bot.
type Config struct {
	Store   *store.Store
	Engine  *tracking.Engine
	Catalog *locales.Catalog
	Clock   tracking.Clock
	// PublicURL is where tracking pages are served; sharing is off
	// without it.
	PublicURL string
	// ShareLinkTTL is how long a shared tracking page stays open; zero
	// keeps it open until it is revoked.
	ShareLinkTTL time.Duration
	// ShopifySecret verifies the deliveries of Shopify feeds that were
	// given no key of their own (SHOPIFY_WEBHOOK_SECRET, for one shop).
	ShopifySecret string
	// ParcelLimit is how many parcels one chat may follow;
	// DefaultParcelLimit when zero.
	ParcelLimit int
}

// Bot is the conversation core.
type Bot struct {
	store     *store.Store
	engine    *tracking.Engine
	catalog   *locales.Catalog
	clock     tracking.Clock
	publicURL string
	shareTTL  time.Duration
	// shopifySecret is Config.ShopifySecret; never logged.
	shopifySecret string
	// parcelLimit is how many parcels one chat may follow.
	parcelLimit int

	// commands is the per-chat command rate: a burst of ten, then one
	// every two seconds.
	commands *limiter.Keyed[int64]
}

// New returns a Bot.
func New(cfg Config) *Bot {
	clock := cfg.Clock
	if clock == nil {
		clock = tracking.SystemClock{}
	}
	limit := cfg.ParcelLimit
	if limit <= 0 {
		limit = DefaultParcelLimit
	}
	return &Bot{store: cfg.Store, engine: cfg.Engine, catalog: cfg.Catalog, clock: clock,
		publicURL: strings.TrimRight(cfg.PublicURL, "/"), shareTTL: cfg.ShareLinkTTL, shopifySecret: cfg.ShopifySecret,
		parcelLimit: limit,
		commands:    limiter.NewKeyed[int64](rate.Every(2*time.Second), 10)}
}

var _ Handler = (*Bot)(nil)

// turn is one message being answered: the chat, its language and time
// zone.
type turn struct {
	b    *Bot
	ctx  context.Context
	msg  Message
	chat *store.Chat
	loc  *locales.Localizer
	tz   *time.Location
	now  time.Time
	// cmd names the command typed ("remove" for /delete too); "" for
	// plain text and buttons.
	cmd string
}

func (t *turn) T(id string, data map[string]any) string { return t.loc.T(id, data) }

func (t *turn) text(id string, data map[string]any) []Reply {
	return []Reply{TextReply(t.loc.T(id, data))}
}

// Handle answers one message. A typed command always gets an answer:
// unknown input gets a hint. In groups, chatter without a command or a
// tracking number gets none, so the bot does not talk over people.
func (b *Bot) Handle(ctx context.Context, m Message) []Reply {
	t := &turn{b: b, ctx: ctx, msg: m, now: b.clock.Now()}
	t.loc = b.catalog.Localizer(m.Language)
	if len(m.Text) > maxMessage {
		return t.text("error_too_long", map[string]any{"Max": maxMessage})
	}
	// Refused whole, before the chat's row is written: a label, an order
	// reference or a search may be anywhere in a command, and cleaning the
	// text would store something other than what was typed. Chatter in a
	// group is not answered, as any chatter without a command or a number.
	if !tracking.StorableText(m.Text) {
		if group := m.Chat.Kind == Group || m.Chat.Kind == Channel; group && isChatter(m.Text) {
			return nil
		}
		return t.text("error_unstorable_text", nil)
	}
	role := roleBuyer
	if m.Chat.Platform == Slack {
		role = roleSeller
	}
	kind := m.Chat.Kind
	if kind == "" {
		kind = Private
	}
	chat, err := b.store.EnsureChat(ctx, string(m.Chat.Platform), m.Chat.Team, m.Chat.ID, string(kind), role, t.now)
	if err != nil {
		return t.fail(err)
	}
	t.chat = chat
	if chat.Language != "" {
		t.loc = b.catalog.Localizer(chat.Language)
	}
	t.tz = location(chat.Timezone)
	// The console is one person at their own terminal, often pasting a
	// script: nobody to protect the others from.
	if m.Chat.Platform != Console && !b.allow(chat.ID, t.now) {
		return t.text("error_slow_down", nil)
	}
	if m.Action != nil {
		return t.action(*m.Action)
	}
	if m.File != nil {
		return t.importFile(*m.File)
	}
	cmd, args := parseCommand(m.Text)
	if cmd == "" {
		return t.plain(args)
	}
	if c, ok := LookupCommand(cmd); ok {
		t.cmd = c.Name
		return c.handle(t, args)
	}
	return t.text("unknown", nil)
}

// adminOnly returns nil when the person may delete what the chat shares,
// and the refusal otherwise. In a private chat the person owns what it
// tracks; in a group or channel only an admin does (see Admins).
func (t *turn) adminOnly() []Reply {
	if t.msg.Chat.Kind != Group && t.msg.Chat.Kind != Channel {
		return nil
	}
	admins, ok := t.msg.Via.(Admins)
	if !ok {
		return t.text("error_admin_only", nil)
	}
	admin, err := admins.IsAdmin(t.ctx, t.msg.Chat, t.msg.User)
	if err != nil {
		return t.fail(err)
	}
	if !admin {
		return t.text("error_admin_only", nil)
	}
	return nil
}

// working tells the adapter, when it can show it, that the answer waits
// for a lookup; the returned stop ends that.
func (t *turn) working() (stop func()) {
	ind, ok := t.msg.Via.(Indicator)
	if !ok {
		return func() {}
	}
	return ind.Working(t.ctx, t.msg.Chat, t.T("working", nil))
}

// isChatter reports group text the bot does not answer: no command and no
// tracking number in it.
func isChatter(text string) bool {
	cmd, args := parseCommand(text)
	return cmd == "" && len(tracking.FindNumbers(args)) == 0 && len(tracking.FindMistyped(args)) == 0
}

// allow applies the per-chat command rate: a burst of ten, then one every
// two seconds.
func (b *Bot) allow(chatID int64, now time.Time) bool {
	return b.commands.Allow(chatID, now)
}

// fail answers an unexpected error with an apology; the details go to the
// log, never to the chat.
func (t *turn) fail(err error) []Reply {
	slog.ErrorContext(t.ctx, "handling a message failed", "platform", t.msg.Chat.Platform, "err", err)
	return t.text("error_internal", nil)
}

// plain handles text without a command: the tracking numbers in it are
// tracked (private chats) or offered (groups).
func (t *turn) plain(text string) []Reply {
	numbers := tracking.FindNumbers(text)
	group := t.msg.Chat.Kind == Group || t.msg.Chat.Kind == Channel
	// Numbers with a failed check digit are named, so that a typo in a
	// pasted list does not silently drop a parcel; a group hears about
	// them only along with an offer, not in every message that has one.
	var mistyped []Reply
	if len(numbers) > 0 || !group {
		for _, n := range tracking.FindMistyped(text) {
			mistyped = append(mistyped, t.text("error_mistyped", map[string]any{"Number": n})...)
		}
	}
	if len(numbers) == 0 && len(mistyped) > 0 {
		return mistyped
	}
	if len(numbers) == 0 {
		if group {
			return nil
		}
		// A lone token that looks like a number but fits no format is
		// still worth a try: an aggregator may know it.
		if words := fields(text); len(words) == 1 && tracking.LooksLikeNumber(words[0]) {
			return t.track(tracking.NormalizeNumber(words[0]))
		}
		return t.text("unknown", nil)
	}
	if !group && len(numbers) > bulkFrom {
		return t.pasted(numbers, tracking.FindMistyped(text))
	}
	// A group is offered buttons for ten numbers at most; the others are
	// counted, not dropped in silence.
	offerNote := ""
	if len(numbers) > 10 {
		offerNote = "\n" + t.T("offer_track_more", map[string]any{"Count": len(numbers) - 10})
		numbers = numbers[:10]
	}
	if !group {
		var out []Reply
		for _, n := range numbers {
			out = append(out, t.track(n)...)
		}
		return append(out, mistyped...)
	}
	buttons := make([]Button, 0, len(numbers))
	for _, n := range numbers {
		buttons = append(buttons, Button{Label: t.T("button_track_number", map[string]any{"Number": n}), Action: "track", Payload: n})
	}
	return append([]Reply{{Blocks: []Block{
		{Text: &Text{Body: t.loc.N("offer_track", len(numbers), nil) + offerNote}},
		{Buttons: buttons},
	}}}, mistyped...)
}

// track starts tracking what "/track" was given: a number with its label
// and order, or a list pasted under it, a parcel a line (importPasted).
func (t *turn) track(args string) []Reply {
	if pastedList(args) {
		return t.importPasted(args)
	}
	a, ok := parseTrack(args)
	if !ok && strings.TrimSpace(args) != "" {
		// Something was given, but nothing in it can be a number.
		return t.text("error_bad_number", map[string]any{"Number": clip(strings.TrimSpace(args), 40)})
	}
	if !ok {
		return t.text("track_usage", nil)
	}
	return t.trackNumber(a, "")
}

// trackNumber tracks a number for the chat with a carrier, detecting one
// when none is given.
func (t *turn) trackNumber(a trackArgs, carrier string) []Reply {
	if len([]rune(a.label)) > maxLabel {
		return t.text("error_label_too_long", map[string]any{"Limit": maxLabel})
	}
	if len([]rune(a.orderRef)) > maxLabel {
		return t.text("error_order_too_long", map[string]any{"Limit": maxLabel})
	}
	d := tracking.Detect(a.number)
	if !tracking.ValidNumber(d.Number) {
		return t.text("error_bad_number", map[string]any{"Number": clip(a.number, 40)})
	}
	if d.Mistyped {
		return t.text("error_mistyped", map[string]any{"Number": d.Number})
	}
	var alternatives []tracking.Candidate
	if carrier == "" && len(d.Candidates) > 0 {
		carrier = d.Candidates[0].Carrier
		for _, c := range d.Candidates[1:] {
			if c.Checksum != tracking.ChecksumInvalid && d.Candidates[0].Confidence-c.Confidence < 0.2 {
				alternatives = append(alternatives, c)
			}
		}
	}
	// A parcel tracked already is answered with its card; a label or
	// order reference given with it goes through Engine.Track, which
	// stores them on the existing subscription.
	if existing, err := t.b.store.FindSubscription(t.ctx, t.chat.ID, d.Number); err == nil && existing.Shipment.Carrier == carrier &&
		a.label == "" && a.orderRef == "" {
		return t.card(existing, t.T("track_already", map[string]any{"Number": d.Number}), false)
	}
	stop := t.working()
	res, err := t.b.engine.Track(t.ctx, tracking.TrackRequest{ChatID: t.chat.ID, Number: d.Number, Carrier: carrier,
		Label: a.label, OrderRef: a.orderRef, Limit: t.b.parcelLimit})
	stop()
	if errReply := t.trackFailed(err, d.Number, carrier); errReply != nil {
		return errReply
	}
	tr, err := t.b.store.Subscription(t.ctx, t.chat.ID, res.SubscriptionID)
	if err != nil {
		return t.fail(err)
	}
	started := t.promise("track_started")
	if tr.Shipment.Status.Final() {
		// Delivered or returned: it will not move again.
		started = "track_started_final"
	}
	intro := t.T(started, map[string]any{"Number": d.Number, "Carrier": t.carrierName(tr.Shipment.Carrier)})
	if !res.New {
		intro = t.T("track_already", map[string]any{"Number": d.Number})
	}
	if res.LookupErr != nil {
		intro += "\n" + t.lookupProblem(res.LookupErr)
	}
	replies := t.card(tr, intro, false)
	if len(alternatives) > 0 {
		buttons := make([]Button, 0, len(alternatives))
		for _, c := range alternatives {
			buttons = append(buttons, Button{Label: t.carrierName(c.Carrier), Action: "carrier", Payload: strconv.FormatInt(tr.Sub.ID, 10) + "|" + c.Carrier})
		}
		replies = append(replies, Reply{Blocks: []Block{
			{Text: &Text{Body: t.T("track_ambiguous", map[string]any{"Carrier": t.carrierName(carrier)})}},
			{Buttons: buttons},
		}})
	}
	return replies
}

// trackFailed answers a failed Engine.Track; nil when it did not fail.
func (t *turn) trackFailed(err error, number, carrier string) []Reply {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, tracking.ErrNoProvider):
		return t.text("error_no_provider", map[string]any{"Number": number, "Carrier": t.carrierName(carrier)})
	case errors.Is(err, tracking.ErrTooManyShipments):
		return t.text("error_too_many", map[string]any{"Max": t.b.parcelLimit})
	case errors.Is(err, tracking.ErrUnstorableText):
		return t.text("error_unstorable_text", nil)
	}
	return t.fail(err)
}

// lookupProblem explains a failed first lookup without its technical
// details.
func (t *turn) lookupProblem(err error) string {
	var rl *tracking.RateLimitError
	switch {
	case errors.Is(err, tracking.ErrNumberUnknown):
		return t.T("lookup_not_found", nil)
	case errors.As(err, &rl):
		return t.T("lookup_busy", nil)
	}
	return t.T("lookup_failed", nil)
}

// find resolves a number or label to one of the chat's subscriptions; with
// no reference and exactly one subscription, that one.
func (t *turn) find(ref string) (store.Tracked, []Reply) {
	if ref == "" {
		subs, err := t.b.store.Subscriptions(t.ctx, t.chat.ID)
		if err != nil {
			return store.Tracked{}, t.fail(err)
		}
		if len(subs) == 1 {
			return subs[0], nil
		}
		// The example names the command typed: "/remove …" after /remove.
		command := t.cmd
		if command == "" {
			command = "info"
		}
		return store.Tracked{}, t.text("error_which", map[string]any{"Command": command})
	}
	tr, err := t.b.store.FindSubscription(t.ctx, t.chat.ID, ref)
	if errors.Is(err, store.ErrNotFound) {
		// The number may have been pasted with spaces or dashes.
		tr, err = t.b.store.FindSubscription(t.ctx, t.chat.ID, tracking.NormalizeNumber(ref))
	}
	if errors.Is(err, store.ErrNotFound) {
		return store.Tracked{}, t.text("error_not_tracked", map[string]any{"Number": clip(ref, 40)})
	}
	if err != nil {
		return store.Tracked{}, t.fail(err)
	}
	return tr, nil
}

// findLeading resolves "REF rest…" where REF may be a label of several
// words: the longest leading run of words that names a subscription wins.
// Fewer than two words get the usage message: with two or more, the rest
// is never empty.
func (t *turn) findLeading(args, usage string) (store.Tracked, string, []Reply) {
	words := fields(args)
	if len(words) < 2 {
		return store.Tracked{}, "", t.text(usage, nil)
	}
	for i := len(words) - 1; i >= 1; i-- {
		ref := strings.Join(words[:i], " ")
		tr, err := t.b.store.FindSubscription(t.ctx, t.chat.ID, ref)
		if err == nil {
			return tr, strings.Join(words[i:], " "), nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return store.Tracked{}, "", t.fail(err)
		}
	}
	ref, rest := splitRef(args)
	tr, errReply := t.find(ref)
	return tr, rest, errReply
}

func (t *turn) info(args string) []Reply {
	tr, errReply := t.find(strings.TrimSpace(args))
	if errReply != nil {
		return errReply
	}
	return t.card(tr, "", false)
}

func (t *turn) remove(args string) []Reply {
	tr, errReply := t.find(strings.TrimSpace(args))
	if errReply != nil {
		return errReply
	}
	if refused := t.adminOnly(); refused != nil {
		return refused
	}
	if err := t.b.store.Unsubscribe(t.ctx, t.chat.ID, tr.Sub.ID); err != nil {
		return t.fail(err)
	}
	return t.text("removed", map[string]any{"Number": display(tr)})
}

func (t *turn) rename(args string) []Reply {
	tr, label, errReply := t.findLeading(args, "rename_usage")
	if errReply != nil {
		return errReply
	}
	if len([]rune(label)) > maxLabel {
		return t.text("error_label_too_long", map[string]any{"Limit": maxLabel})
	}
	return t.saved(tr.Sub.ID, store.SubscriptionSettings{Label: &label}, "renamed", map[string]any{"Number": tr.Shipment.Number, "Label": label})
}

func (t *turn) order(args string) []Reply {
	tr, order, errReply := t.findLeading(args, "order_usage")
	if errReply != nil {
		return errReply
	}
	if len([]rune(order)) > maxLabel {
		return t.text("error_order_too_long", map[string]any{"Limit": maxLabel})
	}
	return t.saved(tr.Sub.ID, store.SubscriptionSettings{OrderRef: &order}, "order_set", map[string]any{"Number": tr.Shipment.Number, "Order": order})
}

// saved writes set to one of the chat's subscriptions and answers with the
// message key.
func (t *turn) saved(subID int64, set store.SubscriptionSettings, key string, data map[string]any) []Reply {
	if err := t.b.store.UpdateSubscription(t.ctx, t.chat.ID, subID, set); err != nil {
		return t.fail(err)
	}
	return t.text(key, data)
}

// carrier corrects the carrier of a tracked number: the chat moves to the
// shipment under the right carrier, which is looked up at once.
func (t *turn) carrier(args string) []Reply {
	tr, name, errReply := t.findLeading(args, "carrier_usage")
	if errReply != nil {
		return errReply
	}
	ids := tracking.FindCarriers(name)
	switch len(ids) {
	case 0:
		known := make([]string, 0, len(tracking.Carriers()))
		for _, c := range tracking.Carriers() {
			known = append(known, c.ID)
		}
		return t.text("error_unknown_carrier", map[string]any{"Carrier": clip(name, 40), "Carriers": strings.Join(known, ", ")})
	case 1:
		return t.recarrier(tr, ids[0])
	}
	// A name shared by several carriers ("dhl"): the chat picks one.
	buttons := make([]Button, 0, len(ids))
	for _, id := range ids {
		buttons = append(buttons, Button{Label: t.carrierName(id), Action: "carrier", Payload: strconv.FormatInt(tr.Sub.ID, 10) + "|" + id})
	}
	return []Reply{{Blocks: []Block{
		{Text: &Text{Body: t.T("carrier_which", map[string]any{"Carrier": clip(name, 40)})}},
		{Buttons: buttons},
	}}}
}

func (t *turn) recarrier(tr store.Tracked, carrier string) []Reply {
	if tr.Shipment.Carrier == carrier {
		return t.card(tr, t.T("carrier_unchanged", map[string]any{"Carrier": t.carrierName(carrier)}), false)
	}
	stop := t.working()
	res, err := t.b.engine.Track(t.ctx, tracking.TrackRequest{ChatID: t.chat.ID, Number: tr.Shipment.Number, Carrier: carrier,
		Label: tr.Sub.Label, Replaces: tr.Sub.ID})
	stop()
	if errors.Is(err, store.ErrNotFound) {
		return t.text("error_stale_button", nil)
	}
	if errReply := t.trackFailed(err, tr.Shipment.Number, carrier); errReply != nil {
		return errReply
	}
	moved, err := t.b.store.Subscription(t.ctx, t.chat.ID, res.SubscriptionID)
	if err != nil {
		return t.fail(err)
	}
	intro := t.T("carrier_changed", map[string]any{"Number": tr.Shipment.Number, "Carrier": t.carrierName(carrier)})
	if res.LookupErr != nil {
		intro += "\n" + t.lookupProblem(res.LookupErr)
	}
	return t.card(moved, intro, false)
}

// marketplaces are the shops whose buyer-protection steps trackbot knows.
var marketplaces = []string{"aliexpress", "temu", "shein", "ebay", "amazon", "other"}

// shop sets where a parcel was bought: "/shop NUMBER SHOP", and with a
// date ("/shop NUMBER aliexpress 2026-12-20") when that shop's buyer
// protection for the order ends, so that a reminder comes before it if
// the parcel has not arrived. Setting the shop without a date keeps the
// date given before.
func (t *turn) shop(args string) []Reply {
	words := fields(args)
	date := ""
	if n := len(words); n >= 3 && slices.Contains(marketplaces, strings.ToLower(words[n-2])) &&
		!slices.Contains(marketplaces, strings.ToLower(words[n-1])) {
		// A word after the shop is the end of its buyer protection.
		date, words = words[n-1], words[:n-1]
	}
	if len(words) < 2 || !slices.Contains(marketplaces, strings.ToLower(words[len(words)-1])) {
		return t.text("shop_usage", nil)
	}
	shop := strings.ToLower(words[len(words)-1])
	tr, errReply := t.find(strings.Join(words[:len(words)-1], " "))
	if errReply != nil {
		return errReply
	}
	var ends *time.Time
	if date != "" {
		// A date that cannot be read, or has passed, could bring no
		// reminder: refused, nothing changes.
		d, ok := protectionDate(date)
		switch {
		case !ok:
			return t.text("shop_bad_date", map[string]any{"Given": clip(date, 20)})
		case !t.now.Before(d):
			return t.text("shop_date_passed", map[string]any{"Date": t.dayIn(d, time.UTC)})
		}
		ends = &d
	}
	if err := t.b.engine.SetShop(t.ctx, t.chat.ID, tr.Sub.ID, shop, ends); err != nil {
		return t.fail(err)
	}
	key, data := "shop_set", map[string]any{"Number": display(tr), "Shop": t.T("shop_"+shop, nil)}
	if shop == "other" {
		// Another shop has no rules of its own to follow: the advice
		// falls back to steps that fit any shop.
		key = "shop_set_other"
	}
	reply := t.T(key, data)
	if ends != nil {
		// The date is the same day everywhere (noon UTC).
		reply += "\n" + t.T("shop_protection_set", map[string]any{"Number": display(tr), "Date": t.dayIn(*ends, time.UTC)})
	}
	return []Reply{TextReply(reply)}
}

// protectionDate reads the end of a buyer protection as typed
// (YYYY-MM-DD). It is placed at noon UTC, so that it shows as the same day
// in every chat's time zone, as the guidance's dates are.
func protectionDate(word string) (time.Time, bool) {
	d, err := time.Parse("2006-01-02", word)
	if err != nil {
		return time.Time{}, false
	}
	return d.Add(12 * time.Hour), true
}

func (t *turn) mute(args string, muted bool) []Reply {
	ref := strings.TrimSpace(args)
	if ref == "" {
		if err := t.b.store.UpdateChat(t.ctx, t.chat.ID, store.ChatSettings{Muted: &muted}, t.now); err != nil {
			return t.fail(err)
		}
		if !muted {
			if err := t.b.store.ReleaseDeferred(t.ctx, t.chat.ID, t.now); err != nil {
				return t.fail(err)
			}
			return t.text("unmuted_chat", nil)
		}
		return t.text("muted_chat", nil)
	}
	tr, errReply := t.find(ref)
	if errReply != nil {
		return errReply
	}
	return t.setMuted(tr, muted, false)
}

func (t *turn) setMuted(tr store.Tracked, muted, replace bool) []Reply {
	if err := t.b.store.UpdateSubscription(t.ctx, t.chat.ID, tr.Sub.ID, store.SubscriptionSettings{Muted: &muted}); err != nil {
		return t.fail(err)
	}
	if !muted {
		if err := t.b.store.ReleaseDeferred(t.ctx, t.chat.ID, t.now); err != nil {
			return t.fail(err)
		}
	}
	tr.Sub.Muted = muted
	id := "muted_one"
	if !muted {
		id = "unmuted_one"
	}
	return t.card(tr, t.T(id, map[string]any{"Number": display(tr)}), replace)
}

func (t *turn) quiet(args string) []Reply {
	start, end, off, ok := parseQuiet(args)
	if !ok && quietMinutes(args) {
		return t.text("quiet_whole_hours", map[string]any{"Given": clip(strings.TrimSpace(args), 20)})
	}
	if !ok {
		return t.text("quiet_usage", nil)
	}
	q := [2]*int{nil, nil}
	if !off {
		q = [2]*int{&start, &end}
	}
	if err := t.b.store.UpdateChat(t.ctx, t.chat.ID, store.ChatSettings{Quiet: &q}, t.now); err != nil {
		return t.fail(err)
	}
	if off {
		return t.text("quiet_off", nil)
	}
	return t.text("quiet_set", map[string]any{"From": twoDigits(start), "To": twoDigits(end), "Zone": t.tz.String()})
}

func (t *turn) lang(args string) []Reply {
	// A language with its region or as a locale (de-AT, zh_CN) is the
	// language.
	code := t.b.catalog.Match(args)
	if code == "" {
		return t.text("lang_usage", map[string]any{"Lang": strings.Join(t.b.catalog.Languages(), ", ")})
	}
	if err := t.b.store.UpdateChat(t.ctx, t.chat.ID, store.ChatSettings{Language: &code}, t.now); err != nil {
		return t.fail(err)
	}
	t.loc = t.b.catalog.Localizer(code)
	return t.text("lang_set", nil)
}

func (t *turn) timezone(args string) []Reply {
	name := strings.TrimSpace(args)
	if name == "" {
		// /tz alone: the chat's zone, and how to change it.
		return t.text("tz_current", map[string]any{"Zone": t.tz.String(), "Date": t.dayIn(t.now, t.tz) + " " + t.now.In(t.tz).Format("15:04")})
	}
	loc, err := loadZone(name)
	if err != nil || strings.EqualFold(name, "local") {
		return t.text("tz_usage", map[string]any{"Zone": clip(name, 40)})
	}
	zone := loc.String()
	if err := t.b.store.UpdateChat(t.ctx, t.chat.ID, store.ChatSettings{Timezone: &zone}, t.now); err != nil {
		return t.fail(err)
	}
	return t.text("tz_set", map[string]any{"Zone": zone, "Date": t.dayIn(t.now, loc) + " " + t.now.In(loc).Format("15:04")})
}

func (t *turn) role(args string) []Reply {
	r := strings.ToLower(strings.TrimSpace(args))
	if r != roleBuyer && r != roleSeller {
		return t.text("role_usage", nil)
	}
	if err := t.b.engine.SetRole(t.ctx, t.chat.ID, tracking.Role(r)); err != nil {
		return t.fail(err)
	}
	return t.text("role_set_"+r, nil)
}

// action handles a pressed button. Every payload is checked against the
// chat that pressed it: a subscription of another chat is not found.
func (t *turn) action(a Action) []Reply {
	switch a.Name {
	case "track":
		number, carrier, _ := strings.Cut(a.Payload, "|")
		return t.trackNumber(trackArgs{number: tracking.NormalizeNumber(number)}, carrier)
	case "forget":
		if a.Payload != "confirm" {
			return nil
		}
		// Checked at the press, not at /forget: in a group the person who
		// confirms need not be the one who asked.
		if refused := t.adminOnly(); refused != nil {
			return refused
		}
		n, err := t.b.store.Forget(t.ctx, t.chat.ID)
		if err != nil {
			return t.fail(err)
		}
		return []Reply{{Replace: true, Blocks: []Block{{Text: &Text{Body: t.loc.N("forget_done", n, nil)}}}}}
	case "cancel":
		return []Reply{{Replace: true, Blocks: []Block{{Text: &Text{Body: t.T("cancelled", nil)}}}}}
	case pageAction:
		return t.pagePressed(a.Payload)
	}
	subPart, extra, _ := strings.Cut(a.Payload, "|")
	subID, err := strconv.ParseInt(subPart, 10, 64)
	if err != nil {
		return t.text("error_stale_button", nil)
	}
	tr, err := t.b.store.Subscription(t.ctx, t.chat.ID, subID)
	if errors.Is(err, store.ErrNotFound) {
		return t.text("error_stale_button", nil)
	}
	if err != nil {
		return t.fail(err)
	}
	switch a.Name {
	case "info":
		return t.card(tr, "", false)
	case "refresh":
		intro := ""
		stop := t.working()
		st, err := t.b.engine.Refresh(t.ctx, tr.Shipment.ID)
		stop()
		if st == nil {
			return t.fail(err)
		} else if err != nil {
			intro = t.lookupProblem(err)
		}
		if tr, err = t.b.store.Subscription(t.ctx, t.chat.ID, subID); err != nil {
			return t.fail(err)
		}
		return t.card(tr, intro, true)
	case "mute":
		return t.setMuted(tr, true, true)
	case "unmute":
		return t.setMuted(tr, false, true)
	case "remove":
		// A button is pressed by mistake more easily than a command is
		// typed: it asks first, in place of the card.
		switch extra {
		case "":
			return []Reply{{Replace: true, Blocks: []Block{
				{Text: &Text{Body: t.T("remove_confirm", map[string]any{"Number": display(tr)})}},
				{Buttons: []Button{{Label: t.T("button_remove_yes", nil), Action: "remove", Payload: subPart + "|yes"},
					{Label: t.T("button_cancel", nil), Action: "remove", Payload: subPart + "|no"}}},
			}}}
		case "no":
			return t.card(tr, "", true)
		case "yes":
			if refused := t.adminOnly(); refused != nil {
				return refused
			}
		default:
			return t.text("error_stale_button", nil)
		}
		if err := t.b.store.Unsubscribe(t.ctx, t.chat.ID, subID); err != nil {
			return t.fail(err)
		}
		return []Reply{{Replace: true, Blocks: []Block{{Text: &Text{Body: t.T("removed", map[string]any{"Number": display(tr)})}}}}}
	case "rename":
		return t.text("rename_hint", map[string]any{"Number": tr.Shipment.Number})
	case "carrier":
		if _, ok := tracking.LookupCarrier(extra); !ok {
			return t.text("error_stale_button", nil)
		}
		return t.recarrier(tr, extra)
	case "share":
		return t.share(tr, false)
	case "share_label":
		return t.share(tr, true)
	case "unshare":
		if err := t.b.store.RevokeShareTokens(t.ctx, t.chat.ID, tr.Sub.ID, t.now); err != nil {
			return t.fail(err)
		}
		return t.text("share_revoked", map[string]any{"Number": display(tr)})
	case "resume":
		if err := t.b.store.Resume(t.ctx, tr.Shipment.ID, t.now); err != nil {
			return t.fail(err)
		}
		return t.text("resumed", map[string]any{"Number": display(tr)})
	case "snooze":
		until := t.now.Add(24 * time.Hour)
		p := &until
		return t.saved(subID, store.SubscriptionSettings{SnoozedUntil: &p}, "snoozed", map[string]any{"Number": display(tr), "Date": t.date(until)})
	case "ack":
		return t.text("acknowledged", map[string]any{"Number": display(tr), "User": t.msg.User})
	case "missing":
		return t.missing(tr)
	}
	return t.text("error_stale_button", nil)
}

// location loads a chat's time zone, UTC when it cannot.
func location(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}

func twoDigits(h int) string {
	if h < 10 {
		return "0" + strconv.Itoa(h)
	}
	return strconv.Itoa(h)
}
