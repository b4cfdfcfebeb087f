package slack

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestRemoveAndForgetNeedAChannelAdmin: in a channel, /track remove, the
// Remove button's Yes and the confirmed forget are refused to a member
// and done for a workspace admin and for the channel's creator; a direct
// message is its person's own and nobody is asked.
func TestRemoveAndForgetNeedAChannelAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.slack.roles["UADMIN"] = "admin"
		e.slack.roles["UOWNER"] = "owner"
		e.slack.creator["C7"] = "UMAKER"
		e.start()

		// last is the latest reply to a channel: a post, or the pressed
		// message edited in place.
		last := func(channel string) string {
			t.Helper()
			e.slack.mu.Lock()
			calls := append([]call(nil), e.slack.calls...)
			e.slack.mu.Unlock()
			for i := len(calls) - 1; i >= 0; i-- {
				c := calls[i]
				switch {
				case (c.Method == "chat.postMessage" || c.Method == "chat.update") && c.Form.Get("channel") == channel,
					c.Method == "response_url":
					return joined(t, c)
				}
			}
			t.Fatalf("nothing posted to %s", channel)
			return ""
		}
		subID := func(channel, kind string) string {
			t.Helper()
			c, err := s.EnsureChat(context.Background(), "slack", team, channel, kind, "seller", t0)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := s.FindSubscription(context.Background(), c.ID, "DEMO-STALLED")
			if err != nil {
				t.Fatalf("DEMO-STALLED is not tracked in %s: %v", channel, err)
			}
			return strconv.FormatInt(tr.Sub.ID, 10)
		}
		const refused = "Only an admin of this chat can do that"

		e.commandBy("U1", "C7", "DEMO-STALLED")
		id := subID("C7", "channel")
		steps := []struct {
			name string
			do   func()
			want string
		}{
			{"a member types remove", func() { e.commandBy("U1", "C7", "remove DEMO-STALLED") }, refused},
			{"a member presses Yes, remove", func() { e.pressBy("U1", "C7", "1700000000.000001", "remove", id+"|yes") }, refused},
			{"a member confirms forget", func() { e.pressBy("U1", "C7", "1700000000.000001", "forget", "confirm") }, refused},
			{"a workspace admin types remove", func() { e.commandBy("UADMIN", "C7", "remove DEMO-STALLED") }, "Stopped tracking DEMO-STALLED."},
			{"a member tracks it again", func() { e.commandBy("U1", "C7", "DEMO-STALLED") }, "DEMO-STALLED"},
			{"the channel's creator presses Yes, remove", func() {
				e.pressBy("UMAKER", "C7", "1700000000.000001", "remove", subID("C7", "channel")+"|yes")
			}, "Stopped tracking DEMO-STALLED."},
			{"a member tracks it once more", func() { e.commandBy("U1", "C7", "DEMO-STALLED") }, "DEMO-STALLED"},
			{"a workspace owner confirms forget", func() { e.pressBy("UOWNER", "C7", "1700000000.000001", "forget", "confirm") }, "Done. I deleted this chat"},
		}
		for _, st := range steps {
			st.do()
			if got := last("C7"); !strings.Contains(got, st.want) {
				t.Errorf("%s: answered %q, want %q", st.name, got, st.want)
			}
		}

		// A direct message: the person owns what it tracks.
		e.commandBy("U1", "D1", "DEMO-STALLED")
		e.commandBy("U1", "D1", "remove DEMO-STALLED")
		if got := last("D1"); !strings.Contains(got, "Stopped tracking DEMO-STALLED.") {
			t.Errorf("remove in a direct message answered %q", got)
		}
		e.pressBy("U1", "D1", "1700000000.000001", "forget", "confirm")
		if got := last("D1"); !strings.Contains(got, "Done. I deleted this chat") {
			t.Errorf("a confirmed forget in a direct message answered %q", got)
		}
		if asked := e.slack.called("conversations.info", "D1"); len(asked) != 0 {
			t.Errorf("a direct message asked conversations.info %d times", len(asked))
		}
	})
}
