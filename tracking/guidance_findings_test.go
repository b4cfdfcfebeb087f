package tracking_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// The tests of this file replay, through the engine, the store and a fake
// provider, the journeys in which the advice issue found wrong advice, and
// check the corrected advice as data and as rendered in English and one
// other language.

// adviceJourney tracks number for a fresh chat with the provider's answers
// and returns the shipment as the chat sees it at now.
func adviceJourney(t *testing.T, s *store.Store, fake *trackingtest.Provider, clock *tracking.FakeClock, number, carrier string) *tracking.Shipment {
	t.Helper()
	ctx := context.Background()
	reg := tracking.NewRegistry(clock)
	reg.AddCarrier(fake, carrier)
	reg.AddFallback(fake)
	e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, MinInterval: time.Hour})
	c, err := s.EnsureChat(ctx, "console", "advice-"+number, "buyer", "private", "buyer", clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := e.Track(ctx, tracking.TrackRequest{ChatID: c.ID, Number: number, Carrier: carrier})
	if err != nil {
		t.Fatal(err)
	}
	if tr.LookupErr != nil {
		t.Fatal(tr.LookupErr)
	}
	// A second round fetches the legs the first answer named.
	clock.Advance(2 * time.Hour)
	if _, err := e.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := s.Shipment(ctx, tr.Shipment.ID)
	if err != nil {
		t.Fatal(err)
	}
	return tracking.NewShipment(st, st.Events)
}

// renderAdvice renders an advice's message in a language the way the chat
// shows it.
func renderAdvice(t *testing.T, lang string, a tracking.Advice) string {
	t.Helper()
	c, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := a.PluralCount()
	s, err := c.Localizer(lang).Render(a.Message, n, a.Data.Fields())
	if err != nil {
		t.Fatalf("%s %s: %v", lang, a.Message, err)
	}
	return s
}

// checkText reports the words a rendered advice must and must not hold.
func checkText(t *testing.T, label, text string, has, hasNot []string) {
	t.Helper()
	for _, w := range has {
		if !strings.Contains(text, w) {
			t.Errorf("%s: %q lacks %q", label, text, w)
		}
	}
	for _, w := range hasNot {
		if strings.Contains(text, w) {
			t.Errorf("%s: %q holds %q", label, text, w)
		}
	}
}

var (
	shenzhen = tracking.Location{City: "Shenzhen", Country: "CN"}
	roissy   = tracking.Location{City: "Roissy", Country: "FR"}
)

