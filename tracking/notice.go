package tracking

import (
	"encoding/json"
	"fmt"
	"time"
)

// Notice kinds: the outbox row's kind, which says what its payload holds.
const (
	NoticeStatus   = "status"   // a new state of the shipment
	NoticeStopped  = "stopped"  // polling ended
	NoticeGuidance = "guidance" // a guidance rule started to apply
	NoticeOrders   = "orders"   // a delivery of the chat's shop feed started or stopped tracking parcels
)

// Notice is one push to a chat about a shipment. Kind says which one of
// the bodies is set. EncodeNotice and DecodeNotice are the only way a
// notice goes into and comes out of the outbox, so every writer and the
// notifier agree on its shape.
type Notice struct {
	Kind     string
	Status   *StatusNotice
	Stopped  *StoppedNotice
	Guidance *GuidanceNotice
	Orders   *OrdersNotice
}

// StatusNotice is the body of a "status" notice.
type StatusNotice struct {
	ShipmentID int64     `json:"shipment_id"`
	Number     string    `json:"number"`
	Carrier    string    `json:"carrier"`
	Status     Status    `json:"status"`
	Substatus  Substatus `json:"substatus"`
	Event      Event     `json:"event"`
	NewEvents  int       `json:"new_events"`
	NewLegs    []Leg     `json:"new_legs,omitempty"`
	// Passed lists the statuses the new events went through before the
	// one this notice names, oldest first: a refresh that finds several
	// changes at once (after downtime, or from a carrier that reports
	// late) pushes one notice, and it names each of them.
	Passed []StatusStep `json:"passed,omitempty"`
	// Advice is the guidance that the same refresh fired for the chat
	// (a customs hold's "pay the duties", a delivery's "not received?"):
	// one event is one message, so the alert carries its advice instead
	// of a second push following it (WithAdvice).
	Advice []GuidanceNotice `json:"advice,omitempty"`
	// Unchanged marks a new scan that leaves the status and sub-status as
	// they were (only the "all" alert level hears it): it is a new scan,
	// not a new status.
	Unchanged bool `json:"unchanged,omitempty"`
}

// StatusStep is a status a shipment passed through, and when.
type StatusStep struct {
	Status    Status    `json:"status"`
	Substatus Substatus `json:"substatus"`
	Time      time.Time `json:"time"`
}

// StoppedNotice is the body of a "stopped" notice.
type StoppedNotice struct {
	ShipmentID int64  `json:"shipment_id"`
	Number     string `json:"number"`
	Carrier    string `json:"carrier"`
	Reason     string `json:"reason"`
	SilentDays int    `json:"silent_days"`
}

// GuidanceNotice is the body of a guidance push: one rule's advice for
// one subscription, as its role and marketplace call for.
type GuidanceNotice struct {
	ShipmentID int64      `json:"shipment_id"`
	Number     string     `json:"number"`
	Rule       string     `json:"rule"`
	Level      Level      `json:"level"`
	Message    string     `json:"message"`
	Data       AdviceData `json:"data"`
	Links      []Link     `json:"links,omitempty"`
	Buttons    []Button   `json:"buttons,omitempty"`
}

// OrdersNotice is the body of an "orders" notice: what one delivery to a
// chat's order feed did, in one message however long the delivery. It
// counts the parcels and orders and names the first OrderNoticeParcels
// parcels, in the delivery's order.
type OrdersNotice struct {
	// Cancelled is set when the delivery stopped tracking the parcels (a
	// cancelled fulfillment); else it started tracking them.
	Cancelled bool          `json:"cancelled,omitempty"`
	Parcels   int           `json:"parcels"`
	Orders    int           `json:"orders"` // distinct order references, "" not counted
	First     []OrderParcel `json:"first"`
}

// OrderParcel is one parcel an order feed's delivery named.
type OrderParcel struct {
	Order   string `json:"order,omitempty"`
	Number  string `json:"number"`
	Carrier string `json:"carrier"`
	Country string `json:"country,omitempty"` // ISO 3166 alpha-2 destination, when known
}

