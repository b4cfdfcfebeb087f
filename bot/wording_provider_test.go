package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// TestWordingOfARealCarriersParcel replays issue 13's wording finding with
// a parcel a carrier answers for, not the demo carrier: its dates read as
// the chat's language writes them (never ISO), and a seller's delivered
// button speaks for the seller while a buyer's speaks for the buyer.
func TestWordingOfARealCarriersParcel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fake := trackingtest.NewProvider("fake")
		h := newHarness(t, s, func(reg *tracking.Registry) { reg.AddCarrier(fake, "china-post") })
		number := s10(4242)
		fake.Set(number, tracking.Result{Number: number, Carrier: "china-post", Events: []tracking.Event{
			{Time: t0.Add(-96 * time.Hour), Substatus: tracking.SubPackageAccepted, Description: "Acceptance",
				Location: tracking.Location{City: "Shenzhen", Country: "CN"}},
			{Time: t0.Add(-2 * time.Hour), Substatus: tracking.SubDelivered, Description: "Delivered",
				Location: tracking.Location{City: "Berlin", Country: "DE"}},
		}})
		for i, tc := range []struct {
			lang, role, day, button, notButton string
		}{
			{"en", "buyer", "29 Oct 2026", "I didn't get it", "Buyer says it didn't arrive"},
			{"de", "seller", "29. Okt. 2026", "Käufer: nicht angekommen", "[Nicht angekommen]"},
			{"fr", "buyer", "29 oct. 2026", "", ""},
		} {
			chat := bot.ChatRef{Platform: bot.Telegram, ID: "71" + string(rune('0'+i)), Kind: bot.Private}
			h.say(chat, tc.lang, "/role "+tc.role)
			card := render(h.say(chat, tc.lang, "/track "+number))
			if !strings.Contains(card, tc.day) {
				t.Errorf("%s: the card lacks the day %q:\n%s", tc.lang, tc.day, card)
			}
			if strings.Contains(card, "2026-10-") || strings.Contains(card, "2026-11-") {
				t.Errorf("%s: the card has an ISO date:\n%s", tc.lang, card)
			}
			if tc.button != "" && !strings.Contains(card, "["+tc.button+"] -> missing:") {
				t.Errorf("%s %s: the card lacks the button %q:\n%s", tc.lang, tc.role, tc.button, card)
			}
			if tc.notButton != "" && strings.Contains(card, tc.notButton) {
				t.Errorf("%s %s: the card says %q:\n%s", tc.lang, tc.role, tc.notButton, card)
			}
		}
	})
}
