package telegram

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
)

// updateLease is how long a replica holds an update it took before
// another may take it over: longer than handling one takes (a lookup,
// replies waiting out Telegram's rates), short enough that an update taken
// by a replica that died is answered a couple of minutes late, not lost.
const updateLease = 2 * time.Minute

// delivery is one update on its way through the adapter. Once done is
// closed, handled says whether Telegram may forget it: it was handled
// (here, or before by any replica) or needs nothing; otherwise it must
// come again, from Telegram's next webhook call or the next poll.
type delivery struct {
	done    chan struct{}
	handled bool
	stopped <-chan struct{} // the session's end
}

func finished(handled bool) *delivery {
	d := &delivery{done: make(chan struct{}), handled: handled}
	close(d.done)
	return d
}

func (d *delivery) finish(handled bool) {
	d.handled = handled
	close(d.done)
}

// refused reports an update turned away at once: not handled, and not
// queued either.
func (d *delivery) refused() bool {
	select {
	case <-d.done:
		return !d.handled
	default:
		return false
	}
}

// wait reports whether the update was handled, or false as soon as ctx
// or the session ends first.
func (d *delivery) wait(ctx context.Context) bool {
	select {
	case <-d.done:
		return d.handled
	default:
	}
	select {
	case <-d.done:
		return d.handled
	case <-ctx.Done():
	case <-d.stopped:
	}
	return false
}

// accept hands an update, polled or posted to the webhook, to the running
// session, and returns its delivery. The update id is leased in the store
// (store.LeaseClaim) and claimed for good only once the update is handled:
// Telegram delivers an update again when a webhook call failed or a new
// poller starts before the last one confirmed it, possibly to another
// replica, and that replica answers it only if no replica did and none is
// at it now, or the one that took it stopped (its lease given back) or
// died (its lease ran out). An update that cannot be queued, or whose
// session stops before it is handled, is given back and reported not
// handled. It returns nil when no Run is receiving.
func (a *Adapter) accept(u *models.Update) *delivery {
	s := a.session.Load()
	if s == nil {
		return nil
	}
	var job func(ctx context.Context) (answered bool)
	chat, _ := updateChat(u)
	switch {
	case u.Message != nil:
		m := u.Message
		if !a.wanted(m) {
			return finished(true)
		}
		job = func(ctx context.Context) bool { return a.handleMessage(ctx, s, m) }
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		job = func(ctx context.Context) bool { return a.handleCallback(ctx, s, cq) }
	default:
		// Edited messages, channel posts and everything else are ignored.
		return finished(true)
	}
	st, key, taken := a.cfg.Store, "", a.clock.Now()
	if st != nil && u.ID != 0 {
		key = s.claimPrefix + strconv.FormatInt(u.ID, 10)
		state, err := st.LeaseClaim(s.ctx, key, taken, updateLease)
		switch {
		case err != nil && s.ctx.Err() != nil:
			return finished(false)
		case err != nil:
			// Better a message answered twice than one lost.
			slog.Warn("telegram: cannot lease an update; handling it anyway", "update", u.ID, "err", err)
			key = ""
		case state == store.Done:
			return finished(true) // delivered again; handled already, here or by another replica
		case state == store.Busy:
			return finished(false) // another replica is at it, or died at it: later
		}
	}
	giveBack := func() {
		if key == "" {
			return
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), storeTimeout)
		defer cancel()
		if err := st.ReleaseLease(ctx, key, taken); err != nil {
			slog.Warn("telegram: cannot give an update back; another replica takes it when its lease ends", "update", u.ID, "err", err)
		}
	}
	d := &delivery{done: make(chan struct{}), stopped: s.ctx.Done()}
	queued := s.queue.do(chat, func() {
		if a.received != nil && !a.received(u) {
			return // the replica died here: nothing more happens
		}
		if s.ctx.Err() != nil {
			giveBack()
			d.finish(false)
			return
		}
		// An update being handled is finished when the session stops,
		// within finishGrace, rather than cut off between a reply sent
		// and its answer read: cut there, it would be given back and
		// answered again by the next poller.
		ctx, cancel := context.WithCancel(context.WithoutCancel(s.ctx))
		defer cancel()
		stopWatch := context.AfterFunc(s.ctx, func() { time.AfterFunc(finishGrace, cancel) })
		defer stopWatch()
		if !job(ctx) {
			// Cut off before it was answered in full. Better a message
			// answered twice than one lost.
			giveBack()
			d.finish(false)
			return
		}
		if key != "" {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), storeTimeout)
			defer cancel()
			if _, err := st.Claim(ctx, key, a.clock.Now()); err != nil {
				slog.Warn("telegram: cannot record an update as handled; it may be answered again", "update", u.ID, "err", err)
			}
		}
		d.finish(true)
	})
	if !queued {
		giveBack()
		return finished(false)
	}
	return d
}

