package shippo

import (
	"testing"

	"github.com/trackbot/trackbot/tracking"
	pt "github.com/trackbot/trackbot/tracking/providers/providertest"
)

// trackDocs documents the Track object: status, substatus.code and
// status_details, the carrier's words.
const trackDocs = "https://docs.goshippo.com/docs/tracking/tracking/"

// TestExceptionsHaveTheirOwnSubstatus: each exception that needs its own
// action lands on its own sub-status, from Shippo's substatus code where
// it has one, otherwise from status_details under Shippo's status.
func TestExceptionsHaveTheirOwnSubstatus(t *testing.T) {
	p := New(Config{})
	at := func(status, code, details string) func() (tracking.Status, tracking.Substatus) {
		return func() (tracking.Status, tracking.Substatus) { return p.classify(status, code, details) }
	}
	pt.CheckExceptions(t, []pt.ExceptionCase{
		{Describing: "customs asking for an invoice", Doc: trackDocs,
			Classify: at("TRANSIT", "", "Held at customs: commercial invoice required"), Status: tracking.StatusTransit, Sub: tracking.SubCustomsInfoRequested},
		{Describing: "customs asking for duties stays a customs hold", Doc: trackDocs,
			Classify: at("TRANSIT", "other", "Held at customs, import duties due"), Status: tracking.StatusTransit, Sub: tracking.SubCustomsHeld},
		{Describing: "refused", Doc: trackDocs,
			Classify: at("FAILURE", "", "Delivery refused by the recipient"), Status: tracking.StatusFailure, Sub: tracking.SubRefused},
		{Describing: "cancelled", Doc: trackDocs,
			Classify: at("FAILURE", "other", "Shipment cancelled by the sender"), Status: tracking.StatusFailure, Sub: tracking.SubCancelled},
		{Describing: "package_unclaimed", Doc: trackDocs,
			Classify: at("TRANSIT", "package_unclaimed", "Unclaimed at the post office"), Status: tracking.StatusTransit, Sub: tracking.SubPackageUnclaimed},
		{Describing: "not picked up, no code", Doc: trackDocs,
			Classify: at("TRANSIT", "", "Not picked up from the pickup point"), Status: tracking.StatusTransit, Sub: tracking.SubPackageUnclaimed},
		{Describing: "package_held", Doc: trackDocs,
			Classify: at("TRANSIT", "package_held", "Held at the carrier facility"), Status: tracking.StatusTransit, Sub: tracking.SubPackageHeld},
		{Describing: "address_issue", Doc: trackDocs,
			Classify: at("TRANSIT", "address_issue", "Incorrect address"), Status: tracking.StatusTransit, Sub: tracking.SubAddressIssue},
		{Describing: "address incomplete, no code", Doc: trackDocs,
			Classify: at("TRANSIT", "", "Address incomplete"), Status: tracking.StatusTransit, Sub: tracking.SubAddressIssue},
		{Describing: "invalid number", Doc: trackDocs,
			Classify: at("UNKNOWN", "", "Invalid tracking number"), Status: tracking.StatusUnknown, Sub: tracking.SubInvalidNumber},
	})
}
