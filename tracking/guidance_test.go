package tracking_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
)

// guidanceStart is when the walks begin tracking; the demo's LIVE journey
// takes one event a day from here.
var guidanceStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const (
	aDay             = 24 * time.Hour
	guidanceDemoStep = aDay
)

// demoSituation looks a demo number up as it stands at now, following its
// later legs the way the engine does, and describes it for the rules.
func demoSituation(t *testing.T, number string, now time.Time, role tracking.Role, market string) tracking.Situation {
	t.Helper()
	p := demo.New(guidanceDemoStep, tracking.NewFakeClock(now))
	ctx := context.Background()
	res, err := p.Lookup(ctx, tracking.Query{Number: number, TrackedSince: guidanceStart})
	if err != nil {
		t.Fatal(err)
	}
	events := slices.Clone(res.Events)
	for _, leg := range res.NextLegs {
		r, err := p.Lookup(ctx, tracking.Query{Number: leg.Number, Carrier: leg.Carrier, TrackedSince: guidanceStart})
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, r.Events...)
	}
	slices.SortStableFunc(events, func(a, b tracking.Event) int { return a.Time.Compare(b.Time) })
	s := tracking.Situation{
		Number: res.Number, Carrier: res.Carrier, Status: tracking.StatusUnknown, Substatus: tracking.SubOther,
		StatusChangedAt: guidanceStart, TrackedSince: guidanceStart, Events: events, Legs: res.NextLegs,
		OriginCountry: res.OriginCountry, DestinationCountry: res.DestinationCountry,
		Marketplace: market, Role: role, Now: now,
	}
	if n := len(events); n > 0 {
		last := events[n-1]
		s.Status, s.Substatus, s.LastEventAt = last.Status, last.Substatus, &last.Time
		s.StatusChangedAt = last.Time
		for i := n - 1; i >= 0 && events[i].Substatus == last.Substatus; i-- {
			s.StatusChangedAt = events[i].Time
		}
	}
	return s
}

// adviceSummary writes advice as "rule:level" words, in Evaluate's order.
func adviceSummary(advice []tracking.Advice) string {
	parts := make([]string, len(advice))
	for i, a := range advice {
		parts[i] = a.Rule + ":" + string(a.Level)
	}
	return strings.Join(parts, " ")
}

func findAdvice(advice []tracking.Advice, rule string) (tracking.Advice, bool) {
	for _, a := range advice {
		if a.Rule == rule {
			return a, true
		}
	}
	return tracking.Advice{}, false
}

// walkStep is what applies at one time of a walk: the rules for each role
// and the push rules that would fire then, given what fired before.
type walkStep struct {
	at                      time.Duration
	buyer, seller           string
	firedBuyer, firedSeller string
}

// bothRoles is a walk step where buyers and sellers get the same rules.
func bothRoles(at time.Duration, rules, fired string) walkStep {
	return walkStep{at: at, buyer: rules, seller: rules, firedBuyer: fired, firedSeller: fired}
}

