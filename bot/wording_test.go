package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
)

// TestDatesAndDemoTextsSpeakTheChatsLanguage: dates read as each language
// writes them (its month names and order), and the demo carrier's name and
// event texts are translated, not English everywhere.
func TestDatesAndDemoTextsSpeakTheChatsLanguage(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	h := newHarness(t, s)
	for i, tc := range []struct {
		lang, deadline, eventDate, event, carrier string
	}{
		{"en", "15 Nov 2026", "31 Oct 2026 09:00", "Available for pickup at the post office until the storage period ends", "Demo Carrier"},
		{"de", "15. Nov. 2026", "31. Okt. 2026 09:00", "Zur Abholung in der Postfiliale bereit, bis die Lagerfrist endet", "Demo-Paketdienst"},
		{"es", "15 nov 2026", "31 oct 2026 09:00", "Disponible para recoger en la oficina de correos hasta que termine el plazo de custodia", "Transportista de demostración"},
		{"fr", "15 nov. 2026", "31 oct. 2026 09:00", "Disponible au bureau de poste jusqu'à la fin du délai de garde", "Transporteur de démonstration"},
		{"ru", "15 нояб. 2026", "31 окт. 2026 09:00", "Ожидает получения в почтовом отделении до конца срока хранения", "Демо-перевозчик"},
		{"zh", "2026年11月15日", "2026年10月31日 09:00", "已到邮局，可在保管期结束前领取", "演示承运商"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			chat := bot.ChatRef{Platform: bot.Telegram, ID: "31" + string(rune('0'+i)), Kind: bot.Private}
			card := render(h.say(chat, tc.lang, "/track DEMO-PICKUP"))
			for _, want := range []string{tc.deadline, tc.eventDate, tc.event, tc.carrier} {
				if !strings.Contains(card, want) {
					t.Errorf("card lacks %q:\n%s", want, card)
				}
			}
			if strings.Contains(card, "2026-1") {
				t.Errorf("card has an ISO date:\n%s", card)
			}
		})
	}
}

// TestNoDemoTextIsLeftInEnglish tracks every demo scenario in German and
// checks that none of the demo carrier's English texts reaches the chat.
func TestNoDemoTextIsLeftInEnglish(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	h := newHarness(t, s)
	p := demo.New(0, h.clock)
	chat := bot.ChatRef{Platform: bot.Telegram, ID: "4001", Kind: bot.Private}
	for _, sc := range demo.Scenarios() {
		number := "DEMO-" + sc
		res, err := p.Lookup(context.Background(), tracking.Query{Number: number, TrackedSince: h.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		card := render(h.say(chat, "de", "/track "+number))
		for _, e := range res.Events {
			if strings.Contains(card, e.Description) {
				t.Errorf("%s: the German card shows the English %q", number, e.Description)
			}
		}
		if strings.Contains(card, "Demo Carrier") {
			t.Errorf("%s: the German card names the Demo Carrier in English", number)
		}
	}
}

// TestMissingButtonSpeaksToTheRole: a seller hears of a missing parcel from
// the buyer, so the delivered card's button and the advice that names it
// say so; a buyer's read "I didn't get it". Advice quotes the button as it
// reads.
func TestMissingButtonSpeaksToTheRole(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	h := newHarness(t, s)
	for i, tc := range []struct {
		lang, role, button, notButton string
	}{
		{"en", "buyer", "I didn't get it", "Buyer says it didn't arrive"},
		{"en", "seller", "Buyer says it didn't arrive", "I didn't get it"},
		{"de", "buyer", "Nicht angekommen", "Nicht bekommen"},
		{"ru", "seller", "Покупатель не получил", "Я не получил"},
		{"es", "buyer", "No me ha llegado", "No lo he recibido"},
	} {
		t.Run(tc.lang+"/"+tc.role, func(t *testing.T) {
			chat := bot.ChatRef{Platform: bot.Telegram, ID: "50" + string(rune('0'+i)), Kind: bot.Private}
			h.say(chat, tc.lang, "/role "+tc.role)
			card := render(h.say(chat, tc.lang, "/track DEMO-DELIVERED"))
			if !strings.Contains(card, "["+tc.button+"] -> missing:") {
				t.Errorf("card lacks the button %q:\n%s", tc.button, card)
			}
			if strings.Count(card, tc.button) < 2 {
				t.Errorf("the delivered advice does not quote the button %q:\n%s", tc.button, card)
			}
			if strings.Contains(card, tc.notButton) {
				t.Errorf("card says %q:\n%s", tc.notButton, card)
			}
		})
	}
}

// TestOtherShopPromisesNoShopRules: "another shop" has no rules of its own
// for the advice to follow.
func TestOtherShopPromisesNoShopRules(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	h := newHarness(t, s)
	for i, tc := range []struct{ lang, want, not string }{
		{"en", "bought in another shop; my advice will give general steps", "that shop's rules"},
		{"de", "in einem anderen Shop gekauft", "Regeln dieses Shops"},
		{"ru", "на другой площадке", "правила этой площадки"},
	} {
		chat := bot.ChatRef{Platform: bot.Telegram, ID: "60" + string(rune('0'+i)), Kind: bot.Private}
		h.say(chat, tc.lang, "/track DEMO-STALLED")
		got := render(h.say(chat, tc.lang, "/shop DEMO-STALLED other"))
		if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
			t.Errorf("%s: /shop other says %q", tc.lang, got)
		}
		if got := render(h.say(chat, tc.lang, "/shop DEMO-STALLED ebay")); !strings.Contains(got, "eBay") {
			t.Errorf("%s: /shop ebay says %q", tc.lang, got)
		}
	}
}
