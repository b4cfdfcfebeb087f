package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestBrandCommand: a seller sets, shows and removes the brand of its
// tracking pages; every bad brand gets its reason and writes nothing; a
// buyer chat, or a member who is not an admin of the channel, cannot brand.
func TestBrandCommand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		ctx := context.Background()
		channel := bot.ChatRef{Platform: bot.Slack, Team: "T1", ID: "C-brand", Kind: bot.Channel}
		via := &adminsAdapter{admins: map[string]bool{"admin": true}}
		say := func(chat bot.ChatRef, user, text string) string {
			h.clock.Advance(2 * time.Second) // within the command rate
			return render(h.bot.Handle(ctx, bot.Message{Chat: chat, User: user, Text: text, Via: via}))
		}
		brand := func(chat bot.ChatRef) store.Brand {
			c, err := s.EnsureChat(ctx, string(chat.Platform), chat.Team, chat.ID, string(chat.Kind), "", h.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			b, err := s.ChatBrand(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		if got := say(channel, "admin", "/brand"); !strings.Contains(got, "/brand NAME") {
			t.Errorf("/brand without a brand: %s", got)
		}
		set := "/brand Lamps & Co https://shop.example.com/lamps https://cdn.example.net/logo.png"
		want := store.Brand{Name: "Lamps & Co", URL: "https://shop.example.com/lamps", LogoURL: "https://cdn.example.net/logo.png"}
		if got := say(channel, "admin", set); !strings.Contains(got, "Your tracking pages now show Lamps & Co.") || brand(channel) != want {
			t.Fatalf("%s: %s, stored %+v", set, got, brand(channel))
		}
		if got := say(channel, "admin", "/brand"); !strings.Contains(got, "Lamps & Co (https://shop.example.com/lamps) with the logo https://cdn.example.net/logo.png") {
			t.Errorf("/brand shows: %s", got)
		}

		long := "https://shop.example.com/" + strings.Repeat("a", 300)
		for _, tc := range []struct {
			name, chat, user, text, reason string
		}{
			{"http, not https", "channel", "admin", "/brand Shop http://shop.example.com", "http://shop.example.com is not a usable address"},
			{"a user name in the link", "channel", "admin", "/brand Shop https://me:secret@shop.example.com", "is not a usable address"},
			{"a logo without https", "channel", "admin", "/brand Shop https://shop.example.com ftp://cdn.example.net/x.png", "ftp://cdn.example.net/x.png is not a usable address"},
			{"a javascript: link", "channel", "admin", "/brand Shop javascript:alert(1)", "javascript:alert(1) is not a usable address"},
			{"a data: logo", "channel", "admin", "/brand Shop https://shop.example.com data:image/svg+xml,x", "data:image/svg+xml,x is not a usable address"},
			{"only a scheme link", "channel", "admin", "/brand javascript:alert(1)", "javascript:alert(1) is not a usable address"},
			{"a mailto: link", "channel", "admin", "/brand Shop mailto:me@shop.example.com", "mailto:me@shop.example.com is not a usable address"},
			{"a host without a dot", "channel", "admin", "/brand Shop https://localhost/", "https://localhost/ is not a usable address"},
			{"a link too long", "channel", "admin", "/brand Shop " + long, "at most 300 characters"},
			{"words after the links", "channel", "admin", "/brand Shop https://shop.example.com more words", "more is not a usable address"},
			{"three links", "channel", "admin", "/brand Shop https://a.example.com https://b.example.com https://c.example.com", "/brand NAME"},
			{"no name", "channel", "admin", "/brand https://shop.example.com", "/brand NAME"},
			{"a name too long", "channel", "admin", "/brand " + strings.Repeat("n", 65), "at most 64 characters"},
			{"not an admin", "channel", "member", "/brand Other https://other.example.com", "Only an admin"},
			{"not an admin, off", "channel", "member", "/brand off", "Only an admin"},
			{"a buyer chat", "buyer", "admin", "/brand Shop", "/role seller"},
		} {
			chat := channel
			if tc.chat == "buyer" {
				chat = privateChat
			}
			before := brand(chat)
			got := say(chat, tc.user, tc.text)
			if !strings.Contains(got, tc.reason) {
				t.Errorf("%s: %s, want the reason %q", tc.name, got, tc.reason)
			}
			if after := brand(chat); after != before {
				t.Errorf("%s: the brand changed to %+v", tc.name, after)
			}
		}

		if got := say(channel, "admin", "/brand off"); !strings.Contains(got, "no longer show a brand") || brand(channel) != (store.Brand{}) {
			t.Errorf("/brand off: %s, stored %+v", got, brand(channel))
		}
		// A buyer who becomes a seller may brand.
		say(privateChat, "u1", "/role seller")
		if got := say(privateChat, "u1", "/brand My Stall"); !strings.Contains(got, "now show My Stall") || brand(privateChat).Name != "My Stall" {
			t.Errorf("a seller's private chat: %s", got)
		}
	})
}
