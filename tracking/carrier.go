package tracking

import (
	"slices"
	"strings"
)

// CarrierDemo and the other Carrier constants are trackbot's own carrier
// ids, lower case and stable: they are stored with every shipment and
// mapped to each provider's codes by the providers, so a vendor renaming
// its codes never touches the database.
const (
	CarrierDemo         = "demo"
	CarrierUSPS         = "usps"
	CarrierUPS          = "ups"
	CarrierFedEx        = "fedex"
	CarrierDHLExpress   = "dhl-express"
	CarrierDHLPaket     = "dhl-paket" // DHL Paket / Deutsche Post
	CarrierDHLEcommerce = "dhl-ecommerce"
	CarrierCanadaPost   = "canada-post"
	CarrierChinaPost    = "china-post"
	CarrierChinaEMS     = "china-ems"
	CarrierCainiao      = "cainiao"
	CarrierYunExpress   = "yunexpress"
	Carrier4PX          = "4px"
	CarrierYanwen       = "yanwen"
	CarrierSFExpress    = "sf-express"
	CarrierJT           = "jt-express"
	CarrierSunYou       = "sunyou"
	CarrierRoyalMail    = "royal-mail"
	// CarrierShippoTest is the carrier of Shippo's test-mode numbers
	// (SHIPPO_TRANSIT and its siblings), for trying a Shippo test token.
	CarrierShippoTest = "shippo"
)

// postPrefix starts the ids of national posts that have no id of their own.
// The ids are derived from the country so that every S10 number, whatever
// post issued it, still names a carrier a provider can be asked about.
const postPrefix = "post-"

// CarrierInfo describes a carrier: Name is its display name and Country the
// ISO 3166 alpha-2 code of its home country, or "" for carriers that work
// everywhere alike.
type CarrierInfo struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Country string `json:"country"`
}

var carriers = map[string]CarrierInfo{
	CarrierDemo:         {CarrierDemo, "Demo Carrier", ""},
	CarrierUSPS:         {CarrierUSPS, "USPS", "US"},
	CarrierUPS:          {CarrierUPS, "UPS", "US"},
	CarrierFedEx:        {CarrierFedEx, "FedEx", "US"},
	CarrierDHLExpress:   {CarrierDHLExpress, "DHL Express", "DE"},
	CarrierDHLPaket:     {CarrierDHLPaket, "Deutsche Post DHL", "DE"},
	CarrierDHLEcommerce: {CarrierDHLEcommerce, "DHL eCommerce", ""},
	CarrierCanadaPost:   {CarrierCanadaPost, "Canada Post", "CA"},
	CarrierChinaPost:    {CarrierChinaPost, "China Post", "CN"},
	CarrierChinaEMS:     {CarrierChinaEMS, "China EMS", "CN"},
	CarrierCainiao:      {CarrierCainiao, "Cainiao", "CN"},
	CarrierYunExpress:   {CarrierYunExpress, "YunExpress", "CN"},
	Carrier4PX:          {Carrier4PX, "4PX", "CN"},
	CarrierYanwen:       {CarrierYanwen, "Yanwen", "CN"},
	CarrierSFExpress:    {CarrierSFExpress, "SF Express", "CN"},
	CarrierJT:           {CarrierJT, "J&T Express", ""},
	CarrierSunYou:       {CarrierSunYou, "SunYou", "CN"},
	CarrierRoyalMail:    {CarrierRoyalMail, "Royal Mail", "GB"},
	CarrierShippoTest:   {CarrierShippoTest, "Shippo test carrier", ""},
}

