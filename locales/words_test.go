package locales_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// parcelWords: the one word each language uses for the parcel a chat
// follows, and its rival, the synonym that crept in from another writer
// ("Sendung" beside "Paket", "envío" beside "paquete"). A rival may stay
// only inside the phrases listed in allowed, where it names something
// else: the tracking number ("Sendungsnummer"), shipping as an act
// ("etiqueta de envío"), a country of dispatch ("страна отправления") or a
// marketplace's own button quoted verbatim.
var parcelWords = map[string]struct {
	word    string
	rival   *regexp.Regexp
	allowed []string
}{
	"en": {"parcel", regexp.MustCompile(`(?i)\b(shipment|package)s?\b`), []string{"“package not received”"}},
	"de": {"Paket", regexp.MustCompile(`(?i)(^|[^\p{L}])sendung`), []string{
		"Sendungsnummer", "Sendungsverfolgung", "Sendungsverlauf"}},
	"es": {"paquete", regexp.MustCompile(`(?i)(^|[^\p{L}])env[íi]os?([^\p{L}]|$)`), []string{
		"de envío", "agente de envíos", "nuevo envío", "un envío con seguimiento", "el envío de vuelta", "cada envío"}},
	"fr": {"colis", regexp.MustCompile(`(?i)(^|[^\p{L}])envois?([^\p{L}]|$)`), []string{
		"adresse d'envoi", "nouvel envoi", "un envoi suivi"}},
	"ru": {"посылка", regexp.MustCompile(`(?i)(^|[^\p{L}])отправлени`), []string{
		"страны отправления", "страну отправления"}},
	"zh": {"包裹", regexp.MustCompile(`快件|货件`), nil},
}

// TestOneWordForAParcel: the help, /list, the menu, the export, the
// tracking page and the advice all call the parcel by the same word.
func TestOneWordForAParcel(t *testing.T) {
	catalogs := rawCatalogs(t)
	for lang, w := range parcelWords {
		if catalogs[lang] == nil {
			t.Fatalf("no %s catalog", lang)
		}
		used := false
		for id, texts := range catalogs[lang] {
			for _, s := range texts {
				used = used || strings.Contains(strings.ToLower(s), strings.ToLower(w.word))
				rest := s
				for _, a := range w.allowed {
					rest = strings.ReplaceAll(rest, a, "")
					rest = strings.ReplaceAll(rest, upperFirst(a), "")
				}
				if m := w.rival.FindString(rest); m != "" {
					t.Errorf("%s %s calls the parcel %q, not %q: %s", lang, id, strings.TrimFunc(m, notLetter), w.word, s)
				}
			}
		}
		if !used {
			t.Errorf("%s never says %q: the table names the wrong word", lang, w.word)
		}
	}
}

// stepIsStatus: a tracking page's progress step and the status or
// sub-status it stands for, which the chat and the alerts show. The step
// may be shorter ("Pris en charge" for "Pris en charge par le
// transporteur") but not another word or another form ("Вручена" for
// "Доставлено").
var stepIsStatus = map[string]string{
	"page_step_label":            "status_PRE_TRANSIT",
	"page_step_accepted":         "sub_package_accepted",
	"page_step_transit":          "status_TRANSIT",
	"page_step_out_for_delivery": "sub_outfordelivery",
	"page_step_delivered":        "status_DELIVERED",
}

func TestTheTrackingPageNamesStatusesAsTheChatDoes(t *testing.T) {
	catalogs := rawCatalogs(t)
	for lang, c := range catalogs {
		for step, status := range stepIsStatus {
			if len(c[step]) != 1 || len(c[status]) != 1 {
				t.Fatalf("%s: %s or %s is missing", lang, step, status)
			}
			if s, name := c[step][0], c[status][0]; !strings.Contains(strings.ToLower(name), strings.ToLower(s)) {
				t.Errorf("%s: the page's step %s %q is not the chat's %s %q", lang, step, s, status, name)
			}
		}
	}
}

// russianFeminineParticiple: a short passive participle in the feminine
// ("Вручена", "Принята", "Передана"), the form a status takes when it
// agrees with "посылка" left unsaid.
var russianFeminineParticiple = regexp.MustCompile(`^\p{L}+(ена|ана|яна|ята|ыта|ута)$`)

// TestRussianStatusesAreImpersonal: Russian names a status in the neuter,
// impersonal form of the status table ("Доставлено", "Возвращено
// отправителю"), in the chat, the alerts, the page and the demo's events
// alike. A feminine participle is right only with its own subject said
// ("Создана накладная").
func TestRussianStatusesAreImpersonal(t *testing.T) {
	ru := rawCatalogs(t)["ru"]
	subjects := map[string]bool{"накладная": true, "посылка": true}
	for id, texts := range ru {
		if !strings.HasPrefix(id, "status_") && !strings.HasPrefix(id, "sub_") && !strings.HasPrefix(id, "page_") &&
			!strings.HasPrefix(id, "demo_event_") && !strings.HasPrefix(id, "card_") && !strings.HasPrefix(id, "push_") {
			continue
		}
		for _, s := range texts {
			words := strings.FieldsFunc(strings.ToLower(s), notLetter)
			if len(words) == 0 || !russianFeminineParticiple.MatchString(words[0]) {
				continue
			}
			if len(words) > 1 && subjects[words[1]] {
				continue
			}
			t.Errorf("ru %s names a status in the feminine (%q), not as the status table does: %s", id, words[0], s)
		}
	}
	for _, id := range []string{"status_DELIVERED", "status_RETURNED", "page_step_delivered", "page_step_accepted"} {
		if w := strings.FieldsFunc(ru[id][0], notLetter); len(w) == 0 || !strings.HasSuffix(w[0], "о") {
			t.Errorf("ru %s is not in the neuter: %q", id, ru[id][0])
		}
	}
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) }

func upperFirst(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
