package seventeentrack

import (
	"context"
	"testing"

	"github.com/trackbot/trackbot/tracking"
	pt "github.com/trackbot/trackbot/tracking/providers/providertest"
)

// The pages the codes and texts below come from.
const (
	apiDocs    = "https://asset.17track.net/api/document/v2.2_en/index.html" // latest_status, events[].description
	statusHelp = "https://help.17track.net/hc/en-us/articles/37471096573337" // the sub-statuses
)

// TestExceptionsHaveTheirOwnSubstatus: each exception that needs its own
// action lands on its own sub-status, from 17TRACK's documented
// sub-status or, where it has none, from the event's description under a
// catch-all code.
func TestExceptionsHaveTheirOwnSubstatus(t *testing.T) {
	p := New(Config{})
	at := func(main, sub, text string) func() (tracking.Status, tracking.Substatus) {
		return func() (tracking.Status, tracking.Substatus) { return p.classify(main, sub, "", text) }
	}
	pt.CheckExceptions(t, []pt.ExceptionCase{
		{Describing: "InTransit_CustomsRequiringInformation", Doc: statusHelp,
			Classify: at("InTransit", "InTransit_CustomsRequiringInformation", ""), Status: tracking.StatusTransit, Sub: tracking.SubCustomsInfoRequested},
		{Describing: "DeliveryFailure_Rejected", Doc: statusHelp,
			Classify: at("DeliveryFailure", "DeliveryFailure_Rejected", ""), Status: tracking.StatusFailure, Sub: tracking.SubRefused},
		{Describing: "Exception_Rejected", Doc: statusHelp,
			Classify: at("Exception", "Exception_Rejected", ""), Status: tracking.StatusFailure, Sub: tracking.SubRefused},
		{Describing: "Exception_Cancel", Doc: statusHelp,
			Classify: at("Exception", "Exception_Cancel", ""), Status: tracking.StatusFailure, Sub: tracking.SubCancelled},
		// 17TRACK has no sub-status for a parcel not collected: the
		// carrier's words come under Exception_Other.
		{Describing: "Exception_Other, not collected", Doc: apiDocs,
			Classify: at("Exception", "Exception_Other", "Item not collected by the addressee within the storage period"), Status: tracking.StatusTransit, Sub: tracking.SubPackageUnclaimed},
		{Describing: "Exception_Security", Doc: statusHelp,
			Classify: at("Exception", "Exception_Security", ""), Status: tracking.StatusTransit, Sub: tracking.SubPackageHeld},
		{Describing: "Exception_Other, held at the depot", Doc: apiDocs,
			Classify: at("Exception", "Exception_Other", "Parcel held at depot"), Status: tracking.StatusTransit, Sub: tracking.SubPackageHeld},
		{Describing: "DeliveryFailure_InvalidAddress", Doc: statusHelp,
			Classify: at("DeliveryFailure", "DeliveryFailure_InvalidAddress", ""), Status: tracking.StatusTransit, Sub: tracking.SubAddressIssue},
		{Describing: "Exception_Other, address incomplete", Doc: apiDocs,
			Classify: at("Exception", "Exception_Other", "Address incomplete, please contact the carrier"), Status: tracking.StatusTransit, Sub: tracking.SubAddressIssue},
		{Describing: "NotFound_InvalidCode", Doc: statusHelp,
			Classify: at("NotFound", "NotFound_InvalidCode", ""), Status: tracking.StatusUnknown, Sub: tracking.SubInvalidNumber},
		{Describing: "NotFound_Other stays nothing known", Doc: statusHelp,
			Classify: at("NotFound", "NotFound_Other", ""), Status: tracking.StatusUnknown, Sub: tracking.SubOther},
	})
}

// TestLookupInvalidNumber: an answer whose latest_status is
// NotFound_InvalidCode (v2.2 gettrackinfo, apiDocs) is a result saying so,
// not "no information yet"; NotFound_Other still is.
func TestLookupInvalidNumber(t *testing.T) {
	_, p := newFake(t, map[string][]reply{"gettrackinfo": {{file: "gettrackinfo_invalidcode.json"}}})
	res, err := p.Lookup(context.Background(), tracking.Query{Number: "LP00123456789"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != tracking.StatusUnknown || res.Substatus != tracking.SubInvalidNumber || len(res.Events) != 0 {
		t.Errorf("got %s/%s with %d events, want UNKNOWN/invalid_number without events", res.Status, res.Substatus, len(res.Events))
	}
}
