package tracking

import (
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDetectKnownResults(t *testing.T) {
	t.Run("valid S10", func(t *testing.T) {
		d := Detect("RR123456785CN")
		if !d.Valid || d.Mistyped || d.Reason != "" {
			t.Fatalf("Valid=%v Mistyped=%v Reason=%q, want a valid number", d.Valid, d.Mistyped, d.Reason)
		}
		want := Candidate{Carrier: CarrierChinaPost, Format: "s10", Checksum: ChecksumValid}
		if got := first(t, d); got.Carrier != want.Carrier || got.Format != want.Format || got.Checksum != want.Checksum {
			t.Errorf("first candidate = %+v, want %+v", got, want)
		}
		if d.OriginCountry != "CN" || d.Service != "registered" {
			t.Errorf("origin %q service %q, want CN registered", d.OriginCountry, d.Service)
		}
	})
	t.Run("mistyped S10", func(t *testing.T) {
		d := Detect("RR123456789CN")
		if d.Valid || !d.Mistyped || d.Reason != ReasonChecksum {
			t.Fatalf("Valid=%v Mistyped=%v Reason=%q, want a mistyped number", d.Valid, d.Mistyped, d.Reason)
		}
		if got := first(t, d); got.Format != "s10" || got.Checksum != ChecksumInvalid {
			t.Errorf("first candidate = %+v, want an invalid s10", got)
		}
	})
	t.Run("messy input", func(t *testing.T) {
		if d := Detect(" rr 123-456-785 cn "); d.Number != "RR123456785CN" || !d.Valid {
			t.Errorf("Number=%q Valid=%v, want RR123456785CN valid", d.Number, d.Valid)
		}
	})
}

// checksumFormats lists, per check-digit format, published valid numbers
// (carrier-apis.md §8 and tracking_number_data's test numbers) and where to
// damage them. Positions count from the start, or from the end when
// negative, so that one position fits numbers of several lengths.
//
// A change replaces the digit at a position by the next digit. A swap
// trades the first pair of adjacent digits, at or after its position, that
// differ and that the check digit can tell apart: GS1 mod 10 (weights 3
// and 1) cannot see a swap of digits five apart, and mod 7 cannot see one
// of digits seven apart, so blind skips those. The mod-11 checks (S10,
// FedEx) fold two remainders onto one check digit, which no digit rule
// describes; their positions were picked so that the damage moves the
// remainder elsewhere.
var checksumFormats = []struct {
	format  string
	carrier string
	strict  bool
	valid   []string
	change  []int
	swap    []int
	blind   func(a, b byte) bool
}{
	{
		format: "s10", carrier: CarrierChinaPost, strict: true,
		valid:  []string{"RR123456785CN", "LP176445020CN"},
		change: []int{2, 6, 10}, swap: []int{3, 8},
	},
	{
		format: "s10", carrier: CarrierRoyalMail, strict: true,
		valid:  []string{"TQ071537693GB", "RB123456785GB"},
		change: []int{2, 6, 10}, swap: []int{3, 8},
	},
	{
		format: "s10", carrier: CarrierCanadaPost, strict: true,
		valid:  []string{"PG616083375CA"},
		change: []int{2, 6, 10}, swap: []int{3, 8},
	},
	{
		format: "s10", carrier: CarrierDHLPaket, strict: true,
		valid:  []string{"CU707538487DE"},
		change: []int{2, 6, 10}, swap: []int{3, 8},
	},
	{
		format: "s10", carrier: CarrierChinaEMS, strict: true,
		valid:  []string{"EV008712571CN"},
		change: []int{2, 6, 10}, swap: []int{3, 8},
	},
	{
		// Letters may sit between the digits; only digits are damaged. The
		// last body character and the check digit both weigh 1, so no swap
		// reaches that far.
		format: "ups-1z", carrier: CarrierUPS, strict: true,
		valid:  []string{"1Z5R89390357567127", "1Z999AA10123456784", "1Z96F4R8D313969574"},
		change: []int{10, 13, 17}, swap: []int{10, 13},
	},
	{
		format: "usps-impb", carrier: CarrierUSPS, strict: true,
		valid: []string{
			"9505511069605048600624", "9101123456789000000013", "9400111201080805483016",
			"9361289878700317633795", "9405803699300124287899", "92748931507708513018050063",
			// Scans with the "420" + ZIP5 or ZIP9 routing code in front.
			"420221539101026837331000039521", "4201002334249200190132607600833457",
			"4201028200009261290113185417468510",
		},
		change: []int{-1, -6, -13}, swap: []int{-4, -12}, blind: fiveApart,
	},
	{
		format: "usps-20", carrier: CarrierUSPS,
		valid:  []string{"03071790000523483741", "71123456789123456787"},
		change: []int{4, 11, -1}, swap: []int{5, 12}, blind: fiveApart,
	},
	{
		format: "usps-legacy", carrier: CarrierUSPS,
		valid:  []string{"71969010756003077385"},
		change: []int{4, 11, -1}, swap: []int{5, 12}, blind: fiveApart,
	},
	{
		format: "gs1-sscc", carrier: CarrierDHLPaket, strict: true,
		valid:  []string{"00340434292135100124", "00340434498968565356", "00340434161094042557"},
		change: []int{9, 14, -1}, swap: []int{10, 15}, blind: fiveApart,
	},
	{
		format: "fedex-12", carrier: CarrierFedEx,
		valid:  []string{"986578788855", "477179081230", "799531274483", "790535312317", "974367662710"},
		change: []int{0, 5, -1}, swap: []int{2, 8},
	},
	{
		format: "fedex-15", carrier: CarrierFedEx,
		valid:  []string{"041441760228964", "568283610012000", "568283610012734"},
		change: []int{1, 8, -1}, swap: []int{3, 10}, blind: fiveApart,
	},
	{
		// Only the shipper and package digits after "96" + 5 are checked.
		format: "fedex-96", carrier: CarrierFedEx, strict: true,
		valid:  []string{"9611020987654312345672"},
		change: []int{8, 15, -1}, swap: []int{9, 16}, blind: fiveApart,
	},
	{
		// Only the last 13 digits before the check digit are checked.
		format: "fedex-34", carrier: CarrierFedEx, strict: true,
		valid: []string{
			"1001921334250001000300779017972697", "1001921380360001000300639585804382",
			"1002297871540001000300790695517286", "9622001900000000000000776632517510",
			"9622001560001234567100794808390594",
		},
		change: []int{-1, -4, -12}, swap: []int{-4, -11},
	},
	{
		format: "dhl-express", carrier: CarrierDHLExpress,
		valid:  []string{"3318810025", "8487135506", "3318810036", "3318810014", "73891051146"},
		change: []int{0, 4, -1}, swap: []int{1, 5}, blind: sevenApart,
	},
	{
		format: "canada-post-16", carrier: CarrierCanadaPost,
		valid:  []string{"0073938000549297", "7035114477138472", "4002847016405018"},
		change: []int{3, 9, -1}, swap: []int{4, 11}, blind: fiveApart,
	},
}

func fiveApart(a, b byte) bool  { return a-b == 5 || b-a == 5 }
func sevenApart(a, b byte) bool { return a-b == 7 || b-a == 7 }

func TestDetectChecksumFormats(t *testing.T) {
	for _, tf := range checksumFormats {
		t.Run(tf.format+"/"+tf.carrier, func(t *testing.T) {
			for _, n := range tf.valid {
				t.Run(n, func(t *testing.T) {
					d := Detect(n)
					if !d.Valid || d.Mistyped {
						t.Fatalf("Valid=%v Mistyped=%v, want a valid number", d.Valid, d.Mistyped)
					}
					c, ok := candidateOf(d, tf.format)
					if !ok || c.Checksum != ChecksumValid || c.Carrier != tf.carrier {
						t.Fatalf("candidates %+v, want a valid %s of %s", d.Candidates, tf.format, tf.carrier)
					}
					if got := first(t, d); got != c {
						t.Errorf("first candidate %+v, want the valid %s %+v", got, tf.format, c)
					}
					for _, bad := range damage(t, n, tf.change, tf.swap, tf.blind) {
						assertChecksumFails(t, bad, tf.format, tf.strict)
					}
				})
			}
		})
	}
}

// damage returns the valid number n with one digit changed at each change
// position and one pair of digits swapped for each swap position.
func damage(t *testing.T, n string, change, swap []int, blind func(a, b byte) bool) []string {
	t.Helper()
	at := func(p int) int {
		if p < 0 {
			p += len(n)
		}
		if p < 0 || p >= len(n) {
			t.Fatalf("position %d out of range in %s", p, n)
		}
		return p
	}
	var out []string
	for _, p := range change {
		i := at(p)
		b := []byte(n)
		if !isDigit(b[i]) {
			t.Fatalf("%s: position %d holds %q, not a digit", n, p, b[i])
		}
		b[i] = '0' + (b[i]-'0'+1)%10
		out = append(out, string(b))
	}
	for _, p := range swap {
		i := at(p)
		// Equal digits would make the swap a no-op and the test vacuous.
		for i+1 < len(n) && (!isDigit(n[i]) || !isDigit(n[i+1]) || n[i] == n[i+1] || blind != nil && blind(n[i], n[i+1])) {
			i++
		}
		if i+1 >= len(n) {
			t.Fatalf("%s: no pair of digits to swap from position %d", n, p)
		}
		b := []byte(n)
		b[i], b[i+1] = b[i+1], b[i]
		out = append(out, string(b))
	}
	for _, bad := range out {
		if bad == n {
			t.Fatalf("damaging %s left it unchanged", n)
		}
	}
	return out
}

// assertChecksumFails checks that a damaged number no longer passes as
// format. The failed candidate is listed unless another format explains the
// number; strict formats must call the number mistyped.
func assertChecksumFails(t *testing.T, n, format string, strict bool) {
	t.Helper()
	d := Detect(n)
	c, ok := candidateOf(d, format)
	switch {
	case ok && c.Checksum != ChecksumInvalid:
		t.Errorf("%s: %s checksum %q, want invalid", n, format, c.Checksum)
	case ok && c.Confidence > 0.2:
		t.Errorf("%s: confidence %v for a failed check digit, want low", n, c.Confidence)
	case !ok && !slices.ContainsFunc(d.Candidates, func(c Candidate) bool { return c.Checksum != ChecksumInvalid }):
		t.Errorf("%s: no %s candidate in %+v, want the failed one listed", n, format, d.Candidates)
	}
	if strict && (d.Valid || !d.Mistyped || d.Reason != ReasonChecksum || !ok) {
		t.Errorf("%s: Valid=%v Mistyped=%v Reason=%q candidates %+v, want a mistyped %s", n, d.Valid, d.Mistyped, d.Reason, d.Candidates, format)
	}
}

func TestDetectWeakShapesAreNotMistyped(t *testing.T) {
	// Bare digits of these lengths are used by carriers without public check
	// digits too, so a failed check must not reject the number.
	for _, n := range []string{"3318810034", "73891051149", "996578788855", "568283610012732", "5002847016405018", "03071790000523483742"} {
		t.Run(n, func(t *testing.T) {
			d := Detect(n)
			if !d.Valid || d.Mistyped || d.Reason != "" {
				t.Errorf("Valid=%v Mistyped=%v Reason=%q, want valid", d.Valid, d.Mistyped, d.Reason)
			}
			if len(d.Candidates) == 0 || d.Candidates[0].Checksum != ChecksumInvalid {
				t.Errorf("candidates %+v, want the failed check-digit format listed", d.Candidates)
			}
		})
	}
}

func TestDetectMistypedNeedsNoPatternFit(t *testing.T) {
	tests := []struct {
		number   string
		mistyped bool
	}{
		{"1Z999AA10123456785", true},
		{"9600000000000000000001", true},
		{"00340434161094042558", true},
		{"420000009200000000000000000000", true},
		// Yanwen's S10-shaped numbers carry a made-up suffix: not S10 at all.
		{"UG336196744YP", false},
		// S10 shape, but XX is no country: nothing is known, nothing is wrong.
		{"RB123456785XX", false},
	}
	for _, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			d := Detect(tt.number)
			if d.Mistyped != tt.mistyped || d.Valid == tt.mistyped {
				t.Errorf("Mistyped=%v Valid=%v, want Mistyped=%v", d.Mistyped, d.Valid, tt.mistyped)
			}
		})
	}
}

