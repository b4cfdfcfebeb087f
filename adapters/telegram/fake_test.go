package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
)

const testToken = "123456:test-token"

// apiCall is one request the fake Bot API received, its multipart form
// flattened to the first value of each field.
type apiCall struct {
	Method  string
	Replica string // the X-Test-Replica header, telling adapters apart
	Form    map[string]string
	Failed  bool // answered with an error
}

// apiFailure is a scripted error answer.
type apiFailure struct {
	status      int    // HTTP status and error_code; 0 hangs up without answering
	description string // Telegram's description
	retryAfter  int
	migrateTo   int  // the supergroup a group was upgraded to
	plain       bool // answer with a non-JSON body, like a proxy would
}

// fakeAPI is a protocol-faithful fake of the Telegram Bot API: every
// request is a multipart POST to /bot<token>/<method>, answered with the
// {"ok":…} envelope. It records every call, serves queued updates to
// getUpdates (holding the poll open briefly when there are none), answers
// with scripted failures when told to, and, once enforceLimits is called,
// refuses messages sent faster than Telegram allows.
type fakeAPI struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	calls    []apiCall
	updates  []map[string]any
	updateID int
	msgID    int
	failures []scripted
	arrived  chan struct{}
	limits   *sendLimits // nil: every message is accepted
	// statuses are the getChatMember statuses by "chat/user"; anyone
	// else is a plain "member".
	statuses map[string]string
	files    fakeFiles // documents sent and received (files_test.go)
}

type scripted struct {
	method, chat string // chat "" matches any
	fail         apiFailure
}

func newFakeAPI(t testing.TB) *fakeAPI {
	f := &fakeAPI{t: t, arrived: make(chan struct{}, 1), msgID: 100}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	if f.serveDownload(w, r) {
		return
	}
	prefix := "/bot" + testToken + "/"
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, prefix) {
		f.answer(w, apiFailure{status: http.StatusNotFound, description: "Not Found"})
		return
	}
	method := strings.TrimPrefix(r.URL.Path, prefix)
	form := map[string]string{}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		// The client hung up mid-request (a replica stopping while its
		// poll was on the wire); like the real API, nothing to answer.
		return
	}
	// A method without parameters (getMe) comes with an empty body.
	if len(body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			f.t.Errorf("%s: not a multipart form: %v", method, err)
			f.answer(w, apiFailure{status: http.StatusBadRequest, description: "Bad Request: bad form"})
			return
		}
		for k, v := range r.MultipartForm.Value {
			form[k] = v[0]
		}
	}
	c := apiCall{Method: method, Replica: r.Header.Get("X-Test-Replica"), Form: form}

	f.mu.Lock()
	var failure *apiFailure
	for i, s := range f.failures {
		if s.method == method && (s.chat == "" || s.chat == form["chat_id"]) {
			failure = &s.fail
			f.failures = append(f.failures[:i], f.failures[i+1:]...)
			break
		}
	}
	if failure == nil && f.limits != nil && method == "sendMessage" {
		failure = f.limits.admit(form["chat_id"], time.Now())
	}
	c.Failed = failure != nil
	f.calls = append(f.calls, c)
	f.mu.Unlock()

	if failure != nil {
		f.answer(w, *failure)
		return
	}
	switch method {
	case "getMe":
		f.ok(w, map[string]any{"id": 123456, "is_bot": true, "first_name": "trackbot", "username": "trackbot"})
	case "getUpdates":
		f.ok(w, f.nextUpdates(r.Context(), form))
	case "getChatMember":
		f.mu.Lock()
		status := f.statuses[form["chat_id"]+"/"+form["user_id"]]
		f.mu.Unlock()
		if status == "" {
			status = "member"
		}
		userID, _ := strconv.ParseInt(form["user_id"], 10, 64)
		member := map[string]any{"status": status, "user": map[string]any{"id": userID, "is_bot": false, "first_name": "Ann"}}
		switch status {
		case "creator":
			member["is_anonymous"] = false
		case "administrator":
			member["can_be_edited"] = false
			member["can_manage_chat"] = true
		}
		f.ok(w, member)
	case "sendMessage", "editMessageText":
		chatID, _ := strconv.ParseInt(form["chat_id"], 10, 64)
		f.mu.Lock()
		id := f.msgID
		if method == "sendMessage" {
			f.msgID++
		} else {
			id, _ = strconv.Atoi(form["message_id"])
		}
		f.mu.Unlock()
		f.ok(w, map[string]any{"message_id": id, "date": 1793000000, "text": form["text"],
			"chat": map[string]any{"id": chatID, "type": chatType(chatID)}})
	case "getFile", "sendDocument":
		f.serveFileMethod(w, r, method, form)
	default:
		f.ok(w, true)
	}
}

