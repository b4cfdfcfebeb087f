package bot_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking/providers/demo"
)

// TestApostrophesStayInLabelsAndReferences: an apostrophe inside a word
// (Mom's, l'anniversaire) is part of the label or order reference it is
// typed in, and /info finds the parcel by that label, in English and
// French.
func TestApostrophesStayInLabelsAndReferences(t *testing.T) {
	tests := []struct {
		lang, track, label, order, info, want string
	}{
		{"en", "/track DEMO-STALLED Mom's gift order #123", "Mom's gift", "#123", "/info Mom's gift", "Order: #123"},
		{"en", "/track DEMO-STALLED Mom’s gift order O'Brien-7", "Mom’s gift", "O'Brien-7", "/info Mom’s gift", "Order: O'Brien-7"},
		{"fr", "/track DEMO-STALLED l'anniversaire de Léa commande #123", "l'anniversaire de Léa", "#123", "/info l'anniversaire de Léa", "Commande : #123"},
		{"fr", "/track l'anniversaire de Léa DEMO-STALLED order l'A-12", "l'anniversaire de Léa", "l'A-12", "/info l'anniversaire de Léa", "Commande : l'A-12"},
	}
	for _, tt := range tests {
		t.Run(tt.track, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				h := newHarness(t, s)
				h.say(privateChat, tt.lang, tt.track)
				tr, err := s.FindSubscription(context.Background(), mustChat(t, s, privateChat.ID), "DEMO-STALLED")
				if err != nil {
					t.Fatal(err)
				}
				if tr.Sub.Label != tt.label || tr.Sub.OrderRef != tt.order {
					t.Errorf("stored label %q, order %q; want %q, %q", tr.Sub.Label, tr.Sub.OrderRef, tt.label, tt.order)
				}
				got := flat(h.say(privateChat, tt.lang, tt.info))
				if !strings.Contains(got, tt.label+" · DEMO-STALLED") || !strings.Contains(got, tt.want) {
					t.Errorf("%s answered:\n%s\nwant the card of %q with %q", tt.info, got, tt.label, tt.want)
				}
			})
		})
	}
}

