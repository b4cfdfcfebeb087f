package tracking

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// ErrNotFound is wrapped by every error saying that something looked up —
// a shipment, a subscription, a chat, a share token — does not exist.
// store.ErrNotFound wraps it, so that packages that do not import store
// (web) can tell "not found" from a failure with errors.Is.
var ErrNotFound = errors.New("tracking: not found")

// Location is where an event happened, as far as the carrier says.
type Location struct {
	City    string `json:"city"`
	State   string `json:"state"`
	Country string `json:"country"`
}

// String joins the known parts of the location, most specific first.
func (l Location) String() string {
	parts := make([]string, 0, 3)
	for _, p := range []string{l.City, l.State, l.Country} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// Event is one scan or status report of a carrier, normalized.
type Event struct {
	Time        time.Time `json:"time"`
	Status      Status    `json:"status"`
	Substatus   Substatus `json:"substatus"`
	Description string    `json:"description"`
	Location    Location  `json:"location"`
	// Carrier is the carrier that reported the event; on a multi-leg
	// journey it tells the legs apart.
	Carrier string `json:"carrier"`
	// Number is the tracking number the event was reported for.
	Number string `json:"-"`
	// Approximate marks a time the carrier gave without an offset and
	// that no place located in a zone of its own (see wire.LocalTime): it
	// may be off by hours, so it never decides the status against events
	// of another leg. It is not stored; a stored event is as placed as its
	// first reading made it.
	Approximate bool `json:"-"`
}

// Fingerprint identifies an event across refreshes by its time, place and
// normalized status. The description is left out on purpose: carriers edit
// and translate their texts, and an edited text is not a new event.
func (e Event) Fingerprint() string {
	h := sha256.New()
	for _, part := range []string{
		e.Time.UTC().Truncate(time.Minute).Format(time.RFC3339),
		strings.ToLower(strings.TrimSpace(e.Location.City)),
		strings.ToLower(strings.TrimSpace(e.Location.State)),
		strings.ToUpper(strings.TrimSpace(e.Location.Country)),
		string(e.Status),
		string(e.Substatus),
	} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Leg is one carrier's part of a journey: the number that carrier knows the
// parcel by.
type Leg struct {
	Number  string `json:"number"`
	Carrier string `json:"carrier"`
}

// Query asks a provider about one number.
type Query struct {
	Number string
	// Carrier is trackbot's carrier id when it is known (detected or set by
	// the user); empty asks the provider to detect it.
	Carrier string
	// DestinationCountry helps providers that disambiguate by it.
	DestinationCountry string
	// TrackedSince is when trackbot began tracking the shipment; the demo
	// provider anchors its journeys there.
	TrackedSince time.Time
}

// Result is what a provider knows about one number.
type Result struct {
	Number  string
	Carrier string
	// Provider names the provider that answered.
	Provider string
	// Status and Substatus are the provider's own summary, when it gives
	// one; the engine derives them from the events otherwise.
	Status             Status
	Substatus          Substatus
	ETA                *time.Time
	OriginCountry      string
	DestinationCountry string
	Events             []Event
	// NextLegs are numbers under which later carriers carry the parcel,
	// such as a destination post's local number after customs.
	NextLegs []Leg
}

// Subscription is one chat's interest in one shipment, with the chat's own
// words for it. How its alerts are delivered (mute, snooze, thread) is not
// the engine's business: store.Subscription adds it.
type Subscription struct {
	ID          int64
	ChatID      int64
	ShipmentID  int64
	Label       string
	OrderRef    string
	Marketplace string
	CreatedAt   time.Time
}