// Finding 1: a leg carried by DPD was named and linked as La Poste.
func TestAdviceNamesTheLegsOwnCarrier(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clock := tracking.NewFakeClock(t0)
		fake := trackingtest.NewProvider("fake")
		now := t0
		fake.Set("LP00123456789012", tracking.Result{
			Number: "LP00123456789012", Carrier: tracking.CarrierCainiao, OriginCountry: "CN", DestinationCountry: "FR",
			Events: []tracking.Event{
				{Time: now.Add(-6 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageAccepted, Location: shenzhen, Description: "Accepted"},
				{Time: now.Add(-5 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageDeparted, Location: shenzhen, Description: "Departed"},
				{Time: now.Add(-2 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageArrived, Location: roissy, Description: "Arrived"},
				{Time: now.Add(-aDay), Status: tracking.StatusTransit, Substatus: tracking.SubCarrierHandover, Location: roissy, Description: "Handed over to DPD, 09445500012345"},
			},
			// AfterShip reports a courier trackbot has no id for as
			// "aftership-" and its slug.
			NextLegs: []tracking.Leg{{Number: "09445500012345", Carrier: "aftership-dpd"}},
		})
		fake.Set("09445500012345", tracking.Result{Number: "09445500012345", Carrier: "aftership-dpd", DestinationCountry: "FR"})
		sh := adviceJourney(t, s, fake, clock, "LP00123456789012", tracking.CarrierCainiao)
		a, ok := findAdvice(tracking.Evaluate(tracking.NewSituation(sh, "", tracking.RoleBuyer, clock.Now()), tracking.DefaultThresholds()), tracking.RuleDestinationPost)
		if !ok {
			t.Fatalf("no destination_post for %+v", sh.Legs)
		}
		link := "https://tracking.dpd.de/status/en_US/parcel/09445500012345"
		if a.Data.Post != "DPD" || a.Data.Link != link || a.Data.NewNumber != "09445500012345" {
			t.Errorf("data %+v, want DPD and %s", a.Data, link)
		}
		checkText(t, "en", renderAdvice(t, "en", a), []string{"DPD", link}, []string{"La Poste", "laposte.fr"})
		checkText(t, "fr", renderAdvice(t, "fr", a), []string{"DPD", link}, []string{"La Poste", "laposte.fr"})

		// A courier trackbot does not know is "the local carrier", with a
		// multi-carrier tracker.
		sh.Legs = []tracking.Leg{{Number: "CP123456", Carrier: "aftership-colis-prive"}}
		a, _ = findAdvice(tracking.Evaluate(tracking.NewSituation(sh, "", tracking.RoleBuyer, clock.Now()), tracking.DefaultThresholds()), tracking.RuleDestinationPost)
		if a.Data.Post != "" || a.Data.Link != tracking.TrackerURL("CP123456") || len(a.Links) != 1 || a.Links[0].Label != tracking.MessageLinkTracker {
			t.Errorf("unknown courier: %+v %+v", a.Data, a.Links)
		}
		checkText(t, "en", renderAdvice(t, "en", a), []string{"The local carrier", "multi-carrier tracker", "17track"}, []string{"La Poste", "their page"})
		checkText(t, "de", renderAdvice(t, "de", a), []string{"17track"}, []string{"La Poste"})
	})
}

// Finding 2: a YunExpress number was sent to La Poste, which cannot know it,
// by the origin-silent advice and by the delivered-but-missing steps.
func TestAdviceKeepsConsolidatorNumbersAwayFromThePost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clock := tracking.NewFakeClock(t0)
		fake := trackingtest.NewProvider("fake")
		number := "YT2412345678901234"
		fake.Set(number, tracking.Result{
			Number: number, Carrier: tracking.CarrierYunExpress, OriginCountry: "CN", DestinationCountry: "FR",
			Events: []tracking.Event{
				{Time: t0.Add(-8 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageAccepted, Location: shenzhen, Description: "Accepted"},
				{Time: t0.Add(-6 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageDeparted, Location: shenzhen, Description: "Departed from origin country"},
			},
		})
		sh := adviceJourney(t, s, fake, clock, number, tracking.CarrierYunExpress)
		for _, role := range []tracking.Role{tracking.RoleBuyer, tracking.RoleSeller} {
			a, ok := findAdvice(tracking.Evaluate(tracking.NewSituation(sh, "", role, clock.Now()), tracking.DefaultThresholds()), tracking.RuleOriginSilent)
			if !ok {
				t.Fatalf("%s: no origin_silent", role)
			}
			if a.Data.Post != "" || a.Data.Link != tracking.TrackerURL(number) {
				t.Errorf("%s: data %+v, want no post and the tracker", role, a.Data)
			}
			en := renderAdvice(t, "en", a)
			checkText(t, string(role)+" en", en, []string{"local number", "17track.net"}, []string{"La Poste", "laposte.fr", "same number"})
			de := renderAdvice(t, "de", a)
			checkText(t, string(role)+" de", de, []string{"lokale", "17track.net"}, []string{"La Poste", "laposte.fr"})
		}
		// Delivered under the same number: the missing steps name no post.
		sh.Status, sh.Substatus = tracking.StatusDelivered, tracking.SubDelivered
		m := tracking.MissingSteps(tracking.NewSituation(sh, tracking.MarketplaceAliExpress, tracking.RoleBuyer, clock.Now()))
		if m.Data.Post != "" || m.Data.Link != tracking.TrackerURL(number) {
			t.Errorf("missing steps: %+v", m.Data)
		}
		checkText(t, "missing en", renderAdvice(t, "en", m), []string{"17track.net"}, []string{"La Poste", "laposte.fr"})
		checkText(t, "missing es", renderAdvice(t, "es", m), []string{"17track.net"}, []string{"La Poste", "laposte.fr"})
	})
}

