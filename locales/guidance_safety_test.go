package locales_test

import (
	"os"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// scamWarning is, per language, the words every customs-fee message uses to
// say never to pay through a link in an unexpected SMS or e-mail: fake
// customs-fee messages are the most common parcel scam (Royal Mail: "we will
// never call you and ask for payment over the phone",
// https://personal.help.royalmail.com/app/answers/detail/a_id/143).
var scamWarning = map[string]string{
	"en": "link in an SMS or e-mail",
	"de": "Link in einer SMS oder E-Mail",
	"es": "enlace en un SMS o e-mail",
	"fr": "lien reçu par SMS ou e-mail",
	"ru": "по ссылке из SMS или e-mail",
	"zh": "短信或邮件中的链接",
}

// customsFeeMessages are the guidance messages that speak of paying customs
// charges: the fee held at customs, and the long customs stay that asks
// the reader to look for a fee notice.
var customsFeeMessages = []string{
	"guidance_customs_held_buyer", "guidance_customs_held_seller",
	"guidance_customs_long_buyer", "guidance_customs_long_seller",
}

// TestCustomsFeeMessagesAreSafe reads all six guidance catalogs as written:
// no customs-fee message puts a tracking page ({{.Link}}) where the reader
// pays — only the post's own fee page ({{.PayLink}}) may be linked — and
// every plural form of every customs-fee message carries the scam warning.
func TestCustomsFeeMessagesAreSafe(t *testing.T) {
	for lang, warning := range scamWarning {
		raw, err := os.ReadFile("guidance." + lang + ".toml")
		if err != nil {
			t.Fatal(err)
		}
		var catalog map[string]any
		if err := toml.Unmarshal(raw, &catalog); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for _, id := range customsFeeMessages {
			forms := map[string]string{}
			switch m := catalog[id].(type) {
			case string:
				forms["other"] = m
			case map[string]any:
				for form, v := range m {
					s, _ := v.(string)
					forms[form] = s
				}
			default:
				t.Errorf("%s: %s missing", lang, id)
				continue
			}
			for form, text := range forms {
				if strings.Contains(text, "{{.Link}}") || strings.Contains(text, ".Link}}") {
					t.Errorf("%s %s/%s links a tracking page: %q", lang, id, form, text)
				}
				if !strings.Contains(text, warning) {
					t.Errorf("%s %s/%s lacks the scam warning %q: %q", lang, id, form, warning, text)
				}
			}
		}
		// The label of the fee page's link names paying, and the
		// tracking link's label never does.
		if l, _ := catalog["guidance_link_post"].(string); strings.Contains(strings.ToLower(l), "pay") {
			t.Errorf("%s: tracking link label %q speaks of paying", lang, l)
		}
	}
}
