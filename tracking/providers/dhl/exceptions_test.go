package dhl

import (
	"testing"

	"github.com/trackbot/trackbot/tracking"
	pt "github.com/trackbot/trackbot/tracking/providers/providertest"
)

// unifiedDocs documents the Unified API's events: statusCode and the
// carrier's words in status and description. DHL has no sub-statuses.
const unifiedDocs = "https://developer.dhl.com/api-reference/shipment-tracking"

// TestExceptionsHaveTheirOwnSubstatus: DHL documents no sub-statuses, so
// each exception that needs its own action is read from the event's
// words under its statusCode.
func TestExceptionsHaveTheirOwnSubstatus(t *testing.T) {
	p := New(Config{})
	at := func(code string, texts ...string) func() (tracking.Status, tracking.Substatus) {
		return func() (tracking.Status, tracking.Substatus) { return p.classify(code, texts...) }
	}
	pt.CheckExceptions(t, []pt.ExceptionCase{
		{Describing: "customs wanting paperwork", Doc: unifiedDocs,
			Classify: at("transit", "Clearance delay: customs documents required from the receiver"), Status: tracking.StatusTransit, Sub: tracking.SubCustomsInfoRequested},
		{Describing: "refused", Doc: unifiedDocs,
			Classify: at("failure", "Recipient refused delivery"), Status: tracking.StatusFailure, Sub: tracking.SubRefused},
		{Describing: "refused in German", Doc: unifiedDocs,
			Classify: at("failure", "Annahme verweigert"), Status: tracking.StatusFailure, Sub: tracking.SubRefused},
		{Describing: "cancelled", Doc: unifiedDocs,
			Classify: at("failure", "Shipment cancelled"), Status: tracking.StatusFailure, Sub: tracking.SubCancelled},
		{Describing: "not picked up", Doc: unifiedDocs,
			Classify: at("transit", "The shipment was not picked up at the retail outlet"), Status: tracking.StatusTransit, Sub: tracking.SubPackageUnclaimed},
		{Describing: "held", Doc: unifiedDocs,
			Classify: at("transit", "Shipment on hold"), Status: tracking.StatusTransit, Sub: tracking.SubPackageHeld},
		{Describing: "address", Doc: unifiedDocs,
			Classify: at("transit", "Incorrect or incomplete address, contact DHL"), Status: tracking.StatusTransit, Sub: tracking.SubAddressIssue},
		{Describing: "invalid number", Doc: unifiedDocs,
			Classify: at("unknown", "Invalid tracking number"), Status: tracking.StatusUnknown, Sub: tracking.SubInvalidNumber},
	})
}
