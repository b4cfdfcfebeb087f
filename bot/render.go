package bot

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/wording"
)

// The roles a chat can take; guidance speaks to each differently.
const (
	roleBuyer  = "buyer"
	roleSeller = "seller"
)

// display is how a chat names one of its shipments: its label, else its
// number.
func display(tr store.Tracked) string {
	if tr.Sub.Label != "" {
		return tr.Sub.Label
	}
	return tr.Shipment.Number
}

// statusName is the localized name of a shipment's state: the sub-status
// when it says more than the status.
func (t *turn) statusName(st tracking.Status, sub tracking.Substatus) string {
	return wording.New(t.loc).Status(st, sub)
}

// since says how long ago a time was, in days.
func (t *turn) since(at *time.Time) string {
	if at == nil {
		return t.T("no_events_yet", nil)
	}
	days := int(t.now.Sub(*at).Hours() / 24)
	if days <= 0 {
		return t.T("today", nil)
	}
	return t.loc.N("days_ago", days, nil)
}

// date renders a moment in the chat's time zone and language: its day
// and the time of day.
func (t *turn) date(at time.Time) string {
	return t.dayIn(at, t.tz) + " " + at.In(t.tz).Format("15:04")
}

// day renders the calendar day of a moment in the chat's time zone.
func (t *turn) day(at time.Time) string { return t.dayIn(at, t.tz) }

// dayIn renders the calendar day of a moment in zone, in the chat's
// language (wording.Words.Day).
func (t *turn) dayIn(at time.Time, zone *time.Location) string {
	return wording.New(t.loc).Day(at, zone)
}

// carrierName is a carrier's display name in the chat's language: the demo
// carrier's is translated, real carriers keep their own names.
func (t *turn) carrierName(id string) string { return wording.New(t.loc).Carrier(id) }

// eventText is an event's description as a chat reads it: the demo
// carrier's English texts in the chat's language, a real carrier's text as
// the carrier wrote it.
func (t *turn) eventText(e tracking.Event) string { return wording.New(t.loc).Event(e) }

// card renders one shipment: state, route, the whole timeline newest first,
// and its buttons. intro, when set, comes first.
func (t *turn) card(tr store.Tracked, intro string, replace bool) []Reply {
	sh, err := t.b.store.ShipmentView(t.ctx, tr.Shipment.ID)
	if err != nil {
		return t.fail(err)
	}
	var blocks []Block
	if intro != "" {
		blocks = append(blocks, Block{Text: &Text{Body: intro}})
	}
	title := sh.Number
	if tr.Sub.Label != "" {
		title = tr.Sub.Label + " · " + sh.Number
	}
	blocks = append(blocks, Block{Text: &Text{Title: true, Body: title}})

	var lines []string
	// Without any event there is no "last update" to date: the timeline's
	// place says so in full.
	status := map[string]any{"Status": t.statusName(sh.Status, sh.Substatus), "Carrier": t.carrierName(sh.Carrier)}
	if sh.LastEventAt != nil {
		status["Days"] = t.since(sh.LastEventAt)
		lines = append(lines, t.T("card_status", status))
	} else {
		lines = append(lines, t.T("card_status_new", status))
	}
	if sh.OriginCountry != "" || sh.DestinationCountry != "" {
		lines = append(lines, t.T("card_route", map[string]any{
			"From": countryOrUnknown(t, sh.OriginCountry), "To": countryOrUnknown(t, sh.DestinationCountry)}))
	}
	lines = append(lines, wording.New(t.loc).Legs(sh)...)
	if sh.ETA != nil && !sh.Status.Final() {
		lines = append(lines, t.T("card_eta", map[string]any{"Date": t.date(*sh.ETA)}))
	}
	if tr.Sub.OrderRef != "" {
		lines = append(lines, t.T("card_order", map[string]any{"Order": tr.Sub.OrderRef}))
	}
	if tr.Sub.Marketplace != "" {
		lines = append(lines, t.T("card_shop", map[string]any{"Shop": t.T("shop_"+tr.Sub.Marketplace, nil)}))
	}
	if tr.Sub.Muted {
		lines = append(lines, t.T("card_muted", nil))
	}
	if sh.StoppedReason == tracking.StopSilent {
		lines = append(lines, t.T("card_stopped", nil))
	}
	blocks = append(blocks, Block{Text: &Text{Body: strings.Join(lines, "\n")}})

	if len(sh.Events) > 0 {
		entries := make([]TimelineEntry, 0, len(sh.Events))
		for i := len(sh.Events) - 1; i >= 0 && len(entries) < 30; i-- {
			e := sh.Events[i]
			entries = append(entries, TimelineEntry{When: t.date(e.Time), Description: t.eventText(e),
				Place: e.Location.String(), Carrier: legCarrier(sh, e)})
		}
		blocks = append(blocks, Block{Timeline: entries})
	} else if sh.Substatus != tracking.SubInvalidNumber {
		// An invalid number will not show events by waiting: its advice
		// says what to do instead.
		blocks = append(blocks, Block{Text: &Text{Body: t.T("no_events_yet_long", nil)}})
	}
	blocks = append(blocks, t.guidanceBlocks(tr, sh)...)
	blocks = append(blocks, Block{Buttons: t.cardButtons(tr, sh)})
	return []Reply{{Blocks: blocks, Replace: replace}}
}

