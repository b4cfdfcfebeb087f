package tracking

import "strings"

// LooksLikeNumber reports whether a word someone typed may be a tracking
// number even when no known format fits it, so that it is still worth a
// lookup (an aggregator may know it): once normalized it is a valid number
// with a digit in it, or a demo number. Other words without digits are
// labels or commands ("Jacket", "list"), never numbers.
func LooksLikeNumber(word string) bool {
	n := NormalizeNumber(word)
	return ValidNumber(n) && (strings.ContainsAny(n, "0123456789") || strings.HasPrefix(n, demoPrefix))
}

// KnownNumber reports whether a word someone typed fits a known carrier's
// number format once normalized.
func KnownNumber(word string) bool {
	n := NormalizeNumber(word)
	return ValidNumber(n) && len(Detect(n).Candidates) > 0
}
