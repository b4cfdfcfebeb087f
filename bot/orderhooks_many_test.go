package bot_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/web"
)

// newLimitedFeeds is newFeeds for chats that may follow limit parcels.
func newLimitedFeeds(t *testing.T, s *store.Store, limit int) *feeds {
	t.Helper()
	h := newHarness(t, s)
	b := bot.New(bot.Config{Store: s, Engine: h.engine, Catalog: h.cat, Clock: h.clock, PublicURL: publicURL, ParcelLimit: limit})
	w := web.New("127.0.0.1:0", nil, prometheus.NewRegistry())
	w.HandleOrderFeeds(b)
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	return &feeds{harness: h, bot: b, srv: srv}
}

// TestOrderFeedIsOneTransaction: a delivery of many orders is tracked in
// a number of statements that does not grow with its length, and past the
// chat's limit the parcels within it are tracked (a parcel the chat
// follows already gets its order), the rest refused with 422.
func TestOrderFeedIsOneTransaction(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			s, statements := storetest.OpenCounting(t, d)
			f := newLimitedFeeds(t, s, 300)
			now := t0.Unix()
			var counts []int64
			for _, n := range []int{10, 200} {
				chat := bot.ChatRef{Platform: bot.Telegram, ID: fmt.Sprintf("77%d", n), Kind: bot.Private}
				path, reply := f.connect(chat, "/connect webhook")
				secret := feedSecret.FindString(reply)
				var orders []string
				for i := range n {
					orders = append(orders, fmt.Sprintf(`{"order": "A-%d", "number": "DEMO-DELIVERED-%d", "country": "de"}`, i, 1000*n+i))
				}
				body := []byte("[" + strings.Join(orders, ",") + "]")
				statements.Store(0)
				if got := f.post(path, genericHeaders(secret, now, body), body); got != 200 {
					t.Fatalf("%d orders: %d", n, got)
				}
				counts = append(counts, statements.Load())
				if got := f.subs(chat); len(got) != n || got[0] != fmt.Sprintf("DEMO-DELIVERED-%d demo A-0 DE", 1000*n) {
					t.Fatalf("%d orders: the chat follows %d parcels, first %q", n, len(got), got[:min(len(got), 1)])
				}
			}
			t.Logf("%s: 10 orders %d statements, 200 orders %d", d, counts[0], counts[1])
			if counts[1] > counts[0]+2 {
				t.Errorf("200 orders took %d statements, 10 took %d", counts[1], counts[0])
			}

			f = newLimitedFeeds(t, storetest.Open(t, d), 2)
			path, reply := f.connect(privateChat, "/connect webhook")
			secret := feedSecret.FindString(reply)
			f.handle(bot.Message{Chat: privateChat, Text: "/track DEMO-LIVE"})
			body := []byte(`[{"order": "B-1", "number": "DEMO-STALLED"}, {"order": "B-2", "number": "DEMO-LOST"},
				{"order": "B-3", "number": "DEMO-LIVE"}]`)
			if got := f.post(path, genericHeaders(secret, now, body), body); got != 422 {
				t.Errorf("past the limit: %d, want 422", got)
			}
			want := []string{"DEMO-LIVE demo B-3 US", "DEMO-STALLED demo B-1 "}
			if got := f.subs(privateChat); !equal(sorted(got), want) {
				t.Errorf("past the limit the chat follows %v, want %v", got, want)
			}
		})
	}
}
