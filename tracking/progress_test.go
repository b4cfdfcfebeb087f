package tracking_test

import (
	"slices"
	"testing"
	"time"

	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/tracking"
)

// situationShipment is the shipment a demo situation describes.
func situationShipment(s tracking.Situation) *tracking.Shipment {
	return &tracking.Shipment{Number: s.Number, Carrier: s.Carrier, Status: s.Status, Substatus: s.Substatus,
		StatusChangedAt: s.StatusChangedAt, TrackedSince: s.TrackedSince, LastEventAt: s.LastEventAt, ETA: s.ETA,
		Events: s.Events, Legs: s.Legs, OriginCountry: s.OriginCountry, DestinationCountry: s.DestinationCountry}
}

// TestProgressOfTheDemoJourneys: each demo scenario lands on the stage its
// story reaches, with the exceptions marked as such; a parcel that came
// back after a failed delivery keeps the stage it reached.
func TestProgressOfTheDemoJourneys(t *testing.T) {
	for _, tc := range []struct {
		number    string
		after     time.Duration
		stage     tracking.Stage
		exception bool
	}{
		{"DEMO-NOTFOUND", 0, tracking.StageNone, false},
		{"DEMO-LABEL", 0, tracking.StageLabel, false},
		{"DEMO-STALLED", 0, tracking.StageTransit, false},
		{"DEMO-LIVE", 0, tracking.StageAccepted, false},
		{"DEMO-LIVE", 3*guidanceDemoStep + time.Second, tracking.StageCustoms, false},
		{"DEMO-LIVE", 20 * guidanceDemoStep, tracking.StageDelivered, false},
		{"DEMO-CUSTOMS", 0, tracking.StageCustoms, true},
		{"DEMO-ATTEMPT", 0, tracking.StageOutForDelivery, true},
		{"DEMO-PICKUP", 0, tracking.StageOutForDelivery, true},
		{"DEMO-RETURNED", 0, tracking.StageOutForDelivery, true},
		{"DEMO-DELIVERED", 0, tracking.StageDelivered, false},
		{"DEMO-LOST", 0, tracking.StageTransit, true},
	} {
		s := demoSituation(t, tc.number, guidanceStart.Add(tc.after), tracking.RoleBuyer, "")
		stage, exception := tracking.Progress(situationShipment(s))
		if stage != tc.stage || exception != tc.exception {
			t.Errorf("%s after %v (%s/%s): stage %q, exception %v; want %q, %v",
				tc.number, tc.after, s.Status, s.Substatus, stage, exception, tc.stage, tc.exception)
		}
	}
}

// TestViewerAdvice: a tracking page's one line is the most urgent advice
// with a viewer's wording, worded in every catalog; parcels with nothing
// to wait for get none.
func TestViewerAdvice(t *testing.T) {
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range cat.Languages() {
		for _, rule := range tracking.ViewerRules() {
			if !slices.Contains(cat.MessageIDs(lang), tracking.ViewerMessage(rule)) {
				t.Errorf("%s: no %s", lang, tracking.ViewerMessage(rule))
			}
		}
	}
	for _, tc := range []struct{ number, rule string }{
		{"DEMO-PICKUP", tracking.RulePickupAvailable},
		{"DEMO-ATTEMPT", tracking.RuleDeliveryAttempted},
		{"DEMO-CUSTOMS", tracking.RuleCustomsHeld},
		{"DEMO-RETURNED", tracking.RuleReturned},
		{"DEMO-DELIVERED", ""},
		{"DEMO-LIVE", ""},
	} {
		s := demoSituation(t, tc.number, guidanceStart, tracking.RoleBuyer, "")
		a, ok := tracking.ViewerAdvice(situationShipment(s), tracking.DefaultThresholds(), s.Now)
		if a.Rule != tc.rule || ok != (tc.rule != "") {
			t.Errorf("%s: %q (%v), want %q", tc.number, a.Rule, ok, tc.rule)
			continue
		}
		if ok && (a.Message != tracking.ViewerMessage(tc.rule) || len(a.Buttons) != 0) {
			t.Errorf("%s: message %s, buttons %v", tc.number, a.Message, a.Buttons)
		}
		for _, lang := range cat.Languages() {
			if !ok {
				break
			}
			count, _ := a.PluralCount()
			if s, err := cat.Localizer(lang).Render(a.Message, count, a.Data.Fields()); err != nil || s == "" {
				t.Errorf("%s in %s: %q, %v", tc.number, lang, s, err)
			}
		}
	}
}

// TestStagesOf: customs is a stage only for a parcel that may cross a
// border.
func TestStagesOf(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		customs  bool
	}{{"CN", "DE", true}, {"US", "US", false}, {"de", "DE", false}, {"", "US", true}, {"CN", "", true}} {
		stages := tracking.StagesOf(&tracking.Shipment{OriginCountry: tc.from, DestinationCountry: tc.to})
		if slices.Contains(stages, tracking.StageCustoms) != tc.customs || len(stages) < 5 {
			t.Errorf("%s → %s: %v, customs want %v", tc.from, tc.to, stages, tc.customs)
		}
	}
}