func TestDetectPatternFormats(t *testing.T) {
	tests := []struct {
		number   string
		carriers []string // every candidate, best first
		format   string   // of the first candidate
	}{
		{"LP00492755414105", []string{CarrierCainiao, Carrier4PX}, "cainiao"},
		{"LP12345678901234", []string{CarrierCainiao}, "cainiao"},
		{"12876900007000242694867001", []string{CarrierCainiao}, "cainiao"},
		{"YT2229521272164446", []string{CarrierYunExpress}, "yunexpress"},
		{"4PX1234567890123CN", []string{Carrier4PX}, "4px"},
		{"UG336196744YP", []string{CarrierYanwen}, "yanwen"},
		{"VR123456789YP", []string{CarrierYanwen}, "yanwen"},
		{"YD123456789YW", []string{CarrierYanwen}, "yanwen"},
		{"SF6043310798724", []string{CarrierSFExpress}, "sf-express"},
		{"SF60433107987241", []string{CarrierSFExpress}, "sf-express"},
		{"JT5091156768308", []string{CarrierJT}, "jt-express"},
		{"JT50911567683081", []string{CarrierJT}, "jt-express"},
		{"SYUS006662718", []string{CarrierSunYou}, "sunyou"},
		{"JJD0099999999", []string{CarrierDHLExpress}, "dhl-piece"},
		{"GM2951173225174494", []string{CarrierDHLEcommerce}, "dhl-ecommerce"},
		{"CN1234567890123", []string{CarrierCainiao, CarrierDHLEcommerce}, "cainiao"},
		// A failed check digit of the same length is not worth listing.
		{"304212345678", []string{Carrier4PX}, "4px"},
	}
	for _, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			d := Detect(tt.number)
			if !d.Valid {
				t.Fatalf("Valid=false (%s), want true", d.Reason)
			}
			var carriers []string
			for _, c := range d.Candidates {
				carriers = append(carriers, c.Carrier)
			}
			if !slices.Equal(carriers, tt.carriers) {
				t.Errorf("carriers %v, want %v", carriers, tt.carriers)
			}
			c := first(t, d)
			if c.Format != tt.format || c.Checksum != ChecksumNone {
				t.Errorf("first candidate %+v, want format %s without checksum", c, tt.format)
			}
			if c.Confidence < 0.4 || c.Confidence > 0.7 {
				t.Errorf("confidence %v, want a pattern's 0.4–0.7", c.Confidence)
			}
		})
	}
}

