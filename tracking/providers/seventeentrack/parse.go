package seventeentrack

import (
	"slices"
	"strings"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/wire"
)

// item is one accepted number of /gettrackinfo, and the data of a
// TRACKING_UPDATED push (17TRACK API v2.2: gettrackinfo and webhook).
type item struct {
	Number    string     `json:"number"`
	Carrier   int        `json:"carrier"`
	TrackInfo *trackInfo `json:"track_info"`
}

type trackInfo struct {
	ShippingInfo struct {
		ShipperAddress   address `json:"shipper_address"`
		RecipientAddress address `json:"recipient_address"`
	} `json:"shipping_info"`
	LatestStatus struct {
		Status         string `json:"status"`
		SubStatus      string `json:"sub_status"`
		SubStatusDescr string `json:"sub_status_descr"`
	} `json:"latest_status"`
	LatestEvent *event `json:"latest_event"`
	TimeMetrics struct {
		EstimatedDeliveryDate struct {
			From string `json:"from"`
			To   string `json:"to"`
		} `json:"estimated_delivery_date"`
	} `json:"time_metrics"`
	MiscInfo struct {
		// LocalNumber, LocalProvider and LocalKey name the last-mile
		// carrier when it tracks the parcel under a number of its own.
		LocalNumber   string `json:"local_number"`
		LocalProvider string `json:"local_provider"`
		LocalKey      int    `json:"local_key"`
	} `json:"misc_info"`
	Tracking struct {
		Providers []struct {
			Provider struct {
				Key  int    `json:"key"`
				Name string `json:"name"`
			} `json:"provider"`
			Events []event `json:"events"`
		} `json:"providers"`
	} `json:"tracking"`
}

type address struct {
	Country string `json:"country"`
	State   string `json:"state"`
	City    string `json:"city"`
}

type event struct {
	TimeISO string `json:"time_iso"`
	TimeUTC string `json:"time_utc"`
	TimeRaw struct {
		Date     string `json:"date"`
		Time     string `json:"time"`
		Timezone string `json:"timezone"`
	} `json:"time_raw"`
	Description string  `json:"description"`
	Location    string  `json:"location"`
	Stage       string  `json:"stage"`
	SubStatus   string  `json:"sub_status"`
	Address     address `json:"address"`
}

var _ tracking.LegFollower = (*Provider)(nil)

// FollowsLegs reports that 17TRACK follows a parcel onto the local
// carrier it names (misc_info.local_number, local_provider): the answer
// for the first number lists that carrier's events among its providers,
// so the local number needs no registration of its own.
//
// API: https://asset.17track.net/api/document/v2.2_en/index.html (gettrackinfo: track_info.tracking.providers, misc_info)
func (p *Provider) FollowsLegs() bool { return true }

// result normalizes one tracked number.
func (p *Provider) result(it *item) *tracking.Result {
	res := &tracking.Result{
		Number:   strings.TrimSpace(it.Number),
		Carrier:  carrierID(it.Carrier),
		Provider: Name,
	}
	ti := it.TrackInfo
	if ti == nil {
		return res
	}
	res.OriginCountry = country(ti.ShippingInfo.ShipperAddress.Country)
	res.DestinationCountry = country(ti.ShippingInfo.RecipientAddress.Country)
	if ls := ti.LatestStatus; ls.Status != "" || ls.SubStatus != "" {
		text := ls.SubStatusDescr
		if text == "" && ti.LatestEvent != nil {
			text = ti.LatestEvent.Description
		}
		res.Status, res.Substatus = p.classify(ls.Status, ls.SubStatus, "", text)
	}
	eta := ti.TimeMetrics.EstimatedDeliveryDate
	for _, s := range []string{eta.To, eta.From} {
		if t, ok := wire.Time(s); ok {
			res.ETA = &t
			break
		}
	}

	misc := ti.MiscInfo
	localNumber := strings.TrimSpace(misc.LocalNumber)
	multi := len(ti.Tracking.Providers) > 1
	for i, prov := range ti.Tracking.Providers {
		carrier := res.Carrier
		if prov.Provider.Key != 0 {
			carrier = carrierID(prov.Provider.Key)
		}
		number := res.Number
		if multi && localNumber != "" && prov.Provider.Key == misc.LocalKey {
			number = localNumber
		}
		// 17TRACK lists each provider's events newest first; reversing
		// them keeps events of the same minute in their order after the
		// stable sort below.
		evs := slices.Clone(prov.Events)
		slices.Reverse(evs)
		// An event that does not say where it happened is in its leg's
		// country: the origin for the first carrier, the destination for
		// a carrier that took the parcel over.
		legCountry := res.OriginCountry
		if i > 0 {
			legCountry = res.DestinationCountry
		}
		for _, ev := range evs {
			e, ok := p.event(ev, carrier, number, legCountry)
			if ok {
				res.Events = append(res.Events, e)
			}
		}
	}
	slices.SortStableFunc(res.Events, func(a, b tracking.Event) int { return a.Time.Compare(b.Time) })

	if localNumber != "" || misc.LocalKey != 0 {
		leg := tracking.Leg{Number: localNumber, Carrier: carrierID(misc.LocalKey)}
		if leg.Number == "" {
			leg.Number = res.Number
		}
		if leg.Carrier == "" {
			leg.Carrier = res.Carrier
		}
		if leg.Number != res.Number || leg.Carrier != res.Carrier {
			res.NextLegs = append(res.NextLegs, leg)
		}
	}
	return res
}

// event normalizes one event; ok is false when its time cannot be read.
// The time is time_iso (with the carrier's offset), time_utc, or the raw
// date, time and zone, in that order (17TRACK API v2.2, track_info
// events); a local time
// whose zone 17TRACK leaves null is read in the zone of the event's
// address, else of legCountry. Without a structured address the carrier's
// own place text is the best place name there is.
func (p *Provider) event(ev event, carrier, number, legCountry string) (tracking.Event, bool) {
	times := []string{ev.TimeISO, ev.TimeUTC}
	if raw := ev.TimeRaw; raw.Date != "" {
		s := raw.Date
		if raw.Time != "" {
			s += "T" + raw.Time + strings.TrimSpace(raw.Timezone)
		}
		times = append(times, s)
	}
	place := tracking.Location{City: ev.Address.City, State: ev.Address.State, Country: country(ev.Address.Country)}
	e, ok := wire.LocatedEvent(times, place, ev.Location, legCountry)
	if !ok {
		return tracking.Event{}, false
	}
	e.Carrier, e.Number = carrier, number
	e.Description = strings.TrimSpace(ev.Description)
	e.Status, e.Substatus = p.classify("", ev.SubStatus, ev.Stage, e.Description)
	return e, true
}

// country returns an ISO 3166 alpha-2 code, or "" for anything else.
func country(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return ""
	}
	return s
}
