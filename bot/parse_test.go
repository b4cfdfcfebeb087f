package bot

import (
	"slices"
	"testing"
)

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
		// A quoted label keeps its inner spaces, not those at its ends.
		{"RR123456785CN « Gift  box »", trackArgs{number: "RR123456785CN", label: "Gift  box"}, true},
		// An apostrophe is part of a word, never a quote.
		{"DEMO-STALLED Mom's gift order #123", trackArgs{number: "DEMO-STALLED", label: "Mom's gift", orderRef: "#123"}, true},
		{"DEMO-STALLED Mom’s gift order #123", trackArgs{number: "DEMO-STALLED", label: "Mom’s gift", orderRef: "#123"}, true},
		{"DEMO-STALLED l'anniversaire de Léa commande #123", trackArgs{number: "DEMO-STALLED", label: "l'anniversaire de Léa", orderRef: "#123"}, true},
		{"don't lose it DEMO-LOST order O'Brien-7", trackArgs{number: "DEMO-LOST", label: "don't lose it", orderRef: "O'Brien-7"}, true},
		// Quotes keep a reference of several words together.
		{`DEMO-STALLED order "A 42" gift`, trackArgs{number: "DEMO-STALLED", label: "gift", orderRef: "A 42"}, true},
		{"DEMO-STALLED commande «A 42» cadeau", trackArgs{number: "DEMO-STALLED", label: "cadeau", orderRef: "A 42"}, true},
	}
	for _, tt := range tests {
		got, ok := parseTrack(tt.args)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseTrack(%q) = %+v, %v; want %+v, %v", tt.args, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Mom's gift", []string{"Mom's", "gift"}},
		{"l'anniversaire de Léa", []string{"l'anniversaire", "de", "Léa"}},
		{"'tis here", []string{"'tis", "here"}},
		{"Mom’s gift", []string{"Mom’s", "gift"}},
		{`"blue jacket" RR123456785CN`, []string{"blue jacket", "RR123456785CN"}},
		{"“blue jacket” x", []string{"blue jacket", "x"}},
		{"„blaue Jacke“ x", []string{"blaue Jacke", "x"}},
		{"»blaue Jacke« x", []string{"blaue Jacke", "x"}},
		{"«veste bleue» x", []string{"veste bleue", "x"}},
		{"「蓝色 夹克」 x", []string{"蓝色 夹克", "x"}},
		{"‘Mom’s gift’ x", []string{"Mom’s gift", "x"}},
		// ‘ without a closing ’ that ends a word is a character.
		{"‘tis Mom’s", []string{"‘tis", "Mom’s"}},
		// A quotation mark inside a word opens nothing: 12" is inches.
		{`screen 12" x`, []string{"screen", `12"`, "x"}},
	}
	for _, tt := range tests {
		if got := fields(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("fields(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLoadZone(t *testing.T) {
	tests := []struct{ typed, want string }{
		{"Europe/Berlin", "Europe/Berlin"},
		{"europe/berlin", "Europe/Berlin"},
		{"EUROPE/BERLIN", "Europe/Berlin"},
		{"america/new_york", "America/New_York"},
		{"america/argentina/buenos_aires", "America/Argentina/Buenos_Aires"},
		{"america/port-au-prince", "America/Port-au-Prince"},
		{"africa/dar_es_salaam", "Africa/Dar_es_Salaam"},
		{"europe/isle_of_man", "Europe/Isle_of_Man"},
		{"asia/ust-nera", "Asia/Ust-Nera"},
		{"utc", "UTC"},
		{"etc/gmt+1", "Etc/GMT+1"},
		{"est", "EST"},
	}
	for _, tt := range tests {
		loc, err := loadZone(tt.typed)
		if err != nil || loc.String() != tt.want {
			t.Errorf("loadZone(%q) = %v, %v; want %s", tt.typed, loc, err, tt.want)
		}
	}
	for _, bad := range []string{"mars/olympus", "europe"} {
		if loc, err := loadZone(bad); err == nil {
			t.Errorf("loadZone(%q) = %v, want an error", bad, loc)
		}
	}
}

func TestParseQuietWholeHours(t *testing.T) {
	tests := []struct {
		in              string
		start, end      int
		ok, minutesNote bool
	}{
		{"22-07", 22, 7, true, false},
		{"22:00-07:00", 22, 7, true, false},
		{"22:30-07", 0, 0, false, true},
		{"22-06:15", 0, 0, false, true},
		{"22:xx-07", 0, 0, false, false},
		{"late", 0, 0, false, false},
	}
	for _, tt := range tests {
		start, end, _, ok := parseQuiet(tt.in)
		if ok != tt.ok || ok && (start != tt.start || end != tt.end) || quietMinutes(tt.in) != tt.minutesNote {
			t.Errorf("parseQuiet(%q) = %d, %d, %v (minutes %v); want %d, %d, %v (minutes %v)",
				tt.in, start, end, ok, quietMinutes(tt.in), tt.start, tt.end, tt.ok, tt.minutesNote)
		}
	}
}
