package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
)

var pageStart = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

var (
	buyerChat    = bot.ChatRef{Platform: bot.Telegram, ID: "tg-buyer-4417", Kind: bot.Private}
	sellerTeam   = bot.ChatRef{Platform: bot.Slack, Team: "T-lamps", ID: "C-lamp-orders", Kind: bot.Channel}
	anotherBuyer = bot.ChatRef{Platform: bot.Telegram, ID: "tg-other-9001", Kind: bot.Private}
)

// pageJSON is the part of /t/{token}.json the tests read.
type pageJSON struct {
	Number    string `json:"number"`
	State     string `json:"state"`
	Language  string `json:"language"`
	Stage     string `json:"stage"`
	Exception bool   `json:"exception"`
	Advice    string `json:"advice"`
	Label     string `json:"label"`
	OrderRef  string `json:"order_ref"`
	Brand     *struct {
		Name    string `json:"name"`
		URL     string `json:"url"`
		LogoURL string `json:"logo_url"`
	} `json:"brand"`
	Legs []struct {
		Number string `json:"number"`
	} `json:"legs"`
	LocalCarrier *struct {
		Name, Number, URL string
	} `json:"local_carrier"`
	Events []struct {
		Zone  string `json:"zone"`
		Local string `json:"local_time"`
	} `json:"events"`
}

func getJSON(t *testing.T, url string, header ...string) pageJSON {
	t.Helper()
	resp, body := get(t, url, header...)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%s: %d %s\n%s", url, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var p pageJSON
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("%s: %v\n%s", url, err, body)
	}
	return p
}

// TestSharedPageShowsTheLabelOnlyWhenTheSharerChoseTo: a plain share
// keeps the chat's name for the parcel, its order reference, the chat and
// its other parcels out of the page and its JSON; "Share with label" shows
// the name and the order reference, still nothing else of the chat.
func TestSharedPageShowsTheLabelOnlyWhenTheSharerChoseTo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newPageWorld(t, s, tracking.NewFakeClock(pageStart), time.Minute)
		w.say(buyerChat, "/track DEMO-PICKUP Lamp for Anna")
		w.say(buyerChat, "/order DEMO-PICKUP ORD-7731")
		w.say(buyerChat, "/track DEMO-STALLED Secret gift")
		sub := w.subscription(buyerChat, "DEMO-PICKUP")

		reply := w.press(buyerChat, "share", sub)
		if !strings.Contains(reply, "-> share_label:"+sub) || !strings.Contains(reply, "doesn't show your name") {
			t.Errorf("a plain share does not say the page is private or offer to show the label:\n%s", reply)
		}
		private := w.share(buyerChat, "share", sub)
		labelled := w.share(buyerChat, "share_label", sub)
		if again := w.press(buyerChat, "share_label", sub); strings.Contains(again, "share_label") {
			t.Errorf("a labelled share offers to share with the label again:\n%s", again)
		}

		never := []string{"Secret gift", "DEMO-STALLED", buyerChat.ID}
		for _, tc := range []struct {
			name, link string
			shown      bool
		}{{"plain share", private, false}, {"share with label", labelled, true}} {
			resp, html := get(t, tc.link)
			if resp.StatusCode != http.StatusOK || !strings.Contains(html, "DEMO-PICKUP") {
				t.Fatalf("%s: %d\n%s", tc.name, resp.StatusCode, html)
			}
			_, raw := get(t, tc.link+".json")
			j := getJSON(t, tc.link+".json")
			for _, private := range []string{"Lamp for Anna", "ORD-7731"} {
				for format, body := range map[string]string{"HTML": html, "JSON": raw} {
					if strings.Contains(body, private) != tc.shown {
						t.Errorf("%s: %s shows %q: %v, want %v", tc.name, format, private, !tc.shown, tc.shown)
					}
				}
			}
			if tc.shown && (j.Label != "Lamp for Anna" || j.OrderRef != "ORD-7731") {
				t.Errorf("%s: JSON label %q, order %q", tc.name, j.Label, j.OrderRef)
			}
			for _, secret := range never {
				if strings.Contains(html, secret) || strings.Contains(raw, secret) {
					t.Errorf("%s: the page shows %q, which is the chat's and not the parcel's", tc.name, secret)
				}
			}
			// The page's one line of advice, for whoever looks, with the
			// pickup deadline as a day.
			if !strings.Contains(j.Advice, "Waiting at a pickup point until") || !strings.Contains(html, j.Advice) {
				t.Errorf("%s: advice %q, not on the page or not the viewer's", tc.name, j.Advice)
			}
		}
	})
}

