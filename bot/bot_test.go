package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// harness is a bot on a real store with the demo carrier and a fake clock.
type harness struct {
	t      *testing.T
	store  *store.Store
	clock  *tracking.FakeClock
	engine *tracking.Engine
	bot    *bot.Bot
	cat    *locales.Catalog
}

// newHarness returns a bot on s with a fake clock at t0 and the demo
// carrier; each of providers adds what a test needs to the registry (a
// fake for a carrier, a fallback).
func newHarness(t *testing.T, s *store.Store, providers ...func(*tracking.Registry)) *harness {
	t.Helper()
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	clock := tracking.NewFakeClock(t0)
	reg := tracking.NewRegistry(clock)
	reg.AddCarrier(demo.New(time.Minute, clock), tracking.CarrierDemo)
	for _, add := range providers {
		add(reg)
	}
	e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, DemoStep: time.Minute, MinInterval: time.Minute})
	return &harness{t: t, store: s, clock: clock, engine: e, cat: cat,
		bot: bot.New(bot.Config{Store: s, Engine: e, Catalog: cat, Clock: clock})}
}

var privateChat = bot.ChatRef{Platform: bot.Telegram, ID: "1001", Kind: bot.Private}
var groupChat = bot.ChatRef{Platform: bot.Telegram, ID: "-2002", Kind: bot.Group}

func (h *harness) say(chat bot.ChatRef, lang, text string) []bot.Reply {
	return h.bot.Handle(context.Background(), bot.Message{Chat: chat, User: "u1", Text: text, Language: lang})
}

func (h *harness) press(chat bot.ChatRef, lang, action, payload string) []bot.Reply {
	return h.bot.Handle(context.Background(), bot.Message{Chat: chat, User: "u1", Language: lang, Action: &bot.Action{Name: action, Payload: payload}})
}

// render writes replies as plain text, buttons with their actions and
// payloads, so that a golden file shows everything a platform would get.
func render(replies []bot.Reply) string {
	if len(replies) == 0 {
		return "(no reply)\n"
	}
	var sb strings.Builder
	for i, r := range replies {
		if i > 0 {
			sb.WriteString("----\n")
		}
		if r.Replace {
			sb.WriteString("[replaces the pressed message]\n")
		}
		for _, b := range r.Blocks {
			switch {
			case b.Text != nil && b.Text.Title:
				sb.WriteString("# " + b.Text.Body + "\n")
			case b.Text != nil:
				sb.WriteString(b.Text.Body + "\n")
			case len(b.Timeline) > 0:
				for _, e := range b.Timeline {
					fmt.Fprintf(&sb, "  | %s | %s | %s | %s\n", e.When, e.Description, e.Place, e.Carrier)
				}
			case len(b.Buttons) > 0:
				for _, btn := range b.Buttons {
					fmt.Fprintf(&sb, "  [%s] -> %s:%s\n", btn.Label, btn.Action, btn.Payload)
				}
			}
		}
	}
	return sb.String()
}

// step is one message of the scripted conversation.
type step struct {
	name    string
	chat    bot.ChatRef
	text    string
	action  string // a button press when set
	payload string
	advance time.Duration
}

