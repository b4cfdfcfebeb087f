package tracking

import (
	"slices"
	"strings"
	"testing"
)

// namedCarriers is every carrier constant; a constant missing from the
// carrier table would hand out an id that LookupCarrier denies.
var namedCarriers = []string{
	CarrierDemo, CarrierUSPS, CarrierUPS, CarrierFedEx, CarrierDHLExpress, CarrierDHLPaket,
	CarrierDHLEcommerce, CarrierCanadaPost, CarrierChinaPost, CarrierChinaEMS, CarrierCainiao,
	CarrierYunExpress, Carrier4PX, CarrierYanwen, CarrierSFExpress, CarrierJT, CarrierSunYou,
	CarrierRoyalMail,
}

func TestCarriers(t *testing.T) {
	list := Carriers()
	if !slices.IsSortedFunc(list, func(a, b CarrierInfo) int { return strings.Compare(a.ID, b.ID) }) {
		t.Errorf("Carriers() not sorted by ID: %v", list)
	}
	var ids []string
	for _, c := range list {
		ids = append(ids, c.ID)
		if c.Name == "" {
			t.Errorf("carrier %q has no name", c.ID)
		}
		if c.ID != strings.ToLower(c.ID) || strings.TrimSpace(c.ID) != c.ID {
			t.Errorf("carrier id %q is not lower case", c.ID)
		}
		if c.Country != "" && !isCountry(c.Country) {
			t.Errorf("carrier %q: country %q is no ISO code", c.ID, c.Country)
		}
		if got, ok := LookupCarrier(c.ID); !ok || got != c {
			t.Errorf("LookupCarrier(%q) = %+v, %v, want %+v", c.ID, got, ok, c)
		}
	}
	if len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Errorf("duplicate ids in %v", ids)
	}
	for _, id := range namedCarriers {
		if !slices.Contains(ids, id) {
			t.Errorf("Carriers() lacks %q", id)
		}
	}
}

func TestLookupCarrier(t *testing.T) {
	tests := []struct {
		id   string
		want CarrierInfo
		ok   bool
	}{
		{"ups", CarrierInfo{ID: "ups", Name: "UPS", Country: "US"}, true},
		{" UPS ", CarrierInfo{ID: "ups", Name: "UPS", Country: "US"}, true},
		{"dhl-paket", CarrierInfo{ID: "dhl-paket", Name: "Deutsche Post DHL", Country: "DE"}, true},
		{"post-fr", CarrierInfo{ID: "post-fr", Name: "France Post", Country: "FR"}, true},
		{"POST-JP", CarrierInfo{ID: "post-jp", Name: "Japan Post", Country: "JP"}, true},
		// A post with an id of its own has only that id.
		{"post-cn", CarrierInfo{}, false},
		{"post-xx", CarrierInfo{}, false},
		{"post-", CarrierInfo{}, false},
		{"", CarrierInfo{}, false},
		{"dhl", CarrierInfo{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got, ok := LookupCarrier(tt.id)
			if got != tt.want || ok != tt.ok {
				t.Errorf("LookupCarrier(%q) = %+v, %v, want %+v, %v", tt.id, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestPostCarrier(t *testing.T) {
	tests := []struct {
		country, want string
	}{
		{"CN", CarrierChinaPost},
		{"US", CarrierUSPS},
		{"DE", CarrierDHLPaket},
		{"GB", CarrierRoyalMail},
		{"CA", CarrierCanadaPost},
		{"ca", CarrierCanadaPost},
		{"FR", "post-fr"},
		{" nl ", "post-nl"},
		{"YP", ""}, // Yanwen's suffix, no country
		{"XX", ""},
		{"UK", ""}, // not the ISO code of the United Kingdom
		{"", ""},
		{"CHN", ""},
	}
	for _, tt := range tests {
		t.Run(tt.country, func(t *testing.T) {
			got := PostCarrier(tt.country)
			if got != tt.want {
				t.Fatalf("PostCarrier(%q) = %q, want %q", tt.country, got, tt.want)
			}
			if got == "" {
				return
			}
			info, ok := LookupCarrier(got)
			if !ok || info.Country != strings.ToUpper(strings.TrimSpace(tt.country)) {
				t.Errorf("LookupCarrier(%q) = %+v, %v, want a carrier of %s", got, info, ok, tt.country)
			}
		})
	}
}

func TestPostCarrierEveryCountry(t *testing.T) {
	// ISO 3166-1 assigns 249 alpha-2 codes.
	if len(countryNames) != 249 {
		t.Errorf("%d countries, want 249", len(countryNames))
	}
	for cc, name := range countryNames {
		if len(cc) != 2 || !isUpper(cc[0]) || !isUpper(cc[1]) || name == "" {
			t.Errorf("bad country entry %q: %q", cc, name)
			continue
		}
		id := PostCarrier(cc)
		info, ok := LookupCarrier(id)
		if !ok || info.Country != cc {
			t.Errorf("PostCarrier(%q) = %q, LookupCarrier gives %+v, %v", cc, id, info, ok)
		}
	}
}

func TestFindCarriers(t *testing.T) {
	tests := []struct {
		typed string
		want  []string
	}{
		{"dhl-express", []string{CarrierDHLExpress}},
		{"DHL Express", []string{CarrierDHLExpress}},
		{"dhl", []string{CarrierDHLEcommerce, CarrierDHLExpress, CarrierDHLPaket}},
		{"DHL", []string{CarrierDHLEcommerce, CarrierDHLExpress, CarrierDHLPaket}},
		{"ups", []string{CarrierUPS}},
		{"USPS", []string{CarrierUSPS}},
		{"FedEx", []string{CarrierFedEx}},
		{"royal mail", []string{CarrierRoyalMail}},
		{"La Poste", []string{"post-fr"}},
		{"china post", []string{CarrierChinaPost}},
		{"J&T", []string{CarrierJT}},
		{"4px", []string{Carrier4PX}},
		{"post-fr", []string{"post-fr"}},
		{"postnord", []string{"post-dk", "post-se"}},
		{"pony express", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := FindCarriers(tt.typed); !slices.Equal(got, tt.want) {
			t.Errorf("FindCarriers(%q) = %q, want %q", tt.typed, got, tt.want)
		}
	}
}

// TestCarrierAliasesNameKnownCarriers: every id an alias stands for is a
// carrier LookupCarrier knows.
func TestCarrierAliasesNameKnownCarriers(t *testing.T) {
	for _, name := range []string{"dhl", "laposte", "correos", "posteitaliane", "postnl", "bpost", "swisspost", "austrianpost",
		"postnord", "pocztapolska", "ctt", "anpost", "australiapost", "japanpost", "koreapost", "russianpost", "indiapost", "ems", "sf", "jt"} {
		ids := FindCarriers(name)
		if len(ids) == 0 {
			t.Errorf("%q names no carrier", name)
		}
		for _, id := range ids {
			if _, ok := LookupCarrier(id); !ok {
				t.Errorf("%q stands for %q, which LookupCarrier does not know", name, id)
			}
		}
	}
}
