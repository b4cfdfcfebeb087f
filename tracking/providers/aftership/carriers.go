package aftership

import (
	"strings"

	"github.com/trackbot/trackbot/tracking/providers/wire"
)

// slugs are AfterShip's courier slugs for trackbot's carriers. J&T is
// missing on purpose: AfterShip has a slug per country, and a wrong one
// fails where detection would succeed.
var slugs = map[string]string{
	"usps":          "usps",
	"ups":           "ups",
	"fedex":         "fedex",
	"dhl-express":   "dhl",
	"dhl-paket":     "dhl-germany",
	"dhl-ecommerce": "dhl-global-mail",
	"canada-post":   "canada-post",
	"china-post":    "china-post",
	"china-ems":     "china-ems",
	"cainiao":       "cainiao",
	"yunexpress":    "yunexpress",
	"4px":           "4px",
	"yanwen":        "yanwen",
	"sf-express":    "sf-express",
	"sunyou":        "sunyou",
	"royal-mail":    "royal-mail",
}

// carrierIDs maps slugs back onto trackbot's ids, including the slugs of a
// carrier's sister services that trackbot does not tell apart.
var carrierIDs = func() map[string]string {
	m := map[string]string{
		"deutsch-post":         "dhl-paket",     // Deutsche Post Mail
		"dhl-global-mail-asia": "dhl-ecommerce", // DHL eCommerce Asia
		"sfb2c":                "sf-express",    // SF International
	}
	for id, slug := range slugs {
		m[slug] = id
	}
	return m
}()

// carrierSlug returns AfterShip's slug for a trackbot carrier id; ok is
// false for a carrier AfterShip is to detect.
func carrierSlug(id string) (slug string, ok bool) { return wire.Code(slugs, id) }

// carrierID returns trackbot's id for a slug, or "aftership-" and the slug
// for a carrier trackbot has no id for, or "" for no slug.
func carrierID(slug string) string {
	slug = strings.ToLower(strings.TrimSpace(slug))
	switch {
	case slug == "":
		return ""
	case strings.HasPrefix(slug, "jtexpress") || strings.HasPrefix(slug, "jt-express"):
		return "jt-express"
	}
	if id, ok := carrierIDs[slug]; ok {
		return id
	}
	return Name + "-" + slug
}
