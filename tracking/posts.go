package tracking

import (
	"net/url"
	"slices"
	"strings"
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
