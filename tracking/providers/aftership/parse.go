package aftership

import (
	"slices"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/wire"
)

// trackingObject is AfterShip's tracking object, as far as
// trackbot reads it. The pre-2025 names of renamed fields are kept beside
// the new ones, so that older API versions parse too.
type trackingObject struct {
	ID             string `json:"id"`
	TrackingNumber string `json:"tracking_number"`
	Slug           string `json:"slug"`
	Tag            string `json:"tag"`
	Subtag         string `json:"subtag"`
	SubtagMessage  string `json:"subtag_message"`

	OriginCountryRegion             string `json:"origin_country_region"`
	OriginCountryISO3               string `json:"origin_country_iso3"`
	DestinationCountryRegion        string `json:"destination_country_region"`
	DestinationCountryISO3          string `json:"destination_country_iso3"`
	CourierDestinationCountryRegion string `json:"courier_destination_country_region"`

	LatestEstimatedDelivery      *estimate `json:"latest_estimated_delivery"`
	CourierEstimatedDeliveryDate *struct {
		Date string `json:"estimated_delivery_date"`
		Min  string `json:"estimated_delivery_date_min"`
		Max  string `json:"estimated_delivery_date_max"`
	} `json:"courier_estimated_delivery_date"`
	CustomEstimatedDeliveryDate    *estimate `json:"custom_estimated_delivery_date"`
	AftershipEstimatedDeliveryDate *struct {
		Date string `json:"estimated_delivery_date"`
		Min  string `json:"estimated_delivery_date_min"`
		Max  string `json:"estimated_delivery_date_max"`
	} `json:"aftership_estimated_delivery_date"`
	FirstEstimatedDelivery *estimate `json:"first_estimated_delivery"`
	ExpectedDelivery       string    `json:"expected_delivery"`

	LastMile     *leg         `json:"last_mile"`
	NextCouriers []leg        `json:"next_couriers"`
	Checkpoints  []checkpoint `json:"checkpoints"`
}

type estimate struct {
	Datetime    string `json:"datetime"`
	DatetimeMin string `json:"datetime_min"`
	DatetimeMax string `json:"datetime_max"`
}

type leg struct {
	Slug           string `json:"slug"`
	TrackingNumber string `json:"tracking_number"`
}

type checkpoint struct {
	CheckpointTime string `json:"checkpoint_time"`
	Slug           string `json:"slug"`
	Location       string `json:"location"`
	City           string `json:"city"`
	State          string `json:"state"`
	CountryRegion  string `json:"country_region"`
	CountryISO3    string `json:"country_iso3"`
	Message        string `json:"message"`
	Tag            string `json:"tag"`
	Subtag         string `json:"subtag"`
}

var _ tracking.LegFollower = (*Provider)(nil)

// FollowsLegs reports that AfterShip follows a parcel onto the last-mile
// carrier it names (last_mile, next_couriers): the first number's tracking
// carries that carrier's checkpoints, so the last-mile number needs no
// tracking of its own.
//
// API: https://www.aftership.com/docs/tracking/quickstart/api-quick-start
// (the tracking object's last_mile and checkpoints)
func (p *Provider) FollowsLegs() bool { return true }

