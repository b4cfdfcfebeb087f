package tracking

import (
	"slices"
	"time"
)

// viewerRules are the rules whose situation a shared tracking page puts in
// one neutral line for whoever opens it — not the buyer's or the seller's
// steps, which speak to one side of the sale, but what the parcel is
// waiting for. Each has the message page_advice_<rule>, rendered with the
// advice's data.
var viewerRules = []string{
	RulePickupAvailable, RuleDeliveryAttempted, RuleCustomsHeld, RuleCustomsInfo,
	RuleAddressIssue, RuleReturned, RuleCustomsLong, RuleLate,
}

// ViewerRules lists the rules a tracking page words for its viewers.
func ViewerRules() []string { return slices.Clone(viewerRules) }

// ViewerMessage is the catalog message id of a rule's line on a tracking
// page.
func ViewerMessage(rule string) string { return "page_advice_" + rule }

// ViewerAdvice is the one line of advice a shared tracking page shows: the
// most urgent of the guidance that applies now and that has a viewer's
// wording, with its Message set to that wording. The shop's rules are left
// out (the page does not say where the parcel was bought). ok is false
// when no such rule applies.
func (e *Engine) ViewerAdvice(sh *Shipment, now time.Time) (a Advice, ok bool) {
	return ViewerAdvice(sh, e.thresholds, now)
}

// ViewerAdvice is Engine.ViewerAdvice with the given thresholds.
func ViewerAdvice(sh *Shipment, th Thresholds, now time.Time) (Advice, bool) {
	for _, a := range Evaluate(NewSituation(sh, "", RoleBuyer, now), th) {
		if slices.Contains(viewerRules, a.Rule) {
			a.Message = ViewerMessage(a.Rule)
			a.Buttons = nil
			return a, true
		}
	}
	return Advice{}, false
}

// LocalCarrier is who carries a parcel in its destination country once it
// has been handed over, and the page where its number can be followed.
type LocalCarrier struct {
	// Name is the carrier's or post's name; empty when trackbot does not
	// know who it is.
	Name string
	// Number is the number the local carrier knows the parcel by.
	Number string
	// URL is its tracking page for Number, or a multi-carrier tracker when
	// Tracker is set; empty for an express carrier that delivers itself.
	URL     string
	Tracker bool
}

// HandedOver returns the local carrier of a shipment that has been handed
// over to a later leg, the same one the guidance names; ok is false while
// the first carrier still has it. It is the one source of who carries the
// later leg: the chat's card, the alerts and the tracking page all name it.
func HandedOver(sh *Shipment) (LocalCarrier, bool) {
	if len(sh.Legs) == 0 {
		return LocalCarrier{}, false
	}
	lc := newFacts(NewSituation(sh, "", RoleBuyer, sh.StatusChangedAt), DefaultThresholds()).deliveringPost()
	name := lc.name
	if leg := sh.Legs[len(sh.Legs)-1]; name == "" && leg.Carrier != CarrierDemo {
		// The guidance sends the buyer to a tracker, but the provider
		// said who the leg's carrier is: that is still who has it.
		if info, known := LookupCarrier(leg.Carrier); known {
			name = info.Name
		}
	}
	return LocalCarrier{Name: name, Number: lc.number, URL: lc.link, Tracker: lc.tracker}, true
}
