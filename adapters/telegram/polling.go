package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// pollLimit is the most updates one getUpdates returns (Telegram's
// default and maximum).
const pollLimit = 100

// pollUpdates long-polls until ctx ends, confirming an update to Telegram
// only once it is handled. getUpdates' offset confirms every update below
// it, so each batch is handed to the session in order (chats side by side,
// each chat's updates in turn) and the next request's offset is the first
// update of the batch that was not handled: one refused by a full queue,
// one another replica holds (a poller that lost the lock, still at it, or
// died at it; store.LeaseClaim), one cut short by a stop. Telegram sends
// that one and everything after it again; those already handled are
// recognized by their claim. The offset starts at none: a poller taking
// over from one that died gets every update its predecessor did not
// confirm.
// https://core.telegram.org/bots/api#getupdates
func (a *Adapter) pollUpdates(ctx context.Context) {
	var offset int64
	failures := a.retryPolicy()
	for ctx.Err() == nil {
		updates, err := a.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			wait := failures.NextBackOff()
			slog.WarnContext(ctx, "telegram: getUpdates failed; polling again", "in", wait, "err", err)
			a.pause(ctx, wait)
			continue
		}
		failures.Reset()
		next := a.handleBatch(ctx, updates, offset)
		if ctx.Err() != nil {
			return
		}
		if len(updates) > 0 && next == offset {
			// Nothing could be confirmed: the first update waits for
			// another replica's lease. Telegram would answer the next
			// poll at once with the same updates.
			a.pause(ctx, a.pollRetry)
		}
		offset = next
	}
}

// handleBatch hands updates to the session and waits for them, returning
// the offset that confirms those handled without a gap before them. Once
// an update of a chat is turned away, the chat's later updates in the
// batch are left for the next poll too, so that they keep their order.
func (a *Adapter) handleBatch(ctx context.Context, updates []*models.Update, offset int64) int64 {
	deliveries := make([]*delivery, len(updates))
	held := map[int64]bool{}
	for i, u := range updates {
		chat, ok := updateChat(u)
		if ok && held[chat] {
			deliveries[i] = finished(false)
			continue
		}
		deliveries[i] = a.accept(u)
		if ok && deliveries[i] != nil && deliveries[i].refused() {
			held[chat] = true
		}
	}
	next := offset
	for i, d := range deliveries {
		if d == nil || !d.wait(ctx) {
			break
		}
		next = updates[i].ID + 1
	}
	// Wait for the rest too, so that the next poll does not find them
	// still being handled.
	for _, d := range deliveries {
		if d != nil {
			d.wait(ctx)
		}
	}
	return next
}

// pause waits d or until ctx ends, by the wall clock: it spaces requests
// to Telegram, which waits by no other clock.
func (a *Adapter) pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// getUpdates asks Telegram for the updates from offset on (0: every one
// not confirmed yet), confirming those before it, and holds the request
// open up to pollTimeout while there are none. The SDK's own poller
// confirms an update before it is handled, so the adapter makes this one
// request itself, on the SDK's HTTP client and protocol (a multipart POST
// answered with the {"ok":…} envelope).
func (a *Adapter) getUpdates(ctx context.Context, offset int64) ([]*models.Update, error) {
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	allowed, err := json.Marshal(allowedUpdates)
	if err != nil {
		return nil, err
	}
	fields := [][2]string{
		{"limit", strconv.Itoa(pollLimit)},
		{"timeout", strconv.Itoa(int((pollTimeout - time.Second).Seconds()))},
		{"allowed_updates", string(allowed)},
	}
	if offset != 0 {
		fields = append(fields, [2]string{"offset", strconv.FormatInt(offset, 10)})
	}
	for _, f := range fields {
		if err := form.WriteField(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	if err := form.Close(); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.apiURL()+"/bot"+a.cfg.Token+"/getUpdates", &body)
	if err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: %w", scrubbed(err, a.cfg.Token))
	}
	req.Header.Set("Content-Type", form.FormDataContentType())
	resp, err := statusClient{a.http}.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: %w", scrubbed(err, a.cfg.Token))
	}
	defer resp.Body.Close()
	var answer struct {
		OK          bool             `json:"ok"`
		Result      []*models.Update `json:"result"`
		ErrorCode   int              `json:"error_code"`
		Description string           `json:"description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: HTTP %d: %w", resp.StatusCode, scrubbed(err, a.cfg.Token))
	}
	if !answer.OK {
		// 409 while a webhook is set or another process polls.
		return nil, fmt.Errorf("telegram: getUpdates: %d %s", answer.ErrorCode, answer.Description)
	}
	return answer.Result, nil
}

// apiURL is the Bot API's base URL.
func (a *Adapter) apiURL() string {
	if a.cfg.APIURL != "" {
		return strings.TrimRight(a.cfg.APIURL, "/")
	}
	return "https://api.telegram.org"
}
