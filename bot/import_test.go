package bot_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// file is a document sent with a message, read from data as an adapter
// would (bot.ReadAtMost).
func file(name string, data []byte) *bot.File {
	return &bot.File{Name: name, Type: "text/csv", Size: int64(len(data)),
		Read: func(_ context.Context, limit int64) ([]byte, error) {
			return bot.ReadAtMost(bytes.NewReader(data), limit)
		}}
}

func (h *harness) send(chat bot.ChatRef, f *bot.File) []bot.Reply {
	return h.bot.Handle(context.Background(), bot.Message{Chat: chat, User: "u1", Language: "en", File: f})
}

// chinaPost registers a fake provider for China Post numbers.
func chinaPost(reg *tracking.Registry) {
	reg.AddCarrier(trackingtest.NewProvider("fake"), "china-post")
}

// TestImportNamesEachRefusedLineWithItsReason imports a file with a
// header row in its own words, semicolons, and a line of each kind of
// mistake: the good lines are tracked with their order, label and
// country, and each bad one is named with its line number and reason.
func TestImportNamesEachRefusedLineWithItsReason(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, chinaPost)
		lines := []string{
			"Tracking number;Order #;Label;Country",
			s10(1) + ";#1;Blue jacket;de",
			"hello;#2;x",
			"RR123456789CN;#3",
			s10(1) + ";#4;again",
			s10(2) + ";#5;" + strings.Repeat("x", 65),
			s10(3) + ";#6;Shoes;Germany",
			"",
			s10(4) + ";'+1 order;'=cmd;",
			s10(5) + `;"#7; with ""quotes""";Gift`,
		}
		chat := bot.ChatRef{Platform: bot.Telegram, ID: "8101", Kind: bot.Private}
		got := render(h.send(chat, file("orders.csv", []byte(strings.Join(lines, "\r\n")))))
		for _, want := range []string{
			"Tracked 3 of the 8 numbers you sent",
			"Not tracked, not a tracking number (1): hello (line 3)",
			"mistyped: the check digit doesn't match (1): RR123456789CN (line 4)",
			"the same number is on an earlier line (1): " + s10(1) + " (line 5)",
			"the label is longer than 64 characters (1): " + s10(2) + " (line 6)",
			"the country isn't a two-letter code like DE or US (1): " + s10(3) + " (line 7)",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("the summary lacks %q:\n%s", want, got)
			}
		}
		subs, err := s.Subscriptions(context.Background(), mustChat(t, s, "8101"))
		if err != nil || len(subs) != 3 {
			t.Fatalf("%d parcels tracked (%v), want 3", len(subs), err)
		}
		want := [][4]string{{s10(1), "#1", "Blue jacket", "DE"}, {s10(4), "+1 order", "=cmd", ""}, {s10(5), `#7; with "quotes"`, "Gift", ""}}
		for i, w := range want {
			if g := [4]string{subs[i].Shipment.Number, subs[i].Sub.OrderRef, subs[i].Sub.Label, subs[i].Shipment.DestinationCountry}; g != w {
				t.Errorf("parcel %d: %q, want %q", i, g, w)
			}
		}
	})
}

// TestASummaryThatTracksNothingPromisesNothing: when no line of a file or
// paste was added (each refused, or already tracked), the summary says
// so, in every language, instead of promising lookups and news; the
// reasons follow as usual.
func TestASummaryThatTracksNothingPromisesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, chinaPost)
		for lang, want := range map[string][2]string{
			"en": {"None of the 2 numbers you sent was added.", "I look them up"},
			"de": {"Keine der 2 Nummern, die du geschickt hast, ist neu dazugekommen.", "frage ich sie ab"},
			"ru": {"Ни один из 2 присланных номеров не добавлен.", "Проверю их"},
			"zh": {"你发来的 2 个单号都没有新增跟踪。", "逐个查询"},
		} {
			chat := bot.ChatRef{Platform: bot.Telegram, ID: "8110" + lang, Kind: bot.Private}
			h.say(chat, lang, "/lang "+lang)
			h.say(chat, lang, "/track "+s10(21))
			got := render(h.send(chat, file("none.csv", []byte("number,carrier\n"+s10(21)+",china-post\n"+s10(22)+",pigeon post\n"))))
			if !strings.Contains(got, want[0]) || strings.Contains(got, want[1]) {
				t.Errorf("%s: nothing added, answered:\n%s", lang, got)
			}
			if !strings.Contains(got, s10(21)) || !strings.Contains(got, s10(22)) {
				t.Errorf("%s: the reasons are missing:\n%s", lang, got)
			}
		}
		chat := bot.ChatRef{Platform: bot.Telegram, ID: "8111", Kind: bot.Private}
		got := render(h.send(chat, file("one.csv", []byte("number,carrier\n"+s10(23)+",pigeon post\n"))))
		if !strings.Contains(got, "The number you sent was not added.") {
			t.Errorf("one number, not added: %s", got)
		}
	})
}

