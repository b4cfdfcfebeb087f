package bot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
)

// The headers of a generic order hook's delivery (README, "Generic order
// hook"): the time it was signed, in Unix seconds, and
// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)).
const (
	HeaderTimestamp = "X-Trackbot-Timestamp"
	HeaderSignature = "X-Trackbot-Signature"
)

// signedWindow is how far a generic delivery's timestamp may be from now:
// a captured delivery cannot be replayed later, and one replayed within
// the window is recognized as seen.
const signedWindow = 5 * time.Minute

// maxFeedOrders is how many orders one generic delivery may carry.
const maxFeedOrders = 200

// The Shopify webhook headers read, and the topics taken. A delivery is
// named by its event (the same X-Shopify-Event-Id on every delivery of
// one event), else by X-Shopify-Webhook-Id, which retries repeat.
// https://shopify.dev/docs/apps/build/webhooks/subscribe/https
// https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates
const (
	shopifyHmacHeader  = "X-Shopify-Hmac-Sha256"
	shopifyTopicHeader = "X-Shopify-Topic"
	shopifyEventHeader = "X-Shopify-Event-Id"
	shopifyIDHeader    = "X-Shopify-Webhook-Id"
)

var shopifyTopics = []string{"fulfillments/create", "fulfillments/update"}

// orderParcel is one parcel a delivery names.
type orderParcel struct {
	order, number, carrier, country string
}

// ReceiveOrders takes one delivery to a chat's order feed (POST
// /webhooks/orders/{id}): it verifies it with the feed's secret, reads
// the parcels it names, and tracks them in the chat with their order, or,
// for a cancelled Shopify fulfillment, removes the chat's subscriptions
// to them that carry that order; the chat is told what it did in one push
// (applyOrders). A delivery seen before is accepted again and changes
// nothing.
//
// It returns an error wrapping tracking.ErrNotFound when no feed has the id,
// tracking.ErrBadSignature when the delivery fails verification,
// tracking.ErrBadPayload when a verified delivery cannot be read or names
// a parcel trackbot cannot track (none of these writes anything),
// tracking.ErrNoProvider when no provider serves a parcel's carrier
// (nothing written either), and tracking.ErrTooManyShipments when the
// chat's limit is reached (the parcels before it are tracked). Other
// errors are the store's.
func (b *Bot) ReceiveOrders(ctx context.Context, id string, header http.Header, body []byte) error {
	hook, err := b.store.OrderHook(ctx, id)
	if err != nil {
		return err
	}
	var seen string // the claim that makes a delivery count once
	var parcels []orderParcel
	cancel := false
	switch hook.Kind {
	case feedShopify:
		secret := hook.Secret
		if secret == "" {
			secret = b.shopifySecret
		}
		if !validShopify(secret, header.Get(shopifyHmacHeader), body) {
			return fmt.Errorf("bot: order feed: %w", tracking.ErrBadSignature)
		}
		if !slices.Contains(shopifyTopics, header.Get(shopifyTopicHeader)) {
			return nil // a topic trackbot does not read: accepted, so it is not sent again
		}
		seen = header.Get(shopifyEventHeader)
		if seen == "" {
			seen = header.Get(shopifyIDHeader)
		}
		if seen == "" {
			sum := sha256.Sum256(body)
			seen = hex.EncodeToString(sum[:])
		}
		parcels, cancel, err = readShopify(body)
	default:
		if seen, err = b.verifyGeneric(hook.Secret, header, body); err != nil {
			return err
		}
		parcels, err = readGeneric(body)
	}
	if err != nil {
		return err
	}
	for i, p := range parcels {
		if parcels[i], err = b.checkParcel(p, !cancel); err != nil {
			return err
		}
	}
	if len(parcels) == 0 {
		return nil
	}
	// Leased first, claimed for good once done: a replica that dies in
	// between leaves the delivery to Shopify's or the sender's retry once
	// the lease ends, and doing it again is harmless (the chat follows
	// the parcels already; the push is written under the delivery's key).
	key := "order-feed:" + hook.ID + ":" + seen
	taken := b.clock.Now()
	state, err := b.store.LeaseClaim(ctx, key, taken, deliveryLease)
	switch {
	case err != nil:
		return err
	case state == store.Done:
		return nil
	case state == store.Busy:
		return fmt.Errorf("bot: order feed: the same delivery is being handled; try again later")
	}
	if err := b.applyOrders(ctx, hook.ChatID, key, parcels, cancel); err != nil {
		// Not done: a retry of the same delivery must be able to do it.
		if rerr := b.store.ReleaseLease(context.WithoutCancel(ctx), key, taken); rerr != nil {
			slog.WarnContext(ctx, "cannot release an order delivery's lease", "err", rerr)
		}
		return err
	}
	_, err = b.store.Claim(ctx, key, b.clock.Now())
	return err
}

