package tracking_test

import (
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// Finding 8: the marketplace steps never said their windows. An eBay buyer
// was not told that an "item not received" request is taken until 30 days
// after the estimated delivery date; an Amazon buyer was sent to "the
// seller" even for items sold by Amazon, and not told when an A-to-z claim
// can be filed or that a chargeback ends it; the generic step offered the
// payment provider as an equal choice. Sources: eBay Money Back Guarantee
// (summarized at chinaparcels.com/online-marketplaces/ebay/), Amazon's
// A-to-z Guarantee help page (amazon.ca/gp/help/customer/display.html?nodeId=201889410).
// The windows are the shops' usual ones, never stated as a date of the
// user's.
func TestAdviceStatesMarketplaceWindows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clock := tracking.NewFakeClock(t0)
		fake := trackingtest.NewProvider("fake")
		const number = "LP00987654321012"
		fake.Set(number, tracking.Result{
			Number: number, Carrier: tracking.CarrierCainiao, OriginCountry: "CN", DestinationCountry: "DE",
			Events: []tracking.Event{
				{Time: t0.Add(-16 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageAccepted, Location: shenzhen, Description: "Accepted"},
			},
		})
		sh := adviceJourney(t, s, fake, clock, number, tracking.CarrierCainiao)
		for _, tt := range []struct {
			market       string
			lang         string
			has, hasNot  []string
			otherHas     []string
			otherHasNots []string
		}{
			{"", "de", []string{"chargeback", "A-to-z claim", "with the shop before your buyer protection ends"}, []string{"with the shop or your payment provider"},
				[]string{"Rückbuchung", "A-bis-z-Antrag"}, []string{"oder deinem Zahlungsanbieter"}},
			{tracking.MarketplaceEbay, "fr", []string{"until 30 days after the estimated delivery date", "3 business days"}, nil,
				[]string{"30 jours après la date de livraison estimée"}, nil},
			{tracking.MarketplaceAmazon, "de", []string{"Sold by Amazon: contact Amazon customer service", "third-party seller", "3 days after the latest estimated delivery date", "90 days", "chargeback"},
				[]string{"1) Contact the seller"},
				[]string{"Verkauf durch Amazon", "90 Tage", "Rückbuchung"}, []string{"1) Kontaktiere den Verkäufer"}},
		} {
			t.Run("buyer_"+tt.market, func(t *testing.T) {
				a, ok := findAdvice(tracking.Evaluate(tracking.NewSituation(sh, tt.market, tracking.RoleBuyer, clock.Now()), tracking.DefaultThresholds()), tracking.RuleNoProgress)
				if !ok {
					t.Fatal("no no_progress_14d for a parcel silent 16 days")
				}
				checkText(t, "en", renderAdvice(t, "en", a), tt.has, tt.hasNot)
				checkText(t, tt.lang, renderAdvice(t, tt.lang, a), tt.otherHas, tt.otherHasNots)
			})
		}
	})
}

// TestProtectionEndingRule: the reminder applies from the lead time before
// the end the chat gave until that end, while the parcel is not delivered,
// with the shop's own steps and the date; without a date, never.
func TestProtectionEndingRule(t *testing.T) {
	ends := time.Date(2026, 12, 20, 12, 0, 0, 0, time.UTC)
	th := tracking.Thresholds{ProtectionLead: 5 * aDay}
	onTheWay := &tracking.Shipment{Number: "LP00987654321012", Carrier: tracking.CarrierCainiao,
		Status: tracking.StatusTransit, Substatus: tracking.SubPackageDeparted,
		StatusChangedAt: ends.Add(-8 * aDay), TrackedSince: ends.Add(-20 * aDay)}
	last := ends.Add(-2 * aDay)
	onTheWay.LastEventAt = &last
	delivered := *onTheWay
	delivered.Status, delivered.Substatus = tracking.StatusDelivered, tracking.SubDelivered
	for _, tt := range []struct {
		name   string
		sh     *tracking.Shipment
		ends   *time.Time
		market string
		now    time.Time
		want   string // the message id, "" for none
	}{
		{"before the lead time", onTheWay, &ends, "", ends.Add(-5*aDay - time.Minute), ""},
		{"at the lead time", onTheWay, &ends, "", ends.Add(-5 * aDay), "guidance_protection_ending_buyer"},
		{"AliExpress", onTheWay, &ends, tracking.MarketplaceAliExpress, ends.Add(-aDay), "guidance_protection_ending_buyer_aliexpress"},
		{"Amazon", onTheWay, &ends, tracking.MarketplaceAmazon, ends.Add(-aDay), "guidance_protection_ending_buyer_amazon"},
		{"SHEIN takes the generic steps", onTheWay, &ends, tracking.MarketplaceShein, ends.Add(-aDay), "guidance_protection_ending_buyer"},
		{"ended", onTheWay, &ends, "", ends, ""},
		{"delivered", &delivered, &ends, "", ends.Add(-aDay), ""},
		{"no date", onTheWay, nil, tracking.MarketplaceAliExpress, ends.Add(-aDay), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sit := tracking.NewSituation(tt.sh, tt.market, tracking.RoleBuyer, tt.now)
			sit.ProtectionEnds = tt.ends
			a, ok := findAdvice(tracking.Evaluate(sit, th), tracking.RuleProtectionEnding)
			if got := map[bool]string{true: a.Message}[ok]; got != tt.want {
				t.Fatalf("message %q, want %q", got, tt.want)
			}
			if !ok {
				return
			}
			if a.Data.Deadline == nil || !a.Data.Deadline.Equal(ends) || !a.Push || a.Level != tracking.LevelAction {
				t.Errorf("advice %+v", a)
			}
			checkText(t, "en", renderAdvice(t, "en", a), []string{"2026-12-20", tt.sh.Number}, nil)
			checkText(t, "ru", renderAdvice(t, "ru", a), []string{"2026-12-20", tt.sh.Number}, nil)
		})
	}
	seller := tracking.NewSituation(onTheWay, "", tracking.RoleSeller, ends.Add(-aDay))
	seller.ProtectionEnds = &ends
	if _, ok := findAdvice(tracking.Evaluate(seller, th), tracking.RuleProtectionEnding); ok {
		t.Error("a seller was reminded of the buyer's protection")
	}
}
