package telegram

import (
	"context"
	"fmt"
	"strconv"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot"
)

var _ bot.Admins = (*Adapter)(nil)

// IsAdmin reports whether user is the creator or an administrator of
// chat, as Telegram's getChatMember says. It is asked fresh each time:
// admins change, and the commands that need one are rare.
// https://core.telegram.org/bots/api#getchatmember
func (a *Adapter) IsAdmin(ctx context.Context, chat bot.ChatRef, user string) (bool, error) {
	chatID, err := strconv.ParseInt(chat.ID, 10, 64)
	if err != nil {
		return false, fmt.Errorf("telegram: chat id %q: %w", chat.ID, err)
	}
	userID, err := strconv.ParseInt(user, 10, 64)
	if err != nil {
		return false, fmt.Errorf("telegram: user id %q: %w", user, err)
	}
	m, err := a.api.GetChatMember(ctx, &tg.GetChatMemberParams{ChatID: chatID, UserID: userID})
	if err != nil {
		return false, fmt.Errorf("telegram: getChatMember: %w", scrubbed(err, a.cfg.Token))
	}
	return m.Type == models.ChatMemberTypeOwner || m.Type == models.ChatMemberTypeAdministrator, nil
}
