package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/text/language"
	langdisplay "golang.org/x/text/language/display"

	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/wording"
)

// SharedPage is what a share token opens, as its sharer allowed: the
// label and order reference only when the sharer chose to show them, the
// sharing chat's language and branding, never the chat itself.
type SharedPage struct {
	Shipment *tracking.Shipment
	// Label and OrderRef are empty unless the sharer chose to show them.
	Label, OrderRef string
	// Language is the sharing chat's language, the last choice for the
	// page's ("" when the chat never chose).
	Language string
	Brand    Brand
}

// Brand is a seller's branding of its pages; the zero Brand is none.
type Brand struct {
	Name string `json:"name"`
	// URL and LogoURL are https addresses or empty; the page checks them
	// again (validBrandURL) and leaves out any that fails.
	URL     string `json:"url,omitempty"`
	LogoURL string `json:"logo_url,omitempty"`
}

// SharedPages finds what a share token opens.
//
// SharedPage returns the page of a token neither revoked nor (at now)
// expired; an unknown, revoked or expired token is an error wrapping
// tracking.ErrNotFound (answered 404, the same for all three), any other
// error a failure (answered 500).
type SharedPages interface {
	SharedPage(ctx context.Context, token string, now time.Time) (*SharedPage, error)
}

// ViewerAdvisor gives the one line of advice a page shows its viewer
// (tracking.Engine.ViewerAdvice); ok is false when none applies.
type ViewerAdvisor interface {
	ViewerAdvice(sh *tracking.Shipment, now time.Time) (tracking.Advice, bool)
}

// Pages wires the tracking pages.
type Pages struct {
	Shared  SharedPages
	Advisor ViewerAdvisor
	Catalog *locales.Catalog
	// Now is the clock; nil is the wall clock.
	Now func() time.Time
}

//go:embed page/page.html page/page.css
var pageFiles embed.FS