func TestDetectPlainTextIsNoDHLEcommerce(t *testing.T) {
	// The DHL eCommerce prefixes are country codes and English words.
	for _, n := range []string{"INTERNATIONAL", "INV2024ABCDEFGH", "MYPARCEL12345", "RX123456785XX"} {
		if d := Detect(n); len(d.Candidates) != 0 {
			t.Errorf("Detect(%q) candidates %+v, want none", n, d.Candidates)
		}
	}
}

func TestDetectRanking(t *testing.T) {
	tests := []struct {
		number string
		order  []string // format/carrier, best first
	}{
		// Deutsche Post's GS1 company prefix names the carrier of an SSCC;
		// other SSCCs may be either DHL's.
		{"00340434292135100124", []string{"gs1-sscc/dhl-paket"}},
		{"00123456789012345675", []string{"gs1-sscc/dhl-paket", "gs1-sscc/dhl-ecommerce"}},
		// A passed check digit ranks above a pattern of the same shape.
		{"630123456783", []string{"fedex-12/fedex", "jt-express/jt-express"}},
		// A failed one is dropped when a pattern explains the number.
		{"630123456789", []string{"jt-express/jt-express"}},
		{"LP00492755414105", []string{"cainiao/cainiao", "4px/4px"}},
		{"71969010756003077385", []string{"usps-legacy/usps"}},
	}
	for _, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			d := Detect(tt.number)
			var order []string
			for _, c := range d.Candidates {
				order = append(order, c.Format+"/"+c.Carrier)
			}
			if !slices.Equal(order, tt.order) {
				t.Errorf("candidates %v, want %v", order, tt.order)
			}
			if !slices.IsSortedFunc(d.Candidates, func(a, b Candidate) int { return cmp.Compare(b.Confidence, a.Confidence) }) {
				t.Errorf("candidates not ranked by confidence: %+v", d.Candidates)
			}
		})
	}
}