// storeTimeout bounds recording an update's fate after its session ended.
const storeTimeout = 5 * time.Second

// finishGrace is how long an update already being handled may go on after
// its session stopped.
const finishGrace = 10 * time.Second

// updateChat is the chat an update belongs to, whose updates are handled
// in turn; false for updates trackbot ignores.
func updateChat(u *models.Update) (int64, bool) {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID, true
	case u.CallbackQuery != nil:
		c, _ := callbackChat(u.CallbackQuery)
		return c.ID, true
	}
	return 0, false
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

// handleMessage hands a message to the core and sends its replies, under
// ctx. It reports whether the message was answered: false when ctx ended
// before the core was done or before a reply went out.
func (a *Adapter) handleMessage(ctx context.Context, s *session, m *models.Message) (answered bool) {
	msg := bot.Message{
		Chat:     chatRef(m.Chat),
		User:     strconv.FormatInt(m.From.ID, 10),
		Text:     messageText(m),
		File:     a.document(m),
		Language: m.From.LanguageCode,
		Via:      a,
	}
	replies := s.h.Handle(ctx, msg)
	if ctx.Err() != nil {
		return false
	}
	for _, r := range replies {
		if err := a.reply(ctx, m.Chat.ID, 0, r); err != nil {
			if ctx.Err() != nil {
				return false
			}
			slog.WarnContext(ctx, "telegram: reply failed", "chat", m.Chat.ID, "err", err)
		}
	}
	return true
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
// marked Replace editing the message the button belongs to. It reports
// whether the press was answered, as handleMessage does.
// https://core.telegram.org/bots/api#answercallbackquery
func (a *Adapter) handleCallback(ctx context.Context, s *session, cq *models.CallbackQuery) (answered bool) {
	if _, err := a.api.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: cq.ID}); err != nil {
		if ctx.Err() != nil {
			return false
		}
		slog.WarnContext(ctx, "telegram: answerCallbackQuery failed", "err", scrub(err.Error(), a.cfg.Token))
	}
	chat, messageID := callbackChat(cq)
	name, payload, ok := strings.Cut(cq.Data, ":")
	if chatKind(chat.Type) == "" || cq.From.IsBot || !ok || name == "" {
		return true
	}
	msg := bot.Message{
		Chat:     chatRef(chat),
		User:     strconv.FormatInt(cq.From.ID, 10),
		Action:   &bot.Action{Name: name, Payload: payload},
		Language: cq.From.LanguageCode,
		Via:      a,
	}
	replies := s.h.Handle(ctx, msg)
	if ctx.Err() != nil {
		return false
	}
	for _, r := range replies {
		edit := 0
		if r.Replace {
			edit, messageID = messageID, 0 // one message, edited once
		}
		if err := a.reply(ctx, chat.ID, edit, r); err != nil {
			if ctx.Err() != nil {
				return false
			}
			slog.WarnContext(ctx, "telegram: reply failed", "chat", chat.ID, "err", err)
		}
	}
	return true
}

// maxQueued bounds the updates waiting for one chat; beyond it a flood is
// refused rather than held in memory, and Telegram delivers the rest again
// (the webhook answers 503, the poller does not confirm them).
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

// do queues job behind the chat's earlier ones. It reports false, and
// drops the job, when the dispatcher is closing or the chat has maxQueued
// jobs waiting already.
func (d *dispatcher) do(chat int64, job func()) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	q, running := d.queues[chat]
	if len(q) >= maxQueued {
		slog.Warn("telegram: too many updates waiting for one chat; refusing one for now", "chat", chat)
		return false
	}
	d.queues[chat] = append(q, job)
	if !running {
		d.wg.Add(1)
		go d.drain(chat)
	}
	return true
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
