package wording_test

import (
	"strings"
	"testing"

	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
	"github.com/trackbot/trackbot/wording"
)

// TestLegsNameWhoCarriesTheLaterLeg: a parcel's later leg is said to be
// with the carrier tracking.HandedOver names — the destination post the
// demo carrier hands over to, the courier or post a provider's leg id
// stands for — the same one the guidance and the tracking page name;
// earlier legs keep their own carrier, and a delivered parcel's last leg
// reads "handed to".
func TestLegsNameWhoCarriesTheLaterLeg(t *testing.T) {
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	w := wording.New(cat.Localizer("en"))
	demoTo := func(cc string) *tracking.Shipment {
		n := "DEMO-LIVE-" + cc
		return &tracking.Shipment{Number: n, Carrier: tracking.CarrierDemo, Status: tracking.StatusTransit, DestinationCountry: cc,
			Legs: []tracking.Leg{{Carrier: tracking.CarrierDemo, Number: demo.LocalNumber(n, cc)}}}
	}
	for _, tc := range []struct {
		name string
		sh   *tracking.Shipment
		want []string
	}{
		{"demo to FR", demoTo("FR"), []string{"Now with La Poste as " + demo.LocalNumber("DEMO-LIVE-FR", "FR")}},
		{"demo to DE", demoTo("DE"), []string{"Now with Deutsche Post DHL as " + demo.LocalNumber("DEMO-LIVE-DE", "DE")}},
		{"demo to US", demoTo("US"), []string{"Now with USPS as " + demo.LocalNumber("DEMO-LIVE-US", "US")}},
		{"AfterShip-shaped courier leg", &tracking.Shipment{Number: "LP00123456789012", Carrier: tracking.CarrierCainiao,
			Status: tracking.StatusTransit, OriginCountry: "CN", DestinationCountry: "FR",
			Legs: []tracking.Leg{{Carrier: "aftership-colissimo", Number: "6A12345678901"}}},
			[]string{"Now with Colissimo as 6A12345678901"}},
		{"17TRACK-shaped two legs, delivered", &tracking.Shipment{Number: "YT2412345678901234", Carrier: tracking.CarrierYunExpress,
			Status: tracking.StatusDelivered, OriginCountry: "CN", DestinationCountry: "ES",
			Legs: []tracking.Leg{{Carrier: tracking.CarrierCainiao, Number: "LP00987654321098"}, {Carrier: "aftership-correos-spain", Number: "PK4ABC1234567890X"}}},
			[]string{"Handed to Cainiao as LP00987654321098", "Handed to Correos as PK4ABC1234567890X"}},
		{"a consolidator's leg the provider names", &tracking.Shipment{Number: "UA123456789CN", Carrier: tracking.CarrierChinaPost,
			Status: tracking.StatusTransit, DestinationCountry: "XK",
			Legs: []tracking.Leg{{Carrier: tracking.CarrierCainiao, Number: "LP00555555555555"}}},
			[]string{"Now with Cainiao as LP00555555555555"}},
	} {
		got := w.Legs(tc.sh)
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		// The line names the very carrier the tracking page and the
		// guidance take from HandedOver.
		if lc, ok := tracking.HandedOver(tc.sh); !ok || !strings.Contains(got[len(got)-1], lc.Name) || lc.Name == "" {
			t.Errorf("%s: HandedOver %+v, %v; the line says %q", tc.name, lc, ok, got[len(got)-1])
		}
	}
}
