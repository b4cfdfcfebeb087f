package tracking

import "strings"

// demoTexts are the demo carrier's event descriptions by kind. The demo
// writes English like most carriers do; a chat in another language reads
// the catalog message demo_event_<kind> instead (see DemoEventKind). They
// live here, beside CarrierDemo, so that the demo provider writes them and
// the bot reads them back without importing a provider.
var demoTexts = map[string]string{
	"label":            "Shipping label created, awaiting the parcel",
	"accepted":         "Parcel accepted by the carrier",
	"departed":         "Departed from the origin country",
	"sorted":           "Processed at the international sorting centre",
	"arrived":          "Arrived in the destination country",
	"customs":          "Customs clearance started",
	"customs_held":     "Held by customs: import duties and taxes are due",
	"out_for_delivery": "Out for delivery",
	"delivered":        "Delivered to the recipient",
	"delivered_door":   "Delivered, left at the front door",
	"attempted":        "Delivery attempted, recipient not available",
	"notice_left":      "Delivery attempted, notice left: collect within 7 days",
	"pickup":           "Available for pickup at the post office until the storage period ends",
	"unclaimed":        "Not collected within the storage period",
	"returned":         "Returned to sender",
	"lost":             "The parcel was declared lost",
}

// demoHandoverText starts the description of a live demo journey's
// handover event; the destination post's new number follows it.
const demoHandoverText = "Handed over to the destination post, new tracking number "

// DemoText is the demo carrier's description of an event of kind; number
// is the new number a "handover" names. An unknown kind gives "".
func DemoText(kind, number string) string {
	if kind == "handover" {
		return demoHandoverText + number
	}
	return demoTexts[kind]
}

// DemoEventKind returns the kind of a demo event's description, so that a
// chat can read it in its own language, and for a handover the new number
// it names. ok is false for a text the demo does not write.
func DemoEventKind(description string) (kind, number string, ok bool) {
	if n, found := strings.CutPrefix(description, demoHandoverText); found {
		return "handover", n, true
	}
	for k, text := range demoTexts {
		if text == description {
			return k, "", true
		}
	}
	return "", "", false
}
