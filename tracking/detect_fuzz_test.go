package tracking

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// numberSeeds are inputs of every kind the detector tells apart: valid and
// mistyped check-digit formats, pattern formats, demo and Shippo test
// numbers, full-width and dashed spellings, and out-of-bounds input.
var numberSeeds = []string{
	"RR123456785CN", "RR123456789CN", "rr 123 456 785 cn", "ＲＲ１２３４５６７８５ＣＮ",
	"1Z2617V10397725789", "1Z 999 AA1 0123 4567 84", "9400111899223197428490",
	"420902109400111899223197428490", "00340434161094042557", "3344556677",
	"123456789012", "7489 6510 1234 5678", "JVGL0612345678901234", "GMDBD8E9CCE94842E495B7",
	"DEMO-LIVE", "demo–stalled–de", "-DEMO-x", "SHIPPO_DELIVERED", "12345",
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFG", "LP00\u200b1234\u20135678", "a\x00b",
	"\u202eRR123456785CN", "",
}

func FuzzDetect(f *testing.F) {
	for _, s := range numberSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		d := Detect(raw)
		if d.Number != NormalizeNumber(raw) {
			t.Fatalf("Number %q, want NormalizeNumber's %q", d.Number, NormalizeNumber(raw))
		}
		if again := Detect(d.Number); !reflect.DeepEqual(again, d) {
			t.Fatalf("Detect of the normalized number differs:\n%+v\n%+v", again, d)
		}
		if d.Candidates == nil {
			t.Fatal("nil Candidates")
		}
		if d.Valid != (d.Reason == "") {
			t.Fatalf("Valid=%v with Reason %q", d.Valid, d.Reason)
		}
		if d.Valid && !ValidNumber(d.Number) {
			t.Fatalf("valid detection of %q, which ValidNumber refuses", d.Number)
		}
		if d.Mistyped && (d.Valid || d.Reason != ReasonChecksum) {
			t.Fatalf("Mistyped with Valid=%v Reason=%q", d.Valid, d.Reason)
		}
		for i, c := range d.Candidates {
			if c.Confidence < 0 || c.Confidence > 1 {
				t.Fatalf("candidate %+v: confidence out of [0,1]", c)
			}
			if !slices.Contains([]string{ChecksumValid, ChecksumInvalid, ChecksumNone}, c.Checksum) {
				t.Fatalf("candidate %+v: checksum %q", c, c.Checksum)
			}
			if i > 0 && c.Confidence > d.Candidates[i-1].Confidence {
				t.Fatalf("candidates not ranked best first: %+v", d.Candidates)
			}
		}
	})
}

func FuzzNormalizeNumber(f *testing.F) {
	for _, s := range numberSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		n := NormalizeNumber(raw)
		if again := NormalizeNumber(n); again != n {
			t.Fatalf("NormalizeNumber(%q) = %q, but NormalizeNumber(%q) = %q", raw, n, n, again)
		}
		for _, r := range n {
			if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || r >= 0xFF01 && r <= 0xFF5E {
				t.Fatalf("NormalizeNumber(%q) = %q keeps %U", raw, n, r)
			}
		}
		if !strings.HasPrefix(n, "DEMO") && strings.Contains(n, "-") {
			t.Fatalf("NormalizeNumber(%q) = %q keeps a dash", raw, n)
		}
	})
}

// textSeeds are free texts as people paste them: shipping e-mails, order
// pages with dates, phone and order numbers, and numbers in groups.
var textSeeds = []string{
	"Your parcel RR 123 456 785 CN has shipped. Order #123456789, call +49 170 1234567.",
	"UPS: 1Z 999 AA1 0123 4567 84 — delivered 2024-05-01",
	"USPS 9400 1118 9922 3197 4284 90 and FedEx 7489 6510 1234 5678",
	"track DEMO-LIVE and demo-stalled-de please, also SHIPPO_TRANSIT",
	"RR123456789CN (typo?) LX123456785CN LX123456785CN",
	"ＲＲ１２３４５６７８５ＣＮ 到了吗",
	"MY 1Z2617V10397725789",
	"",
}

func FuzzFindNumbers(f *testing.F) {
	for _, s := range textSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := FindNumbers(text)
		for i, n := range got {
			if !ValidNumber(n) {
				t.Fatalf("FindNumbers(%q) found %q, which ValidNumber refuses", text, n)
			}
			if NormalizeNumber(n) != n {
				t.Fatalf("FindNumbers(%q) found %q, not normalized", text, n)
			}
			if !Detect(n).Valid {
				t.Fatalf("FindNumbers(%q) found %q, which Detect calls invalid", text, n)
			}
			if slices.Contains(got[:i], n) {
				t.Fatalf("FindNumbers(%q) found %q twice", text, n)
			}
		}
	})
}

func FuzzFindMistyped(f *testing.F) {
	for _, s := range textSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := FindMistyped(text)
		for i, n := range got {
			if d := Detect(n); !d.Mistyped || d.Number != n {
				t.Fatalf("FindMistyped(%q) found %q, which Detect makes %+v", text, n, d)
			}
			if slices.Contains(got[:i], n) {
				t.Fatalf("FindMistyped(%q) found %q twice", text, n)
			}
		}
	})
}