// TestChatDetails: deep links, carrier names, time zone names in any case,
// quiet hours with minutes, and the hints and cards around them, in
// English and another language.
func TestChatDetails(t *testing.T) {
	tests := []struct {
		name, lang string
		setup      []string // said first
		say        string
		want       []string // pieces of the answer
		not        []string // pieces it must not have
	}{
		{name: "deep link tracks", lang: "en", say: "/start DEMO-LOST", want: []string{"Now tracking DEMO-LOST"}},
		{name: "deep link tracks, de", lang: "de", say: "/start DEMO-LOST", want: []string{"Ich verfolge jetzt DEMO-LOST"}},
		{name: "start without payload greets", lang: "en", say: "/start", want: []string{"Hi! I'm trackbot"}},
		{name: "start with another payload greets", lang: "en", say: "/start hello", want: []string{"Hi! I'm trackbot"}},
		{name: "dhl offers the DHL carriers", lang: "en", setup: []string{"/track DEMO-STALLED"}, say: "/carrier DEMO-STALLED dhl",
			want: []string{"Which dhl? Pick one:", "[DHL Express:carrier]", "[Deutsche Post DHL:carrier]", "[DHL eCommerce:carrier]"}},
		{name: "dhl offers the DHL carriers, de", lang: "de", setup: []string{"/track DEMO-STALLED"}, say: "/carrier DEMO-STALLED DHL",
			want: []string{"Welches DHL? Wähle aus:", "[DHL Express:carrier]"}},
		{name: "an alias is understood", lang: "en", setup: []string{"/track DEMO-STALLED"}, say: "/carrier DEMO-STALLED royal mail",
			want: []string{"I can't track DEMO-STALLED (Royal Mail)"}},
		{name: "an unknown carrier lists the ids", lang: "en", setup: []string{"/track DEMO-STALLED"}, say: "/carrier DEMO-STALLED pony",
			want: []string{"I don't know the carrier “pony”. Carriers I know: 4px, cainiao,", "dhl-express", "usps", "post-fr"}},
		{name: "an unknown carrier lists the ids, fr", lang: "fr", setup: []string{"/track DEMO-STALLED"}, say: "/carrier DEMO-STALLED pony",
			want: []string{"Je ne connais pas le transporteur « pony ». Je connais : 4px,", "dhl-paket"}},
		{name: "tz in lower case", lang: "en", say: "/tz europe/berlin", want: []string{"Time zone set to Europe/Berlin"}},
		{name: "tz in lower case, fr", lang: "fr", say: "/tz america/port-au-prince", want: []string{"America/Port-au-Prince"}},
		{name: "tz with underscores", lang: "en", say: "/tz AMERICA/NEW_YORK", want: []string{"Time zone set to America/New_York"}},
		{name: "tz utc", lang: "en", say: "/tz utc", want: []string{"Time zone set to UTC"}},
		{name: "tz unknown", lang: "en", say: "/tz mars/olympus", want: []string{"“mars/olympus” is not a time zone I know"}},
		{name: "lang with a region", lang: "en", say: "/lang de-AT", want: []string{"Ab jetzt spreche ich in diesem Chat Deutsch."}},
		{name: "lang as a locale", lang: "de", say: "/lang zh_CN", want: []string{"我会在这个聊天里说中文。"}},
		{name: "lang not spoken", lang: "en", say: "/lang pt-BR", want: []string{"Send /lang and one of: de, en, es, fr, ru, zh"}},
		{name: "tz alone shows the zone", lang: "en", say: "/tz", want: []string{"This chat's time zone is UTC; it is ", "Send /tz and a zone name to change it"},
			not: []string{"“”"}},
		{name: "tz alone shows the zone, de", lang: "de", setup: []string{"/tz Europe/Berlin"}, say: "/tz",
			want: []string{"Die Zeitzone dieses Chats ist Europe/Berlin"}, not: []string{"„“"}},
		{name: "quiet with minutes is refused", lang: "en", say: "/quiet 22:30-07",
			want: []string{"Quiet hours start and end on the hour: 22:30-07 is not supported"}, not: []string{"No alerts between"}},
		{name: "quiet with minutes is refused, de", lang: "de", say: "/quiet 22-06:15", want: []string{"zur vollen Stunde: 22-06:15"}},
		{name: "quiet on the hour", lang: "en", say: "/quiet 22:00-07", want: []string{"No alerts between 22:00 and 07:00"}},
		{name: "which names the command typed", lang: "en", setup: []string{"/track DEMO-STALLED", "/track DEMO-LOST"}, say: "/remove",
			want: []string{"e.g. /remove RR123456785CN"}},
		{name: "which names the command typed, alias", lang: "de", setup: []string{"/track DEMO-STALLED", "/track DEMO-LOST"}, say: "/delete",
			want: []string{"z. B. /remove RR123456785CN"}},
		{name: "which after info", lang: "en", setup: []string{"/track DEMO-STALLED", "/track DEMO-LOST"}, say: "/info",
			want: []string{"e.g. /info RR123456785CN"}},
		{name: "a delivered parcel is not promised news", lang: "en", say: "/track DEMO-DELIVERED",
			want: []string{"Now tracking DEMO-DELIVERED (Demo Carrier).\n"}, not: []string{"when it moves"}},
		{name: "a parcel without events has no last update", lang: "en", say: "/track DEMO-NOTFOUND",
			want: []string{"No information yet · Demo Carrier\n", "No events yet."}, not: []string{"last update"}},
		{name: "a parcel without events has no last update, de", lang: "de", say: "/track DEMO-NOTFOUND",
			not: []string{"letzte Meldung"}},
		{name: "tracking again sets label and order", lang: "en", setup: []string{"/track DEMO-STALLED"}, say: "/track DEMO-STALLED Mom's gift order #7",
			want: []string{"You already track DEMO-STALLED.", "Mom's gift · DEMO-STALLED", "Order: #7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				h := newHarness(t, s)
				for _, line := range tt.setup {
					h.say(privateChat, tt.lang, line)
				}
				got := flat(h.say(privateChat, tt.lang, tt.say))
				for _, w := range tt.want {
					if !strings.Contains(got, w) {
						t.Errorf("%s answered:\n%s\nwant %q in it", tt.say, got, w)
					}
				}
				for _, w := range tt.not {
					if strings.Contains(got, w) {
						t.Errorf("%s answered:\n%s\nwant no %q in it", tt.say, got, w)
					}
				}
			})
		})
	}
}

