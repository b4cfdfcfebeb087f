package slack

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/tracking"
)

// usageHint is what Slack shows under /track as it is typed: /track's own
// arguments first, then its sub-commands, which are the core's in-menu
// commands, with their arguments. manifest.yaml carries it as the slash
// command's usage_hint.
func usageHint() string {
	var own string
	var subs []string
	for _, c := range bot.Commands() {
		switch {
		case !c.Menu:
		case "/"+c.Name == Command:
			own = c.Usage
		default:
			subs = append(subs, strings.TrimSpace(c.Name+" "+c.Usage))
		}
	}
	return strings.Join(append([]string{own}, subs...), " | ")
}

// coreText rewrites what a person wrote to trackbot on Slack into the
// core's syntax. A leading word that names one of the core's commands, or
// an alias of one, becomes the command ("list" → "/list", "info X" →
// "/info X"). Anything else is a number to track after /track
// ("LP0012… order #42" → "/track LP0012… order #42"); in a mention or a
// direct message only when it starts with a tracking number, so that a
// pasted shipping e-mail reaches the core as plain text, whose numbers it
// finds itself.
func coreText(text string, slash bool) string {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "/") {
		return text
	}
	first, rest, _ := strings.Cut(text, " ")
	if i := strings.IndexAny(first, "\n\t"); i >= 0 {
		first, rest = first[:i], first[i+1:]+" "+rest
	}
	word := strings.ToLower(first)
	rest = strings.TrimSpace(rest)
	// "order REF NUMBER" is /track's order form unless what follows
	// "order" is itself a tracking number: "/order NUMBER REF".
	if c, ok := bot.LookupCommand(word); ok && (c.Name != "order" || knownNumber(firstWord(rest))) {
		return strings.TrimSpace("/" + word + " " + rest)
	}
	if slash || tracking.LooksLikeNumber(first) || word == "order" {
		return strings.TrimSpace("/track " + text)
	}
	return text
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// knownNumber reports a word that is a tracking number of a known format.
func knownNumber(w string) bool {
	return tracking.LooksLikeNumber(w) && tracking.KnownNumber(w)
}

var (
	// labelledLink is Slack's "<https://x|label>", "<mailto:x|label>".
	labelledLink = regexp.MustCompile(`<((?:https?|mailto|tel):[^|>]*)\|([^>]*)>`)
	// bareLink is Slack's "<https://x>".
	bareLink     = regexp.MustCompile(`<((?:https?|mailto|tel):[^|>]*)>`)
	entityDecode = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
)

// plainText undoes Slack's message formatting of what a person typed:
// links show as their text and &, <, > as themselves. Mentions stay in
// Slack's syntax; they are escaped again whenever they are shown.
// https://docs.slack.dev/messaging/formatting-message-text#retrieving-messages
func plainText(s string) string {
	s = labelledLink.ReplaceAllString(s, "$2")
	s = bareLink.ReplaceAllString(s, "$1")
	return entityDecode.Replace(s)
}

// leadingMention is a user mention at the start of a message.
var leadingMention = regexp.MustCompile(`^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s,:]*`)

// stripMention removes the mention of the bot that starts an app_mention.
func (a *Adapter) stripMention(text string) string {
	text = leadingMention.ReplaceAllString(text, "")
	if a.botUser != "" {
		text = strings.ReplaceAll(text, "<@"+a.botUser+">", "")
	}
	return strings.TrimSpace(text)
}

// chatRef names a Slack conversation for the core: channels (public,
// private, group DMs) are shared; a direct message is private.
func chatRef(team, channel string) bot.ChatRef {
	kind := bot.Channel
	if strings.HasPrefix(channel, "D") {
		kind = bot.Private
	}
	return bot.ChatRef{Platform: bot.Slack, Team: team, ID: channel, Kind: kind}
}

// origin is where a message came from and where its replies go.
type origin struct {
	chat bot.ChatRef
	// thread is the thread the message was written in; replies follow it.
	thread string
	// responseURL reaches the conversation even where the bot is not a
	// member; a fallback for replies.
	responseURL string
	// pressed is the message whose button was pressed, for Reply.Replace.
	pressed string
	// ephemeral marks a pressed message only its reader sees, which only
	// its response_url can replace.
	ephemeral bool
}

// onCommand handles a /track slash command: it schedules the core's
// answer and returns the ephemeral acknowledgement Slack shows at once.
// ok is false when the adapter is not running.
// https://docs.slack.dev/interactivity/implementing-slash-commands
func (a *Adapter) onCommand(cmd slackgo.SlashCommand) (ack slackgo.Msg, ok bool) {
	text := plainText(cmd.Text)
	// A slash command's text is never posted: what it carries stays with
	// its sender (Message.Unseen).
	m := bot.Message{Chat: chatRef(cmd.TeamID, cmd.ChannelID), User: cmd.UserID, Text: coreText(text, true), Unseen: true}
	o := origin{chat: m.Chat, responseURL: cmd.ResponseURL}
	ok = a.spawn(func(ctx context.Context) { a.converse(ctx, m, o) })
	echo := strings.TrimSpace(cmd.Command + " " + text)
	return slackgo.Msg{ResponseType: slackgo.ResponseTypeEphemeral, Text: ":hourglass_flowing_sand: " + esc(clip(echo, 200))}, ok
}