// TestImportReadsPlainListsAndCarrierColumns: a plain list (one number a
// line, no header) and a header naming a carrier column are read; an
// unknown carrier is refused.
func TestImportReadsPlainListsAndCarrierColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, chinaPost)
		chat := bot.ChatRef{Platform: bot.Telegram, ID: "8102", Kind: bot.Private}
		got := render(h.send(chat, file("list.txt", []byte(s10(11)+"\n"+s10(12)+"\n"))))
		if !strings.Contains(got, "Tracked 2 of the 2 numbers") {
			t.Errorf("a plain list: %s", got)
		}
		got = render(h.send(chat, file("export.csv", []byte("label,number,carrier\nA,"+s10(13)+",china-post\nB,"+s10(14)+",pigeon post\n"))))
		if !strings.Contains(got, "Tracked 1 of the 2 numbers") || !strings.Contains(got, "I don't know that carrier") ||
			!strings.Contains(got, s10(14)+" (line 3)") {
			t.Errorf("a carrier column: %s", got)
		}
	})
}

// TestImportRefusesAWholeFileWithAReasonAndWritesNothing: a file too big
// (as stated or as read), too long, not text, not CSV, without a number
// column, without numbers, or not a list at all is refused with its
// reason, and nothing is written.
func TestImportRefusesAWholeFileWithAReasonAndWritesNothing(t *testing.T) {
	long := strings.Repeat(s10(1)+"\n", 5002)
	cases := []struct {
		name   string
		file   *bot.File
		reason string
	}{
		{"stated over 1 MiB", &bot.File{Name: "big.csv", Size: 2 << 20, Read: func(context.Context, int64) ([]byte, error) {
			t.Error("a file stated too big was downloaded")
			return nil, nil
		}}, "too big to import: at most 1 MiB and 5000 lines"},
		{"read over 1 MiB", &bot.File{Name: "big.csv", Read: func(_ context.Context, limit int64) ([]byte, error) {
			return bot.ReadAtMost(strings.NewReader(strings.Repeat("x", 1<<20+1)), limit)
		}}, "too big to import"},
		{"over 5000 lines", file("long.csv", []byte(long)), "too big to import"},
		{"not UTF-8", file("latin1.csv", []byte(s10(1)+",Caf\xe9\n")), "can't read that file as text"},
		{"binary", file("x.txt", []byte("PK\x03\x04\x00\x00")), "can't read that file as text"},
		{"an unclosed quote", file("bad.csv", []byte(s10(1)+",#1\n"+s10(2)+`,"#2`+"\n"+s10(3)+"\n")), "near line 2 is not closed"},
		{"no number column", file("h.csv", []byte("order,label\n#1,Blue\n")), "none of them is the tracking number"},
		{"no numbers", file("empty.csv", []byte(",,\n\n")), "That file has no tracking numbers"},
		{"a photo", &bot.File{Name: "parcel.jpg", Type: "image/jpeg", Size: 10}, "not from parcel.jpg"},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, chinaPost)
		chat := bot.ChatRef{Platform: bot.Telegram, ID: "8103", Kind: bot.Private}
		h.say(chat, "en", "/help") // the chat's row exists
		for _, c := range cases {
			before := rowCounts(t, s)
			got := render(h.send(chat, c.file))
			if !strings.Contains(got, c.reason) {
				t.Errorf("%s: answered %q, want %q", c.name, got, c.reason)
			}
			sameCounts(t, c.name, before, rowCounts(t, s))
		}
		// In a group, a photo is none of trackbot's business.
		if r := h.send(groupChat, &bot.File{Name: "parcel.jpg", Type: "image/jpeg"}); len(r) != 0 {
			t.Errorf("a photo in a group was answered: %s", render(r))
		}
	})
}

