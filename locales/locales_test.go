package locales_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/trackbot/trackbot/locales"
)

// sampleData fills every template variable any message uses.
var sampleData = map[string]any{
	"Number": "RR123456785CN", "Label": "Blue jacket", "Carrier": "China Post", "Status": "In transit",
	"Days": 3, "Count": 2, "Date": "2026-11-21 10:00", "Place": "Frankfurt, DE", "Link": "https://example.com/t/RR123456785CN",
	"Post": "Deutsche Post", "NewNumber": "00340434292135100124", "Zone": "Europe/Berlin", "Lang": "de",
	"From": "22", "To": "07", "Shop": "AliExpress", "Role": "seller", "Order": "#42", "Max": 200, "Limit": 64,
	"Carriers": "usps, ups", "Deadline": "2026-11-30", "Rule": "stalled_14d", "Hour": 9,
	"Level": "every new scan", "Statuses": "Out for delivery, In customs",
	"Numbers": "RR123456785CN, 1Z999AA10123456784", "Total": 210, "Command": "info", "Given": "22:30",
	"URL": "https://bot.example/webhooks/orders/abc", "Secret": "9f86d081884c7d659a2feaa0c55ad015",
	"PayLink": "https://www.royalmail.com/receiving-mail/pay-a-fee", "HoldDays": 21, "VAT": "GB",
	"Line": 12, "Name": "orders.csv", "Path": "/home/me/trackbot.csv", "Reason": "permission denied",
	"Day": 3, "Month": "Dec", "Year": 2026,
	"Filter": "customs", "Filters": "attention, late, customs", "Page": 2, "Pages": 20, "Shown": 15, "Text": "1001",
	"Logo":   "https://shop.example.com/logo.png",
	"Parcel": "UPS 1Z999AA10123456784", "Country": "Germany",
}

func TestEveryCatalogHasEveryKey(t *testing.T) {
	c, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"de", "en", "es", "fr", "ru", "zh"}
	if got := c.Languages(); !slices.Equal(got, want) {
		t.Fatalf("languages %v, want %v", got, want)
	}
	en := c.MessageIDs("en")
	if len(en) == 0 {
		t.Fatal("English catalog is empty")
	}
	for _, lang := range want {
		ids := c.MessageIDs(lang)
		for _, id := range en {
			if !slices.Contains(ids, id) {
				t.Errorf("%s: missing %q", lang, id)
			}
		}
		for _, id := range ids {
			if !slices.Contains(en, id) {
				t.Errorf("%s: %q is not in the English catalog", lang, id)
			}
		}
	}
}

func TestEveryMessageRenders(t *testing.T) {
	c, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range c.Languages() {
		loc := c.Localizer(lang)
		for _, id := range c.MessageIDs(lang) {
			for _, count := range []int{1, 2, 5, 21} {
				s, err := loc.Render(id, count, sampleData)
				if err != nil {
					t.Errorf("%s %s (%d): %v", lang, id, count, err)
					continue
				}
				if strings.TrimSpace(s) == "" || strings.Contains(s, "<no value>") {
					t.Errorf("%s %s (%d): renders %q", lang, id, count, s)
				}
			}
		}
	}
}

func TestLanguageMatching(t *testing.T) {
	c, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for hint, want := range map[string]string{"de-AT": "de", "ru": "ru", "zh-hans": "zh", "pt-BR": "en", "": "en", "fr_CA.UTF-8": "fr"} {
		if got := c.Localizer(hint).Language(); got != want {
			t.Errorf("Localizer(%q) speaks %q, want %q", hint, got, want)
		}
	}
	de, err := locales.Load("de")
	if err != nil {
		t.Fatal(err)
	}
	if got := de.Localizer("pt").Language(); got != "de" {
		t.Errorf("with DEFAULT_LANGUAGE=de an unknown language falls back to %q", got)
	}
}

func TestCountedRenderingOfAMessageWithoutPluralForms(t *testing.T) {
	c, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "ru"} {
		if got := c.Localizer(lang).N("unknown", 1, nil); got == "unknown" || got == "" {
			t.Errorf("%s: N on a message without plural forms gave %q", lang, got)
		}
	}
}

// TestButtonsArePressedNotTapped: the same messages reach the console
// (a typed number), Slack on a desktop (a click) and Telegram; a message
// asks to press a button with the verb its language uses for every
// button, never a touch screen's own ("tap", "touchez", "toca").
func TestButtonsArePressedNotTapped(t *testing.T) {
	c, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	touchOnly := map[string]*regexp.Regexp{
		"en": regexp.MustCompile(`(?i)\btap\b`),
		"fr": regexp.MustCompile(`(?i)\btouche[zr]?\b`),
		"es": regexp.MustCompile(`(?i)\btoca\b`),
		// "Ich tippe auf DHL" is a guess, not a touch: only a button's
		// name after it is one.
		"de": regexp.MustCompile(`(?i)\btipp(e|en)? auf (Start|„)`),
	}
	for lang, verb := range touchOnly {
		loc := c.Localizer(lang)
		for _, id := range c.MessageIDs(lang) {
			s, err := loc.Render(id, 2, sampleData)
			if err == nil && verb.MatchString(s) {
				t.Errorf("%s %s asks to %q a button: %s", lang, id, verb.FindString(s), s)
			}
		}
	}
}

// TestOneWordForAParcelsName: a chat's own name for a parcel (its label)
// is one word throughout a language, so that the help, the bulk import's
// reasons and the Share button speak of the same thing ("название", not
// also "метка"; "名称", not also "标签").
func TestOneWordForAParcelsName(t *testing.T) {
	c, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	other := map[string]*regexp.Regexp{
		"ru": regexp.MustCompile(`(?i)(^|[^\p{L}])метк`),
		"zh": regexp.MustCompile(`标签`),
	}
	for lang, word := range other {
		loc := c.Localizer(lang)
		for _, id := range c.MessageIDs(lang) {
			s, err := loc.Render(id, 2, sampleData)
			if err == nil && word.MatchString(s) {
				t.Errorf("%s %s calls a parcel's name %q: %s", lang, id, word.FindString(s), s)
			}
		}
	}
}

// TestThePagesCheckTimeIsNotTheCardsLastUpdate: a card's "last update" is
// the parcel's newest event; the tracking page's time is when trackbot
// last checked it. Two different times get two different names, or a
// parcel silent for 11 days reads "last update 11 days ago" in the chat
// and "last updated today" on its page.
func TestThePagesCheckTimeIsNotTheCardsLastUpdate(t *testing.T) {
	c, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range c.Languages() {
		loc := c.Localizer(lang)
		card := strings.ToLower(loc.T("card_status", sampleData))
		page := strings.ToLower(loc.T("page_updated", nil))
		for _, word := range strings.FieldsFunc(page, func(r rune) bool { return !unicode.IsLetter(r) }) {
			// A word's stem, so that "updated" meets "update".
			if stem := []rune(word); len(stem) >= 4 && (len(stem) >= 5 || unicode.Is(unicode.Han, stem[0])) &&
				strings.Contains(card, string(stem[:min(len(stem), 5)])) {
				t.Errorf("%s: the page's check time %q reads as the card's last event (%q)", lang, page, card)
			}
		}
	}
}
