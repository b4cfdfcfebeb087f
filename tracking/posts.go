package tracking

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// DestinationPost is the postal operator that delivers in a country and the
// public page where anyone can track a parcel on its site. Once a parcel has
// crossed the border, that page is often the only one that still has news:
// many origin carriers stop reporting, and the post gives the parcel a new
// local number or tracks the UPU S10 number it arrived with.
type DestinationPost struct {
	// Country is the ISO 3166-1 alpha-2 code of the country the post
	// delivers in.
	Country string
	// Name is the operator's name as its customers know it.
	Name string
	// URLTemplate is the tracking page with one %s where the number goes.
	URLTemplate string
}

// URL returns the post's tracking page for number, query-escaped.
func (p DestinationPost) URL(number string) string {
	return strings.Replace(p.URLTemplate, "%s", url.QueryEscape(strings.TrimSpace(number)), 1)
}

// destinationPosts holds the national posts by country. The templates are
// the deep links the operators' own tracking pages answer to, so the link a
// chat receives opens the parcel, not a search form.
var destinationPosts = []DestinationPost{
	{"AT", "Österreichische Post", "https://www.post.at/s/sendungsdetails?snr=%s"},
	{"AU", "Australia Post", "https://auspost.com.au/mypost/track/#/details/%s"},
	{"BE", "bpost", "https://track.bpost.cloud/btr/web/#/search?itemCode=%s"},
	{"BR", "Correios", "https://rastreamento.correios.com.br/app/index.php?objetos=%s"},
	{"CA", "Canada Post", "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor=%s"},
	{"CH", "Swiss Post", "https://service.post.ch/ekp-web/ui/entry/search/%s"},
	{"CZ", "Česká pošta", "https://www.postaonline.cz/trackandtrace/-/zasilka/cislo?parcelNumbers=%s"},
	{"DE", "Deutsche Post DHL", "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=%s"},
	{"DK", "PostNord", "https://tracking.postnord.com/dk/?id=%s"},
	{"EE", "Omniva", "https://www.omniva.ee/private/track-and-trace?barcode=%s"},
	{"ES", "Correos", "https://www.correos.es/es/es/herramientas/localizador/envios/detalle?tracking-number=%s"},
	{"FI", "Posti", "https://www.posti.fi/fi/seuranta#/lahetys/%s"},
	{"FR", "La Poste", "https://www.laposte.fr/outils/suivre-vos-envois?code=%s"},
	{"GB", "Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/%s"},
	{"GR", "ELTA", "https://itemsearch.elta.gr/en-GB/Query/Direct/%s"},
	{"HU", "Magyar Posta", "https://www.posta.hu/nyomkovetes/nyitooldal?searchvalue=%s"},
	{"IE", "An Post", "https://www.anpost.com/Post-Parcels/Track/History?item=%s"},
	{"IL", "Israel Post", "https://israelpost.co.il/en/itemtrace?itemcode=%s"},
	{"IT", "Poste Italiane", "https://www.poste.it/cerca/index.html#/risultati-spedizioni/%s"},
	{"JP", "Japan Post", "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1=%s&locale=en"},
	{"KR", "Korea Post", "https://service.epost.go.kr/trace.RetrieveEmsRigiTraceList.comm?POST_CODE=%s"},
	{"LT", "Lietuvos paštas", "https://www.post.lt/siuntu-sekimas?parcels=%s"},
	{"NL", "PostNL", "https://postnl.nl/tracktrace/?B=%s&D=NL&T=C"},
	{"NO", "Posten", "https://sporing.posten.no/sporing/%s"},
	{"NZ", "NZ Post", "https://www.nzpost.co.nz/tools/tracking/item/%s"},
	{"PL", "Poczta Polska", "https://emonitoring.poczta-polska.pl/?numer=%s"},
	{"PT", "CTT", "https://www.ctt.pt/feapl_2/app/open/objectSearch/objectSearch.jspx?objects=%s"},
	{"RU", "Russian Post", "https://www.pochta.ru/tracking?barcode=%s"},
	{"SE", "PostNord", "https://www.postnord.se/en/our-tools/track-and-trace?shipmentId=%s"},
	{"SK", "Slovenská pošta", "https://tandt.posta.sk/zasielky/%s"},
	{"TH", "Thailand Post", "https://track.thailandpost.co.th/?trackNumber=%s"},
	{"TR", "PTT", "https://gonderitakip.ptt.gov.tr/Track/Verify?q=%s"},
	{"UA", "Ukrposhta", "https://track.ukrposhta.ua/tracking_UA.html?barcode=%s"},
	{"US", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels=%s"},
}

// DestinationPostFor returns the post that delivers in an ISO 3166-1
// alpha-2 country; ok is false for a country trackbot has no post for.
func DestinationPostFor(country string) (DestinationPost, bool) {
	cc := strings.ToUpper(strings.TrimSpace(country))
	i, found := slices.BinarySearchFunc(destinationPosts, cc, func(p DestinationPost, cc string) int {
		return strings.Compare(p.Country, cc)
	})
	if !found {
		return DestinationPost{}, false
	}
	return destinationPosts[i], true
}

// DestinationPosts lists every destination post trackbot knows, sorted by
// country.
func DestinationPosts() []DestinationPost { return slices.Clone(destinationPosts) }

// LastMileCarrier is a courier or post that carries the last leg of a
// parcel in its country: the carrier whose name and page the advice gives
// once the parcel has been handed over to it, instead of the national post.
type LastMileCarrier struct {
	// ID is trackbot's carrier id for it.
	ID string
	// Name is the carrier's name as its customers know it.
	Name string
	// URLTemplate is its public tracking page with one %s where the
	// number goes.
	URLTemplate string
	// aliases are the carrier ids the providers hand out for it (AfterShip
	// reports a carrier trackbot has no id for as "aftership-" and its
	// courier slug, see tracking/providers/aftership/carriers.go).
	aliases []string
}

// URL returns the carrier's tracking page for number, query-escaped.
func (c LastMileCarrier) URL(number string) string {
	return strings.Replace(c.URLTemplate, "%s", url.QueryEscape(strings.TrimSpace(number)), 1)
}

// lastMileCarriers are the main couriers that take over cross-border parcels
// in the destination countries besides the posts of destinationPosts (a post
// carrying the last leg is found there by its country). The templates are
// the carriers' own public tracking pages; the slugs are AfterShip's courier
// list (https://www.aftership.com/couriers).
var lastMileCarriers = []LastMileCarrier{
	{"colissimo", "Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code=%s", []string{"aftership-colissimo", "aftership-la-poste-colissimo"}},
	{"dpd", "DPD", "https://tracking.dpd.de/status/en_US/parcel/%s", []string{"aftership-dpd", "aftership-dpd-de", "aftership-dpd-fr", "aftership-dpd-poland", "aftership-dpd-nl", "aftership-dpd-be", "aftership-dpd-at"}},
	{"dpd-uk", "DPD", "https://track.dpd.co.uk/parcels/%s", []string{"aftership-dpd-uk"}},
	{"evri", "Evri", "https://www.evri.com/track/parcel/%s", []string{"aftership-evri", "aftership-hermes"}},
	{"gls", "GLS", "https://gls-group.com/GROUP/en/parcel-tracking?match=%s", []string{"aftership-gls", "aftership-gls-italy", "aftership-gls-spain", "aftership-gls-france", "aftership-gls-netherlands"}},
	{"hermes-de", "Hermes", "https://www.myhermes.de/empfangen/sendungsverfolgung/sendungsinformation#%s", []string{"aftership-hermes-de"}},
	{"inpost", "InPost", "https://inpost.pl/sledzenie-przesylek?number=%s", []string{"aftership-inpost-paczkomaty", "aftership-inpost"}},
	{"postnl", "PostNL", "https://postnl.nl/tracktrace/?B=%s&D=NL&T=C", []string{"aftership-postnl", "aftership-postnl-3s", "aftership-postnl-international"}},
}

// postAliases are the provider ids of national posts that trackbot has no
// id of its own for, mapped to the post's country.
var postAliases = map[string]string{
	"aftership-australia-post": "AU", "aftership-japan-post": "JP", "aftership-poste-italiane": "IT",
	"aftership-spain-correos-es": "ES", "aftership-correos-spain": "ES", "aftership-la-poste": "FR",
	"aftership-bpost": "BE", "aftership-swiss-post": "CH", "aftership-austrian-post": "AT",
	"aftership-nz-post": "NZ", "aftership-posten-norge": "NO", "aftership-an-post": "IE",
	"aftership-poczta-polska": "PL", "aftership-portugal-ctt": "PT", "aftership-korea-post": "KR",
}

// LastMileCarrierFor returns the carrier that a leg's carrier id names and
// its tracking page: a courier of lastMileCarriers, or a national post
// (by its own id, its "post-xx" id or a provider's id for it). ok is false
// for carriers that do not deliver in a destination country of their own,
// such as origin consolidators, and for ids trackbot does not know.
func LastMileCarrierFor(id string) (LastMileCarrier, bool) {
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" {
		return LastMileCarrier{}, false
	}
	for _, c := range lastMileCarriers {
		if c.ID == id || slices.Contains(c.aliases, id) {
			return c, true
		}
	}
	cc, ok := postAliases[id]
	if !ok {
		if info, known := LookupCarrier(id); known && info.Country != "" && PostCarrier(info.Country) == id {
			cc, ok = info.Country, true
		}
	}
	if !ok {
		return LastMileCarrier{}, false
	}
	p, ok := DestinationPostFor(cc)
	if !ok {
		return LastMileCarrier{}, false
	}
	return LastMileCarrier{ID: id, Name: p.Name, URLTemplate: p.URLTemplate}, true
}