// TestImportSummaryStaysOneMessage: 300 bad lines and 250 good ones for a
// chat limited to 200 parcels: the summary names the first refusals and
// the numbers over the limit, counts the rest, and fits one message.
func TestImportSummaryStaysOneMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, chinaPost)
		var f strings.Builder
		for i := range 300 {
			fmt.Fprintf(&f, "n°%d\n", i)
		}
		for i := range 250 {
			fmt.Fprintf(&f, "%s\n", s10(100+i))
		}
		chat := bot.ChatRef{Platform: bot.Telegram, ID: "8104", Kind: bot.Private}
		replies := h.send(chat, file("many.csv", []byte(f.String())))
		got := render(replies)
		if len(replies) != 1 || len(got) > 4096 {
			t.Fatalf("%d replies, %d characters; want one message:\n%s", len(replies), len(got), got)
		}
		for _, want := range []string{
			"Tracked 200 of the 550 numbers",
			"Not tracked, not a tracking number (300): n°0 (line 1), ",
			"n°19 (line 20) and 280 more",
			"reached its limit of 200 parcels (50): " + s10(300) + ", ",
			s10(339) + " and 10 more",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("the summary lacks %q:\n%s", want, got)
			}
		}
		if strings.Contains(got, "n°20 ") {
			t.Errorf("the summary names more than 20 refused lines:\n%s", got)
		}
	})
}

// TestImportStatementsDoNotGrowWithTheFile imports 10 lines and then 500,
// with orders, labels and countries: both take the same number of SQL
// statements, give or take two (the whole file is one TrackMany).
func TestImportStatementsDoNotGrowWithTheFile(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			s, statements := storetest.OpenCounting(t, d)
			h := newHarness(t, s, chinaPost)
			b := bot.New(bot.Config{Store: s, Engine: h.engine, Catalog: h.cat, Clock: h.clock, ParcelLimit: 1000})
			var counts []int64
			for _, n := range []int{10, 500} {
				chat := bot.ChatRef{Platform: bot.Telegram, ID: fmt.Sprintf("81%d", n), Kind: bot.Private}
				b.Handle(context.Background(), bot.Message{Chat: chat, User: "u1", Language: "en", Text: "/help"})
				var f strings.Builder
				f.WriteString("number,order,label,country\n")
				for i := range n {
					fmt.Fprintf(&f, "%s,#%d,parcel %d,DE\n", s10(1000*n+i), i, i)
				}
				statements.Store(0)
				got := render(b.Handle(context.Background(), bot.Message{Chat: chat, User: "u1", Language: "en",
					File: file("orders.csv", []byte(f.String()))}))
				if want := fmt.Sprintf("Tracked %d of the %d numbers", n, n); !strings.Contains(got, want) {
					t.Fatalf("import of %d lines: %s", n, got)
				}
				counts = append(counts, statements.Load())
			}
			t.Logf("%s: 10 lines %d statements, 500 lines %d", d, counts[0], counts[1])
			if counts[1] > counts[0]+2 {
				t.Errorf("500 lines took %d statements, 10 took %d", counts[1], counts[0])
			}
		})
	}
}

// TestParcelLimitIsASetting: a bot configured for 3 parcels a chat stops a
// paste at 3 and names the limit and what was over it.
func TestParcelLimitIsASetting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, chinaPost)
		b := bot.New(bot.Config{Store: s, Engine: h.engine, Catalog: h.cat, Clock: h.clock, ParcelLimit: 3})
		chat := bot.ChatRef{Platform: bot.Telegram, ID: "8105", Kind: bot.Private}
		numbers := []string{s10(201), s10(202), s10(203), s10(204), s10(205)}
		got := render(b.Handle(context.Background(), bot.Message{Chat: chat, User: "u1", Language: "en", Text: strings.Join(numbers, " ")}))
		if !strings.Contains(got, "Tracked 3 of the 5") || !strings.Contains(got, "limit of 3 parcels (2): "+s10(204)+", "+s10(205)) {
			t.Errorf("summary:\n%s", got)
		}
		if got := render(b.Handle(context.Background(), bot.Message{Chat: chat, User: "u1", Language: "en", Text: "/track " + s10(206)})); !strings.Contains(got, "already tracks 3 parcels") {
			t.Errorf("/track over the limit: %s", got)
		}
		// A parcel the chat follows is already tracked, also after the
		// limit was reached.
		got = render(b.Handle(context.Background(), bot.Message{Chat: chat, User: "u1", Language: "en",
			Text: strings.Join([]string{s10(207), s10(208), s10(201), s10(209)}, " ")}))
		if !strings.Contains(got, "Already tracked here (1): "+s10(201)+"\n") || !strings.Contains(got, "(3): "+s10(207)+", "+s10(208)+", "+s10(209)+".") {
			t.Errorf("after the limit:\n%s", got)
		}
	})
}

