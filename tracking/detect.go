package tracking

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ChecksumValid, ChecksumInvalid and ChecksumNone are the values of
// Candidate.Checksum.
const (
	ChecksumValid   = "valid"
	ChecksumInvalid = "invalid"
	// ChecksumNone marks formats without a public check digit, which are
	// recognized by their pattern alone.
	ChecksumNone = "none"
)

// ReasonTooShort, ReasonTooLong, ReasonBadChars and ReasonChecksum say why
// Detect found a number not Valid. They are machine words; the bot picks
// the user's wording by them.
const (
	ReasonTooShort = "too_short"
	ReasonTooLong  = "too_long"
	ReasonBadChars = "bad_chars"
	ReasonChecksum = "checksum"
)

// Format names of a Candidate. They stay unexported: callers read them as
// strings from JSON and logs, and tests compare the strings.
const (
	formatS10          = "s10"
	formatUPS          = "ups-1z"
	formatUSPS20       = "usps-20"
	formatUSPSLegacy   = "usps-legacy"
	formatUSPSIMpb     = "usps-impb"
	formatFedEx12      = "fedex-12"
	formatFedEx15      = "fedex-15"
	formatFedEx96      = "fedex-96"
	formatFedEx34      = "fedex-34"
	formatDHLExpress   = "dhl-express"
	formatDHLPiece     = "dhl-piece"
	formatDHLEcommerce = "dhl-ecommerce"
	formatSSCC         = "gs1-sscc"
	formatCanadaPost   = "canada-post-16"
	formatDemo         = "demo"
	formatShippoTest   = "shippo-test"
)

// demoPrefix starts every number of the built-in demo carrier.
const demoPrefix = "DEMO-"

// shippoTestNumbers are the numbers Shippo's test mode answers with a
// sample parcel in each status, under its own "shippo" carrier.
var shippoTestNumbers = []string{
	"SHIPPO_PRE_TRANSIT", "SHIPPO_TRANSIT", "SHIPPO_DELIVERED",
	"SHIPPO_RETURNED", "SHIPPO_FAILURE", "SHIPPO_UNKNOWN",
}

// Candidate is one carrier a number may belong to, and how sure Detect is.
type Candidate struct {
	// Carrier is a carrier id (see LookupCarrier).
	Carrier string `json:"carrier"`
	// Format names the number format that matched, such as "s10",
	// "ups-1z", "usps-impb" or "fedex-12".
	Format string `json:"format"`
	// Checksum is ChecksumValid, ChecksumInvalid or ChecksumNone.
	Checksum string `json:"checksum"`
	// Confidence runs from 0 to 1. A passed check digit on a shape no other
	// format uses scores 0.9 and more; a passed check digit on a bare run of
	// digits much less, because short check digits pass by chance; pattern
	// formats 0.4 to 0.7; failed check digits 0.1.
	Confidence float64 `json:"confidence"`
}

// Detection is what Detect makes of one tracking number.
type Detection struct {
	// Number is the normalized number.
	Number string `json:"number"`
	// Valid is false when the number is out of bounds or Mistyped. A number
	// that fits no format is still valid: an aggregator may know it.
	Valid bool `json:"valid"`
	// Candidates are ranked best first. The slice is never nil, so that JSON
	// prints [] rather than null.
	Candidates []Candidate `json:"candidates"`
	// OriginCountry is the issuing country of an S10 number, "" otherwise.
	OriginCountry string `json:"origin_country"`
	// Service is the S10 service class ("registered", "EMS", "parcel",
	// "e-commerce parcel", "letter express" …), "" otherwise.
	Service string `json:"-"`
	// Mistyped is set when the number has the shape of a check-digit format
	// that no other format shares, every check-digit candidate fails, and no
	// pattern format fits: a typo is far likelier than an unknown number.
	// Bare runs of digits of the common lengths (DHL's 10 and 11, FedEx's
	// 12 and 15, Canada Post's 16, USPS's 20) never count as mistyped,
	// since carriers without public check digits use the same lengths.
	Mistyped bool `json:"-"`
	// Reason says why the number is not Valid: ReasonTooShort,
	// ReasonTooLong, ReasonBadChars or ReasonChecksum.
	Reason string `json:"-"`
}

