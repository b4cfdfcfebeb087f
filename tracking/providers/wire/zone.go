package wire

import (
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracking"

	// The zone rules travel in the binary, so that a local time is read
	// the same on a machine or container without /usr/share/zoneinfo.
	_ "time/tzdata"
)

//go:generate go run gen_zones.go

// Zone returns the IANA zone of a place: an ISO 3166 alpha-2 country, and
// the state (or province) and city in the carrier's spelling. Where the
// country has clocks of more than one zone, the state or city picks one
// when it names it, and otherwise the zone most of the country's people
// live in stands for it: exact is then false. loc is nil for a place
// without a known country.
func Zone(p tracking.Location) (loc *time.Location, exact bool) {
	cc := strings.ToUpper(strings.TrimSpace(p.Country))
	zones := countryZones[cc]
	if len(zones) == 0 {
		return nil, false
	}
	name, exact := zones[0], len(zones) == 1
	if byPlace := regionZones[cc]; byPlace != nil {
		for _, s := range []string{p.State, p.City} {
			if z, ok := byPlace[placeKey(s)]; ok {
				name, exact = z, true
				break
			}
		}
		if !exact {
			name = primaryZones[cc]
		}
	} else if z, ok := primaryZones[cc]; ok {
		name = z
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		// The table and the embedded rules come from the same tz
		// database; a name missing from the rules is no zone at all.
		return nil, false
	}
	if !exact && len(zones) > 1 && !regionsSplit[cc] {
		// Zones that differ only in their history are one zone today.
		exact = true
	}
	return loc, exact
}

// LocalTime reads a payload time the way its carrier wrote it. A time with
// an offset keeps its instant. A time without one is the local time of
// where the event happened: it is read in the zone of the first of places
// that has one (the event's own place first, then its leg's country).
// approximate reports a time read as UTC because no place had a zone, or
// read in a country's main zone because the place did not say which of the
// country's zones it lies in. ok is false for an empty or unreadable time
// and for a placeholder of year 1.
func LocalTime(s string, places ...tracking.Location) (t time.Time, approximate, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false, false
	}
	for i, layout := range timeLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if placeholder(t) {
			return time.Time{}, false, false
		}
		if i < zonedLayouts {
			return t.UTC(), false, true
		}
		for _, p := range places {
			loc, exact := Zone(p)
			if loc == nil {
				continue
			}
			if lt, err := time.ParseInLocation(layout, s, loc); err == nil {
				return lt.UTC(), !exact, true
			}
		}
		return t.UTC(), true, true
	}
	return time.Time{}, false, false
}

// placeKey folds a state or city name for the tables below: lower case,
// without accents of the names the tables hold, dots, or surrounding space.
func placeKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer(".", "", "ã", "a", "á", "a", "â", "a", "é", "e", "ê", "e", "í", "i",
		"ó", "o", "ô", "o", "ú", "u", "ç", "c").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// primaryZones names, for a country whose people live under clocks of more
// than one zone, the zone most of them live in; it stands for the country
// where the place does not say more. China keeps one official time.
var primaryZones = map[string]string{
	"AR": "America/Argentina/Buenos_Aires",
	"AU": "Australia/Sydney",
	"BR": "America/Sao_Paulo",
	"CA": "America/Toronto",
	"CD": "Africa/Lagos",
	"CL": "America/Santiago",
	"CN": "Asia/Shanghai",
	"CY": "Asia/Nicosia",
	"DE": "Europe/Berlin",
	"EC": "America/Guayaquil",
	"ES": "Europe/Madrid",
	"FM": "Pacific/Port_Moresby",
	"GL": "America/Nuuk",
	"ID": "Asia/Jakarta",
	"KI": "Pacific/Tarawa",
	"KZ": "Asia/Almaty",
	"MH": "Pacific/Tarawa",
	"MN": "Asia/Ulaanbaatar",
	"MX": "America/Mexico_City",
	"MY": "Asia/Singapore",
	"NZ": "Pacific/Auckland",
	"PF": "Pacific/Tahiti",
	"PG": "Pacific/Port_Moresby",
	"PS": "Asia/Hebron",
	"PT": "Europe/Lisbon",
	"RU": "Europe/Moscow",
	"UA": "Europe/Kyiv",
	"US": "America/New_York",
	"UZ": "Asia/Tashkent",
	"VN": "Asia/Ho_Chi_Minh",
}

// regionsSplit marks the countries whose zones disagree on today's clock
// in places where parcels go, so that a place there without a state or
// city that names its zone is only approximately placed. The other
// multi-zone countries differ only in the history of their clocks, or in
// remote islands and territories.
var regionsSplit = map[string]bool{
	"AU": true, "BR": true, "CA": true, "CD": true, "ID": true, "MN": true, "MX": true, "RU": true, "US": true,
}

// LocatedEvent starts the event of a carrier scan: its time is the first
// of times that reads, placed by LocalTime in the zone of place or else of
// legCountry, and its location is place, or, when the payload has no
// structured place, the carrier's own placeText as the city. The caller
// adds the description, carrier, number and status. ok is false when no
// time reads, since an event that cannot be put on the timeline is of no
// use.
func LocatedEvent(times []string, place tracking.Location, placeText, legCountry string) (e tracking.Event, ok bool) {
	place = tracking.Location{
		City:    strings.TrimSpace(place.City),
		State:   strings.TrimSpace(place.State),
		Country: strings.TrimSpace(place.Country),
	}
	for _, s := range times {
		if e.Time, e.Approximate, ok = LocalTime(s, place, tracking.Location{Country: legCountry}); ok {
			break
		}
	}
	if !ok {
		return tracking.Event{}, false
	}
	e.Location = place
	if e.Location == (tracking.Location{}) {
		e.Location.City = strings.TrimSpace(placeText)
	}
	return e, true
}
