package tracking

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxJoin bounds how many space-separated pieces FindNumbers glues into one
// number; "1Z 999 AA1 0123 4567 84" has six.
const maxJoin = 8

// word is a run of ASCII letters and digits in free text.
type word struct {
	text string // upper-cased
	// tagged is set when "+" or "#" comes right before the word: the marks
	// of phone numbers and order numbers.
	tagged bool
	// joinable is set when the separator after the word is short and made
	// of spaces or a dash, so that a number may continue past it.
	joinable bool
	// dash is set when that separator is exactly one dash, as inside the
	// demo numbers.
	dash bool
	// underscore is set when that separator is exactly one underscore, as
	// inside Shippo's test numbers.
	underscore bool
}

// FindNumbers finds every tracking number in free text, such as a pasted
// shipping e-mail or order page, and returns them normalized, without
// duplicates, in order of first appearance; nil when there is none.
//
// Check-digit formats count only when the check digit passes, and pattern
// formats only when they carry letters or are long, so that dates, phone
// numbers and order ids stay out. Numbers printed in groups ("RR 123 456
// 785 CN") are glued back together when the result passes a check digit of
// a distinctive shape, or when the groups are the blocks of four digits
// that FedEx and USPS print.
func FindNumbers(text string) []string {
	words := splitWords(text)
	used := make([]bool, len(words))
	type hit struct {
		at     int
		number string
	}
	var hits []hit
	// Distinctive numbers go first, so that a loose pattern cannot swallow
	// them together with the word in front ("MY 1Z…" fits DHL eCommerce).
	for _, distinctive := range []bool{true, false} {
		for i := 0; i < len(words); {
			if used[i] {
				i++
				continue
			}
			n, end := numberAt(words, used, i, distinctive)
			if n == "" {
				i++
				continue
			}
			for k := i; k < end; k++ {
				used[k] = true
			}
			hits = append(hits, hit{i, n})
			i = end
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Compare(a.at, b.at) })
	var out []string
	for _, h := range hits {
		if !slices.Contains(out, h.number) {
			out = append(out, h.number)
		}
	}
	return out
}

// FindMistyped finds the words of free text that have the shape of a
// check-digit format but fail its check digit, such as "RR123456789CN":
// numbers a person most likely copied with a typo, which FindNumbers leaves
// out. They are returned normalized, without duplicates, in order.
func FindMistyped(text string) []string {
	var out []string
	for _, w := range splitWords(text) {
		if len(w.text) < minNumberLen || countDigits(w.text) < 6 || slices.Contains(out, w.text) {
			continue
		}
		if Detect(w.text).Mistyped {
			out = append(out, w.text)
		}
	}
	return out
}

// splitWords cuts text into words of ASCII letters and digits, after
// folding full-width characters, and notes what separates each word from
// the next.
func splitWords(text string) []word {
	var words []word
	var cur, sep strings.Builder
	var prev rune
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		if len(words) > 0 {
			last, between := &words[len(words)-1], sep.String()
			last.joinable, last.dash = joinable(between)
			last.underscore = between == "_"
		}
		words = append(words, word{text: strings.ToUpper(cur.String()), tagged: prev == '+' || prev == '#'})
		cur.Reset()
		sep.Reset()
	}
	for _, r := range text {
		r = foldWidth(r)
		if r < utf8.RuneSelf && (isDigit(byte(r)) || isUpper(byte(r)) || (r >= 'a' && r <= 'z')) {
			if cur.Len() == 0 {
				prev = 0
				if sep.Len() > 0 {
					prev = rune(sep.String()[sep.Len()-1])
				}
			}
			cur.WriteRune(r)
			continue
		}
		flush()
		switch {
		case r == '\n' || r == '\r':
			sep.WriteByte('\n')
		case unicode.IsSpace(r):
			sep.WriteByte(' ')
		case isDash(r):
			sep.WriteByte('-')
		case r == '+' || r == '#' || r == '_':
			sep.WriteRune(r)
		default:
			sep.WriteByte('.')
		}
	}
	flush()
	return words
}