// Detect normalizes a tracking number and lists the carriers it may belong
// to, best first.
func Detect(raw string) Detection {
	n := NormalizeNumber(raw)
	d := Detection{Number: n, Candidates: []Candidate{}}
	switch length := utf8.RuneCountInString(n); {
	case length < minNumberLen:
		d.Reason = ReasonTooShort
		return d
	case length > maxNumberLen:
		d.Reason = ReasonTooLong
		return d
	case !ValidNumber(n):
		d.Reason = ReasonBadChars
		return d
	}
	d.Valid = true
	if cc, ok := s10Country(n); ok {
		d.OriginCountry = cc
		d.Service = s10Service(n)
	}
	fs := match(n)
	if mistyped(fs) {
		d.Valid, d.Mistyped, d.Reason = false, true, ReasonChecksum
	}
	// A failed check digit is worth showing only when nothing else fits:
	// next to a format that passes it is noise.
	explained := slices.ContainsFunc(fs, func(f found) bool { return f.Checksum != ChecksumInvalid })
	for _, f := range fs {
		if !explained || f.Checksum != ChecksumInvalid {
			d.Candidates = append(d.Candidates, f.Candidate)
		}
	}
	return d
}

// found is a Candidate with what Detect and FindNumbers need to know about
// its format.
type found struct {
	Candidate
	// strict is set when the shape alone identifies the format: no carrier
	// prints numbers of that shape without the check digit, so a failed
	// check means a typo rather than some other carrier's number.
	strict bool
}

// mistyped reports whether a strict format failed its check digit and
// nothing else explains the number.
func mistyped(fs []found) bool {
	failed := false
	for _, f := range fs {
		if f.Checksum != ChecksumInvalid {
			return false
		}
		if f.strict {
			failed = true
		}
	}
	return failed
}

// match runs every format over a normalized, valid number and ranks what
// fits. The stable sort keeps the order of detectors among equals, which
// puts the more specific format first.
func match(n string) []found {
	if strings.HasPrefix(n, demoPrefix) {
		return []found{pattern(CarrierDemo, formatDemo, 1)}
	}
	if slices.Contains(shippoTestNumbers, n) {
		return []found{pattern(CarrierShippoTest, formatShippoTest, 1)}
	}
	var out []found
	for _, detect := range detectors {
		out = append(out, detect(n)...)
	}
	slices.SortStableFunc(out, func(a, b found) int { return cmp.Compare(b.Confidence, a.Confidence) })
	return out
}

// invalidConfidence is the confidence of any candidate whose check digit
// fails: the shape is a hint, nothing more.
const invalidConfidence = 0.1

// checked builds the candidate of a check-digit format.
func checked(carrier, format string, ok bool, confidence float64, strict bool) found {
	f := found{Candidate: Candidate{Carrier: carrier, Format: format, Checksum: ChecksumValid, Confidence: confidence}, strict: strict}
	if !ok {
		f.Checksum, f.Confidence = ChecksumInvalid, invalidConfidence
	}
	return f
}

// pattern builds the candidate of a format without a public check digit.
func pattern(carrier, format string, confidence float64) found {
	return found{Candidate: Candidate{Carrier: carrier, Format: format, Checksum: ChecksumNone, Confidence: confidence}}
}

// detectors hold one function per format family, most specific first.
var detectors = []func(n string) []found{
	detectS10,
	detectUPS,
	detectUSPSIMpb,
	detectFedEx96,
	detectFedEx34,
	detectSSCC,
	detectUSPS20,
	detectFedEx12,
	detectFedEx15,
	detectCanadaPost,
	detectDHLExpress,
	detectPatterns,
	detectDHLEcommerce,
}

// UPU S10: two letters, eight serial digits, a check digit, and the ISO code
// of the issuing post.

// s10Shaped reports the S10 shape, whatever the suffix.
func s10Shaped(n string) bool {
	return len(n) == 13 && isUpper(n[0]) && isUpper(n[1]) && allDigits(n[2:11]) && isUpper(n[11]) && isUpper(n[12])
}

