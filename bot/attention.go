package bot

import (
	"context"
	"strings"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
)

// needsAttention is the one rule of what needs attention, for /list, the
// daily digest and the Home tab alike: the shipment's state asks for it
// (held, failed, a week without news), or guidance at warn or action
// level applies to it.
func (t *turn) needsAttention(tr store.Tracked) bool {
	return tr.Shipment.NeedsAttention(t.now) || t.urgentAdvice(tr)
}

// urgentAdvice reports whether guidance at warn or action level applies.
func (t *turn) urgentAdvice(tr store.Tracked) bool {
	sh := tracking.NewShipment(tr.Shipment, tr.Shipment.Events)
	for _, a := range t.b.engine.Advise(sh, tr.Sub.Marketplace, t.readerRole(), t.now) {
		if a.Level != tracking.LevelInfo {
			return true
		}
	}
	return false
}

// late is the one definition of a late parcel, for /list late: on the
// way (neither delivered, returned nor failed), and either its expected
// delivery passed more than the playbook's Late threshold ago (2 days by
// default), or it has shown no event for the playbook's NoEvent stall
// threshold (7 days by default; counted from the start of tracking when
// it has no event at all). Both thresholds are the engine's, so the list
// and the guidance's "late" and "no event" advice agree.
func (t *turn) late() *store.Lateness {
	th := t.b.engine.Thresholds()
	return &store.Lateness{ETABefore: t.now.Add(-th.Late), SilentBefore: t.now.Add(-th.NoEvent)}
}

// listFilter is one word of "/list WORD": which of the chat's parcels it
// shows. A filter says it once, either as a store.ListQuery the database
// evaluates page by page, or, for what needs the guidance (attention), as
// a check over every parcel of the chat.
type listFilter struct {
	// name is the English word, understood in every language; the
	// catalog's filter_<name> is the word in the chat's language.
	name  string
	query func(t *turn) store.ListQuery
	keep  func(t *turn, tr store.Tracked) bool
}

// listFilters are the filters of /list, in the order hints name them.
var listFilters = []listFilter{
	{name: "attention", keep: (*turn).needsAttention},
	{name: "late", query: func(t *turn) store.ListQuery { return store.ListQuery{Late: t.late()} }},
	{name: "customs", query: bySubstatus(tracking.SubCustomsProcessing, tracking.SubCustomsHeld, tracking.SubCustomsInfoRequested)},
	// Waiting to be collected: at a pickup point, a notice left, not
	// collected yet.
	{name: "pickup", query: bySubstatus(tracking.SubPickupAvailable, tracking.SubNoticeLeft, tracking.SubPackageUnclaimed)},
	{name: "transit", query: byStatus(tracking.StatusPreTransit, tracking.StatusTransit)},
	// The carrier reports a problem: a failure (lost, damaged, refused…)
	// or any sub-status that asks somebody to act (tracking/status.go).
	{name: "exception", query: func(*turn) store.ListQuery {
		var subs []tracking.Substatus
		for _, s := range tracking.Substatuses() {
			if s.ActionRequired() {
				subs = append(subs, s)
			}
		}
		return store.ListQuery{Statuses: []tracking.Status{tracking.StatusFailure}, Substatuses: subs}
	}},
	{name: "delivered", query: byStatus(tracking.StatusDelivered)},
	{name: "returned", query: byStatus(tracking.StatusReturned)},
}

func byStatus(sts ...tracking.Status) func(*turn) store.ListQuery {
	return func(*turn) store.ListQuery { return store.ListQuery{Statuses: sts} }
}

func bySubstatus(subs ...tracking.Substatus) func(*turn) store.ListQuery {
	return func(*turn) store.ListQuery { return store.ListQuery{Substatuses: subs} }
}

// lookupFilter finds the filter a word names: its English name, or its
// word in the chat's language, in any case.
func (t *turn) lookupFilter(word string) (*listFilter, bool) {
	for i, f := range listFilters {
		if t.namedBy(word, f.name, "filter_"+f.name) {
			return &listFilters[i], true
		}
	}
	return nil, false
}

