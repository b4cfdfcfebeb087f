package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// TestProtectionReminderComesOnceAtItsLeadTime: a chat gives two AliExpress
// parcels the end of their buyer protection with /shop. The one still on
// its way is reminded exactly once, at the configured lead time before the
// end (4 days here, not the default 3), although a quiet parcel is polled
// only every 12 hours; the delivered one never is. An engine and a notifier
// started afresh over the same database (a restart) send nothing again.
func TestProtectionReminderComesOnceAtItsLeadTime(t *testing.T) {
	const lead = 4 * 24 * time.Hour
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cat := newHarness(t, s).cat
		clock := tracking.NewFakeClock(t0)
		fake := trackingtest.NewProvider("fake")
		const onTheWay = "1Z999AA10123456784"
		fake.Set(onTheWay, tracking.Result{Number: onTheWay, Carrier: "ups", Events: []tracking.Event{{
			Time: t0.Add(-24 * time.Hour), Substatus: tracking.SubPackageDeparted, Description: "Departed",
			Location: tracking.Location{City: "Louisville", Country: "US"}}}})
		start := func(owner string) (*tracking.Engine, *bot.Bot) {
			reg := tracking.NewRegistry(clock)
			reg.AddCarrier(demo.New(time.Hour, clock), tracking.CarrierDemo)
			reg.AddCarrier(fake, "ups")
			e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, DemoStep: time.Hour, MinInterval: time.Hour,
				Owner: owner, Thresholds: tracking.Thresholds{ProtectionLead: lead}})
			return e, bot.New(bot.Config{Store: s, Engine: e, Catalog: cat, Clock: clock})
		}
		engine, b := start("before-restart")
		say := func(text string) string {
			return render(b.Handle(ctx, bot.Message{Chat: privateChat, Text: text, Language: "en"}))
		}
		say("/track " + onTheWay)
		say("/track DEMO-DELIVERED")
		reply := say("/shop " + onTheWay + " aliexpress 2026-11-20")
		if !strings.Contains(reply, "buyer protection ends on 20 Nov 2026") {
			t.Errorf("/shop with a date answered %q", reply)
		}
		say("/shop DEMO-DELIVERED aliexpress 2026-11-20")
		ends := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
		remindAt := ends.Add(-lead)

		// reminders lists, per tracked number, the reminders written to
		// the outbox and when.
		reminders := func() map[string][]time.Time {
			rows, err := s.DB().Query(`SELECT sh.number, o.created_at FROM outbox o
				JOIN subscriptions sub ON sub.id = o.subscription_id JOIN shipments sh ON sh.id = sub.shipment_id
				WHERE o.kind = 'guidance' AND o.dedupe_key LIKE '%:protection_ending:%' ORDER BY o.id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[string][]time.Time{}
			for rows.Next() {
				var number string
				var at time.Time
				if err := rows.Scan(&number, &at); err != nil {
					t.Fatal(err)
				}
				out[number] = append(out[number], at.UTC())
			}
			return out
		}
		run := func(e *tracking.Engine) {
			t.Helper()
			if _, err := e.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		// The days before: polled as a quiet parcel is, every 12 hours at
		// most, in rounds that do not fall on the reminder's time.
		for clock.Now().Before(remindAt.Add(-7 * time.Hour)) {
			clock.Advance(5 * time.Hour)
			run(engine)
		}
		clock.Set(remindAt.Add(-time.Minute))
		run(engine)
		if r := reminders(); len(r) != 0 {
			t.Fatalf("reminded before the lead time: %v", r)
		}
		trackedNow, err := s.Subscriptions(ctx, chatID(t, s))
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range trackedNow {
			if tr.Shipment.Number == onTheWay && (tr.Shipment.NextCheckAt == nil || tr.Shipment.NextCheckAt.After(remindAt)) {
				t.Errorf("next check %v, want no later than the reminder at %v", tr.Shipment.NextCheckAt, remindAt)
			}
		}
		clock.Set(remindAt)
		run(engine)
		got := reminders()
		if len(got[onTheWay]) != 1 || !got[onTheWay][0].Equal(remindAt) {
			t.Errorf("reminders of the parcel on its way: %v, want one at %v", got[onTheWay], remindAt)
		}
		if len(got["DEMO-DELIVERED"]) != 0 {
			t.Errorf("the delivered parcel was reminded: %v", got["DEMO-DELIVERED"])
		}
		rec := &recorder{}
		if _, err := bot.NewNotifier(s, cat, clock, rec).RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		sentReminders := func(r *recorder) int {
			n := 0
			for _, m := range r.sent {
				if strings.Contains(m, "AliExpress buyer protection for "+onTheWay+" ends on 20 Nov 2026") {
					n++
				}
			}
			return n
		}
		if n := sentReminders(rec); n != 1 {
			t.Errorf("sent %d reminders, want 1: %q", n, rec.sent)
		}

		// A restart: a new engine and notifier over the same database,
		// through the rest of the window and past its end.
		engine, _ = start("after-restart")
		again := &recorder{}
		notifier := bot.NewNotifier(s, cat, clock, again)
		for clock.Now().Before(ends.Add(2 * 24 * time.Hour)) {
			clock.Advance(5 * time.Hour)
			run(engine)
			if _, err := notifier.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if got := reminders(); len(got[onTheWay]) != 1 || len(got["DEMO-DELIVERED"]) != 0 {
			t.Errorf("after a restart the reminders are %v, want still the one", got)
		}
		if n := sentReminders(again); n != 0 {
			t.Errorf("the restarted notifier sent the reminder %d more times", n)
		}
	})
}

// chatID is the store's id of privateChat.
func chatID(t *testing.T, s *store.Store) int64 {
	t.Helper()
	var id int64
	if err := s.DB().QueryRow(`SELECT id FROM chats WHERE external_id = $1`, privateChat.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestProtectionDateBringsTheNextCheckForward: a date given an hour before
// its reminder is due does not wait for the quiet parcel's next poll, 12
// hours away; the reminder comes on time.
func TestProtectionDateBringsTheNextCheckForward(t *testing.T) {
	const lead = 4 * 24 * time.Hour
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(t0)
		fake := trackingtest.NewProvider("fake")
		const number = "1Z999AA10123456784"
		fake.Set(number, tracking.Result{Number: number, Carrier: "ups", Events: []tracking.Event{{
			Time: t0.Add(-8 * 24 * time.Hour), Substatus: tracking.SubPackageDeparted, Description: "Departed",
			Location: tracking.Location{City: "Louisville", Country: "US"}}}})
		reg := tracking.NewRegistry(clock)
		reg.AddCarrier(fake, "ups")
		e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, MinInterval: time.Hour, Thresholds: tracking.Thresholds{ProtectionLead: lead}})
		b := bot.New(bot.Config{Store: s, Engine: e, Catalog: newHarness(t, s).cat, Clock: clock})
		say := func(text string) {
			b.Handle(ctx, bot.Message{Chat: privateChat, Text: text, Language: "en"})
		}
		say("/track " + number)
		clock.Set(t0.Add(2 * time.Hour))
		say("/shop " + number + " ebay 2026-11-06")
		remindAt := time.Date(2026, 11, 6, 12, 0, 0, 0, time.UTC).Add(-lead)
		tracked, err := s.Subscriptions(ctx, chatID(t, s))
		if err != nil || len(tracked) != 1 {
			t.Fatalf("%d subscriptions, %v", len(tracked), err)
		}
		if next := tracked[0].Shipment.NextCheckAt; next == nil || !next.Equal(remindAt) {
			t.Errorf("next check %v, want the reminder's time %v", next, remindAt)
		}
		clock.Set(remindAt)
		if _, err := e.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE '%:protection_ending:%'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d reminders at their time (%v), want 1", n, err)
		}
	})
}

// TestAProtectionDateThatCannotServeIsRefused: /shop with a date that is
// not a date (2026-13-01, 1.12.2026) or that has passed is answered with
// that reason, in the chat's language, and changes nothing: no reminder
// is promised that can never come.
func TestAProtectionDateThatCannotServeIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		ctx := context.Background()
		h.say(privateChat, "en", "/track DEMO-STALLED")
		c, err := s.EnsureChat(ctx, "telegram", "", privateChat.ID, "private", "", h.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		past := h.clock.Now().AddDate(0, 0, -1).Format("2006-01-02")
		for _, tc := range []struct{ lang, text, want string }{
			{"en", "/shop DEMO-STALLED temu 2026-13-01", "“2026-13-01” is not a date I can read: write it as YYYY-MM-DD"},
			{"de", "/shop DEMO-STALLED temu 1.12.2026", "„1.12.2026“ kann ich nicht als Datum lesen: schreib es als JJJJ-MM-TT"},
			{"en", "/shop DEMO-STALLED temu " + past, "has already passed"},
			{"ru", "/shop DEMO-STALLED temu " + past, "уже прошла"},
			// A parcel not tracked here is said first.
			{"en", "/shop DEMO-LOST temu " + past, "You don't track “DEMO-LOST”"},
		} {
			got := render(h.say(privateChat, tc.lang, tc.text))
			if !strings.Contains(got, tc.want) {
				t.Errorf("%s (%s): answered\n%s\nwant %q", tc.text, tc.lang, got, tc.want)
			}
			tr, err := s.FindSubscription(ctx, c.ID, "DEMO-STALLED")
			if err != nil {
				t.Fatal(err)
			}
			if tr.Sub.Marketplace != "" {
				t.Errorf("%s: the parcel's shop became %q", tc.text, tr.Sub.Marketplace)
			}
		}
	})
}