// onInteraction handles button presses. The action goes to the core with
// the team and channel it was pressed in, where the core checks that the
// button's shipment belongs to that channel.
// https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
func (a *Adapter) onInteraction(cb slackgo.InteractionCallback) bool {
	if cb.Type != slackgo.InteractionTypeBlockActions {
		return true
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	if channel == "" {
		return true // pressed outside a conversation (the Home tab): nothing to answer
	}
	team := cb.Team.ID
	chat := chatRef(team, channel)
	pressed := cb.Container.MessageTs
	if pressed == "" {
		pressed = cb.Message.Timestamp
	}
	thread := cb.Container.ThreadTs
	if thread == "" {
		thread = cb.Message.ThreadTimestamp
	}
	o := origin{chat: chat, thread: thread, responseURL: cb.ResponseURL, pressed: pressed, ephemeral: cb.Container.IsEphemeral}
	ok := true
	for _, act := range cb.ActionCallback.BlockActions {
		m := bot.Message{Chat: chat, User: cb.User.ID, Action: &bot.Action{Name: actionName(act.ActionID), Payload: act.Value}}
		ok = a.spawn(func(ctx context.Context) { a.converse(ctx, m, o) }) && ok
	}
	return ok
}

// onEvent handles an Events API event once, however often Slack delivers
// it and whichever replica it reaches: the event id is claimed in the
// store first. Mentions and direct messages go to the core, opening the
// App Home publishes it. It reports false when the event was not taken
// (the adapter is not running, or the store failed), and then leaves it
// for Slack's next delivery.
// https://docs.slack.dev/apis/events-api/#responding
func (a *Adapter) onEvent(ctx context.Context, ev slackevents.EventsAPIEvent) (taken bool) {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return true
	}
	if cb.EventID != "" {
		key := "slack-event:" + cb.EventID
		first, err := a.store.Claim(ctx, key, a.clock.Now())
		if err != nil {
			slog.WarnContext(ctx, "slack: cannot record an event; leaving it for Slack's retry", "event", cb.EventID, "err", err)
			return false
		}
		if !first {
			return true // a retry of an event already taken
		}
		defer func() {
			if !taken {
				if err := a.store.Release(context.WithoutCancel(ctx), key); err != nil {
					slog.WarnContext(ctx, "slack: cannot release an event not taken", "event", cb.EventID, "err", err)
				}
			}
		}()
	}
	team := ev.TeamID
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.User == "" || e.User == a.botUser {
			return true
		}
		m := bot.Message{Chat: chatRef(team, e.Channel), User: e.User, Text: coreText(plainText(a.stripMention(e.Text)), false)}
		o := origin{chat: m.Chat, thread: e.ThreadTimeStamp}
		return a.spawn(func(ctx context.Context) { a.converse(ctx, m, o) })
	case *slackevents.MessageEvent:
		if e.ChannelType != slackevents.ChannelTypeIM || e.SubType != "" || e.BotID != "" || e.User == "" || e.User == a.botUser {
			return true
		}
		m := bot.Message{Chat: chatRef(team, e.Channel), User: e.User, Text: coreText(plainText(e.Text), false)}
		o := origin{chat: m.Chat, thread: e.ThreadTimeStamp}
		return a.spawn(func(ctx context.Context) { a.converse(ctx, m, o) })
	case *slackevents.FileSharedEvent:
		return a.onFileShared(team, e)
	case *slackevents.AppHomeOpenedEvent:
		if e.Tab != "home" || e.User == "" {
			return true
		}
		return a.spawn(func(ctx context.Context) {
			if err := a.publishHome(ctx, team, e.User, e.Channel); err != nil {
				slog.WarnContext(ctx, "slack: cannot publish the App Home", "user", e.User, "err", err)
			}
		})
	}
	return true
}

// converse hands a message to the core and delivers its replies.
func (a *Adapter) converse(ctx context.Context, m bot.Message, o origin) {
	m.Language = a.language(ctx, m.User)
	m.Via = a
	replies := a.handler.Handle(ctx, m)
	for _, r := range replies {
		err := a.answer(ctx, o, r)
		if err == nil {
			continue
		}
		slog.WarnContext(ctx, "slack: cannot deliver a reply", "team", o.chat.Team, "channel", o.chat.ID, "err", err)
		if why, ok := r.File.Undelivered(err); ok {
			// A file Slack refused (the bot is not in the channel): the
			// person who asked is told why, rather than left with the
			// command's acknowledgement.
			if err := a.tell(ctx, o, m.User, why); err != nil {
				slog.WarnContext(ctx, "slack: cannot say why a file was not shared", "channel", o.chat.ID, "err", err)
			}
		}
	}
}

