package aftership

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/tracking"
)

type code struct {
	code   string
	status tracking.Status
	sub    tracking.Substatus
}

// wantTags and wantSubtags are AfterShip's taxonomy (carrier-apis.md §2.3,
// every code listed, with or without a description), typed out
// independently of the tables, with where each code must land.
var (
	wantTags = []code{
		{"Pending", tracking.StatusUnknown, tracking.SubOther},
		{"InfoReceived", tracking.StatusPreTransit, tracking.SubInformationReceived},
		{"InTransit", tracking.StatusTransit, tracking.SubPackageProcessed},
		{"OutForDelivery", tracking.StatusTransit, tracking.SubOutForDelivery},
		{"AttemptFail", tracking.StatusTransit, tracking.SubDeliveryAttempted},
		{"Delivered", tracking.StatusDelivered, tracking.SubDelivered},
		{"AvailableForPickup", tracking.StatusTransit, tracking.SubPickupAvailable},
		{"Exception", tracking.StatusFailure, tracking.SubOther},
		{"Expired", tracking.StatusUnknown, tracking.SubOther},
	}
	wantSubtags = []code{
		{"Pending_001", tracking.StatusUnknown, tracking.SubOther},
		{"Pending_002", tracking.StatusUnknown, tracking.SubOther},
		{"Pending_003", tracking.StatusUnknown, tracking.SubOther},
		{"Pending_004", tracking.StatusUnknown, tracking.SubOther},
		{"Pending_005", tracking.StatusUnknown, tracking.SubOther},
		{"Pending_006", tracking.StatusUnknown, tracking.SubOther},
		{"InfoReceived_001", tracking.StatusPreTransit, tracking.SubInformationReceived},
		{"InTransit_001", tracking.StatusTransit, tracking.SubPackageProcessed},
		{"InTransit_002", tracking.StatusTransit, tracking.SubPackageAccepted},
		{"InTransit_003", tracking.StatusTransit, tracking.SubPackageArrived},
		{"InTransit_004", tracking.StatusTransit, tracking.SubPackageArrived},
		{"InTransit_005", tracking.StatusTransit, tracking.SubPackageProcessed},
		{"InTransit_006", tracking.StatusTransit, tracking.SubCustomsProcessing},
		{"InTransit_007", tracking.StatusTransit, tracking.SubPackageDeparted},
		{"InTransit_008", tracking.StatusTransit, tracking.SubPackageProcessed},
		{"InTransit_009", tracking.StatusTransit, tracking.SubPackageForwarded},
		{"InTransit_010", tracking.StatusTransit, tracking.SubPackageProcessed},
		{"InTransit_011", tracking.StatusTransit, tracking.SubPackageProcessed},
		{"InTransit_012", tracking.StatusTransit, tracking.SubPackageProcessed},
		{"InTransit_013", tracking.StatusTransit, tracking.SubPackageProcessed},
		{"OutForDelivery_001", tracking.StatusTransit, tracking.SubOutForDelivery},
		{"OutForDelivery_003", tracking.StatusTransit, tracking.SubOutForDelivery},
		{"OutForDelivery_004", tracking.StatusTransit, tracking.SubDeliveryScheduled},
		{"AttemptFail_001", tracking.StatusTransit, tracking.SubDeliveryAttempted},
		{"AttemptFail_002", tracking.StatusTransit, tracking.SubDeliveryAttempted},
		{"AttemptFail_003", tracking.StatusTransit, tracking.SubLocationInaccessible},
		{"AvailableForPickup_001", tracking.StatusTransit, tracking.SubPickupAvailable},
		{"Delivered_001", tracking.StatusDelivered, tracking.SubDelivered},
		{"Delivered_002", tracking.StatusDelivered, tracking.SubDelivered},
		{"Delivered_003", tracking.StatusDelivered, tracking.SubDelivered},
		{"Delivered_004", tracking.StatusDelivered, tracking.SubDelivered},
		{"Delivered_005", tracking.StatusDelivered, tracking.SubDelivered},
		{"Exception_001", tracking.StatusFailure, tracking.SubOther},
		{"Exception_002", tracking.StatusTransit, tracking.SubAddressIssue},
		{"Exception_003", tracking.StatusFailure, tracking.SubPackageUndeliverable},
		{"Exception_004", tracking.StatusTransit, tracking.SubCustomsProcessing},
		{"Exception_005", tracking.StatusTransit, tracking.SubDelayed},
		{"Exception_006", tracking.StatusTransit, tracking.SubCustomsHeld},
		{"Exception_007", tracking.StatusTransit, tracking.SubAddressIssue},
		{"Exception_008", tracking.StatusReturned, tracking.SubPackageUnclaimed},
		{"Exception_009", tracking.StatusFailure, tracking.SubPackageUndeliverable},
		{"Exception_010", tracking.StatusReturned, tracking.SubReturnToSender},
		{"Exception_011", tracking.StatusReturned, tracking.SubReturnToSender},
		{"Exception_012", tracking.StatusFailure, tracking.SubPackageDamaged},
		{"Exception_013", tracking.StatusFailure, tracking.SubPackageLost},
		{"Exception_014", tracking.StatusFailure, tracking.SubOther},
		{"Exception_015", tracking.StatusFailure, tracking.SubOther},
		{"Exception_016", tracking.StatusTransit, tracking.SubDelayed},
		{"Exception_017", tracking.StatusTransit, tracking.SubDelayed},
		{"Exception_018", tracking.StatusTransit, tracking.SubCustomsHeld},
		{"Exception_019", tracking.StatusTransit, tracking.SubDelayed},
		{"Exception_020", tracking.StatusFailure, tracking.SubOther},
		{"Exception_021", tracking.StatusFailure, tracking.SubPackageDisposed},
		{"Expired_001", tracking.StatusUnknown, tracking.SubOther},
	}
)

func TestStatusTablesCoverTaxonomy(t *testing.T) {
	tables := []struct {
		name  string
		table map[string]mapping
		want  []code
		size  int
	}{
		{"tags", tags, wantTags, 9},
		{"subtags", subtags, wantSubtags, 54},
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
				// A subtag lands under its tag's status, except where
				// AfterShip's Exception tag covers delays, customs and
				// returns, which trackbot keeps apart.
				if tag, _, _ := strings.Cut(w.code, "_"); tt.name == "subtags" && tag != "Exception" && tags[tag].Status != m.Status {
					t.Errorf("%s → %s, but its tag %s → %s", w.code, m.Status, tag, tags[tag].Status)
				}
			}
		})
	}
}

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
		{"unknown codes fall back to text", "Teleported", "Teleported_001", "Returned to sender", tracking.StatusReturned, tracking.SubReturnToSender},
		{"unknown codes and no keyword", "Teleported", "", "Beamed up", tracking.StatusUnknown, tracking.SubOther},
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
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	p := New(Config{})
	for range 3 {
		p.classify("InTransit", "InTransit_099", "in transit")
	}
	if n := strings.Count(buf.String(), "InTransit_099"); n != 1 {
		t.Errorf("unknown code logged %d times, want once:\n%s", n, buf.String())
	}
}
