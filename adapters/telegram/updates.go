package telegram

import (
	"log/slog"
	"strconv"
	"strings"
	"sync"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot"
)

// accept hands an update, polled or posted to the webhook, to the running
// session, once: Telegram delivers an update again when a webhook call
// failed or a new poller starts before the last one confirmed it, so the
// update id is claimed in the store first. It reports false when no Run is
// receiving.
func (a *Adapter) accept(u *models.Update) bool {
	s := a.session.Load()
	if s == nil {
		return false
	}
	if st := a.cfg.Store; st != nil && u.ID != 0 {
		first, err := st.Claim(s.ctx, s.claimPrefix+strconv.FormatInt(u.ID, 10), a.clock.Now())
		switch {
		case err != nil:
			// Better a message answered twice than one lost.
			slog.Warn("telegram: cannot record an update; handling it anyway", "update", u.ID, "err", err)
		case !first:
			return true // delivered again; taken already, here or by another replica
		}
	}
	switch {
	case u.Message != nil:
		m := u.Message
		if !a.wanted(m) {
			return true
		}
		s.queue.do(m.Chat.ID, func() { a.handleMessage(s, m) })
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		chat, _ := callbackChat(cq)
		s.queue.do(chat.ID, func() { a.handleCallback(s, cq) })
	}
	// Edited messages, channel posts and everything else are ignored.
	return true
}

// wanted reports whether a message is for trackbot: text from a person in
// a private chat or a group, and no command addressed to another bot.
func (a *Adapter) wanted(m *models.Message) bool {
	if m.From == nil || m.From.IsBot {
		return false
	}
	if chatKind(m.Chat.Type) == "" {
		return false
	}
	text := messageText(m)
	if text == "" {
		return m.Document != nil // a file to import
	}
	if to := addressee(text); to != "" {
		me, _ := a.username.Load().(string)
		return strings.EqualFold(to, me)
	}
	return true
}

// messageText is what a person wrote: the text, or a photo's caption (a
// screenshot of a shipping notice with the number typed under it).
func messageText(m *models.Message) string {
	if m.Text != "" {
		return m.Text
	}
	return m.Caption
}

// addressee is the bot a command names, "otherbot" in "/track@otherbot X",
// or "".
func addressee(text string) string {
	if !strings.HasPrefix(text, "/") {
		return ""
	}
	head := text
	if i := strings.IndexAny(head, " \t\n"); i >= 0 {
		head = head[:i]
	}
	_, to, _ := strings.Cut(head, "@")
	return to
}

// chatKind maps Telegram's chat types onto the core's; "" for chats
// trackbot does not talk in (channels).
func chatKind(t models.ChatType) bot.ChatKind {
	switch t {
	case models.ChatTypePrivate:
		return bot.Private
	case models.ChatTypeGroup, models.ChatTypeSupergroup:
		return bot.Group
	}
	return ""
}

func chatRef(c models.Chat) bot.ChatRef {
	return bot.ChatRef{Platform: bot.Telegram, ID: strconv.FormatInt(c.ID, 10), Kind: chatKind(c.Type)}
}

func (a *Adapter) handleMessage(s *session, m *models.Message) {
	msg := bot.Message{
		Chat:     chatRef(m.Chat),
		User:     strconv.FormatInt(m.From.ID, 10),
		Text:     messageText(m),
		File:     a.document(m),
		Language: m.From.LanguageCode,
		Via:      a,
	}
	for _, r := range s.h.Handle(s.ctx, msg) {
		if err := a.reply(s.ctx, m.Chat.ID, 0, r); err != nil && s.ctx.Err() == nil {
			slog.WarnContext(s.ctx, "telegram: reply failed", "chat", m.Chat.ID, "err", err)
		}
	}
}

// callbackChat is the chat whose message carried the pressed button, and
// that message's id; false for buttons under inline-mode messages, which
// trackbot never sends.
func callbackChat(cq *models.CallbackQuery) (models.Chat, int) {
	switch {
	case cq.Message.Message != nil:
		return cq.Message.Message.Chat, cq.Message.Message.ID
	case cq.Message.InaccessibleMessage != nil:
		return cq.Message.InaccessibleMessage.Chat, cq.Message.InaccessibleMessage.MessageID
	}
	return models.Chat{}, 0
}

// handleCallback answers a button press: answerCallbackQuery first, always,
// so that the client's spinner stops; then the core's replies, the one
// marked Replace editing the message the button belongs to.
// https://core.telegram.org/bots/api#answercallbackquery
func (a *Adapter) handleCallback(s *session, cq *models.CallbackQuery) {
	if _, err := a.api.AnswerCallbackQuery(s.ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: cq.ID}); err != nil && s.ctx.Err() == nil {
		slog.WarnContext(s.ctx, "telegram: answerCallbackQuery failed", "err", scrub(err.Error(), a.cfg.Token))
	}
	chat, messageID := callbackChat(cq)
	name, payload, ok := strings.Cut(cq.Data, ":")
	if chatKind(chat.Type) == "" || cq.From.IsBot || !ok || name == "" {
		return
	}
	msg := bot.Message{
		Chat:     chatRef(chat),
		User:     strconv.FormatInt(cq.From.ID, 10),
		Action:   &bot.Action{Name: name, Payload: payload},
		Language: cq.From.LanguageCode,
		Via:      a,
	}
	for _, r := range s.h.Handle(s.ctx, msg) {
		edit := 0
		if r.Replace {
			edit, messageID = messageID, 0 // one message, edited once
		}
		if err := a.reply(s.ctx, chat.ID, edit, r); err != nil && s.ctx.Err() == nil {
			slog.WarnContext(s.ctx, "telegram: reply failed", "chat", chat.ID, "err", err)
		}
	}
}

// maxQueued bounds the updates waiting for one chat; beyond it a flood is
// dropped rather than held in memory.
const maxQueued = 64

// maxBusy bounds the chats handled at the same time.
const maxBusy = 16

// dispatcher runs jobs one chat at a time, in the order they came, and
// different chats side by side.
type dispatcher struct {
	mu     sync.Mutex
	queues map[int64][]func()
	closed bool
	wg     sync.WaitGroup
	busy   chan struct{}
}

func newDispatcher() *dispatcher {
	return &dispatcher{queues: map[int64][]func(){}, busy: make(chan struct{}, maxBusy)}
}

// do queues job behind the chat's earlier ones.
func (d *dispatcher) do(chat int64, job func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	q, running := d.queues[chat]
	if len(q) >= maxQueued {
		slog.Warn("telegram: too many updates waiting for one chat; dropping one", "chat", chat)
		return
	}
	d.queues[chat] = append(q, job)
	if !running {
		d.wg.Add(1)
		go d.drain(chat)
	}
}

func (d *dispatcher) drain(chat int64) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.queues[chat]
		if len(q) == 0 {
			delete(d.queues, chat)
			d.mu.Unlock()
			return
		}
		job := q[0]
		d.queues[chat] = q[1:]
		d.mu.Unlock()
		d.busy <- struct{}{}
		job()
		<-d.busy
	}
}

// close refuses further jobs and waits for the queued ones.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.wg.Wait()
}