// TestPickingADHLCarrierMovesTheParcel: the button of "/carrier X dhl"
// moves the parcel to the carrier picked.
func TestPickingADHLCarrierMovesTheParcel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		h.say(privateChat, "en", "/track DEMO-STALLED")
		var payload string
		for _, r := range h.say(privateChat, "en", "/carrier DEMO-STALLED dhl") {
			for _, b := range r.Blocks {
				for _, btn := range b.Buttons {
					if btn.Label == "DHL Express" {
						payload = btn.Payload
					}
				}
			}
		}
		if payload == "" {
			t.Fatal("no DHL Express button")
		}
		// No provider serves DHL Express here: the answer says so for that
		// carrier, which shows the choice arrived.
		if got := flat(h.press(privateChat, "en", "carrier", payload)); !strings.Contains(got, "(DHL Express)") {
			t.Errorf("pressing DHL Express answered:\n%s", got)
		}
	})
}

// TestRemoveButtonAsksFirst: the Remove button asks before it deletes;
// Cancel brings the card back and Yes removes the parcel.
func TestRemoveButtonAsksFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		h.say(privateChat, "en", "/track DEMO-STALLED")
		chat := mustChat(t, s, privateChat.ID)
		tr, err := s.FindSubscription(context.Background(), chat, "DEMO-STALLED")
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(tr.Sub.ID, 10)
		ask := h.press(privateChat, "en", "remove", id)
		if got := flat(ask); len(ask) != 1 || !ask[0].Replace || !strings.Contains(got, "Stop tracking DEMO-STALLED?") ||
			!strings.Contains(got, "[Yes, remove:remove]") || !strings.Contains(got, "[Cancel:remove]") {
			t.Fatalf("Remove answered:\n%s", got)
		}
		if _, err := s.FindSubscription(context.Background(), chat, "DEMO-STALLED"); err != nil {
			t.Fatalf("the question removed the parcel: %v", err)
		}
		back := h.press(privateChat, "en", "remove", id+"|no")
		if got := flat(back); len(back) != 1 || !back[0].Replace || !strings.Contains(got, "DEMO-STALLED") || !strings.Contains(got, "[Remove:remove]") {
			t.Errorf("Cancel answered:\n%s", got)
		}
		if got := flat(h.press(privateChat, "en", "remove", id+"|yes")); !strings.Contains(got, "Stopped tracking DEMO-STALLED.") {
			t.Errorf("Yes answered:\n%s", got)
		}
		if _, err := s.FindSubscription(context.Background(), chat, "DEMO-STALLED"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after Yes the parcel is still there: %v", err)
		}
	})
}

// TestALegIsNowOnlyWhileTheParcelTravels: a card and its alert say the
// demo carrier's later leg is with the destination post — the carrier
// tracking.HandedOver names, as the guidance and the tracking page do —
// "now" only while it is on the way; once it is delivered, the leg reads
// as the carrier it was handed to.
func TestALegIsNowOnlyWhileTheParcelTravels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for i, tc := range []struct{ cc, post string }{{"FR", "La Poste"}, {"DE", "Deutsche Post DHL"}, {"US", "USPS"}} {
			h := newHarness(t, s)
			chatRef := bot.ChatRef{Platform: bot.Telegram, ID: strconv.Itoa(3001 + i), Kind: bot.Private}
			number := "DEMO-LIVE-" + tc.cc
			h.say(chatRef, "en", "/track "+number)
			chat := mustChat(t, s, chatRef.ID)
			tr, err := s.FindSubscription(context.Background(), chat, number)
			if err != nil {
				t.Fatal(err)
			}
			id := strconv.FormatInt(tr.Sub.ID, 10)
			card := func() string { return flat(h.press(chatRef, "en", "refresh", id)) }
			local := demo.LocalNumber(number, tc.cc)
			h.clock.Advance(4*time.Minute + 30*time.Second) // handed to the local post
			if got := card(); !strings.Contains(got, "Now with "+tc.post+" as "+local) || strings.Contains(got, "Now with Demo Carrier") {
				t.Fatalf("%s on the way after the handover:\n%s", tc.cc, got)
			}
			rec := &recorder{}
			if _, err := bot.NewNotifier(s, h.cat, h.clock, rec).RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			if alerts := strings.Join(rec.sent, "\n"); !strings.Contains(alerts, "New tracking number: "+local+" ("+tc.post+")") {
				t.Errorf("%s: the handover's alert does not name %s:\n%s", tc.cc, tc.post, alerts)
			}
			h.clock.Advance(10 * time.Minute) // delivered
			got := card()
			if !strings.Contains(got, "Delivered") || strings.Contains(got, "Now with") || !strings.Contains(got, "Handed to "+tc.post+" as "+local) {
				t.Errorf("%s delivered:\n%s", tc.cc, got)
			}
		}
	})
}
