// Package wording says tracking's values in one of trackbot's languages:
// the names of statuses, carriers and countries, dates, the demo carrier's
// event texts and guidance messages. The chat (bot) and the tracking pages
// (web) both speak through it, so that a parcel reads the same in both.
package wording

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	langdisplay "golang.org/x/text/language/display"

	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/wire"
)

// Words renders tracking's values with one localizer.
type Words struct {
	loc *locales.Localizer
}

// New returns the words of loc's language.
func New(loc *locales.Localizer) Words { return Words{loc: loc} }

// Status is the localized name of a shipment's state: the sub-status when
// it says more than the status.
func (w Words) Status(st tracking.Status, sub tracking.Substatus) string {
	if sub != "" && sub != tracking.SubOther {
		return w.loc.T("sub_"+string(sub), nil)
	}
	return w.loc.T("status_"+string(st), nil)
}

// Day renders the calendar day of a moment in zone: the catalog gives the
// month names (date_months, twelve space-separated names) and the order of
// day, month and year (date_day), e.g. "3 Dec 2026", "3. Dez. 2026",
// "2026年12月3日".
func (w Words) Day(at time.Time, zone *time.Location) string {
	at = at.In(zone)
	month := strconv.Itoa(int(at.Month()))
	if months := strings.Fields(w.loc.T("date_months", nil)); len(months) == 12 {
		month = months[at.Month()-1]
	}
	return w.loc.T("date_day", map[string]any{"Day": at.Day(), "Month": month, "Year": at.Year()})
}

// Date renders a moment in zone: its day and the time of day.
func (w Words) Date(at time.Time, zone *time.Location) string {
	return w.Day(at, zone) + " " + at.In(zone).Format("15:04")
}

// Carrier is a carrier's display name: the demo carrier's is translated,
// real carriers keep their own names.
func (w Words) Carrier(id string) string {
	if id == tracking.CarrierDemo {
		return w.loc.T("carrier_demo", nil)
	}
	return tracking.CarrierName(id)
}

// Legs is one line for each later leg of a shipment, oldest first: who it
// was handed to, and for the newest leg of a parcel still on its way, who
// has it now. The newest leg's carrier is the one tracking.HandedOver
// names — the destination post the demo carrier hands over to, the courier
// a provider's leg id stands for — so that the chat's card, the alerts,
// the guidance and the tracking page name the same carrier.
func (w Words) Legs(sh *tracking.Shipment) []string {
	lines := make([]string, 0, len(sh.Legs))
	for i, l := range sh.Legs {
		key := "card_leg_past"
		if i == len(sh.Legs)-1 && !sh.Status.Final() {
			key = "card_leg"
		}
		lines = append(lines, w.loc.T(key, map[string]any{"Carrier": w.LegCarrier(sh, i), "Number": l.Number}))
	}
	return lines
}

// LegCarrier is the name of the carrier of a shipment's later leg i: for
// the newest leg the one tracking.HandedOver names, for an earlier one the
// leg's own carrier.
func (w Words) LegCarrier(sh *tracking.Shipment, i int) string {
	if i == len(sh.Legs)-1 {
		lc, _ := tracking.HandedOver(sh)
		return w.LocalCarrier(lc)
	}
	return w.Carrier(sh.Legs[i].Carrier)
}

// LocalCarrier is the name of the carrier that has a parcel after its
// handover, or a neutral "the local carrier" when trackbot does not know
// who it is.
func (w Words) LocalCarrier(lc tracking.LocalCarrier) string {
	if lc.Name == "" {
		return w.loc.T("page_local_unknown", nil)
	}
	return lc.Name
}

// Event is an event's description as a reader reads it: the demo
// carrier's English texts in the language, a real carrier's text as the
// carrier wrote it.
func (w Words) Event(e tracking.Event) string {
	if e.Carrier != tracking.CarrierDemo {
		return e.Description
	}
	kind, number, ok := tracking.DemoEventKind(e.Description)
	if !ok {
		return e.Description
	}
	return w.loc.T("demo_event_"+kind, map[string]any{"NewNumber": number})
}

// Country names a country by its ISO code, "?" when there is none.
func (w Words) Country(cc string) string {
	if cc == "" {
		return "?"
	}
	region, err := language.ParseRegion(cc)
	if err != nil {
		return tracking.CountryName(cc)
	}
	if name := langdisplay.Regions(language.Make(w.loc.Language())).Name(region); name != "" {
		return name
	}
	return tracking.CountryName(cc)
}

// EventZone is the zone of the place an event happened, and whether one
// is known.
func EventZone(e tracking.Event) (*time.Location, bool) {
	loc, _ := wire.Zone(e.Location)
	return loc, loc != nil
}

// Advice renders a guidance message: its deadline as a day in zone, the
// plural form its day count calls for.
func (w Words) Advice(id string, data tracking.AdviceData, zone *time.Location) string {
	d := data.Fields()
	if data.Deadline != nil {
		d["Deadline"] = w.Day(*data.Deadline, zone)
	}
	// The demo carrier's name reaches the advice already spelled out, in
	// English.
	for _, k := range []string{"Carrier", "Post"} {
		if d[k] == tracking.CarrierName(tracking.CarrierDemo) {
			d[k] = w.Carrier(tracking.CarrierDemo)
		}
	}
	if data.Days != nil {
		return w.loc.N(id, *data.Days, d)
	}
	return w.loc.T(id, d)
}