// conversation exercises every command, the pasted-text path in a private
// chat and in a group, and the buttons.
var conversation = []step{
	{name: "start", text: "/start"},
	{name: "help", text: "/help"},
	{name: "unknown", text: "what's up?"},
	{name: "unknown-command", text: "/frobnicate"},
	{name: "track-usage", text: "/track"},
	{name: "track", text: "/track DEMO-STALLED-DE \"Blue jacket\""},
	{name: "track-again", text: "/track demo-stalled-de"},
	{name: "track-mistyped", text: "/track RR123456789CN"},
	{name: "track-bad", text: "/track !!"},
	{name: "track-order", text: "/track order #42 DEMO-LIVE-FR"},
	{name: "track-no-provider", text: "/track RR123456785CN"},
	{name: "track-delivered", text: "/track DEMO-DELIVERED Shoes"},
	{name: "track-customs", text: "/track DEMO-CUSTOMS-DE"},
	{name: "pasted-email", text: "Your order has shipped! Tracking: DEMO-LABEL-GB (carrier: demo). Questions? Call +44 20 7946 0958. Order 2026-11-01."},
	{name: "group-paste", chat: groupChat, text: "hey, the parcel is DEMO-PICKUP and also DEMO-ATTEMPT"},
	{name: "group-chatter", chat: groupChat, text: "see you tomorrow"},
	{name: "group-press-track", chat: groupChat, action: "track", payload: "DEMO-PICKUP"},
	{name: "list", text: "/list", advance: 3 * time.Minute},
	{name: "info", text: "/info blue jacket"},
	{name: "info-live", text: "/info DEMO-LIVE-FR"},
	{name: "info-unknown", text: "/info nothing-here"},
	{name: "info-which", text: "/info"},
	{name: "rename", text: "/rename DEMO-LIVE-FR Gift for mum"},
	{name: "rename-usage", text: "/rename"},
	{name: "order", text: "/order gift for mum #43"},
	{name: "carrier-unknown", text: "/carrier DEMO-LIVE-FR nope"},
	{name: "carrier-same", text: "/carrier DEMO-LIVE-FR demo"},
	{name: "carrier-usage", text: "/carrier"},
	{name: "shop", text: "/shop DEMO-STALLED-DE aliexpress"},
	{name: "shop-usage", text: "/shop DEMO-STALLED-DE wish"},
	{name: "mute-one", text: "/mute Shoes"},
	{name: "unmute-one", text: "/unmute Shoes"},
	{name: "mute-chat", text: "/mute"},
	{name: "unmute-chat", text: "/unmute"},
	{name: "quiet", text: "/quiet 22-07"},
	{name: "quiet-off", text: "/quiet off"},
	{name: "quiet-usage", text: "/quiet sometimes"},
	{name: "tz", text: "/tz Europe/Berlin"},
	{name: "tz-usage", text: "/tz Mars/Olympus"},
	{name: "role-seller", text: "/role seller"},
	{name: "role-buyer", text: "/role buyer"},
	{name: "role-usage", text: "/role boss"},
	{name: "press-refresh", action: "refresh", payload: "2"},
	{name: "press-mute", action: "mute", payload: "2"},
	{name: "press-unmute", action: "unmute", payload: "2"},
	{name: "press-rename", action: "rename", payload: "2"},
	{name: "press-share", action: "share", payload: "2"},
	{name: "press-missing", action: "missing", payload: "3"},
	{name: "press-other-chat", action: "remove", payload: "6"},
	{name: "press-stale", action: "refresh", payload: "999"},
	{name: "remove", text: "/remove Shoes"},
	{name: "lang-usage", text: "/lang tlh"},
	{name: "forget", text: "/forget"},
	{name: "forget-cancel", action: "cancel"},
	{name: "forget-confirm", action: "forget", payload: "confirm"},
	{name: "list-empty", text: "/list"},
	{name: "lang", text: "/lang de"},
}

func TestGoldenConversation(t *testing.T) {
	for _, lang := range []string{"en", "de"} {
		t.Run(lang, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				h := newHarness(t, s)
				var transcript strings.Builder
				for _, st := range conversation {
					h.clock.Advance(3*time.Second + st.advance)
					chat := st.chat
					if chat.ID == "" {
						chat = privateChat
					}
					var replies []bot.Reply
					if st.action != "" {
						replies = h.press(chat, lang, st.action, st.payload)
					} else {
						replies = h.say(chat, lang, st.text)
					}
					fmt.Fprintf(&transcript, "=== %s: %s%s\n", st.name, st.text, pressed(st))
					transcript.WriteString(render(replies))
				}
				expect.Golden(t, filepath.Join("testdata", "conversation."+lang+".golden"), []byte(transcript.String()))
			})
		})
	}
}

func pressed(st step) string {
	if st.action == "" {
		return ""
	}
	return "[press " + st.action + ":" + st.payload + "]"
}

