package tracking

import (
	"strings"
	"unicode"
)

// Bounds of a normalized tracking number (docs/architecture.md, Input
// bounds). The longest real formats, USPS and FedEx barcode scans, have 34
// digits and a few more; 40 leaves room without letting whole sentences
// through.
const (
	minNumberLen = 6
	maxNumberLen = 40
)

// NormalizeNumber turns a number as people paste it into the form carriers
// use: upper case, full-width characters (U+FF01..U+FF5E, common in Chinese
// and Japanese shop e-mails) mapped to ASCII, and spaces, dashes and
// invisible formatting characters removed. Numbers of the demo carrier
// ("demo-stalled-de") keep their dashes, which separate the scenario from
// its suffix; any kind of dash becomes "-" there.
func NormalizeNumber(raw string) string {
	var b strings.Builder
	b.Grow(len(raw))
	for _, r := range raw {
		r = foldWidth(r)
		switch {
		case unicode.IsSpace(r), unicode.Is(unicode.Cf, r):
			continue
		case isDash(r):
			r = '-'
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	n := b.String()
	if strings.HasPrefix(n, "DEMO") {
		return n
	}
	return strings.ReplaceAll(n, "-", "")
}

// foldWidth maps the full-width forms of ASCII to ASCII.
func foldWidth(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		return r - 0xFEE0
	}
	return r
}

// isDash reports dashes of any kind: word processors and phone keyboards
// turn "-" into en and em dashes behind the user's back.
func isDash(r rune) bool {
	return unicode.Is(unicode.Pd, r) || r == '\u2212'
}

// ValidNumber reports whether a normalized number has 6 to 40 characters,
// all of them A–Z, 0–9, "_" or "-".
func ValidNumber(n string) bool {
	if len(n) < minNumberLen || len(n) > maxNumberLen {
		return false
	}
	for i := 0; i < len(n); i++ {
		if !isNumberChar(n[i]) {
			return false
		}
	}
	return true
}

func isNumberChar(c byte) bool {
	return isUpper(c) || isDigit(c) || c == '_' || c == '-'
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}