// setStatus makes user's getChatMember status in chat status
// ("creator", "administrator", "member", …).
func (f *fakeAPI) setStatus(chat, user int64, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.statuses == nil {
		f.statuses = map[string]string{}
	}
	f.statuses[fmt.Sprintf("%d/%d", chat, user)] = status
}

func chatType(id int64) string {
	if id < 0 {
		return "group"
	}
	return "private"
}

func (f *fakeAPI) ok(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func (f *fakeAPI) answer(w http.ResponseWriter, fail apiFailure) {
	switch {
	case fail.status == 0:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	case fail.plain:
		http.Error(w, "<html>bad gateway</html>", fail.status)
		return
	}
	body := map[string]any{"ok": false, "error_code": fail.status, "description": fail.description}
	if fail.retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": fail.retryAfter}
	}
	if fail.migrateTo != 0 {
		body["parameters"] = map[string]any{"migrate_to_chat_id": fail.migrateTo}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(fail.status)
	json.NewEncoder(w).Encode(body)
}

// nextUpdates answers getUpdates as Telegram does: an offset confirms
// every update below it, which is then forgotten; the updates from it on
// (up to limit) are handed out, again and again until confirmed, or, while
// there are none, the poll is held open a little (never long, to keep
// tests fast).
// https://core.telegram.org/bots/api#getupdates
func (f *fakeAPI) nextUpdates(ctx context.Context, form map[string]string) []map[string]any {
	offset, _ := strconv.Atoi(form["offset"])
	limit, err := strconv.Atoi(form["limit"])
	if err != nil || limit < 1 || limit > 100 {
		limit = 100
	}
	timeout := time.After(100 * time.Millisecond)
	for {
		f.mu.Lock()
		for len(f.updates) > 0 && f.updates[0]["update_id"].(int) < offset {
			f.updates = f.updates[1:]
		}
		if len(f.updates) > 0 {
			u := slices.Clone(f.updates[:min(limit, len(f.updates))])
			f.mu.Unlock()
			return u
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

// push queues an update for getUpdates, numbering it.
func (f *fakeAPI) push(u map[string]any) {
	f.mu.Lock()
	f.updateID++
	u["update_id"] = f.updateID
	f.updates = append(f.updates, u)
	f.mu.Unlock()
	select {
	case f.arrived <- struct{}{}:
	default:
	}
}

// unconfirmed returns the ids of the updates getUpdates has not been told
// are handled.
func (f *fakeAPI) unconfirmed() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []int
	for _, u := range f.updates {
		ids = append(ids, u["update_id"].(int))
	}
	return ids
}

// failNext makes the next call of method to chat (any chat when "") fail.
func (f *fakeAPI) failNext(method, chat string, fail apiFailure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, scripted{method: method, chat: chat, fail: fail})
}

// sendLimits are Telegram's send rates as the fake enforces them, each
// over a sliding window: thirty messages a second in all, one a second in
// a chat, twenty a minute in a group. A message over a limit is refused
// with 429 and retry_after, as Telegram does, and does not count towards
// the limits.
// https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
type sendLimits struct {
	all      []time.Time            // accepted in the last second
	chats    map[string]time.Time   // the last accepted, by chat
	groups   map[string][]time.Time // accepted in the last minute, by group
	accepted []time.Time            // when each message was accepted
	tooMany  int                    // messages refused with 429
}

const (
	limitPerSecond = 30
	limitPerGroup  = 20 // a minute
)

// admit accepts a message to chat at now, or says why not.
func (l *sendLimits) admit(chat string, now time.Time) *apiFailure {
	l.all = recent(l.all, now, time.Second)
	var wait time.Duration
	if len(l.all) >= limitPerSecond {
		wait = l.all[0].Add(time.Second).Sub(now)
	}
	if last, ok := l.chats[chat]; ok && now.Sub(last) < time.Second {
		wait = max(wait, last.Add(time.Second).Sub(now))
	}
	group := strings.HasPrefix(chat, "-")
	if group {
		l.groups[chat] = recent(l.groups[chat], now, time.Minute)
		if g := l.groups[chat]; len(g) >= limitPerGroup {
			wait = max(wait, g[0].Add(time.Minute).Sub(now))
		}
	}
	if wait > 0 {
		l.tooMany++
		after := max(1, int((wait+time.Second-1)/time.Second))
		return &apiFailure{status: http.StatusTooManyRequests, retryAfter: after,
			description: fmt.Sprintf("Too Many Requests: retry after %d", after)}
	}
	l.all = append(l.all, now)
	l.chats[chat] = now
	if group {
		l.groups[chat] = append(l.groups[chat], now)
	}
	l.accepted = append(l.accepted, now)
	return nil
}

// recent drops the times that are window or longer before now.
func recent(times []time.Time, now time.Time, window time.Duration) []time.Time {
	i := 0
	for i < len(times) && now.Sub(times[i]) >= window {
		i++
	}
	return times[i:]
}

// enforceLimits makes the fake refuse sendMessage calls over Telegram's
// send rates from now on.
func (f *fakeAPI) enforceLimits() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits = &sendLimits{chats: map[string]time.Time{}, groups: map[string][]time.Time{}}
}

// sendStats reports when each message was accepted, in order, and how
// many were refused for going too fast, since enforceLimits.
func (f *fakeAPI) sendStats() (accepted []time.Time, tooMany int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.limits == nil {
		return nil, 0
	}
	return slices.Clone(f.limits.accepted), f.limits.tooMany
}

// recorded returns the calls so far, getUpdates left out unless asked for.
func (f *fakeAPI) recorded(withPolls bool) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.Method != "getUpdates" || withPolls {
			out = append(out, c)
		}
	}
	return out
}