// s10Country returns the issuing country of an S10 number. Only assigned
// ISO codes count: consolidators print S10-shaped numbers with made-up
// suffixes (Yanwen's "YP"), and those say nothing about a country.
func s10Country(n string) (string, bool) {
	if !s10Shaped(n) || !isCountry(n[11:]) {
		return "", false
	}
	return n[11:], true
}

func s10CheckDigit(serial string) int {
	weights := [8]int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i, w := range weights {
		sum += int(serial[i]-'0') * w
	}
	switch r := sum % 11; r {
	case 0:
		return 5
	case 1:
		return 0
	default:
		return 11 - r
	}
}

func s10Valid(n string) bool {
	return s10CheckDigit(n[2:10]) == int(n[10]-'0')
}

func detectS10(n string) []found {
	cc, ok := s10Country(n)
	if !ok {
		return nil
	}
	carrier := PostCarrier(cc)
	if cc == "CN" && n[0] == 'E' {
		carrier = CarrierChinaEMS
	}
	return []found{checked(carrier, formatS10, s10Valid(n), 0.95, true)}
}

// s10Service names the service class of the first letter (UPU S10 annex).
func s10Service(n string) string {
	switch n[0] {
	case 'E':
		return "EMS"
	case 'L':
		return "letter express"
	case 'M':
		return "M-bag"
	case 'R':
		return "registered"
	case 'U':
		return "letter post"
	case 'V':
		return "insured"
	case 'C':
		return "parcel"
	case 'H':
		return "e-commerce parcel"
	case 'Q':
		if n[1] <= 'M' {
			return "IBRS"
		}
	case 'B', 'D', 'N', 'P', 'Z':
		return "domestic"
	case 'A':
		if n[1] >= 'V' {
			return "domestic"
		}
	case 'G':
		if n[1] == 'A' || n[1] == 'D' {
			return "domestic"
		}
	}
	return ""
}

// UPS 1Z: "1Z", fifteen characters, a check digit.

var upsShape = regexp.MustCompile(`^1Z[A-Z0-9]{15}[0-9]$`)

func upsCheckDigit(body string) int {
	sum := 0
	for i := 0; i < len(body); i++ {
		var v int
		if isUpper(body[i]) {
			// Letters count as (ASCII - 3) mod 10: A=2, B=3 … I=0, J=1 …
			v = int(body[i]-3) % 10
		} else {
			v = int(body[i] - '0')
		}
		if i%2 == 1 {
			v *= 2
		}
		sum += v
	}
	return (10 - sum%10) % 10
}

func detectUPS(n string) []found {
	if !upsShape.MatchString(n) {
		return nil
	}
	return []found{checked(CarrierUPS, formatUPS, upsCheckDigit(n[2:17]) == int(n[17]-'0'), 0.98, true)}
}

// gs1CheckDigit computes the GS1 mod-10 check digit: weights 3 and 1 from
// the right. USPS, SSCC, FedEx Ground and Canada Post all use it.
func gs1CheckDigit(body string) int {
	sum := 0
	for i := 0; i < len(body); i++ {
		v := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			v *= 3
		}
		sum += v
	}
	return (10 - sum%10) % 10
}

// gs1Valid checks a run of digits whose last digit is a GS1 check digit.
func gs1Valid(n string) bool {
	return gs1CheckDigit(n[:len(n)-1]) == int(n[len(n)-1]-'0')
}

// USPS Intelligent Mail package barcode: 22 or 26 digits after a 9[1-5]
// channel identifier, optionally behind a "420" + ZIP routing code as
// scanned from the label.

func impbShaped(s string) bool {
	return (len(s) == 22 || len(s) == 26) && s[0] == '9' && s[1] >= '1' && s[1] <= '5'
}