// joinable tells whether a separator may sit inside a printed number: at
// most three spaces, or one dash.
func joinable(sep string) (join, dash bool) {
	if sep == "-" {
		return true, true
	}
	if len(sep) == 0 || len(sep) > 3 {
		return false, false
	}
	return strings.Trim(sep, " ") == "", false
}

// numberAt returns the longest number that starts at words[i], and the
// index of the word after it; "" when none starts there. With distinctive
// set it only accepts demo numbers and check-digit-valid numbers of a
// distinctive shape.
func numberAt(words []word, used []bool, i int, distinctive bool) (string, int) {
	if distinctive && words[i].text == "DEMO" {
		if n, end := demoAt(words, used, i); n != "" {
			return n, end
		}
	}
	if distinctive && words[i].text == "SHIPPO" {
		if n, end := shippoTestAt(words, used, i); n != "" {
			return n, end
		}
	}
	last, size := i, len(words[i].text)
	for last+1 < len(words) && last+1-i < maxJoin && words[last].joinable && !used[last+1] {
		size += len(words[last+1].text)
		if size > maxNumberLen {
			break
		}
		last++
	}
	for j := last; j >= i; j-- {
		group := words[i : j+1]
		var b strings.Builder
		for _, w := range group {
			b.WriteString(w.text)
		}
		n := b.String()
		if len(n) < minNumberLen {
			break
		}
		// Every format has at least eight digits but UPS, whose account part
		// may hold letters; six keeps prose out cheaply.
		if len(n) > maxNumberLen || countDigits(n) < 6 || !middleHasDigits(group) {
			continue
		}
		if findable(n, group, distinctive) {
			return n, j + 1
		}
	}
	return "", i
}

// demoAt reads a demo number: "DEMO" and the dash-joined words after it.
func demoAt(words []word, used []bool, i int) (string, int) {
	n, j := "DEMO", i
	for j+1 < len(words) && words[j].dash && !used[j+1] && len(n)+1+len(words[j+1].text) <= maxNumberLen {
		n += "-" + words[j+1].text
		j++
	}
	if j == i {
		return "", i
	}
	return n, j + 1
}

// shippoTestAt reads one of Shippo's test numbers: "SHIPPO" and the
// underscore-joined words after it, all of which must make a test number
// ("SHIPPO_TRANSIT_2" is not one).
func shippoTestAt(words []word, used []bool, i int) (string, int) {
	n, j := "SHIPPO", i
	for j+1 < len(words) && words[j].underscore && !used[j+1] && len(n) <= maxNumberLen {
		n += "_" + words[j+1].text
		j++
	}
	if !slices.Contains(shippoTestNumbers, n) {
		return "", i
	}
	return n, j + 1
}

// middleHasDigits rejects groups that glue whole words of prose together:
// every inner piece of a printed number has a digit.
func middleHasDigits(group []word) bool {
	for k := 1; k < len(group)-1; k++ {
		if countDigits(group[k].text) == 0 {
			return false
		}
	}
	return true
}

// findable decides whether n, made of the given words, is worth reporting.
func findable(n string, group []word, distinctive bool) bool {
	single := len(group) == 1
	for _, f := range match(n) {
		switch {
		case f.Checksum == ChecksumValid && f.strict:
			return true
		case distinctive:
		case f.Checksum == ChecksumValid && group[0].tagged:
			// "+491701234567" and "#4839201746" pass weak check digits as
			// often as any other digits; their marks say what they are.
		case f.Checksum == ChecksumValid && (single || fourDigitGroups(group)):
			return true
		case f.Checksum == ChecksumNone && countDigits(n) >= 8 && hasLetter(n):
			return true
		case f.Checksum == ChecksumNone && single && len(n) >= 20:
			return true
		}
	}
	return false
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' }) >= 0
}

// fourDigitGroups reports the "7489 2384 7462" layout in which FedEx, USPS
// and Canada Post print bare-digit numbers. Other groupings of digits are
// far more often phone numbers.
func fourDigitGroups(group []word) bool {
	for k, w := range group {
		if !allDigits(w.text) {
			return false
		}
		if len(w.text) > 4 || (k < len(group)-1 && len(w.text) != 4) {
			return false
		}
	}
	return len(group) > 1
}