func TestSlackCardsOfferAcknowledgeAndSnooze(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	h := newHarness(t, s)
	channel := bot.ChatRef{Platform: bot.Slack, Team: "T1", ID: "C1", Kind: bot.Channel}
	card := render(h.say(channel, "en", "/track DEMO-STALLED"))
	for _, want := range []string{"-> ack:1", "-> snooze:1"} {
		if !strings.Contains(card, want) {
			t.Fatalf("Slack card lacks %q:\n%s", want, card)
		}
	}
	if got := render(h.press(channel, "en", "snooze", "1")); !strings.Contains(got, "snoozed until 3 Nov 2026 09:00") {
		t.Errorf("snooze: %q", got)
	}
	tr, err := s.FindSubscription(context.Background(), 1, "DEMO-STALLED")
	if err != nil || tr.Sub.SnoozedUntil == nil || !tr.Sub.SnoozedUntil.Equal(t0.Add(24*time.Hour)) {
		t.Errorf("snoozed until %v (%v)", tr.Sub.SnoozedUntil, err)
	}
	if private := render(h.say(privateChat, "en", "/track DEMO-LABEL")); strings.Contains(private, "ack:") {
		t.Errorf("a Telegram card offers Slack's team buttons:\n%s", private)
	}
}

// TestTrackingWhileTheServiceIsBusy: a spent quota never reaches the chat
// as a raw error; the parcel is tracked and retried on schedule.
func TestTrackingWhileTheServiceIsBusy(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	busy := trackingtest.NewProvider("busy")
	busy.Fail("1Z999AA10123456784", &tracking.RateLimitError{Provider: "busy", RetryAfter: time.Hour, Daily: true})
	b := newHarness(t, s, func(reg *tracking.Registry) { reg.AddCarrier(busy, "ups") }).bot
	got := render(b.Handle(context.Background(), bot.Message{Chat: privateChat, Text: "/track 1Z999AA10123456784"}))
	if !strings.Contains(got, "Now tracking 1Z999AA10123456784") || !strings.Contains(got, "busy right now") {
		t.Errorf("reply:\n%s", got)
	}
	for _, raw := range []string{"rate limited", "quota", "tracking:", "busy:"} {
		if strings.Contains(got, raw) {
			t.Errorf("reply shows a raw error (%q):\n%s", raw, got)
		}
	}
	st, err := s.Shipment(context.Background(), 1)
	if err != nil || st.NextCheckAt == nil || st.NextCheckAt.Sub(t0) < time.Hour {
		t.Errorf("next check %v, want after the provider's wait (%v)", st.NextCheckAt, err)
	}
	refreshed := render(b.Handle(context.Background(), bot.Message{Chat: privateChat, Action: &bot.Action{Name: "refresh", Payload: "1"}}))
	if !strings.Contains(refreshed, "[replaces the pressed message]") || !strings.Contains(refreshed, "busy right now") {
		t.Errorf("refresh while busy:\n%s", refreshed)
	}
}

func TestShareLinkOpensThePageUntilRevoked(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	h := newHarness(t, s)
	b := bot.New(bot.Config{Store: s, Engine: h.engine, Catalog: h.cat, Clock: h.clock, PublicURL: "https://track.example.org/"})
	ctx := context.Background()
	b.Handle(ctx, bot.Message{Chat: privateChat, Text: "/track DEMO-STALLED Lamp"})
	reply := render(b.Handle(ctx, bot.Message{Chat: privateChat, Action: &bot.Action{Name: "share", Payload: "1"}}))
	i := strings.Index(reply, "https://track.example.org/t/")
	if i < 0 || !strings.Contains(reply, "-> unshare:1") {
		t.Fatalf("share reply:\n%s", reply)
	}
	token := strings.Fields(reply[i+len("https://track.example.org/t/"):])[0]
	if len(token) < 32 {
		t.Fatalf("token %q is shorter than 128 bits", token)
	}
	if p, err := s.SharedPage(ctx, token, h.clock.Now()); err != nil || p.Shipment.Number != "DEMO-STALLED" {
		t.Fatalf("shared page: %+v, %v", p, err)
	}
	// Another chat cannot revoke it.
	b.Handle(ctx, bot.Message{Chat: bot.ChatRef{Platform: bot.Telegram, ID: "9", Kind: bot.Private}, Action: &bot.Action{Name: "unshare", Payload: "1"}})
	if _, err := s.SharedPage(ctx, token, h.clock.Now()); err != nil {
		t.Fatalf("another chat revoked the link: %v", err)
	}
	b.Handle(ctx, bot.Message{Chat: privateChat, Action: &bot.Action{Name: "unshare", Payload: "1"}})
	if _, err := s.SharedPage(ctx, token, h.clock.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked link still opens: %v", err)
	}
}

