// Package demo is a carrier that exists only inside trackbot, so that every
// feature can be tried without an API key. Its numbers are
// DEMO-<SCENARIO>[-SUFFIX]: LIVE unfolds a China → destination journey after
// it is first tracked, one event every step; the other scenarios have their
// history in the past.
package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracking"
)

// Carrier is the demo carrier's id.
const Carrier = "demo"

// Provider serves the demo carrier.
type Provider struct {
	step  time.Duration
	clock tracking.Clock
}

var _ tracking.Provider = (*Provider)(nil)

// New returns the demo provider; step is the time between two events of a
// LIVE journey.
func New(step time.Duration, clock tracking.Clock) *Provider {
	return &Provider{step: step, clock: clock}
}

// Name is "demo".
func (p *Provider) Name() string { return "demo" }

// Scenarios lists the demo scenarios.
func Scenarios() []string {
	return []string{"LIVE", "STALLED", "LABEL", "CUSTOMS", "RETURNED", "ATTEMPT", "PICKUP", "DELIVERED", "NOTFOUND", "LOST"}
}

// Parse splits a demo number into its scenario and destination country.
// ok is false for a number that is not a demo number.
func Parse(number string) (scenario, destination string, ok bool) {
	n := strings.ToUpper(strings.TrimSpace(number))
	rest, found := strings.CutPrefix(n, "DEMO-")
	if !found {
		return "", "", false
	}
	scenario, suffix, _ := strings.Cut(rest, "-")
	destination = "US"
	if tracking.IsCountry(suffix) {
		destination = suffix
	}
	if scenario == "LOCAL" {
		// The destination post's number of a LIVE journey:
		// DEMO-LOCAL-<hash>-<country>.
		if i := strings.LastIndex(rest, "-"); i > 0 && tracking.IsCountry(rest[i+1:]) {
			destination = rest[i+1:]
		}
		return scenario, destination, true
	}
	for _, s := range Scenarios() {
		if s == scenario {
			return scenario, destination, true
		}
	}
	return "", "", false
}

// LocalNumber is the number the destination post gives a LIVE parcel after
// customs.
func LocalNumber(number, destination string) string {
	sum := sha256.Sum256([]byte(strings.ToUpper(number)))
	return "DEMO-LOCAL-" + strings.ToUpper(hex.EncodeToString(sum[:4])) + "-" + destination
}

// Lookup returns the scenario's journey as it stands now. Journeys are
// anchored at q.TrackedSince (now, when zero), so repeated lookups return
// the same events.
func (p *Provider) Lookup(ctx context.Context, q tracking.Query) (*tracking.Result, error) {
	scenario, dest, ok := Parse(q.Number)
	if !ok {
		return nil, fmt.Errorf("demo: %s is not a demo number: %w", q.Number, tracking.ErrNumberUnknown)
	}
	now := p.clock.Now()
	anchor := q.TrackedSince
	if anchor.IsZero() {
		anchor = now
	}
	anchor = anchor.UTC().Truncate(time.Second)
	number := strings.ToUpper(q.Number)
	res := &tracking.Result{
		Number: number, Carrier: Carrier, Provider: "demo",
		OriginCountry: "CN", DestinationCountry: dest,
	}
	var evs []step
	switch scenario {
	case "LIVE":
		evs = p.live(number, dest)
		for i := range evs {
			evs[i].at = anchor.Add(time.Duration(i) * p.step)
		}
		if handover := anchor.Add(4 * p.step); !handover.After(now) {
			res.NextLegs = []tracking.Leg{{Number: LocalNumber(number, dest), Carrier: Carrier}}
		}
		eta := anchor.Add(6 * p.step)
		res.ETA = &eta
	case "LOCAL":
		res.Carrier = Carrier
		res.OriginCountry = ""
		evs = p.localLeg(dest)
		for i := range evs {
			evs[i].at = anchor.Add(time.Duration(5+i) * p.step)
		}
	default:
		evs = past(scenario, dest)
		for i := range evs {
			evs[i].at = anchor.Add(-evs[i].ago)
		}
	}
	for _, e := range evs {
		if e.at.After(now) {
			break
		}
		res.Events = append(res.Events, tracking.Event{
			Time: e.at, Status: e.sub.Parent(), Substatus: e.sub, Description: e.text,
			Location: e.loc, Carrier: Carrier, Number: number,
		})
	}
	if len(res.Events) > 0 {
		last := res.Events[len(res.Events)-1]
		res.Status, res.Substatus = last.Status, last.Substatus
	} else {
		res.Status, res.Substatus = tracking.StatusUnknown, tracking.SubOther
	}
	return res, nil
}

// step is one event of a journey, placed either at an offset before the
// anchor (past scenarios) or at a step after it (LIVE).
type step struct {
	ago  time.Duration
	at   time.Time
	sub  tracking.Substatus
	text string
	loc  tracking.Location
}

var (
	shenzhen = tracking.Location{City: "Shenzhen", State: "Guangdong", Country: "CN"}
	hongkong = tracking.Location{City: "Hong Kong", Country: "HK"}
)

