package dhl

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/wire"
)

// response is the part of the Unified API's answer trackbot reads.
//
// Schema: https://developer.dhl.com/api-reference/shipment-tracking
// (GET /shipments, 200).
type response struct {
	Shipments []shipment `json:"shipments"`
	// PossibleAdditionalShipmentsURL names the same number at other DHL
	// divisions, as relative URLs with trackingNumber and service.
	PossibleAdditionalShipmentsURL []string `json:"possibleAdditionalShipmentsUrl"`
}

type shipment struct {
	ID                         flexString `json:"id"`
	Service                    string     `json:"service"`
	Origin                     *place     `json:"origin"`
	Destination                *place     `json:"destination"`
	Status                     *event     `json:"status"`
	EstimatedTimeOfDelivery    string     `json:"estimatedTimeOfDelivery"`
	EstimatedDeliveryTimeFrame *struct {
		EstimatedFrom    string `json:"estimatedFrom"`
		EstimatedThrough string `json:"estimatedThrough"`
	} `json:"estimatedDeliveryTimeFrame"`
	Details *struct {
		// References is one object in some divisions' answers and an
		// array in others'.
		References json.RawMessage `json:"references"`
	} `json:"details"`
	Events []event `json:"events"`
}

type place struct {
	Address *address `json:"address"`
}

type address struct {
	CountryCode     string `json:"countryCode"`
	PostalCode      string `json:"postalCode"`
	AddressLocality string `json:"addressLocality"`
}

type event struct {
	Timestamp   string `json:"timestamp"`
	Location    *place `json:"location"`
	StatusCode  string `json:"statusCode"`
	Status      string `json:"status"`
	Description string `json:"description"`
	Remark      string `json:"remark"`
}

type reference struct {
	Number string `json:"number"`
	Type   string `json:"type"`
}

// localTrackingNumber is the reference type under which DHL eCommerce
// names the number of the carrier that delivers the last mile.
const localTrackingNumber = "local-tracking-number"

// flexString accepts a JSON string or number: DHL's own sample spells the
// shipment id as a number.
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexString) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

// shipmentFor picks the shipment of number among the answer's, or the
// first when none has exactly that id.
func (r *response) shipmentFor(number string) *shipment {
	if len(r.Shipments) == 0 {
		return nil
	}
	for i, s := range r.Shipments {
		if sameNumber(string(s.ID), number) {
			return &r.Shipments[i]
		}
	}
	return &r.Shipments[0]
}

func sameNumber(a, b string) bool {
	norm := func(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), "")) }
	return norm(a) == norm(b)
}

// result normalizes a shipment. number and carrier are what the engine
// asked for; the carrier of the shipment's service wins over the hint.
// additional are the answer's possibleAdditionalShipmentsUrl.
func (p *Provider) result(s *shipment, additional []string, number, carrier string) *tracking.Result {
	if number == "" {
		number = string(s.ID)
	}
	if c := serviceCarrier(s.Service); c != "" {
		carrier = c
	}
	res := &tracking.Result{
		Number:             number,
		Carrier:            strings.ToLower(strings.TrimSpace(carrier)),
		Provider:           Name,
		Status:             tracking.StatusUnknown,
		Substatus:          tracking.SubOther,
		OriginCountry:      placeCountry(s.Origin),
		DestinationCountry: placeCountry(s.Destination),
		ETA:                s.eta(),
	}

	// DHL lists events newest first; reversing before the stable sort
	// keeps events of the same second in the order they happened.
	evs := slices.Clone(s.Events)
	slices.Reverse(evs)
	for _, e := range evs {
		ev := tracking.Event{Description: e.description(), Location: location(e.Location), Carrier: res.Carrier, Number: number}
		ev.Status, ev.Substatus = p.classify(e.StatusCode, e.texts()...)
		wire.AppendEvent(res, e.Timestamp, ev)
	}
	if s.Status != nil {
		res.Status, res.Substatus = p.classify(s.Status.StatusCode, s.Status.texts()...)
	}
	wire.Settle(res, s.Status != nil)
	res.NextLegs = s.legs(additional, res.Number, res.Carrier)
	return res
}

// eta is the estimated time of delivery, or the end of the estimated
// delivery window when DHL gives only that.
func (s *shipment) eta() *time.Time {
	if t, ok := wire.Time(s.EstimatedTimeOfDelivery); ok {
		return &t
	}
	if f := s.EstimatedDeliveryTimeFrame; f != nil {
		if t, ok := wire.Time(f.EstimatedThrough); ok {
			return &t
		}
	}
	return nil
}