func TestGuidanceDemoWalk(t *testing.T) {
	const (
		now   = 0
		d3    = 3 * aDay
		d4    = 4*aDay + 12*time.Hour // after LIVE's handover, before its local leg moves
		d8    = 8 * aDay
		d15   = 15 * aDay
		stall = "partial_tracking:action no_progress_14d:action"
	)
	tests := []struct {
		number, market string
		steps          []walkStep
	}{
		{"DEMO-LIVE", "", []walkStep{
			bothRoles(now, "", ""),
			bothRoles(d3, "", ""),
			bothRoles(d4, "destination_post:info", "destination_post"),
			bothRoles(d8, "delivered:info", "delivered"),
			bothRoles(d15, "delivered:info", ""),
		}},
		{"DEMO-STALLED", "", []walkStep{
			bothRoles(now, stall, "partial_tracking no_progress_14d"),
			bothRoles(d3, stall, ""),
			bothRoles(d8, stall, ""),
			bothRoles(d15, stall, ""),
		}},
		{"DEMO-LABEL", "", []walkStep{
			bothRoles(now, "label_only:warn", "label_only"),
			bothRoles(d3, "no_progress_14d:action", "no_progress_14d"),
			bothRoles(d8, "no_progress_14d:action", ""),
			bothRoles(d15, "no_progress_14d:action", ""),
		}},
		{"DEMO-CUSTOMS", "", []walkStep{
			bothRoles(now, "customs_held:action", "customs_held"),
			bothRoles(d3, "customs_held:action", ""),
			bothRoles(d15, "customs_held:action", ""),
		}},
		{"DEMO-RETURNED", "", []walkStep{
			bothRoles(now, "returned:action", "returned"),
			bothRoles(d8, "returned:action", ""),
		}},
		{"DEMO-ATTEMPT", "", []walkStep{
			bothRoles(now, "delivery_attempted:action", "delivery_attempted"),
			bothRoles(d8, "delivery_attempted:action", ""),
		}},
		{"DEMO-PICKUP", "", []walkStep{
			bothRoles(now, "pickup_available:action", "pickup_available"),
			bothRoles(d3, "pickup_available:action", ""),
		}},
		{"DEMO-DELIVERED", "", []walkStep{
			bothRoles(now, "delivered:info", "delivered"),
			bothRoles(d15, "delivered:info", ""),
		}},
		{"DEMO-NOTFOUND", "", []walkStep{
			bothRoles(now, "new_number_silent:info", ""),
			bothRoles(d3, "", ""),
			bothRoles(d8, "no_info_7d:warn", "no_info_7d"),
			bothRoles(d15, "no_progress_14d:action", "no_progress_14d"),
		}},
		{"DEMO-LOST", "", []walkStep{
			bothRoles(now, "claim:action", "claim"),
			bothRoles(d8, "claim:action", ""),
		}},
		// Temu buyers are sent to Temu's support after a week; sellers
		// keep the generic ladder.
		{"DEMO-NOTFOUND", tracking.MarketplaceTemu, []walkStep{
			bothRoles(now, "new_number_silent:info", ""),
			{at: d8, buyer: "temu_no_update:action", seller: "no_info_7d:warn", firedBuyer: "temu_no_update", firedSeller: "no_info_7d"},
			bothRoles(d15, "no_progress_14d:action", "no_progress_14d"),
		}},
		{"DEMO-STALLED", tracking.MarketplaceTemu, []walkStep{
			bothRoles(now, stall, "partial_tracking no_progress_14d"),
			bothRoles(d8, stall, ""),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.number+"/"+tt.market, func(t *testing.T) {
			for _, role := range []tracking.Role{tracking.RoleBuyer, tracking.RoleSeller} {
				fired := map[string]bool{}
				for _, st := range tt.steps {
					s := demoSituation(t, tt.number, guidanceStart.Add(st.at), role, tt.market)
					advice := tracking.Evaluate(s, tracking.DefaultThresholds())
					want, wantFired := st.buyer, st.firedBuyer
					if role == tracking.RoleSeller {
						want, wantFired = st.seller, st.firedSeller
					}
					if got := adviceSummary(advice); got != want {
						t.Errorf("%s at +%v: %q, want %q", role, st.at, got, want)
					}
					// A push rule fires when it applies and has not
					// fired since it last stopped applying.
					var newly []string
					applies := map[string]bool{}
					for _, a := range advice {
						applies[a.Rule] = true
						if a.Push && !fired[a.Rule] {
							newly = append(newly, a.Rule)
							fired[a.Rule] = true
						}
						if !strings.HasPrefix(a.Message, "guidance_"+a.Rule+"_"+string(role)) {
							t.Errorf("%s at +%v: %s has message %q", role, st.at, a.Rule, a.Message)
						}
					}
					for id := range fired {
						if !applies[id] {
							delete(fired, id) // re-armed
						}
					}
					if got := strings.Join(newly, " "); got != wantFired {
						t.Errorf("%s at +%v: fired %q, want %q", role, st.at, got, wantFired)
					}
				}
			}
		})
	}
}

func TestGuidanceIsDeterministic(t *testing.T) {
	s := demoSituation(t, "DEMO-STALLED", guidanceStart, tracking.RoleBuyer, tracking.MarketplaceAliExpress)
	first := tracking.Evaluate(s, tracking.DefaultThresholds())
	for range 20 {
		if got := tracking.Evaluate(s, tracking.DefaultThresholds()); adviceSummary(got) != adviceSummary(first) {
			t.Fatalf("Evaluate gave %q, then %q", adviceSummary(first), adviceSummary(got))
		}
	}
	// Zero thresholds take the defaults.
	if got := tracking.Evaluate(s, tracking.Thresholds{}); adviceSummary(got) != adviceSummary(first) {
		t.Errorf("zero thresholds give %q, defaults %q", adviceSummary(got), adviceSummary(first))
	}
}

// TestGuidanceCustomsHeldLinksNoTrackingPage is finding 3 of the advice
// issue: the fee advice named the post's tracking page as the place to pay.
// It now names the post and links nothing but a post's own payment page.
func TestGuidanceCustomsHeldLinksNoTrackingPage(t *testing.T) {
	for _, role := range []tracking.Role{tracking.RoleBuyer, tracking.RoleSeller} {
		s := demoSituation(t, "DEMO-CUSTOMS-DE", guidanceStart, role, "")
		a, ok := findAdvice(tracking.Evaluate(s, tracking.DefaultThresholds()), tracking.RuleCustomsHeld)
		if !ok {
			t.Fatalf("%s: no customs_held", role)
		}
		if a.Data.Link != "" || a.Data.PayLink != "" || len(a.Links) != 0 {
			t.Errorf("%s: links %q %q %+v, want none (Deutsche Post has no fee page)", role, a.Data.Link, a.Data.PayLink, a.Links)
		}
		if a.Data.Post != "Deutsche Post DHL" || a.Level != tracking.LevelAction || !a.Push {
			t.Errorf("%s: %+v", role, a)
		}
		if a.Message != "guidance_customs_held_"+string(role) {
			t.Errorf("%s: message %q", role, a.Message)
		}
	}
	// Without a known post the advice still stands, without a link.
	s := demoSituation(t, "DEMO-CUSTOMS-MX", guidanceStart, tracking.RoleBuyer, "")
	a, ok := findAdvice(tracking.Evaluate(s, tracking.DefaultThresholds()), tracking.RuleCustomsHeld)
	if !ok || a.Data.Link != "" || len(a.Links) != 0 {
		t.Errorf("MX: %+v", a)
	}
}

// originSilent is a Cainiao parcel for France that departed China and was
// never heard of again.
func originSilent(now time.Time, extra ...tracking.Event) tracking.Situation {
	departed := now.Add(-5 * aDay)
	sz := tracking.Location{City: "Shenzhen", Country: "CN"}
	events := append([]tracking.Event{
		{Time: now.Add(-9 * aDay), Status: tracking.StatusPreTransit, Substatus: tracking.SubInformationReceived, Location: sz},
		{Time: now.Add(-8 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageAccepted, Location: sz},
		{Time: departed, Status: tracking.StatusTransit, Substatus: tracking.SubPackageDeparted, Location: tracking.Location{City: "Shanghai", Country: "CN"}},
	}, extra...)
	last := events[len(events)-1]
	return tracking.Situation{
		Number: "LP00123456789012", Carrier: tracking.CarrierCainiao,
		Status: last.Status, Substatus: last.Substatus, StatusChangedAt: last.Time,
		TrackedSince: now.Add(-9 * aDay), LastEventAt: &last.Time, Events: events,
		OriginCountry: "CN", DestinationCountry: "FR", Now: now,
	}
}

func TestGuidanceOriginSilentPointsAtTheDestinationPost(t *testing.T) {
	now := guidanceStart
	s := originSilent(now)
	advice := tracking.Evaluate(s, tracking.DefaultThresholds())
	if got := adviceSummary(advice); got != "origin_silent:warn" {
		t.Fatalf("advice %q, want origin_silent only", got)
	}
	a := advice[0]
	// La Poste cannot know a Cainiao LP… number (finding 2 of the advice
	// issue): the advice offers a multi-carrier tracker and names no post.
	want := "https://t.17track.net/en#nums=LP00123456789012"
	if a.Data.Link != want || a.Data.Post != "" || a.Data.Days == nil || *a.Data.Days != 5 {
		t.Errorf("data %v, want the tracker %s after 5 days", a.Data, want)
	}
	if len(a.Links) != 1 || a.Links[0].Label != tracking.MessageLinkTracker {
		t.Errorf("links %+v, want the tracker's", a.Links)
	}
	// An S10 number is one La Poste knows.
	s10 := originSilent(now)
	s10.Number = "LX123456785CN"
	a, _ = findAdvice(tracking.Evaluate(s10, tracking.DefaultThresholds()), tracking.RuleOriginSilent)
	if want := "https://www.laposte.fr/outils/suivre-vos-envois?code=LX123456785CN"; a.Data.Link != want || a.Data.Post != "La Poste" {
		t.Errorf("S10: data %v, want La Poste's page %s", a.Data, want)
	}
	if n, ok := a.PluralCount(); !ok || n != 5 {
		t.Errorf("PluralCount %d, %v", n, ok)
	}

	// Four days of silence are not enough yet.
	s.Now = now.Add(-aDay)
	if _, ok := findAdvice(tracking.Evaluate(s, tracking.DefaultThresholds()), tracking.RuleOriginSilent); ok {
		t.Error("origin_silent after 4 days")
	}
	// News from the destination country clears it.
	arrived := tracking.Event{Time: now.Add(-2 * aDay), Status: tracking.StatusTransit, Substatus: tracking.SubPackageArrived, Location: tracking.Location{City: "Roissy", Country: "FR"}}
	s = originSilent(now, arrived)
	if _, ok := findAdvice(tracking.Evaluate(s, tracking.DefaultThresholds()), tracking.RuleOriginSilent); ok {
		t.Error("origin_silent after an event in the destination country")
	}
	// Shorter thresholds from the configuration apply.
	th := tracking.DefaultThresholds()
	th.OriginSilent = 3 * aDay
	s = originSilent(now)
	s.Now = now.Add(-aDay)
	if _, ok := findAdvice(tracking.Evaluate(s, th), tracking.RuleOriginSilent); !ok {
		t.Error("no origin_silent after 4 days with a 3-aDay threshold")
	}
}

func TestGuidanceDestinationPostNamesTheNewNumber(t *testing.T) {
	for _, tt := range []struct{ number, dest, host string }{
		{"DEMO-LIVE", "US", "https://tools.usps.com/"},
		{"DEMO-LIVE-DE", "DE", "https://www.dhl.de/"},
	} {
		s := demoSituation(t, tt.number, guidanceStart.Add(4*aDay+time.Hour), tracking.RoleBuyer, "")
		a, ok := findAdvice(tracking.Evaluate(s, tracking.DefaultThresholds()), tracking.RuleDestinationPost)
		if !ok {
			t.Fatalf("%s: no destination_post", tt.number)
		}
		local := demo.LocalNumber(tt.number, tt.dest)
		link := a.Data.Link
		if a.Data.NewNumber != local || !strings.HasPrefix(link, tt.host) || !strings.Contains(link, local) {
			t.Errorf("%s: data %v, want %s and %s…%s", tt.number, a.Data, local, tt.host, local)
		}
		if a.Level != tracking.LevelInfo || !a.Push {
			t.Errorf("%s: level %s push %v", tt.number, a.Level, a.Push)
		}
	}
	// An S10 number is tracked at the destination post under the same
	// number once it has arrived there.
	arrived := guidanceStart.Add(-aDay)
	s := tracking.Situation{
		Number: "RR123456785CN", Carrier: tracking.CarrierChinaPost, Status: tracking.StatusTransit,
		Substatus: tracking.SubPackageArrived, StatusChangedAt: arrived, TrackedSince: guidanceStart.Add(-10 * aDay),
		LastEventAt: &arrived, OriginCountry: "CN", DestinationCountry: "PL", Now: guidanceStart,
		Events: []tracking.Event{{Time: arrived, Status: tracking.StatusTransit, Substatus: tracking.SubPackageArrived, Location: tracking.Location{City: "Warszawa", Country: "PL"}}},
	}
	a, ok := findAdvice(tracking.Evaluate(s, tracking.DefaultThresholds()), tracking.RuleDestinationPost)
	if !ok || a.Data.NewNumber != "RR123456785CN" || a.Data.Link != "https://emonitoring.poczta-polska.pl/?numer=RR123456785CN" {
		t.Errorf("S10 arrival: %v %v", ok, a.Data)
	}
}

func TestGuidanceFirstLookups(t *testing.T) {
	for _, tt := range []struct{ number, rule string }{
		{"DEMO-STALLED", tracking.RuleNoProgress},
		{"DEMO-LABEL", tracking.RuleLabelOnly},
	} {
		advice := tracking.Evaluate(demoSituation(t, tt.number, guidanceStart, tracking.RoleBuyer, ""), tracking.DefaultThresholds())
		if _, ok := findAdvice(advice, tt.rule); !ok {
			t.Errorf("%s tracked now: %q, want %s", tt.number, adviceSummary(advice), tt.rule)
		}
	}
	advice := tracking.Evaluate(demoSituation(t, "DEMO-NOTFOUND", guidanceStart, tracking.RoleBuyer, ""), tracking.DefaultThresholds())
	if len(advice) != 1 || advice[0].Rule != tracking.RuleNewNumberSilent || advice[0].Level != tracking.LevelInfo || advice[0].Push {
		t.Errorf("DEMO-NOTFOUND tracked today: %+v, want only the silent new_number_silent info", advice)
	}
}

func TestGuidanceMarketplaceMessages(t *testing.T) {
	for market, want := range map[string]string{
		"":                             "guidance_no_progress_14d_buyer",
		tracking.MarketplaceOther:      "guidance_no_progress_14d_buyer",
		tracking.MarketplaceAliExpress: "guidance_no_progress_14d_buyer_aliexpress",
		"AliExpress":                   "guidance_no_progress_14d_buyer_aliexpress",
		tracking.MarketplaceTemu:       "guidance_no_progress_14d_buyer_temu",
		tracking.MarketplaceShein:      "guidance_no_progress_14d_buyer_shein",
		tracking.MarketplaceEbay:       "guidance_no_progress_14d_buyer_ebay",
		tracking.MarketplaceAmazon:     "guidance_no_progress_14d_buyer_amazon",
	} {
		a, _ := findAdvice(tracking.Evaluate(demoSituation(t, "DEMO-STALLED", guidanceStart, "", market), tracking.DefaultThresholds()), tracking.RuleNoProgress)
		if a.Message != want {
			t.Errorf("%q buyer: %q, want %q", market, a.Message, want)
		}
		a, _ = findAdvice(tracking.Evaluate(demoSituation(t, "DEMO-STALLED", guidanceStart, tracking.RoleSeller, market), tracking.DefaultThresholds()), tracking.RuleNoProgress)
		if a.Message != "guidance_no_progress_14d_seller" {
			t.Errorf("%q seller: %q", market, a.Message)
		}
	}
}

func TestGuidanceDeadlines(t *testing.T) {
	at := guidanceStart.Add(-aDay)
	pickup := func(text string) tracking.Situation {
		return tracking.Situation{
			Number: "RR123456785CN", Carrier: tracking.CarrierChinaPost, Status: tracking.StatusTransit,
			Substatus: tracking.SubPickupAvailable, StatusChangedAt: at, TrackedSince: at.Add(-20 * aDay), LastEventAt: &at,
			DestinationCountry: "DE", OriginCountry: "CN", Now: guidanceStart,
			Events: []tracking.Event{{Time: at, Status: tracking.StatusTransit, Substatus: tracking.SubPickupAvailable, Description: text}},
		}
	}
	for _, tt := range []struct {
		text string
		want time.Time
	}{
		// Deutsche Post keeps 7 Werktage, Monday to Saturday, from the
		// day after Sunday 1 March: Monday 9 March.
		{"Available for pickup", at.Add(8 * aDay)},
		{"Ready for pickup until 2026-03-20", time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)},
		{"Abholbereit in der Filiale bis 18.03.2026", time.Date(2026, 3, 18, 12, 0, 0, 0, time.UTC)},
		{"Collect within 10 days", at.Add(10 * aDay)},
		{"Held until 2025-01-01", at.Add(8 * aDay)}, // a date in the past is not a deadline
	} {
		a, ok := findAdvice(tracking.Evaluate(pickup(tt.text), tracking.DefaultThresholds()), tracking.RulePickupAvailable)
		if got := a.Data.Deadline; !ok || got == nil || !got.Equal(tt.want) {
			t.Errorf("%q: deadline %v, want %v", tt.text, got, tt.want)
		}
	}
	// Reminders do not extend the storage period.
	s := pickup("Available for pickup")
	first := at.Add(-2 * aDay)
	s.Events = append([]tracking.Event{{Time: first, Status: tracking.StatusTransit, Substatus: tracking.SubPickupAvailable}}, s.Events...)
	s.StatusChangedAt = first
	a, _ := findAdvice(tracking.Evaluate(s, tracking.DefaultThresholds()), tracking.RulePickupAvailable)
	// Friday 27 February and 7 Werktage: Saturday 7 March.
	if got := a.Data.Deadline; got == nil || !got.Equal(first.Add(8*aDay)) {
		t.Errorf("after a reminder: deadline %v, want %v", got, first.Add(8*aDay))
	}

	// A notice names its own period; the attempt advice carries it.
	s = demoSituation(t, "DEMO-ATTEMPT", guidanceStart, tracking.RoleBuyer, "")
	a, _ = findAdvice(tracking.Evaluate(s, tracking.DefaultThresholds()), tracking.RuleDeliveryAttempted)
	notice := s.Events[len(s.Events)-1].Time
	if got := a.Data.Deadline; got == nil || !got.Equal(notice.Add(7*aDay)) {
		t.Errorf("DEMO-ATTEMPT deadline %v, want 7 days after %v", got, notice)
	}
}

func TestGuidanceMovedAfterDelivery(t *testing.T) {
	delivered := guidanceStart.Add(-3 * aDay)
	moved := guidanceStart.Add(-aDay)
	s := tracking.Situation{
		Number: "RR123456785CN", Carrier: tracking.CarrierChinaPost, Status: tracking.StatusTransit,
		Substatus: tracking.SubPackageProcessed, StatusChangedAt: moved, TrackedSince: delivered.Add(-10 * aDay),
		LastEventAt: &moved, OriginCountry: "CN", DestinationCountry: "US", Now: guidanceStart,
		Events: []tracking.Event{
			{Time: delivered, Status: tracking.StatusDelivered, Substatus: tracking.SubDelivered},
			{Time: moved, Status: tracking.StatusTransit, Substatus: tracking.SubPackageProcessed},
		},
	}
	if got := adviceSummary(tracking.Evaluate(s, tracking.DefaultThresholds())); !strings.Contains(got, "moved_after_delivery:warn") {
		t.Errorf("advice %q, want moved_after_delivery", got)
	}
	// Delivered again: the warning clears.
	again := guidanceStart
	s.Events = append(s.Events, tracking.Event{Time: again, Status: tracking.StatusDelivered, Substatus: tracking.SubDelivered})
	s.Status, s.Substatus, s.LastEventAt = tracking.StatusDelivered, tracking.SubDelivered, &again
	if got := adviceSummary(tracking.Evaluate(s, tracking.DefaultThresholds())); got != "delivered:info" {
		t.Errorf("delivered again: %q", got)
	}
}

// TestGuidanceLate: a parcel on the way past its expected delivery date
// is late after the Late threshold, for buyers and sellers alike; a
// parcel without an ETA, a delivered one, or one whose stall calls for
// more (no progress for two weeks) is not told it is late.
func TestGuidanceLate(t *testing.T) {
	moved := guidanceStart.Add(-aDay)
	situation := func(eta time.Time) tracking.Situation {
		return tracking.Situation{
			Number: "1Z999AA10123456784", Carrier: tracking.CarrierUPS, Status: tracking.StatusTransit,
			Substatus: tracking.SubPackageDeparted, StatusChangedAt: moved, TrackedSince: moved.Add(-5 * aDay),
			LastEventAt: &moved, ETA: &eta, OriginCountry: "US", DestinationCountry: "US", Now: guidanceStart,
			Events: []tracking.Event{{Time: moved, Status: tracking.StatusTransit, Substatus: tracking.SubPackageDeparted}},
		}
	}
	th := tracking.DefaultThresholds()
	for _, role := range []tracking.Role{tracking.RoleBuyer, tracking.RoleSeller} {
		s := situation(guidanceStart.Add(-3*aDay - time.Hour))
		s.Role = role
		a, ok := findAdvice(tracking.Evaluate(s, th), tracking.RuleLate)
		if !ok || a.Level != tracking.LevelWarn || !a.Push || a.Data.Days == nil || *a.Data.Days != 3 || a.Message != "guidance_late_"+string(role) {
			t.Errorf("%s, 3 days past the ETA: %+v (found %v), want late by 3 days", role, a, ok)
		}
	}
	s := situation(guidanceStart.Add(-aDay))
	if got := adviceSummary(tracking.Evaluate(s, th)); strings.Contains(got, "late") {
		t.Errorf("one day past the ETA: %q, want nothing late yet", got)
	}
	s = situation(guidanceStart.Add(-aDay))
	th.Late = 12 * time.Hour
	if _, ok := findAdvice(tracking.Evaluate(s, th), tracking.RuleLate); !ok {
		t.Error("the Late threshold is configurable: 12 hours should make a day past the ETA late")
	}
	th = tracking.DefaultThresholds()
	s = situation(guidanceStart.Add(-5 * aDay))
	s.ETA = nil
	if _, ok := findAdvice(tracking.Evaluate(s, th), tracking.RuleLate); ok {
		t.Error("a parcel without an ETA is late")
	}
	s = situation(guidanceStart.Add(-5 * aDay))
	s.Status, s.Substatus = tracking.StatusDelivered, tracking.SubDelivered
	if _, ok := findAdvice(tracking.Evaluate(s, th), tracking.RuleLate); ok {
		t.Error("a delivered parcel is late")
	}
	// Two weeks without a scan: the stall rule speaks, not "late".
	stalled := guidanceStart.Add(-15 * aDay)
	s = situation(guidanceStart.Add(-10 * aDay))
	s.LastEventAt, s.StatusChangedAt, s.TrackedSince = &stalled, stalled, stalled.Add(-aDay)
	s.Events[0].Time = stalled
	if got := adviceSummary(tracking.Evaluate(s, th)); !strings.Contains(got, "no_progress_14d") || strings.Contains(got, "late") {
		t.Errorf("a two-week stall past its ETA: %q, want no_progress_14d alone", got)
	}
}

func TestMissingSteps(t *testing.T) {
	s := demoSituation(t, "DEMO-DELIVERED-DE", guidanceStart, tracking.RoleBuyer, "")
	delivered, ok := findAdvice(tracking.Evaluate(s, tracking.DefaultThresholds()), tracking.RuleDelivered)
	if !ok || len(delivered.Buttons) != 1 || delivered.Buttons[0].Action != tracking.ActionMissing || delivered.Buttons[0].Label != tracking.MessageButtonMissing {
		t.Fatalf("delivered advice %+v, want an “I didn't get it” button", delivered)
	}
	// A seller hears of a missing parcel from the buyer: the same button
	// says so.
	seller := demoSituation(t, "DEMO-DELIVERED-DE", guidanceStart, tracking.RoleSeller, "")
	if d, ok := findAdvice(tracking.Evaluate(seller, tracking.DefaultThresholds()), tracking.RuleDelivered); !ok || len(d.Buttons) != 1 || d.Buttons[0].Label != tracking.MessageButtonMissingSeller {
		t.Fatalf("seller's delivered advice %+v, want a “Buyer says it didn't arrive” button", d)
	}
	for _, tt := range []struct {
		role   tracking.Role
		market string
		want   string
	}{
		{"", "", "guidance_missing_buyer"},
		{tracking.RoleBuyer, tracking.MarketplaceOther, "guidance_missing_buyer"},
		{tracking.RoleBuyer, tracking.MarketplaceAliExpress, "guidance_missing_buyer_aliexpress"},
		{tracking.RoleBuyer, tracking.MarketplaceTemu, "guidance_missing_buyer_temu"},
		{tracking.RoleBuyer, tracking.MarketplaceShein, "guidance_missing_buyer_shein"},
		{tracking.RoleBuyer, tracking.MarketplaceEbay, "guidance_missing_buyer_ebay"},
		{tracking.RoleBuyer, tracking.MarketplaceAmazon, "guidance_missing_buyer_amazon"},
		{tracking.RoleSeller, tracking.MarketplaceEbay, "guidance_missing_seller_ebay"},
		{tracking.RoleSeller, tracking.MarketplaceAliExpress, "guidance_missing_seller"},
	} {
		s.Role, s.Marketplace = tt.role, tt.market
		a := tracking.MissingSteps(s)
		if a.Rule != tracking.RuleMissing || a.Message != tt.want || a.Level != tracking.LevelAction || a.Push {
			t.Errorf("%s/%s: %+v, want %s", tt.role, tt.market, a, tt.want)
		}
		if link := a.Data.Link; !strings.Contains(link, "dhl.de") || !strings.Contains(link, "DEMO-DELIVERED-DE") {
			t.Errorf("%s/%s: link %q", tt.role, tt.market, link)
		}
	}
}

func TestRulesTable(t *testing.T) {
	want := map[string]struct {
		level    tracking.Level
		audience tracking.Audience
		push     bool
	}{
		"new_number_silent":      {tracking.LevelInfo, tracking.AudienceBoth, false},
		"no_info_7d":             {tracking.LevelWarn, tracking.AudienceBoth, true},
		"label_only":             {tracking.LevelWarn, tracking.AudienceBoth, true},
		"no_event_7d":            {tracking.LevelWarn, tracking.AudienceBoth, true},
		"no_progress_14d":        {tracking.LevelAction, tracking.AudienceBoth, true},
		"temu_no_update":         {tracking.LevelAction, tracking.AudienceBuyer, true},
		"customs_long":           {tracking.LevelWarn, tracking.AudienceBoth, true},
		"late":                   {tracking.LevelWarn, tracking.AudienceBoth, true},
		"customs_held":           {tracking.LevelAction, tracking.AudienceBoth, true},
		"returned":               {tracking.LevelAction, tracking.AudienceBoth, true},
		"delivery_attempted":     {tracking.LevelAction, tracking.AudienceBoth, true},
		"pickup_available":       {tracking.LevelAction, tracking.AudienceBoth, true},
		"claim":                  {tracking.LevelAction, tracking.AudienceBoth, true},
		"destination_post":       {tracking.LevelInfo, tracking.AudienceBoth, true},
		"origin_silent":          {tracking.LevelWarn, tracking.AudienceBoth, true},
		"partial_tracking":       {tracking.LevelAction, tracking.AudienceBoth, true},
		"moved_after_delivery":   {tracking.LevelWarn, tracking.AudienceBoth, true},
		"delivered":              {tracking.LevelInfo, tracking.AudienceBoth, true},
		"invalid_number":         {tracking.LevelAction, tracking.AudienceBoth, true},
		"customs_info_requested": {tracking.LevelAction, tracking.AudienceBoth, true},
		"refused":                {tracking.LevelAction, tracking.AudienceBoth, true},
		"cancelled":              {tracking.LevelAction, tracking.AudienceBoth, true},
		"failure":                {tracking.LevelAction, tracking.AudienceBoth, true},
		"unclaimed":              {tracking.LevelAction, tracking.AudienceBoth, true},
		"address_issue":          {tracking.LevelAction, tracking.AudienceBoth, true},
		"held_by_carrier":        {tracking.LevelAction, tracking.AudienceBoth, true},
		"contact_carrier":        {tracking.LevelAction, tracking.AudienceBoth, true},
		"protection_ending":      {tracking.LevelAction, tracking.AudienceBuyer, true},
	}
	rules := tracking.Rules()
	if len(rules) != len(want) {
		t.Errorf("%d rules, want %d", len(rules), len(want))
	}
	for _, r := range rules {
		w, ok := want[r.ID]
		if !ok {
			t.Errorf("unexpected rule %q", r.ID)
			continue
		}
		if r.Level != w.level || r.Audience != w.audience || r.Push != w.push || r.Condition == "" {
			t.Errorf("%s: %s %s push=%v %q, want %s %s push=%v", r.ID, r.Level, r.Audience, r.Push, r.Condition, w.level, w.audience, w.push)
		}
	}
	// Rules hands out copies.
	rules[0].Marketplaces = append(rules[0].Marketplaces, "x")
	rules[0].ID = "changed"
	if tracking.Rules()[0].ID == "changed" {
		t.Error("Rules exposes the playbook")
	}
	d := tracking.DefaultThresholds()
	if d.NewNumberSilent != 48*time.Hour || d.NoInfo != 7*aDay || d.LabelOnly != 10*aDay || d.NoEvent != 7*aDay ||
		d.NoProgress != 14*aDay || d.CustomsLong != 10*aDay || d.OriginSilent != 5*aDay || d.TemuNoUpdate != 7*aDay ||
		d.Late != 2*aDay || d.ProtectionLead != 3*aDay {
		t.Errorf("DefaultThresholds %+v", d)
	}
}

func TestDestinationPosts(t *testing.T) {
	posts := tracking.DestinationPosts()
	if len(posts) < 30 {
		t.Errorf("%d destination posts, want at least 30", len(posts))
	}
	for i, p := range posts {
		if i > 0 && posts[i-1].Country >= p.Country {
			t.Errorf("%s after %s: not sorted or twice", p.Country, posts[i-1].Country)
		}
		if !tracking.IsCountry(p.Country) || p.Name == "" {
			t.Errorf("%+v", p)
		}
		if !strings.HasPrefix(p.URLTemplate, "https://") || strings.Count(p.URLTemplate, "%s") != 1 || strings.Count(p.URLTemplate, "%") != 1 {
			t.Errorf("%s: template %q", p.Country, p.URLTemplate)
		}
		u, err := url.Parse(p.URL("RR123456785CN"))
		if err != nil || u.Scheme != "https" || u.Host == "" || !strings.Contains(u.String(), "RR123456785CN") {
			t.Errorf("%s: URL %v, %v", p.Country, u, err)
		}
		if got, ok := tracking.DestinationPostFor(strings.ToLower(p.Country)); !ok || got != p {
			t.Errorf("DestinationPostFor(%s) = %+v, %v", p.Country, got, ok)
		}
	}
	for cc, name := range map[string]string{"DE": "Deutsche Post DHL", "US": "USPS", "GB": "Royal Mail", "FR": "La Poste", "ES": "Correos", "IT": "Poste Italiane", "NL": "PostNL", "RU": "Russian Post", "CA": "Canada Post", "AU": "Australia Post", "BR": "Correios", "PL": "Poczta Polska"} {
		if p, ok := tracking.DestinationPostFor(cc); !ok || p.Name != name {
			t.Errorf("%s: %+v, want %s", cc, p, name)
		}
	}
	if got := tracking.DestinationPosts()[0]; got != posts[0] {
		t.Errorf("DestinationPosts is not stable")
	}
	if _, ok := tracking.DestinationPostFor("ZZ"); ok {
		t.Error("a post for ZZ")
	}
	us, _ := tracking.DestinationPostFor("US")
	if got := us.URL("A B&C"); got != "https://tools.usps.com/go/TrackConfirmAction?tLabels=A+B%26C" {
		t.Errorf("URL does not escape: %s", got)
	}
}

func TestGuidanceMessagesInEveryCatalog(t *testing.T) {
	c, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	ids := tracking.GuidanceMessageIDs()
	if len(ids) < 40 {
		t.Fatalf("only %d guidance message ids", len(ids))
	}
	for _, lang := range c.Languages() {
		have := c.MessageIDs(lang)
		for _, id := range ids {
			if !slices.Contains(have, id) {
				t.Errorf("%s: missing %q", lang, id)
			}
		}
		for _, id := range have {
			if strings.HasPrefix(id, "guidance_") && !slices.Contains(ids, id) {
				t.Errorf("%s: %q is no rule's message", lang, id)
			}
		}
	}
	for _, r := range tracking.Rules() {
		for _, id := range r.MessageIDs() {
			if !slices.Contains(ids, id) {
				t.Errorf("%s: %s not listed", r.ID, id)
			}
		}
	}
}

// TestGuidanceRendersInEveryLanguage renders every advice the demo
// scenarios give, with and without a known destination post, for every
// role and marketplace, in every language.
func TestGuidanceRendersInEveryLanguage(t *testing.T) {
	c, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	render := func(loc *locales.Localizer, id string, a tracking.Advice) {
		t.Helper()
		count, _ := a.PluralCount()
		s, err := loc.Render(id, count, a.Data.Fields())
		if err != nil || strings.TrimSpace(s) == "" || strings.Contains(s, "<no value>") {
			t.Errorf("%s %s: %q, %v", loc.Language(), id, s, err)
		}
	}
	seen := map[string]bool{}
	markets := append(tracking.Marketplaces(), "")
	for _, scenario := range demo.Scenarios() {
		for _, suffix := range []string{"", "-MX"} {
			number := "DEMO-" + scenario + suffix
			for _, at := range []time.Duration{0, 4*aDay + time.Hour, 8 * aDay, 15 * aDay} {
				for _, role := range []tracking.Role{tracking.RoleBuyer, tracking.RoleSeller} {
					for _, market := range markets {
						s := demoSituation(t, number, guidanceStart.Add(at), role, market)
						advice := append(tracking.Evaluate(s, tracking.DefaultThresholds()), tracking.MissingSteps(s))
						for _, a := range advice {
							seen[a.Message] = true
							for _, lang := range c.Languages() {
								loc := c.Localizer(lang)
								render(loc, a.Message, a)
								for _, l := range a.Links {
									render(loc, l.Label, a)
								}
								for _, b := range a.Buttons {
									render(loc, b.Label, a)
								}
							}
						}
					}
				}
			}
		}
	}
	if len(seen) < 20 {
		t.Errorf("the demo scenarios reach only %d messages", len(seen))
	}
}