func TestDetectS10Details(t *testing.T) {
	tests := []struct {
		number, country, service string
	}{
		{"RR123456785CN", "CN", "registered"},
		{"EV008712571CN", "CN", "EMS"},
		{"LP176445020CN", "CN", "letter express"},
		{"CU707538487DE", "DE", "parcel"},
		{"PG616083375CA", "CA", "domestic"},
		{"VV123456785FR", "FR", "insured"},
		{"HA123456785NL", "NL", "e-commerce parcel"},
		// A typo in the digits leaves the country readable.
		{"RR123456789CN", "CN", "registered"},
		{"UG336196744YP", "", ""},
		{"1Z999AA10123456784", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			d := Detect(tt.number)
			if d.OriginCountry != tt.country || d.Service != tt.service {
				t.Errorf("origin %q service %q, want %q %q", d.OriginCountry, d.Service, tt.country, tt.service)
			}
		})
	}
	t.Run("other posts", func(t *testing.T) {
		c := first(t, Detect("VV123456785FR"))
		if c.Carrier != "post-fr" || c.Checksum != ChecksumValid || c.Confidence < 0.9 {
			t.Errorf("candidate %+v, want a valid post-fr", c)
		}
	})
}

func TestDetectDemo(t *testing.T) {
	for _, raw := range []string{"DEMO-LIVE", "demo-stalled-de", " Demo-Customs ", "ＤＥＭＯ－ＬＩＶＥ", "demo–live-2"} {
		t.Run(raw, func(t *testing.T) {
			d := Detect(raw)
			want := Candidate{Carrier: CarrierDemo, Format: "demo", Checksum: ChecksumNone, Confidence: 1}
			if !d.Valid || len(d.Candidates) != 1 || d.Candidates[0] != want {
				t.Errorf("Detect(%q) = %+v, want only %+v", raw, d, want)
			}
		})
	}
}

