package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trackbot/trackbot/adapters/telegram"
	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/tracking"
)

const botToken = "123456:trackbench-AAAAAAAAAAAAAAAAAAAAAAAA"

// fakeBotAPI speaks enough of the Telegram Bot API for trackbot to send
// pushes (getMe, sendMessage, and ok for the rest; getUpdates answers an
// empty list after a short wait) and enforces Telegram's send limits over
// sliding windows: 30 messages a second in all, one a second in a chat. A
// message over a limit is answered 429 with retry_after, as Telegram
// does, and does not count.
type fakeBotAPI struct {
	*httptest.Server
	mu       sync.Mutex
	all      []time.Time
	chats    map[string]time.Time
	accepted []time.Time
	tooMany  int
	msgID    int
}

func newFakeBotAPI() *fakeBotAPI {
	f := &fakeBotAPI{chats: map[string]time.Time{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

func (f *fakeBotAPI) serve(w http.ResponseWriter, r *http.Request) {
	method, ok := strings.CutPrefix(r.URL.Path, "/bot"+botToken+"/")
	if !ok {
		f.answer(w, http.StatusNotFound, map[string]any{"ok": false, "error_code": 404, "description": "Not Found"})
		return
	}
	switch {
	case strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/"):
		r.ParseMultipartForm(1 << 20)
	default:
		r.ParseForm()
	}
	switch method {
	case "getMe":
		f.ok(w, map[string]any{"id": 123456, "is_bot": true, "first_name": "trackbot", "username": "trackbot"})
	case "getUpdates":
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
		}
		f.ok(w, []any{})
	case "sendMessage":
		chat := r.FormValue("chat_id")
		if wait := f.admit(chat, time.Now()); wait > 0 {
			after := max(1, int((wait+time.Second-1)/time.Second))
			f.answer(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error_code": 429,
				"description": fmt.Sprintf("Too Many Requests: retry after %d", after), "parameters": map[string]any{"retry_after": after}})
			return
		}
		id, _ := strconv.ParseInt(chat, 10, 64)
		f.mu.Lock()
		f.msgID++
		msg := f.msgID
		f.mu.Unlock()
		f.ok(w, map[string]any{"message_id": msg, "date": time.Now().Unix(), "text": r.FormValue("text"),
			"chat": map[string]any{"id": id, "type": "private"}})
	default:
		f.ok(w, true)
	}
}

// admit accepts a message to chat at now, or returns how long it must
// wait.
func (f *fakeBotAPI) admit(chat string, now time.Time) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := 0
	for i < len(f.all) && now.Sub(f.all[i]) >= time.Second {
		i++
	}
	f.all = f.all[i:]
	var wait time.Duration
	if len(f.all) >= 30 {
		wait = f.all[0].Add(time.Second).Sub(now)
	}
	if last, ok := f.chats[chat]; ok && now.Sub(last) < time.Second {
		wait = max(wait, last.Add(time.Second).Sub(now))
	}
	if wait > 0 {
		f.tooMany++
		return wait
	}
	f.all = append(f.all, now)
	f.chats[chat] = now
	f.accepted = append(f.accepted, now)
	return 0
}

func (f *fakeBotAPI) stats() (accepted []time.Time, tooMany int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.accepted...), f.tooMany
}

func (f *fakeBotAPI) ok(w http.ResponseWriter, result any) {
	f.answer(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

func (f *fakeBotAPI) answer(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// fanoutFrom is the first seeded shipment of the fan-out: beyond those
// the other measurements touch, and the only parcel of its chat.
func fanoutFrom(pushes int) int { return pushFrom + pushes + 1000 }

// measureFanout gives m seeded chats one push each (a carrier push of
// news for the shipment each follows alone, through Engine.Ingest) and
// lets the notifier send them through the Telegram adapter to a fake Bot
// API that enforces Telegram's limits: messages a second, from the
// notifier's start to the last accepted message, and 429s.
func measureFanout(ctx context.Context, b *benchDB, m int, pushes int, r *report) error {
	db := b.store.DB()
	m = min(m, b.chats, b.size-fanoutFrom(pushes))
	if m <= 0 {
		return fmt.Errorf("size %d too small for a fan-out", b.size)
	}
	// Only the fan-out's pushes are pending.
	if _, err := db.ExecContext(ctx, `UPDATE outbox SET state = 'sent' WHERE state = 'pending'`); err != nil {
		return err
	}
	clock := tracking.SystemClock{}
	e := pushEngine(b, clock, "bench-fanout")
	now := time.Now().UTC()
	for i := range m {
		n := shipmentNumber(fanoutFrom(pushes) + i)
		res := &tracking.Result{Number: n, Carrier: "ups", Provider: "aftership", Events: []tracking.Event{{
			Time: now.Add(-time.Minute), Substatus: tracking.SubOutForDelivery, Description: "Out for delivery",
			Location: tracking.Location{City: "Chicago", Country: "US"}}}}
		if err := e.Ingest(ctx, res); err != nil {
			return err
		}
	}
	pending, err := b.store.PendingPushes(ctx)
	if err != nil {
		return err
	}
	if pending != m {
		return fmt.Errorf("%d pushes pending, want %d", pending, m)
	}
	cat, err := locales.Load("en")
	if err != nil {
		return err
	}
	f := newFakeBotAPI()
	defer f.Close()
	a, err := telegram.New(telegram.Config{Token: botToken, APIURL: f.URL, Store: b.store, Catalog: cat, HTTPClient: f.Client()})
	if err != nil {
		return err
	}
	n := bot.NewNotifier(b.store, cat, clock, a)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	begin := time.Now()
	go func() { done <- n.Run(runCtx, 200*time.Millisecond) }()
	defer func() {
		cancel()
		<-done
	}()
	deadline := begin.Add(time.Duration(m)*time.Second/20 + time.Minute)
	for {
		accepted, tooMany := f.stats()
		if len(accepted) >= m {
			took := accepted[len(accepted)-1].Sub(begin)
			r.figure("fanout messages", float64(len(accepted)), "")
			r.figure("fanout msgs/s", float64(len(accepted))/took.Seconds(), "/s")
			r.figure("fanout 429s", float64(tooMany), "")
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %v, %d of %d pushes accepted, %d refused with 429", time.Since(begin).Round(time.Second), len(accepted), m, tooMany)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
