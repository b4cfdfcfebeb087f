package shippo

import (
	"strings"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/wire"
)

// statuses maps Shippo's six statuses onto the model, each with the
// sub-status an event gets when Shippo sends no sub-status and its text
// says nothing more specific.
//
// Source: https://docs.goshippo.com/docs/tracking/tracking/ (status enum of
// the Track object).
var statuses = map[string]struct {
	status tracking.Status
	sub    tracking.Substatus
}{
	"PRE_TRANSIT": {tracking.StatusPreTransit, tracking.SubInformationReceived},
	"TRANSIT":     {tracking.StatusTransit, tracking.SubOther},
	"DELIVERED":   {tracking.StatusDelivered, tracking.SubDelivered},
	"RETURNED":    {tracking.StatusReturned, tracking.SubReturnToSender},
	"FAILURE":     {tracking.StatusFailure, tracking.SubOther},
	"UNKNOWN":     {tracking.StatusUnknown, tracking.SubOther},
}

// substatuses maps every substatus.code Shippo documents onto the model.
// trackbot's model took its sub-statuses from Shippo's, so the table is
// nearly the identity; only out_for_delivery and return_to_sender lost
// their underscores.
//
// Source: https://docs.goshippo.com/docs/tracking/tracking/ (substatus codes).
var substatuses = map[string]tracking.Substatus{
	"information_received":  tracking.SubInformationReceived,
	"address_issue":         tracking.SubAddressIssue,
	"contact_carrier":       tracking.SubContactCarrier,
	"delayed":               tracking.SubDelayed,
	"delivery_attempted":    tracking.SubDeliveryAttempted,
	"delivery_rescheduled":  tracking.SubDeliveryRescheduled,
	"delivery_scheduled":    tracking.SubDeliveryScheduled,
	"location_inaccessible": tracking.SubLocationInaccessible,
	"notice_left":           tracking.SubNoticeLeft,
	"out_for_delivery":      tracking.SubOutForDelivery,
	"package_accepted":      tracking.SubPackageAccepted,
	"package_arrived":       tracking.SubPackageArrived,
	"package_damaged":       tracking.SubPackageDamaged,
	"package_departed":      tracking.SubPackageDeparted,
	"package_disposed":      tracking.SubPackageDisposed,
	"package_forwarded":     tracking.SubPackageForwarded,
	"package_held":          tracking.SubPackageHeld,
	"package_lost":          tracking.SubPackageLost,
	"package_processed":     tracking.SubPackageProcessed,
	"package_processing":    tracking.SubPackageProcessing,
	"package_unclaimed":     tracking.SubPackageUnclaimed,
	"package_undeliverable": tracking.SubPackageUndeliverable,
	"pickup_available":      tracking.SubPickupAvailable,
	"reschedule_delivery":   tracking.SubRescheduleDelivery,
	"return_to_sender":      tracking.SubReturnToSender,
	"delivered":             tracking.SubDelivered,
	"other":                 tracking.SubOther,
}

// classify maps one Shippo status report onto the model. A known
// sub-status code decides the sub-status, and Shippo's status stays the
// status. Without a usable code ("other", none, or one the table lacks) the
// text may refine the status's default sub-status. A status the table lacks
// leaves the text alone to decide; with no clue at all the report is
// UNKNOWN/other. Codes the tables lack are logged once each.
func (p *Provider) classify(status, subCode, text string) (tracking.Status, tracking.Substatus) {
	st, stKnown := statuses[strings.ToUpper(strings.TrimSpace(status))]
	if !stKnown && status != "" {
		p.unknown.Note(Name, "status:"+status)
	}
	subCode = strings.ToLower(strings.TrimSpace(subCode))
	if sub, ok := substatuses[subCode]; ok && sub != tracking.SubOther {
		switch {
		case stKnown && st.status != tracking.StatusUnknown:
			return st.status, sub
		default:
			return sub.Parent(), sub
		}
	} else if !ok && subCode != "" {
		p.unknown.Note(Name, "substatus:"+subCode)
	}
	guess, guessed := tracking.GuessSubstatus(text)
	switch {
	case !stKnown || st.status == tracking.StatusUnknown:
		if guessed {
			return guess.Parent(), guess
		}
		return tracking.StatusUnknown, tracking.SubOther
	case guessed && guess.Parent() == st.status:
		return st.status, guess
	}
	return st.status, st.sub
}

// carrierTokens maps trackbot's carrier ids onto Shippo's carrier tokens.
// The Chinese carriers trackbot knows have no Shippo token.
//
// Source: CarriersEnum of Shippo's SDKs (goshippo/shippo-python-sdk,
// docs/models/components/carriersenum.md).
var carrierTokens = map[string]string{
	"usps":          "usps",
	"ups":           "ups",
	"fedex":         "fedex",
	"dhl-express":   "dhl_express",
	"dhl-paket":     "dhl_germany",
	"dhl-ecommerce": "dhl_ecommerce",
	"canada-post":   "canada_post",
	"royal-mail":    "royal_mail",
	"shippo":        "shippo", // test mode: SHIPPO_TRANSIT and its siblings
}

// carrierIDs maps Shippo's tokens back onto trackbot's ids: the inverse of
// carrierTokens plus the tokens of other Shippo products of the same
// carriers.
var carrierIDs = map[string]string{
	"usps":            "usps",
	"ups":             "ups",
	"fedex":           "fedex",
	"dhl_express":     "dhl-express",
	"dhl_germany":     "dhl-paket",
	"dhl_germany_c2c": "dhl-paket",
	"deutsche_post":   "dhl-paket",
	"dhl_ecommerce":   "dhl-ecommerce",
	"canada_post":     "canada-post",
	"royal_mail":      "royal-mail",
	"royal_mail_sf":   "royal-mail",
	"shippo":          "shippo",
}

// carrierToken returns Shippo's token for a trackbot carrier id.
func carrierToken(id string) (string, bool) { return wire.Code(carrierTokens, id) }

// carrierID returns trackbot's id for a Shippo carrier token, or "".
func carrierID(token string) string {
	id, _ := wire.Code(carrierIDs, token)
	return id
}

// ownLabelsOnly lists the carriers Shippo tracks only for labels bought
// through Shippo: their numbers from anywhere else get no answer, so
// trackbot, which follows numbers from any shop, must not send them there.
//
// Source: Shippo's carrier pages for Canada Post, DHL Germany and DHL
// eCommerce (https://docs.goshippo.com/docs/tracking/trackingcarrier).
var ownLabelsOnly = map[string]bool{
	"canada-post":   true,
	"dhl-paket":     true,
	"dhl-ecommerce": true,
}

// Coverage says, for every trackbot carrier id Shippo has a token for,
// whether Shippo tracks any label of that carrier or only labels bought
// through Shippo, for wiring the provider into a tracking.Registry with
// AddCoverage.
func Coverage() tracking.Coverage {
	cov := make(tracking.Coverage, len(carrierTokens))
	for id := range carrierTokens {
		cov[id] = tracking.AnyLabel
		if ownLabelsOnly[id] {
			cov[id] = tracking.OwnLabelsOnly
		}
	}
	return cov
}

// Carriers lists, sorted, the trackbot carrier ids Shippo tracks for any
// label: the carriers a tracking.Registry routes to it.
func Carriers() []string {
	return Coverage().AnyLabel()
}
