package slack

import (
	"strings"
	"testing"

	"github.com/trackbot/trackbot/bot"
)

// slackSeeds are message texts as Slack delivers them: escaped entities,
// labelled and bare links, mentions, and text that only looks like them.
var slackSeeds = []string{
	"track <https://example.com/t?n=RR123456785CN|RR123456785CN> &amp; more",
	"<mailto:a@b.c> &lt;b&gt; &amp;lt; <tel:+49123|call>", "<@U123|bot>: list",
	"<https://x|y", "info RR123456785CN", "order 42 1Z2617V10397725789",
	"LP00123456789012 Jacket", "list\nmore", "Your parcel RR 123 456 785 CN has shipped.", "",
}

// slackEscape is what Slack does to the text a person types: &, < and >
// become entities.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func FuzzPlainText(f *testing.F) {
	for _, s := range slackSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := plainText(s)
		if len(got) > len(s) {
			t.Fatalf("plainText(%q) = %q grew", s, got)
		}
		if !strings.ContainsAny(s, "<&") && got != s {
			t.Fatalf("plainText(%q) = %q changed text without markup", s, got)
		}
		// What a person typed comes back as typed once Slack escaped it.
		if back := plainText(slackEscape.Replace(s)); back != s {
			t.Fatalf("plainText of escaped %q = %q", s, back)
		}
	})
}

func FuzzCoreText(f *testing.F) {
	for _, s := range slackSeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, text string, slash bool) {
		got := coreText(text, slash)
		typed := strings.TrimSpace(text)
		if got != strings.TrimSpace(got) {
			t.Fatalf("coreText(%q) = %q not trimmed", text, got)
		}
		if strings.HasPrefix(typed, "/") && got != typed {
			t.Fatalf("coreText(%q) = %q changed a command", text, got)
		}
		if slash && !strings.HasPrefix(got, "/") {
			t.Fatalf("coreText(%q, slash) = %q is no command", text, got)
		}
		switch {
		case got == typed:
		case got == strings.TrimSpace("/track "+typed):
		case strings.HasPrefix(got, "/"):
			word, _, _ := strings.Cut(got[1:], " ")
			if _, ok := bot.LookupCommand(word); !ok {
				t.Fatalf("coreText(%q) = %q: %q is not a command", text, got, word)
			}
		default:
			t.Fatalf("coreText(%q) = %q is neither the text nor a command", text, got)
		}
	})
}