// OrderNoticeParcels is how many parcels an "orders" notice names; the
// rest are counted.
const OrderNoticeParcels = 10

// OrderFeedNotice tells a chat what one delivery of its order feed did to
// parcels: tracking them (the chat followed none of them before), or,
// cancelled, stopping them. key names the delivery, so that writing it
// twice tells the chat once. ok is false when there is nothing to tell.
// Every alert level hears it (OutboxNotice.AlertLevel): a shop's delivery
// is news the team asked for by connecting the feed, and however many
// orders it brings it is one message.
func OrderFeedNotice(chatID int64, key string, cancelled bool, parcels []OrderParcel) (n OutboxNotice, ok bool) {
	if len(parcels) == 0 {
		return OutboxNotice{}, false
	}
	body := &OrdersNotice{Cancelled: cancelled, Parcels: len(parcels)}
	orders := map[string]bool{}
	for _, p := range parcels {
		if p.Order != "" && !orders[p.Order] {
			orders[p.Order] = true
			body.Orders++
		}
	}
	body.First = append([]OrderParcel(nil), parcels[:min(len(parcels), OrderNoticeParcels)]...)
	return OutboxNotice{ChatID: chatID, Key: "orders:" + key, Notice: Notice{Kind: NoticeOrders, Orders: body}}, true
}

// EncodeNotice returns the outbox payload of n: the JSON of the body its
// kind names.
func EncodeNotice(n Notice) ([]byte, error) {
	var body any
	switch {
	case n.Kind == NoticeStatus && n.Status != nil:
		body = n.Status
	case n.Kind == NoticeStopped && n.Stopped != nil:
		body = n.Stopped
	case n.Kind == NoticeGuidance && n.Guidance != nil:
		body = n.Guidance
	case n.Kind == NoticeOrders && n.Orders != nil:
		body = n.Orders
	default:
		return nil, fmt.Errorf("tracking: encode notice: no %q body", n.Kind)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("tracking: encode %s notice: %w", n.Kind, err)
	}
	return b, nil
}

// DecodeNotice reads an outbox row's kind and payload back into a Notice.
// The JSON names never change, so rows written by earlier versions decode
// too.
func DecodeNotice(kind string, payload []byte) (Notice, error) {
	n := Notice{Kind: kind}
	var body any
	switch kind {
	case NoticeStatus:
		n.Status = &StatusNotice{}
		body = n.Status
	case NoticeStopped:
		n.Stopped = &StoppedNotice{}
		body = n.Stopped
	case NoticeGuidance:
		n.Guidance = &GuidanceNotice{}
		body = n.Guidance
	case NoticeOrders:
		n.Orders = &OrdersNotice{}
		body = n.Orders
	default:
		return Notice{}, fmt.Errorf("tracking: decode notice: unknown kind %q", kind)
	}
	if err := json.Unmarshal(payload, body); err != nil {
		return Notice{}, fmt.Errorf("tracking: decode %s notice: %w", kind, err)
	}
	return n, nil
}

// Broadcast is a notice for every chat subscribed to a shipment, written
// with the refresh that calls for it.
type Broadcast struct {
	Notice Notice
	// Key names the change; with the subscription it makes the outbox
	// row's dedupe key, so writing the same change twice is harmless.
	Key string
	// EventTime, when set, limits the notice to subscriptions whose last
	// pushed event is older: an old event never triggers a push.
	EventTime *time.Time
	// Level is the quietest alert level whose chats hear the notice; the
	// more talkative levels hear it too (AlertLevel.Audience). Empty
	// means every chat.
	Level AlertLevel
}

// statusBroadcast tells every chat of st of the state c brings, newest
// being the event that set it; a chat already told of a later event is
// left out.
func statusBroadcast(st *ShipmentState, c *Change, newest Event) *Broadcast {
	t := newest.Time
	passed := passedSteps(st, c)
	// A change is one of what the alert's title says: scans whose status
	// the provider's summary outranks (see currentStatus) change nothing.
	changed := c.Status != st.Status || c.Substatus != st.Substatus
	return &Broadcast{Key: newest.Fingerprint(), EventTime: &t, Level: statusAlertLevel(changed, c.Status, c.Substatus),
		Notice: Notice{Kind: NoticeStatus, Status: &StatusNotice{
			ShipmentID: st.ID, Number: st.Number, Carrier: st.Carrier,
			Status: c.Status, Substatus: c.Substatus, Event: newest,
			NewEvents: countNewer(c.Events, st.LastEventAt), NewLegs: c.Legs, Passed: passed, Unchanged: !changed,
		}}}
}