// TestBrandShowsOnItsChatsPagesOnly: a Slack channel's brand (name, shop
// link, logo) is on the pages that channel shares, with the logo's origin
// alone allowed by the page's policy, and on no other chat's page of the
// same parcel; /brand off takes it away.
func TestBrandShowsOnItsChatsPagesOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newPageWorld(t, s, tracking.NewFakeClock(pageStart), time.Minute)
		w.say(sellerTeam, "/track DEMO-CUSTOMS")
		if got := w.say(sellerTeam, "/brand Lamps & Co https://shop.example.com/lamps https://cdn.example.net/logo.png"); !strings.Contains(got, "now show Lamps & Co") {
			t.Fatalf("/brand: %s", got)
		}
		w.say(anotherBuyer, "/track DEMO-CUSTOMS")
		branded := w.share(sellerTeam, "share", w.subscription(sellerTeam, "DEMO-CUSTOMS"))
		plain := w.share(anotherBuyer, "share", w.subscription(anotherBuyer, "DEMO-CUSTOMS"))

		marks := []string{"Lamps &amp; Co", `href="https://shop.example.com/lamps"`, `src="https://cdn.example.net/logo.png"`}
		resp, html := get(t, branded)
		for _, m := range marks {
			if !strings.Contains(html, m) {
				t.Errorf("the channel's page lacks %s", m)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src https://cdn.example.net;") {
			t.Errorf("the branded page's policy does not allow the logo's origin alone: %s", csp)
		}
		if j := getJSON(t, branded+".json"); j.Brand == nil || j.Brand.Name != "Lamps & Co" || j.Brand.LogoURL != "https://cdn.example.net/logo.png" {
			t.Errorf("the channel's JSON brand: %+v", j.Brand)
		}
		resp, html = get(t, plain)
		for _, m := range append(marks, "Lamps", "cdn.example.net") {
			if strings.Contains(html, m) {
				t.Errorf("another chat's page of the same parcel shows %s", m)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'none';") {
			t.Errorf("an unbranded page allows images: %s", csp)
		}
		if j := getJSON(t, plain+".json"); j.Brand != nil {
			t.Errorf("another chat's JSON has a brand: %+v", j.Brand)
		}

		w.say(sellerTeam, "/brand off")
		if _, html := get(t, branded); strings.Contains(html, "Lamps") {
			t.Error("the brand stays after /brand off")
		}
	})
}

var metaPattern = regexp.MustCompile(`<meta (?:property|name)="([a-z:]+)" content="([^"]*)">`)

// TestSharedPageUnfurlsTheParcelsState: the link preview tags (Open Graph,
// Twitter) carry the parcel's state in the page's language.
func TestSharedPageUnfurlsTheParcelsState(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	w := newPageWorld(t, s, tracking.NewFakeClock(pageStart), time.Minute)
	for _, tc := range []struct{ number, lang, state string }{
		{"DEMO-CUSTOMS", "en", "Held at customs"},
		{"DEMO-CUSTOMS", "de", "Vom Zoll zurückgehalten"},
		{"DEMO-RETURNED", "en", "Returned to sender"},
		{"DEMO-PICKUP", "fr", w.cat.Localizer("fr").T("sub_pickup_available", nil)},
	} {
		// A chat each: the command rate of one chat stays low.
		chat := bot.ChatRef{Platform: bot.Telegram, ID: "tg-" + tc.number + "-" + tc.lang, Kind: bot.Private}
		w.say(chat, "/track "+tc.number)
		link := w.share(chat, "share", w.subscription(chat, tc.number))
		_, html := get(t, link+"?lang="+tc.lang)
		meta := map[string]string{}
		for _, m := range metaPattern.FindAllStringSubmatch(html, -1) {
			meta[m[1]] = m[2]
		}
		for _, tag := range []string{"og:title", "og:description", "twitter:title", "twitter:description"} {
			if !strings.Contains(meta[tag], tc.state) {
				t.Errorf("%s in %s: %s = %q, want the state %q", tc.number, tc.lang, tag, meta[tag], tc.state)
			}
		}
		if meta["twitter:card"] != "summary" || meta["og:locale"] != tc.lang {
			t.Errorf("%s: twitter:card %q, og:locale %q", tc.number, meta["twitter:card"], meta["og:locale"])
		}
	}
}