// TestExportHasEveryColumn: /export answers with a CSV document whose
// header names every column and whose row carries the parcel's number,
// carrier, order, label, state, last event, days in that state and the
// guidance in force; a chat without parcels is told there is nothing.
func TestExportHasEveryColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		chat := bot.ChatRef{Platform: bot.Telegram, ID: "8106", Kind: bot.Private}
		if got := render(h.say(chat, "en", "/export")); !strings.Contains(got, "nothing to export") {
			t.Errorf("an empty export: %s", got)
		}
		h.say(chat, "en", "/track DEMO-STALLED @home order -42")
		h.clock.Advance(3 * 24 * time.Hour)
		replies := h.say(chat, "en", "/export mine.csv")
		if len(replies) != 1 || replies[0].File == nil {
			t.Fatalf("replies %s, want one with a file", render(replies))
		}
		doc := replies[0].File
		if doc.Name != "mine.csv" || doc.Type != "text/csv" || doc.Path != "" || !strings.Contains(render(replies), "1 parcel this chat tracks") {
			t.Errorf("document %q (%s, path %q) with %q", doc.Name, doc.Type, doc.Path, render(replies))
		}
		rows, err := csv.NewReader(bytes.NewReader(doc.Data)).ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("export %q (%v)", doc.Data, err)
		}
		if got := strings.Join(rows[0], ","); got != "number,carrier,order,label,status,substatus,last_event_at,last_event,days_in_state,guidance,country" {
			t.Errorf("header %s", got)
		}
		row := rows[1]
		sh, err := s.FindSubscription(context.Background(), mustChat(t, s, "8106"), "DEMO-STALLED")
		if err != nil {
			t.Fatal(err)
		}
		days := int(h.clock.Now().Sub(sh.Shipment.StatusChangedAt).Hours() / 24)
		events, err := s.Events(context.Background(), sh.Shipment.ID)
		if err != nil || len(events) == 0 {
			t.Fatalf("events %v (%v)", events, err)
		}
		last := events[len(events)-1]
		want := []string{"DEMO-STALLED", "demo", "'-42", "'@home", string(sh.Shipment.Status), string(sh.Shipment.Substatus),
			last.Time.UTC().Format(time.RFC3339), row[7], fmt.Sprint(days), row[9], sh.Shipment.DestinationCountry}
		if strings.Join(row, "|") != strings.Join(want, "|") || row[7] == "" || days < 3 {
			t.Errorf("row %q, want %q (%d days)", row, want, days)
		}
		if row[9] == "" {
			t.Errorf("a stalled parcel's row names no guidance: %q", row)
		}
	})
}

// TestImportSaysWhichTrackedParcelsItUpdated: a line for a parcel the chat
// already tracks gives it the line's order and label, and the summary
// says so with a count, in every language; a line that repeats what the
// parcel has, or gives none, is only "already tracked".
func TestImportSaysWhichTrackedParcelsItUpdated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, chinaPost)
		for i, lang := range h.cat.Languages() {
			loc := h.cat.Localizer(lang)
			chat := bot.ChatRef{Platform: bot.Telegram, ID: strconv.Itoa(8300 + i), Kind: bot.Private}
			h.say(chat, lang, "/lang "+lang)
			base := 300 + 10*i
			first := []string{
				s10(base+1) + ";#1;Jacket",
				s10(base+2) + ";#2;Shoes",
				s10(base+3) + ";#3;Hat",
				s10(base+4) + ";#4;Scarf",
			}
			h.send(chat, file("first.csv", []byte(strings.Join(first, "\n"))))
			again := []string{
				s10(base+1) + ";#1;Blue jacket", // a new label
				s10(base+2) + ";#20;Shoes",      // a new order
				s10(base+3) + ";#3;Hat",         // the same again
				s10(base + 4),                   // nothing to change
				s10(base+5) + ";#5;Gloves",      // new
			}
			got := render(h.bot.Handle(context.Background(), bot.Message{Chat: chat, User: "u1", Language: lang,
				File: file("again.csv", []byte(strings.Join(again, "\n")))}))
			for _, want := range []string{
				loc.T("bulk_already_updated", map[string]any{"Count": 2, "Numbers": s10(base+1) + ", " + s10(base+2)}),
				loc.T("bulk_already", map[string]any{"Count": 2, "Numbers": s10(base+3) + ", " + s10(base+4)}),
			} {
				if !strings.Contains(got, want+"\n") && !strings.HasSuffix(got, want) {
					t.Errorf("%s: the summary lacks %q:\n%s", lang, want, got)
				}
			}
			if lang != "en" && strings.Contains(got, "order or label updated") {
				t.Errorf("%s: the summary speaks English:\n%s", lang, got)
			}
			chatRow := mustChat(t, s, chat.ID)
			for n, want := range map[string][2]string{s10(base + 1): {"Blue jacket", "#1"}, s10(base + 2): {"Shoes", "#20"}, s10(base + 4): {"Scarf", "#4"}} {
				tr, err := s.FindSubscription(context.Background(), chatRow, n)
				if err != nil {
					t.Fatal(err)
				}
				if tr.Sub.Label != want[0] || tr.Sub.OrderRef != want[1] {
					t.Errorf("%s %s: label %q order %q, want %v", lang, n, tr.Sub.Label, tr.Sub.OrderRef, want)
				}
			}
		}
	})
}