// deliveryLease is how long a delivery being handled is kept from another
// replica, and from the sender's retry.
const deliveryLease = 2 * time.Minute

// applyOrders tracks the parcels in the chat, all in one transaction
// (tracking.Engine.TrackOrders), or stops them (store.StopOrders, one
// transaction too); either way the chat is told in one message, written
// in that transaction under the delivery's name, so that a retried
// delivery tells nothing new. Past the chat's limit, the parcels within
// it are tracked and the error wraps tracking.ErrTooManyShipments.
func (b *Bot) applyOrders(ctx context.Context, chatID int64, delivery string, parcels []orderParcel, cancel bool) error {
	if !cancel {
		reqs := make([]tracking.TrackRequest, len(parcels))
		for i, p := range parcels {
			reqs[i] = tracking.TrackRequest{ChatID: chatID, Number: p.number, Carrier: p.carrier,
				OrderRef: p.order, DestinationCountry: p.country, Limit: b.parcelLimit, Deferred: true}
		}
		results, err := b.engine.TrackOrders(ctx, chatID, delivery, reqs)
		if err != nil {
			return err
		}
		for _, r := range results {
			if r.Err != nil {
				return r.Err
			}
		}
		return nil
	}
	stop := make([]tracking.OrderParcel, len(parcels))
	for i, p := range parcels {
		stop[i] = tracking.OrderParcel{Order: p.order, Number: p.number, Carrier: p.carrier, Country: p.country}
	}
	_, err := b.store.StopOrders(ctx, chatID, delivery, stop, b.clock.Now())
	return err
}

// checkParcel normalizes one parcel of a delivery and refuses, with the
// reason, what cannot be tracked: before anything is written. served
// asks that a provider serves its carrier, as tracking it needs.
func (b *Bot) checkParcel(p orderParcel, served bool) (orderParcel, error) {
	bad := func(format string, args ...any) (orderParcel, error) {
		return p, refused(tracking.ErrBadPayload, format, args...)
	}
	d := tracking.Detect(p.number)
	switch {
	case !tracking.ValidNumber(d.Number):
		return bad("%q is not a tracking number (6 to 40 of A-Z, 0-9, - and _)", clip(p.number, 40))
	case d.Mistyped:
		return bad("%s fails its check digit", d.Number)
	case utf8.RuneCountInString(p.order) > maxLabel:
		return bad("order %q is longer than %d characters", clip(p.order, 20), maxLabel)
	case !tracking.StorableText(p.order):
		return bad("order reference of %s holds characters that cannot be stored", d.Number)
	case p.country != "" && !tracking.IsCountry(p.country):
		return bad("country %q of %s is not an ISO 3166 alpha-2 code", clip(p.country, 10), d.Number)
	}
	p.number, p.country = d.Number, strings.ToUpper(p.country)
	p.carrier = tracking.CarrierForCompany(p.carrier, d.Number)
	if served && len(b.engine.Providers().Providers(p.carrier)) == 0 {
		return p, refused(tracking.ErrNoProvider, "%s (%s): no tracking service configured here serves this carrier", d.Number, p.carrier)
	}
	return p, nil
}

// validShopify checks Shopify's signature: the base64 HMAC-SHA256 of the
// raw body with the shop's webhook signing key, compared in constant time.
// https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook
func validShopify(secret, signature string, body []byte) bool {
	got, err := base64.StdEncoding.DecodeString(signature)
	if secret == "" || err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// verifyGeneric checks a generic delivery's signature and timestamp; it
// returns the signature, which names the delivery.
func (b *Bot) verifyGeneric(secret string, header http.Header, body []byte) (string, error) {
	bad := fmt.Errorf("bot: order feed: %w", tracking.ErrBadSignature)
	ts := header.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || secret == "" {
		return "", bad
	}
	if d := b.clock.Now().Sub(time.Unix(sec, 0)); d > signedWindow || d < -signedWindow {
		return "", bad
	}
	sig, ok := strings.CutPrefix(header.Get(HeaderSignature), "sha256=")
	got, err := hex.DecodeString(sig)
	if !ok || err != nil {
		return "", bad
	}
	if !hmac.Equal(got, SignOrders(secret, ts, body)) {
		return "", bad
	}
	return hex.EncodeToString(got), nil
}

// SignOrders is a generic delivery's HMAC: HMAC-SHA256 of the timestamp,
// a dot and the body, keyed with the feed's secret.
func SignOrders(secret, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "."))
	mac.Write(body)
	return mac.Sum(nil)
}

