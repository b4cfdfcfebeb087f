package tracking

import "testing"

func TestTypedWordsThatAreNumbers(t *testing.T) {
	cases := []struct {
		word         string
		looks, known bool
	}{
		{"LP00123456789012", true, true},
		{"lp 0012 3456 7890 12", true, true},
		{"RR123456785CN", true, true},
		{"ABC123456", true, false}, // a digit, no known format: worth a lookup
		{"demo-live", true, true},  // the demo carrier's numbers are words
		{"DEMO-STALLED-DE", true, true},
		{"SHIPPO_TRANSIT", false, true}, // known, but only found in text, never guessed
		{"Jacket", false, false},
		{"ABCDEFG", false, false},
		{"list", false, false},
		{"12345", false, false}, // too short
		{"DEMO-", false, false},
		{"#42", false, false},
		{"", false, false},
	}
	for _, c := range cases {
		if got := LooksLikeNumber(c.word); got != c.looks {
			t.Errorf("LooksLikeNumber(%q) = %v, want %v", c.word, got, c.looks)
		}
		if got := KnownNumber(c.word); got != c.known {
			t.Errorf("KnownNumber(%q) = %v, want %v", c.word, got, c.known)
		}
	}
}
