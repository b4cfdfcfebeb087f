package slack

import (
	"context"

	slackgo "github.com/slack-go/slack"

	"github.com/trackbot/trackbot/bot"
)

var _ bot.Admins = (*Adapter)(nil)

// IsAdmin reports whether user may delete what a channel shares: a
// workspace admin or owner (users.info), or the person who created the
// channel (conversations.info). Slack has no channel-level admin a bot
// can read, so these are the people a team already trusts with the
// channel as a whole. Both are asked fresh each time: roles change, and
// the commands that need one are rare.
// https://docs.slack.dev/reference/methods/users.info
// https://docs.slack.dev/reference/methods/conversations.info
func (a *Adapter) IsAdmin(ctx context.Context, chat bot.ChatRef, user string) (bool, error) {
	u, err := a.api.GetUserInfoContext(ctx, user)
	if err != nil {
		return false, classify("users.info", err)
	}
	if u.IsAdmin || u.IsOwner || u.IsPrimaryOwner {
		return true, nil
	}
	ch, err := a.api.GetConversationInfoContext(ctx, &slackgo.GetConversationInfoInput{ChannelID: chat.ID})
	if err != nil {
		return false, classify("conversations.info", err)
	}
	return ch.Creator != "" && ch.Creator == user, nil
}
