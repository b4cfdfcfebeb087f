package console_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/adapters/console"
	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// TestLongLinesAreAnsweredAndReadingGoesOn types lines longer than the
// console keeps (over a mebibyte) between ordinary ones: each long line
// gets the bot's "too long" reply and the lines after it are still read
// and answered.
func TestLongLinesAreAnsweredAndReadingGoesOn(t *testing.T) {
	lines := []struct {
		name, text string
		reply      string // a piece of the reply
	}{
		{"a short line first", "/help", "/track"},
		{"two mebibytes", strings.Repeat("x", 2<<20), "too long (over 4096"},
		{"a line after it", "/help", "/track"},
		{"a long line of spaces and words", strings.Repeat("parcel ", 300_000), "too long (over 4096"},
		{"the last line, without a line ending", "/help", "/track"},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cat, err := locales.Load("")
		if err != nil {
			t.Fatal(err)
		}
		clock := tracking.NewFakeClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
		e := tracking.NewEngine(s, tracking.NewRegistry(clock), tracking.Options{Clock: clock})
		b := bot.New(bot.Config{Store: s, Engine: e, Catalog: cat, Clock: clock})
		var in strings.Builder
		for i, l := range lines {
			in.WriteString(l.text)
			if i < len(lines)-1 {
				in.WriteString("\n")
			}
		}
		var out bytes.Buffer
		if err := console.New(strings.NewReader(in.String()), &out, "en", false).Run(context.Background(), b); err != nil {
			t.Fatalf("the console stopped: %v", err)
		}
		// Each reply ends with a blank line.
		replies := strings.Split(strings.TrimSuffix(out.String(), "\n\n"), "\n\n")
		if len(replies) < len(lines) {
			t.Fatalf("%d replies to %d lines:\n%s", len(replies), len(lines), out.String())
		}
		for i, l := range lines {
			if !strings.Contains(replies[i], l.reply) {
				t.Errorf("%s: answered %q, want %q in it", l.name, replies[i], l.reply)
			}
		}
	})
}

// typist feeds lines to a running console, one at a time, waiting for
// what each must print.
type typist struct {
	t   *testing.T
	w   *io.PipeWriter
	out *expect.Buffer
}

func (ty *typist) waitFor(what string) {
	ty.t.Helper()
	if !expect.Eventually(30*time.Second, func() bool { return strings.Contains(ty.out.String(), what) }) {
		ty.t.Fatalf("the console never printed %q; it printed:\n%s", what, ty.out.String())
	}
}

func (ty *typist) typeLine(line string) {
	ty.t.Helper()
	if _, err := io.WriteString(ty.w, line+"\n"); err != nil {
		ty.t.Fatal(err)
	}
}

