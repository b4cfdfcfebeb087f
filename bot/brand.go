package bot

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
)

// Bounds of a brand (architecture.md, Input bounds): the shop's name is a
// label, each address at most maxBrandURL characters.
const maxBrandURL = 300

// brandHost is the host, and port, a brand's address may have: a name with
// a dot, nothing that could break out of the page's security policy.
var brandHost = regexp.MustCompile(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]{1,5})?$`)

// brand sets how a seller's tracking pages are branded: /brand NAME [URL]
// [LOGO_URL], /brand off, or /brand alone to see it. Only a seller chat
// brands its pages, and in a group or channel only an admin.
func (t *turn) brand(args string) []Reply {
	args = strings.TrimSpace(args)
	if args == "" {
		b, err := t.b.store.ChatBrand(t.ctx, t.chat.ID)
		if err != nil {
			return t.fail(err)
		}
		if b.Name == "" {
			return t.text("brand_usage", nil)
		}
		return t.text("brand_current", map[string]any{"Shop": b.Name, "Link": b.URL, "Logo": b.LogoURL})
	}
	if t.chat.Role != roleSeller {
		return t.text("brand_sellers_only", nil)
	}
	if refused := t.adminOnly(); refused != nil {
		return refused
	}
	if strings.EqualFold(args, "off") {
		if err := t.b.store.SetBrand(t.ctx, t.chat.ID, store.Brand{}, t.now); err != nil {
			return t.fail(err)
		}
		return t.text("brand_off", nil)
	}
	b, bad, ok := parseBrand(args)
	switch {
	case bad != "":
		return t.text("brand_bad_url", map[string]any{"Link": bad, "Max": maxBrandURL})
	case !ok:
		return t.text("brand_usage", nil)
	case len([]rune(b.Name)) > maxLabel:
		return t.text("brand_name_too_long", map[string]any{"Max": maxLabel})
	}
	if err := t.b.store.SetBrand(t.ctx, t.chat.ID, b, t.now); err != nil {
		return t.fail(err)
	}
	return t.text("brand_set", map[string]any{"Shop": b.Name})
}

// parseBrand reads "NAME [URL] [LOGO_URL]": the name is every word before
// the first address, the addresses follow it (the shop's page, then its
// logo). bad is the first word that looks like an address but is not a
// valid https one (an http:// link, a user name, a host without a dot, too
// long); ok is false when there is no name or more than two addresses.
func parseBrand(args string) (b store.Brand, bad string, ok bool) {
	var name, urls []string
	for _, w := range strings.Fields(args) {
		if looksLikeURL(w) || len(urls) > 0 {
			if !validBrandURL(w) {
				return store.Brand{}, w, false
			}
			urls = append(urls, w)
			continue
		}
		name = append(name, w)
	}
	if len(name) == 0 || len(urls) > 2 {
		return store.Brand{}, "", false
	}
	b.Name = strings.Join(name, " ")
	if len(urls) > 0 {
		b.URL = urls[0]
	}
	if len(urls) > 1 {
		b.LogoURL = urls[1]
	}
	return b, "", tracking.StorableText(b.Name)
}

// uriScheme is a word that starts with an address's scheme (RFC 3986,
// section 3.1) and goes on after its colon: "javascript:…", "mailto:…",
// "data:…" are addresses as much as "https://…" is.
var uriScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:[^:]`)

// looksLikeURL reports whether a word is meant as an address.
func looksLikeURL(w string) bool {
	lw := strings.ToLower(w)
	return strings.Contains(lw, "://") || strings.HasPrefix(lw, "www.") || uriScheme.MatchString(w)
}

// validBrandURL reports whether s is an absolute https address of at most
// maxBrandURL characters, with a host name and no user name or password.
func validBrandURL(s string) bool {
	if len(s) > maxBrandURL || strings.ContainsAny(s, "\"'<>\\`") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Opaque != "" {
		return false
	}
	return brandHost.MatchString(u.Host)
}