func TestDetectShippoTestNumbers(t *testing.T) {
	want := Candidate{Carrier: CarrierShippoTest, Format: "shippo-test", Checksum: ChecksumNone, Confidence: 1}
	for _, raw := range []string{"SHIPPO_TRANSIT", "shippo_pre_transit", " SHIPPO_UNKNOWN "} {
		if d := Detect(raw); !d.Valid || len(d.Candidates) != 1 || d.Candidates[0] != want {
			t.Errorf("Detect(%q) = %+v, want only %+v", raw, d, want)
		}
	}
	// Only Shippo's own sample numbers: anything else with the prefix is
	// an ordinary unknown number.
	if d := Detect("SHIPPO_IN_TRANSIT"); len(d.Candidates) != 0 {
		t.Errorf("Detect(SHIPPO_IN_TRANSIT) = %+v, want no candidate", d)
	}
}

func TestDetectBounds(t *testing.T) {
	tests := []struct {
		raw, reason string
	}{
		{"", ReasonTooShort},
		{"AB12", ReasonTooShort},
		{strings.Repeat("7", 41), ReasonTooLong},
		{"RR123456785CN!", ReasonBadChars},
		{"RR12345678É5CN", ReasonBadChars},
		{"abc.def.ghi", ReasonBadChars},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			d := Detect(tt.raw)
			if d.Valid || d.Reason != tt.reason || d.Mistyped {
				t.Errorf("Valid=%v Reason=%q Mistyped=%v, want reason %q", d.Valid, d.Reason, d.Mistyped, tt.reason)
			}
			if d.Candidates == nil || len(d.Candidates) != 0 {
				t.Errorf("candidates %#v, want an empty slice", d.Candidates)
			}
		})
	}
}

