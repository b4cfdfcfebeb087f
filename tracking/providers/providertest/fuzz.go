package providertest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracking"
)

// SeedFixtures adds every JSON fixture under testdata to f's seed corpus,
// so that fuzzing starts from the vendor's real answers and pushes.
func SeedFixtures(f *testing.F) {
	f.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// CheckResult fails t when a parsed result breaks what the engine relies
// on from every provider, whatever the vendor sent: a summary status and
// sub-status that belong together, and events with a known time in UTC
// and a status and sub-status of the model that belong together.
func CheckResult(t testing.TB, r *tracking.Result) {
	t.Helper()
	checkResult(t, r, true)
}

// CheckResultOfVendorPairs is CheckResult for a provider that keeps the
// vendor's status and takes the sub-status from the vendor's own code, as
// Shippo does: any sub-status of the model may stand under any status.
func CheckResultOfVendorPairs(t testing.TB, r *tracking.Result) {
	t.Helper()
	checkResult(t, r, false)
}

func checkResult(t testing.TB, r *tracking.Result, paired bool) {
	t.Helper()
	if r == nil {
		t.Fatal("nil result")
	}
	switch {
	case r.Status == "" && r.Substatus != "":
		t.Errorf("result has sub-status %q without a status", r.Substatus)
	case r.Status != "":
		if msg := pair(r.Status, r.Substatus, true, paired); msg != "" {
			t.Errorf("result: %s", msg)
		}
	}
	if r.ETA != nil && r.ETA.IsZero() {
		t.Error("result has a zero ETA")
	}
	for i, e := range r.Events {
		if e.Time.IsZero() {
			t.Errorf("event %d has a zero time", i)
		}
		if e.Time.Location() != time.UTC {
			t.Errorf("event %d time %v is not in UTC", i, e.Time)
		}
		if msg := pair(e.Status, e.Substatus, false, paired); msg != "" {
			t.Errorf("event %d: %s", i, msg)
		}
		if i > 0 && e.Time.Before(r.Events[i-1].Time) {
			t.Errorf("event %d at %v comes before event %d at %v", i, e.Time, i-1, r.Events[i-1].Time)
		}
	}
}

// pair describes what is wrong with a status and sub-status, "" when
// nothing is. A sub-status stands under its own parent; SubOther may stand
// under any status, and so may a sub-status that needs somebody to act,
// since vendors report such exceptions under their own status (DHL's
// "failure" with a failed attempt). Unless paired, any sub-status may
// stand under any status.
func pair(st tracking.Status, sub tracking.Substatus, subOptional, paired bool) string {
	switch {
	case !st.Valid():
		return "status " + string(st) + " is not in the model"
	case sub == "" && subOptional:
		return ""
	case !sub.Valid():
		return "sub-status " + string(sub) + " is not in the model"
	case paired && sub != tracking.SubOther && !sub.ActionRequired() && sub.Parent() != st:
		return "sub-status " + string(sub) + " belongs under " + string(sub.Parent()) + ", not " + string(st)
	}
	return ""
}
