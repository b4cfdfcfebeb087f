package providertest

import (
	"testing"

	"github.com/trackbot/trackbot/tracking"
)

// ExceptionCase is one documented code or event text of a vendor that names
// one of the exceptions needing its own action, and where it must land.
type ExceptionCase struct {
	// Doc is the vendor's page that documents the code or the text's
	// field.
	Doc string
	// Classify maps the case through the provider's own classification.
	Classify   func() (tracking.Status, tracking.Substatus)
	Status     tracking.Status
	Sub        tracking.Substatus
	Describing string
}

// exceptionSubstatuses are the sub-statuses of the exceptions that need
// different actions: every provider must reach each of them.
var exceptionSubstatuses = []tracking.Substatus{
	tracking.SubCustomsInfoRequested, tracking.SubRefused, tracking.SubCancelled, tracking.SubPackageUnclaimed,
	tracking.SubPackageHeld, tracking.SubAddressIssue, tracking.SubInvalidNumber,
}

// CheckExceptions runs each case and checks that together they reach every
// exception sub-status, each under its own parent status unless the case
// says otherwise.
func CheckExceptions(t *testing.T, cases []ExceptionCase) {
	t.Helper()
	reached := map[tracking.Substatus]bool{}
	for _, c := range cases {
		if c.Doc == "" {
			t.Errorf("%s: the case names no documentation page", c.Describing)
		}
		st, sub := c.Classify()
		if st != c.Status || sub != c.Sub {
			t.Errorf("%s (%s): %s/%s, want %s/%s", c.Describing, c.Doc, st, sub, c.Status, c.Sub)
			continue
		}
		reached[sub] = true
	}
	for _, sub := range exceptionSubstatuses {
		if !reached[sub] {
			t.Errorf("no case maps onto %s", sub)
		}
	}
}