func detectUSPSIMpb(n string) []found {
	if !allDigits(n) {
		return nil
	}
	if impbShaped(n) {
		return []found{checked(CarrierUSPS, formatUSPSIMpb, gs1Valid(n), 0.95, true)}
	}
	if !strings.HasPrefix(n, "420") {
		return nil
	}
	shaped, valid := false, false
	for _, zip := range []int{5, 9} {
		if len(n) <= 3+zip {
			continue
		}
		if rest := n[3+zip:]; impbShaped(rest) {
			shaped = true
			valid = valid || gs1Valid(rest)
		}
	}
	if !shaped {
		return nil
	}
	return []found{checked(CarrierUSPS, formatUSPSIMpb, valid, 0.95, true)}
}

// USPS 20 and its legacy twin: 20 digits, GS1 mod 10 over the digits as
// printed (usps-20) or with the "91" channel identifier that legacy labels
// drop in front (usps-legacy). Nothing in the number tells the two apart,
// so both are offered and the check digit decides. A leading "00" is the
// application identifier of an SSCC, which detectSSCC owns.
func detectUSPS20(n string) []found {
	if len(n) != 20 || strings.HasPrefix(n, "00") || !allDigits(n) {
		return nil
	}
	return []found{
		checked(CarrierUSPS, formatUSPS20, gs1Valid(n), 0.6, false),
		checked(CarrierUSPS, formatUSPSLegacy, gs1Valid("91"+n), 0.6, false),
	}
}

// detectSSCC finds GS1 serial shipping container codes behind their "00"
// application identifier. Deutsche Post DHL's GS1 company prefix 340434
// names the carrier; other SSCCs are DHL's too, most of the time, but
// European parcel services all use them.
func detectSSCC(n string) []found {
	if len(n) != 20 || !strings.HasPrefix(n, "00") || !allDigits(n) {
		return nil
	}
	ok := gs1Valid(n)
	if strings.HasPrefix(n, "00340434") {
		return []found{checked(CarrierDHLPaket, formatSSCC, ok, 0.95, true)}
	}
	return []found{
		checked(CarrierDHLPaket, formatSSCC, ok, 0.6, true),
		checked(CarrierDHLEcommerce, formatSSCC, ok, 0.5, true),
	}
}

// fedexCheckDigit is FedEx's weighted mod 11, folded to one digit.
func fedexCheckDigit(body string, weights []int) int {
	sum := 0
	for i := 0; i < len(body); i++ {
		sum += int(body[i]-'0') * weights[i%len(weights)]
	}
	return sum % 11 % 10
}

func detectFedEx12(n string) []found {
	if len(n) != 12 || !allDigits(n) {
		return nil
	}
	ok := fedexCheckDigit(n[:11], []int{3, 1, 7}) == int(n[11]-'0')
	return []found{checked(CarrierFedEx, formatFedEx12, ok, 0.7, false)}
}

func detectFedEx15(n string) []found {
	if len(n) != 15 || !allDigits(n) {
		return nil
	}
	return []found{checked(CarrierFedEx, formatFedEx15, gs1Valid(n), 0.7, false)}
}

// detectFedEx96 checks FedEx Ground's 22-digit "96" labels; the check digit
// covers only the shipper and package digits.
func detectFedEx96(n string) []found {
	if len(n) != 22 || !strings.HasPrefix(n, "96") || !allDigits(n) {
		return nil
	}
	return []found{checked(CarrierFedEx, formatFedEx96, gs1Valid(n[7:]), 0.9, true)}
}

// detectFedEx34 checks the 34-digit FedEx Express ("100…") and Ground
// ("96…") barcodes, whose check digit covers the last 13 serial digits.
func detectFedEx34(n string) []found {
	if len(n) != 34 || !allDigits(n) || !(strings.HasPrefix(n, "96") || strings.HasPrefix(n, "100")) {
		return nil
	}
	ok := fedexCheckDigit(n[20:33], []int{1, 7, 3}) == int(n[33]-'0')
	return []found{checked(CarrierFedEx, formatFedEx34, ok, 0.9, true)}
}

func detectCanadaPost(n string) []found {
	if len(n) != 16 || !allDigits(n) {
		return nil
	}
	return []found{checked(CarrierCanadaPost, formatCanadaPost, gs1Valid(n), 0.6, false)}
}