// carrierAliases are names people type for carriers, squashed (see
// squashName), beside the ids and display names that FindCarriers also
// reads. A name that stands for several carriers ("dhl") lists them all,
// so that the chat can ask which one is meant.
var carrierAliases = map[string][]string{
	"dhl":                        {CarrierDHLExpress, CarrierDHLPaket, CarrierDHLEcommerce},
	"dhlexpress":                 {CarrierDHLExpress},
	"dhlpaket":                   {CarrierDHLPaket},
	"deutschepost":               {CarrierDHLPaket},
	"dhlecommerce":               {CarrierDHLEcommerce},
	"dhlecommerceasia":           {CarrierDHLEcommerce},
	"uspostalservice":            {CarrierUSPS},
	"unitedstatespostalservice":  {CarrierUSPS},
	"unitedparcelservice":        {CarrierUPS},
	"federalexpress":             {CarrierFedEx},
	"royalmail":                  {CarrierRoyalMail},
	"parcelforce":                {CarrierRoyalMail},
	"canadapost":                 {CarrierCanadaPost},
	"postescanada":               {CarrierCanadaPost},
	"chinapost":                  {CarrierChinaPost},
	"中国邮政":                       {CarrierChinaPost},
	"ems":                        {CarrierChinaEMS},
	"chinaems":                   {CarrierChinaEMS},
	"aliexpressstandardshipping": {CarrierCainiao},
	"菜鸟":                         {CarrierCainiao},
	"yun":                        {CarrierYunExpress},
	"sf":                         {CarrierSFExpress},
	"顺丰":                         {CarrierSFExpress},
	"jt":                         {CarrierJT},
	"jandt":                      {CarrierJT},
	"laposte":                    {postPrefix + "fr"},
	"colissimo":                  {postPrefix + "fr"},
	"correos":                    {postPrefix + "es"},
	"posteitaliane":              {postPrefix + "it"},
	"postnl":                     {postPrefix + "nl"},
	"bpost":                      {postPrefix + "be"},
	"swisspost":                  {postPrefix + "ch"},
	"dieschweizerischepost":      {postPrefix + "ch"},
	"österreichischepost":        {postPrefix + "at"},
	"austrianpost":               {postPrefix + "at"},
	"postnord":                   {postPrefix + "se", postPrefix + "dk"},
	"pocztapolska":               {postPrefix + "pl"},
	"ctt":                        {postPrefix + "pt"},
	"anpost":                     {postPrefix + "ie"},
	"australiapost":              {postPrefix + "au"},
	"japanpost":                  {postPrefix + "jp"},
	"koreapost":                  {postPrefix + "kr"},
	"russianpost":                {postPrefix + "ru"},
	"почтароссии":                {postPrefix + "ru"},
	"indiapost":                  {postPrefix + "in"},
}

// squashName folds a carrier's name for comparison: lower case, without
// spaces, dashes, underscores, dots and ampersands ("J&T Express" and
// "jt-express" meet as "jtexpress").
func squashName(s string) string {
	return strings.NewReplacer(" ", "", "-", "", "_", "", "&", "", ".", "").Replace(strings.ToLower(strings.TrimSpace(s)))
}

// FindCarriers reads a carrier a person typed: an id ("dhl-express",
// "post-fr"), a display name ("DHL Express", "4PX") or a common other name
// ("Royal Mail", "La Poste", "dhl"), in any case. It returns the ids it
// may stand for, sorted: none when it names no carrier, several when the
// name is shared ("dhl" is DHL Express, DHL Paket and DHL eCommerce).
func FindCarriers(s string) []string {
	if info, ok := LookupCarrier(s); ok {
		return []string{info.ID}
	}
	key := squashName(s)
	if key == "" {
		return nil
	}
	for _, c := range Carriers() {
		if squashName(c.Name) == key || squashName(c.ID) == key {
			return []string{c.ID}
		}
	}
	ids := slices.Clone(carrierAliases[key])
	slices.Sort(ids)
	return ids
}

// nationalPosts names the posts that have a carrier id of their own, because
// trackbot talks to them (or their aggregator codes) directly.
var nationalPosts = map[string]string{
	"CA": CarrierCanadaPost,
	"CN": CarrierChinaPost,
	"DE": CarrierDHLPaket,
	"GB": CarrierRoyalMail,
	"US": CarrierUSPS,
}

// LookupCarrier returns what trackbot knows about a carrier id, including
// the generic "post-xx" ids that PostCarrier hands out. Case and surrounding
// spaces are forgiven because ids also come from users (`--carrier UPS`).
func LookupCarrier(id string) (CarrierInfo, bool) {
	id = strings.ToLower(strings.TrimSpace(id))
	if info, ok := carriers[id]; ok {
		return info, true
	}
	cc, ok := strings.CutPrefix(id, postPrefix)
	if !ok {
		return CarrierInfo{}, false
	}
	cc = strings.ToUpper(cc)
	name, ok := countryNames[cc]
	if !ok || nationalPosts[cc] != "" {
		// A post with its own id has exactly one id.
		return CarrierInfo{}, false
	}
	return CarrierInfo{ID: id, Name: name + " Post", Country: cc}, true
}

