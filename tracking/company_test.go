package tracking_test

import (
	"testing"

	"github.com/trackbot/trackbot/tracking"
)

// TestCarrierForCompany: a shop's company name picks the carrier through
// the carrier name table; a name shared by several carriers takes the one
// the number's format points to; an unknown or missing name leaves it to
// detection.
func TestCarrierForCompany(t *testing.T) {
	cases := []struct {
		company, number, want string
	}{
		{"UPS", "1Z999AA10123456784", tracking.CarrierUPS},
		{"ups", "1Z999AA10123456784", tracking.CarrierUPS},
		{"USPS", "9400111899223197428490", tracking.CarrierUSPS},
		{"DHL Express", "1234567890", tracking.CarrierDHLExpress},
		{"Deutsche Post (DE)", "00340434292135100124", tracking.CarrierDHLPaket},
		{"DHL eCommerce Asia", "GM605112270084510370", tracking.CarrierDHLEcommerce},
		{"Royal Mail", "AB123456785GB", tracking.CarrierRoyalMail},
		// "DHL" is three carriers: the number's format picks one.
		{"DHL", "00340434292135100124", tracking.CarrierDHLPaket},
		// The company's word stands over the number's look.
		{"UPS", "RR123456785CN", tracking.CarrierUPS},
		// Unknown companies and none: the number decides.
		{"Some Local Courier", "1Z999AA10123456784", tracking.CarrierUPS},
		{"", "RR123456785CN", tracking.Detect("RR123456785CN").Candidates[0].Carrier},
		{"", "DEMO-LIVE", tracking.CarrierDemo},
		{"Some Local Courier", "ZZ99999999", ""},
	}
	for _, c := range cases {
		if got := tracking.CarrierForCompany(c.company, c.number); got != c.want {
			t.Errorf("CarrierForCompany(%q, %q) = %q, want %q", c.company, c.number, got, c.want)
		}
	}
}
