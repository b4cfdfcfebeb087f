package slack

import (
	"context"

	slackgo "github.com/slack-go/slack"

	"github.com/trackbot/trackbot/bot"
)

var _ bot.Whisperer = (*Adapter)(nil)

// Whisper shows r in the conversation to user alone, as an ephemeral
// message: what the core must not post for the whole channel to read (an
// order feed's secret). It needs no scope beyond chat:write. A channel
// the bot may not post in is bot.ErrChatGone.
// https://docs.slack.dev/reference/methods/chat.postEphemeral
func (a *Adapter) Whisper(ctx context.Context, chat bot.ChatRef, user string, r bot.Reply) error {
	blocks, text := render(r)
	if _, err := a.api.PostEphemeralContext(ctx, chat.ID, user, slackgo.MsgOptionText(text, false), slackgo.MsgOptionBlocks(blocks...)); err != nil {
		return classify("chat.postEphemeral", err)
	}
	return nil
}
