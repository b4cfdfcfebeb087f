package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/seventeentrack/seventeentracktest"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// tables are every table a chat's messages may write to.
var tables = []string{"chats", "shipments", "legs", "events", "subscriptions", "guidance_state", "outbox", "share_tokens", "claims"}

// rowCounts counts the rows of every table.
func rowCounts(t *testing.T, s *store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range tables {
		var n int
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func sameCounts(t *testing.T, what string, before, after map[string]int) {
	t.Helper()
	for _, table := range tables {
		if before[table] != after[table] {
			t.Errorf("%s wrote to %s: %d rows, then %d", what, table, before[table], after[table])
		}
	}
}

// unstorable is the reason given for text with characters the store
// cannot keep as typed.
var unstorable = map[string]string{"en": "characters I can't store as they are", "de": "Zeichen, die ich nicht unverändert speichern kann"}

// TestUnstorableTextWritesNoRowAtAll: a first message whose label or
// order reference has a NUL, a right-to-left override or invalid UTF-8 is
// refused with a reason before even the chat's row is written; in a group,
// chatter with such characters is not answered.
func TestUnstorableTextWritesNoRowAtAll(t *testing.T) {
	messages := []struct {
		name, text string
		kind       bot.ChatKind
		answered   bool
	}{
		{"a NUL in a label", "/track DEMO-LIVE a\x00b", bot.Private, true},
		{"a right-to-left override in a label", "/track DEMO-LIVE \u202Egal", bot.Private, true},
		{"an isolate in a pasted number's text", "DEMO-LIVE \u2067x\u2069", bot.Private, true},
		{"invalid UTF-8", "/track DEMO-LIVE \xff\xfe", bot.Private, true},
		{"a right-to-left override in a group command", "/track DEMO-LIVE \u202Egal", bot.Group, true},
		{"a right-to-left override in group chatter", "see you \u202Etomorrow", bot.Group, false},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		for i, m := range messages {
			chat := bot.ChatRef{Platform: bot.Telegram, ID: fmt.Sprint(7000 + i), Kind: m.kind}
			before := rowCounts(t, s)
			replies := h.say(chat, "en", m.text)
			got := render(replies)
			switch {
			case m.answered && !strings.Contains(got, unstorable["en"]):
				t.Errorf("%s: answered %q, want the reason %q", m.name, got, unstorable["en"])
			case !m.answered && len(replies) != 0:
				t.Errorf("%s: answered %q, want no reply", m.name, got)
			}
			sameCounts(t, m.name, before, rowCounts(t, s))
		}
	})
}

// TestBadInputsGetAReasonAndWriteNothing sends what people get wrong, in
// English and in German: each is answered with a reason in the chat's
// language, and not a row is written.
func TestBadInputsGetAReasonAndWriteNothing(t *testing.T) {
	inputs := []struct {
		name, text string
		says       map[string]string // language → a piece of the reason
	}{
		{"empty /track", "/track", map[string]string{"en": "Send /track and a tracking number", "de": "Schick /track und eine Sendungsnummer"}},
		{"5,000 characters", strings.Repeat("parcel ", 715)[:5000], map[string]string{"en": "too long (over 4096", "de": "zu lang (über 4096"}},
		{"an emoji as a number", "/track 📦📦📦", map[string]string{"en": "“📦📦📦” doesn't look like a tracking number", "de": "„📦📦📦“ sieht nicht nach einer Sendungsnummer aus"}},
		{"removing a number not tracked here", "/remove RR123456785CN", map[string]string{"en": "You don't track “RR123456785CN”", "de": "Du verfolgst „RR123456785CN“ nicht"}},
		{"a 200-character label", "/track DEMO-LABEL " + strings.Repeat("x", 200), map[string]string{"en": "That name is too long: at most 64 characters.", "de": "zu lang; bitte höchstens 64 Zeichen"}},
		{"renaming with a 200-character label", "/rename DEMO-LIVE " + strings.Repeat("y", 200), map[string]string{"en": "That name is too long: at most 64 characters.", "de": "zu lang; bitte höchstens 64 Zeichen"}},
		{"a 200-character order reference", "/track DEMO-LABEL order #" + strings.Repeat("9", 200), map[string]string{"en": "That order reference is too long: at most 64 characters.", "de": "Die Bestellnummer ist zu lang: höchstens 64 Zeichen."}},
		{"setting a 200-character order reference", "/order DEMO-LIVE #" + strings.Repeat("8", 200), map[string]string{"en": "That order reference is too long: at most 64 characters.", "de": "Die Bestellnummer ist zu lang: höchstens 64 Zeichen."}},
		{"a mistyped number", "/track RR123456789CN", map[string]string{"en": "RR123456789CN looks mistyped", "de": "RR123456789CN"}},
		{"a NUL in a label", "/track DEMO-LABEL a\x00b", unstorable},
		{"a right-to-left override in a label", "/track DEMO-LABEL gpj.\u202Eexe", unstorable},
		{"renaming with invalid UTF-8", "/rename DEMO-LIVE caf\xe9", unstorable},
		{"an order reference with a control character", "/order DEMO-LIVE #12\x1b[31m", unstorable},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		for i, lang := range []string{"en", "de"} {
			chat := bot.ChatRef{Platform: bot.Telegram, ID: fmt.Sprint(5000 + i), Kind: bot.Private}
			h.say(chat, lang, "/start")
			h.say(chat, lang, "/track DEMO-LIVE")
			for _, in := range inputs {
				h.clock.Advance(3 * time.Second) // within the command rate
				before := rowCounts(t, s)
				got := render(h.say(chat, lang, in.text))
				if !strings.Contains(got, in.says[lang]) {
					t.Errorf("%s, %s: answered %q, want a reason with %q", in.name, lang, got, in.says[lang])
				}
				sameCounts(t, in.name+" ("+lang+")", before, rowCounts(t, s))
			}
			c, err := s.EnsureChat(context.Background(), "telegram", "", chat.ID, "private", "", h.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if tr, err := s.FindSubscription(context.Background(), c.ID, "DEMO-LIVE"); err != nil || tr.Sub.OrderRef != "" || tr.Sub.Label != "" {
				t.Errorf("%s: DEMO-LIVE has the order %q and label %q after refused commands (%v)", lang, tr.Sub.OrderRef, tr.Sub.Label, err)
			}
		}
	})
}

// TestLimitsAnswerWithAReason: the 200 parcels a chat may track and the
// per-chat command rate are answered with a reason, not an error, and the
// refused command writes nothing.
func TestLimitsAnswerWithAReason(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		h := newHarness(t, s)
		chat := bot.ChatRef{Platform: bot.Telegram, ID: "6001", Kind: bot.Private}
		h.say(chat, "en", "/start")
		c, err := s.EnsureChat(ctx, "telegram", "", "6001", "private", "buyer", t0)
		if err != nil {
			t.Fatal(err)
		}
		// The 200 parcels are written straight through the store: the
		// limit is about how many a chat tracks, not how they came, and
		// 200 full lookups through the engine made this the slowest test.
		for i := range 200 {
			sh, _, err := s.EnsureShipment(ctx, tracking.CarrierDemo, fmt.Sprintf("DEMO-DELIVERED-%d", i), t0)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Subscribe(ctx, &tracking.SubscribeRequest{ChatID: c.ID, ShipmentID: sh.ID, Now: t0}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.CountSubscriptions(ctx, c.ID); err != nil || n != 200 {
			t.Fatalf("the chat tracks %d parcels (%v), want 200", n, err)
		}
		h.clock.Advance(time.Minute)
		before := rowCounts(t, s)
		if got := render(h.say(chat, "en", "/track DEMO-LIVE")); !strings.Contains(got, "already tracks 200 parcels, the most I allow") {
			t.Errorf("the 201st parcel: %q", got)
		}
		sameCounts(t, "the 201st parcel", before, rowCounts(t, s))
		// A parcel tracked already is not a 201st: its new label is set.
		if got := render(h.say(chat, "en", "/track DEMO-DELIVERED-7 Shoes")); !strings.Contains(got, "Shoes · DEMO-DELIVERED-7") {
			t.Errorf("naming a tracked parcel at the limit: %q", got)
		}

		// Ten commands at once are fine; the eleventh is asked to wait.
		h.clock.Advance(time.Minute)
		for i := range 10 {
			if got := render(h.say(chat, "en", "/help")); strings.Contains(got, "lot of messages") {
				t.Fatalf("command %d of a burst of ten was refused", i+1)
			}
		}
		if got := render(h.say(chat, "en", "/list")); !strings.Contains(got, "That's a lot of messages at once") {
			t.Errorf("the eleventh command at once: %q", got)
		}
		h.clock.Advance(2 * time.Second)
		if got := render(h.say(chat, "en", "/help")); strings.Contains(got, "lot of messages") {
			t.Errorf("two seconds later the chat is still refused: %q", got)
		}
	})
}

// TestConsoleIsNotRateLimited: the console, one person at a terminal, may
// type (or pipe) commands as fast as it likes; a Telegram chat still gets
// ten at once and is then asked to wait.
func TestConsoleIsNotRateLimited(t *testing.T) {
	chats := []struct {
		chat    bot.ChatRef
		refused int // commands of thirty at once asked to wait
	}{
		{bot.ChatRef{Platform: bot.Console, ID: "console", Kind: bot.Private}, 0},
		{bot.ChatRef{Platform: bot.Telegram, ID: "6101", Kind: bot.Private}, 20},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		for _, c := range chats {
			refused := 0
			for range 30 {
				if got := render(h.say(c.chat, "en", "/help")); strings.Contains(got, "lot of messages") {
					refused++
				}
			}
			if refused != c.refused {
				t.Errorf("%s: %d of thirty commands at once refused, want %d", c.chat.Platform, refused, c.refused)
			}
		}
	})
}

