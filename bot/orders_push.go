package bot

import (
	"strings"

	"github.com/trackbot/trackbot/tracking"
)

// ordersPush tells a chat what a delivery of its shop feed did: one
// message however many orders it brought. One parcel of one order is one
// line ("🛒 Shop order #1001: now tracking UPS 1Z… (to Germany)"); more
// are counted, the first of them named a line each, the rest counted.
func (t *turn) ordersPush(p tracking.OrdersNotice) Reply {
	head, one := "feed_tracking", "feed_tracking_one"
	if p.Cancelled {
		head, one = "feed_cancelled", "feed_cancelled_one"
	}
	if p.Parcels == 1 && len(p.First) == 1 && p.First[0].Order != "" {
		return TextReply(t.T(one, map[string]any{"Order": p.First[0].Order, "Parcel": t.feedParcel(p.First[0])}))
	}
	lines := []string{t.loc.N(head, p.Parcels, nil)}
	for _, o := range p.First {
		line := t.feedParcel(o)
		if o.Order != "" {
			line = o.Order + " · " + line
		}
		lines = append(lines, "• "+line)
	}
	if more := p.Parcels - len(p.First); more > 0 {
		lines = append(lines, t.loc.N("feed_more", more, nil))
	}
	return TextReply(strings.Join(lines, "\n"))
}

// feedParcel names a parcel of a feed: its carrier and number, and where
// it goes when the shop said.
func (t *turn) feedParcel(o tracking.OrderParcel) string {
	data := map[string]any{"Carrier": t.carrierName(o.Carrier), "Number": o.Number}
	if o.Country == "" {
		return t.T("feed_parcel", data)
	}
	data["Country"] = countryOrUnknown(t, o.Country)
	return t.T("feed_parcel_to", data)
}
