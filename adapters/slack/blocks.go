package slack

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"

	"github.com/trackbot/trackbot/bot"
)

// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
const (
	maxBlocks       = 50   // blocks in a message
	maxHomeBlocks   = 100  // blocks in a Home tab
	maxSectionText  = 3000 // characters of a section's text
	maxButtonText   = 75   // characters of a button's label
	buttonsPerBlock = 5    // our choice: a row that fits a phone
	maxFallbackText = 3000 // our choice: notifications show far less
)

// escaper escapes the three characters Slack's mrkdwn gives meaning to.
// With them escaped, "<!channel>" or "<@U123>" in a label, an order
// reference or a carrier's text is shown as typed and pings nobody.
// https://docs.slack.dev/messaging/formatting-message-text#escaping
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// esc escapes plain text for mrkdwn.
func esc(s string) string { return escaper.Replace(s) }

// urlPattern finds web links in escaped text. It stops at white space, at
// an escaped < or >, and at "|", so that no link can carry a label that
// hides where it goes.
var urlPattern = regexp.MustCompile(`https?://(?:[^\s|<>&]|&amp;)+`)

// linkify turns the web links of escaped text into Slack links. Sections
// are sent verbatim — Slack does no guessing of mentions or channel names
// in them — so links must be marked explicitly.
func linkify(escaped string) string {
	return urlPattern.ReplaceAllStringFunc(escaped, func(u string) string {
		trail := ""
		for strings.HasSuffix(u, ".") || strings.HasSuffix(u, ",") || strings.HasSuffix(u, ")") {
			trail = u[len(u)-1:] + trail
			u = u[:len(u)-1]
		}
		return "<" + u + ">" + trail
	})
}

// mrkdwn is a section of mrkdwn text that is already escaped.
func mrkdwn(text string) *slackgo.SectionBlock {
	return slackgo.NewSectionBlock(slackgo.NewTextBlockObject(slackgo.MarkdownType, text, false, true), nil, nil)
}

// sections splits escaped text into sections of at most maxSectionText
// characters, at line ends where it can.
func sections(text string) []slackgo.Block {
	var out []slackgo.Block
	for text != "" {
		chunk := text
		if utf8.RuneCountInString(chunk) > maxSectionText {
			chunk = string([]rune(chunk)[:maxSectionText])
			if i := strings.LastIndex(chunk, "\n"); i > 0 {
				chunk = chunk[:i]
			}
		}
		out = append(out, mrkdwn(chunk))
		text = strings.TrimPrefix(text[len(chunk):], "\n")
	}
	return out
}

// render turns a reply into Block Kit blocks and the fallback text that
// notifications and screen readers show: a title becomes a bold section,
// a paragraph a mrkdwn section, a timeline one line per event, buttons
// rows of at most five.
func render(r bot.Reply) ([]slackgo.Block, string) {
	var blocks []slackgo.Block
	var fallback []string
	usedIDs := map[string]int{}
	for _, b := range r.Blocks {
		switch {
		case b.Text != nil && b.Text.Title:
			title := strings.TrimSpace(b.Text.Body)
			if title == "" {
				continue
			}
			blocks = append(blocks, mrkdwn("*"+esc(title)+"*"))
			fallback = append(fallback, title)
		case b.Text != nil:
			body := subcommands(b.Text.Body)
			if strings.TrimSpace(body) == "" {
				continue
			}
			blocks = append(blocks, sections(linkify(esc(body)))...)
			fallback = append(fallback, body)
		case len(b.Timeline) > 0:
			lines := make([]string, 0, len(b.Timeline))
			for _, e := range b.Timeline {
				lines = append(lines, timelineLine(e))
			}
			blocks = append(blocks, sections(strings.Join(lines, "\n"))...)
		case len(b.Buttons) > 0:
			for start := 0; start < len(b.Buttons); start += buttonsPerBlock {
				row := b.Buttons[start:min(start+buttonsPerBlock, len(b.Buttons))]
				elems := make([]slackgo.BlockElement, 0, len(row))
				for _, btn := range row {
					elems = append(elems, button(btn, usedIDs))
				}
				blocks = append(blocks, slackgo.NewActionBlock("", elems...))
			}
		}
	}
	if len(blocks) > maxBlocks {
		blocks = blocks[:maxBlocks]
	}
	text := strings.Join(fallback, "\n")
	if text == "" {
		var labels []string
		for _, b := range r.Blocks {
			for _, btn := range b.Buttons {
				labels = append(labels, btn.Label)
			}
		}
		text = strings.Join(labels, " · ")
	}
	return blocks, esc(clip(text, maxFallbackText))
}

// slashCommand matches a command a reply names ("/list"), not inside a
// link: after the start, a space or any punctuation a language writes
// before it ("(", "«", Chinese "：" and "。"), never after a letter, a digit
// or a character of an address ("example.org/list").
var slashCommand = regexp.MustCompile(`(^|[^\p{L}\p{N}/.:_~%?=&#@-])/(` + commandNames() + `)\b`)

// commandNames is the alternation of the core's command names that are
// not Slack's own slash command: "/track NUMBER" is already Slack's form.
func commandNames() string {
	var names []string
	for _, c := range bot.Commands() {
		if "/"+c.Name != Command {
			names = append(names, regexp.QuoteMeta(c.Name))
		}
	}
	return strings.Join(names, "|")
}

// subcommands rewrites the commands a reply names into Slack's form: here
// every command is a sub-command of /track ("/track list").
func subcommands(text string) string {
	return slashCommand.ReplaceAllString(text, "${1}"+Command+" ${2}")
}

// timelineLine is one event: its time in code type, what happened, where
// and with which carrier.
func timelineLine(e bot.TimelineEntry) string {
	line := "`" + esc(strings.ReplaceAll(e.When, "`", "'")) + "`  " + esc(e.Description)
	for _, extra := range []string{e.Place, e.Carrier} {
		if extra != "" {
			line += " · " + esc(extra)
		}
	}
	return line
}

// button renders a core button: its action becomes the action_id and its
// payload the value. Slack wants action_ids unique within a message, so a
// second button of the same action gets "#2" appended, which actionName
// strips again.
func button(b bot.Button, used map[string]int) *slackgo.ButtonBlockElement {
	id := b.Action
	used[b.Action]++
	if n := used[b.Action]; n > 1 {
		id += "#" + strconv.Itoa(n)
	}
	label := clip(strings.TrimSpace(b.Label), maxButtonText)
	if label == "" {
		label = b.Action
	}
	el := slackgo.NewButtonBlockElement(id, b.Payload, slackgo.NewTextBlockObject(slackgo.PlainTextType, label, true, false))
	switch b.Action {
	case "refresh":
		el = el.WithStyle(slackgo.StylePrimary)
	case "forget":
		el = el.WithStyle(slackgo.StyleDanger)
	}
	return el
}

// actionName is the core's action of a pressed button's action_id.
func actionName(actionID string) string {
	name, _, _ := strings.Cut(actionID, "#")
	return name
}

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