// detectDHLExpress checks 10- and 11-digit DHL Express waybills, whose last
// digit is the rest of the number modulo 7. One in seven random numbers
// passes, hence the modest confidence.
func detectDHLExpress(n string) []found {
	if (len(n) != 10 && len(n) != 11) || !allDigits(n) {
		return nil
	}
	body, _ := strconv.ParseUint(n[:len(n)-1], 10, 64)
	return []found{checked(CarrierDHLExpress, formatDHLExpress, body%7 == uint64(n[len(n)-1]-'0'), 0.6, false)}
}

// patterns are the formats without a public check digit, mostly Chinese
// cross-border carriers, whose formats are known only from the numbers
// they print. Several overlap on purpose: an "LP00…" number is Cainiao's
// or 4PX's, and only the aggregator knows.
var patterns = []struct {
	re         *regexp.Regexp
	carrier    string
	format     string
	confidence float64
}{
	{regexp.MustCompile(`^LP[0-9]{14}$`), CarrierCainiao, "cainiao", 0.55},
	{regexp.MustCompile(`^LP00[0-9]{12}$`), Carrier4PX, "4px", 0.5},
	{regexp.MustCompile(`^128[0-9]{23}$`), CarrierCainiao, "cainiao", 0.6},
	{regexp.MustCompile(`^CN[0-9]{13,16}$`), CarrierCainiao, "cainiao", 0.5},
	{regexp.MustCompile(`^YT[0-9]{16}$`), CarrierYunExpress, "yunexpress", 0.7},
	{regexp.MustCompile(`^4PX[0-9]{13}CN$`), Carrier4PX, "4px", 0.7},
	{regexp.MustCompile(`^3042[0-9]{8}$`), Carrier4PX, "4px", 0.4},
	{regexp.MustCompile(`^(U[A-Z]|VR)[0-9]{9}YP$`), CarrierYanwen, "yanwen", 0.7},
	{regexp.MustCompile(`^YD[0-9]{9}YW$`), CarrierYanwen, "yanwen", 0.7},
	{regexp.MustCompile(`^SF[0-9]{13,14}$`), CarrierSFExpress, "sf-express", 0.7},
	{regexp.MustCompile(`^JT[0-9]{13,14}$`), CarrierJT, "jt-express", 0.65},
	{regexp.MustCompile(`^J[A-Z][0-9]{10}$`), CarrierJT, "jt-express", 0.45},
	{regexp.MustCompile(`^(63[0-9]{10}|940[0-9]{9}|821[0-9]{9}|80[0-9]{10})$`), CarrierJT, "jt-express", 0.4},
	{regexp.MustCompile(`^SY[A-Z]{2}[0-9]{9}$`), CarrierSunYou, "sunyou", 0.65},
	{regexp.MustCompile(`^J[A-Z]{2,3}[0-9]{9,10}$`), CarrierDHLExpress, formatDHLPiece, 0.5},
}

func detectPatterns(n string) []found {
	var out []found
	for _, p := range patterns {
		if p.re.MatchString(n) {
			out = append(out, pattern(p.carrier, p.format, p.confidence))
		}
	}
	return out
}

var dhlEcommerceShape = regexp.MustCompile(`^(GM|LX|RX|UV|CN|SG|TH|IN|HK|MY)[0-9][A-Z0-9]{9,37}$`)

// detectDHLEcommerce matches DHL eCommerce's loose prefix-and-anything
// pattern. S10-shaped numbers are left to the S10 check (an "RX…DE" number
// with a wrong check digit is a typo, not DHL eCommerce), and a number must
// be mostly digits so that order references do not pass.
func detectDHLEcommerce(n string) []found {
	if !dhlEcommerceShape.MatchString(n) || s10Shaped(n) || countDigits(n) < 8 {
		return nil
	}
	confidence := 0.4
	if strings.HasPrefix(n, "GM") {
		// GM is the US service's own prefix; the others are country codes.
		confidence = 0.6
	}
	return []found{pattern(CarrierDHLEcommerce, formatDHLEcommerce, confidence)}
}