// cities is where a parcel lands in each destination country the demo
// knows by name; any other ISO country gets its code only.
var cities = map[string]string{
	"US": "New York", "DE": "Frankfurt", "GB": "London", "FR": "Paris", "ES": "Madrid", "IT": "Milan",
	"NL": "Amsterdam", "RU": "Moscow", "CA": "Toronto", "AU": "Sydney", "BR": "São Paulo", "PL": "Warsaw",
	"JP": "Tokyo", "MX": "Mexico City", "SE": "Stockholm", "CH": "Zurich", "AT": "Vienna", "BE": "Brussels",
}

func destCity(dest string) tracking.Location {
	return tracking.Location{City: cities[dest], Country: dest}
}

func (p *Provider) live(number, dest string) []step {
	local := LocalNumber(number, dest)
	return []step{
		{sub: tracking.SubPackageAccepted, text: tracking.DemoText("accepted", ""), loc: shenzhen},
		{sub: tracking.SubPackageDeparted, text: tracking.DemoText("departed", ""), loc: hongkong},
		{sub: tracking.SubPackageArrived, text: tracking.DemoText("arrived", ""), loc: destCity(dest)},
		{sub: tracking.SubCustomsProcessing, text: tracking.DemoText("customs", ""), loc: destCity(dest)},
		{sub: tracking.SubCarrierHandover, text: tracking.DemoText("handover", local), loc: destCity(dest)},
	}
}

func (p *Provider) localLeg(dest string) []step {
	return []step{
		{sub: tracking.SubOutForDelivery, text: tracking.DemoText("out_for_delivery", ""), loc: destCity(dest)},
		{sub: tracking.SubDelivered, text: tracking.DemoText("delivered", ""), loc: destCity(dest)},
	}
}

const day = 24 * time.Hour

// past returns a fixed scenario's history, oldest first.
func past(scenario, dest string) []step {
	journey := func(start time.Duration) []step {
		return []step{
			{ago: start, sub: tracking.SubInformationReceived, text: tracking.DemoText("label", ""), loc: shenzhen},
			{ago: start - day, sub: tracking.SubPackageAccepted, text: tracking.DemoText("accepted", ""), loc: shenzhen},
			{ago: start - 3*day, sub: tracking.SubPackageDeparted, text: tracking.DemoText("departed", ""), loc: hongkong},
			{ago: start - 6*day, sub: tracking.SubPackageArrived, text: tracking.DemoText("arrived", ""), loc: destCity(dest)},
		}
	}
	switch scenario {
	case "STALLED":
		return []step{
			{ago: 22 * day, sub: tracking.SubInformationReceived, text: tracking.DemoText("label", ""), loc: shenzhen},
			{ago: 21 * day, sub: tracking.SubPackageAccepted, text: tracking.DemoText("accepted", ""), loc: shenzhen},
			{ago: 18 * day, sub: tracking.SubPackageDeparted, text: tracking.DemoText("departed", ""), loc: hongkong},
			{ago: 15 * day, sub: tracking.SubPackageProcessed, text: tracking.DemoText("sorted", ""), loc: hongkong},
		}
	case "LABEL":
		return []step{{ago: 11 * day, sub: tracking.SubInformationReceived, text: tracking.DemoText("label", ""), loc: shenzhen}}
	case "CUSTOMS":
		return append(journey(18*day), step{ago: 11 * day, sub: tracking.SubCustomsHeld, text: tracking.DemoText("customs_held", ""), loc: destCity(dest)})
	case "RETURNED":
		return append(journey(30*day),
			step{ago: 20 * day, sub: tracking.SubDeliveryAttempted, text: tracking.DemoText("attempted", ""), loc: destCity(dest)},
			step{ago: 12 * day, sub: tracking.SubPackageUnclaimed, text: tracking.DemoText("unclaimed", ""), loc: destCity(dest)},
			step{ago: 5 * day, sub: tracking.SubReturnToSender, text: tracking.DemoText("returned", ""), loc: destCity(dest)})
	case "ATTEMPT":
		return append(journey(12*day),
			step{ago: 2 * day, sub: tracking.SubOutForDelivery, text: tracking.DemoText("out_for_delivery", ""), loc: destCity(dest)},
			step{ago: 2*day - 4*time.Hour, sub: tracking.SubNoticeLeft, text: tracking.DemoText("notice_left", ""), loc: destCity(dest)})
	case "PICKUP":
		return append(journey(12*day),
			step{ago: 2 * day, sub: tracking.SubPickupAvailable, text: tracking.DemoText("pickup", ""), loc: destCity(dest)})
	case "DELIVERED":
		return append(journey(12*day),
			step{ago: 3 * day, sub: tracking.SubOutForDelivery, text: tracking.DemoText("out_for_delivery", ""), loc: destCity(dest)},
			step{ago: 3*day - 5*time.Hour, sub: tracking.SubDelivered, text: tracking.DemoText("delivered_door", ""), loc: destCity(dest)})
	case "LOST":
		return append(journey(40*day),
			step{ago: 3 * day, sub: tracking.SubPackageLost, text: tracking.DemoText("lost", ""), loc: destCity(dest)})
	}
	return nil // NOTFOUND: nothing yet
}
