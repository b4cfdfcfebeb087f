package seventeentrack

import (
	"strconv"
	"strings"

	"github.com/trackbot/trackbot/tracking"
)

// carrierKeys are 17TRACK's numeric keys for trackbot's carriers, from
// 17TRACK's published carrier list. J&T is missing on purpose: it has one
// key per country, chosen by jtKeys.
var carrierKeys = map[string]int{
	"usps":          21051,
	"ups":           100002,
	"fedex":         100003,
	"dhl-express":   100001,
	"dhl-paket":     7041,
	"dhl-ecommerce": 7047,
	"canada-post":   3041,
	"china-post":    3011,
	"china-ems":     3013,
	"cainiao":       190271,
	"yunexpress":    190008,
	"4px":           190094,
	"yanwen":        190012,
	"sf-express":    100012,
	"sunyou":        190072,
	"royal-mail":    11031,
}

// jtKeys are J&T Express's keys by the country it delivers in; without a
// known destination 17TRACK detects the right one itself.
var jtKeys = map[string]int{
	"CN": 190442,
	"ID": 100074,
	"MY": 100079,
	"PH": 100240,
	"SG": 100229,
	"TH": 100271,
	"VN": 100456,
	"MX": 100388,
	"SA": 100402,
}

// carrierIDs maps 17TRACK's keys back onto trackbot's ids, including the
// keys of a carrier's sister services that trackbot does not tell apart.
var carrierIDs = func() map[int]string {
	m := map[int]string{
		7044:   "dhl-paket",     // Deutsche Post Mail
		7048:   "dhl-ecommerce", // DHL eCommerce Asia
		190766: "sf-express",    // SF Express (CN)
		190625: "cainiao",       // AliExpress, shipped by Cainiao
		100295: "jt-express",    // J&T International
	}
	for id, key := range carrierKeys {
		m[key] = id
	}
	for _, key := range jtKeys {
		m[key] = "jt-express"
	}
	return m
}()

// carrierCode returns 17TRACK's key for the query's carrier; ok is false
// for a carrier 17TRACK is to detect.
func carrierCode(q tracking.Query) (key int, ok bool) {
	id := strings.ToLower(strings.TrimSpace(q.Carrier))
	if id == "jt-express" {
		key, ok = jtKeys[strings.ToUpper(strings.TrimSpace(q.DestinationCountry))]
		return key, ok
	}
	key, ok = carrierKeys[id]
	return key, ok
}

// carrierID returns trackbot's id for a 17TRACK key, or "17track-" and the
// key for a carrier trackbot has no id for, or "" for no key.
func carrierID(key int) string {
	if key == 0 {
		return ""
	}
	if id, ok := carrierIDs[key]; ok {
		return id
	}
	return Name + "-" + strconv.Itoa(key)
}
