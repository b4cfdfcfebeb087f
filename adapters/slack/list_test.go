package slack

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// seedParcels writes n parcels on the way into a channel's chat, numbered
// prefix0000 on, in two statements.
func seedParcels(t *testing.T, s *store.Store, channel, prefix string, n int) {
	t.Helper()
	ctx := context.Background()
	chat, err := s.EnsureChat(ctx, "slack", team, channel, "channel", "seller", t0)
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

// buttonValue finds the action_id and value of the button labelled label
// in a message's blocks.
func buttonValue(t *testing.T, c call, label string) (actionID, value string, ok bool) {
	t.Helper()
	for _, b := range c.blocks(t) {
		block, _ := b.(map[string]any)
		if block["type"] != "actions" {
			continue
		}
		for _, el := range block["elements"].([]any) {
			m := el.(map[string]any)
			if text, _ := m["text"].(map[string]any); text["text"] == label {
				return m["action_id"].(string), m["value"].(string), true
			}
		}
	}
	return "", "", false
}

// TestListPagesEditTheMessageInPlace: "/track list" in a channel with 300
// parcels posts the first page; each "Next" press updates that message
// (chat.update of its ts) with the next page, and the pages together show
// every parcel once.
func TestListPagesEditTheMessageInPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.start()
		seedParcels(t, s, "C1", "SL", 300)
		e.command("C1", "list")
		posts := e.slack.called("chat.postMessage", "C1")
		if len(posts) != 1 {
			t.Fatalf("/track list posted %d messages, want one page", len(posts))
		}
		listTS := posts[0].TS
		pages := []call{posts[0]}
		for len(pages) < 100 {
			actionID, value, ok := buttonValue(t, pages[len(pages)-1], "Next ›")
			if !ok {
				break
			}
			e.clock.Advance(3 * time.Second) // within the command rate
			e.press("C1", listTS, actionID, value)
			updates := e.slack.called("chat.update", "C1")
			if len(updates) != len(pages) {
				t.Fatalf("press %d: %d chat.update calls, want %d", len(pages), len(updates), len(pages))
			}
			if u := updates[len(updates)-1]; u.Form.Get("ts") != listTS {
				t.Fatalf("press %d updated ts %s, want the list's %s", len(pages), u.Form.Get("ts"), listTS)
			}
			pages = append(pages, e.slack.called("chat.update", "C1")[len(pages)-1])
		}
		if len(pages) != 25 {
			t.Errorf("%d pages, want 25 of twelve", len(pages))
		}
		if n := len(e.slack.called("chat.postMessage", "C1")); n != 1 {
			t.Errorf("paging posted %d messages, want none beside the first page", n-1)
		}
		number := regexp.MustCompile(`• (SL\d{4}) `)
		seen := map[string]int{}
		for i, p := range pages {
			found := number.FindAllStringSubmatch(joined(t, p), -1)
			if len(found) == 0 || len(found) > 12 {
				t.Errorf("page %d shows %d parcels", i+1, len(found))
			}
			for _, m := range found {
				seen[m[1]]++
			}
		}
		for i := range 300 {
			if n := fmt.Sprintf("SL%04d", i); seen[n] != 1 {
				t.Errorf("%s shown %d times, want once", n, seen[n])
			}
		}
		if len(seen) != 300 {
			t.Errorf("%d parcels shown, want 300", len(seen))
		}

		// The filters and the search are sub-commands too.
		for _, c := range []struct{ text, want string }{
			{"find sl0299", "• SL0299 "},
			{"list customs", "No parcel here matches “customs”."},
		} {
			e.clock.Advance(3 * time.Second)
			e.command("C1", c.text)
			posts := e.slack.called("chat.postMessage", "C1")
			if got := joined(t, posts[len(posts)-1]); !strings.Contains(got, c.want) || strings.Count(got, "• ") > 1 {
				t.Errorf("/track %s answered:\n%s\nwant %q", c.text, got, c.want)
			}
		}
	})
}
