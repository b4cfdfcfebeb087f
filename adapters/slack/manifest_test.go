package slack

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// manifest is the part of manifest.yaml the code depends on.
type manifest struct {
	Features struct {
		AppHome struct {
			HomeTabEnabled     bool `yaml:"home_tab_enabled"`
			MessagesTabEnabled bool `yaml:"messages_tab_enabled"`
		} `yaml:"app_home"`
		SlashCommands []struct {
			Command string `yaml:"command"`
			URL     string `yaml:"url"`
		} `yaml:"slash_commands"`
	} `yaml:"features"`
	OAuthConfig struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		EventSubscriptions struct {
			RequestURL string   `yaml:"request_url"`
			BotEvents  []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			IsEnabled  bool   `yaml:"is_enabled"`
			RequestURL string `yaml:"request_url"`
		} `yaml:"interactivity"`
		SocketModeEnabled bool `yaml:"socket_mode_enabled"`
	} `yaml:"settings"`
}

// webAPIScopes are the bot scopes each Web API call of the slack-go client
// needs, from each method's page at docs.slack.dev/reference/methods.
// users.conversations needs one scope per conversation type it lists; see
// conversationTypeScopes.
var webAPIScopes = map[string][]string{
	"AuthTestContext":                nil, // auth.test
	"PostMessageContext":             {"chat:write"},
	"PostMessageWithResponseContext": {"chat:write"},
	"UpdateMessageContext":           {"chat:write"}, // chat.update
	"PostEphemeralContext":           {"chat:write"}, // chat.postEphemeral
	"GetUserInfoContext":             {"users:read"}, // users.info
	"PublishViewContext":             nil,            // views.publish
	"GetConversationsForUserContext": nil,            // users.conversations, by type
	// conversations.info, asked about public and private channels and
	// group DMs (never a direct message), one scope per type.
	"GetConversationInfoContext": {"channels:read", "groups:read", "mpim:read"},
	"GetFileInfoContext":         {"files:read"},  // files.info
	"GetFileContext":             {"files:read"},  // the file's url_private_download
	"UploadFileContext":          {"files:write"}, // files.getUploadURLExternal, files.completeUploadExternal
}

var conversationTypeScopes = map[string]string{
	"public_channel":  "channels:read",
	"private_channel": "groups:read",
	"mpim":            "mpim:read",
	"im":              "im:read",
}

// eventSubscriptions are the Events API events behind the event types the
// adapter handles, with the bot scope each needs (docs.slack.dev/reference/
// events). The adapter reads message events from direct messages only.
var eventSubscriptions = map[string]struct{ event, scope string }{
	"AppMentionEvent":    {"app_mention", "app_mentions:read"},
	"MessageEvent":       {"message.im", "im:history"},
	"AppHomeOpenedEvent": {"app_home_opened", ""},
	"FileSharedEvent":    {"file_shared", "files:read"},
}

// TestManifestMatchesTheCode reads manifest.yaml and the adapter's source:
// the manifest asks for exactly the bot scopes the Web API calls and the
// handled events need, subscribes to exactly those events, and names the
// slash command and the request paths the code serves.
func TestManifestMatchesTheCode(t *testing.T) {
	raw, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest.yaml: %v", err)
	}
	calls, events := adapterSource(t)

	need := map[string]bool{"commands": true} // the slash command
	for _, call := range calls {
		scopes, known := webAPIScopes[call]
		if !known {
			t.Errorf("the adapter calls %s: add the scopes it needs to webAPIScopes and manifest.yaml", call)
		}
		for _, s := range scopes {
			need[s] = true
		}
	}
	if slices.Contains(calls, "GetConversationsForUserContext") {
		for _, typ := range membershipTypes {
			need[conversationTypeScopes[typ]] = true
		}
	}
	var wantEvents []string
	for _, e := range events {
		sub, known := eventSubscriptions[e]
		if !known {
			t.Errorf("the adapter handles slackevents.%s: add its event and scope to eventSubscriptions and manifest.yaml", e)
			continue
		}
		wantEvents = append(wantEvents, sub.event)
		if sub.scope != "" {
			need[sub.scope] = true
		}
	}
	var wantScopes []string
	for s := range need {
		wantScopes = append(wantScopes, s)
	}
	sameSet(t, "bot scopes", m.OAuthConfig.Scopes.Bot, wantScopes)
	sameSet(t, "bot events", m.Settings.EventSubscriptions.BotEvents, wantEvents)

	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != Command {
		t.Errorf("slash commands %+v, want only %s", m.Features.SlashCommands, Command)
	} else {
		samePath(t, "slash command URL", m.Features.SlashCommands[0].URL, CommandsPath)
	}
	samePath(t, "event request URL", m.Settings.EventSubscriptions.RequestURL, EventsPath)
	if !m.Settings.Interactivity.IsEnabled {
		t.Error("interactivity is off: buttons would do nothing")
	}
	samePath(t, "interactivity request URL", m.Settings.Interactivity.RequestURL, InteractionsPath)
	if !m.Features.AppHome.HomeTabEnabled || !m.Features.AppHome.MessagesTabEnabled {
		t.Error("the App Home tab and direct messages are used: enable home_tab and messages_tab")
	}
	if !m.Settings.SocketModeEnabled {
		t.Error("the manifest's instructions set up Socket Mode: socket_mode_enabled must be true")
	}
}

// adapterSource lists the slack-go client methods the adapter calls on
// a.api, and the slackevents event types onEvent handles, from the
// package's non-test files.
func adapterSource(t *testing.T) (calls, events []string) {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				// a.api.Method(…)
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if recv, ok := sel.X.(*ast.SelectorExpr); ok && recv.Sel.Name == "api" && !seen[sel.Sel.Name] {
					seen[sel.Sel.Name] = true
					calls = append(calls, sel.Sel.Name)
				}
			case *ast.FuncDecl:
				if n.Name.Name != "onEvent" {
					return true
				}
				ast.Inspect(n.Body, func(n ast.Node) bool {
					// case *slackevents.AppMentionEvent:
					if cc, ok := n.(*ast.CaseClause); ok {
						for _, e := range cc.List {
							if star, ok := e.(*ast.StarExpr); ok {
								if sel, ok := star.X.(*ast.SelectorExpr); ok {
									if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "slackevents" {
										events = append(events, sel.Sel.Name)
									}
								}
							}
						}
					}
					return true
				})
				return false
			}
			return true
		})
	}
	if len(calls) == 0 || len(events) == 0 {
		t.Fatalf("found %d Web API calls and %d event types in the source; the scan is broken", len(calls), len(events))
	}
	return calls, events
}

func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	sort.Strings(g)
	sort.Strings(w)
	if !slices.Equal(g, w) {
		t.Errorf("manifest %s %v, want %v (what the code uses)", what, g, w)
	}
}

func samePath(t *testing.T, what, raw, path string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Path != path {
		t.Errorf("manifest %s %q, want a URL ending in %s", what, raw, path)
	}
}
