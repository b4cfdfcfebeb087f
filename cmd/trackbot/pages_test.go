package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

var sharedLink = regexp.MustCompile(`https://track\.example\.org/t/[A-Za-z0-9_-]+`)

// TestTheAppServesSharedPages goes through the app's own wiring of the
// tracking pages (sharedPages, newHTTPServer), which the web package's
// tests replace with their own: a parcel shared from a chat opens on the
// app's HTTP server, its label only on a link that was shared with it,
// and a team's brand on its pages.
func TestTheAppServesSharedPages(t *testing.T) {
	ctx := context.Background()
	a, srv := serveApp(t, map[string]string{"DATABASE_URL": storetest.URL(t, store.SQLite), "PUBLIC_URL": "https://track.example.org"})
	if _, err := a.store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	team := bot.ChatRef{Platform: bot.Slack, Team: "T1", ID: "C1", Kind: bot.Channel}
	say := func(text string, action *bot.Action) string {
		t.Helper()
		var out strings.Builder
		for _, r := range a.bot.Handle(ctx, bot.Message{Chat: team, User: "U1", Text: text, Action: action, Language: "en", Via: channelAdmin{}}) {
			for _, b := range r.Blocks {
				if b.Text != nil {
					out.WriteString(b.Text.Body + "\n")
				}
			}
		}
		return out.String()
	}
	say("/track DEMO-CUSTOMS Lamp order #77", nil)
	if got := say("/brand Lamps & Co https://shop.example.com", nil); !strings.Contains(got, "Lamps & Co") {
		t.Fatalf("/brand: %s", got)
	}
	subs, err := a.store.Subscriptions(ctx, mustTeamChat(t, a.store, team))
	if err != nil || len(subs) != 1 {
		t.Fatalf("subscriptions: %d, %v", len(subs), err)
	}
	id := strconv.FormatInt(subs[0].Sub.ID, 10)
	open := func(action string) string {
		t.Helper()
		link := sharedLink.FindString(say("", &bot.Action{Name: action, Payload: id}))
		if link == "" {
			t.Fatalf("%s gave no link", action)
		}
		resp, err := http.Get(srv.URL + strings.TrimPrefix(link, "https://track.example.org"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", link, resp.StatusCode)
		}
		return string(body)
	}
	plain := open("share")
	if !strings.Contains(plain, "DEMO-CUSTOMS") || !strings.Contains(plain, "Lamps &amp; Co") {
		t.Errorf("the shared page lacks the parcel or the team's brand")
	}
	if strings.Contains(plain, "Lamp order") || strings.Contains(plain, "#77") {
		t.Errorf("a plain link shows the label or the order")
	}
	if labelled := open("share_label"); !strings.Contains(labelled, "Lamp") || !strings.Contains(labelled, "#77") {
		t.Errorf("a link shared with its label lacks the label or the order")
	}
}

func mustTeamChat(t *testing.T, s *store.Store, c bot.ChatRef) int64 {
	t.Helper()
	chat, err := s.EnsureChat(context.Background(), string(c.Platform), c.Team, c.ID, string(c.Kind), "seller", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return chat.ID
}

// channelAdmin is the Slack adapter as far as the core asks it: the user
// administers the channel.
type channelAdmin struct{ bot.Adapter }

func (channelAdmin) IsAdmin(context.Context, bot.ChatRef, string) (bool, error) { return true, nil }
