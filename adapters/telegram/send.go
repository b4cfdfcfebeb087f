package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot"
)

// maxTries is how often a request is tried when the network or Telegram's
// servers fail (5xx).
const maxTries = 4

// Send delivers a push. It returns a *bot.RetryError when Telegram asks to
// wait (429 with retry_after), a *bot.MovedError when a group was upgraded
// to a supergroup under a new id (the core moves the chat and sends again),
// an error wrapping bot.ErrChatGone when the chat can never be reached
// again (403: blocked, kicked, deactivated; 400: chat not found), and
// retries network errors and 5xx answers a few times itself. A push longer
// than one message goes out in parts; should a later part fail, the whole
// push is retried, repeating the earlier parts.
// https://core.telegram.org/bots/api#sendmessage
func (a *Adapter) Send(ctx context.Context, chat bot.ChatRef, r bot.Reply) error {
	id, err := strconv.ParseInt(chat.ID, 10, 64)
	if err != nil {
		return fmt.Errorf("telegram: bad chat id %q", chat.ID)
	}
	for _, p := range render(r) {
		if err := a.pace(ctx, id); err != nil {
			return err
		}
		if err := a.send(ctx, id, p); err != nil {
			return err
		}
	}
	return nil
}

// reply answers in a conversation. Unlike a push, a reply cannot wait in
// the outbox: when Telegram asks to slow down it waits retry_after and
// sends once more. With editID set, the first part replaces that message's
// text and keyboard instead of arriving as a new message.
func (a *Adapter) reply(ctx context.Context, chatID int64, editID int, r bot.Reply) error {
	if r.File != nil {
		return a.replyDocument(ctx, chatID, r)
	}
	for i, p := range render(r) {
		if i == 0 && editID != 0 {
			err := a.patiently(ctx, func() error { return a.edit(ctx, chatID, editID, p) })
			if err == nil {
				continue
			}
			if ctx.Err() != nil {
				return err
			}
			// Too old, deleted, inaccessible: say it anew instead.
			slog.InfoContext(ctx, "telegram: cannot edit; sending instead", "chat", chatID, "err", err)
		}
		if err := a.patiently(ctx, func() error { return a.send(ctx, chatID, p) }); err != nil {
			return err
		}
	}
	return nil
}

// patiently runs try and, when Telegram asks to wait, waits as long as
// it says and tries exactly once more.
func (a *Adapter) patiently(ctx context.Context, try func() error) error {
	err := try()
	var retry *bot.RetryError
	if !errors.As(err, &retry) {
		return err
	}
	if err := a.sleep(ctx, retry.After); err != nil {
		return err
	}
	return try()
}

// send posts one message, link previews off.
// https://core.telegram.org/bots/api#sendmessage
func (a *Adapter) send(ctx context.Context, chatID int64, p part) error {
	params := &tg.SendMessageParams{
		ChatID:             chatID,
		Text:               p.text,
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
		ReplyMarkup:        p.markup(),
	}
	return a.call(ctx, chatID, "sendMessage", func() error {
		_, err := a.api.SendMessage(ctx, params)
		return err
	})
}

// markup is the part's keyboard as the SDK takes it: an untyped nil, left
// out of the request, when the part has none.
func (p part) markup() models.ReplyMarkup {
	if p.keyboard == nil {
		return nil
	}
	return p.keyboard
}

// edit replaces a message's text and keyboard. Telegram refuses an edit
// that changes nothing; the message then already says what it should.
// https://core.telegram.org/bots/api#editmessagetext
func (a *Adapter) edit(ctx context.Context, chatID int64, messageID int, p part) error {
	params := &tg.EditMessageTextParams{
		ChatID:             chatID,
		MessageID:          messageID,
		Text:               p.text,
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
		ReplyMarkup:        p.markup(),
	}
	err := a.call(ctx, chatID, "editMessageText", func() error {
		_, err := a.api.EditMessageText(ctx, params)
		return err
	})
	if errors.Is(err, tg.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified") {
		return nil
	}
	return err
}