// tell shows a reply to the person who wrote the message alone: through
// the command's response_url, which reaches a channel the bot is not in,
// or else as an ephemeral message.
// https://docs.slack.dev/interactivity/handling-user-interaction#message_responses
// https://docs.slack.dev/reference/methods/chat.postEphemeral
func (a *Adapter) tell(ctx context.Context, o origin, user string, r bot.Reply) error {
	blocks, text := render(r)
	content := []slackgo.MsgOption{slackgo.MsgOptionText(text, false), slackgo.MsgOptionBlocks(blocks...)}
	if o.responseURL != "" {
		_, _, err := a.api.PostMessageContext(ctx, o.chat.ID, append(content, slackgo.MsgOptionResponseURL(o.responseURL, slackgo.ResponseTypeEphemeral))...)
		if err != nil {
			return classify("response_url", err)
		}
		return nil
	}
	if o.thread != "" {
		content = append(content, slackgo.MsgOptionTS(o.thread))
	}
	if _, err := a.api.PostEphemeralContext(ctx, o.chat.ID, user, content...); err != nil {
		return classify("chat.postEphemeral", err)
	}
	return nil
}

// answer delivers one reply: it edits the pressed message when the reply
// replaces it, and otherwise posts to the conversation, in the thread the
// message came from. Where the bot may not post (it is not a member of the
// channel), the command's response_url still reaches it.
// https://docs.slack.dev/reference/methods/chat.update
// https://docs.slack.dev/interactivity/handling-user-interaction#message_responses
func (a *Adapter) answer(ctx context.Context, o origin, r bot.Reply) error {
	if r.File != nil {
		return a.upload(ctx, o, r)
	}
	blocks, text := render(r)
	content := []slackgo.MsgOption{slackgo.MsgOptionText(text, false), slackgo.MsgOptionBlocks(blocks...)}
	replaceByURL := func() error {
		_, _, err := a.api.PostMessageContext(ctx, o.chat.ID, append(content, slackgo.MsgOptionReplaceOriginal(o.responseURL))...)
		if err != nil {
			return classify("response_url", err)
		}
		return nil
	}
	if r.Replace && o.ephemeral && o.responseURL != "" {
		return replaceByURL()
	}
	if r.Replace && o.pressed != "" && !o.ephemeral {
		_, _, _, err := a.api.UpdateMessageContext(ctx, o.chat.ID, o.pressed, content...)
		if err == nil {
			return nil
		}
		// The message may have been posted through a response_url where
		// trackbot is not a member; that URL can still replace it.
		if o.responseURL != "" && replaceByURL() == nil {
			return nil
		}
		slog.DebugContext(ctx, "slack: cannot edit the pressed message; posting instead", "err", err)
	}
	opts := content
	if o.thread != "" {
		opts = append(opts, slackgo.MsgOptionTS(o.thread))
	}
	_, _, err := a.api.PostMessageContext(ctx, o.chat.ID, opts...)
	if err == nil {
		return nil
	}
	err = classify("chat.postMessage", err)
	if !errors.Is(err, bot.ErrChatGone) || o.responseURL == "" {
		return err
	}
	kind := slackgo.ResponseTypeInChannel
	if o.chat.Kind == bot.Private {
		kind = slackgo.ResponseTypeEphemeral
	}
	_, _, rerr := a.api.PostMessageContext(ctx, o.chat.ID, append(content, slackgo.MsgOptionResponseURL(o.responseURL, kind))...)
	if rerr != nil {
		return classify("response_url", rerr)
	}
	return nil
}

// cachedLang is a person's Slack locale, looked up at most once a day.
type cachedLang struct {
	locale  string
	fetched time.Time
}

// language returns a person's Slack locale ("de-DE"), the core's hint of
// the language to answer in; "" when unknown.
// https://docs.slack.dev/reference/methods/users.info
func (a *Adapter) language(ctx context.Context, user string) string {
	if user == "" {
		return ""
	}
	now := a.clock.Now()
	a.mu.Lock()
	c, ok := a.langs[user]
	a.mu.Unlock()
	if ok && now.Sub(c.fetched) < 24*time.Hour {
		return c.locale
	}
	u, err := a.api.GetUserInfoContext(ctx, user)
	if err != nil {
		slog.DebugContext(ctx, "slack: no locale for user", "user", user, "err", err)
		return c.locale
	}
	a.mu.Lock()
	if len(a.langs) > 10000 {
		clear(a.langs)
	}
	a.langs[user] = cachedLang{locale: u.Locale, fetched: now}
	a.mu.Unlock()
	return u.Locale
}
