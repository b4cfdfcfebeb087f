package providertest

import (
	"strings"
	"testing"

	"github.com/trackbot/trackbot/tracking"
)

// Meaning is what a vendor's documentation says one of its status codes
// means, in words a mapping must keep whatever sub-status it picks.
type Meaning int

// The meanings a vendor's code may have, each with what it requires of the
// code's place in trackbot's model.
const (
	// NoInformation: the vendor knows nothing yet (or no longer):
	// UNKNOWN.
	NoInformation Meaning = iota + 1
	// InformationReceived: a label or a pre-advice, nothing handed over:
	// PRE_TRANSIT.
	InformationReceived
	// Moving: on its way, nothing for anyone to do: TRANSIT, no action
	// required, not in customs.
	Moving
	// InCustoms: in customs clearance: a customs sub-status.
	InCustoms
	// HeldInCustoms: customs wants something (duties, documents): a
	// customs sub-status that requires action.
	HeldInCustoms
	// CustomsReleased: out of customs: TRANSIT, no longer a customs
	// sub-status.
	CustomsReleased
	// Delayed: late, with nothing the recipient can do: TRANSIT, delayed.
	Delayed
	// NeedsAction: an exception the recipient or sender must act on
	// (failed attempt, pickup, address, refusal, damage, loss): a
	// sub-status that requires action.
	NeedsAction
	// Returned: on its way back or back with the sender: RETURNED.
	Returned
	// Delivered: DELIVERED, delivered.
	Delivered
	// Failed: the vendor's failure or exception with nothing more said:
	// FAILURE.
	Failed
	// DocumentsRequested: customs wants documents or information, not
	// money: customs_info_requested.
	DocumentsRequested
	// Refused: the recipient refused the parcel: FAILURE, refused.
	Refused
	// Cancelled: the shipment was cancelled: FAILURE, cancelled.
	Cancelled
	// Unclaimed: not collected from the pickup point, not yet on its way
	// back: package_unclaimed, not RETURNED.
	Unclaimed
	// HeldByCarrier: the carrier holds the parcel (security, depot):
	// package_held.
	HeldByCarrier
	// AddressProblem: the address is wrong, incomplete or the recipient
	// moved: address_issue.
	AddressProblem
	// InvalidNumber: the vendor does not know the number as given:
	// UNKNOWN, invalid_number.
	InvalidNumber
)

// Code is one code of a vendor's taxonomy and what it means.
type Code struct {
	Code  string
	Means Meaning
	// CatchAll marks a code the vendor documents as "other", leaves
	// undescribed, or uses for many situations: the event's text may
	// refine it (tracking.CodeMapping.Generic); a described code is
	// never second-guessed.
	CatchAll bool
}

// CheckTable checks a provider's mapping table against the vendor's
// taxonomy, as the vendor documents it: the table maps exactly the
// documented codes, each into the model, with a sub-status whose parent is
// the mapped status (a bare "other" may stand under any status), to a place
// that keeps the code's meaning.
func CheckTable(t *testing.T, table map[string]tracking.CodeMapping, taxonomy []Code) {
	t.Helper()
	documented := map[string]bool{}
	for _, c := range taxonomy {
		documented[c.Code] = true
		m, ok := table[c.Code]
		if !ok {
			t.Errorf("%s is missing from the table", c.Code)
			continue
		}
		if why := breaks(c, m); why != "" {
			t.Errorf("%s → %s/%s: %s", c.Code, m.Status, m.Sub, why)
		}
	}
	for code := range table {
		if !documented[code] {
			t.Errorf("%s is in the table but not in the vendor's taxonomy", code)
		}
	}
}

