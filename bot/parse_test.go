package bot

import "testing"

func TestParseTrack(t *testing.T) {
	tests := []struct {
		args string
		want trackArgs
		ok   bool
	}{
		{"RR123456785CN", trackArgs{number: "RR123456785CN"}, true},
		{"Blue jacket RR123456785CN", trackArgs{number: "RR123456785CN", label: "Blue jacket"}, true},
		{"LP00123456789012 order #42", trackArgs{number: "LP00123456789012", orderRef: "#42"}, true},
		{"my headphones demo-stalled", trackArgs{number: "DEMO-STALLED", label: "my headphones"}, true},
		// Shippo's test numbers have no digit but a known format.
		{"shippo_transit test parcel", trackArgs{number: "SHIPPO_TRANSIT", label: "test parcel"}, true},
		// A word without digits and without a known format is a label.
		{"headphones", trackArgs{}, false},
		// A number of no known format is still taken, for an aggregator.
		{"gift ABC123456789XYZ", trackArgs{number: "ABC123456789XYZ", label: "gift"}, true},
	}
	for _, tt := range tests {
		got, ok := parseTrack(tt.args)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseTrack(%q) = %+v, %v; want %+v, %v", tt.args, got, ok, tt.want, tt.ok)
		}
	}
}
