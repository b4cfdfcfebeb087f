package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// journey scripts a UPS parcel scan by scan: each scan adds one event,
// refreshes the shipment through the engine and lets the notifier send
// what the refresh queued.
type journey struct {
	t        *testing.T
	h        *harness
	fake     *trackingtest.Provider
	number   string
	events   []tracking.Event
	shipment int64
	notifier *bot.Notifier
	rec      *recorder
	// legs and dest are the provider's later numbers and destination.
	legs []tracking.Leg
	dest string
}

func newJourney(t *testing.T, s *store.Store, first tracking.Event) *journey {
	t.Helper()
	fake := trackingtest.NewProvider("fake")
	h := newHarness(t, s, func(reg *tracking.Registry) { reg.AddCarrier(fake, "ups") })
	j := &journey{t: t, h: h, fake: fake, number: upsNumber(t, 0), rec: &recorder{}}
	j.notifier = bot.NewNotifier(s, h.cat, h.clock, j.rec)
	j.events = []tracking.Event{first}
	j.set()
	return j
}

// set makes the provider answer with the events so far, its summary
// being the newest event's status.
func (j *journey) set() {
	last := j.events[len(j.events)-1]
	j.fake.Set(j.number, tracking.Result{Number: j.number, Carrier: "ups", Status: last.Status, Substatus: last.Substatus, Events: j.events,
		NextLegs: j.legs, DestinationCountry: j.dest})
}

// track has a private chat track the parcel, in lang, with commands said
// after it (/alerts …), and returns the chat's id.
func (j *journey) track(id, lang string, commands ...string) int64 {
	j.t.Helper()
	chat := bot.ChatRef{Platform: bot.Telegram, ID: id, Kind: bot.Private}
	j.h.say(chat, lang, "/lang "+lang)
	j.h.say(chat, lang, "/track "+j.number)
	for _, c := range commands {
		j.h.say(chat, lang, c)
	}
	ctx := context.Background()
	c, err := j.h.store.EnsureChat(ctx, "telegram", "", id, "private", "buyer", t0)
	if err != nil {
		j.t.Fatal(err)
	}
	tr, err := j.h.store.FindSubscription(ctx, c.ID, j.number)
	if err != nil {
		j.t.Fatal(err)
	}
	j.shipment = tr.Shipment.ID
	return c.ID
}

// scan brings new events an hour later, then refreshes and notifies.
func (j *journey) scan(events ...tracking.Event) {
	j.t.Helper()
	ctx := context.Background()
	j.h.clock.Advance(time.Hour)
	for _, e := range events {
		e.Time = j.h.clock.Now().Add(e.Time.Sub(time.Time{}) - time.Hour)
		j.events = append(j.events, e)
	}
	j.set()
	if _, err := j.h.engine.Refresh(ctx, j.shipment); err != nil {
		j.t.Fatal(err)
	}
	if _, err := j.notifier.RunOnce(ctx); err != nil {
		j.t.Fatal(err)
	}
}

// pushes returns what the notifier sent to the chat with the platform id,
// split into status alerts (the status each names) and the rest.
func (j *journey) pushes(id, statusPrefix string) (statuses []string, others []string) {
	j.rec.mu.Lock()
	defer j.rec.mu.Unlock()
	for _, line := range j.rec.sent {
		text, ok := strings.CutPrefix(line, id+": ")
		if !ok {
			continue
		}
		if _, after, found := strings.Cut(text, " / "+statusPrefix); found {
			name, _, _ := strings.Cut(after, " / ")
			statuses = append(statuses, name)
			continue
		}
		others = append(others, text)
	}
	return statuses, others
}

// alertOf returns the push to the chat with the platform id that says
// title.
func (j *journey) alertOf(id, title string) string {
	j.rec.mu.Lock()
	defer j.rec.mu.Unlock()
	for _, line := range j.rec.sent {
		if strings.HasPrefix(line, id+": ") && strings.Contains(line, " / "+title+" / ") {
			return line
		}
	}
	return ""
}

// scanAt is a scan minutes into the hour that scan advances to, so that
// several scans of one refresh keep their order.
func scanAt(minutes int, sub tracking.Substatus, text, city string) tracking.Event {
	return tracking.Event{Time: time.Time{}.Add(time.Duration(minutes) * time.Minute), Status: sub.Parent(), Substatus: sub,
		Description: text, Location: tracking.Location{City: city, Country: "DE"}}
}