// s10 is the UPU S10 number RR<serial>CN with its check digit.
var s10 = seventeentracktest.S10

// TestPastingManyNumbersTracksUpToTheLimitWithOneSummary pastes 210
// numbers, one of them already tracked, and a mistyped one: the chat
// tracks up to its limit of 200 and hears one summary naming what was not
// tracked and why. The lookups are left to the scheduler, and the history
// it then finds is not pushed as news.
func TestPastingManyNumbersTracksUpToTheLimitWithOneSummary(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fake := trackingtest.NewProvider("fake")
		h := newHarness(t, s, func(reg *tracking.Registry) { reg.AddCarrier(fake, "china-post") })
		numbers := make([]string, 210)
		for i := range numbers {
			numbers[i] = s10(i + 1)
			fake.Set(numbers[i], tracking.Result{Number: numbers[i], Carrier: "china-post", Events: []tracking.Event{{
				Time: t0.Add(-48 * time.Hour), Substatus: tracking.SubPackageAccepted, Description: "Accepted"}}})
		}
		chat := bot.ChatRef{Platform: bot.Telegram, ID: "6201", Kind: bot.Private}
		if got := render(h.say(chat, "en", "/track "+numbers[7])); !strings.Contains(got, "Now tracking "+numbers[7]) {
			t.Fatalf("/track: %q", got)
		}
		calls := fake.AllCalls()

		replies := h.say(chat, "en", strings.Join(numbers, "\n")+"\nand this one: RR123456789CN")
		if len(replies) != 1 {
			t.Fatalf("%d replies, want one summary:\n%s", len(replies), render(replies))
		}
		got := render(replies)
		want := []string{
			"Tracked 199 of the 211 numbers you sent. I look them up over the next minutes",
			"Already tracked here (1): " + numbers[7] + "\n",
			"Not tracked, this chat has reached its limit of 200 parcels (10): " + strings.Join(numbers[200:], ", ") + ".",
			"Not tracked, mistyped: the check digit doesn't match (1): RR123456789CN",
		}
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("the summary lacks %q:\n%s", w, got)
			}
		}
		if n, err := s.CountSubscriptions(ctx, mustChat(t, s, "6201")); err != nil || n != 200 {
			t.Errorf("the chat tracks %d parcels (%v), want 200", n, err)
		}
		if after := fake.AllCalls(); len(after) != len(calls) {
			t.Errorf("the paste looked up %d numbers inline, want none", len(after)-len(calls))
		}

		// The scheduler looks them up; what it finds happened before the
		// paste, so no alert is written for it.
		h.clock.Advance(time.Minute)
		for range 20 {
			if fake.Calls(numbers[199]) > 0 {
				break
			}
			if _, err := h.engine.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if fake.Calls(numbers[0]) == 0 || fake.Calls(numbers[199]) == 0 {
			t.Errorf("the scheduler did not look the pasted numbers up")
		}
		var alerts int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE kind = 'status'`).Scan(&alerts); err != nil || alerts != 0 {
			t.Errorf("%d status alerts (%v) for history older than the paste, want none", alerts, err)
		}
	})
}

// TestGroupOfferCountsTheNumbersWithoutAButton: a group is offered
// buttons for ten of twelve pasted numbers and told of the other two.
func TestGroupOfferCountsTheNumbersWithoutAButton(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		numbers := make([]string, 12)
		for i := range numbers {
			numbers[i] = s10(i + 1)
		}
		before := rowCounts(t, s)
		got := render(h.say(groupChat, "en", "today's parcels: "+strings.Join(numbers, " ")))
		if n := strings.Count(got, "-> track:"); n != 10 {
			t.Errorf("%d buttons, want 10:\n%s", n, got)
		}
		if !strings.Contains(got, "I found 10 tracking numbers. Track them?\n2 more numbers have no button here") {
			t.Errorf("the offer does not count the two numbers without a button:\n%s", got)
		}
		after := rowCounts(t, s)
		if after["shipments"] != before["shipments"] || after["subscriptions"] != before["subscriptions"] {
			t.Errorf("an offer tracked something: %v, then %v", before, after)
		}
	})
}

// mustChat returns the id of the Telegram chat with the platform id id.
func mustChat(t *testing.T, s *store.Store, id string) int64 {
	t.Helper()
	c, err := s.EnsureChat(context.Background(), "telegram", "", id, "private", "buyer", t0)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// TestPastedTextTracksTheValidNumbersAndNamesTheMistyped: three numbers in
// a pasted text, one with a wrong check digit: the two valid ones are
// tracked, and the mistyped one is named.
func TestPastedTextTracksTheValidNumbersAndNamesTheMistyped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fake := trackingtest.NewProvider("fake")
		for _, n := range []struct{ number, carrier string }{{"RR123456785CN", "china-post"}, {"1Z999AA10123456784", "ups"}} {
			fake.Set(n.number, tracking.Result{Number: n.number, Carrier: n.carrier, Events: []tracking.Event{{
				Time: t0.Add(-24 * time.Hour), Substatus: tracking.SubPackageAccepted, Description: "Accepted"}}})
		}
		b := newHarness(t, s, func(reg *tracking.Registry) { reg.AddFallback(fake) }).bot

		paste := "Your parcels are on their way!\nParcel 1: RR123456785CN\nParcel 2: 1Z999AA10123456784\nParcel 3: RR123456789CN\nOrder 2026-11-01, call +44 20 7946 0958."
		got := render(b.Handle(context.Background(), bot.Message{Chat: privateChat, User: "u1", Text: paste, Language: "en"}))
		for _, want := range []string{"Now tracking RR123456785CN", "Now tracking 1Z999AA10123456784", "RR123456789CN looks mistyped"} {
			if !strings.Contains(got, want) {
				t.Errorf("reply lacks %q:\n%s", want, got)
			}
		}
		if n, err := s.CountSubscriptions(context.Background(), 1); err != nil || n != 2 {
			t.Errorf("%d parcels tracked (%v), want the two valid ones", n, err)
		}

		// In a group, the offer names the mistyped number too; chatter
		// with only a mistyped number gets no answer.
		group := render(b.Handle(context.Background(), bot.Message{Chat: groupChat, User: "u1", Text: paste, Language: "en"}))
		if !strings.Contains(group, "RR123456789CN looks mistyped") {
			t.Errorf("group offer lacks the mistyped number:\n%s", group)
		}
		if r := b.Handle(context.Background(), bot.Message{Chat: groupChat, User: "u1", Text: "was it RR123456789CN?", Language: "en"}); len(r) != 0 {
			t.Errorf("group chatter with a mistyped number was answered: %q", render(r))
		}
	})
}

// TestALabelOfTheLimitIsKept: a label or order reference of exactly the
// limit is stored as given; the reason that refuses a longer one names
// that limit as allowed ("at most"), not as too long.
func TestALabelOfTheLimitIsKept(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	h := newHarness(t, s)
	chat := bot.ChatRef{Platform: bot.Telegram, ID: "limit-64", Kind: bot.Private}
	label, ref := strings.Repeat("x", 64), "#"+strings.Repeat("1", 63)
	h.say(chat, "en", "/track DEMO-LIVE "+label+" order "+ref)
	c, err := s.EnsureChat(context.Background(), "telegram", "", chat.ID, "private", "", h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if tr, err := s.FindSubscription(context.Background(), c.ID, "DEMO-LIVE"); err != nil || tr.Sub.Label != label || tr.Sub.OrderRef != ref {
		t.Fatalf("a label and order of 64 characters: stored %q, %q (%v)", tr.Sub.Label, tr.Sub.OrderRef, err)
	}
	for _, lang := range h.cat.Languages() {
		loc := h.cat.Localizer(lang)
		for _, id := range []string{"error_label_too_long", "error_order_too_long"} {
			for _, under := range []string{"under", "menos de", "moins de", "короче"} {
				if got := loc.T(id, map[string]any{"Limit": 64}); strings.Contains(got, under) {
					t.Errorf("%s %s calls the allowed length too long: %s", lang, id, got)
				}
			}
		}
	}
}