// shopifyFulfillment is what trackbot reads of Shopify's Fulfillment
// resource, the body of the fulfillments/* webhooks.
// https://shopify.dev/docs/api/admin-rest/latest/resources/fulfillment
type shopifyFulfillment struct {
	Name            string   `json:"name"` // "#1001.1": the order's name, a dot, the fulfillment's count
	Status          string   `json:"status"`
	TrackingCompany *string  `json:"tracking_company"`
	TrackingNumber  *string  `json:"tracking_number"`
	TrackingNumbers []string `json:"tracking_numbers"`
	Destination     *struct {
		CountryCode string `json:"country_code"`
	} `json:"destination"`
}

// readShopify reads a fulfillment: its parcels, and whether it was
// cancelled. A fulfillment in error or failed shipped nothing: it names
// no parcel.
func readShopify(body []byte) (parcels []orderParcel, cancelled bool, err error) {
	var f shopifyFulfillment
	if err := json.Unmarshal(body, &f); err != nil {
		return nil, false, refused(tracking.ErrBadPayload, "not a Shopify fulfillment (%v)", err)
	}
	switch f.Status {
	case "error", "failure":
		return nil, false, nil
	}
	order := f.Name
	if i := strings.LastIndexByte(order, '.'); i > 0 {
		if _, err := strconv.Atoi(order[i+1:]); err == nil {
			order = order[:i]
		}
	}
	numbers := f.TrackingNumbers
	if len(numbers) == 0 && f.TrackingNumber != nil && *f.TrackingNumber != "" {
		numbers = []string{*f.TrackingNumber}
	}
	company, country := "", ""
	if f.TrackingCompany != nil {
		company = *f.TrackingCompany
	}
	if f.Destination != nil {
		country = f.Destination.CountryCode
	}
	for _, n := range numbers {
		if !slices.ContainsFunc(parcels, func(p orderParcel) bool { return p.number == n }) {
			parcels = append(parcels, orderParcel{order: order, number: n, carrier: company, country: country})
		}
	}
	return parcels, f.Status == "cancelled", nil
}

// genericOrder is one parcel of a generic delivery.
type genericOrder struct {
	Order   string `json:"order"`
	Number  string `json:"number"`
	Carrier string `json:"carrier"`
	Country string `json:"country"`
}

// readGeneric reads a generic delivery: one order object, or an array of
// them, with no other fields, and at most as many as a chat may follow.
func readGeneric(body []byte) ([]orderParcel, error) {
	bad := func(format string, args ...any) error {
		return refused(tracking.ErrBadPayload, format, args...)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, bad("an empty body")
	}
	if !bytes.HasPrefix(trimmed, []byte("[")) {
		trimmed = append(append([]byte("["), trimmed...), ']')
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	var orders []genericOrder
	if err := dec.Decode(&orders); err != nil {
		return nil, bad("not an order or an array of orders (%v)", err)
	}
	if dec.More() {
		return nil, bad("more than one JSON value")
	}
	if len(orders) > maxFeedOrders {
		return nil, bad("%d orders; at most %d at a time", len(orders), maxFeedOrders)
	}
	parcels := make([]orderParcel, 0, len(orders))
	for i, o := range orders {
		if strings.TrimSpace(o.Number) == "" {
			return nil, bad("order %d has no number", i+1)
		}
		parcels = append(parcels, orderParcel{order: strings.TrimSpace(o.Order), number: o.Number,
			carrier: o.Carrier, country: strings.TrimSpace(o.Country)})
	}
	return parcels, nil
}

// refused is a delivery refused for a reason the sender is told as it is
// (tracking.Refusal), of the class that decides the answer's status.
func refused(class error, format string, args ...any) error {
	return fmt.Errorf("bot: order feed: %w", &tracking.Refusal{Reason: fmt.Sprintf(format, args...), Err: class})
}