// result normalizes one tracking.
func (p *Provider) result(t *trackingObject) *tracking.Result {
	res := &tracking.Result{
		Number:             strings.TrimSpace(t.TrackingNumber),
		Carrier:            carrierID(t.Slug),
		Provider:           Name,
		OriginCountry:      country(first(t.OriginCountryRegion, t.OriginCountryISO3)),
		DestinationCountry: country(first(t.DestinationCountryRegion, t.DestinationCountryISO3, t.CourierDestinationCountryRegion)),
		ETA:                eta(t),
	}
	if t.Tag != "" || t.Subtag != "" {
		text := t.SubtagMessage
		if text == "" && len(t.Checkpoints) > 0 {
			text = t.Checkpoints[len(t.Checkpoints)-1].Message
		}
		res.Status, res.Substatus = p.classify(t.Tag, t.Subtag, text)
	}

	// Checkpoints of the last-mile carrier belong to its number.
	var lastMile leg
	if t.LastMile != nil && t.LastMile.Slug != "" && t.LastMile.Slug != t.Slug {
		lastMile = *t.LastMile
	}
	for _, cp := range t.Checkpoints {
		number := res.Number
		if lastMile.TrackingNumber != "" && cp.Slug == lastMile.Slug {
			number = strings.TrimSpace(lastMile.TrackingNumber)
		}
		// A checkpoint that does not say where it was scanned is in its
		// leg's country: the origin for the tracking's own carrier, the
		// destination for a carrier that took the parcel over.
		legCountry := res.OriginCountry
		if cp.Slug != "" && cp.Slug != t.Slug {
			legCountry = res.DestinationCountry
		}
		if e, ok := p.event(cp, res.Carrier, number, legCountry); ok {
			res.Events = append(res.Events, e)
		}
	}
	slices.SortStableFunc(res.Events, func(a, b tracking.Event) int { return a.Time.Compare(b.Time) })

	var hints []leg
	if t.LastMile != nil {
		hints = append(hints, *t.LastMile)
	}
	hints = append(hints, t.NextCouriers...)
	for _, h := range hints {
		l := tracking.Leg{Number: strings.TrimSpace(h.TrackingNumber), Carrier: carrierID(h.Slug)}
		if l.Number == "" {
			l.Number = res.Number
		}
		if l.Carrier == "" {
			l.Carrier = res.Carrier
		}
		if (l.Number == res.Number && l.Carrier == res.Carrier) || slices.Contains(res.NextLegs, l) {
			continue
		}
		res.NextLegs = append(res.NextLegs, l)
	}
	return res
}

// event normalizes one checkpoint; ok is false when its time cannot be
// read. checkpoint_time is the carrier's local time, with or without an
// offset (AfterShip's checkpoint object; its own webhook sample has none):
// without one it is read in the zone of the checkpoint's place, else of
// legCountry. Without structured fields the carrier's own place text is
// the best place name there is.
func (p *Provider) event(cp checkpoint, carrier, number, legCountry string) (tracking.Event, bool) {
	place := tracking.Location{City: cp.City, State: cp.State, Country: country(first(cp.CountryRegion, cp.CountryISO3))}
	e, ok := wire.LocatedEvent([]string{cp.CheckpointTime}, place, cp.Location, legCountry)
	if !ok {
		return tracking.Event{}, false
	}
	e.Carrier, e.Number = carrier, number
	if cp.Slug != "" {
		e.Carrier = carrierID(cp.Slug)
	}
	e.Description = strings.TrimSpace(cp.Message)
	e.Status, e.Substatus = p.classify(cp.Tag, cp.Subtag, e.Description)
	return e, true
}

// eta picks the estimated delivery, most trusted source first: AfterShip's
// latest pick, the carrier's, the merchant's, AfterShip's prediction, the
// first estimate, and the field of versions before 2024. Of a window the
// end counts.
func eta(t *trackingObject) *time.Time {
	var candidates []string
	addEstimate := func(e *estimate) {
		if e != nil {
			candidates = append(candidates, e.Datetime, e.DatetimeMax, e.DatetimeMin)
		}
	}
	addEstimate(t.LatestEstimatedDelivery)
	if c := t.CourierEstimatedDeliveryDate; c != nil {
		candidates = append(candidates, c.Date, c.Max, c.Min)
	}
	addEstimate(t.CustomEstimatedDeliveryDate)
	if a := t.AftershipEstimatedDeliveryDate; a != nil {
		candidates = append(candidates, a.Date, a.Max, a.Min)
	}
	addEstimate(t.FirstEstimatedDelivery)
	candidates = append(candidates, t.ExpectedDelivery)
	for _, s := range candidates {
		if tm, ok := wire.Time(s); ok {
			return &tm
		}
	}
	return nil
}

func first(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