// TestShareLinkExpires: with a share link lifetime set, the link says
// until when it opens the page, and then it stops.
func TestShareLinkExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		b := bot.New(bot.Config{Store: s, Engine: h.engine, Catalog: h.cat, Clock: h.clock,
			PublicURL: "https://track.example.org", ShareLinkTTL: 48 * time.Hour})
		ctx := context.Background()
		b.Handle(ctx, bot.Message{Chat: privateChat, Text: "/track DEMO-STALLED Lamp"})
		reply := render(b.Handle(ctx, bot.Message{Chat: privateChat, Action: &bot.Action{Name: "share", Payload: "1"}}))
		i := strings.Index(reply, "https://track.example.org/t/")
		if i < 0 || !strings.Contains(reply, "The link opens the page until 4 Nov 2026 09:00.") {
			t.Fatalf("share reply:\n%s", reply)
		}
		token := strings.Fields(reply[i+len("https://track.example.org/t/"):])[0]
		for _, tc := range []struct {
			after time.Duration
			opens bool
		}{{0, true}, {47 * time.Hour, true}, {49 * time.Hour, false}} {
			_, err := s.SharedPage(ctx, token, t0.Add(tc.after))
			if tc.opens && err != nil || !tc.opens && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%v after sharing: %v, want opens=%v", tc.after, err, tc.opens)
			}
		}
	})
}

// TestShopChangeBringsItsGuidance: telling trackbot the parcel is from Temu
// brings Temu's step once, without waiting for the parcel to move.
func TestShopChangeBringsItsGuidance(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	fake := trackingtest.NewProvider("fake")
	const number = "1Z999AA10123456784"
	fake.Set(number, tracking.Result{Number: number, Carrier: "ups", Events: []tracking.Event{{
		Time: t0.Add(-8 * 24 * time.Hour), Substatus: tracking.SubPackageDeparted, Description: "Departed",
		Location: tracking.Location{City: "Louisville", Country: "US"}}}})
	b := newHarness(t, s, func(reg *tracking.Registry) { reg.AddCarrier(fake, "ups") }).bot
	ctx := context.Background()
	say := func(text string) string {
		return render(b.Handle(ctx, bot.Message{Chat: privateChat, Text: text}))
	}
	say("/track " + number)
	guidance := func() []string {
		rows, err := s.DB().Query(`SELECT payload FROM outbox WHERE kind = 'guidance' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var rules []string
		for rows.Next() {
			var p string
			rows.Scan(&p)
			var n tracking.GuidanceNotice
			json.Unmarshal([]byte(p), &n)
			rules = append(rules, n.Rule)
		}
		return rules
	}
	if g := guidance(); len(g) != 0 {
		t.Fatalf("tracking pushed guidance %v; it belongs in the answer", g)
	}
	say("/shop " + number + " temu")
	if g := guidance(); fmt.Sprint(g) != "[temu_no_update]" {
		t.Fatalf("after /shop temu: %v, want Temu's step once", g)
	}
	say("/shop " + number + " temu")
	if g := guidance(); len(g) != 1 {
		t.Errorf("saying it twice pushed again: %v", g)
	}
}