// LastMileCarriers lists the couriers trackbot knows besides the posts,
// sorted by ID.
func LastMileCarriers() []LastMileCarrier { return slices.Clone(lastMileCarriers) }

// TrackerURL is the page of a public multi-carrier tracker for a number
// whose local carrier trackbot does not know: 17TRACK's tracking page takes
// the number in its fragment and finds the carrier itself
// (https://www.17track.net/en/externalcall).
func TrackerURL(number string) string {
	return "https://t.17track.net/en#nums=" + url.QueryEscape(strings.TrimSpace(number))
}

// DayCount says how a storage period counts its days.
type DayCount int

// The ways of counting days. Public holidays are not known here, so a
// period in working days may end a day early around a holiday, never late.
const (
	// CalendarDays count every day.
	CalendarDays DayCount = iota
	// WorkingDaysMonSat count Monday to Saturday: the German Werktage
	// and the French jours ouvrables.
	WorkingDaysMonSat
	// WorkingDaysMonFri count Monday to Friday: business days.
	WorkingDaysMonFri
)

// after returns the end of a period of n days that begins the day after
// start, at start's time of day.
func (c DayCount) after(start time.Time, n int) time.Time {
	if c == CalendarDays {
		return start.AddDate(0, 0, n)
	}
	t := start
	for counted := 0; counted < n; {
		t = t.AddDate(0, 0, 1)
		switch t.Weekday() {
		case time.Sunday:
			continue
		case time.Saturday:
			if c == WorkingDaysMonFri {
				continue
			}
		}
		counted++
	}
	return t
}

