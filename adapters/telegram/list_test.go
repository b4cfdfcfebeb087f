package telegram

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// seedParcels writes n parcels on the way into a private chat, numbered
// prefix0000 on, in two statements.
func seedParcels(t *testing.T, s *store.Store, chatID, prefix string, n int) {
	t.Helper()
	ctx := context.Background()
	chat, err := s.EnsureChat(ctx, "telegram", "", chatID, "private", "buyer", t0)
	if err != nil {
		t.Fatal(err)
	}
	series := fmt.Sprintf(`(WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < %d) SELECT i FROM g) g`, n-1)
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO shipments (carrier, number, status, substatus, status_changed_at,
		last_event_at, created_at, updated_at)
		SELECT 'china-post', $1 || SUBSTR(CAST(10000 + i AS TEXT), 2), 'TRANSIT', 'package_departed', $2, $2, $2, $2 FROM `+series,
		prefix, t0.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO subscriptions (chat_id, shipment_id, created_at)
		SELECT $1, id, $2 FROM shipments WHERE number LIKE $3 ORDER BY id`, chat.ID, t0, prefix+"%"); err != nil {
		t.Fatal(err)
	}
}

// TestListPagesEditTheMessageInPlace: /list in a chat with 300 parcels
// sends the first page with a keyboard; each "Next" press edits that
// message (editMessageText of its id) into the next page, and the pages
// together show every parcel once.
func TestListPagesEditTheMessageInPlace(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	h := newHarness(t, s)
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	start(t, a, h.bot)
	waitFor(t, "the first getUpdates", func() bool { return f.count("getUpdates", "") > 0 })
	seedParcels(t, s, "1001", "TG", 300)

	me, private := person(1001, "en"), privateChat(1001)
	f.push(textUpdate(private, me, "/list"))
	waitFor(t, "the first page", func() bool { return len(f.sent("1001")) == 1 })
	first := f.sent("1001")[0]
	if first.Method != "sendMessage" {
		t.Fatalf("/list answered with %s", first.Method)
	}
	listID := 100 // the fake numbers messages from 100
	pages := []apiCall{first}
	for len(pages) < 100 {
		next := ""
		for _, row := range keyboardOf(t, pages[len(pages)-1]) {
			for _, b := range row {
				if b.Text == "Next ›" {
					next = b.CallbackData
				}
			}
		}
		if next == "" {
			break
		}
		h.clock.Advance(3 * time.Second) // within the command rate
		f.push(callbackUpdate(private, me, listID, next))
		want := len(pages) + 1
		waitFor(t, fmt.Sprintf("page %d", want), func() bool { return len(f.sent("1001")) == want })
		page := f.sent("1001")[want-1]
		if page.Method != "editMessageText" || page.Form["message_id"] != fmt.Sprint(listID) {
			t.Fatalf("page %d came as %s of message %s, want editMessageText of %d", want, page.Method, page.Form["message_id"], listID)
		}
		pages = append(pages, page)
	}
	if len(pages) != 25 {
		t.Errorf("%d pages, want 25 of twelve", len(pages))
	}
	number := regexp.MustCompile(`• (TG\d{4}) `)
	seen := map[string]int{}
	for i, p := range pages {
		found := number.FindAllStringSubmatch(p.Form["text"], -1)
		if len(found) == 0 || len(found) > 12 {
			t.Errorf("page %d shows %d parcels", i+1, len(found))
		}
		for _, m := range found {
			seen[m[1]]++
		}
	}
	for i := range 300 {
		if n := fmt.Sprintf("TG%04d", i); seen[n] != 1 {
			t.Errorf("%s shown %d times, want once", n, seen[n])
		}
	}
	if len(seen) != 300 {
		t.Errorf("%d parcels shown, want 300", len(seen))
	}
}
