package bot_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// TestCardsNameTheExceptionSubstatuses: a card of a parcel in each
// exception that needs its own action names that sub-status in the chat's
// language, in all six.
func TestCardsNameTheExceptionSubstatuses(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	fake := trackingtest.NewProvider("fake")
	h := newHarness(t, s, func(reg *tracking.Registry) { reg.AddCarrier(fake, "ups") })
	cases := []struct {
		sub  tracking.Substatus
		text string
	}{
		{tracking.SubCustomsInfoRequested, "Held at customs: commercial invoice required"},
		{tracking.SubRefused, "Delivery refused by the recipient"},
		{tracking.SubCancelled, "Shipment cancelled by the sender"},
		{tracking.SubPackageUnclaimed, "Not collected from the pickup point"},
		{tracking.SubPackageHeld, "Held at depot"},
		{tracking.SubAddressIssue, "Address incomplete"},
		{tracking.SubInvalidNumber, ""}, // no event: only the provider's summary
	}
	numbers := make([]string, len(cases))
	for i, c := range cases {
		number := upsNumber(t, i)
		numbers[i] = number
		res := tracking.Result{Number: number, Carrier: "ups", Status: c.sub.Parent(), Substatus: c.sub}
		if c.text != "" {
			res.Events = []tracking.Event{{Time: t0.Add(-2 * 24 * time.Hour), Status: c.sub.Parent(), Substatus: c.sub,
				Description: c.text, Location: tracking.Location{City: "Louisville", Country: "US"}}}
		}
		fake.Set(number, res)
	}
	for _, lang := range h.cat.Languages() {
		for i, c := range cases {
			chat := privateChat
			chat.ID = "sub-" + lang
			card := render(h.say(chat, lang, "/track "+numbers[i]))
			name := h.cat.Localizer(lang).T("sub_"+string(c.sub), nil)
			if name == "sub_"+string(c.sub) || strings.TrimSpace(name) == "" {
				t.Errorf("%s: no name for %s", lang, c.sub)
				continue
			}
			if !strings.Contains(card, name) {
				t.Errorf("%s %s: the card lacks %q:\n%s", lang, c.sub, name, card)
			}
		}
	}
	if got := len(h.cat.Languages()); got != 6 {
		t.Errorf("%d languages, want 6", got)
	}
}

// upsNumber returns the i-th of a series of UPS numbers with a valid
// check digit.
func upsNumber(t *testing.T, i int) string {
	t.Helper()
	for d := 0; d < 10; d++ {
		n := fmt.Sprintf("1Z999AA1%09d%d", 1000+i, d)
		if det := tracking.Detect(n); det.Reason == "" && len(det.Candidates) > 0 && det.Candidates[0].Carrier == "ups" {
			return n
		}
	}
	t.Fatalf("no UPS number for %d", i)
	return ""
}

// TestInvalidNumberAdviceAsksForTheRightNumber: a number the provider calls
// invalid gets advice to find the right number (from the seller, or on the
// label for a seller), never "nothing to do yet"; in every language.
func TestInvalidNumberAdviceAsksForTheRightNumber(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	fake := trackingtest.NewProvider("fake")
	h := newHarness(t, s, func(reg *tracking.Registry) { reg.AddCarrier(fake, "ups") })
	number := upsNumber(t, 0)
	fake.Set(number, tracking.Result{Number: number, Carrier: "ups", Status: tracking.StatusUnknown, Substatus: tracking.SubInvalidNumber})
	for _, lang := range h.cat.Languages() {
		loc := h.cat.Localizer(lang)
		data := map[string]any{"Number": number}
		for _, role := range []tracking.Role{tracking.RoleBuyer, tracking.RoleSeller} {
			chat := privateChat
			chat.ID = "invalid-" + lang + "-" + string(role)
			h.say(chat, lang, "/role "+string(role))
			card := render(h.say(chat, lang, "/track "+number))
			want := loc.T("guidance_invalid_number_"+string(role), data)
			silent := loc.T("guidance_new_number_silent_"+string(role), data)
			if !strings.Contains(card, want) {
				t.Errorf("%s %s: the card lacks %q:\n%s", lang, role, want, card)
			}
			if strings.Contains(card, silent) || strings.Contains(card, loc.T("no_events_yet_long", nil)) {
				t.Errorf("%s %s: the card says there is nothing to do yet:\n%s", lang, role, card)
			}
		}
	}
	// The English advice says what to do, by role.
	en := h.cat.Localizer("en")
	if b := en.T("guidance_invalid_number_buyer", nil); !strings.Contains(b, "Ask the seller for the right tracking number") {
		t.Errorf("buyer advice: %q", b)
	}
	if s := en.T("guidance_invalid_number_seller", nil); !strings.Contains(s, "Check the number on the shipping label") {
		t.Errorf("seller advice: %q", s)
	}
}

// TestEverySubstatusHasANameInEveryLanguage: a card can name every
// sub-status of the model, in every catalog.
func TestEverySubstatusHasANameInEveryLanguage(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	for _, lang := range h.cat.Languages() {
		ids := h.cat.MessageIDs(lang)
		for _, sub := range tracking.Substatuses() {
			if !slices.Contains(ids, "sub_"+string(sub)) {
				t.Errorf("%s: no name for %s", lang, sub)
			}
		}
	}
}
