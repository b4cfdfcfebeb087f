package telegram

import (
	"context"
	"fmt"
	"strconv"

	"github.com/trackbot/trackbot/bot"
)

var _ bot.Whisperer = (*Adapter)(nil)

// Whisper writes r to user's private chat with the bot, whose id in the
// Bot API is the user's: what a group must not read (an order feed's
// secret). A person who never started the bot cannot be written to first
// (403), which is bot.ErrChatGone.
// https://core.telegram.org/bots/api#sendmessage
func (a *Adapter) Whisper(ctx context.Context, _ bot.ChatRef, user string, r bot.Reply) error {
	id, err := strconv.ParseInt(user, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("telegram: bad user id %q", user)
	}
	return a.reply(ctx, id, 0, r)
}