// legCarrier names the carrier of an event on a multi-leg journey; on a
// single-leg one the card's header already says it.
func legCarrier(sh *tracking.Shipment, e tracking.Event) string {
	if len(sh.Legs) == 0 || e.Number == "" || e.Number == sh.Number {
		return ""
	}
	return e.Number
}

// countryOrUnknown names a country in the chat's language.
func countryOrUnknown(t *turn, cc string) string { return wording.New(t.loc).Country(cc) }

func (t *turn) cardButtons(tr store.Tracked, sh *tracking.Shipment) []Button {
	id := strconv.FormatInt(tr.Sub.ID, 10)
	buttons := []Button{{Label: t.T("button_refresh", nil), Action: "refresh", Payload: id}}
	if sh.StoppedReason == tracking.StopSilent {
		buttons = append(buttons, Button{Label: t.T("button_resume", nil), Action: "resume", Payload: id})
	}
	if sh.Status == tracking.StatusDelivered {
		buttons = append(buttons, Button{Label: t.T(tracking.MissingButtonLabel(t.readerRole()), nil), Action: "missing", Payload: id})
	}
	if t.msg.Chat.Platform == Slack {
		// A team shares the channel's shipments: whoever handles one says
		// so, or puts it off for a day.
		buttons = append(buttons,
			Button{Label: t.T("button_ack", nil), Action: "ack", Payload: id},
			Button{Label: t.T("button_snooze", nil), Action: "snooze", Payload: id})
	}
	buttons = append(buttons, Button{Label: t.T("button_rename", nil), Action: "rename", Payload: id})
	if tr.Sub.Muted {
		buttons = append(buttons, Button{Label: t.T("button_unmute", nil), Action: "unmute", Payload: id})
	} else {
		buttons = append(buttons, Button{Label: t.T("button_mute", nil), Action: "mute", Payload: id})
	}
	buttons = append(buttons,
		Button{Label: t.T("button_remove", nil), Action: "remove", Payload: id},
		Button{Label: t.T("button_share", nil), Action: "share", Payload: id})
	return buttons
}

// share creates a revocable link to a read-only tracking page. The page
// shows the chat's label and order reference only when withLabel is set
// (the "Share with label" button the first link's reply offers); a plain
// share keeps them private.
func (t *turn) share(tr store.Tracked, withLabel bool) []Reply {
	if t.b.publicURL == "" {
		return t.text("share_unavailable", nil)
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return t.fail(err)
	}
	token := hex.EncodeToString(b)
	var expires time.Time
	data := map[string]any{"Number": display(tr), "Link": t.b.publicURL + "/t/" + token}
	body := t.T("share_link", data)
	private := tr.Sub.Label != "" || tr.Sub.OrderRef != ""
	if withLabel {
		body = t.T("share_link_labelled", data)
	} else if private {
		body += "\n" + t.T("share_link_private", nil)
	}
	if t.b.shareTTL > 0 {
		expires = t.now.Add(t.b.shareTTL)
		body += "\n" + t.T("share_link_until", map[string]any{"Date": t.date(expires)})
	}
	if err := t.b.store.CreateShareToken(t.ctx, t.chat.ID, tr.Sub.ID, token, t.now, expires, store.ShareOptions{ShowLabel: withLabel}); err != nil {
		return t.fail(err)
	}
	id := strconv.FormatInt(tr.Sub.ID, 10)
	var buttons []Button
	if private && !withLabel {
		buttons = append(buttons, Button{Label: t.T("button_share_labelled", nil), Action: "share_label", Payload: id})
	}
	buttons = append(buttons, Button{Label: t.T("button_unshare", nil), Action: "unshare", Payload: id})
	return []Reply{{Blocks: []Block{{Text: &Text{Body: body}}, {Buttons: buttons}}}}
}