// TestClosedLinksAllLookTheSame: a token that never existed, a revoked one,
// an expired one and a malformed one get the same 404 — status, headers
// and body — for the page and its JSON, so that nobody learns whether a
// link ever opened something.
func TestClosedLinksAllLookTheSame(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clock := tracking.NewFakeClock(pageStart)
		w := newPageWorld(t, s, clock, time.Minute)
		w.say(buyerChat, "/track DEMO-STALLED Lamp")
		sub := w.subscription(buyerChat, "DEMO-STALLED")
		revoked := w.share(buyerChat, "share", sub)
		w.press(buyerChat, "unshare", sub)
		expired := w.srv.URL + "/t/" + strings.Repeat("e1", 16)
		chat, err := s.EnsureChat(t.Context(), "telegram", "", buyerChat.ID, "private", "buyer", pageStart)
		if err != nil {
			t.Fatal(err)
		}
		subID := int64(0)
		for _, c := range sub {
			subID = subID*10 + int64(c-'0')
		}
		if err := s.CreateShareToken(t.Context(), chat.ID, subID, strings.Repeat("e1", 16), pageStart, pageStart.Add(time.Hour), store.ShareOptions{ShowLabel: true}); err != nil {
			t.Fatal(err)
		}
		if resp, _ := get(t, expired); resp.StatusCode != http.StatusOK {
			t.Fatalf("the expiring link before its end: %d", resp.StatusCode)
		}
		clock.Advance(time.Hour)

		type answer struct {
			code   int
			header http.Header
			body   string
		}
		var first *answer
		for _, link := range []string{
			w.srv.URL + "/t/" + strings.Repeat("0f", 16), revoked, expired, w.srv.URL + "/t/nope",
		} {
			for _, suffix := range []string{"", ".json", "?lang=de"} {
				resp, body := get(t, link+suffix, "Accept-Language", "de")
				resp.Header.Del("Date")
				// The JSON route lets any site read its answers, the
				// same for every token (TestPageJSONIsReadableFromOtherSites).
				if suffix == ".json" && resp.Header.Get("Access-Control-Allow-Origin") == "*" {
					resp.Header.Del("Access-Control-Allow-Origin")
					resp.Header.Del("Access-Control-Expose-Headers")
				}
				a := &answer{resp.StatusCode, resp.Header, body}
				if a.code != http.StatusNotFound {
					t.Errorf("%s%s: %d, want 404", link, suffix, a.code)
				}
				if first == nil {
					first = a
					continue
				}
				if a.body != first.body || !sameHeader(a.header, first.header) {
					t.Errorf("%s%s answers differently:\n%v %q\nfrom\n%v %q", link, suffix, a.header, a.body, first.header, first.body)
				}
			}
		}
		if strings.Contains(strings.ToLower(first.body), "revoked") || strings.Contains(strings.ToLower(first.body), "expired") {
			t.Errorf("the 404 says why: %q", first.body)
		}
	})
}

func sameHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestSharedPageRevalidates: the page and its JSON carry an ETag and
// Last-Modified; asking again with either gets a 304 without a body until
// the parcel changes. Every page served is counted, by format and
// language only.
func TestSharedPageRevalidates(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	clock := tracking.NewFakeClock(pageStart)
	w := newPageWorld(t, s, clock, time.Minute)
	w.say(buyerChat, "/track DEMO-LIVE")
	sub := w.subscription(buyerChat, "DEMO-LIVE")
	link := w.share(buyerChat, "share", sub)
	for _, suffix := range []string{"", ".json"} {
		resp, _ := get(t, link+suffix)
		etag, modified := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		if etag == "" || modified == "" {
			t.Fatalf("%s: ETag %q, Last-Modified %q", suffix, etag, modified)
		}
		if resp, body := get(t, link+suffix, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("%s If-None-Match: %d %q", suffix, resp.StatusCode, body)
		}
		if resp, _ := get(t, link+suffix, "If-Modified-Since", modified); resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s If-Modified-Since: %d", suffix, resp.StatusCode)
		}
		if resp, _ := get(t, link+suffix, "If-None-Match", `"other"`, "If-Modified-Since", modified); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: a stale ETag with a fresh date: %d, want 200 (the ETag decides)", suffix, resp.StatusCode)
		}
		if resp, _ := get(t, link+suffix+"?lang=de", "If-None-Match", etag); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: another language with the English ETag: %d, want 200", suffix, resp.StatusCode)
		}
	}
	resp, _ := get(t, link)
	etag := resp.Header.Get("ETag")
	clock.Advance(2 * time.Minute)
	w.press(buyerChat, "refresh", sub)
	if resp, _ := get(t, link, "If-None-Match", etag); resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag {
		t.Errorf("after the parcel moved: %d, ETag %s (was %s)", resp.StatusCode, resp.Header.Get("ETag"), etag)
	}
	if n := w.metric(t, `trackbot_tracking_page_views_total{format="html",lang="en"}`); n < 5 {
		t.Errorf("html page views counted: %d", n)
	}
	if n := w.metric(t, `trackbot_tracking_page_views_total{format="json",lang="en"}`); n < 4 {
		t.Errorf("json page views counted: %d", n)
	}
}

