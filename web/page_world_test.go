package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
	"github.com/trackbot/trackbot/web"
)

// pagesFromStore hands the store's shared pages to the web server, as
// cmd/trackbot wires them.
type pagesFromStore struct{ s *store.Store }

func (p pagesFromStore) SharedPage(ctx context.Context, token string, now time.Time) (*web.SharedPage, error) {
	sp, err := p.s.SharedPage(ctx, token, now)
	if err != nil {
		return nil, err
	}
	return &web.SharedPage{Shipment: sp.Shipment, Label: sp.Label, OrderRef: sp.OrderRef, Language: sp.Language,
		Brand: web.Brand{Name: sp.Brand.Name, URL: sp.Brand.URL, LogoURL: sp.Brand.LogoURL}}, nil
}

// pageWorld is trackbot with the demo carrier, a bot whose share links
// point at a live web server, and that server's tracking pages.
type pageWorld struct {
	t       *testing.T
	store   *store.Store
	clock   tracking.Clock
	engine  *tracking.Engine
	bot     *bot.Bot
	cat     *locales.Catalog
	metrics *prometheus.Registry
	srv     *httptest.Server
}

// newPageWorld wires the world on s; step is the demo journey's step, and
// clock nil means the wall clock.
func newPageWorld(t *testing.T, s *store.Store, clock tracking.Clock, step time.Duration) *pageWorld {
	t.Helper()
	if clock == nil {
		clock = tracking.SystemClock{}
	}
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	reg := tracking.NewRegistry(clock)
	reg.AddCarrier(demo.New(step, clock), tracking.CarrierDemo)
	e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, DemoStep: step, MinInterval: step})
	metrics := prometheus.NewRegistry()
	srv := web.New(":0", readyAlways{}, metrics)
	srv.HandleTrackingPages(web.Pages{Shared: pagesFromStore{s}, Advisor: e, Catalog: cat, Now: clock.Now})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	b := bot.New(bot.Config{Store: s, Engine: e, Catalog: cat, Clock: clock, PublicURL: ts.URL})
	return &pageWorld{t: t, store: s, clock: clock, engine: e, bot: b, cat: cat, metrics: metrics, srv: ts}
}

// admins is a platform adapter that says every user administers the chat.
type admins struct{ bot.Adapter }

func (admins) IsAdmin(context.Context, bot.ChatRef, string) (bool, error) { return true, nil }

func (w *pageWorld) say(chat bot.ChatRef, text string) string {
	return replyText(w.bot.Handle(context.Background(), bot.Message{Chat: chat, User: "u1", Text: text, Via: admins{}}))
}

func (w *pageWorld) press(chat bot.ChatRef, action, payload string) string {
	return replyText(w.bot.Handle(context.Background(), bot.Message{Chat: chat, User: "u1", Via: admins{},
		Action: &bot.Action{Name: action, Payload: payload}}))
}

// replyText is the replies' text with their buttons as "[label] ->
// action:payload".
func replyText(replies []bot.Reply) string {
	var sb strings.Builder
	for _, r := range replies {
		for _, b := range r.Blocks {
			if b.Text != nil {
				sb.WriteString(b.Text.Body + "\n")
			}
			for _, e := range b.Timeline {
				sb.WriteString(e.When + " " + e.Description + "\n")
			}
			for _, btn := range b.Buttons {
				sb.WriteString("[" + btn.Label + "] -> " + btn.Action + ":" + btn.Payload + "\n")
			}
		}
	}
	return sb.String()
}

// subscription is the id of the subscription a chat's card buttons carry
// for number.
func (w *pageWorld) subscription(chat bot.ChatRef, number string) string {
	w.t.Helper()
	card := w.say(chat, "/info "+number)
	m := regexp.MustCompile(`-> share:(\d+)`).FindStringSubmatch(card)
	if m == nil {
		w.t.Fatalf("/info %s has no Share button:\n%s", number, card)
	}
	return m[1]
}

var linkPattern = regexp.MustCompile(`https?://\S+/t/[0-9a-f]{32}`)

// share presses a share button (action "share" or "share_label") and
// returns the link the reply gives.
func (w *pageWorld) share(chat bot.ChatRef, action, sub string) string {
	w.t.Helper()
	reply := w.press(chat, action, sub)
	link := linkPattern.FindString(reply)
	if link == "" {
		w.t.Fatalf("%s:%s gave no link:\n%s", action, sub, reply)
	}
	return link
}

// get fetches url with the given request headers.
func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// metric is the value of one sample line of the world's /metrics, or 0.
func (w *pageWorld) metric(t *testing.T, line string) int {
	t.Helper()
	_, body := get(t, w.srv.URL+"/metrics")
	for _, l := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(l, line+" "); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// shipment is the shipment of a number as the store has it now.
func (w *pageWorld) shipment(number string) *tracking.Shipment {
	w.t.Helper()
	ids, err := w.store.ShipmentsByNumber(context.Background(), number)
	if err != nil || len(ids) == 0 {
		w.t.Fatalf("shipment %s: %v %v", number, ids, err)
	}
	sh, err := w.store.ShipmentView(context.Background(), ids[0])
	if err != nil {
		w.t.Fatal(err)
	}
	return sh
}