// Carriers lists the carriers that have an id of their own, sorted by ID.
// The generic "post-xx" ids are left out: there is one per country, they
// carry no more than the country's name, and a list meant for people
// (help texts, pickers) would drown in them.
func Carriers() []CarrierInfo {
	out := make([]CarrierInfo, 0, len(carriers))
	for _, info := range carriers {
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b CarrierInfo) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// PostCarrier returns the carrier id of the national postal operator of an
// ISO 3166 alpha-2 country, which is who issued an S10 number ending in that
// code: "CN" gives china-post, "US" usps, "DE" dhl-paket, "GB" royal-mail,
// "CA" canada-post, and any other country "post-" plus its lower-case code.
// It returns "" when country is not an ISO country, so that suffixes such as
// Yanwen's "YP" never pass for a post.
func PostCarrier(country string) string {
	cc := strings.ToUpper(strings.TrimSpace(country))
	if id, ok := nationalPosts[cc]; ok {
		return id
	}
	if !isCountry(cc) {
		return ""
	}
	return postPrefix + strings.ToLower(cc)
}

// CarrierName is a carrier's display name: its name when the id is known,
// "?" when there is no id, the id itself otherwise (a provider's own code).
func CarrierName(id string) string {
	if info, ok := LookupCarrier(id); ok {
		return info.Name
	}
	if id == "" {
		return "?"
	}
	return id
}

// IsCountry reports whether cc is an assigned ISO 3166-1 alpha-2 code.
func IsCountry(cc string) bool { return isCountry(strings.ToUpper(strings.TrimSpace(cc))) }

// CountryName returns a country's short English name, or the code itself
// when it is not a country.
func CountryName(cc string) string {
	if name, ok := countryNames[strings.ToUpper(cc)]; ok {
		return name
	}
	return cc
}

// isCountry reports whether cc is an assigned ISO 3166-1 alpha-2 code.
func isCountry(cc string) bool {
	_, ok := countryNames[cc]
	return ok
}

// countryNames holds every officially assigned ISO 3166-1 alpha-2 code with
// a short English name. S10 suffixes are checked against it, because Chinese
// consolidators print S10-shaped numbers with made-up suffixes.
var countryNames = map[string]string{
	"AD": "Andorra", "AE": "United Arab Emirates", "AF": "Afghanistan", "AG": "Antigua and Barbuda",
	"AI": "Anguilla", "AL": "Albania", "AM": "Armenia", "AO": "Angola", "AQ": "Antarctica",
	"AR": "Argentina", "AS": "American Samoa", "AT": "Austria", "AU": "Australia", "AW": "Aruba",
	"AX": "Åland Islands", "AZ": "Azerbaijan",
	"BA": "Bosnia and Herzegovina", "BB": "Barbados", "BD": "Bangladesh", "BE": "Belgium",
	"BF": "Burkina Faso", "BG": "Bulgaria", "BH": "Bahrain", "BI": "Burundi", "BJ": "Benin",
	"BL": "Saint Barthélemy", "BM": "Bermuda", "BN": "Brunei", "BO": "Bolivia",
	"BQ": "Caribbean Netherlands", "BR": "Brazil", "BS": "Bahamas", "BT": "Bhutan",
	"BV": "Bouvet Island", "BW": "Botswana", "BY": "Belarus", "BZ": "Belize",
	"CA": "Canada", "CC": "Cocos (Keeling) Islands", "CD": "DR Congo", "CF": "Central African Republic",
	"CG": "Congo", "CH": "Switzerland", "CI": "Côte d'Ivoire", "CK": "Cook Islands", "CL": "Chile",
	"CM": "Cameroon", "CN": "China", "CO": "Colombia", "CR": "Costa Rica", "CU": "Cuba",
	"CV": "Cabo Verde", "CW": "Curaçao", "CX": "Christmas Island", "CY": "Cyprus", "CZ": "Czechia",
	"DE": "Germany", "DJ": "Djibouti", "DK": "Denmark", "DM": "Dominica", "DO": "Dominican Republic",
	"DZ": "Algeria",
	"EC": "Ecuador", "EE": "Estonia", "EG": "Egypt", "EH": "Western Sahara", "ER": "Eritrea",
	"ES": "Spain", "ET": "Ethiopia",
	"FI": "Finland", "FJ": "Fiji", "FK": "Falkland Islands", "FM": "Micronesia", "FO": "Faroe Islands",
	"FR": "France",
	"GA": "Gabon", "GB": "United Kingdom", "GD": "Grenada", "GE": "Georgia", "GF": "French Guiana",
	"GG": "Guernsey", "GH": "Ghana", "GI": "Gibraltar", "GL": "Greenland", "GM": "Gambia",
	"GN": "Guinea", "GP": "Guadeloupe", "GQ": "Equatorial Guinea", "GR": "Greece",
	"GS": "South Georgia and the South Sandwich Islands", "GT": "Guatemala", "GU": "Guam",
	"GW": "Guinea-Bissau", "GY": "Guyana",
	"HK": "Hong Kong", "HM": "Heard Island and McDonald Islands", "HN": "Honduras", "HR": "Croatia",
	"HT": "Haiti", "HU": "Hungary",
	"ID": "Indonesia", "IE": "Ireland", "IL": "Israel", "IM": "Isle of Man", "IN": "India",
	"IO": "British Indian Ocean Territory", "IQ": "Iraq", "IR": "Iran", "IS": "Iceland", "IT": "Italy",
	"JE": "Jersey", "JM": "Jamaica", "JO": "Jordan", "JP": "Japan",
	"KE": "Kenya", "KG": "Kyrgyzstan", "KH": "Cambodia", "KI": "Kiribati", "KM": "Comoros",
	"KN": "Saint Kitts and Nevis", "KP": "North Korea", "KR": "South Korea", "KW": "Kuwait",
	"KY": "Cayman Islands", "KZ": "Kazakhstan",
	"LA": "Laos", "LB": "Lebanon", "LC": "Saint Lucia", "LI": "Liechtenstein", "LK": "Sri Lanka",
	"LR": "Liberia", "LS": "Lesotho", "LT": "Lithuania", "LU": "Luxembourg", "LV": "Latvia",
	"LY": "Libya",
	"MA": "Morocco", "MC": "Monaco", "MD": "Moldova", "ME": "Montenegro", "MF": "Saint Martin",
	"MG": "Madagascar", "MH": "Marshall Islands", "MK": "North Macedonia", "ML": "Mali",
	"MM": "Myanmar", "MN": "Mongolia", "MO": "Macao", "MP": "Northern Mariana Islands",
	"MQ": "Martinique", "MR": "Mauritania", "MS": "Montserrat", "MT": "Malta", "MU": "Mauritius",
	"MV": "Maldives", "MW": "Malawi", "MX": "Mexico", "MY": "Malaysia", "MZ": "Mozambique",
	"NA": "Namibia", "NC": "New Caledonia", "NE": "Niger", "NF": "Norfolk Island", "NG": "Nigeria",
	"NI": "Nicaragua", "NL": "Netherlands", "NO": "Norway", "NP": "Nepal", "NR": "Nauru",
	"NU": "Niue", "NZ": "New Zealand",
	"OM": "Oman",
	"PA": "Panama", "PE": "Peru", "PF": "French Polynesia", "PG": "Papua New Guinea",
	"PH": "Philippines", "PK": "Pakistan", "PL": "Poland", "PM": "Saint Pierre and Miquelon",
	"PN": "Pitcairn", "PR": "Puerto Rico", "PS": "Palestine", "PT": "Portugal", "PW": "Palau",
	"PY": "Paraguay",
	"QA": "Qatar",
	"RE": "Réunion", "RO": "Romania", "RS": "Serbia", "RU": "Russia", "RW": "Rwanda",
	"SA": "Saudi Arabia", "SB": "Solomon Islands", "SC": "Seychelles", "SD": "Sudan", "SE": "Sweden",
	"SG": "Singapore", "SH": "Saint Helena", "SI": "Slovenia", "SJ": "Svalbard and Jan Mayen",
	"SK": "Slovakia", "SL": "Sierra Leone", "SM": "San Marino", "SN": "Senegal", "SO": "Somalia",
	"SR": "Suriname", "SS": "South Sudan", "ST": "São Tomé and Príncipe", "SV": "El Salvador",
	"SX": "Sint Maarten", "SY": "Syria", "SZ": "Eswatini",
	"TC": "Turks and Caicos Islands", "TD": "Chad", "TF": "French Southern Territories", "TG": "Togo",
	"TH": "Thailand", "TJ": "Tajikistan", "TK": "Tokelau", "TL": "Timor-Leste", "TM": "Turkmenistan",
	"TN": "Tunisia", "TO": "Tonga", "TR": "Türkiye", "TT": "Trinidad and Tobago", "TV": "Tuvalu",
	"TW": "Taiwan", "TZ": "Tanzania",
	"UA": "Ukraine", "UG": "Uganda", "UM": "United States Minor Outlying Islands", "US": "United States",
	"UY": "Uruguay", "UZ": "Uzbekistan",
	"VA": "Vatican City", "VC": "Saint Vincent and the Grenadines", "VE": "Venezuela",
	"VG": "British Virgin Islands", "VI": "U.S. Virgin Islands", "VN": "Vietnam", "VU": "Vanuatu",
	"WF": "Wallis and Futuna", "WS": "Samoa",
	"YE": "Yemen", "YT": "Mayotte",
	"ZA": "South Africa", "ZM": "Zambia", "ZW": "Zimbabwe",
}