func TestDetectJSON(t *testing.T) {
	tests := []struct {
		raw, want string
	}{
		{"hello world", `{"number":"HELLOWORLD","valid":true,"candidates":[],"origin_country":""}`},
		{"RR123456785CN", `{"number":"RR123456785CN","valid":true,"candidates":[{"carrier":"china-post","format":"s10","checksum":"valid","confidence":0.95}],"origin_country":"CN"}`},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			b, err := json.Marshal(Detect(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("JSON\n got %s\nwant %s", b, tt.want)
			}
		})
	}
}

func TestDetectCarriersAreKnown(t *testing.T) {
	var numbers []string
	for _, tf := range checksumFormats {
		numbers = append(numbers, tf.valid...)
	}
	numbers = append(numbers, "LP00492755414105", "12876900007000242694867001", "YT2229521272164446",
		"UG336196744YP", "SF6043310798724", "JT5091156768308", "630123456789", "SYUS006662718",
		"JJD0099999999", "GM2951173225174494", "00123456789012345675", "VV123456785FR", "DEMO-LIVE")
	for _, n := range numbers {
		for _, c := range Detect(n).Candidates {
			if _, ok := LookupCarrier(c.Carrier); !ok {
				t.Errorf("Detect(%q) names carrier %q, unknown to LookupCarrier", n, c.Carrier)
			}
		}
	}
}