// pageStyle is the page's one style sheet, inline, and pageStyleHash its
// SHA-256 as the Content-Security-Policy names it: the policy allows that
// sheet and no other style, without 'unsafe-inline'.
var pageStyle, pageStyleHash = func() (template.CSS, string) {
	b, err := pageFiles.ReadFile("page/page.css")
	if err != nil {
		panic(err)
	}
	css := strings.TrimSpace(string(b))
	sum := sha256.Sum256([]byte(css))
	return template.CSS(css), "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

var pageTemplate = template.Must(template.ParseFS(pageFiles, "page/page.html"))

// pagePolicy is the tracking page's Content-Security-Policy: no script,
// nothing loaded but its own inline style sheet (by hash) and, on a
// branded page, the seller's logo from the logo's own https origin; no
// framing, no forms, no base. logoOrigin is "" without a logo.
func pagePolicy(logoOrigin string) string {
	img := "'none'"
	if logoOrigin != "" {
		img = logoOrigin
	}
	return "default-src 'none'; style-src " + pageStyleHash + "; img-src " + img + "; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// Brand URLs are bounded so that a page and its policy stay small.
const maxBrandURL = 300

// hostPattern is the host (and port) of a URL the page may name in its
// Content-Security-Policy: nothing that could end a directive.
var hostPattern = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]{1,5})?$`)

// validBrandURL reports whether s may be a brand's link or logo: an
// absolute https URL of at most 300 characters, with a plain host and no
// user name or password. The bot checked it when it was set (/brand); the
// page checks again before it names the logo's origin in its policy.
func validBrandURL(s string) bool {
	if len(s) > maxBrandURL || strings.ContainsAny(s, " \t\r\n\"'<>\\") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Opaque != "" {
		return false
	}
	return hostPattern.MatchString(u.Host) && strings.Contains(u.Hostname(), ".")
}

// pageMetrics counts the tracking pages served, by format and language:
// nothing about who looked or at what.
func newPageViews(reg prometheus.Registerer) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "trackbot_tracking_page_views_total",
		Help: "Tracking pages served, by format (html, json) and language; a 304 counts too.",
	}, []string{"format", "lang"})
	reg.MustRegister(v)
	return v
}

// HandleTrackingPages serves GET /t/{token} (a read-only page of one
// shipment, for people outside the chat) and GET /t/{token}.json (the same
// for programs), in the language the viewer asks for.
func (s *Server) HandleTrackingPages(p Pages) {
	if p.Now == nil {
		p.Now = time.Now
	}
	s.mux.HandleFunc("GET /t/{token}", func(w http.ResponseWriter, r *http.Request) {
		token, asJSON := strings.CutSuffix(r.PathValue("token"), ".json")
		if asJSON {
			// A page that is gone is told to the script that asked, too.
			allowReads(w.Header())
		}
		if len(token) < 32 || len(token) > 64 {
			notFound(w)
			return
		}
		now := p.Now()
		page, err := p.Shared.SharedPage(r.Context(), token, now)
		if err != nil {
			if errors.Is(err, tracking.ErrNotFound) {
				notFound(w)
				return
			}
			slog.ErrorContext(r.Context(), "tracking page failed", "err", err)
			http.Error(w, "try again later", http.StatusInternalServerError)
			return
		}
		v := p.view(page, pageLanguage(p.Catalog, r, page.Language), now)
		var body bytes.Buffer
		format := "html"
		if asJSON {
			format = "json"
			allowReads(w.Header())
			w.Header().Set("Content-Type", "application/json")
			enc := json.NewEncoder(&body)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false) // served as JSON, with nosniff: "&" stays "&"
			err = enc.Encode(v.json())
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", pagePolicy(v.logoOrigin))
			w.Header().Set("X-Frame-Options", "DENY") // for browsers without frame-ancestors
			err = pageTemplate.Execute(&body, v)
		}
		if err != nil {
			slog.ErrorContext(r.Context(), "tracking page render failed", "err", err)
			http.Error(w, "try again later", http.StatusInternalServerError)
			return
		}
		s.pageViews.WithLabelValues(format, v.Lang).Inc()
		h := w.Header()
		// Revalidated every time: a revoked link must stop opening the
		// page, also from a cache.
		h.Set("Cache-Control", "private, no-cache")
		h.Set("Vary", "Accept-Language")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Robots-Tag", "noindex")
		h.Set("X-Content-Type-Options", "nosniff")
		sum := sha256.Sum256(body.Bytes())
		etag := `"` + hex.EncodeToString(sum[:12]) + `"`
		h.Set("ETag", etag)
		modified := v.modified.UTC().Truncate(time.Second)
		h.Set("Last-Modified", modified.Format(http.TimeFormat))
		if notModified(r, etag, modified) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(body.Bytes())
	})
	s.mux.HandleFunc("OPTIONS /t/{token}", preflight)
}

// allowReads lets a script on any site read a tracking page's JSON (a
// shop's own order-status page fetches it from the buyer's browser):
// Access-Control-Allow-Origin "*", without credentials, so a browser sends
// no cookie and the answer is what the link alone opens. ETag is exposed
// for conditional requests; Last-Modified is readable anyway.
func allowReads(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "ETag")
}

// corsMaxAge is how long, in seconds, a browser may keep a preflight's
// answer.
const corsMaxAge = "86400"

// preflight answers OPTIONS /t/{token}: for the JSON route, a CORS
// preflight (a simple GET needs none; one that revalidates with
// If-None-Match or If-Modified-Since does) is allowed GET and those
// headers, 204 whatever the token, since it reads nothing. The HTML page
// is not for other sites' scripts: 405, as any other method.
func preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if !strings.HasSuffix(r.PathValue("token"), ".json") {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	allowReads(h)
	h.Set("Allow", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Methods", "GET")
	h.Set("Access-Control-Allow-Headers", "If-None-Match, If-Modified-Since")
	h.Set("Access-Control-Max-Age", corsMaxAge)
	w.WriteHeader(http.StatusNoContent)
}

// notFoundBody is the one answer to every token that opens nothing: it
// does not tell a token that never existed from a revoked or expired one.
const notFoundBody = "This tracking page does not exist.\n"

func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte(notFoundBody))
}

// notModified applies RFC 9110's conditional GET: If-None-Match when the
// request has it, else If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == etag || t == "*" {
				return true
			}
		}
		return false
	}
	ims, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !modified.After(ims)
}

// pageLanguage picks the page's language: ?lang= when trackbot speaks it,
// then the browser's Accept-Language in its order of preference, then the
// sharing chat's language, then the catalog's fallback.
func pageLanguage(c *locales.Catalog, r *http.Request, chat string) string {
	if l := c.Match(r.URL.Query().Get("lang")); l != "" {
		return l
	}
	if tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language")); err == nil {
		for _, t := range tags {
			if l := c.Match(t.String()); l != "" {
				return l
			}
		}
	}
	return c.Localizer(chat).Language()
}

// pageView is everything the page and its JSON show, in one language.
type pageView struct {
	Lang, Title, Heading, SiteName, Summary string
	Style                                   template.CSS
	Brand                                   *Brand
	Number, CarrierName, Subline, State     string
	Exception                               bool
	Advice                                  string
	Steps                                   []pageStep
	ETA, Updated, Route, OrderRef           string
	Local                                   *pageLocal
	Legs                                    []string
	Events                                  []pageEvent
	Languages                               []pageLanguageLink
	T                                       pageTexts

	sh         *tracking.Shipment
	label      string
	stage      tracking.Stage
	etaDay     *time.Time
	modified   time.Time
	logoOrigin string
	local      *tracking.LocalCarrier
}

type pageStep struct {
	Name, Class, Problem string
	// Current marks the stage reached, Done those before it (said to
	// screen readers, which do not see the strip's colours).
	Current, Done bool
}

type pageLocal struct{ Text, URL, LinkText string }

type pageEvent struct {
	ISO, When, Carrier, Text, Place string
	e                               tracking.Event
	zone                            string
}

type pageLanguageLink struct {
	Code, Name string
	Current    bool
}

// pageTexts are the page's fixed words in its language.
type pageTexts struct {
	Progress, StepDone, Expected, Updated, Route, Order, LocalHeading, Legs, Journey string
	TimesNote, NoEvents, Language, Footer                                            string
}

// view builds the page of p in lang at now.
func (pg Pages) view(p *SharedPage, lang string, now time.Time) *pageView {
	loc := pg.Catalog.Localizer(lang)
	w := wording.New(loc)
	sh := p.Shipment
	v := &pageView{Lang: loc.Language(), Style: pageStyle, sh: sh, label: p.Label,
		Number: sh.Number, CarrierName: w.Carrier(sh.Carrier), State: w.Status(sh.Status, sh.Substatus),
		OrderRef: p.OrderRef, SiteName: "trackbot"}
	v.T = pageTexts{
		Progress: loc.T("page_progress", nil), StepDone: loc.T("page_step_done", nil), Expected: loc.T("page_expected", nil), Updated: loc.T("page_updated", nil),
		Route: loc.T("page_route", nil), Order: loc.T("page_order", nil), LocalHeading: loc.T("page_local_heading", nil),
		Legs: loc.T("page_legs", nil), Journey: loc.T("page_journey", nil), TimesNote: loc.T("page_times_note", nil),
		NoEvents: loc.T("page_no_events", nil), Language: loc.T("page_language", nil), Footer: loc.T("page_footer", nil),
	}
	// The heading names the parcel: the sharer's label when shown, else
	// its number; the line under it says what the heading does not.
	v.Heading, v.Subline = p.Label, sh.Number+" · "+v.CarrierName
	if v.Heading == "" {
		v.Heading, v.Subline = loc.T("page_parcel", map[string]any{"Number": sh.Number}), v.CarrierName
	}
	if b := brandOf(p.Brand); b != nil {
		v.Brand, v.SiteName = b, b.Name
		if b.LogoURL != "" {
			u, _ := url.Parse(b.LogoURL)
			v.logoOrigin = "https://" + u.Host
		}
	}
	// Times without a place of their own are read where the parcel goes:
	// most viewers are its recipients.
	home := time.UTC
	if z, ok := wording.EventZone(tracking.Event{Location: tracking.Location{Country: sh.DestinationCountry}}); ok {
		home = z
	}

	var exception bool
	v.stage, exception = tracking.Progress(sh)
	v.Exception = exception
	for _, st := range tracking.StagesOf(sh) {
		step := pageStep{Name: loc.T("page_step_"+st.String(), nil)}
		switch {
		case st == v.stage:
			step.Current, step.Class = true, "current"
			if exception {
				step.Class += " exception"
				step.Problem = v.State
			}
		case st < v.stage:
			step.Class, step.Done = "done", true
		}
		v.Steps = append(v.Steps, step)
	}
	if pg.Advisor != nil {
		if a, ok := pg.Advisor.ViewerAdvice(sh, now); ok {
			v.Advice = w.Advice(a.Message, a.Data, home)
		}
	}
	if sh.ETA != nil && !sh.Status.Final() {
		v.etaDay = sh.ETA
		v.ETA = w.Day(*sh.ETA, home)
	}
	v.modified = sh.TrackedSince
	for _, t := range []*time.Time{sh.LastCheckedAt, sh.LastEventAt} {
		if t != nil && t.After(v.modified) {
			v.modified = *t
		}
	}
	v.Updated = w.Date(v.modified, home) + " " + zoneName(v.modified.In(home))
	if sh.OriginCountry != "" || sh.DestinationCountry != "" {
		v.Route = loc.T("page_route_countries", map[string]any{
			"From": w.Country(sh.OriginCountry), "To": w.Country(sh.DestinationCountry)})
	}
	if lc, ok := tracking.HandedOver(sh); ok {
		v.local = &lc
		// The newest leg's line, as the chat's card says it: "now with"
		// while it travels, "handed to" once delivered or returned.
		legs := w.Legs(sh)
		l := &pageLocal{Text: legs[len(legs)-1], URL: lc.URL}
		if lc.Tracker || lc.Name == "" {
			l.LinkText = loc.T("guidance_link_tracker", nil)
		} else {
			l.LinkText = loc.T("guidance_link_post", map[string]any{"Post": lc.Name})
		}
		v.Local = l
	}
	if len(sh.Legs) > 0 {
		v.Legs = append(v.Legs, loc.T("page_leg", map[string]any{"Carrier": w.Carrier(sh.Carrier), "Number": sh.Number}))
		for _, l := range sh.Legs {
			v.Legs = append(v.Legs, loc.T("page_leg", map[string]any{"Carrier": w.Carrier(l.Carrier), "Number": l.Number}))
		}
	}
	for i := len(sh.Events) - 1; i >= 0; i-- {
		e := sh.Events[i]
		zone, ok := wording.EventZone(e)
		if !ok {
			zone = time.UTC
		}
		at := e.Time.In(zone)
		carrier := w.Carrier(e.Carrier)
		if len(sh.Legs) > 0 && e.Number != "" {
			carrier += " · " + e.Number
		}
		v.Events = append(v.Events, pageEvent{ISO: e.Time.UTC().Format(time.RFC3339), When: w.Date(at, zone) + " " + zoneName(at),
			Carrier: carrier, Text: w.Event(e), Place: e.Location.String(), e: e, zone: zone.String()})
	}
	v.Title = v.Heading + " · " + v.State
	v.Summary = v.State
	if v.ETA != "" {
		v.Summary += " · " + v.T.Expected + ": " + v.ETA
	}
	for _, code := range pg.Catalog.Languages() {
		tag := language.Make(code)
		name := langdisplay.Self.Name(tag)
		if name == "" {
			name = code
		}
		v.Languages = append(v.Languages, pageLanguageLink{Code: code, Name: name, Current: code == v.Lang})
	}
	return v
}

// zoneName names the zone of a time as people read it: its abbreviation,
// or its offset from UTC where the zone has no letters ("UTC+08").
func zoneName(t time.Time) string {
	name, _ := t.Zone()
	if name == "" || name[0] == '+' || name[0] == '-' {
		return "UTC" + t.Format("-07:00")
	}
	return name
}

// brandOf is the brand the page shows: its name, with only the links that
// pass validBrandURL; nil without a name.
func brandOf(b Brand) *Brand {
	if b.Name == "" {
		return nil
	}
	out := &Brand{Name: b.Name}
	if validBrandURL(b.URL) {
		out.URL = b.URL
	}
	if validBrandURL(b.LogoURL) {
		out.LogoURL = b.LogoURL
	}
	return out
}

// pageJSON is GET /t/{token}.json: the page's content for programs, under
// the same privacy rules.
type pageJSON struct {
	Number             string          `json:"number"`
	Carrier            string          `json:"carrier"`
	CarrierName        string          `json:"carrier_name"`
	Status             tracking.Status `json:"status"`
	Substatus          string          `json:"substatus"`
	State              string          `json:"state"`
	Language           string          `json:"language"`
	Stage              string          `json:"stage"`
	Exception          bool            `json:"exception"`
	Advice             string          `json:"advice,omitempty"`
	ETA                *time.Time      `json:"eta,omitempty"`
	LastUpdated        time.Time       `json:"last_updated"`
	OriginCountry      string          `json:"origin_country,omitempty"`
	DestinationCountry string          `json:"destination_country,omitempty"`
	Label              string          `json:"label,omitempty"`
	OrderRef           string          `json:"order_ref,omitempty"`
	Brand              *Brand          `json:"brand,omitempty"`
	Legs               []jsonLeg       `json:"legs"`
	LocalCarrier       *jsonLocal      `json:"local_carrier,omitempty"`
	Events             []jsonEvent     `json:"events"`
}

type jsonLeg struct {
	Number      string `json:"number"`
	Carrier     string `json:"carrier"`
	CarrierName string `json:"carrier_name"`
}

type jsonLocal struct {
	Name   string `json:"name,omitempty"`
	Number string `json:"number"`
	URL    string `json:"url,omitempty"`
}

type jsonEvent struct {
	Time        time.Time         `json:"time"`
	Zone        string            `json:"zone"`
	Local       string            `json:"local_time"`
	Status      tracking.Status   `json:"status"`
	Substatus   string            `json:"substatus"`
	Description string            `json:"description"`
	Location    tracking.Location `json:"location"`
	Carrier     string            `json:"carrier"`
	Number      string            `json:"number,omitempty"`
}

func (v *pageView) json() pageJSON {
	sh := v.sh
	j := pageJSON{Number: sh.Number, Carrier: sh.Carrier, CarrierName: v.CarrierName, Status: sh.Status,
		Substatus: string(sh.Substatus), State: v.State, Language: v.Lang, Stage: v.stage.String(), Exception: v.Exception,
		Advice: v.Advice, ETA: v.etaDay, LastUpdated: v.modified.UTC(), OriginCountry: sh.OriginCountry,
		DestinationCountry: sh.DestinationCountry, Label: v.label, OrderRef: v.OrderRef, Brand: v.Brand,
		Legs: []jsonLeg{}, Events: []jsonEvent{}}
	for _, l := range sh.Legs {
		j.Legs = append(j.Legs, jsonLeg{Number: l.Number, Carrier: l.Carrier, CarrierName: tracking.CarrierName(l.Carrier)})
	}
	if v.local != nil {
		j.LocalCarrier = &jsonLocal{Name: v.local.Name, Number: v.local.Number, URL: v.local.URL}
	}
	for _, e := range v.Events {
		j.Events = append(j.Events, jsonEvent{Time: e.e.Time.UTC(), Zone: e.zone, Local: e.When, Status: e.e.Status,
			Substatus: string(e.e.Substatus), Description: e.Text, Location: e.e.Location, Carrier: e.e.Carrier, Number: e.e.Number})
	}
	return j
}
