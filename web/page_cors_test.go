package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// TestPageJSONIsReadableFromOtherSites: a shop's own order-status page
// fetches /t/{token}.json from the buyer's browser, so the JSON (and its
// 404, and a 304) allows any origin without credentials and exposes its
// ETag; a preflight, as a revalidating fetch sends, is answered 204 with
// GET and the conditional headers. The HTML page allows no other site:
// no CORS header, and OPTIONS is 405.
func TestPageJSONIsReadableFromOtherSites(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	clock := tracking.NewFakeClock(pageStart)
	w := newPageWorld(t, s, clock, time.Minute)
	w.say(buyerChat, "/track DEMO-LIVE")
	link := w.share(buyerChat, "share", w.subscription(buyerChat, "DEMO-LIVE"))
	origin := []string{"Origin", "https://shop.example"}

	resp, _ := get(t, link+".json", origin...)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("JSON: %d", resp.StatusCode)
	}
	etag := resp.Header.Get("ETag")
	for _, c := range []struct {
		name   string
		header []string
		link   string
		status int
	}{
		{"JSON", origin, link + ".json", http.StatusOK},
		{"JSON not modified", append(origin, "If-None-Match", etag), link + ".json", http.StatusNotModified},
		{"JSON of a closed link", origin, w.srv.URL + "/t/" + "0123456789abcdef0123456789abcdef.json", http.StatusNotFound},
	} {
		resp, _ := get(t, c.link, c.header...)
		h := resp.Header
		if resp.StatusCode != c.status || h.Get("Access-Control-Allow-Origin") != "*" ||
			h.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%s: %d, Allow-Origin %q, Allow-Credentials %q; want %d, \"*\", none", c.name, resp.StatusCode,
				h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Credentials"), c.status)
		}
		if c.status == http.StatusOK && h.Get("Access-Control-Expose-Headers") != "ETag" {
			t.Errorf("%s: Expose-Headers %q, want ETag", c.name, h.Get("Access-Control-Expose-Headers"))
		}
	}
	if resp, _ := get(t, link, origin...); resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("HTML page: %d, Allow-Origin %q; want 200 and none", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}

	options := func(url string) *http.Response {
		req, err := http.NewRequest(http.MethodOptions, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", "https://shop.example")
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "if-none-match")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	pre := options(link + ".json")
	h := pre.Header
	if pre.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" ||
		h.Get("Access-Control-Allow-Methods") != "GET" || h.Get("Access-Control-Allow-Headers") != "If-None-Match, If-Modified-Since" ||
		h.Get("Access-Control-Max-Age") == "" || h.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight: %d %v", pre.StatusCode, h)
	}
	if pre := options(link); pre.StatusCode != http.StatusMethodNotAllowed || pre.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight of the HTML page: %d, Allow-Origin %q; want 405 and none", pre.StatusCode, pre.Header.Get("Access-Control-Allow-Origin"))
	}
}
