package tracking

import (
	"regexp"
	"slices"
)

// CarrierForCompany chooses the carrier of a number that a shop sends with
// the name of its shipping company (Shopify's tracking_company, a generic
// order hook's carrier): "UPS", "DHL Express", "Japan Post (EN)". Names are
// read through the one table of carrier names (FindCarriers); a note in
// brackets, as Shopify writes some ("(EN)", "(ePacket)"), is dropped. A
// name that stands for several carriers ("DHL") takes the one the number's
// format points to, else the first; a name trackbot does not know, or none,
// leaves the choice to the number's detection. It returns "" when neither
// tells: an aggregator may still know the number.
func CarrierForCompany(company, number string) string {
	d := Detect(number)
	ids := FindCarriers(company)
	if len(ids) == 0 {
		ids = FindCarriers(bracketNote.ReplaceAllString(company, ""))
	}
	for _, c := range d.Candidates {
		if len(ids) == 0 || slices.Contains(ids, c.Carrier) {
			return c.Carrier
		}
	}
	if len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// bracketNote is a bracketed note after a company's name.
var bracketNote = regexp.MustCompile(`\s*\([^)]*\)\s*$`)