// readerRole is the chat's role for guidance.
func (t *turn) readerRole() tracking.Role {
	if t.chat != nil && t.chat.Role == roleSeller {
		return tracking.RoleSeller
	}
	return tracking.RoleBuyer
}

// guidanceBlocks renders the guidance that applies to a shipment now,
// most urgent first.
func (t *turn) guidanceBlocks(tr store.Tracked, sh *tracking.Shipment) []Block {
	var blocks []Block
	for _, a := range t.b.engine.Advise(sh, tr.Sub.Marketplace, t.readerRole(), t.now) {
		blocks = append(blocks, Block{Text: &Text{Body: levelMark(a.Level) + t.advice(a.Message, a.Data)}})
	}
	return blocks
}

// levelMark prefixes advice by how urgent it is.
func levelMark(l tracking.Level) string {
	switch l {
	case tracking.LevelAction:
		return "❗ "
	case tracking.LevelWarn:
		return "⚠️ "
	}
	return "ℹ️ "
}

// adviceBlocks renders pushed advice, one block each, marked by how
// urgent it is: a guidance push, or the advice an alert carries.
func (t *turn) adviceBlocks(advice []tracking.GuidanceNotice) []Block {
	blocks := make([]Block, 0, len(advice))
	for _, p := range advice {
		blocks = append(blocks, Block{Text: &Text{Body: levelMark(p.Level) + t.advice(p.Message, p.Data)}})
	}
	return blocks
}

// adviceButtons are the actions pushed advice offers on the chat's
// parcel (a delivery's "not received?"); none without a subscription.
func adviceButtons(t *turn, tr *store.Tracked, advice []tracking.GuidanceNotice) []Button {
	if tr == nil {
		return nil
	}
	id := strconv.FormatInt(tr.Sub.ID, 10)
	var buttons []Button
	for _, p := range advice {
		for _, b := range p.Buttons {
			if slices.ContainsFunc(buttons, func(o Button) bool { return o.Action == b.Action }) {
				continue // two pieces of advice offer the same action once
			}
			buttons = append(buttons, Button{Label: t.advice(b.Label, p.Data), Action: b.Action, Payload: id})
		}
	}
	return buttons
}

// urgentAdvice reports whether any of the advice needs someone to act, so
// that its push is shown where everyone sees it (a Slack channel, not
// only the parcel's thread).
func urgentAdvice(advice []tracking.GuidanceNotice) bool {
	return slices.ContainsFunc(advice, func(p tracking.GuidanceNotice) bool { return p.Level == tracking.LevelAction })
}

// advice renders a guidance message: dates in the chat's zone, the plural
// form that its day count calls for.
func (t *turn) advice(id string, data tracking.AdviceData) string {
	return wording.New(t.loc).Advice(id, data, t.tz)
}

// missing answers the "I didn't get it" button of a delivered shipment
// with the steps for the chat's role and the shop.
func (t *turn) missing(tr store.Tracked) []Reply {
	sh, err := t.b.store.ShipmentView(t.ctx, tr.Shipment.ID)
	if err != nil {
		return t.fail(err)
	}
	a := t.b.engine.MissingSteps(sh, tr.Sub.Marketplace, t.readerRole(), t.now)
	return []Reply{{Blocks: []Block{
		{Text: &Text{Title: true, Body: display(tr)}},
		{Text: &Text{Body: t.advice(a.Message, a.Data)}},
	}}}
}