// passedSteps lists the statuses c's new events go through, oldest first,
// from the one st was in to the one before c's own: each event whose
// status or sub-status differs from the step before it. An event that
// only says "in transit" (no sub-status, or "other") after a more precise
// one of the same status tells nothing new, nor does an event without
// any status.
func passedSteps(st *ShipmentState, c *Change) []StatusStep {
	var steps []StatusStep
	prev := StatusStep{Status: st.Status, Substatus: st.Substatus}
	for _, e := range c.Events {
		if st.LastEventAt != nil && !e.Time.After(*st.LastEventAt) {
			continue
		}
		if !e.Status.Valid() || e.Status == StatusUnknown && vagueSub(e.Substatus) {
			continue
		}
		if e.Status == prev.Status && (e.Substatus == prev.Substatus || vagueSub(e.Substatus)) {
			continue
		}
		prev = StatusStep{Status: e.Status, Substatus: e.Substatus, Time: e.Time}
		steps = append(steps, prev)
	}
	// The last step is usually the status the notice names itself.
	if n := len(steps); n > 0 && steps[n-1].Status == c.Status &&
		(steps[n-1].Substatus == c.Substatus || vagueSub(steps[n-1].Substatus) || vagueSub(c.Substatus)) {
		steps = steps[:n-1]
	}
	return steps
}

// vagueSub reports whether a sub-status adds nothing to its status.
func vagueSub(s Substatus) bool { return s == "" || s == SubOther }

// stoppedBroadcast tells every chat of st that polling stopped after days
// of silence; once a day at most, by its key.
func stoppedBroadcast(st *ShipmentState, days int, now time.Time) *Broadcast {
	// Whether to resume is somebody's decision: every level hears it.
	return &Broadcast{Key: "stopped:" + now.Format(time.DateOnly), Level: AlertAction, Notice: Notice{Kind: NoticeStopped, Stopped: &StoppedNotice{
		ShipmentID: st.ID, Number: st.Number, Carrier: st.Carrier, Reason: StopSilent, SilentDays: days}}}
}

// WithAdvice folds guidance notices of one chat into b's notice: the
// notice that chat is sent, with the quietest alert level that hears it.
// One event is one message: a status alert carries the advice the same
// refresh fired for the chat, and is heard at any level that hears the
// alert or any of its advice. ok is false when b's notice carries no
// advice (it is not a status alert, or there is none): the advice then
// goes on its own.
func (b *Broadcast) WithAdvice(advice []OutboxNotice) (n Notice, level AlertLevel, ok bool) {
	if b.Notice.Kind != NoticeStatus || b.Notice.Status == nil || len(advice) == 0 {
		return Notice{}, "", false
	}
	body := *b.Notice.Status
	body.Advice = nil
	level = b.Level
	for _, a := range advice {
		if a.Notice.Kind != NoticeGuidance || a.Notice.Guidance == nil {
			return Notice{}, "", false
		}
		body.Advice = append(body.Advice, *a.Notice.Guidance)
		if l := a.AlertLevel(); level != "" && l.rank() > level.rank() {
			level = l
		}
	}
	return Notice{Kind: NoticeStatus, Status: &body}, level, true
}

// guidanceNotice pushes advice a about shipment number to one chat.
func guidanceNotice(shipmentID int64, number string, a Advice) Notice {
	return Notice{Kind: NoticeGuidance, Guidance: &GuidanceNotice{ShipmentID: shipmentID, Number: number, Rule: a.Rule,
		Level: a.Level, Message: a.Message, Data: a.Data, Links: a.Links, Buttons: a.Buttons}}
}
