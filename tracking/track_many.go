package tracking

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SubscribeManyRequest makes a chat follow many shipments at once, written
// by the store in one transaction whose statements do not grow with the
// number of items: the shipments are created where missing (due for a
// first check at once: the scheduler looks them up in its batches), the
// items past the chat's limit are left out, and each item within it is
// subscribed as a SubscribeRequest would be, labels and order references
// included, with the destination country the sender gave, a shipment
// stopped for silence resumed, and the guidance that already applies
// seeded as fired without a push.
type SubscribeManyRequest struct {
	ChatID int64
	Items  []SubscribeItem
	// Limit is how many shipments the chat may follow at most; 0 is no
	// limit. An item the chat follows already, or that an earlier item
	// subscribed, counts as followed, whatever the limit.
	Limit int
	// Advise gives the guidance of each shipment as the store loads it.
	Advise func(*ShipmentState) func(Reader) []Advice
	Now    time.Time
	// OrderFeed, when set, names the order feed delivery the items come
	// from: the chat is told, in the same transaction, which of them it
	// now follows that it did not (OrderFeedNotice, one outbox row under
	// this key), so that a crash loses or doubles neither.
	OrderFeed string
	// BeforeCommit, when set, runs inside the transaction before it
	// commits; fault-injection tests make it fail.
	BeforeCommit func() error
}

// OrderFeedNotice is the notice of r's order feed delivery, given what
// each item came to: the items the chat did not follow before, with their
// order and destination. ok is false when r is no delivery or it started
// tracking nothing.
func (r *SubscribeManyRequest) OrderFeedNotice(out []Subscribed) (OutboxNotice, bool) {
	if r.OrderFeed == "" {
		return OutboxNotice{}, false
	}
	var parcels []OrderParcel
	for i, s := range out {
		if !s.Created || i >= len(r.Items) {
			continue
		}
		it := r.Items[i]
		country := it.DestinationCountry
		if country == "" && s.Shipment != nil {
			country = s.Shipment.DestinationCountry
		}
		parcels = append(parcels, OrderParcel{Order: it.OrderRef, Number: it.Number, Carrier: it.Carrier, Country: country})
	}
	return OrderFeedNotice(r.ChatID, r.OrderFeed, false, parcels)
}

// SubscribeItem is one shipment of a SubscribeManyRequest.
type SubscribeItem struct {
	Carrier, Number string
	// Label and OrderRef replace the subscription's when not "".
	Label, OrderRef string
	// DestinationCountry, upper-case ISO 3166 alpha-2 or "", is kept while
	// the shipment knows no destination of its own.
	DestinationCountry string
}

// Subscribed is the outcome of one SubscribeItem.
type Subscribed struct {
	// OverLimit reports that the item was left out: the chat is at its
	// limit. The other fields are then zero.
	OverLimit      bool
	SubscriptionID int64
	// Created reports that the chat did not follow the shipment before.
	Created  bool
	Shipment *ShipmentState
}

// TrackResult is the outcome of one request of TrackMany: the tracked
// parcel, or Err, which wraps ErrTooManyShipments (the chat is at its
// limit), ErrNoProvider or ErrUnstorableText.
type TrackResult struct {
	Tracked *Tracked
	Err     error
}

// TrackMany makes a chat follow many numbers at once (an imported file, a
// long paste, a shop's delivery), in one store transaction whose
// statements do not grow with the number of requests. Each request is
// what Track with Deferred does: the first lookups are left to the
// scheduler, which asks batch providers in their batches. Requests are
// checked before anything is written; a refused one (no provider, text
// that cannot be stored) and those past the chat's limit get their reason
// in their result, the others are tracked in order, up to the limit. A
// request's Replaces is not supported here (Track does it). The error is
// the store's, and then nothing is written.
func (e *Engine) TrackMany(ctx context.Context, chatID int64, reqs []TrackRequest) ([]TrackResult, error) {
	return e.trackMany(ctx, chatID, reqs, "")
}

// TrackOrders is TrackMany for one delivery of a chat's order feed, named
// by delivery: in the same transaction, the chat is told in one message
// which parcels it now follows (SubscribeManyRequest.OrderFeed), once
// however often the delivery is written.
func (e *Engine) TrackOrders(ctx context.Context, chatID int64, delivery string, reqs []TrackRequest) ([]TrackResult, error) {
	if delivery == "" {
		return nil, fmt.Errorf("tracking: track orders: no delivery named")
	}
	return e.trackMany(ctx, chatID, reqs, delivery)
}

func (e *Engine) trackMany(ctx context.Context, chatID int64, reqs []TrackRequest, delivery string) ([]TrackResult, error) {
	out := make([]TrackResult, len(reqs))
	items := make([]SubscribeItem, 0, len(reqs))
	at := make([]int, 0, len(reqs)) // items[i] is reqs[at[i]]
	limit := 0
	for i, r := range reqs {
		if r.Limit > 0 && (limit == 0 || r.Limit < limit) {
			limit = r.Limit
		}
		switch {
		case r.ChatID != chatID && r.ChatID != 0:
			return nil, fmt.Errorf("tracking: track many: request %d is for chat %d, not %d", i, r.ChatID, chatID)
		case r.Replaces != 0:
			return nil, fmt.Errorf("tracking: track many: request %d replaces a subscription; use Track", i)
		case !StorableText(r.Label) || !StorableText(r.OrderRef) || !StorableText(r.Number):
			out[i].Err = fmt.Errorf("tracking: track %q: %w", r.Number, ErrUnstorableText)
			continue
		case len(e.providers.Providers(r.Carrier)) == 0:
			out[i].Err = e.providers.noProvider("track", r.Number, r.Carrier)
			continue
		}
		cc := strings.ToUpper(r.DestinationCountry)
		if !IsCountry(cc) {
			cc = ""
		}
		items = append(items, SubscribeItem{Carrier: r.Carrier, Number: r.Number, Label: r.Label, OrderRef: r.OrderRef,
			DestinationCountry: cc})
		at = append(at, i)
	}
	if len(items) == 0 {
		return out, nil
	}
	now := e.clock.Now()
	subs, err := e.store.SubscribeMany(ctx, &SubscribeManyRequest{ChatID: chatID, Items: items, Limit: limit,
		Advise: e.shipmentAdvisor(now), Now: now, OrderFeed: delivery, BeforeCommit: e.beforeCommit})
	if errors.Is(err, ErrTooManyShipments) {
		// Another subscription of the chat came in meanwhile; the store
		// wrote nothing. Once more, counting it.
		subs, err = e.store.SubscribeMany(ctx, &SubscribeManyRequest{ChatID: chatID, Items: items, Limit: limit,
			Advise: e.shipmentAdvisor(now), Now: now, OrderFeed: delivery, BeforeCommit: e.beforeCommit})
	}
	if err != nil {
		return nil, fmt.Errorf("tracking: track many: %w", err)
	}
	for j, s := range subs {
		i := at[j]
		if s.OverLimit {
			out[i].Err = fmt.Errorf("tracking: track %s: %w", reqs[i].Number, ErrTooManyShipments)
			continue
		}
		out[i].Tracked = &Tracked{Shipment: s.Shipment, SubscriptionID: s.SubscriptionID, New: s.Created}
	}
	return out, nil
}