func TestNormalizeNumber(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"already normal", "RR123456785CN", "RR123456785CN"},
		{"lower case", "rr123456785cn", "RR123456785CN"},
		{"spaces and dashes", " rr 123-456-785 cn ", "RR123456785CN"},
		{"tabs and newlines", "\t1Z 999 AA1\n0123 4567 84\r\n", "1Z999AA10123456784"},
		{"full-width", "ＲＲ１２３４５６７８５ＣＮ", "RR123456785CN"},
		{"ideographic space and nbsp", "RR\u3000123\u00a0456 785CN", "RR123456785CN"},
		{"typographic dashes", "RR–123—456‑785−CN", "RR123456785CN"},
		{"zero-width space", "RR123\u200b456785CN", "RR123456785CN"},
		{"demo keeps dashes", "demo-live", "DEMO-LIVE"},
		{"demo with suffix", " Demo-Stalled-de ", "DEMO-STALLED-DE"},
		{"demo with en dash", "demo–live", "DEMO-LIVE"},
		{"full-width demo", "ｄｅｍｏ－ｌｉｖｅ", "DEMO-LIVE"},
		{"underscore kept", "ab_12345", "AB_12345"},
		{"punctuation kept for the bounds check", "RR123.456", "RR123.456"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeNumber(tt.raw); got != tt.want {
				t.Errorf("NormalizeNumber(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestValidNumber(t *testing.T) {
	tests := []struct {
		n    string
		want bool
	}{
		{"ABC123", true},
		{"ABC12", false},
		{strings.Repeat("A", 40), true},
		{strings.Repeat("A", 41), false},
		{"", false},
		{"DEMO-STALLED-DE", true},
		{"AB_123", true},
		{"abc123", false}, // not normalized
		{"ABC 123", false},
		{"ABC.123", false},
		{"ÄBC123", false},
	}
	for _, tt := range tests {
		t.Run(tt.n, func(t *testing.T) {
			if got := ValidNumber(tt.n); got != tt.want {
				t.Errorf("ValidNumber(%q) = %v, want %v", tt.n, got, tt.want)
			}
		})
	}
}

func TestFindNumbers(t *testing.T) {
	email, err := os.ReadFile(filepath.Join("testdata", "detect", "shipping-email.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		want       []string
	}{
		{
			// Two parcels, one of them linked again further down, among a
			// date, a phone number, an order id and a postcode.
			name: "shipping e-mail",
			text: string(email),
			want: []string{"RR123456785CN", "1Z999AA10123456784"},
		},
		{
			name: "numbers in a sentence",
			text: "Parcels: 1Z5R89390357567127, LP176445020CN; and 9400111201080805483016.",
			want: []string{"1Z5R89390357567127", "LP176445020CN", "9400111201080805483016"},
		},
		{
			name: "full-width order page",
			text: "您的运单号：ＲＲ１２３４５６７８５ＣＮ，已发货。",
			want: []string{"RR123456785CN"},
		},
		{
			name: "printed in blocks",
			text: "FedEx tracking 7905 3531 2317\nUSPS 9400 1112 0108 0805 4830 16\n",
			want: []string{"790535312317", "9400111201080805483016"},
		},
		{
			name: "failed check digits are left out",
			text: "RR123456789CN 1Z999AA10123456785 996578788855",
			want: nil,
		},
		{
			name: "Shippo test numbers",
			text: "try shippo_pre_transit, then SHIPPO_DELIVERED; not SHIPPO_TRANSIT_2 or SHIPPO_LATE",
			want: []string{"SHIPPO_PRE_TRANSIT", "SHIPPO_DELIVERED"},
		},
		{
			name: "pattern formats",
			text: "AliExpress LP00492755414105, YunExpress YT2229521272164446 (Temu)",
			want: []string{"LP00492755414105", "YT2229521272164446"},
		},
		{
			name: "demo numbers",
			text: "Try demo-live or DEMO–STALLED-DE. A demo of trackbot.",
			want: []string{"DEMO-LIVE", "DEMO-STALLED-DE"},
		},
		{
			name: "a word in front does not spoil a number",
			text: "my 1Z 999 AA1 0123 4567 84 and in RR123456785CN",
			want: []string{"1Z999AA10123456784", "RR123456785CN"},
		},
		{
			name: "phone numbers, dates, amounts",
			text: "Call +44 20 7946 0958 or (555) 123-4567 by 2024-03-19, 19.03.2024 or 03/19/2024; total $1,234.56; ref 112-3456789-1234567",
			want: nil,
		},
		{
			// Both pass a weak check digit, but "+" and "#" say what they are.
			name: "tagged phone and order numbers",
			text: "Call +491701234564 about order #4839201743.",
			want: nil,
		},
		{
			name: "bare waybill",
			text: "DHL waybill: 4839201743",
			want: []string{"4839201743"},
		},
		{
			name: "nothing",
			text: "",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FindNumbers(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("FindNumbers = %q, want %q", got, tt.want)
			}
		})
	}
}

func first(t *testing.T, d Detection) Candidate {
	t.Helper()
	if len(d.Candidates) == 0 {
		t.Fatalf("Detect(%q): no candidates", d.Number)
	}
	return d.Candidates[0]
}

func candidateOf(d Detection, format string) (Candidate, bool) {
	for _, c := range d.Candidates {
		if c.Format == format {
			return c, true
		}
	}
	return Candidate{}, false
}