// legs are the other numbers the shipment may continue under. The
// last-mile carrier's number that DHL eCommerce names as a
// local-tracking-number is one (its carrier is left for the engine to
// detect). Without such a number, the same number at another DHL division
// that trackbot has a carrier id for, from possibleAdditionalShipmentsUrl,
// is a candidate: DHL Express parcels into Germany, for one, are delivered
// by DHL Paket under their Express number. A candidate the division does not
// know costs the engine one lookup answered with tracking.ErrNumberUnknown;
// with a concrete local number in hand, DHL's blanket list of other
// divisions is only noise and is left out.
func (s *shipment) legs(additional []string, number, carrier string) []tracking.Leg {
	var legs []tracking.Leg
	add := func(l tracking.Leg) {
		if l.Number == "" || slices.Contains(legs, l) {
			return
		}
		if sameNumber(l.Number, number) && (l.Carrier == "" || l.Carrier == carrier) {
			return
		}
		legs = append(legs, l)
	}
	for _, r := range s.references() {
		if strings.EqualFold(r.Type, localTrackingNumber) {
			add(tracking.Leg{Number: strings.TrimSpace(r.Number)})
		}
	}
	if len(legs) > 0 {
		return legs
	}
	for _, raw := range additional {
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		c := serviceCarrier(u.Query().Get("service"))
		if c == "" {
			continue
		}
		n := strings.TrimSpace(u.Query().Get("trackingNumber"))
		if n == "" {
			n = number
		}
		add(tracking.Leg{Number: n, Carrier: c})
	}
	return legs
}

// references reads details.references, one object or an array.
func (s *shipment) references() []reference {
	if s.Details == nil || len(s.Details.References) == 0 {
		return nil
	}
	var many []reference
	if json.Unmarshal(s.Details.References, &many) == nil {
		return many
	}
	var one reference
	if json.Unmarshal(s.Details.References, &one) == nil {
		return []reference{one}
	}
	return nil
}

// description is the event's text: DHL's status title and its description
// when they say different things, else whichever there is.
func (e *event) description() string {
	s, d := strings.TrimSpace(e.Status), strings.TrimSpace(e.Description)
	switch {
	case d == "":
		return s
	case s == "" || strings.Contains(strings.ToLower(d), strings.ToLower(s)):
		return d
	case strings.Contains(strings.ToLower(s), strings.ToLower(d)):
		return s
	}
	return s + ": " + d
}

// texts are what classify reads, best first: the event's own words, then
// DHL's remark on it.
func (e *event) texts() []string {
	return []string{joinTexts(" ", e.Status, e.Description), e.Remark}
}

// joinTexts joins the non-empty texts with sep.
func joinTexts(sep string, texts ...string) string {
	parts := make([]string, 0, len(texts))
	for _, t := range texts {
		if t = strings.TrimSpace(t); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, sep)
}

// location splits DHL's addressLocality, which holds anything from "Bonn"
// to "Oderweg 2, AMSTERDAM", "Whittier, CA, US" or DHL Express's
// "LEIPZIG - GERMANY": a trailing country code is dropped, a trailing
// two-letter code before it is the state, the last remaining part is the
// city, and of a city spelled "PLACE - REGION - COUNTRY" only the place is
// kept.
func location(pl *place) tracking.Location {
	if pl == nil || pl.Address == nil {
		return tracking.Location{}
	}
	a := pl.Address
	loc := tracking.Location{Country: countryCode(a.CountryCode)}
	var parts []string
	for part := range strings.SplitSeq(a.AddressLocality, ",") {
		if part = strings.TrimSpace(part); part != "" {
			parts = append(parts, part)
		}
	}
	if n := len(parts); n > 1 && loc.Country != "" && countryCode(parts[n-1]) == loc.Country {
		parts = parts[:n-1]
	}
	if n := len(parts); n > 1 && isStateCode(parts[n-1]) {
		loc.State = parts[n-1]
		parts = parts[:n-1]
	}
	if n := len(parts); n > 0 {
		loc.City = parts[n-1]
	}
	if place, _, ok := strings.Cut(loc.City, " - "); ok && strings.TrimSpace(place) != "" {
		loc.City = strings.TrimSpace(place)
	}
	return loc
}

func isStateCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func placeCountry(pl *place) string {
	if pl == nil || pl.Address == nil {
		return ""
	}
	return countryCode(pl.Address.CountryCode)
}

// countryCode returns an ISO 3166 alpha-2 code, or "" for anything else.
// "UK", which DHL uses for Great Britain in places, becomes "GB".
func countryCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "UK" {
		return "GB"
	}
	if !isStateCode(s) {
		return ""
	}
	return s
}