// breaks says how m fails to keep what c means, or "" when it keeps it.
func breaks(c Code, m tracking.CodeMapping) string {
	st, sub := m.Status, m.Sub
	switch {
	case !st.Valid() || !sub.Valid():
		return "outside the model"
	case sub != tracking.SubOther && sub.Parent() != st:
		return "the sub-status belongs under " + string(sub.Parent())
	case c.CatchAll && !m.Generic:
		return "a catch-all code must let the text refine it"
	case !c.CatchAll && m.Generic:
		return "a described code must not be refined by text"
	}
	customs := IsCustoms(sub)
	switch c.Means {
	case NoInformation:
		if st != tracking.StatusUnknown {
			return "nothing is known yet: want UNKNOWN"
		}
	case InformationReceived:
		if st != tracking.StatusPreTransit {
			return "only information was received: want PRE_TRANSIT"
		}
	case Moving:
		if st != tracking.StatusTransit || sub.ActionRequired() || customs {
			return "on its way with nothing to do: want TRANSIT, no action required, not customs"
		}
	case InCustoms:
		if !customs {
			return "in customs: want a customs sub-status"
		}
	case HeldInCustoms:
		if !customs || !sub.ActionRequired() {
			return "held in customs: want a customs sub-status that requires action"
		}
	case CustomsReleased:
		if st != tracking.StatusTransit || customs {
			return "released from customs: want TRANSIT, not a customs sub-status"
		}
	case Delayed:
		if st != tracking.StatusTransit || sub != tracking.SubDelayed {
			return "delayed: want TRANSIT, delayed"
		}
	case NeedsAction:
		if !sub.ActionRequired() {
			return "someone must act: want a sub-status that requires action"
		}
	case Returned:
		if st != tracking.StatusReturned {
			return "going back to the sender: want RETURNED"
		}
	case Delivered:
		if st != tracking.StatusDelivered || sub != tracking.SubDelivered {
			return "delivered: want DELIVERED, delivered"
		}
	case Failed:
		if st != tracking.StatusFailure {
			return "a failure: want FAILURE"
		}
	case DocumentsRequested:
		if sub != tracking.SubCustomsInfoRequested {
			return "customs wants documents: want customs_info_requested"
		}
	case Refused:
		if st != tracking.StatusFailure || sub != tracking.SubRefused {
			return "refused by the recipient: want FAILURE, refused"
		}
	case Cancelled:
		if st != tracking.StatusFailure || sub != tracking.SubCancelled {
			return "cancelled: want FAILURE, cancelled"
		}
	case Unclaimed:
		if sub != tracking.SubPackageUnclaimed || st == tracking.StatusReturned {
			return "not collected, not yet returned: want package_unclaimed, not RETURNED"
		}
	case HeldByCarrier:
		if sub != tracking.SubPackageHeld {
			return "held by the carrier: want package_held"
		}
	case AddressProblem:
		if sub != tracking.SubAddressIssue {
			return "an address problem: want address_issue"
		}
	case InvalidNumber:
		if st != tracking.StatusUnknown || sub != tracking.SubInvalidNumber {
			return "the number is invalid: want UNKNOWN, invalid_number"
		}
	default:
		return "the test gives the code no meaning"
	}
	return ""
}

// IsCustoms reports whether sub is one of the model's customs
// sub-statuses; new ones are named customs_… too.
func IsCustoms(sub tracking.Substatus) bool {
	return strings.HasPrefix(string(sub), "customs_")
}

// fallbackTexts are event texts with a keyword the model's heuristics
// know, and two with none.
var fallbackTexts = []string{
	"Returned to sender",
	"Held at customs, import duties due",
	"Customs clearance started",
	"Available for pickup at the post office",
	"Your item was delivered",
	"Shipping label created",
	"Parcel lost in transit",
	"Beamed up",
	"",
}

// CheckFallback checks what a provider makes of an event whose codes its
// tables all lack: classify is called with such codes and a text. The
// text's keywords decide, through tracking.GuessSubstatus, with the
// guessed sub-status's parent as the status; a text without keywords gives
// UNKNOWN, other.
func CheckFallback(t *testing.T, classify func(text string) (tracking.Status, tracking.Substatus)) {
	t.Helper()
	guessed := 0
	for _, text := range fallbackTexts {
		wantSt, wantSub := tracking.StatusUnknown, tracking.SubOther
		if sub, ok := tracking.GuessSubstatus(text); ok {
			wantSt, wantSub = sub.Parent(), sub
			guessed++
		}
		if st, sub := classify(text); st != wantSt || sub != wantSub {
			t.Errorf("unknown codes with text %q: %s/%s, want %s/%s", text, st, sub, wantSt, wantSub)
		}
	}
	if guessed < len(fallbackTexts)-2 {
		t.Errorf("the heuristics recognise only %d of the %d texts with keywords", guessed, len(fallbackTexts)-2)
	}
}
