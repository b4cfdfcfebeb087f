package shippo

import (
	"slices"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/wire"
)

// track is the part of Shippo's Track object trackbot reads; the webhook
// carries the same object.
//
// Schema: https://docs.goshippo.com/api-reference/tracking-status/get-a-tracking-status
type track struct {
	Carrier         string         `json:"carrier"`
	TrackingNumber  string         `json:"tracking_number"`
	AddressFrom     *address       `json:"address_from"`
	AddressTo       *address       `json:"address_to"`
	ETA             string         `json:"eta"`
	TrackingStatus  *statusReport  `json:"tracking_status"`
	TrackingHistory []statusReport `json:"tracking_history"`
}

type address struct {
	City    string `json:"city"`
	State   string `json:"state"`
	Zip     string `json:"zip"`
	Country string `json:"country"`
}

// statusReport is one entry of tracking_history, or tracking_status.
type statusReport struct {
	ObjectID      string     `json:"object_id"`
	Status        string     `json:"status"`
	StatusDetails string     `json:"status_details"`
	StatusDate    string     `json:"status_date"`
	Location      *address   `json:"location"`
	Substatus     *substatus `json:"substatus"`
}

type substatus struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// result normalizes a track. number and carrier are what the engine asked
// for; they win over the track's own spelling, and the carrier falls back
// to them when Shippo's token has no trackbot id.
func (p *Provider) result(tr *track, number, carrier string) *tracking.Result {
	if number == "" {
		number = tr.TrackingNumber
	}
	if id := carrierID(tr.Carrier); id != "" {
		carrier = id
	}
	res := &tracking.Result{
		Number:             number,
		Carrier:            strings.ToLower(strings.TrimSpace(carrier)),
		Provider:           Name,
		Status:             tracking.StatusUnknown,
		Substatus:          tracking.SubOther,
		OriginCountry:      addressCountry(tr.AddressFrom),
		DestinationCountry: addressCountry(tr.AddressTo),
	}
	if eta, ok := wire.Time(tr.ETA); ok {
		res.ETA = &eta
	}

	// tracking_status is normally also the last history entry; it is added
	// only when the history lacks it.
	reports := tr.TrackingHistory
	if cur := tr.TrackingStatus; cur != nil && !slices.ContainsFunc(reports, cur.same) {
		reports = append(slices.Clip(reports), *cur)
	}
	for _, r := range reports {
		// A report without a time is no event; as the current status it
		// still counts below.
		ev := tracking.Event{Description: r.description(), Location: location(r.Location), Carrier: res.Carrier, Number: number}
		ev.Status, ev.Substatus = p.classify(r.Status, r.code(), r.description())
		wire.AppendEvent(res, r.StatusDate, ev)
	}
	if cur := tr.TrackingStatus; cur != nil {
		res.Status, res.Substatus = p.classify(cur.Status, cur.code(), cur.description())
	}
	wire.Settle(res, tr.TrackingStatus != nil)
	return res
}

// same reports whether r and o are one report: the same Shippo object, or
// the same status and text at the same time. Shippo's own samples give
// tracking_status an object id of its own while the history holds the same
// report, and in test mode their times differ by a few milliseconds, so
// times count as the same within a second.
func (r statusReport) same(o statusReport) bool {
	if r.ObjectID != "" && r.ObjectID == o.ObjectID {
		return true
	}
	if r.Status != o.Status || r.StatusDetails != o.StatusDetails {
		return false
	}
	if r.StatusDate == o.StatusDate {
		return true
	}
	a, okA := wire.Time(r.StatusDate)
	b, okB := wire.Time(o.StatusDate)
	return okA && okB && a.Sub(b).Abs() < time.Second
}

func (r statusReport) code() string {
	if r.Substatus == nil {
		return ""
	}
	return r.Substatus.Code
}

// description is the carrier's text, or Shippo's sub-status text when the
// carrier gave none.
func (r statusReport) description() string {
	if d := strings.TrimSpace(r.StatusDetails); d != "" {
		return d
	}
	if r.Substatus != nil {
		return strings.TrimSpace(r.Substatus.Text)
	}
	return ""
}

func location(a *address) tracking.Location {
	if a == nil {
		return tracking.Location{}
	}
	return tracking.Location{
		City:    strings.TrimSpace(a.City),
		State:   strings.TrimSpace(a.State),
		Country: countryCode(a.Country),
	}
}

func addressCountry(a *address) string {
	if a == nil {
		return ""
	}
	return countryCode(a.Country)
}

// countryCode returns an ISO 3166 alpha-2 code, or "" for anything else.
// "UK", which carriers use for Great Britain, becomes "GB".
func countryCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "UK" {
		return "GB"
	}
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return ""
	}
	return s
}