// TestSharedPageLanguage: ?lang= first, then Accept-Language in its order
// of preference, then the sharing chat's language; the page offers a
// link to each of the six languages, its own marked.
func TestSharedPageLanguage(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	w := newPageWorld(t, s, tracking.NewFakeClock(pageStart), time.Minute)
	w.say(buyerChat, "/track DEMO-CUSTOMS")
	w.say(buyerChat, "/lang ru")
	link := w.share(buyerChat, "share", w.subscription(buyerChat, "DEMO-CUSTOMS"))
	for _, tc := range []struct {
		query, accept, want string
	}{
		{"?lang=de", "fr", "de"},
		{"?lang=xx", "es-MX, en;q=0.5", "es"},
		{"", "pt-BR, fr;q=0.8, en;q=0.5", "fr"},
		{"", "zh-CN", "zh"},
		{"", "", "ru"},
		{"", "pt", "ru"},
	} {
		_, html := get(t, link+tc.query, "Accept-Language", tc.accept)
		if !strings.Contains(html, `<html lang="`+tc.want+`">`) {
			t.Errorf("%q, Accept-Language %q: want %s:\n%.200s", tc.query, tc.accept, tc.want, html)
		}
		if want := w.cat.Localizer(tc.want).T("sub_customs_held", nil); !strings.Contains(html, `id="state">`+want+`<`) {
			t.Errorf("%q, Accept-Language %q: the state is not %q", tc.query, tc.accept, want)
		}
		for _, lang := range w.cat.Languages() {
			a := `<a href="?lang=` + lang + `" lang="` + lang + `" hreflang="` + lang + `"`
			if lang == tc.want {
				a += ` aria-current="true"`
			}
			if !strings.Contains(html, a) {
				t.Errorf("%s page: no switch %s", tc.want, a)
			}
		}
		if j := getJSON(t, link+".json"+tc.query, "Accept-Language", tc.accept); j.Language != tc.want {
			t.Errorf("JSON %q, Accept-Language %q: %s, want %s", tc.query, tc.accept, j.Language, tc.want)
		}
	}
}

// TestSharedPageFollowsTheJourney: a LIVE parcel's page names each leg,
// gives each event its carrier and the local time of its place, and, once
// handed over, the local carrier with its own tracking link; an exception
// is marked on the progress strip.
func TestSharedPageFollowsTheJourney(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	clock := tracking.NewFakeClock(pageStart)
	w := newPageWorld(t, s, clock, time.Minute)
	w.say(buyerChat, "/track DEMO-LIVE-DE")
	sub := w.subscription(buyerChat, "DEMO-LIVE-DE")
	link := w.share(buyerChat, "share", sub)
	if j := getJSON(t, link+".json"); j.LocalCarrier != nil || len(j.Legs) != 0 {
		t.Errorf("before the handover: local carrier %+v, legs %+v", j.LocalCarrier, j.Legs)
	}
	clock.Advance(5*time.Minute + time.Second)
	w.press(buyerChat, "refresh", sub)
	local := demo.LocalNumber("DEMO-LIVE-DE", "DE")
	post, _ := tracking.DestinationPostFor("DE")
	j := getJSON(t, link+".json")
	if j.LocalCarrier == nil || j.LocalCarrier.Number != local || j.LocalCarrier.URL != post.URL(local) || j.LocalCarrier.Name != post.Name {
		t.Errorf("local carrier %+v, want %s at %s", j.LocalCarrier, local, post.URL(local))
	}
	if len(j.Legs) != 1 || j.Legs[0].Number != local {
		t.Errorf("legs %+v", j.Legs)
	}
	zones := map[string]bool{}
	for _, e := range j.Events {
		zones[e.Zone] = true
	}
	for _, z := range []string{"Asia/Shanghai", "Asia/Hong_Kong", "Europe/Berlin"} {
		if !zones[z] {
			t.Errorf("no event in %s: %v", z, zones)
		}
	}
	_, html := get(t, link)
	for _, want := range []string{`id="local-link" href="` + strings.ReplaceAll(post.URL(local), "&", "&amp;") + `"`, "CST", "HKT", "CET", "Demo Carrier · " + local,
		"Now with " + post.Name + " as " + local} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	// Delivered, the local carrier is the one it was handed to, not the
	// one that has it now.
	clock.Advance(10 * time.Minute)
	w.press(buyerChat, "refresh", sub)
	if _, html := get(t, link); strings.Contains(html, "Now with") || !strings.Contains(html, "Handed to "+post.Name+" as "+local) {
		t.Errorf("a delivered parcel's page says who has it now:\n%s", html)
	}

	w.say(buyerChat, "/track DEMO-RETURNED")
	returned := w.share(buyerChat, "share", w.subscription(buyerChat, "DEMO-RETURNED"))
	if j := getJSON(t, returned+".json"); !j.Exception || j.Stage != "out_for_delivery" {
		t.Errorf("a returned parcel: stage %s, exception %v", j.Stage, j.Exception)
	}
	if _, html := get(t, returned); !strings.Contains(html, `class="current exception" aria-current="step"`) {
		t.Error("the progress strip does not mark the exception")
	}
}