// Finding 3: customs held sent people to the post's tracking page to pay,
// and to payment links in SMS and e-mail.
func TestAdviceCustomsFeesAreSafe(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clock := tracking.NewFakeClock(t0)
		fake := trackingtest.NewProvider("fake")
		number := "LX123456785CN"
		fake.Set(number, tracking.Result{
			Number: number, Carrier: tracking.CarrierChinaPost, OriginCountry: "CN", DestinationCountry: "GB",
			Events: []tracking.Event{
				{Time: t0.Add(-9 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageAccepted, Location: shenzhen, Description: "Accepted"},
				{Time: t0.Add(-2 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubCustomsHeld, Location: tracking.Location{City: "Coventry", Country: "GB"}, Description: "Held by customs, fee to pay"},
			},
		})
		sh := adviceJourney(t, s, fake, clock, number, tracking.CarrierChinaPost)
		pay := "https://www.royalmail.com/receiving-mail/pay-a-fee"
		for _, tt := range []struct {
			role     tracking.Role
			market   string
			lang     string
			has      []string
			vat      string
			otherHas []string
		}{
			{tracking.RoleBuyer, tracking.MarketplaceAliExpress, "ru", []string{"£135", "21 days", "link in an SMS or e-mail"}, "GB", []string{"по ссылке из SMS", "135 £", "21 дн."}},
			{tracking.RoleBuyer, "", "fr", []string{"21 days", "link in an SMS or e-mail"}, "", []string{"lien reçu par SMS", "21 jours"}},
			{tracking.RoleSeller, tracking.MarketplaceEbay, "de", []string{"£135", "21 days", "link in an SMS or e-mail"}, "GB", []string{"Link in einer SMS", "135 £"}},
		} {
			a, ok := findAdvice(tracking.Evaluate(tracking.NewSituation(sh, tt.market, tt.role, clock.Now()), tracking.DefaultThresholds()), tracking.RuleCustomsHeld)
			if !ok {
				t.Fatalf("%s: no customs_held", tt.role)
			}
			if a.Data.Link != "" || a.Data.PayLink != pay || a.Data.HoldDays != 21 || a.Data.VAT != tt.vat || a.Data.Post != "Royal Mail" {
				t.Errorf("%s/%s: data %+v", tt.role, tt.market, a.Data)
			}
			if len(a.Links) != 1 || a.Links[0].Label != tracking.MessageLinkPay || a.Links[0].URL != pay {
				t.Errorf("%s/%s: links %+v, want only the fee page", tt.role, tt.market, a.Links)
			}
			checkText(t, "en", renderAdvice(t, "en", a), append(tt.has, pay, "Royal Mail"), []string{"track-your-item", "Pay them now"})
			checkText(t, tt.lang, renderAdvice(t, tt.lang, a), append(tt.otherHas, pay), []string{"track-your-item"})
		}
	})
}

// Finding 4: customs asking for documents was told to pay.
func TestAdviceCustomsDocumentsAreNotFees(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clock := tracking.NewFakeClock(t0)
		fake := trackingtest.NewProvider("fake")
		number := "LX223456781CN"
		fake.Set(number, tracking.Result{
			Number: number, Carrier: tracking.CarrierChinaPost, OriginCountry: "CN", DestinationCountry: "ES",
			Events: []tracking.Event{
				{Time: t0.Add(-9 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageAccepted, Location: shenzhen, Description: "Accepted"},
				{Time: t0.Add(-aDay), Status: tracking.StatusTransit, Substatus: tracking.SubCustomsInfoRequested, Location: tracking.Location{City: "Madrid", Country: "ES"}, Description: "Customs requires documents"},
			},
		})
		sh := adviceJourney(t, s, fake, clock, number, tracking.CarrierChinaPost)
		for _, role := range []tracking.Role{tracking.RoleBuyer, tracking.RoleSeller} {
			advice := tracking.Evaluate(tracking.NewSituation(sh, tracking.MarketplaceAliExpress, role, clock.Now()), tracking.DefaultThresholds())
			if _, held := findAdvice(advice, tracking.RuleCustomsHeld); held {
				t.Errorf("%s: customs_held for a documents request", role)
			}
			a, ok := findAdvice(advice, tracking.RuleCustomsInfo)
			if !ok {
				t.Fatalf("%s: no customs_info_requested in %q", role, adviceSummary(advice))
			}
			checkText(t, "en", renderAdvice(t, "en", a), []string{"invoice", "Correos"}, []string{"pay the", "duties"})
			checkText(t, "es", renderAdvice(t, "es", a), []string{"factura", "Correos"}, []string{"aranceles"})
		}
	})
}