// TestConsoleImportsAFileByItsPath: the console, which cannot receive a
// file, reads the one /import PATH names as a file sent in a chat is
// read; a path it cannot read is refused with the reason in the chat's
// language and tracks nothing. Where people can send a file, /import asks
// for it.
func TestConsoleImportsAFileByItsPath(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, chinaPost)
		dir := t.TempDir()
		list := filepath.Join(dir, "orders.csv")
		if err := os.WriteFile(list, []byte("number,order,label\n"+s10(401)+",#1,Lamp\n"+s10(402)+",#2,Desk\nhello\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		console := bot.ChatRef{Platform: bot.Console, ID: "console-import", Kind: bot.Private}
		got := render(h.say(console, "en", "/import "+list))
		if !strings.Contains(got, "Tracked 2 of the 3 numbers you sent") || !strings.Contains(got, "Not tracked, not a tracking number (1): hello (line 4)") {
			t.Errorf("/import %s:\n%s", list, got)
		}
		consoleChat := func(id string) int64 {
			c, err := s.EnsureChat(context.Background(), "console", "", id, "private", "buyer", t0)
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		chat := consoleChat(console.ID)
		if tr, err := s.FindSubscription(context.Background(), chat, s10(402)); err != nil || tr.Sub.Label != "Desk" || tr.Sub.OrderRef != "#2" {
			t.Errorf("imported %s: %+v, %v", s10(402), tr.Sub, err)
		}
		for _, c := range []struct{ lang, args, want string }{
			{"en", "", "Send /import and the path of a CSV or text file"},
			{"en", filepath.Join(dir, "missing.csv"), "Cannot read " + filepath.Join(dir, "missing.csv") + ": there is no such file."},
			{"en", dir, "Cannot read " + dir + ": it is a folder; give a file name."},
			{"de", filepath.Join(dir, "fehlt.csv"), "Kann " + filepath.Join(dir, "fehlt.csv") + " nicht lesen: diese Datei gibt es nicht."},
		} {
			other := bot.ChatRef{Platform: bot.Console, ID: "console-" + c.lang, Kind: bot.Private}
			h.say(other, c.lang, "/lang "+c.lang)
			if got := render(h.say(other, c.lang, strings.TrimSpace("/import "+c.args))); !strings.Contains(got, c.want) {
				t.Errorf("%s /import %s:\n%s\nwant %q", c.lang, c.args, got, c.want)
			}
			if subs, err := s.Subscriptions(context.Background(), consoleChat(other.ID)); err != nil || len(subs) != 0 {
				t.Errorf("%s /import %s tracked %d parcels, %v", c.lang, c.args, len(subs), err)
			}
		}
		telegram := bot.ChatRef{Platform: bot.Telegram, ID: "8401", Kind: bot.Private}
		if got := render(h.say(telegram, "en", "/import "+list)); !strings.Contains(got, "Send me the CSV or text file right here in the chat") {
			t.Errorf("/import on Telegram:\n%s", got)
		}
		if subs, _ := s.Subscriptions(context.Background(), mustChat(t, s, telegram.ID)); len(subs) != 0 {
			t.Errorf("/import on Telegram read a file of the server: %d parcels", len(subs))
		}
	})
}

