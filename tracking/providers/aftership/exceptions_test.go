package aftership

import (
	"testing"

	"github.com/trackbot/trackbot/tracking"
	pt "github.com/trackbot/trackbot/tracking/providers/providertest"
)

// The pages the codes and texts below come from.
const (
	subtagDocs     = "https://www.aftership.com/docs/tracking/2026-07/enum/delivery-sub-statuses"
	subtagHelp     = "https://tracking-helpcenter.aftership.com/en/article/learn-about-delivery-sub-status-1b0hdlx"
	checkpointDocs = "https://www.aftership.com/docs/tracking/model/checkpoint" // message: the carrier's words
)

// TestExceptionsHaveTheirOwnSubstatus: each exception that needs its own
// action lands on its own sub-status, from AfterShip's documented subtag
// or, where AfterShip has none, from the checkpoint's message.
func TestExceptionsHaveTheirOwnSubstatus(t *testing.T) {
	p := New(Config{})
	at := func(tag, subtag, text string) func() (tracking.Status, tracking.Substatus) {
		return func() (tracking.Status, tracking.Substatus) { return p.classify(tag, subtag, text) }
	}
	pt.CheckExceptions(t, []pt.ExceptionCase{
		{Describing: "Exception_018 incorrect / missing documents", Doc: subtagHelp,
			Classify: at("Exception", "Exception_018", "Incorrect / missing documents"), Status: tracking.StatusTransit, Sub: tracking.SubCustomsInfoRequested},
		{Describing: "Exception_006 held for payment stays a customs hold", Doc: subtagDocs,
			Classify: at("Exception", "Exception_006", "Held for payment"), Status: tracking.StatusTransit, Sub: tracking.SubCustomsHeld},
		{Describing: "catch-all exception asking for an invoice", Doc: checkpointDocs,
			Classify: at("Exception", "Exception_001", "Held at customs: commercial invoice required"), Status: tracking.StatusTransit, Sub: tracking.SubCustomsInfoRequested},
		{Describing: "Exception_003 customer refused delivery", Doc: subtagDocs,
			Classify: at("Exception", "Exception_003", "Customer refused delivery"), Status: tracking.StatusFailure, Sub: tracking.SubRefused},
		{Describing: "Exception_020 shipment cancelled", Doc: subtagHelp,
			Classify: at("Exception", "Exception_020", "Shipment cancelled"), Status: tracking.StatusFailure, Sub: tracking.SubCancelled},
		{Describing: "Exception_008 pick up missed", Doc: subtagDocs,
			Classify: at("Exception", "Exception_008", "Pick up missed"), Status: tracking.StatusTransit, Sub: tracking.SubPackageUnclaimed},
		{Describing: "catch-all exception held at the depot", Doc: checkpointDocs,
			Classify: at("Exception", "Exception_001", "Shipment held at delivery depot"), Status: tracking.StatusTransit, Sub: tracking.SubPackageHeld},
		{Describing: "Exception_007 incorrect address", Doc: subtagDocs,
			Classify: at("Exception", "Exception_007", "Incorrect Address"), Status: tracking.StatusTransit, Sub: tracking.SubAddressIssue},
		{Describing: "Exception_002 customer moved", Doc: subtagDocs,
			Classify: at("Exception", "Exception_002", "Customer moved"), Status: tracking.StatusTransit, Sub: tracking.SubAddressIssue},
		{Describing: "failed attempt because the address is incomplete", Doc: checkpointDocs,
			Classify: at("AttemptFail", "AttemptFail_001", "Delivery failed: address incomplete"), Status: tracking.StatusTransit, Sub: tracking.SubAddressIssue},
		// AfterShip has no code for an invalid number: only the carrier's
		// words say so.
		{Describing: "checkpoint without codes saying the number is invalid", Doc: checkpointDocs,
			Classify: at("", "", "Invalid tracking number"), Status: tracking.StatusUnknown, Sub: tracking.SubInvalidNumber},
	})
}