// StoragePeriod is how long a country's post keeps a parcel at a pickup
// point before it goes back to the sender.
type StoragePeriod struct {
	Days  int
	Count DayCount
	// Verified is false for a period that public sources give as usual
	// but the post does not confirm: the advice says "about".
	Verified bool
}

// pickupStorage are the posts' storage periods by country, each with its
// source. Elsewhere the advice says "about" PickupStorage.
var pickupStorage = map[string]StoragePeriod{
	// Deutsche Post DHL: "7 Werktage (ohne Sonntag)" in a Filiale or
	// Paketshop, counted from the day after the notice
	// (https://www.paketda.de/dhl/zustellversuche-lagerfrist.php). A
	// Packstation keeps 7 calendar days, an S10 item often 14: the
	// shortest period is given, so the date is never too late.
	"DE": {Days: 7, Count: WorkingDaysMonSat, Verified: true},
	// Royal Mail: "we hold on to mail at the Customer Service Point for
	// 18 days" (https://royalmail.com/help/what-happens-if-royal-mail-cant-deliver);
	// calendar days, Royal Mail to The Guardian.
	"GB": {Days: 18, Count: CalendarDays, Verified: true},
	// USPS: "held for 15 days from the initial delivery attempt, then
	// returned to sender" (USPS FAQ, quoted at
	// https://www.globalpostalcodesystem.info/package/how-long-will-the-post-office-hold-my-mail-before-returning-it-to-the-sender.html).
	"US": {Days: 15, Count: CalendarDays, Verified: true},
	// La Poste keeps registered items "15 jours consécutifs"
	// (https://aide.laposte.fr/contenu/qu-est-ce-que-le-contrat-de-garde-du-courrier);
	// parcels in a pickup point may differ, so "about".
	"FR": {Days: 15, Count: CalendarDays},
	// Canada Post: 15 calendar days after a Delivery Notice Card, by
	// secondary sources only (ontario-bakery.com), so "about".
	"CA": {Days: 15, Count: CalendarDays},
}