// TestAlertLevelsDecideWhichScansAreHeard follows one parcel in three
// chats, one at each alert level, through ten scans of one status (in
// transit: three more departures, three arrivals, two processings, two in
// customs) and a customs hold, through the engine, the store and the
// notifier, and counts every message each chat receives: "all" hears
// every scan (11 messages), "changes" each change of sub-status (4),
// "action" only the hold (1). A scan that changes nothing is titled as a
// new scan, not as a new status: only the 4 changes say "New status".
// The customs hold's advice needs action, so every level hears it, once,
// in the hold's alert: one event, one message. Whatever the level, /info
// shows the latest scan.
func TestAlertLevelsDecideWhichScansAreHeard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		start := tracking.Event{Time: t0.Add(-2 * time.Hour), Status: tracking.StatusTransit, Substatus: tracking.SubPackageDeparted,
			Description: "Departed from facility", Location: tracking.Location{City: "Shenzhen", Country: "CN"}}
		j := newJourney(t, s, start)
		j.track("lv-all", "en", "/alerts all")
		j.track("lv-changes", "en", "/alerts changes")
		j.track("lv-action", "en", "/alerts action")
		if _, err := j.notifier.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}

		subs := []tracking.Substatus{
			tracking.SubPackageDeparted, tracking.SubPackageDeparted, tracking.SubPackageDeparted,
			tracking.SubPackageArrived, tracking.SubPackageArrived, tracking.SubPackageArrived,
			tracking.SubPackageProcessing, tracking.SubPackageProcessing,
			tracking.SubCustomsProcessing, tracking.SubCustomsProcessing,
		}
		for i, sub := range subs {
			j.scan(scanAt(0, sub, fmt.Sprintf("Scan %d", i+1), fmt.Sprintf("Hub %d", i+1)))
		}
		// Whatever the level, the card shows the latest scan.
		if card := render(j.h.say(bot.ChatRef{Platform: bot.Telegram, ID: "lv-action", Kind: bot.Private}, "en", "/info "+j.number)); !strings.Contains(card, "Scan 10") {
			t.Errorf("/info at level action does not show the latest scan:\n%s", card)
		}
		j.scan(scanAt(0, tracking.SubCustomsHeld, "Held by customs: duties unpaid", "Frankfurt"))

		name := func(sub tracking.Substatus) string { return j.h.cat.Localizer("en").T("sub_"+string(sub), nil) }
		held := name(tracking.SubCustomsHeld)
		changes := []string{name(tracking.SubPackageArrived), name(tracking.SubPackageProcessing), name(tracking.SubCustomsProcessing), held}
		want := map[string][]string{"lv-all": changes, "lv-changes": changes, "lv-action": {held}}
		// The scans that repeat their status, which only "all" hears.
		var repeats []string
		for i, sub := range subs {
			if i == 0 || sub == subs[i-1] {
				repeats = append(repeats, name(sub))
			}
		}
		advice := "is held at customs until the import VAT and duties are paid"
		for _, id := range []string{"lv-all", "lv-changes", "lv-action"} {
			// Every message the chat got counts: the status alerts, and
			// anything else (advice on its own would be a second message).
			got, others := j.pushes(id, "New status: ")
			scans, _ := j.pushes(id, "New scan · ")
			wantScans := []string(nil)
			if id == "lv-all" {
				wantScans = repeats
			}
			if !slices.Equal(got, want[id]) || !slices.Equal(scans, wantScans) || len(others) != len(scans) {
				t.Errorf("%s got %d messages: status alerts %q, scans %q and others %q; want the alerts %q and the scans %q",
					id, len(got)+len(others), got, scans, others, want[id], wantScans)
			}
			hold := j.alertOf(id, "New status: "+held)
			if strings.Count(hold, advice) != 1 || !strings.Contains(hold, "❗ ") {
				t.Errorf("%s: the hold's alert does not carry its advice, once:\n%s", id, hold)
			}
		}
	})
}

