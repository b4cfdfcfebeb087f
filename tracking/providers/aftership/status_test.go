package aftership

import (
	"strings"
	"testing"

	"github.com/trackbot/trackbot/tracking"
	pt "github.com/trackbot/trackbot/tracking/providers/providertest"
)

// The taxonomy as AfterShip documents it (carrier-apis.md §2.3), each code
// with what its description says; undescribed codes are catch-alls that
// mean what their tag means.
var (
	taxonomyTags = []pt.Code{
		{Code: "Pending", Means: pt.NoInformation},
		{Code: "InfoReceived", Means: pt.InformationReceived},
		{Code: "InTransit", Means: pt.Moving, CatchAll: true},
		{Code: "OutForDelivery", Means: pt.Moving},
		{Code: "AttemptFail", Means: pt.NeedsAction, CatchAll: true},
		{Code: "Delivered", Means: pt.Delivered},
		{Code: "AvailableForPickup", Means: pt.NeedsAction},
		{Code: "Exception", Means: pt.Failed, CatchAll: true},
		{Code: "Expired", Means: pt.NoInformation}, // no information for 30 days since added
	}
	taxonomySubtags = []pt.Code{
		{Code: "Pending_001", Means: pt.NoInformation},
		{Code: "Pending_002", Means: pt.NoInformation},
		{Code: "Pending_003", Means: pt.NoInformation},
		{Code: "Pending_004", Means: pt.NoInformation},
		{Code: "Pending_005", Means: pt.NoInformation},
		{Code: "Pending_006", Means: pt.NoInformation},
		{Code: "InfoReceived_001", Means: pt.InformationReceived},
		{Code: "InTransit_001", Means: pt.Moving, CatchAll: true}, // in transit
		{Code: "InTransit_002", Means: pt.Moving},                 // acceptance scan
		{Code: "InTransit_003", Means: pt.Moving},                 // arrival scan
		{Code: "InTransit_004", Means: pt.Moving},                 // arrived at the destination country
		{Code: "InTransit_005", Means: pt.CustomsReleased},        // customs clearance completed
		{Code: "InTransit_006", Means: pt.InCustoms},              // customs clearance started
		{Code: "InTransit_007", Means: pt.Moving},                 // departure scan
		{Code: "InTransit_008", Means: pt.Moving},                 // problem resolved
		{Code: "InTransit_009", Means: pt.Moving},                 // forwarded to a different address
		{Code: "InTransit_010", Means: pt.Moving, CatchAll: true},
		{Code: "InTransit_011", Means: pt.Moving, CatchAll: true},
		{Code: "InTransit_012", Means: pt.Moving, CatchAll: true},
		{Code: "InTransit_013", Means: pt.Moving, CatchAll: true},
		{Code: "OutForDelivery_001", Means: pt.Moving},
		{Code: "OutForDelivery_003", Means: pt.Moving}, // customer contacted
		{Code: "OutForDelivery_004", Means: pt.Moving}, // delivery appointment scheduled
		{Code: "AttemptFail_001", Means: pt.NeedsAction, CatchAll: true},
		{Code: "AttemptFail_002", Means: pt.NeedsAction}, // addressee not available
		{Code: "AttemptFail_003", Means: pt.NeedsAction}, // business closed
		{Code: "AvailableForPickup_001", Means: pt.NeedsAction},
		{Code: "Delivered_001", Means: pt.Delivered},
		{Code: "Delivered_002", Means: pt.Delivered}, // picked up by the customer
		{Code: "Delivered_003", Means: pt.Delivered}, // signed by the customer
		{Code: "Delivered_004", Means: pt.Delivered}, // cash on delivery received
		{Code: "Delivered_005", Means: pt.Delivered}, // delivered to a neighbour
		{Code: "Exception_001", Means: pt.Failed, CatchAll: true},
		{Code: "Exception_002", Means: pt.AddressProblem}, // customer moved
		{Code: "Exception_003", Means: pt.Refused},        // customer refused delivery
		{Code: "Exception_004", Means: pt.InCustoms},      // delayed (customs clearance)
		{Code: "Exception_005", Means: pt.Delayed},        // delayed (external factors)
		{Code: "Exception_006", Means: pt.HeldInCustoms},  // held for payment
		{Code: "Exception_007", Means: pt.AddressProblem}, // incorrect address
		{Code: "Exception_008", Means: pt.Unclaimed},      // pick up missed
		{Code: "Exception_009", Means: pt.NeedsAction},    // rejected by carrier
		{Code: "Exception_010", Means: pt.Returned},       // returning to sender
		{Code: "Exception_011", Means: pt.Returned},       // returned to sender
		{Code: "Exception_012", Means: pt.NeedsAction},    // shipment damage
		{Code: "Exception_013", Means: pt.NeedsAction},    // shipment lost
		{Code: "Exception_014", Means: pt.Failed, CatchAll: true},
		{Code: "Exception_015", Means: pt.Failed, CatchAll: true},
		{Code: "Exception_016", Means: pt.Delayed},            // delayed (processing issue)
		{Code: "Exception_017", Means: pt.Delayed},            // delayed (extreme weather)
		{Code: "Exception_018", Means: pt.DocumentsRequested}, // incorrect / missing documents
		{Code: "Exception_019", Means: pt.Delayed},            // delayed (late flight)
		{Code: "Exception_020", Means: pt.Cancelled},          // shipment cancelled
		{Code: "Exception_021", Means: pt.NeedsAction},        // shipment disposed
		{Code: "Expired_001", Means: pt.NoInformation},
	}
)

