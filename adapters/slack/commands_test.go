package slack

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/locales"
)

// inMenu lists the names of the core's in-menu commands, in table order.
func inMenu() []string {
	var out []string
	for _, c := range bot.Commands() {
		if c.Menu {
			out = append(out, c.Name)
		}
	}
	return out
}

// TestSubcommandHelpIsTheCommandTable: what Slack shows of /track's
// sub-commands is the core's in-menu commands, exactly. The slash
// command's usage hint in manifest.yaml is the one usageHint derives
// from the table; the help reply (/track help) names every in-menu
// command, in Slack's form, in every catalog language.
func TestSubcommandHelpIsTheCommandTable(t *testing.T) {
	want := inMenu()
	if !slices.Contains(want, "order") || !slices.Contains(want, "track") {
		t.Fatalf("in-menu commands %v", want)
	}

	raw, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command   string `yaml:"command"`
				UsageHint string `yaml:"usage_hint"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest.yaml: %v", err)
	}
	if len(m.Features.SlashCommands) != 1 {
		t.Fatalf("manifest slash commands %+v", m.Features.SlashCommands)
	}
	hint := m.Features.SlashCommands[0].UsageHint
	if hint != usageHint() {
		t.Errorf("manifest.yaml usage_hint\n%q\nwant the command table's\n%q", hint, usageHint())
	}
	// /track's own arguments come first, then one part per sub-command.
	parts := strings.Split(hint, " | ")
	got := []string{"track"}
	for _, p := range parts[1:] {
		got = append(got, strings.Fields(p)[0])
	}
	var sorted []string
	for _, name := range want {
		if name != "track" {
			sorted = append(sorted, name)
		}
	}
	if wantHint := append([]string{"track"}, sorted...); !slices.Equal(got, wantHint) {
		t.Errorf("usage hint names %v, want %v", got, wantHint)
	}
	if len(hint) > 1000 {
		t.Errorf("usage hint has %d characters; Slack takes at most 1000", len(hint))
	}

	// The help reply: /start and /help are how one gets there, so it
	// names every other in-menu command, and nothing else.
	named := regexp.MustCompile(`(?:^|[\s(«“"])/([a-z]+)`)
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	var wantHelp []string
	for _, name := range want {
		if name != "start" && name != "help" {
			wantHelp = append(wantHelp, name)
		}
	}
	slices.Sort(wantHelp)
	for _, lang := range cat.Languages() {
		help := cat.Localizer(lang).T("help", map[string]any{"Files": bot.Slack.ReceivesFiles()}) // as Slack is sent it
		var names []string
		for _, mt := range named.FindAllStringSubmatch(help, -1) {
			if !slices.Contains(names, mt[1]) {
				names = append(names, mt[1])
			}
		}
		slices.Sort(names)
		if !slices.Equal(names, wantHelp) {
			t.Errorf("%s help names %v, want the in-menu commands %v", lang, names, wantHelp)
		}
		_, shown := render(bot.TextReply(help)) // the text Slack shows with the blocks
		for _, name := range wantHelp {
			if name != "track" && !strings.Contains(shown, Command+" "+name) {
				t.Errorf("%s help on Slack lacks %s %s:\n%s", lang, Command, name, shown)
			}
		}
		for _, mt := range named.FindAllStringSubmatch(shown, -1) {
			if "/"+mt[1] != Command {
				t.Errorf("%s help on Slack names /%s, which Slack does not know", lang, mt[1])
			}
		}
	}
}

// TestCommandWordsAreTheCommandTable: a leading word that names a command
// or one of its aliases, in any case, becomes that command; other words
// do not.
func TestCommandWordsAreTheCommandTable(t *testing.T) {
	const n = "LP00123456789012"
	for _, c := range bot.Commands() {
		for _, w := range append([]string{c.Name}, c.Aliases...) {
			for _, typed := range []string{w, strings.ToUpper(w)} {
				if got, want := coreText(typed+" "+n, false), "/"+w+" "+n; got != want {
					t.Errorf("coreText(%q) = %q, want %q", typed+" "+n, got, want)
				}
			}
			if c.Name != "track" {
				if got, want := subcommands("send /"+c.Name+" now"), "send "+Command+" "+c.Name+" now"; got != want {
					t.Errorf("subcommands names /%s as %q, want %q", c.Name, got, want)
				}
			}
		}
	}
	for _, text := range []string{"lists " + n, "unlabel me", "stopped"} {
		if got := coreText(text, false); strings.HasPrefix(got, "/") && !strings.HasPrefix(got, "/track ") {
			t.Errorf("coreText(%q) = %q: not a command", text, got)
		}
	}
}

// TestEveryMessageNamesCommandsAsSubcommands: whatever a message says, in
// every language, a command it names reaches Slack as a sub-command of
// /track, also where it follows punctuation without a space (Chinese
// "：/brand", "。/help"), and a link's path is left alone.
func TestEveryMessageNamesCommandsAsSubcommands(t *testing.T) {
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range bot.Commands() {
		if "/"+c.Name != Command {
			names = append(names, c.Name)
		}
	}
	// A command not preceded by a letter, digit or a character of a link.
	core := regexp.MustCompile(`(?:^|[^\p{L}\p{N}/.:_~%?=&#@-])/(` + strings.Join(names, "|") + `)\b`)
	for _, lang := range cat.Languages() {
		loc := cat.Localizer(lang)
		for _, id := range cat.MessageIDs(lang) {
			text, err := loc.Render(id, 2, map[string]any{"Count": 2})
			if err != nil {
				continue
			}
			shown := subcommands(text)
			if mt := core.FindString(shown); mt != "" {
				t.Errorf("%s %s names %q on Slack, where only %s is a command:\n%s", lang, id, mt, Command, shown)
			}
		}
	}
	if got, want := subcommands("https://example.org/list a/help"), "https://example.org/list a/help"; got != want {
		t.Errorf("subcommands(%q) = %q", want, got)
	}
}
