package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

const aDay = 24 * time.Hour

// parcel is a shipment a test writes straight into the store, in the
// state a list filter looks at.
type parcel struct {
	number    string
	status    tracking.Status
	sub       tracking.Substatus
	lastEvent time.Duration // before t0; 0: no event at all
	eta       time.Duration // after t0 (negative: past); 0: none
	tracked   time.Duration // before t0: when the shipment was created
	label     string
	order     string
	leg       string
}

// seed writes parcels into a chat, which it creates; it returns the
// chat's id.
func seed(t *testing.T, s *store.Store, ref bot.ChatRef, parcels []parcel) int64 {
	t.Helper()
	ctx := context.Background()
	c, err := s.EnsureChat(ctx, string(ref.Platform), ref.Team, ref.ID, string(ref.Kind), "buyer", t0)
	if err != nil {
		t.Fatal(err)
	}
	chat := c.ID
	for _, p := range parcels {
		var last, eta *time.Time
		if p.lastEvent != 0 {
			at := t0.Add(-p.lastEvent)
			last = &at
		}
		if p.eta != 0 {
			at := t0.Add(p.eta)
			eta = &at
		}
		tracked := p.tracked
		if tracked == 0 {
			tracked = 20 * aDay
		}
		created := t0.Add(-tracked)
		var id int64
		if err := s.DB().QueryRowContext(ctx, `INSERT INTO shipments (carrier, number, status, substatus, status_changed_at,
			last_event_at, eta, created_at, updated_at) VALUES ('china-post', $1, $2, $3, $4, $5, $6, $4, $4) RETURNING id`,
			p.number, string(p.status), string(p.sub), created, last, eta).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO subscriptions (chat_id, shipment_id, label, order_ref, created_at)
			VALUES ($1, $2, $3, $4, $5)`, chat, id, p.label, p.order, created); err != nil {
			t.Fatal(err)
		}
		if p.leg != "" {
			if _, err := s.DB().ExecContext(ctx, `INSERT INTO legs (shipment_id, seq, carrier, number, created_at)
				VALUES ($1, 1, 'deutsche-post', $2, $3)`, id, p.leg, created); err != nil {
				t.Fatal(err)
			}
		}
	}
	return chat
}

// shown lists the numbers of the parcels a reply lists, in order.
func shown(replies []bot.Reply) []string {
	var out []string
	for _, line := range strings.Split(render(replies), "\n") {
		rest, ok := strings.CutPrefix(line, "• ")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, " — ")
		parts := strings.Split(name, " · ")
		// label · NUMBER · order REF, or NUMBER · order REF, or NUMBER
		number := parts[0]
		if len(parts) > 1 && !strings.Contains(parts[1], " ") {
			number = parts[1]
		}
		out = append(out, number)
	}
	return out
}

// listFixture has a parcel for every filter, and a few that two
// filters share.
var listFixture = []parcel{
	{number: "CUSTOMSHELD", status: tracking.StatusTransit, sub: tracking.SubCustomsHeld, lastEvent: 2 * aDay, label: "Gift", order: "#1001"},
	{number: "CUSTOMSBUSY", status: tracking.StatusTransit, sub: tracking.SubCustomsProcessing, lastEvent: aDay, order: "ÄB-7"},
	{number: "CUSTOMSDOCS", status: tracking.StatusTransit, sub: tracking.SubCustomsInfoRequested, lastEvent: aDay},
	{number: "PASTETA", status: tracking.StatusTransit, sub: tracking.SubPackageDeparted, lastEvent: aDay, eta: -3 * aDay},
	{number: "ETASOON", status: tracking.StatusTransit, sub: tracking.SubPackageDeparted, lastEvent: aDay, eta: -aDay, label: `back\slash`},
	{number: "SILENT8D", status: tracking.StatusTransit, sub: tracking.SubPackageProcessed, lastEvent: 8 * aDay, order: "#10010"},
	{number: "MOVING", status: tracking.StatusTransit, sub: tracking.SubPackageArrived, lastEvent: aDay, eta: 2 * aDay, leg: "LEG1001DE"},
	{number: "NOEVENTS10D", status: tracking.StatusUnknown, sub: tracking.SubOther, tracked: 10 * aDay},
	{number: "NOEVENTS1D", status: tracking.StatusUnknown, sub: tracking.SubOther, tracked: aDay},
	{number: "LABELONLY", status: tracking.StatusPreTransit, sub: tracking.SubInformationReceived, lastEvent: 3 * aDay, label: "a_b"},
	{number: "DELIVERED", status: tracking.StatusDelivered, sub: tracking.SubDelivered, lastEvent: 2 * aDay, eta: -20 * aDay, order: "#2001"},
	{number: "RETURNED", status: tracking.StatusReturned, sub: tracking.SubReturnToSender, lastEvent: 9 * aDay, label: "50% off"},
	{number: "LOST", status: tracking.StatusFailure, sub: tracking.SubPackageLost, lastEvent: 30 * aDay, label: "500 off"},
	{number: "PICKUP", status: tracking.StatusTransit, sub: tracking.SubPickupAvailable, lastEvent: aDay, label: "axb"},
	{number: "NOTICE", status: tracking.StatusTransit, sub: tracking.SubNoticeLeft, lastEvent: aDay, label: "Подарок"},
	{number: "RR100100000CN", status: tracking.StatusTransit, sub: tracking.SubPackageAccepted, lastEvent: aDay},
}

// TestListFiltersAndFindShowExactlyTheirParcels: every /list filter and
// /find on a chat with a parcel for each, on both databases, written out
// by hand from the definitions in bot/attention.go.
func TestListFiltersAndFindShowExactlyTheirParcels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		chat := bot.ChatRef{Platform: bot.Console, ID: "list-1", Kind: bot.Private}
		seed(t, s, chat, listFixture)
		// Another chat's parcels never show.
		seed(t, s, bot.ChatRef{Platform: bot.Console, ID: "list-2", Kind: bot.Private}, []parcel{{number: "OTHERCHAT1001", status: tracking.StatusTransit, sub: tracking.SubCustomsHeld, lastEvent: aDay, order: "#1001"}})
		for _, c := range []struct {
			lang, text string
			want       []string
		}{
			{"en", "/list customs", []string{"CUSTOMSHELD", "CUSTOMSBUSY", "CUSTOMSDOCS"}},
			{"en", "/list CUSTOMS", []string{"CUSTOMSHELD", "CUSTOMSBUSY", "CUSTOMSDOCS"}},
			{"de", "/list zoll", []string{"CUSTOMSHELD", "CUSTOMSBUSY", "CUSTOMSDOCS"}},
			{"de", "/list customs", []string{"CUSTOMSHELD", "CUSTOMSBUSY", "CUSTOMSDOCS"}},
			{"zh", "/list 海关", []string{"CUSTOMSHELD", "CUSTOMSBUSY", "CUSTOMSDOCS"}},
			// ETA 2 days past (ETASOON is only 1), silent 7 days or more
			// (since tracking began when there is no event); never a
			// delivered, returned or failed one.
			{"en", "/list late", []string{"PASTETA", "SILENT8D", "NOEVENTS10D"}},
			{"en", "/list delivered", []string{"DELIVERED"}},
			{"fr", "/list retournés", []string{"RETURNED"}},
			{"en", "/list pickup", []string{"PICKUP", "NOTICE"}},
			// A failure, or a sub-status that asks somebody to act
			// (returntosender does).
			{"en", "/list exception", []string{"CUSTOMSHELD", "CUSTOMSDOCS", "LOST", "PICKUP", "NOTICE", "RETURNED"}},
			{"en", "/list transit", []string{"CUSTOMSHELD", "CUSTOMSBUSY", "CUSTOMSDOCS", "PASTETA", "ETASOON", "SILENT8D",
				"MOVING", "LABELONLY", "PICKUP", "NOTICE", "RR100100000CN"}},
			// An order's parcels: its reference as a whole, in any case.
			{"en", "/list order #1001", []string{"CUSTOMSHELD"}},
			{"en", "/list order #10010", []string{"SILENT8D"}},
			{"es", "/list pedido #2001", []string{"DELIVERED"}},
			{"de", "/list bestellung äb-7", []string{"CUSTOMSBUSY"}},
			// Number, order reference, label and a later leg's number.
			{"en", "/find 1001", []string{"CUSTOMSHELD", "SILENT8D", "MOVING", "RR100100000CN"}},
			{"en", "/find gift", []string{"CUSTOMSHELD"}},
			{"en", "/find leg1001", []string{"MOVING"}},
			// Every letter is folded, on both databases.
			{"ru", "/find подарок", []string{"NOTICE"}},
			{"ru", "/find ПОДАРОК", []string{"NOTICE"}},
			// What is typed matches literally: "%" and "_" are no wildcards.
			{"en", "/find 50%", []string{"RETURNED"}},
			{"en", "/find a_b", []string{"LABELONLY"}},
			{"en", "/find %", []string{"RETURNED"}},
			{"en", `/find k\s`, []string{"ETASOON"}},
			{"en", `/find \`, []string{"ETASOON"}},
		} {
			got := shown(h.say(chat, c.lang, c.text))
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s (%s) shows %v, want %v", c.text, c.lang, got, want)
			}
		}

		// attention is /list's own "needs attention" group.
		all := render(h.say(chat, "en", "/list"))
		head, _, _ := strings.Cut(all, "# On the way")
		var attention []string
		for _, l := range strings.Split(head, "\n") {
			if strings.HasPrefix(l, "• ") {
				attention = append(attention, l)
			}
		}
		got := render(h.say(chat, "en", "/list attention"))
		if len(attention) == 0 || !strings.HasPrefix(got, "# Needs attention\n"+strings.Join(attention, "\n")+"\n") {
			t.Errorf("/list attention:\n%s\nwant the attention group of /list:\n%s", got, all)
		}
		if !strings.Contains(all, "• Gift · CUSTOMSHELD · order #1001 — China Post: Held at customs, 2 days ago") {
			t.Errorf("/list does not show label, number and order reference:\n%s", all)
		}
	})
}

// TestListAnswersUnknownAndEmptyFilters: an unknown word gets the filters
// there are, in the chat's language; a filter that matches nothing says
// so, naming it; /find without text says how to use it.
func TestListAnswersUnknownAndEmptyFilters(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	h := newHarness(t, s)
	chat := bot.ChatRef{Platform: bot.Console, ID: "list-3", Kind: bot.Private}
	seed(t, s, chat, listFixture[:1])
	for _, c := range []struct{ lang, text, want string }{
		{"en", "/list bogus", "“bogus” is not a filter I know. Send /list with one of: attention, late, customs, pickup, transit, exception, delivered, returned;"},
		{"de", "/list quatsch", "„quatsch“ ist kein Filter, den ich kenne. Sende /list mit einem von: achtung, verspätet, zoll, abholung, unterwegs, problem, zugestellt, zurück;"},
		{"en", "/list customs late", "“customs late” is not a filter I know."},
		{"en", "/list returned", "No parcel here matches “returned”."},
		{"de", "/list zurück", "Kein Paket hier passt zu „zurück“."},
		{"en", "/list order #99", "No parcel here matches “order #99”."},
		{"en", "/find nothing-like-it", "No parcel here has “nothing-like-it” in its number, order, label or later numbers."},
		{"en", "/list order", "Send /list order and the order's reference, e.g. /list order #1001"},
		{"de", "/list bestellung", "Schick /list bestellung und die Bestellnummer, z. B. /list bestellung #1001"},
		{"zh", "/list 订单", "发送 /list 订单 加订单号，例如 /list 订单 #1001"},
		{"en", "/find", "Send /find and part of a number, order reference or label"},
		{"ru", "/find", "Отправьте /find"},
	} {
		if got := render(h.say(chat, c.lang, c.text)); !strings.Contains(got, c.want) {
			t.Errorf("%s (%s):\n%s\nwant %q", c.text, c.lang, got, c.want)
		}
	}
}

// many returns n parcels numbered prefix0000 on: a third held at customs, a third on the way,
// a third delivered recently, with numbers in one format.
func many(prefix string, n int) []parcel {
	out := make([]parcel, n)
	for i := range out {
		p := parcel{number: fmt.Sprintf("%s%04d", prefix, i), lastEvent: aDay}
		switch i % 3 {
		case 0:
			p.status, p.sub = tracking.StatusTransit, tracking.SubCustomsHeld
		case 1:
			p.status, p.sub = tracking.StatusTransit, tracking.SubPackageDeparted
		default:
			p.status, p.sub = tracking.StatusDelivered, tracking.SubDelivered
		}
		if i%7 == 0 {
			p.order = "#" + strconv.Itoa(1000+i)
		}
		out[i] = p
	}
	return out
}

// pageThrough opens a list and presses "Next" until there is none,
// returning every page.
func pageThrough(t *testing.T, h *harness, chat bot.ChatRef, text string) [][]bot.Reply {
	t.Helper()
	pages := [][]bot.Reply{h.say(chat, "en", text)}
	for len(pages) < 100 {
		next := button(pages[len(pages)-1], "Next ›")
		if next == nil {
			return pages
		}
		h.clock.Advance(3 * time.Second) // within the command rate
		reply := h.press(chat, "en", next.Action, next.Payload)
		if len(reply) != 1 || !reply[0].Replace {
			t.Fatalf("page %d does not replace the pressed message:\n%s", len(pages)+1, render(reply))
		}
		pages = append(pages, reply)
	}
	t.Fatal("more than 100 pages")
	return nil
}

// button finds a button by its label.
func button(replies []bot.Reply, label string) *bot.Button {
	for _, r := range replies {
		for _, b := range r.Blocks {
			for i := range b.Buttons {
				if b.Buttons[i].Label == label {
					return &b.Buttons[i]
				}
			}
		}
	}
	return nil
}

// TestLongListsPageEachParcelOnce: a chat with 300 parcels gets its list
// in pages of twelve, grouped, whose pages together show each parcel
// once; a filter pages the same way.
func TestLongListsPageEachParcelOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		chat := bot.ChatRef{Platform: bot.Telegram, ID: "7301", Kind: bot.Private}
		parcels := many("BULK", 300)
		seed(t, s, chat, parcels)
		for _, c := range []struct {
			text  string
			want  func(parcel) bool
			pages int
		}{
			{"/list", func(parcel) bool { return true }, 25},
			{"/list customs", func(p parcel) bool { return p.sub == tracking.SubCustomsHeld }, 9},
			{"/find bulk01", func(p parcel) bool { return strings.HasPrefix(p.number, "BULK01") }, 9},
		} {
			pages := pageThrough(t, h, chat, c.text)
			if len(pages) != c.pages {
				t.Errorf("%s: %d pages, want %d", c.text, len(pages), c.pages)
			}
			var all []string
			for i, p := range pages {
				got := shown(p)
				if len(got) == 0 || len(got) > 12 {
					t.Errorf("%s: page %d shows %d parcels", c.text, i+1, len(got))
				}
				all = append(all, got...)
				if footer := render(p); !strings.Contains(footer, "Page "+strconv.Itoa(i+1)+" of "+strconv.Itoa(c.pages)+" · ") {
					t.Errorf("%s: page %d does not say where it stands:\n%s", c.text, i+1, footer)
				}
				if prev := button(p, "‹ Previous"); (prev == nil) != (i == 0) {
					t.Errorf("%s: page %d: previous button %v", c.text, i+1, prev)
				}
			}
			var want []string
			for _, p := range parcels {
				if c.want(p) {
					want = append(want, p.number)
				}
			}
			seen := map[string]int{}
			for _, n := range all {
				seen[n]++
			}
			for _, n := range want {
				if seen[n] != 1 {
					t.Errorf("%s: %s shown %d times, want once", c.text, n, seen[n])
				}
			}
			if len(all) != len(want) {
				t.Errorf("%s: %d lines in all, want %d", c.text, len(all), len(want))
			}
		}
		// The grouped list keeps its groups in order across pages: every
		// customs parcel (needs attention) before any delivered one.
		pages := pageThrough(t, h, chat, "/list")
		text := ""
		for _, p := range pages {
			text += render(p)
		}
		if strings.LastIndex(text, "Held at customs") > strings.Index(text, "Delivered, ") {
			t.Errorf("groups interleave across pages")
		}
	})
}

// TestPageButtonsAreCheckedAgainstThePressingChat: a page button pressed
// in another chat pages through that chat's own parcels, and a payload
// that is no page of any list is refused.
func TestPageButtonsAreCheckedAgainstThePressingChat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		owner := bot.ChatRef{Platform: bot.Telegram, ID: "7401", Kind: bot.Private}
		other := bot.ChatRef{Platform: bot.Telegram, ID: "7402", Kind: bot.Private}
		seed(t, s, owner, many("OWN", 40))
		seed(t, s, other, []parcel{{number: "THEIRS", status: tracking.StatusTransit, sub: tracking.SubCustomsHeld, lastEvent: aDay}})
		next := button(h.say(owner, "en", "/list customs"), "Next ›")
		if next == nil || next.Payload != "2|customs" {
			t.Fatalf("next button %+v", next)
		}
		if got := shown(h.press(other, "en", next.Action, next.Payload)); !slices.Equal(got, []string{"THEIRS"}) {
			t.Errorf("the other chat pressing it sees %v, want only its own parcel", got)
		}
		for _, payload := range []string{"x|customs", "0|customs", "2|bogus", "2", "2customs", "-1|", "2|find:", "2|order:"} {
			if got := render(h.press(other, "en", "page", payload)); !strings.Contains(got, "That button belongs to a parcel this chat no longer tracks.") {
				t.Errorf("payload %q: %s", payload, got)
			}
		}
		// A page past the end (parcels removed since) shows the last one.
		if got := render(h.press(owner, "en", "page", "9|customs")); !strings.Contains(got, "Page 2 of 2 · 14 parcels") {
			t.Errorf("a page past the end:\n%s", got)
		}
	})
}

// TestListPageStatementsDoNotGrowWithTheChat: a filtered page and a
// search are one statement each, besides finding the chat, whether the
// chat has 20 parcels or 300.
func TestListPageStatementsDoNotGrowWithTheChat(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			s, statements := storetest.OpenCounting(t, d)
			h := newHarness(t, s)
			counts := map[string][]int64{}
			for _, n := range []int{20, 300} {
				chat := bot.ChatRef{Platform: bot.Console, ID: "count-" + strconv.Itoa(n), Kind: bot.Private}
				seed(t, s, chat, many("N"+strconv.Itoa(n)+"X", n))
				h.say(chat, "en", "/help") // the chat exists: finding it costs the same each time
				for _, text := range []string{"/list customs", "/find 1001", "/list order #1007"} {
					statements.Store(0)
					h.say(chat, "en", text)
					counts[text] = append(counts[text], statements.Load())
				}
			}
			statements.Store(0)
			h.say(bot.ChatRef{Platform: bot.Console, ID: "count-" + strconv.Itoa(300), Kind: bot.Private}, "en", "/help")
			base := statements.Load()
			for text, c := range counts {
				if c[0] != c[1] || c[1] > base+1 {
					t.Errorf("%s: %d statements with 20 parcels, %d with 300; finding the chat alone takes %d", text, c[0], c[1], base)
				}
			}
		})
	}
}

// TestASearchTooLongForAButtonSaysSo: a search whose text does not fit a
// button's payload (64 bytes on Telegram) shows its first page without
// buttons and says how to see the rest.
func TestASearchTooLongForAButtonSaysSo(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	h := newHarness(t, s)
	chat := bot.ChatRef{Platform: bot.Telegram, ID: "7501", Kind: bot.Private}
	label := "Подарок для бабушки на день рождения, упаковать" // 47 characters, 88 bytes
	parcels := many("LONG", 20)
	for i := range parcels {
		parcels[i].label = label
	}
	seed(t, s, chat, parcels)
	reply := h.say(chat, "en", "/find "+label)
	got := render(reply)
	if n := len(shown(reply)); n != 12 || strings.Contains(got, "-> page:") ||
		!strings.Contains(got, "The first 12 of 20 parcels. Search for something shorter to page through them all.") {
		t.Errorf("a long search shows %d parcels:\n%s", n, got)
	}
	short := render(h.say(chat, "en", "/find бабушки"))
	if !strings.Contains(short, "-> page:2|find:бабушки") {
		t.Errorf("a short search offers no next page:\n%s", short)
	}
}

// TestListGroupsAreNotNamedLikeFilters: /list's groups (on the way,
// delivered recently) hold other parcels than any filter does, so no
// language names a group with a filter's word: "/list WORD" for the
// heading a person sees must not answer with another set of parcels.
func TestListGroupsAreNotNamedLikeFilters(t *testing.T) {
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range cat.Languages() {
		loc := cat.Localizer(lang)
		for _, group := range []string{"list_moving", "list_delivered"} {
			heading := strings.ToLower(loc.T(group, nil))
			for _, id := range cat.MessageIDs(lang) {
				if strings.HasPrefix(id, "filter_") && (heading == strings.ToLower(loc.T(id, nil)) || heading == strings.TrimPrefix(id, "filter_")) {
					t.Errorf("%s: the group %s is named %q, the word of the filter %s", lang, group, heading, id)
				}
			}
		}
	}
}
