package telegram

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestRemoveAndForgetNeedAGroupAdmin: in a group, /remove, the Remove
// button's Yes and the confirmed /forget are refused to a plain member
// and done for the group's administrator and creator, as getChatMember
// says; a private chat is not asked about at all.
func TestRemoveAndForgetNeedAGroupAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		f := newFakeAPI(t)
		a, _ := h.adapter(t, f, "", nil)
		start(t, a, h.bot)
		waitFor(t, "the first getUpdates", func() bool { return f.count("getUpdates", "") > 0 })

		group := groupChat(-3003)
		member, admin, creator := person(2001, "en"), person(2002, "en"), person(2003, "en")
		f.setStatus(-3003, 2002, "administrator")
		f.setStatus(-3003, 2003, "creator")
		say := func(u map[string]any, chat string) string {
			t.Helper()
			before := len(f.sent(chat))
			f.push(u)
			waitFor(t, "a reply in chat "+chat, func() bool { return len(f.sent(chat)) > before })
			return f.sent(chat)[before].Form["text"]
		}
		subID := func(chat string) string {
			t.Helper()
			c, err := s.EnsureChat(context.Background(), "telegram", "", chat, "group", "buyer", t0)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := s.FindSubscription(context.Background(), c.ID, "DEMO-STALLED")
			if err != nil {
				t.Fatalf("DEMO-STALLED is not tracked in %s: %v", chat, err)
			}
			return strconv.FormatInt(tr.Sub.ID, 10)
		}
		const refused = "Only an admin of this chat can do that"

		if got := say(textUpdate(group, member, "/track DEMO-STALLED"), "-3003"); !strings.Contains(got, "DEMO-STALLED") {
			t.Fatalf("/track in the group answered %q", got)
		}
		id := subID("-3003")
		steps := []struct {
			name   string
			update map[string]any
			want   string
		}{
			{"a member types /remove", textUpdate(group, member, "/remove DEMO-STALLED"), refused},
			{"a member presses Yes, remove", callbackUpdate(group, member, 101, "remove:"+id+"|yes"), refused},
			{"a member confirms /forget", callbackUpdate(group, member, 101, "forget:confirm"), refused},
			{"an admin types /remove", textUpdate(group, admin, "/remove DEMO-STALLED"), "Stopped tracking DEMO-STALLED."},
			{"an admin tracks it again", textUpdate(group, admin, "/track DEMO-STALLED"), "DEMO-STALLED"},
			{"the creator confirms /forget", callbackUpdate(group, creator, 101, "forget:confirm"), "Done. I deleted this chat"},
		}
		for _, st := range steps {
			if got := say(st.update, "-3003"); !strings.Contains(got, st.want) {
				t.Errorf("%s: answered %q, want %q", st.name, got, st.want)
			}
		}
		var asked []string
		for _, c := range f.recorded(false) {
			if c.Method == "getChatMember" {
				asked = append(asked, c.Form["chat_id"]+"/"+c.Form["user_id"])
			}
		}
		if want := []string{"-3003/2001", "-3003/2001", "-3003/2001", "-3003/2002", "-3003/2003"}; fmt.Sprint(asked) != fmt.Sprint(want) {
			t.Errorf("getChatMember asked about %v, want %v", asked, want)
		}

		// A private chat: the person owns what it tracks, nobody is asked.
		mark := len(f.recorded(false))
		private := privateChat(2001)
		say(textUpdate(private, member, "/track DEMO-STALLED"), "2001")
		if got := say(textUpdate(private, member, "/remove DEMO-STALLED"), "2001"); !strings.Contains(got, "Stopped tracking DEMO-STALLED.") {
			t.Errorf("/remove in a private chat answered %q", got)
		}
		if got := say(callbackUpdate(private, member, 101, "forget:confirm"), "2001"); !strings.Contains(got, "Done. I deleted this chat") {
			t.Errorf("a confirmed /forget in a private chat answered %q", got)
		}
		for _, c := range f.recorded(false)[mark:] {
			if c.Method == "getChatMember" {
				t.Errorf("a private chat asked getChatMember: %v", c.Form)
			}
		}
	})
}