// TestFoldedAlertNamesEveryStatusItCovers: a chat that missed three
// changes of status (the notifier or the carrier was behind: one refresh
// brings the handover to the local carrier, out for delivery and
// delivered) gets one status alert, naming the newest in its title line
// and the two before it, newest first as in the timeline, and carrying
// the delivery's advice and its button; in every language.
func TestFoldedAlertNamesEveryStatusItCovers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		start := tracking.Event{Time: t0.Add(-2 * time.Hour), Status: tracking.StatusTransit, Substatus: tracking.SubCustomsProcessing,
			Description: "Customs clearance", Location: tracking.Location{City: "Frankfurt", Country: "DE"}}
		j := newJourney(t, s, start)
		langs := j.h.cat.Languages()
		for _, lang := range langs {
			j.track("fold-"+lang, lang)
		}
		j.scan(
			scanAt(0, tracking.SubCarrierHandover, "Handed over to the local carrier", "Berlin"),
			scanAt(10, tracking.SubOther, "Arrived at delivery depot", "Berlin"), // says nothing new
			scanAt(20, tracking.SubOutForDelivery, "Out for delivery", "Berlin"),
			scanAt(40, tracking.SubDelivered, "Delivered, left with a neighbour", "Berlin"),
		)
		for _, lang := range langs {
			loc := j.h.cat.Localizer(lang)
			name := func(sub tracking.Substatus) string { return loc.T("sub_"+string(sub), nil) }
			title := loc.T("push_status", map[string]any{"Status": ""})
			statuses, others := j.pushes("fold-"+lang, title)
			if !slices.Equal(statuses, []string{name(tracking.SubDelivered)}) {
				t.Errorf("%s: status alerts %q, want one naming %q", lang, statuses, name(tracking.SubDelivered))
			}
			passed := loc.T("push_passed", map[string]any{"Statuses": name(tracking.SubOutForDelivery) +
				loc.T("push_passed_separator", nil) + name(tracking.SubCarrierHandover)})
			alert := j.alertOf("fold-"+lang, title+name(tracking.SubDelivered))
			if !strings.Contains(alert, " / "+passed) {
				t.Errorf("%s: the alert\n%s\ndoes not say %q", lang, alert, passed)
			}
			if len(others) != 0 {
				t.Errorf("%s: pushes besides the alert: %q", lang, others)
			}
			// The delivery's advice rides in the alert, with its button.
			if missing := " [" + loc.T(tracking.MissingButtonLabel(tracking.RoleBuyer), nil) + "] -> missing:"; !strings.Contains(alert, missing) {
				t.Errorf("%s: the alert\n%s\nlacks the delivery advice's button %q", lang, alert, missing)
			}
		}
		en := strings.Join(j.rec.sent, "\n")
		if !strings.Contains(en, "fold-en: ") || !strings.Contains(en, "New status: Delivered / ") ||
			!strings.Contains(en, " / Before that: Out for delivery, Handed to the local carrier") {
			t.Errorf("the English alert does not read as intended:\n%s", en)
		}
	})
}

// TestAlertsCommandShowsAndSetsTheLevel: /alerts shows the chat's level
// and the choices; private chats and Telegram groups start at "changes",
// Slack channels at "action"; a word that is no level is refused with the
// choices and changes nothing; in every language the choices are the
// catalog's.
func TestAlertsCommandShowsAndSetsTheLevel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		h := newHarness(t, s)
		channel := bot.ChatRef{Platform: bot.Slack, Team: "T1", ID: "C1", Kind: bot.Channel}
		for _, c := range []struct {
			chat bot.ChatRef
			want string
		}{
			{privateChat, "Alerts in this chat: each change of status. To change it, send one of:"},
			{groupChat, "Alerts in this chat: each change of status."},
			{channel, "Alerts in this chat: only what needs someone to act, plus deliveries and returns."},
		} {
			got := render(h.say(c.chat, "en", "/alerts"))
			if !strings.Contains(got, c.want) {
				t.Errorf("%s %s: /alerts says\n%s\nwant %q", c.chat.Platform, c.chat.Kind, got, c.want)
			}
			for _, line := range []string{"/alerts all — every new scan", "/alerts changes — each change of status",
				"/alerts action — only what needs someone to act, plus deliveries and returns",
				"/info and /list always show the latest scan, whatever the level."} {
				if !strings.Contains(got, line) {
					t.Errorf("%s: /alerts lacks %q:\n%s", c.chat.Kind, line, got)
				}
			}
		}

		level := func() string {
			c, err := s.EnsureChat(ctx, "telegram", "", privateChat.ID, "private", "buyer", t0)
			if err != nil {
				t.Fatal(err)
			}
			return c.AlertLevel
		}
		if got := render(h.say(privateChat, "en", "/alerts loud")); !strings.Contains(got, "“loud” is not an alert level. Send one of:") ||
			!strings.Contains(got, "/alerts action — ") || level() != "changes" {
			t.Errorf("/alerts loud: level %q, reply\n%s", level(), got)
		}
		if got := render(h.say(privateChat, "en", "/alerts ACTION")); !strings.Contains(got, "Done. Alerts in this chat from now on: only what needs someone to act") ||
			level() != "action" {
			t.Errorf("/alerts ACTION: level %q, reply\n%s", level(), got)
		}
		if got := render(h.say(privateChat, "en", "/alerts")); !strings.Contains(got, "Alerts in this chat: only what needs someone to act") {
			t.Errorf("/alerts after setting action:\n%s", got)
		}

		for _, lang := range h.cat.Languages() {
			loc := h.cat.Localizer(lang)
			chat := bot.ChatRef{Platform: bot.Telegram, ID: "alerts-" + lang, Kind: bot.Private}
			h.say(chat, lang, "/lang "+lang)
			got := render(h.say(chat, lang, "/alerts all"))
			if want := loc.T("alerts_set", map[string]any{"Level": loc.T("alerts_level_all", nil)}); !strings.Contains(got, want) {
				t.Errorf("%s: /alerts all says\n%s\nwant %q", lang, got, want)
			}
			got = render(h.say(chat, lang, "/alerts"))
			for _, l := range tracking.AlertLevels() {
				if want := "/alerts " + loc.T("alerts_word_"+string(l), nil) + " — " + loc.T("alerts_level_"+string(l), nil); !strings.Contains(got, want) {
					t.Errorf("%s: /alerts lacks %q:\n%s", lang, want, got)
				}
			}
		}
	})
}

