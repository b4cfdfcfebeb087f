package seventeentrack

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/trackbot/trackbot/tracking"
	pt "github.com/trackbot/trackbot/tracking/providers/providertest"
)

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// 17TRACK's v2.x taxonomy (carrier-apis.md §1.3), each code with what its
// name says; the "_Other" codes and the main statuses are catch-alls
// where the main status covers several situations.
var (
	taxonomyMain = []pt.Code{
		{Code: "NotFound", Means: pt.NoInformation},
		{Code: "InfoReceived", Means: pt.InformationReceived},
		{Code: "InTransit", Means: pt.Moving, CatchAll: true},
		{Code: "Expired", Means: pt.Delayed}, // no update for so long that 17TRACK stopped waiting
		{Code: "AvailableForPickup", Means: pt.NeedsAction},
		{Code: "OutForDelivery", Means: pt.Moving},
		{Code: "DeliveryFailure", Means: pt.NeedsAction, CatchAll: true},
		{Code: "Delivered", Means: pt.Delivered},
		{Code: "Exception", Means: pt.Failed, CatchAll: true},
	}
	taxonomySub = []pt.Code{
		{Code: "NotFound_Other", Means: pt.NoInformation},
		{Code: "NotFound_InvalidCode", Means: pt.InvalidNumber},
		{Code: "InfoReceived", Means: pt.InformationReceived},
		{Code: "InTransit_PickedUp", Means: pt.Moving},
		{Code: "InTransit_Other", Means: pt.Moving, CatchAll: true},
		{Code: "InTransit_Departure", Means: pt.Moving},
		{Code: "InTransit_Arrival", Means: pt.Moving},
		{Code: "InTransit_CustomsProcessing", Means: pt.InCustoms},
		{Code: "InTransit_CustomsReleased", Means: pt.CustomsReleased},
		{Code: "InTransit_CustomsRequiringInformation", Means: pt.DocumentsRequested},
		{Code: "Expired_Other", Means: pt.Delayed},
		{Code: "AvailableForPickup_Other", Means: pt.NeedsAction},
		{Code: "OutForDelivery_Other", Means: pt.Moving},
		{Code: "DeliveryFailure_Other", Means: pt.NeedsAction, CatchAll: true},
		{Code: "DeliveryFailure_NoBody", Means: pt.NeedsAction},
		{Code: "DeliveryFailure_Security", Means: pt.HeldByCarrier},
		{Code: "DeliveryFailure_Rejected", Means: pt.Refused},
		{Code: "DeliveryFailure_InvalidAddress", Means: pt.AddressProblem},
		{Code: "Delivered_Other", Means: pt.Delivered},
		{Code: "Exception_Other", Means: pt.Failed, CatchAll: true},
		{Code: "Exception_Returning", Means: pt.Returned},
		{Code: "Exception_Returned", Means: pt.Returned},
		{Code: "Exception_NoBody", Means: pt.NeedsAction},
		{Code: "Exception_Security", Means: pt.HeldByCarrier},
		{Code: "Exception_Damage", Means: pt.NeedsAction},
		{Code: "Exception_Rejected", Means: pt.Refused},
		{Code: "Exception_Delayed", Means: pt.Delayed},
		{Code: "Exception_Lost", Means: pt.NeedsAction},
		{Code: "Exception_Destroyed", Means: pt.NeedsAction},
		{Code: "Exception_Cancel", Means: pt.Cancelled},
	}
	// The milestone key stages that events carry in "stage".
	taxonomyStage = []pt.Code{
		{Code: "InfoReceived", Means: pt.InformationReceived},
		{Code: "PickedUp", Means: pt.Moving},
		{Code: "Departure", Means: pt.Moving},
		{Code: "Arrival", Means: pt.Moving},
		{Code: "AvailableForPickup", Means: pt.NeedsAction},
		{Code: "OutForDelivery", Means: pt.Moving},
		{Code: "Delivered", Means: pt.Delivered},
		{Code: "Returning", Means: pt.Returned},
		{Code: "Returned", Means: pt.Returned},
	}
)

func TestStatusTablesKeepTheTaxonomysMeaning(t *testing.T) {
	if len(taxonomyMain) != 9 || len(taxonomySub) != 30 {
		t.Fatalf("the test lists %d main and %d sub-statuses; 17TRACK documents 9 and 30", len(taxonomyMain), len(taxonomySub))
	}
	t.Run("main statuses", func(t *testing.T) { pt.CheckTable(t, mainStatuses, taxonomyMain) })
	t.Run("sub-statuses", func(t *testing.T) { pt.CheckTable(t, subStatuses, taxonomySub) })
	t.Run("milestone stages", func(t *testing.T) { pt.CheckTable(t, stages, taxonomyStage) })
}

func TestUnknownCodesFallBackToTheText(t *testing.T) {
	p := New(Config{})
	pt.CheckFallback(t, func(text string) (tracking.Status, tracking.Substatus) {
		return p.classify("Teleported", "Teleported_Other", "Beamed", text)
	})
}

// TestClassify covers how codes and text combine: the sub-status first,
// then the main status, then the stage; a catch-all refined by its text
// within its status.
func TestClassify(t *testing.T) {
	tests := []struct {
		name             string
		main, sub, stage string
		text             string
		status           tracking.Status
		substatus        tracking.Substatus
	}{
		{"sub-status wins", "InTransit", "InTransit_Arrival", "Departure", "", tracking.StatusTransit, tracking.SubPackageArrived},
		{"unknown sub-status falls back to main", "Delivered", "Delivered_ToNeighbour", "", "", tracking.StatusDelivered, tracking.SubDelivered},
		{"stage when no status", "", "", "Returning", "", tracking.StatusReturned, tracking.SubReturnToSender},
		{"generic code refined by text", "", "InTransit_Other", "", "Handed over to the destination post", tracking.StatusTransit, tracking.SubCarrierHandover},
		{"refinement stays within the status", "", "InTransit_Other", "", "Delivered to the next depot", tracking.StatusTransit, tracking.SubPackageProcessed},
		{"generic exception refined", "Exception", "Exception_Other", "", "Parcel lost in transit", tracking.StatusFailure, tracking.SubPackageLost},
		{"specific code is not refined", "", "InTransit_Departure", "", "Customs clearance", tracking.StatusTransit, tracking.SubPackageDeparted},
		{"nothing at all", "", "", "", "", tracking.StatusUnknown, tracking.SubOther},
	}
	p := New(Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, sub := p.classify(tt.main, tt.sub, tt.stage, tt.text)
			if status != tt.status || sub != tt.substatus {
				t.Errorf("classify(%q, %q, %q, %q) = %s/%s, want %s/%s",
					tt.main, tt.sub, tt.stage, tt.text, status, sub, tt.status, tt.substatus)
			}
		})
	}
}

func TestUnknownCodeLoggedOnce(t *testing.T) {
	p := New(Config{})
	pt.UnknownCodeLoggedOnce(t, Name, "InTransit_Wormhole", func() { p.classify("", "InTransit_Wormhole", "", "in transit") })
}