// Finding 5: cancelled, refused and unexplained failures were told as a
// loss, an unclaimed parcel as on its way back, and holds, address problems
// and requests to call the carrier as a failed delivery.
func TestAdviceTellsExceptionsApart(t *testing.T) {
	tests := []struct {
		sub    tracking.Substatus
		status tracking.Status
		rule   string
		// en and fr are words of the buyer's message.
		en, fr string
	}{
		{tracking.SubRefused, tracking.StatusFailure, tracking.RuleRefused, "refused", "refusé"},
		{tracking.SubCancelled, tracking.StatusFailure, tracking.RuleCancelled, "cancelled", "annulé"},
		{tracking.SubOther, tracking.StatusFailure, tracking.RuleFailure, "isn't reported lost", "pas déclaré perdu"},
		{tracking.SubPackageUnclaimed, tracking.StatusTransit, tracking.RuleUnclaimed, "isn't on its way back yet", "pas encore sur le chemin du retour"},
		{tracking.SubPackageHeld, tracking.StatusTransit, tracking.RuleHeld, "is holding", "retient"},
		{tracking.SubAddressIssue, tracking.StatusTransit, tracking.RuleAddressIssue, "address", "adresse"},
		{tracking.SubContactCarrier, tracking.StatusTransit, tracking.RuleContactCarrier, "get in touch", "contacter"},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for i, tt := range tests {
			clock := tracking.NewFakeClock(t0)
			fake := trackingtest.NewProvider("fake")
			number := []string{"LX100000004CN", "LX100000018CN", "LX100000021CN", "LX100000035CN", "LX100000049CN", "LX100000052CN", "LX100000066CN"}[i]
			fake.Set(number, tracking.Result{
				Number: number, Carrier: tracking.CarrierChinaPost, OriginCountry: "CN", DestinationCountry: "FR",
				Status: tt.status, Substatus: tt.sub,
				Events: []tracking.Event{
					{Time: t0.Add(-9 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageAccepted, Location: shenzhen, Description: "Accepted"},
					{Time: t0.Add(-aDay), Status: tt.status, Substatus: tt.sub, Location: roissy, Description: "Exception"},
				},
			})
			sh := adviceJourney(t, s, fake, clock, number, tracking.CarrierChinaPost)
			for _, role := range []tracking.Role{tracking.RoleBuyer, tracking.RoleSeller} {
				for _, market := range append(tracking.Marketplaces(), "") {
					advice := tracking.Evaluate(tracking.NewSituation(sh, market, role, clock.Now()), tracking.DefaultThresholds())
					for _, wrong := range []string{tracking.RuleClaim, tracking.RuleReturned, tracking.RuleDeliveryAttempted} {
						if _, ok := findAdvice(advice, wrong); ok {
							t.Errorf("%s %s/%s: %s in %q", tt.sub, role, market, wrong, adviceSummary(advice))
						}
					}
					a, ok := findAdvice(advice, tt.rule)
					if !ok {
						t.Errorf("%s %s/%s: no %s in %q", tt.sub, role, market, tt.rule, adviceSummary(advice))
						continue
					}
					if a.Message != "guidance_"+tt.rule+"_"+string(role) {
						t.Errorf("%s: message %s", tt.sub, a.Message)
					}
					if role != tracking.RoleBuyer || market != "" {
						continue
					}
					checkText(t, string(tt.sub)+" en", renderAdvice(t, "en", a), []string{tt.en}, []string{"lost, damaged", "on its way back to the sender", "couldn't deliver"})
					checkText(t, string(tt.sub)+" fr", renderAdvice(t, "fr", a), []string{tt.fr}, []string{"perdu, endommagé", "n'a pas pu livrer"})
				}
			}
		}
	})
}

func TestLastMileCarrierFor(t *testing.T) {
	tests := []struct {
		id, name, host string
	}{
		{"aftership-dpd", "DPD", "https://tracking.dpd.de/"},
		{"dpd", "DPD", "https://tracking.dpd.de/"},
		{"aftership-dpd-uk", "DPD", "https://track.dpd.co.uk/"},
		{"aftership-hermes", "Evri", "https://www.evri.com/"},
		{"aftership-hermes-de", "Hermes", "https://www.myhermes.de/"},
		{"aftership-gls", "GLS", "https://gls-group.com/"},
		{"aftership-postnl-3s", "PostNL", "https://postnl.nl/"},
		{"aftership-inpost-paczkomaty", "InPost", "https://inpost.pl/"},
		{"aftership-colissimo", "Colissimo", "https://www.laposte.fr/"},
		{"usps", "USPS", "https://tools.usps.com/"},
		{"royal-mail", "Royal Mail", "https://www.royalmail.com/"},
		{"canada-post", "Canada Post", "https://www.canadapost-postescanada.ca/"},
		{"post-fr", "La Poste", "https://www.laposte.fr/"},
		{"aftership-australia-post", "Australia Post", "https://auspost.com.au/"},
		{"aftership-japan-post", "Japan Post", "https://trackings.post.japanpost.jp/"},
		{"aftership-poste-italiane", "Poste Italiane", "https://www.poste.it/"},
		{"aftership-spain-correos-es", "Correos", "https://www.correos.es/"},
		// Origin carriers and unknown ids deliver nowhere of their own.
		{"cainiao", "", ""}, {"yunexpress", "", ""}, {"china-post", "", ""}, {"aftership-colis-prive", "", ""}, {"", "", ""},
	}
	for _, tt := range tests {
		c, ok := tracking.LastMileCarrierFor(tt.id)
		if ok != (tt.name != "") || c.Name != tt.name || !strings.HasPrefix(c.URL("X1"), tt.host) {
			t.Errorf("LastMileCarrierFor(%q) = %q %q %v, want %q at %s", tt.id, c.Name, c.URLTemplate, ok, tt.name, tt.host)
		}
	}
	ids := map[string]bool{}
	for _, c := range tracking.LastMileCarriers() {
		if ids[c.ID] || strings.Count(c.URLTemplate, "%s") != 1 || !strings.HasPrefix(c.URLTemplate, "https://") {
			t.Errorf("last-mile carrier %+v", c)
		}
		ids[c.ID] = true
	}
}