// namedBy reports whether word names the choice called name: its English
// name, which always works, or its word in the chat's language (message
// key), in any case. A command's choices (/list's filters, /alerts'
// levels) are all matched this way.
func (t *turn) namedBy(word, name, key string) bool {
	word = strings.ToLower(strings.TrimSpace(word))
	return word != "" && (word == name || word == strings.ToLower(t.T(key, nil)))
}

// listLine is a shipment's line wherever shipments are listed: its label
// and number, its order reference, carrier, status, days since the last
// event.
func (t *turn) listLine(tr store.Tracked) string {
	sh := tr.Shipment
	name := sh.Number
	if tr.Sub.Label != "" {
		name = tr.Sub.Label + " · " + name
	}
	if tr.Sub.OrderRef != "" {
		name += " · " + t.T("list_order", map[string]any{"Order": tr.Sub.OrderRef})
	}
	return "• " + t.T("list_line", map[string]any{
		"Label": name, "Carrier": t.carrierName(sh.Carrier),
		"Status": t.statusName(sh.Status, sh.Substatus), "Days": t.since(sh.LastEventAt)})
}

// Attention is what needs attention in one chat: /list's lines of the
// shipments it would show under "needs attention".
type Attention struct {
	Chat store.Chat
	// Lines are plain text, one per shipment.
	Lines []string
}

// Overview is what needs attention across the chats a person belongs to,
// as an overview page (Slack's App Home) shows it.
type Overview struct {
	// Title is /list's "needs attention" heading.
	Title string
	// Chats are the chats with something that needs attention, in the
	// order they were given.
	Chats []Attention
	// Tracked counts every shipment of the chats.
	Tracked int
	// Empty says that nothing is tracked, for when Tracked is 0.
	Empty string
}

// Overview gathers what needs attention in chats, worded in language (a
// platform's hint such as "de-DE"; the default language when trackbot
// does not speak it).
func (b *Bot) Overview(ctx context.Context, chats []store.Chat, language string) (Overview, error) {
	loc := b.catalog.Localizer(language)
	o := Overview{Title: loc.T("list_attention", nil), Empty: loc.T("list_empty", nil)}
	for _, chat := range chats {
		t := b.reader(ctx, chat, language)
		lines, tracked, err := t.attention()
		if err != nil {
			return Overview{}, err
		}
		o.Tracked += tracked
		if len(lines) > 0 {
			o.Chats = append(o.Chats, Attention{Chat: chat, Lines: lines})
		}
	}
	return o, nil
}

// Digest is a chat's daily "needs attention" message, in the chat's
// language: /list's heading and lines of what needs attention. ok is
// false when nothing does.
func (b *Bot) Digest(ctx context.Context, chat store.Chat) (r Reply, ok bool, err error) {
	t := b.reader(ctx, chat, chat.Language)
	lines, _, err := t.attention()
	if err != nil || len(lines) == 0 {
		return Reply{}, false, err
	}
	return Reply{Blocks: []Block{
		{Text: &Text{Title: true, Body: t.T("list_attention", nil)}},
		{Text: &Text{Body: strings.Join(lines, "\n")}},
	}}, true, nil
}

// reader is a turn without a message: what a chat's reader sees now, in
// language.
func (b *Bot) reader(ctx context.Context, chat store.Chat, language string) *turn {
	return &turn{b: b, ctx: ctx, chat: &chat, now: b.clock.Now(), tz: location(chat.Timezone),
		loc: b.catalog.Localizer(language),
		msg: Message{Chat: ChatRef{Platform: Platform(chat.Platform), Team: chat.TeamID, ID: chat.ExternalID, Kind: ChatKind(chat.Kind)}}}
}

// attention lists the chat's shipments that need attention as /list's
// lines; tracked counts all its shipments.
func (t *turn) attention() (lines []string, tracked int, err error) {
	subs, err := t.b.store.Subscriptions(t.ctx, t.chat.ID)
	if err != nil {
		return nil, 0, err
	}
	for _, tr := range subs {
		if t.needsAttention(tr) {
			lines = append(lines, t.listLine(tr))
		}
	}
	return lines, len(subs), nil
}

// LocalTime is a time in a chat's time zone; UTC when the chat has none
// that loads.
func LocalTime(chat store.Chat, at time.Time) time.Time {
	return at.In(location(chat.Timezone))
}
