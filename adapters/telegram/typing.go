package telegram

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot"
)

// typingEvery is how often the typing status is sent again while an
// answer is being worked on: Telegram shows it for five seconds, or until
// the bot's next message arrives.
// https://core.telegram.org/bots/api#sendchataction
const typingEvery = 4 * time.Second

var _ bot.Indicator = (*Adapter)(nil)

// Working shows "typing…" in the chat at once and every typingEvery until
// stop is called; Telegram's own sign needs no words, so note is unused.
// A failed chat action is not worth more than a debug line: the answer
// follows anyway.
func (a *Adapter) Working(ctx context.Context, chat bot.ChatRef, _ string) (stop func()) {
	id, err := strconv.ParseInt(chat.ID, 10, 64)
	if err != nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTimer(0)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if _, err := a.api.SendChatAction(ctx, &tg.SendChatActionParams{ChatID: id, Action: models.ChatActionTyping}); err != nil && ctx.Err() == nil {
				slog.DebugContext(ctx, "telegram: sendChatAction failed", "chat", id, "err", scrub(err.Error(), a.cfg.Token))
			}
			t.Reset(a.typingEvery)
		}
	}()
	var once sync.Once
	return func() {
		// Waiting for the loop keeps a late "typing…" from following the
		// answer, which would show it for five more seconds.
		once.Do(cancel)
		<-finished
	}
}