// TestAdviceSendsThePostsOwnFormatsToThePost: a USPS number (not S10) on a
// parcel to the United States is one USPS knows; the same number to France
// is not one La Poste knows.
func TestAdviceSendsThePostsOwnFormatsToThePost(t *testing.T) {
	for _, tt := range []struct{ dest, post, link string }{
		{"US", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111201080805483016"},
		{"FR", "", tracking.TrackerURL("9400111201080805483016")},
	} {
		s := originSilent(guidanceStart)
		s.Number, s.Carrier, s.DestinationCountry = "9400111201080805483016", tracking.CarrierYunExpress, tt.dest
		a, ok := findAdvice(tracking.Evaluate(s, tracking.DefaultThresholds()), tracking.RuleOriginSilent)
		if !ok || a.Data.Post != tt.post || a.Data.Link != tt.link {
			t.Errorf("%s: %v %+v, want %q %s", tt.dest, ok, a.Data, tt.post, tt.link)
		}
	}
}

// TestAdviceCustomsVATHint: a marketplace order held at EU customs hears
// that VAT up to €150 was usually charged at checkout (IOSS); an order from
// no known marketplace does not.
func TestAdviceCustomsVATHint(t *testing.T) {
	for _, tt := range []struct {
		market, vat string
		has         []string
	}{
		{tracking.MarketplaceAliExpress, "EU", []string{"€150", "IOSS"}},
		{"", "", nil},
	} {
		s := demoSituation(t, "DEMO-CUSTOMS-DE", guidanceStart, tracking.RoleBuyer, tt.market)
		a, ok := findAdvice(tracking.Evaluate(s, tracking.DefaultThresholds()), tracking.RuleCustomsHeld)
		if !ok || a.Data.VAT != tt.vat {
			t.Fatalf("%q: %v %+v", tt.market, ok, a.Data)
		}
		en := renderAdvice(t, "en", a)
		checkText(t, tt.market+" en", en, append(tt.has, "link in an SMS or e-mail"), nil)
		if tt.vat == "" {
			checkText(t, "no shop en", en, nil, []string{"€150", "IOSS"})
		}
		checkText(t, tt.market+" zh", renderAdvice(t, "zh", a), append([]string{"短信或邮件中的链接"}, tt.has[min(len(tt.has), 1):]...), nil)
	}
}

// Finding 6: pickup deadlines were stated as facts: 7 days everywhere,
// "7 Werktage" read as calendar days, "redelivery in 2 days" read as a
// deadline, and a date for the buyer where the seller heard "about".
func TestAdvicePickupDeadlines(t *testing.T) {
	// t0 is Monday 2 November 2026; every parcel became available on
	// Sunday 1 November.
	at := t0.Add(-aDay)
	tests := []struct {
		number, dest, text string
		want               time.Time
		about              bool
		lang               string
		// en and other are words of the buyer's and the seller's
		// texts in English and in lang.
		en, other, notEn []string
	}{
		// USPS holds 15 days; the redelivery period is no deadline.
		{"LX100000004CN", "US", "Available for pickup at the post office; redelivery in 2 days", at.AddDate(0, 0, 15), false, "es",
			[]string{"by 2026-11-16"}, []string{"2026-11-16"}, []string{"about", "2026-11-03"}},
		// Royal Mail holds 18 days.
		{"LX100000018CN", "GB", "Ready to collect from the Customer Service Point", at.AddDate(0, 0, 18), false, "fr",
			[]string{"by 2026-11-19"}, []string{"2026-11-19"}, []string{"about"}},
		// 7 Werktage from the day after Sunday: Monday 2 to Saturday 7
		// is six, Monday 9 the seventh.
		{"LX100000021CN", "DE", "Die Sendung liegt in der Filiale zur Abholung bereit. Lagerfrist 7 Werktage", time.Date(2026, 11, 9, 9, 0, 0, 0, time.UTC), false, "de",
			[]string{"by 2026-11-09"}, []string{"bis 2026-11-09"}, []string{"about"}},
		// La Poste's period for parcels is not confirmed: "about", for
		// the buyer as for the seller.
		{"LX100000035CN", "FR", "Colis disponible en bureau de poste", at.AddDate(0, 0, 15), true, "fr",
			[]string{"about 2026-11-16"}, []string{"2026-11-16", "environ"}, nil},
		// No table for Italy: about 7 days.
		{"LX100000049CN", "IT", "In giacenza", at.AddDate(0, 0, 7), true, "de",
			[]string{"about 2026-11-08"}, []string{"etwa 2026-11-08"}, nil},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for _, tt := range tests {
			clock := tracking.NewFakeClock(t0)
			fake := trackingtest.NewProvider("fake")
			fake.Set(tt.number, tracking.Result{
				Number: tt.number, Carrier: tracking.CarrierChinaPost, OriginCountry: "CN", DestinationCountry: tt.dest,
				Events: []tracking.Event{
					{Time: t0.Add(-12 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageAccepted, Location: shenzhen, Description: "Accepted"},
					{Time: at, Status: tracking.StatusTransit, Substatus: tracking.SubPickupAvailable, Location: tracking.Location{Country: tt.dest}, Description: tt.text},
				},
			})
			sh := adviceJourney(t, s, fake, clock, tt.number, tracking.CarrierChinaPost)
			for _, role := range []tracking.Role{tracking.RoleBuyer, tracking.RoleSeller} {
				a, ok := findAdvice(tracking.Evaluate(tracking.NewSituation(sh, "", role, clock.Now()), tracking.DefaultThresholds()), tracking.RulePickupAvailable)
				if !ok {
					t.Fatalf("%s %s: no pickup_available", tt.dest, role)
				}
				if a.Data.Deadline == nil || !a.Data.Deadline.Equal(tt.want) || a.Data.About != tt.about {
					t.Errorf("%s %s: deadline %v about=%v, want %v about=%v", tt.dest, role, a.Data.Deadline, a.Data.About, tt.want, tt.about)
				}
				label := tt.dest + " " + string(role)
				en := tt.en
				if role == tracking.RoleSeller {
					en = []string{strings.TrimPrefix(strings.TrimPrefix(tt.en[0], "by "), "about ")}
					if tt.about {
						en = append(en, "about")
					}
				}
				checkText(t, label+" en", renderAdvice(t, "en", a), en, tt.notEn)
				checkText(t, label+" "+tt.lang, renderAdvice(t, tt.lang, a), tt.other[len(tt.other)-1:], nil)
			}
		}
	})
}

// Finding 7: an S10 parcel silent for 8 days was told to follow it on the
// destination post and that there was nothing to do yet; a parcel 16 days
// in customs was told to open a dispute next to checking for fees; and a
// seller on eBay was not told that tracking showing delivery protects them.
func TestAdviceOneCardNeverContradictsItself(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clock := tracking.NewFakeClock(t0)
		fake := trackingtest.NewProvider("fake")
		silent, customs, delivered := "LX100000052CN", "LX100000066CN", "LX123456785CN"
		fake.Set(silent, tracking.Result{
			Number: silent, Carrier: tracking.CarrierChinaPost, OriginCountry: "CN", DestinationCountry: "US",
			Events: []tracking.Event{
				{Time: t0.Add(-10 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageAccepted, Location: shenzhen, Description: "Accepted"},
				{Time: t0.Add(-8 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageDeparted, Location: shenzhen, Description: "Departed from origin country"},
			},
		})
		fake.Set(customs, tracking.Result{
			Number: customs, Carrier: tracking.CarrierChinaPost, OriginCountry: "CN", DestinationCountry: "FR",
			Events: []tracking.Event{
				{Time: t0.Add(-25 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageAccepted, Location: shenzhen, Description: "Accepted"},
				{Time: t0.Add(-16 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubCustomsProcessing, Location: roissy, Description: "Customs clearance in progress"},
			},
		})
		fake.Set(delivered, tracking.Result{
			Number: delivered, Carrier: tracking.CarrierChinaPost, OriginCountry: "CN", DestinationCountry: "US",
			Status: tracking.StatusDelivered, Substatus: tracking.SubDelivered,
			Events: []tracking.Event{
				{Time: t0.Add(-12 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageAccepted, Location: shenzhen, Description: "Accepted"},
				{Time: t0.Add(-aDay), Status: tracking.StatusDelivered, Substatus: tracking.SubDelivered, Location: tracking.Location{City: "Austin", Country: "US"}, Description: "Delivered, in mailbox"},
			},
		})

		sh := adviceJourney(t, s, fake, clock, silent, tracking.CarrierChinaPost)
		for _, role := range []tracking.Role{tracking.RoleBuyer, tracking.RoleSeller} {
			advice := tracking.Evaluate(tracking.NewSituation(sh, "", role, clock.Now()), tracking.DefaultThresholds())
			if got := adviceSummary(advice); got != "origin_silent:warn" {
				t.Errorf("silent %s: %q, want origin_silent alone", role, got)
			}
			if role == tracking.RoleBuyer && len(advice) == 1 {
				checkText(t, "silent en", renderAdvice(t, "en", advice[0]), []string{"USPS"}, []string{"nothing to do yet"})
				checkText(t, "silent de", renderAdvice(t, "de", advice[0]), []string{"USPS"}, []string{"noch nichts zu tun"})
			}
		}

		sh = adviceJourney(t, s, fake, clock, customs, tracking.CarrierChinaPost)
		for _, role := range []tracking.Role{tracking.RoleBuyer, tracking.RoleSeller} {
			for _, market := range append(tracking.Marketplaces(), "") {
				// destination_post only names La Poste's page, which
				// says nothing about disputes.
				advice := tracking.Evaluate(tracking.NewSituation(sh, market, role, clock.Now()), tracking.DefaultThresholds())
				if got := adviceSummary(advice); got != "customs_long:warn destination_post:info" {
					t.Errorf("customs %s/%s: %q, want customs_long and destination_post", role, market, got)
				}
			}
		}
		a, _ := findAdvice(tracking.Evaluate(tracking.NewSituation(sh, tracking.MarketplaceAliExpress, tracking.RoleBuyer, clock.Now()), tracking.DefaultThresholds()), tracking.RuleCustomsLong)
		checkText(t, "customs en", renderAdvice(t, "en", a), []string{"16 days", "Don't open a dispute while a charge", "right step once"}, []string{"open a dispute or refund request"})
		checkText(t, "customs fr", renderAdvice(t, "fr", a), []string{"16 jours", "N'ouvrez pas de litige tant que"}, nil)

		sh = adviceJourney(t, s, fake, clock, delivered, tracking.CarrierChinaPost)
		m := tracking.MissingSteps(tracking.NewSituation(sh, tracking.MarketplaceEbay, tracking.RoleSeller, clock.Now()))
		if m.Message != "guidance_missing_seller_ebay" || m.Data.Post != "USPS" {
			t.Errorf("eBay seller: %s %+v", m.Message, m.Data)
		}
		checkText(t, "eBay seller en", renderAdvice(t, "en", m), []string{"protects you", "within 3 business days", "$750", "USPS"}, nil)
		checkText(t, "eBay seller de", renderAdvice(t, "de", m), []string{"schützt dich", "innerhalb von 3 Werktagen", "USPS"}, nil)
		// Other shops' sellers keep the generic steps.
		if m := tracking.MissingSteps(tracking.NewSituation(sh, tracking.MarketplaceAliExpress, tracking.RoleSeller, clock.Now())); m.Message != "guidance_missing_seller" {
			t.Errorf("AliExpress seller: %s", m.Message)
		}
	})
}

// Finding 9: a parcel whose tracking stops at export never shows
// "delivered", and the 14-day dispute advice fired with no word of it.
func TestAdvicePartialTracking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clock := tracking.NewFakeClock(t0)
		fake := trackingtest.NewProvider("fake")
		partial, arrived := "YT2412345678901234", "LX223456781CN"
		fake.Set(partial, tracking.Result{
			Number: partial, Carrier: tracking.CarrierYunExpress, OriginCountry: "CN", DestinationCountry: "ES",
			Events: []tracking.Event{
				{Time: t0.Add(-18 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageAccepted, Location: shenzhen, Description: "Accepted"},
				{Time: t0.Add(-16 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageDeparted, Location: shenzhen, Description: "Export customs cleared, departed"},
			},
		})
		fake.Set(arrived, tracking.Result{
			Number: arrived, Carrier: tracking.CarrierChinaPost, OriginCountry: "CN", DestinationCountry: "ES",
			Events: []tracking.Event{
				{Time: t0.Add(-18 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageDeparted, Location: shenzhen, Description: "Departed"},
				{Time: t0.Add(-16 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageArrived, Location: tracking.Location{City: "Madrid", Country: "ES"}, Description: "Arrived in Spain"},
			},
		})
		sh := adviceJourney(t, s, fake, clock, partial, tracking.CarrierYunExpress)
		for _, tt := range []struct {
			role          tracking.Role
			market        string
			en, es, notEn []string
		}{
			{tracking.RoleBuyer, tracking.MarketplaceAliExpress,
				[]string{"16 days", "never shows “delivered”", "Before you open a dispute", "order page", tracking.TrackerURL(partial)},
				[]string{"nunca muestra «entregado»", "Antes de abrir una disputa"}, []string{"Correos"}},
			{tracking.RoleSeller, tracking.MarketplaceEbay,
				[]string{"Ask the buyer to confirm", "tracked to the door", "buyer's phone number on the label"},
				[]string{"confirme si lo ha recibido", "teléfono del comprador en la etiqueta"}, []string{"Correos"}},
		} {
			advice := tracking.Evaluate(tracking.NewSituation(sh, tt.market, tt.role, clock.Now()), tracking.DefaultThresholds())
			// The dispute steps stay, after the card that says to
			// check first; origin_silent's card is replaced.
			if got := adviceSummary(advice); got != "partial_tracking:action no_progress_14d:action" {
				t.Errorf("%s: %q", tt.role, got)
			}
			a, ok := findAdvice(advice, tracking.RulePartialTracking)
			if !ok {
				continue
			}
			if a.Data.Link != tracking.TrackerURL(partial) || a.Data.Post != "" {
				t.Errorf("%s: %+v", tt.role, a.Data)
			}
			checkText(t, string(tt.role)+" en", renderAdvice(t, "en", a), tt.en, tt.notEn)
			checkText(t, string(tt.role)+" es", renderAdvice(t, "es", a), tt.es, tt.notEn)
		}
		// Tracking that reached the destination is not partial.
		sh = adviceJourney(t, s, fake, clock, arrived, tracking.CarrierChinaPost)
		if _, ok := findAdvice(tracking.Evaluate(tracking.NewSituation(sh, "", tracking.RoleBuyer, clock.Now()), tracking.DefaultThresholds()), tracking.RulePartialTracking); ok {
			t.Error("partial_tracking for a parcel scanned in the destination")
		}
	})
}

// TestDeadlineWords: a date or period counts as a pickup deadline only
// next to words about collecting or keeping the parcel, and working days
// skip the days that do not count.
func TestDeadlineWords(t *testing.T) {
	at := time.Date(2026, 11, 6, 9, 0, 0, 0, time.UTC) // a Friday
	storage := time.Date(2026, 11, 14, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		text string
		want time.Time
	}{
		{"Redelivery in 2 days", storage},
		{"Neue Zustellung in 2 Tagen", storage},
		{"Nouvelle livraison dans 2 jours", storage},
		{"Abholbereit, Lagerfrist 7 Werktage", time.Date(2026, 11, 14, 9, 0, 0, 0, time.UTC)},
		{"Please collect within 5 business days", time.Date(2026, 11, 13, 9, 0, 0, 0, time.UTC)},
		{"A retirer sous 10 jours ouvrables", time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC)},
		{"Срок хранения 5 рабочих дней", time.Date(2026, 11, 13, 9, 0, 0, 0, time.UTC)},
		{"Collect by 2026-11-20", time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)},
		{"Delivery on 2026-11-20", storage},
	} {
		s := tracking.Situation{
			Number: "RR123456785CN", Carrier: tracking.CarrierChinaPost, Status: tracking.StatusTransit,
			Substatus: tracking.SubPickupAvailable, StatusChangedAt: at, TrackedSince: at.Add(-20 * aDay), LastEventAt: &at,
			DestinationCountry: "DE", OriginCountry: "CN", Now: at.Add(time.Hour),
			Events: []tracking.Event{{Time: at, Status: tracking.StatusTransit, Substatus: tracking.SubPickupAvailable, Description: tt.text}},
		}
		a, ok := findAdvice(tracking.Evaluate(s, tracking.DefaultThresholds()), tracking.RulePickupAvailable)
		if got := a.Data.Deadline; !ok || got == nil || !got.Equal(tt.want) {
			t.Errorf("%q: deadline %v, want %v", tt.text, got, tt.want)
		}
	}
}