// TestAListPastedUnderACommandIsTrackedInBulk: in a Telegram group or a
// Slack channel, where text without a command only gets buttons, a team
// pastes its orders under /track or /import, a parcel a line as in a
// file, and gets the file's summary: each parcel tracked with its order,
// label and country, a bad line named with its reason.
func TestAListPastedUnderACommandIsTrackedInBulk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, chinaPost)
		for _, tt := range []struct {
			chat    bot.ChatRef
			command string
		}{
			{bot.ChatRef{Platform: bot.Telegram, ID: "-8201", Kind: bot.Group}, "/track"},
			{bot.ChatRef{Platform: bot.Slack, Team: "T1", ID: "C8202", Kind: bot.Channel}, "/import"},
			{bot.ChatRef{Platform: bot.Telegram, ID: "8203", Kind: bot.Private}, "/track@trackbot"},
		} {
			lines := []string{
				tt.command,
				"number,order,label,country",
				s10(11) + ",#1001,Blue jacket,de",
				s10(12) + ",#1002",
				"RR123456789CN,#1003",
				s10(13) + ",#1004,,fr",
			}
			replies := h.say(tt.chat, "en", strings.Join(lines, "\n"))
			got := render(replies)
			if len(replies) != 1 {
				t.Fatalf("%s in %s: %d replies, want one summary:\n%s", tt.command, tt.chat.Kind, len(replies), got)
			}
			for _, want := range []string{
				"Tracked 3 of the 4 numbers you sent",
				"mistyped: the check digit doesn't match (1): RR123456789CN (line 4)",
			} {
				if !strings.Contains(got, want) {
					t.Errorf("%s in %s: the summary lacks %q:\n%s", tt.command, tt.chat.Kind, want, got)
				}
			}
			c, err := s.EnsureChat(context.Background(), string(tt.chat.Platform), tt.chat.Team, tt.chat.ID, string(tt.chat.Kind), "buyer", t0)
			if err != nil {
				t.Fatal(err)
			}
			subs, err := s.Subscriptions(context.Background(), c.ID)
			if err != nil || len(subs) != 3 {
				t.Fatalf("%s in %s: %d parcels tracked (%v), want 3", tt.command, tt.chat.Kind, len(subs), err)
			}
			want := [][4]string{{s10(11), "#1001", "Blue jacket", "DE"}, {s10(12), "#1002", "", ""}, {s10(13), "#1004", "", "FR"}}
			for i, w := range want {
				if g := [4]string{subs[i].Shipment.Number, subs[i].Sub.OrderRef, subs[i].Sub.Label, subs[i].Shipment.DestinationCountry}; g != w {
					t.Errorf("%s in %s: parcel %d: %q, want %q", tt.command, tt.chat.Kind, i, g, w)
				}
			}
		}
		// The private chat's parcels, exported and imported into another
		// chat, keep their orders, labels and destinations.
		replies := h.say(bot.ChatRef{Platform: bot.Telegram, ID: "8203", Kind: bot.Private}, "en", "/export")
		if len(replies) != 1 || replies[0].File == nil {
			t.Fatalf("export: %s", render(replies))
		}
		other := bot.ChatRef{Platform: bot.Telegram, ID: "8205", Kind: bot.Private}
		if got := render(h.send(other, file("export.csv", replies[0].File.Data))); !strings.Contains(got, "Tracked 3 of the 3 numbers") {
			t.Fatalf("importing the export: %s", got)
		}
		subs, err := s.Subscriptions(context.Background(), mustChat(t, s, "8205"))
		if err != nil || len(subs) != 3 {
			t.Fatalf("%d parcels imported (%v), want 3", len(subs), err)
		}
		if g := [4]string{subs[2].Shipment.Number, subs[2].Sub.OrderRef, subs[2].Sub.Label, subs[2].Shipment.DestinationCountry}; g != [4]string{s10(13), "#1004", "", "FR"} {
			t.Errorf("an exported parcel imported again: %q", g)
		}

		// One line under /track is still a number with its label.
		chat := bot.ChatRef{Platform: bot.Telegram, ID: "-8204", Kind: bot.Group}
		if got := render(h.say(chat, "en", "/track "+s10(14)+" Red scarf")); !strings.Contains(got, "Now tracking") {
			t.Errorf("/track with one line: %q", got)
		}
	})
}
