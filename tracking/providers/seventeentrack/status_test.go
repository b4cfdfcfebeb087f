package seventeentrack

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/tracking"
)

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

type code struct {
	code   string
	status tracking.Status
	sub    tracking.Substatus
}

// taxonomy is 17TRACK's v2.x status taxonomy (carrier-apis.md §1.3), typed
// out independently of the tables, with where each code must land.
var (
	wantMain = []code{
		{"NotFound", tracking.StatusUnknown, tracking.SubOther},
		{"InfoReceived", tracking.StatusPreTransit, tracking.SubInformationReceived},
		{"InTransit", tracking.StatusTransit, tracking.SubPackageProcessed},
		{"Expired", tracking.StatusTransit, tracking.SubDelayed},
		{"AvailableForPickup", tracking.StatusTransit, tracking.SubPickupAvailable},
		{"OutForDelivery", tracking.StatusTransit, tracking.SubOutForDelivery},
		{"DeliveryFailure", tracking.StatusTransit, tracking.SubDeliveryAttempted},
		{"Delivered", tracking.StatusDelivered, tracking.SubDelivered},
		{"Exception", tracking.StatusFailure, tracking.SubOther},
	}
	wantSub = []code{
		{"NotFound_Other", tracking.StatusUnknown, tracking.SubOther},
		{"NotFound_InvalidCode", tracking.StatusUnknown, tracking.SubOther},
		{"InfoReceived", tracking.StatusPreTransit, tracking.SubInformationReceived},
		{"InTransit_PickedUp", tracking.StatusTransit, tracking.SubPackageAccepted},
		{"InTransit_Other", tracking.StatusTransit, tracking.SubPackageProcessed},
		{"InTransit_Departure", tracking.StatusTransit, tracking.SubPackageDeparted},
		{"InTransit_Arrival", tracking.StatusTransit, tracking.SubPackageArrived},
		{"InTransit_CustomsProcessing", tracking.StatusTransit, tracking.SubCustomsProcessing},
		{"InTransit_CustomsReleased", tracking.StatusTransit, tracking.SubPackageProcessed},
		{"InTransit_CustomsRequiringInformation", tracking.StatusTransit, tracking.SubCustomsHeld},
		{"Expired_Other", tracking.StatusTransit, tracking.SubDelayed},
		{"AvailableForPickup_Other", tracking.StatusTransit, tracking.SubPickupAvailable},
		{"OutForDelivery_Other", tracking.StatusTransit, tracking.SubOutForDelivery},
		{"DeliveryFailure_Other", tracking.StatusTransit, tracking.SubDeliveryAttempted},
		{"DeliveryFailure_NoBody", tracking.StatusTransit, tracking.SubDeliveryAttempted},
		{"DeliveryFailure_Security", tracking.StatusTransit, tracking.SubPackageHeld},
		{"DeliveryFailure_Rejected", tracking.StatusFailure, tracking.SubPackageUndeliverable},
		{"DeliveryFailure_InvalidAddress", tracking.StatusTransit, tracking.SubAddressIssue},
		{"Delivered_Other", tracking.StatusDelivered, tracking.SubDelivered},
		{"Exception_Other", tracking.StatusFailure, tracking.SubOther},
		{"Exception_Returning", tracking.StatusReturned, tracking.SubReturnToSender},
		{"Exception_Returned", tracking.StatusReturned, tracking.SubReturnToSender},
		{"Exception_NoBody", tracking.StatusTransit, tracking.SubAddressIssue},
		{"Exception_Security", tracking.StatusTransit, tracking.SubPackageHeld},
		{"Exception_Damage", tracking.StatusFailure, tracking.SubPackageDamaged},
		{"Exception_Rejected", tracking.StatusFailure, tracking.SubPackageUndeliverable},
		{"Exception_Delayed", tracking.StatusTransit, tracking.SubDelayed},
		{"Exception_Lost", tracking.StatusFailure, tracking.SubPackageLost},
		{"Exception_Destroyed", tracking.StatusFailure, tracking.SubPackageDisposed},
		{"Exception_Cancel", tracking.StatusFailure, tracking.SubOther},
	}
	wantStage = []code{
		{"InfoReceived", tracking.StatusPreTransit, tracking.SubInformationReceived},
		{"PickedUp", tracking.StatusTransit, tracking.SubPackageAccepted},
		{"Departure", tracking.StatusTransit, tracking.SubPackageDeparted},
		{"Arrival", tracking.StatusTransit, tracking.SubPackageArrived},
		{"AvailableForPickup", tracking.StatusTransit, tracking.SubPickupAvailable},
		{"OutForDelivery", tracking.StatusTransit, tracking.SubOutForDelivery},
		{"Delivered", tracking.StatusDelivered, tracking.SubDelivered},
		{"Returning", tracking.StatusReturned, tracking.SubReturnToSender},
		{"Returned", tracking.StatusReturned, tracking.SubReturnToSender},
	}
)

func TestStatusTablesCoverTaxonomy(t *testing.T) {
	tables := []struct {
		name  string
		table map[string]mapping
		want  []code
		size  int
	}{
		{"main statuses", mainStatuses, wantMain, 9},
		{"sub-statuses", subStatuses, wantSub, 30},
		{"milestone stages", stages, wantStage, 9},
	}
	for _, tt := range tables {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.want) != tt.size {
				t.Fatalf("the test lists %d codes, the taxonomy has %d", len(tt.want), tt.size)
			}
			if len(tt.table) != len(tt.want) {
				t.Errorf("table has %d codes, taxonomy %d", len(tt.table), len(tt.want))
			}
			for _, w := range tt.want {
				m, ok := tt.table[w.code]
				if !ok {
					t.Errorf("%s is missing from the table", w.code)
					continue
				}
				if m.Status != w.status || m.Sub != w.sub {
					t.Errorf("%s → %s/%s, want %s/%s", w.code, m.Status, m.Sub, w.status, w.sub)
				}
				if !m.Status.Valid() || !m.Sub.Valid() {
					t.Errorf("%s → %s/%s is outside the model", w.code, m.Status, m.Sub)
				}
				if m.Sub != tracking.SubOther && m.Sub.Parent() != m.Status {
					t.Errorf("%s → %s/%s: %s belongs under %s", w.code, m.Status, m.Sub, m.Sub, m.Sub.Parent())
				}
			}
		})
	}
}

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
		{"unknown codes fall back to text", "Teleported", "Teleported_Other", "", "Held at customs, duties due", tracking.StatusTransit, tracking.SubCustomsHeld},
		{"unknown codes and no keyword", "Teleported", "", "", "Beamed up", tracking.StatusUnknown, tracking.SubOther},
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
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	p := New(Config{})
	for range 3 {
		p.classify("", "InTransit_Wormhole", "", "in transit")
	}
	if n := strings.Count(buf.String(), "InTransit_Wormhole"); n != 1 {
		t.Errorf("unknown code logged %d times, want once:\n%s", n, buf.String())
	}
}