func TestStatusTablesKeepTheTaxonomysMeaning(t *testing.T) {
	t.Run("tags", func(t *testing.T) { pt.CheckTable(t, tags, taxonomyTags) })
	t.Run("subtags", func(t *testing.T) { pt.CheckTable(t, subtags, taxonomySubtags) })
	// A subtag lands under its tag's status, except where AfterShip's
	// Exception tag covers delays, customs and returns, which trackbot
	// keeps apart.
	for code, m := range subtags {
		tag, _, _ := strings.Cut(code, "_")
		if tag != "Exception" && tags[tag].Status != m.Status {
			t.Errorf("%s → %s, but its tag %s → %s", code, m.Status, tag, tags[tag].Status)
		}
	}
}

func TestUnknownCodesFallBackToTheText(t *testing.T) {
	p := New(Config{})
	pt.CheckFallback(t, func(text string) (tracking.Status, tracking.Substatus) {
		return p.classify("Teleported", "Teleported_001", text)
	})
}

// TestClassify covers how codes and text combine: the subtag first, then
// the tag; a catch-all refined by its text within its status.
func TestClassify(t *testing.T) {
	tests := []struct {
		name        string
		tag, subtag string
		text        string
		status      tracking.Status
		substatus   tracking.Substatus
	}{
		{"subtag wins", "InTransit", "InTransit_007", "", tracking.StatusTransit, tracking.SubPackageDeparted},
		{"unknown subtag falls back to tag", "Delivered", "Delivered_099", "", tracking.StatusDelivered, tracking.SubDelivered},
		{"generic subtag refined by text", "InTransit", "InTransit_001", "Handed over to the destination post", tracking.StatusTransit, tracking.SubCarrierHandover},
		{"undescribed subtag refined by text", "InTransit", "InTransit_012", "Customs clearance started", tracking.StatusTransit, tracking.SubCustomsProcessing},
		{"refinement stays within the status", "InTransit", "InTransit_001", "Delivered to the next depot", tracking.StatusTransit, tracking.SubPackageProcessed},
		{"generic exception refined", "Exception", "Exception_001", "Shipment destroyed after inspection", tracking.StatusFailure, tracking.SubPackageDisposed},
		{"generic attempt refined", "AttemptFail", "AttemptFail_001", "Notice left, delivery notice card", tracking.StatusTransit, tracking.SubNoticeLeft},
		{"specific code is not refined", "InTransit", "InTransit_003", "Customs clearance", tracking.StatusTransit, tracking.SubPackageArrived},
		{"nothing at all", "", "", "", tracking.StatusUnknown, tracking.SubOther},
	}
	p := New(Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, sub := p.classify(tt.tag, tt.subtag, tt.text)
			if status != tt.status || sub != tt.substatus {
				t.Errorf("classify(%q, %q, %q) = %s/%s, want %s/%s", tt.tag, tt.subtag, tt.text, status, sub, tt.status, tt.substatus)
			}
		})
	}
}

func TestUnknownCodeLoggedOnce(t *testing.T) {
	p := New(Config{})
	pt.UnknownCodeLoggedOnce(t, Name, "InTransit_099", func() { p.classify("InTransit", "InTransit_099", "in transit") })
}