// sent returns the sendMessage and editMessageText calls to a chat.
func (f *fakeAPI) sent(chat string) []apiCall {
	var out []apiCall
	for _, c := range f.recorded(false) {
		if (c.Method == "sendMessage" || c.Method == "editMessageText") && c.Form["chat_id"] == chat {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeAPI) count(method, replica string) int {
	n := 0
	for _, c := range f.recorded(true) {
		if c.Method == method && (replica == "" || c.Replica == replica) {
			n++
		}
	}
	return n
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !expect.Eventually(30*time.Second, cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// Updates as Telegram sends them.

func privateChat(id int64) map[string]any {
	return map[string]any{"id": id, "type": "private", "first_name": "Ann"}
}

func groupChat(id int64) map[string]any {
	return map[string]any{"id": id, "type": "group", "title": "Parcels"}
}

func person(id int64, lang string) map[string]any {
	return map[string]any{"id": id, "is_bot": false, "first_name": "Ann", "language_code": lang}
}

// lastMessageID numbers the fake's messages; tests build updates from
// several goroutines.
var lastMessageID atomic.Int64

func init() { lastMessageID.Store(5000) }

func message(chat, from map[string]any, text string) map[string]any {
	m := map[string]any{"message_id": int(lastMessageID.Add(1)), "date": 1793000000, "chat": chat, "text": text}
	if from != nil {
		m["from"] = from
	}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		m["entities"] = []map[string]any{{"type": "bot_command", "offset": 0, "length": len([]rune(cmd))}}
	}
	return m
}

func textUpdate(chat, from map[string]any, text string) map[string]any {
	return map[string]any{"message": message(chat, from, text)}
}

func callbackUpdate(chat, from map[string]any, messageID int, data string) map[string]any {
	return map[string]any{"callback_query": map[string]any{
		"id": fmt.Sprintf("cq-%d", messageID), "from": from, "chat_instance": "42", "data": data,
		"message": map[string]any{"message_id": messageID, "date": 1793000000, "chat": chat, "text": "…"},
	}}
}

// harness is a real bot on a real store with the demo carrier and a fake
// clock, as in the bot package's tests.
type harness struct {
	store  *store.Store
	clock  *tracking.FakeClock
	engine *tracking.Engine
	bot    *bot.Bot
	cat    *locales.Catalog
}

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func newHarness(t testing.TB, s *store.Store) *harness {
	t.Helper()
	return newHarnessAt(t, s, t0)
}

// newHarnessAt is newHarness with its clock standing at start.
func newHarnessAt(t testing.TB, s *store.Store, start time.Time) *harness {
	t.Helper()
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	clock := tracking.NewFakeClock(start)
	reg := tracking.NewRegistry(clock)
	reg.AddCarrier(demo.New(time.Minute, clock), tracking.CarrierDemo)
	e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, DemoStep: time.Minute, MinInterval: time.Minute})
	return &harness{store: s, clock: clock, engine: e, cat: cat,
		bot: bot.New(bot.Config{Store: s, Engine: e, Catalog: cat, Clock: clock})}
}

// sleeps records the waits an adapter asks for and moves the fake clock
// instead of sleeping.
type sleeps struct {
	mu    sync.Mutex
	clock *tracking.FakeClock
	waits []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	s.clock.Advance(d)
	return ctx.Err()
}

func (s *sleeps) list() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// adapter returns an adapter talking to the fake, with fast retries and
// recorded waits.
func (h *harness) adapter(t *testing.T, f *fakeAPI, replica string, mod func(*Config)) (*Adapter, *sleeps) {
	t.Helper()
	client := f.srv.Client()
	if replica != "" {
		client = &http.Client{Transport: replicaTransport{name: replica, base: client.Transport}}
	}
	cfg := Config{Token: testToken, APIURL: f.srv.URL, Store: h.store, Catalog: h.cat, Clock: h.clock, HTTPClient: client}
	if mod != nil {
		mod(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sl := &sleeps{clock: h.clock}
	a.sleep = sl.sleep
	a.lockRetry = 20 * time.Millisecond
	a.retryPolicy = func() backoff.BackOff { return backoff.NewConstantBackOff(time.Millisecond) }
	return a, sl
}

type replicaTransport struct {
	name string
	base http.RoundTripper
}

func (r replicaTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("X-Test-Replica", r.name)
	return r.base.RoundTrip(req)
}

// start runs the adapter until the returned stop is called (or the test
// ends); stop waits for Run to return.
func start(t *testing.T, a *Adapter, h bot.Handler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, h) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Errorf("Run did not return after its context ended")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// seen records the messages the core was handed.
type seen struct {
	h    bot.Handler
	mu   sync.Mutex
	msgs []bot.Message
}

func (s *seen) Handle(ctx context.Context, m bot.Message) []bot.Reply {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	if s.h == nil {
		return []bot.Reply{bot.TextReply("ok: " + m.Text)}
	}
	return s.h.Handle(ctx, m)
}

func (s *seen) list() []bot.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bot.Message(nil), s.msgs...)
}
