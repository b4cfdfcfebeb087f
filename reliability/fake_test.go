//go:build reliability

package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// botToken has the shape @BotFather gives (digits, a colon, 35 characters).
const botToken = "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// sent is one sendMessage the fake Bot API accepted.
type sent struct {
	Chat int64
	Text string
	At   time.Time
}

// fakeTelegram speaks the Bot API's HTTP protocol to every trackbot process
// of a test: multipart POSTs to /bot<token>/<method>, answered with the
// {"ok":…} envelope. getUpdates keeps Telegram's offset rule (an update is
// handed out again until a later call's offset confirms it), so a process
// killed before confirming an update gets it again after its restart, as
// from the real service. Every sendMessage is recorded per chat, in the
// order it arrived.
type fakeTelegram struct {
	t   testing.TB
	srv *httptest.Server

	mu      sync.Mutex
	updates []map[string]any // not yet confirmed, oldest first
	nextID  int
	msgID   int
	sends   map[int64][]sent
	arrived chan struct{}
	// onSend, when set, runs once, on the next sendMessage, after it is
	// recorded and before it is answered.
	onSend func()
}

func newFakeTelegram(t testing.TB) *fakeTelegram {
	f := &fakeTelegram{t: t, nextID: 1, msgID: 1, sends: map[int64][]sent{}, arrived: make(chan struct{}, 1)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTelegram) serve(w http.ResponseWriter, r *http.Request) {
	prefix := "/bot" + botToken + "/"
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, prefix) {
		f.fail(w, http.StatusNotFound, "Not Found")
		return
	}
	method := strings.TrimPrefix(r.URL.Path, prefix)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return // the process died mid-request
	}
	form := map[string]string{}
	if len(body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			f.t.Errorf("%s: not a multipart form: %v", method, err)
			f.fail(w, http.StatusBadRequest, "Bad Request: bad form")
			return
		}
		for k, v := range r.MultipartForm.Value {
			form[k] = v[0]
		}
	}
	switch method {
	case "getMe":
		f.ok(w, map[string]any{"id": 123456, "is_bot": true, "first_name": "trackbot", "username": "trackbot"})
	case "getUpdates":
		offset, _ := strconv.Atoi(form["offset"])
		f.ok(w, f.poll(r.Context(), offset))
	case "sendMessage":
		chat, err := strconv.ParseInt(form["chat_id"], 10, 64)
		if err != nil {
			f.fail(w, http.StatusBadRequest, "Bad Request: chat_id is empty")
			return
		}
		f.mu.Lock()
		f.sends[chat] = append(f.sends[chat], sent{Chat: chat, Text: form["text"], At: time.Now()})
		id := f.msgID
		f.msgID++
		hook := f.onSend
		f.onSend = nil
		f.mu.Unlock()
		if hook != nil {
			hook()
		}
		f.ok(w, map[string]any{"message_id": id, "date": time.Now().Unix(), "text": form["text"],
			"chat": map[string]any{"id": chat, "type": "private", "first_name": "Ann"}})
	default: // setMyCommands, deleteWebhook, sendChatAction, …
		f.ok(w, true)
	}
}

// poll confirms the updates before offset and hands out the rest, waiting
// a little for one when there are none, as a long poll does.
func (f *fakeTelegram) poll(ctx context.Context, offset int) []map[string]any {
	timeout := time.After(500 * time.Millisecond)
	for {
		f.mu.Lock()
		if offset > 0 {
			i := 0
			for i < len(f.updates) && f.updates[i]["update_id"].(int) < offset {
				i++
			}
			f.updates = f.updates[i:]
		}
		if len(f.updates) > 0 {
			out := make([]map[string]any, min(len(f.updates), 100))
			copy(out, f.updates)
			f.mu.Unlock()
			return out
		}
		f.mu.Unlock()
		select {
		case <-f.arrived:
		case <-timeout:
			return []map[string]any{}
		case <-ctx.Done():
			return []map[string]any{}
		}
	}
}

// say queues a text message from a person in the private chat id.
func (f *fakeTelegram) say(id int64, text string) {
	f.mu.Lock()
	u := map[string]any{"update_id": f.nextID, "message": map[string]any{
		"message_id": f.nextID, "date": time.Now().Unix(), "text": text,
		"chat": map[string]any{"id": id, "type": "private", "first_name": "Ann"},
		"from": map[string]any{"id": id, "is_bot": false, "first_name": "Ann", "language_code": "en"},
	}}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		u["message"].(map[string]any)["entities"] = []map[string]any{{"type": "bot_command", "offset": 0, "length": len(cmd)}}
	}
	f.nextID++
	f.updates = append(f.updates, u)
	f.mu.Unlock()
	select {
	case f.arrived <- struct{}{}:
	default:
	}
}

// atNextSend runs fn on the next sendMessage, once Telegram has taken the
// message and before the sender hears so; the returned channel is closed
// when fn has run.
func (f *fakeTelegram) atNextSend(fn func()) <-chan struct{} {
	done := make(chan struct{})
	f.mu.Lock()
	f.onSend = func() { fn(); close(done) }
	f.mu.Unlock()
	return done
}

// messages returns what was sent to chat so far, in order.
func (f *fakeTelegram) messages(chat int64) []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sent(nil), f.sends[chat]...)
}

func (f *fakeTelegram) ok(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func (f *fakeTelegram) fail(w http.ResponseWriter, status int, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": status, "description": description})
}