// runConsole runs an interactive console on h until the test ends.
func runConsole(t *testing.T, h bot.Handler) (*console.Adapter, *typist) {
	t.Helper()
	r, w := io.Pipe()
	out := &expect.Buffer{}
	a := console.New(r, out, "en", true)
	done := make(chan error, 1)
	go func() { done <- a.Run(context.Background(), h) }()
	t.Cleanup(func() {
		w.Close()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return a, &typist{t: t, w: w, out: out}
}

func buttons(action string, labels ...string) bot.Block {
	var bs []bot.Button
	for _, l := range labels {
		bs = append(bs, bot.Button{Label: l, Action: action, Payload: l})
	}
	return bot.Block{Buttons: bs}
}

// TestAlertKeepsTheCardsButtons: an alert arriving while a card is shown
// numbers its buttons after the card's, so the card's numbers still press
// the card's buttons; the next typed command numbers from 1 again.
func TestAlertKeepsTheCardsButtons(t *testing.T) {
	pressed := make(chan string, 10)
	h := bot.HandlerFunc(func(_ context.Context, m bot.Message) []bot.Reply {
		if m.Action != nil {
			pressed <- m.Action.Name + ":" + m.Action.Payload
			return []bot.Reply{bot.TextReply("pressed " + m.Action.Payload)}
		}
		if m.Text != "/info" {
			return []bot.Reply{bot.TextReply("I didn't get that")}
		}
		return []bot.Reply{{Blocks: []bot.Block{{Text: &bot.Text{Body: "card"}}, buttons("card", "Refresh", "Rename", "Mute")}}}
	})
	a, ty := runConsole(t, h)
	ty.typeLine("/info")
	ty.waitFor("[1] Refresh  [2] Rename  [3] Mute")
	alert := bot.Reply{Blocks: []bot.Block{{Text: &bot.Text{Body: "New status: Delivered"}}, buttons("alert", "Details", "I didn't get it")}}
	if err := a.Send(context.Background(), console.Chat, alert); err != nil {
		t.Fatal(err)
	}
	ty.waitFor("[4] Details  [5] I didn't get it")
	for _, tt := range []struct{ typed, want string }{{"2", "card:Rename"}, {"5", "alert:I didn't get it"}, {"3", "card:Mute"}, {"4", "alert:Details"}} {
		ty.typeLine(tt.typed)
		select {
		case got := <-pressed:
			if got != tt.want {
				t.Errorf("typing %s pressed %s, want %s", tt.typed, got, tt.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("typing %s pressed nothing", tt.typed)
		}
	}
	// A new card numbers from 1 and forgets the old numbers.
	ty.typeLine("/info")
	ty.waitFor("pressed Details")
	if !expect.Eventually(30*time.Second, func() bool { return strings.Count(ty.out.String(), "[1] Refresh") == 2 }) {
		t.Fatalf("the second card is not numbered from 1:\n%s", ty.out.String())
	}
	ty.typeLine("5")
	ty.waitFor("I didn't get that") // not a button any more: typed text
}

// TestAlertsPrintOnTheirOwnLines: an alert that arrives while the prompt
// waits starts on a new line, and the prompt is printed again after it.
func TestAlertsPrintOnTheirOwnLines(t *testing.T) {
	h := bot.HandlerFunc(func(_ context.Context, m bot.Message) []bot.Reply {
		if m.Text == "/help" {
			return []bot.Reply{bot.TextReply("help text")}
		}
		return []bot.Reply{bot.TextReply("I didn't get that")}
	})
	a, ty := runConsole(t, h)
	ty.typeLine("/help")
	ty.waitFor("help text\n\n> ")
	if err := a.Send(context.Background(), console.Chat, bot.TextReply("New status: Delivered")); err != nil {
		t.Fatal(err)
	}
	ty.waitFor("New status: Delivered")
	out := ty.out.String()
	if !strings.HasSuffix(out, "help text\n\n> \nNew status: Delivered\n\n> ") {
		t.Errorf("the alert mixes with the prompt:\n%q", out)
	}
	if strings.Contains(out, "> New status") {
		t.Errorf("the alert runs on after the prompt:\n%q", out)
	}
}

// TestSlowLookupPrintsProgress: a /track whose carrier takes seconds to
// answer prints "Looking it up…" first (in the chat's language), and a
// quick answer prints no such line.
func TestSlowLookupPrintsProgress(t *testing.T) {
	tests := []struct {
		lang, number, want string
		slow               bool
	}{
		{"en", "RR123456785CN", "Looking it up…\n", true},
		{"fr", "RR123456785CN", "Je vérifie…\n", true},
		{"en", "DEMO-STALLED", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.lang+" "+tt.number, func(t *testing.T) {
			s := storetest.Open(t, store.SQLite)
			cat, err := locales.Load("")
			if err != nil {
				t.Fatal(err)
			}
			clock := tracking.NewFakeClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
			reg := tracking.NewRegistry(clock)
			reg.AddCarrier(demo.New(time.Minute, clock), tracking.CarrierDemo)
			fake := trackingtest.NewProvider("fake")
			fake.Set("RR123456785CN", tracking.Result{Number: "RR123456785CN", Carrier: tracking.CarrierChinaPost,
				Events: []tracking.Event{{Time: clock.Now().Add(-time.Hour), Substatus: tracking.SubPackageAccepted, Description: "Accepted"}}})
			fake.Slow(1500 * time.Millisecond)
			reg.AddFallback(fake)
			e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock})
			b := bot.New(bot.Config{Store: s, Engine: e, Catalog: cat, Clock: clock})
			var out bytes.Buffer
			in := "/lang " + tt.lang + "\n/track " + tt.number + "\n"
			if err := console.New(strings.NewReader(in), &out, "en", false).Run(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			got := out.String()
			if !strings.Contains(got, tt.number) {
				t.Fatalf("no answer to /track:\n%s", got)
			}
			progress := strings.Contains(got, "Looking it up…") || strings.Contains(got, "Je vérifie…")
			if progress != tt.slow || tt.slow && !strings.Contains(got, tt.want) {
				t.Errorf("progress line printed: %v, want %v (%q):\n%s", progress, tt.slow, tt.want, got)
			}
			if tt.slow && strings.Index(got, tt.want) > strings.Index(got, tt.number) {
				t.Errorf("the progress line comes after the answer:\n%s", got)
			}
		})
	}
}
