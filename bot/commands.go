package bot

import (
	"slices"
	"strings"
)

// Command is one chat command ("/list"; "/track list" on Slack). The
// command table is the only list of commands: Handle dispatches from it,
// and the adapters build their menus, command words and help from it, so
// that adding a command is adding an entry (and its catalog texts).
type Command struct {
	// Name is what follows the slash.
	Name string
	// Aliases are other words for it ("delete" for "remove"); they work
	// as typed but are offered nowhere.
	Aliases []string
	// Usage names its arguments ("NUMBER|label"), empty when it takes
	// none; where a platform shows it, it is shown as written.
	Usage string
	// Menu offers it in the platforms' command menus and help; the
	// catalog's menu_<Name> message describes it there.
	Menu bool

	handle func(t *turn, args string) []Reply
}

// Commands lists the commands in the order menus show them.
func Commands() []Command {
	return []Command{
		{Name: "start", Menu: true, handle: (*turn).start},
		{Name: "help", Menu: true, handle: (*turn).help},
		{Name: "track", Usage: "NUMBER [label] [order REF]", Menu: true, handle: (*turn).track},
		{Name: "list", Usage: "[attention|customs|late|delivered|…]", Menu: true, handle: (*turn).list},
		{Name: "find", Usage: "TEXT", Menu: true, handle: (*turn).findCommand},
		{Name: "info", Usage: "NUMBER|label", Menu: true, handle: (*turn).info},
		{Name: "remove", Aliases: []string{"delete", "stop"}, Usage: "NUMBER|label", Menu: true, handle: (*turn).remove},
		{Name: "rename", Aliases: []string{"label"}, Usage: "NUMBER label", Menu: true, handle: (*turn).rename},
		{Name: "order", Usage: "NUMBER REF", Menu: true, handle: (*turn).order},
		{Name: "carrier", Usage: "NUMBER CARRIER", Menu: true, handle: (*turn).carrier},
		{Name: "shop", Usage: "NUMBER " + strings.Join(marketplaces, "|") + " [YYYY-MM-DD]", Menu: true, handle: (*turn).shop},
		{Name: "mute", Usage: "[NUMBER]", Menu: true, handle: func(t *turn, args string) []Reply { return t.mute(args, true) }},
		{Name: "unmute", Usage: "[NUMBER]", Menu: true, handle: func(t *turn, args string) []Reply { return t.mute(args, false) }},
		{Name: "quiet", Usage: "HH-HH|off", Menu: true, handle: (*turn).quiet},
		{Name: "alerts", Usage: alertsUsage(), Menu: true, handle: (*turn).alerts},
		{Name: "lang", Aliases: []string{"language"}, Usage: "CODE", Menu: true, handle: (*turn).lang},
		{Name: "tz", Aliases: []string{"timezone"}, Usage: "ZONE", Menu: true, handle: (*turn).timezone},
		{Name: "role", Usage: roleBuyer + "|" + roleSeller, Menu: true, handle: (*turn).role},
		{Name: "connect", Usage: strings.Join(feedKinds, "|"), Menu: true, handle: (*turn).connect},
		{Name: "disconnect", Usage: "[" + strings.Join(feedKinds, "|") + "]", Menu: true, handle: (*turn).disconnect},
		{Name: "brand", Usage: "NAME [URL] [LOGO_URL]|off", Menu: true, handle: (*turn).brand},
		{Name: "export", Usage: "[PATH]", Menu: true, handle: (*turn).export},
		// The console's way to import, which cannot receive a file: offered
		// in its help only, as sending the file is elsewhere.
		{Name: "import", Usage: "PATH", handle: (*turn).importPath},
		{Name: "forget", Menu: true, handle: func(t *turn, _ string) []Reply { return t.forget() }},
	}
}

// LookupCommand finds the command a word names, by its name or an alias,
// in any case.
func LookupCommand(word string) (Command, bool) {
	word = strings.ToLower(word)
	for _, c := range Commands() {
		if c.Name == word || slices.Contains(c.Aliases, word) {
			return c, true
		}
	}
	return Command{}, false
}

// start greets, or follows a deep link: Telegram's t.me/BOT?start=PAYLOAD
// arrives as "/start PAYLOAD", and a payload that is a tracking number
// (DEMO-LOST) tracks it.
func (t *turn) start(args string) []Reply {
	if _, ok := parseTrack(args); ok && args != "" {
		return t.track(args)
	}
	return t.text("start", nil)
}

// help lists what the bot can do; the way to import a file is offered
// only where people can send one.
func (t *turn) help(string) []Reply {
	return t.text("help", map[string]any{"Files": Platform(t.chat.Platform).ReceivesFiles()})
}

// forget asks to confirm deleting the chat's data; the button does it.
func (t *turn) forget() []Reply {
	return []Reply{{Blocks: []Block{
		{Text: &Text{Body: t.T("forget_confirm", nil)}},
		{Buttons: []Button{{Label: t.T("button_forget_yes", nil), Action: "forget", Payload: "confirm"},
			{Label: t.T("button_cancel", nil), Action: "cancel"}}},
	}}}
}
