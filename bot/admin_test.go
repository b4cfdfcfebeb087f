package bot_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// adminsAdapter is an adapter that knows who administers a chat: the
// users in admins; with err set, it cannot tell.
type adminsAdapter struct {
	bot.Adapter
	admins map[string]bool
	err    error
	asked  int
}

func (a *adminsAdapter) IsAdmin(_ context.Context, _ bot.ChatRef, user string) (bool, error) {
	a.asked++
	return a.admins[user], a.err
}

// plainAdapter has no Admins ability.
type plainAdapter struct{ bot.Adapter }

// TestDestructiveCommandsNeedAnAdminInSharedChats: /remove, the Remove
// button's Yes and the confirmed /forget delete what a whole group or
// channel follows, so there only an admin may use them; in a private chat
// nobody is asked.
func TestDestructiveCommandsNeedAnAdminInSharedChats(t *testing.T) {
	slackChannel := bot.ChatRef{Platform: bot.Slack, Team: "T1", ID: "C9", Kind: bot.Channel}
	ops := []struct {
		name string
		do   func(h *harness, m bot.Message, sub int64) []bot.Reply
		done string
	}{
		{"typed /remove", func(h *harness, m bot.Message, _ int64) []bot.Reply {
			m.Text = "/remove DEMO-STALLED"
			return h.bot.Handle(context.Background(), m)
		}, "Stopped tracking DEMO-STALLED."},
		{"the Remove button's Yes", func(h *harness, m bot.Message, sub int64) []bot.Reply {
			m.Action = &bot.Action{Name: "remove", Payload: strconv.FormatInt(sub, 10) + "|yes"}
			return h.bot.Handle(context.Background(), m)
		}, "Stopped tracking DEMO-STALLED."},
		{"the confirmed /forget", func(h *harness, m bot.Message, _ int64) []bot.Reply {
			m.Action = &bot.Action{Name: "forget", Payload: "confirm"}
			return h.bot.Handle(context.Background(), m)
		}, "Done. I deleted this chat's data"},
	}
	cases := []struct {
		name    string
		chat    bot.ChatRef
		via     func() bot.Adapter
		allowed bool
		reply   string // what a refusal says
		asks    bool   // whether the adapter is asked
	}{
		{"a member of a Telegram group", groupChat, func() bot.Adapter { return &adminsAdapter{admins: map[string]bool{"boss": true}} }, false, "Only an admin of this chat can do that", true},
		{"an admin of a Telegram group", groupChat, func() bot.Adapter { return &adminsAdapter{admins: map[string]bool{"u1": true}} }, true, "", true},
		{"a member of a Slack channel", slackChannel, func() bot.Adapter { return &adminsAdapter{admins: map[string]bool{"boss": true}} }, false, "Only an admin of this chat can do that", true},
		{"an admin of a Slack channel", slackChannel, func() bot.Adapter { return &adminsAdapter{admins: map[string]bool{"u1": true}} }, true, "", true},
		{"a group on an adapter that cannot tell admins", groupChat, func() bot.Adapter { return plainAdapter{} }, false, "Only an admin of this chat can do that", false},
		{"a group whose platform fails to answer", groupChat, func() bot.Adapter {
			return &adminsAdapter{admins: map[string]bool{"u1": true}, err: errors.New("telegram: getChatMember: 502")}
		}, false, "Something went wrong", true},
		{"a private chat", privateChat, func() bot.Adapter { return &adminsAdapter{} }, true, "", false},
		{"a private chat on an adapter that cannot tell admins", privateChat, func() bot.Adapter { return plainAdapter{} }, true, "", false},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for i, op := range ops {
			for j, c := range cases {
				t.Run(op.name+" by "+c.name, func(t *testing.T) {
					h := newHarness(t, s)
					via := c.via()
					// A chat of its own for each case, on one store.
					c.chat.ID += "-" + strconv.Itoa(i*len(cases)+j)
					m := bot.Message{Chat: c.chat, User: "u1", Language: "en", Via: via}
					track := m
					track.Text = "/track DEMO-STALLED"
					if got := flat(h.bot.Handle(context.Background(), track)); !strings.Contains(got, "DEMO-STALLED") {
						t.Fatalf("/track answered:\n%s", got)
					}
					role := "buyer"
					if c.chat.Platform == bot.Slack {
						role = "seller"
					}
					chat, err := s.EnsureChat(context.Background(), string(c.chat.Platform), c.chat.Team, c.chat.ID, string(c.chat.Kind), role, t0)
					if err != nil {
						t.Fatal(err)
					}
					tr, err := s.FindSubscription(context.Background(), chat.ID, "DEMO-STALLED")
					if err != nil {
						t.Fatal(err)
					}

					got := flat(op.do(h, m, tr.Sub.ID))
					_, err = s.FindSubscription(context.Background(), chat.ID, "DEMO-STALLED")
					switch {
					case c.allowed && !strings.Contains(got, op.done):
						t.Errorf("answered %q, want %q", got, op.done)
					case c.allowed && !errors.Is(err, store.ErrNotFound):
						t.Errorf("the parcel is still tracked: %v", err)
					case !c.allowed && !strings.Contains(got, c.reply):
						t.Errorf("answered %q, want %q", got, c.reply)
					case !c.allowed && err != nil:
						t.Errorf("a refused command deleted the parcel: %v", err)
					}
					if a, ok := via.(*adminsAdapter); ok && (a.asked > 0) != c.asks {
						t.Errorf("the adapter was asked %d times, want asked: %v", a.asked, c.asks)
					}
				})
			}
		}
	})
}
