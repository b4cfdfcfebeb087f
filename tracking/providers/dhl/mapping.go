package dhl

import (
	"maps"
	"slices"
	"strings"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/wire"
)

// statusCodes maps DHL's five statusCodes onto the model, each with the
// sub-status an event gets when its text says nothing the code agrees with.
//
// Source: statusCode enum of the Unified API
// (https://developer.dhl.com/api-reference/shipment-tracking) and the event
// names of the Push API.
var statusCodes = map[string]struct {
	status tracking.Status
	sub    tracking.Substatus
}{
	"pre-transit": {tracking.StatusPreTransit, tracking.SubInformationReceived},
	"transit":     {tracking.StatusTransit, tracking.SubOther},
	"delivered":   {tracking.StatusDelivered, tracking.SubDelivered},
	"failure":     {tracking.StatusFailure, tracking.SubOther},
	"unknown":     {tracking.StatusUnknown, tracking.SubOther},
}

// classify maps one DHL event onto the model. The statusCode decides the
// status; the texts, read by tracking.GuessSubstatus, refine it where they
// agree with it. Two codes let the text decide more:
//
//   - "failure" covers DHL's returns and failed attempts too, so a text
//     naming a return makes the status RETURNED, and a text naming
//     something the recipient must act on keeps FAILURE with that
//     sub-status;
//   - "unknown" (DHL eCommerce uses it for scans such as "LABEL CREATED"),
//     and any code the table lacks, take the status of what the text says.
//
// texts are tried in order, so the event's own words win over a remark.
// Codes the table lacks are logged once each.
func (p *Provider) classify(code string, texts ...string) (tracking.Status, tracking.Substatus) {
	m, known := statusCodes[strings.ToLower(strings.TrimSpace(code))]
	if !known && code != "" {
		p.unknown.Note(Name, code)
	}
	guess, guessed := tracking.SubOther, false
	for _, text := range texts {
		if guess, guessed = tracking.GuessSubstatus(text); guessed {
			break
		}
	}
	switch {
	case !known || m.status == tracking.StatusUnknown:
		if guessed {
			return guess.Parent(), guess
		}
		return tracking.StatusUnknown, tracking.SubOther
	case guessed && guess.Parent() == m.status:
		return m.status, guess
	case guessed && m.status == tracking.StatusFailure && guess.Parent() == tracking.StatusReturned:
		return tracking.StatusReturned, guess
	case guessed && m.status == tracking.StatusFailure && guess.ActionRequired():
		return tracking.StatusFailure, guess
	}
	return m.status, m.sub
}

// services maps trackbot's DHL carrier ids onto the Unified API's service
// parameter.
var services = map[string]string{
	"dhl-express":   "express",
	"dhl-paket":     "parcel-de",
	"dhl-ecommerce": "ecommerce",
}

// serviceCarriers maps the Unified API's services back onto trackbot's
// carrier ids. Services of divisions trackbot has no id for (freight, dgf,
// parcel-nl, parcel-pl, parcel-uk, sameday, post-international) are left
// out and give "".
var serviceCarriers = map[string]string{
	"express":          "dhl-express",
	"parcel-de":        "dhl-paket",
	"post-de":          "dhl-paket",
	"ecommerce":        "dhl-ecommerce",
	"ecommerce-europe": "dhl-ecommerce",
	"ecommerce-apac":   "dhl-ecommerce",
}

// carrierService returns the service parameter for a trackbot carrier id.
func carrierService(id string) (string, bool) { return wire.Code(services, id) }

// serviceCarrier returns trackbot's carrier id for a DHL service, or "".
func serviceCarrier(service string) string {
	id, _ := wire.Code(serviceCarriers, service)
	return id
}

// Carriers lists the trackbot carrier ids DHL can look up, sorted, for
// wiring the provider into a tracking.Registry.
func Carriers() []string {
	return slices.Sorted(maps.Keys(services))
}
