package tracking_test

import (
	"testing"

	"github.com/trackbot/trackbot/tracking"
)

// TestGuessSubstatusTellsTheExceptionsApart: carriers' words for the
// exceptions that need different actions land on their own sub-statuses,
// and the words that meant something else before still do.
func TestGuessSubstatusTellsTheExceptionsApart(t *testing.T) {
	tests := []struct {
		text string
		want tracking.Substatus
	}{
		{"Held at customs: commercial invoice required", tracking.SubCustomsInfoRequested},
		{"Incorrect / missing documents", tracking.SubCustomsInfoRequested}, // not a lost parcel
		{"Zoll: Zolldokumente fehlen", tracking.SubCustomsInfoRequested},
		{"Held at customs, import duties due", tracking.SubCustomsHeld},
		{"Held by customs: import duties and taxes are due", tracking.SubCustomsHeld},
		{"Customs clearance started", tracking.SubCustomsProcessing},
		{"Delivery refused by the recipient", tracking.SubRefused},
		{"Annahme verweigert", tracking.SubRefused},
		{"Refused by recipient, returned to sender", tracking.SubReturnToSender}, // where it is now
		{"Shipment cancelled by the sender", tracking.SubCancelled},
		{"Sendung storniert", tracking.SubCancelled},
		{"Not collected from the pickup point", tracking.SubPackageUnclaimed},
		{"Unclaimed at the post office", tracking.SubPackageUnclaimed},
		{"Available for pickup at the post office", tracking.SubPickupAvailable},
		{"Held for collection at the depot", tracking.SubPickupAvailable},
		{"Parcel held at depot", tracking.SubPackageHeld},
		{"Shipment on hold", tracking.SubPackageHeld},
		{"Delivery failed: address incomplete", tracking.SubAddressIssue},
		{"Customer moved", tracking.SubAddressIssue},
		{"Delivery attempted, recipient not available", tracking.SubDeliveryAttempted},
		{"Invalid tracking number", tracking.SubInvalidNumber},
		{"Shipment information received", tracking.SubInformationReceived},
		{"Parcel lost in transit", tracking.SubPackageLost},
	}
	for _, tt := range tests {
		if got, ok := tracking.GuessSubstatus(tt.text); !ok || got != tt.want {
			t.Errorf("GuessSubstatus(%q) = %s, %v; want %s", tt.text, got, ok, tt.want)
		}
	}
}