// PickupStorageFor returns the storage period of a country's post at its
// pickup points; ok is false where trackbot knows none.
func PickupStorageFor(country string) (StoragePeriod, bool) {
	p, ok := pickupStorage[strings.ToUpper(strings.TrimSpace(country))]
	return p, ok
}

// FeePage is where a post takes customs charges online, for the posts that
// have such a page: the advice links this page, never the tracking page, as
// the place to pay.
type FeePage struct {
	// URL is the post's own payment page.
	URL string
	// HoldDays is how long the post keeps a parcel whose charges are
	// unpaid before sending it back; 0 when not known.
	HoldDays int
}

// feePages are the posts' payment pages by country. Royal Mail: "Fee to
// pay" — pay online at royalmail.com; items with a customs charge are held
// for 21 calendar days before they go back to the sender
// (https://personal.help.royalmail.com/app/answers/detail/a_id/143, and
// nibusinessinfo.co.uk "Pay outstanding charges on goods imported by post":
// "kept at the local delivery office for three weeks").
var feePages = map[string]FeePage{
	"GB": {URL: "https://www.royalmail.com/receiving-mail/pay-a-fee", HoldDays: 21},
}

// FeePageFor returns the customs-charge payment page of a country's post.
func FeePageFor(country string) (FeePage, bool) {
	p, ok := feePages[strings.ToUpper(strings.TrimSpace(country))]
	return p, ok
}

// vatAtCheckout says where marketplace orders usually had VAT charged at
// checkout: the EU's Import One-Stop Shop for consignments up to €150
// (Council Directive (EU) 2017/2455; taxation-customs.ec.europa.eu "Import
// One-Stop Shop"), and the UK's point-of-sale VAT on consignments up to
// £135 sold through online marketplaces (gov.uk "VAT and overseas goods sold
// to customers in the UK using online marketplaces").
func vatAtCheckout(country string) string {
	cc := strings.ToUpper(strings.TrimSpace(country))
	switch {
	case cc == "GB":
		return "GB"
	case euMembers[cc]:
		return "EU"
	}
	return ""
}

// euMembers are the 27 member states of the European Union.
var euMembers = map[string]bool{
	"AT": true, "BE": true, "BG": true, "CY": true, "CZ": true, "DE": true, "DK": true, "EE": true, "ES": true,
	"FI": true, "FR": true, "GR": true, "HR": true, "HU": true, "IE": true, "IT": true, "LT": true, "LU": true,
	"LV": true, "MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SE": true, "SI": true, "SK": true,
}
