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

// listLine is a shipment's line wherever shipments are listed: label or
// number, carrier, status, days since the last event.
func (t *turn) listLine(tr store.Tracked) string {
	sh := tr.Shipment
	return "• " + t.T("list_line", map[string]any{
		"Label": display(tr), "Carrier": t.carrierName(sh.Carrier),
		"Status": t.statusName(sh.Status, sh.Substatus), "Days": t.since(sh.LastEventAt)})
}

// list groups the chat's shipments: needs attention, on the way, delivered
// recently.
func (t *turn) list() []Reply {
	subs, err := t.b.store.Subscriptions(t.ctx, t.chat.ID)
	if err != nil {
		return t.fail(err)
	}
	if len(subs) == 0 {
		return t.text("list_empty", nil)
	}
	var attention, moving, delivered []string
	old := 0
	for _, tr := range subs {
		sh := tr.Shipment
		switch {
		case t.needsAttention(tr):
			attention = append(attention, t.listLine(tr))
		case sh.Status.Final():
			if sh.LastEventAt != nil && t.now.Sub(*sh.LastEventAt) > 30*24*time.Hour {
				old++
				continue
			}
			delivered = append(delivered, t.listLine(tr))
		default:
			moving = append(moving, t.listLine(tr))
		}
	}
	var blocks []Block
	add := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		blocks = append(blocks, Block{Text: &Text{Title: true, Body: title}}, Block{Text: &Text{Body: strings.Join(lines, "\n")}})
	}
	add(t.T("list_attention", nil), attention)
	add(t.T("list_moving", nil), moving)
	add(t.T("list_delivered", nil), delivered)
	if old > 0 {
		blocks = append(blocks, Block{Text: &Text{Body: t.loc.N("list_older", old, nil)}})
	}
	return []Reply{{Blocks: blocks}}
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