// TestAlertsTakesTheChatsLanguagesWords: /alerts takes each level's word
// in the chat's language, in any case, as /list takes its filters' words,
// and the English names always work; another language's word is refused
// and changes nothing.
func TestAlertsTakesTheChatsLanguagesWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		h := newHarness(t, s)
		for i, c := range []struct {
			lang, word string
			want       tracking.AlertLevel
		}{
			{"de", "alle", tracking.AlertAll}, {"de", "Änderungen", tracking.AlertChanges}, {"de", "aktion", tracking.AlertAction},
			{"de", "all", tracking.AlertAll}, {"de", "changes", tracking.AlertChanges},
			{"ru", "все", tracking.AlertAll}, {"ru", "Изменения", tracking.AlertChanges}, {"ru", "действия", tracking.AlertAction},
			{"ru", "action", tracking.AlertAction},
			{"zh", "全部", tracking.AlertAll}, {"zh", "变化", tracking.AlertChanges}, {"zh", "行动", tracking.AlertAction},
			{"zh", "ALL", tracking.AlertAll},
			{"es", "cambios", tracking.AlertChanges}, {"fr", "tout", tracking.AlertAll},
		} {
			chat := bot.ChatRef{Platform: bot.Telegram, ID: fmt.Sprintf("words-%d", i), Kind: bot.Private}
			h.say(chat, c.lang, "/lang "+c.lang)
			// Start from the level the word does not name, so that
			// the word has to change it.
			other := tracking.AlertAll
			if c.want == other {
				other = tracking.AlertAction
			}
			h.say(chat, c.lang, "/alerts "+string(other))
			got := render(h.say(chat, c.lang, "/alerts "+c.word))
			loc := h.cat.Localizer(c.lang)
			ch, err := s.EnsureChat(ctx, "telegram", "", chat.ID, "private", "buyer", t0)
			if err != nil {
				t.Fatal(err)
			}
			want := loc.T("alerts_set", map[string]any{"Level": loc.T("alerts_level_"+string(c.want), nil)})
			if ch.AlertLevel != string(c.want) || !strings.Contains(got, want) {
				t.Errorf("%s /alerts %s: level %q, reply\n%s\nwant %s", c.lang, c.word, ch.AlertLevel, got, c.want)
			}
		}
		// A word of another language is no level here.
		chat := bot.ChatRef{Platform: bot.Telegram, ID: "words-other", Kind: bot.Private}
		h.say(chat, "de", "/lang de")
		h.say(chat, "de", "/alerts changes")
		got := render(h.say(chat, "de", "/alerts действия"))
		if ch, err := s.EnsureChat(ctx, "telegram", "", chat.ID, "private", "buyer", t0); err != nil || ch.AlertLevel != "changes" ||
			!strings.Contains(got, "/alerts aktion — ") {
			t.Errorf("de /alerts действия: level %q, reply\n%s", ch.AlertLevel, got)
		}
	})
}