// call keeps to the send rates, runs one Bot API request, retries it on
// network errors and 5xx answers, and says what its failure means.
func (a *Adapter) call(ctx context.Context, chatID int64, method string, request func() error) error {
	if err := a.throttle(ctx, chatID); err != nil {
		return err
	}
	if err := a.window.acquire(ctx, a.clock.Now, a.sleep); err != nil {
		return err
	}
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		err := request()
		if err != nil && !transient(ctx, err) {
			return struct{}{}, backoff.Permanent(err)
		}
		return struct{}{}, err
	}, backoff.WithBackOff(a.retryPolicy()), backoff.WithMaxTries(maxTries))
	a.window.release(a.clock.Now())
	if err == nil {
		return nil
	}
	return classify(method, chatID, scrubbed(err, a.cfg.Token))
}

// pace waits, by the adapter's clock, until the chat's own rate allows
// another push (see chatRate).
func (a *Adapter) pace(ctx context.Context, chatID int64) error {
	if d := a.chats.Reserve(chatID, a.clock.Now()); d > 0 {
		return a.sleep(ctx, d)
	}
	return nil
}

// throttle waits, by the adapter's clock, until Telegram's rate in all
// and, in a group, its twenty messages a minute allow another message.
func (a *Adapter) throttle(ctx context.Context, chatID int64) error {
	now := a.clock.Now()
	a.mu.Lock()
	delay := a.global.ReserveN(now, 1).DelayFrom(now)
	a.mu.Unlock()
	if chatID < 0 {
		delay = max(delay, a.groups.Reserve(chatID, now))
	}
	if delay <= 0 {
		return nil
	}
	return a.sleep(ctx, delay)
}

// classify maps a failed request onto the core's errors: 429 to
// *bot.RetryError, a group upgraded to a supergroup to *bot.MovedError, an
// unreachable chat to bot.ErrChatGone.
func classify(method string, chatID int64, err error) error {
	var tooMany *tg.TooManyRequestsError
	if errors.As(err, &tooMany) {
		after := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
		return &bot.RetryError{After: after, Err: fmt.Errorf("telegram: %s to %d: %w", method, chatID, err)}
	}
	var migrated *tg.MigrateError
	if errors.As(err, &migrated) && migrated.MigrateToChatID != 0 {
		to := strconv.FormatInt(int64(migrated.MigrateToChatID), 10)
		return &bot.MovedError{To: to, Err: fmt.Errorf("telegram: %s to %d: %w", method, chatID, err)}
	}
	if chatGone(err) {
		return fmt.Errorf("telegram: %s to %d: %w: %w", method, chatID, bot.ErrChatGone, err)
	}
	return fmt.Errorf("telegram: %s to %d: %w", method, chatID, err)
}

// goneReasons are the 400 descriptions that mean the chat cannot be
// written to any more.
var goneReasons = []string{"chat not found", "peer_id_invalid", "group chat was upgraded", "not enough rights to send", "have no rights to send"}

// chatGone reports a refusal that will not change by retrying: every 403
// (bot blocked, kicked, user deactivated) and the 400s of goneReasons.
func chatGone(err error) bool {
	if errors.Is(err, tg.ErrorForbidden) {
		return true
	}
	if !errors.Is(err, tg.ErrorBadRequest) {
		return false
	}
	msg := strings.ToLower(err.Error())
	for _, r := range goneReasons {
		if strings.Contains(msg, r) {
			return true
		}
	}
	return false
}

// transient reports a failure worth another try: the network, or a 5xx
// answer. A cancelled request is not.
func transient(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return false
	}
	var server *serverError
	if errors.As(err, &server) {
		return true
	}
	var netErr *url.Error
	return errors.As(err, &netErr)
}

// serverError is a 5xx answer from the Bot API or a proxy in front of it.
type serverError struct {
	status int
	body   string
}

func (e *serverError) Error() string {
	return fmt.Sprintf("telegram server error %d: %s", e.status, e.body)
}

// statusClient turns 5xx answers into errors before the library tries to
// read them as Bot API results, so that they can be told apart and retried.
type statusClient struct{ c *http.Client }

func (s statusClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := s.c.Do(req)
	if err != nil || resp.StatusCode < 500 {
		return resp, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return nil, &serverError{status: resp.StatusCode, body: strings.TrimSpace(string(b))}
}

// scrubbed is err with the token removed from its text; errors.Is and
// errors.As still see through it.
func scrubbed(err error, token string) error {
	if !strings.Contains(err.Error(), token) {
		return err
	}
	return &scrubError{msg: scrub(err.Error(), token), err: err}
}

type scrubError struct {
	msg string
	err error
}

func (e *scrubError) Error() string { return e.msg }
func (e *scrubError) Unwrap() error { return e.err }