// TestTrackingPromisesTheNewsTheLevelPushes: a chat at "action" (a Slack
// channel by default, or after /alerts action) is not told it will hear
// when a parcel moves, by /track or by a paste of many numbers: it is
// told what it will hear. A chat at "changes" is told it hears movement.
func TestTrackingPromisesTheNewsTheLevelPushes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		channel := bot.ChatRef{Platform: bot.Slack, Team: "T1", ID: "C-promise", Kind: bot.Channel}
		quiet := bot.ChatRef{Platform: bot.Telegram, ID: "promise-ru", Kind: bot.Private}
		h.say(quiet, "ru", "/lang ru")
		h.say(quiet, "ru", "/alerts action")
		for _, c := range []struct {
			chat           bot.ChatRef
			lang           string
			track, paste   string
			want, wantMany string
			not            string
		}{
			{privateChat, "en", "DEMO-LIVE-P1", "DEMO-LIVE-P2 DEMO-LIVE-P3 DEMO-LIVE-P4 DEMO-LIVE-P5",
				"I'll message you when it moves.", "I'll message you when one moves.", "needs someone to act"},
			// A channel is offered a paste's numbers as buttons.
			{channel, "en", "DEMO-LIVE-C1", "",
				"I'll message you when it needs someone to act, is delivered or comes back.", "", "moves"},
			{quiet, "ru", "DEMO-LIVE-R1", "DEMO-LIVE-R2 DEMO-LIVE-R3 DEMO-LIVE-R4 DEMO-LIVE-R5",
				"Напишу, когда посылка потребует действий, будет доставлена или вернётся.",
				"Напишу, когда какая-то посылка потребует действий, будет доставлена или вернётся.", "сдвинется"},
		} {
			got := render(h.say(c.chat, c.lang, "/track "+c.track))
			if !strings.Contains(got, c.want) || strings.Contains(got, c.not) {
				t.Errorf("%s %s: /track says\n%s\nwant %q", c.chat.Platform, c.chat.Kind, got, c.want)
			}
			if c.paste == "" {
				continue
			}
			got = render(h.say(c.chat, c.lang, c.paste))
			if !strings.Contains(got, c.wantMany) || strings.Contains(got, c.not) {
				t.Errorf("%s %s: a paste says\n%s\nwant %q", c.chat.Platform, c.chat.Kind, got, c.wantMany)
			}
		}
	})
}

// TestTurningQuieterDropsTheBacklogItNoLongerWants: a muted chat at
// "all" piles up pushes; turning to "changes" drops, in the same step, the
// waiting ones that level does not hear and says how many, and unmuting
// delivers only the rest, in order.
func TestTurningQuieterDropsTheBacklogItNoLongerWants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		start := tracking.Event{Time: t0.Add(-2 * time.Hour), Status: tracking.StatusTransit, Substatus: tracking.SubPackageDeparted,
			Description: "Departed from facility", Location: tracking.Location{City: "Shenzhen", Country: "CN"}}
		j := newJourney(t, s, start)
		chatID := j.track("backlog", "en", "/alerts all", "/mute")
		for i := range 3 {
			j.scan(scanAt(0, tracking.SubPackageDeparted, fmt.Sprintf("Scan %d", i+1), "Shenzhen"))
		}
		j.scan(scanAt(0, tracking.SubPackageArrived, "Arrived at facility", "Leipzig"))
		j.scan(scanAt(0, tracking.SubCustomsHeld, "Held by customs: duties unpaid", "Leipzig"))
		if c := counts(t, s, chatID); c["pending"] != 5 || j.rec.count() != 0 {
			t.Fatalf("muted: outbox %v, sent %d; want 5 pending (5 scans, the hold's with its advice), none sent", c, j.rec.count())
		}

		chat := bot.ChatRef{Platform: bot.Telegram, ID: "backlog", Kind: bot.Private}
		got := render(j.h.say(chat, "en", "/alerts changes"))
		if !strings.Contains(got, "3 waiting alerts that this level leaves out won't be sent.") {
			t.Errorf("/alerts changes with a backlog says:\n%s", got)
		}
		if c := counts(t, s, chatID); c["pending"] != 2 || c["dropped"] != 3 {
			t.Errorf("after /alerts changes: outbox %v, want 2 pending, 3 dropped", c)
		}
		j.h.say(chat, "en", "/unmute")
		if _, err := j.notifier.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		statuses, others := j.pushes("backlog", "New status: ")
		if want := []string{"Arrived at a facility", "Held at customs"}; !slices.Equal(statuses, want) || len(others) != 0 ||
			!strings.Contains(j.alertOf("backlog", "New status: Held at customs"), "is held at customs until the import VAT and duties are paid") {
			t.Errorf("after unmuting: status alerts %q and %d other pushes, want %q, the hold's with its advice", statuses, len(others), want)
		}
		if got := render(j.h.say(chat, "en", "/alerts all")); strings.Contains(got, "won't be sent") {
			t.Errorf("turning more talkative dropped something:\n%s", got)
		}
	})
}
