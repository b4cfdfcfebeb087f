package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// call is one request the fake Web API received.
type call struct {
	Method string
	Form   url.Values     // form-encoded methods (chat.*, users.*)
	JSON   map[string]any // JSON bodies (views.publish, response_url)
	TS     string         // the ts chat.postMessage answered with
}

// blocks decodes the Block Kit of a chat.* call.
func (c call) blocks(t *testing.T) []any {
	t.Helper()
	raw := c.Form.Get("blocks")
	if c.JSON != nil {
		b, _ := json.Marshal(c.JSON["blocks"])
		raw = string(b)
	}
	var out []any
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("%s: blocks %q: %v", c.Method, raw, err)
	}
	return out
}

// texts collects every "text" string of decoded blocks, as Slack would
// render them.
func texts(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && k == "text" {
				out = append(out, s)
				continue
			}
			out = append(out, texts(val)...)
		}
	case []any:
		for _, val := range x {
			out = append(out, texts(val)...)
		}
	}
	return out
}

// failure is what the fake answers instead of success.
type failure struct {
	status     int    // HTTP status; 200 when zero
	retryAfter string // Retry-After header
	slackErr   string // {"ok":false,"error":…}
}

// fakeSlack is a protocol-faithful stand-in for Slack's Web API: it takes
// form or JSON posts at /api/METHOD, answers as Slack documents, records
// every call and fails as told per channel.
type fakeSlack struct {
	t   *testing.T
	srv *httptest.Server

	mu    sync.Mutex
	calls []call
	seq   int
	// envelopes are sent to the Socket Mode client; acks receives what it
	// answers.
	envelopes chan map[string]any
	acks      chan map[string]any

	fail    map[string]failure         // channel → failure
	members map[string][]string        // user → channels (users.conversations)
	locale  string                     // users.info locale
	roles   map[string]string          // user → "admin", "owner" (users.info); others are members
	creator map[string]string          // channel → its creator (conversations.info)
	ts      map[string]map[string]bool // channel → ts it posted
	files   fakeFiles                  // files shared and uploaded (files_test.go)
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t, envelopes: make(chan map[string]any), acks: make(chan map[string]any, 10), fail: map[string]failure{}, members: map[string][]string{}, locale: "en-US", ts: map[string]map[string]bool{},
		roles: map[string]string{}, creator: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	c := call{}
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path == "/ws" {
		f.serveSocket(w, r)
		return
	}
	if f.serveFiles(w, r, body) {
		return
	}
	if len(body) == 0 {
		c.Form = url.Values{}
	} else if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &c.JSON); err != nil {
			http.Error(w, "bad json", 400)
			return
		}
	} else {
		c.Form, _ = url.ParseQuery(string(body))
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		c.Method = strings.TrimPrefix(r.URL.Path, "/api/")
		if c.Method != "apps.connections.open" && c.Form != nil && c.Form.Get("token") != "xoxb-test" &&
			r.Header.Get("Authorization") != "Bearer xoxb-test" {
			writeJSON(w, map[string]any{"ok": false, "error": "not_authed"})
			return
		}
	case strings.HasPrefix(r.URL.Path, "/response/"):
		c.Method = "response_url"
	default:
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	last := &f.calls[len(f.calls)-1]
	channel := c.Form.Get("channel")
	if fl, ok := f.fail[channel]; ok && channel != "" {
		if fl.retryAfter != "" {
			w.Header().Set("Retry-After", fl.retryAfter)
		}
		if fl.status != 0 && fl.status != 200 {
			w.WriteHeader(fl.status)
			return
		}
		writeJSON(w, map[string]any{"ok": false, "error": fl.slackErr})
		return
	}
	switch c.Method {
	case "apps.connections.open":
		if r.Header.Get("Authorization") != "Bearer xapp-test" {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		writeJSON(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws"})
	case "auth.test":
		writeJSON(w, map[string]any{"ok": true, "url": "https://acme.slack.com/", "team": "Acme", "user": "trackbot",
			"team_id": "T1", "user_id": "UBOT", "bot_id": "B1"})
	case "chat.postMessage":
		f.seq++
		ts := fmt.Sprintf("1700000000.%06d", f.seq)
		last.TS = ts
		if f.ts[channel] == nil {
			f.ts[channel] = map[string]bool{}
		}
		f.ts[channel][ts] = true
		msg := map[string]any{"type": "message", "text": c.Form.Get("text"), "ts": ts, "user": "UBOT", "bot_id": "B1"}
		if th := c.Form.Get("thread_ts"); th != "" {
			msg["thread_ts"] = th
		}
		writeJSON(w, map[string]any{"ok": true, "channel": channel, "ts": ts, "message": msg})
	case "chat.update":
		if !f.ts[channel][c.Form.Get("ts")] {
			writeJSON(w, map[string]any{"ok": false, "error": "message_not_found"})
			return
		}
		writeJSON(w, map[string]any{"ok": true, "channel": channel, "ts": c.Form.Get("ts"), "text": c.Form.Get("text")})
	case "chat.postEphemeral":
		f.seq++
		writeJSON(w, map[string]any{"ok": true, "message_ts": fmt.Sprintf("1700000000.%06d", f.seq)})
	case "users.info":
		role := f.roles[c.Form.Get("user")]
		writeJSON(w, map[string]any{"ok": true, "user": map[string]any{"id": c.Form.Get("user"), "locale": f.locale,
			"is_admin": role == "admin" || role == "owner", "is_owner": role == "owner", "is_primary_owner": false}})
	case "conversations.info":
		id := c.Form.Get("channel")
		writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": id, "name": "shipping", "is_channel": true,
			"created": 1700000000, "creator": f.creator[id], "is_member": true}})
	case "users.conversations":
		var chans []map[string]any
		for _, id := range f.members[c.Form.Get("user")] {
			chans = append(chans, map[string]any{"id": id, "is_member": true})
		}
		writeJSON(w, map[string]any{"ok": true, "channels": chans, "response_metadata": map[string]any{"next_cursor": ""}})
	case "views.publish":
		writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1", "type": "home"}})
	case "response_url":
		writeJSON(w, map[string]any{"ok": true})
	default:
		writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

// serveSocket speaks Socket Mode's side of the WebSocket: hello, then the
// envelopes the test sends, collecting the client's acknowledgements.
// https://docs.slack.dev/apis/events-api/using-socket-mode
func (f *fakeSlack) serveSocket(w http.ResponseWriter, r *http.Request) {
	// Slack's client sends Origin: https://api.slack.com.
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	if err := conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": "A1"}}); err != nil {
		return
	}
	go func() {
		for {
			var ack map[string]any
			if err := conn.ReadJSON(&ack); err != nil {
				return
			}
			f.acks <- ack
		}
	}()
	for {
		select {
		case env := <-f.envelopes:
			if err := conn.WriteJSON(env); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
	}
}

// called returns the calls of a method, to a channel when channel is set.
func (f *fakeSlack) called(method, channel string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method == method && (channel == "" || c.Form.Get("channel") == channel) {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSlack) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

const (
	secret   = "8f742231b10e8888abcd99yyyzzz85a5"
	team     = "T1"
	cainiaoN = "LP00123456789012"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// env is the Slack adapter wired to a real bot on a real store, with the
// demo carrier, a fake Cainiao provider, a fake clock and the fake Web API.
type env struct {
	t        *testing.T
	store    *store.Store
	clock    *tracking.FakeClock
	cat      *locales.Catalog
	engine   *tracking.Engine
	bot      *bot.Bot
	cainiao  *trackingtest.Provider
	slack    *fakeSlack
	adapter  *Adapter
	finished chan error
}

func newEnv(t *testing.T, s *store.Store, configure ...func(*Config)) *env {
	t.Helper()
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	clock := tracking.NewFakeClock(t0)
	cainiao := trackingtest.NewProvider("fake-cainiao")
	cainiao.Set(cainiaoN, tracking.Result{Number: cainiaoN, Carrier: tracking.CarrierCainiao, OriginCountry: "CN", DestinationCountry: "DE",
		Events: []tracking.Event{event(-48, tracking.SubPackageAccepted, "Accepted by the carrier", "Shenzhen", "CN")}})
	reg := tracking.NewRegistry(clock)
	reg.AddCarrier(demo.New(time.Minute, clock), tracking.CarrierDemo)
	reg.AddCarrier(cainiao, tracking.CarrierCainiao)
	e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, DemoStep: time.Minute, MinInterval: time.Minute})
	fake := newFakeSlack(t)
	core := bot.New(bot.Config{Store: s, Engine: e, Catalog: cat, Clock: clock})
	cfg := Config{BotToken: "xoxb-test", SigningSecret: secret, APIURL: fake.srv.URL + "/api", // no trailing slash: New adds it
		Store: s, Attention: core, Clock: clock, DigestHour: -1}
	for _, c := range configure {
		c(&cfg)
	}
	ad, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, store: s, clock: clock, cat: cat, engine: e, cainiao: cainiao, slack: fake, adapter: ad, bot: core}
}

// replica is another adapter on the env's store, clock and fake Slack, as
// a second replica or a restarted one would be.
func (e *env) replica(digestHour int) *Adapter {
	e.t.Helper()
	a, err := New(Config{BotToken: "xoxb-test", SigningSecret: secret, APIURL: e.slack.srv.URL + "/api",
		Store: e.store, Attention: e.bot, Clock: e.clock, DigestHour: digestHour})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func event(hours int, sub tracking.Substatus, text, city, country string) tracking.Event {
	return tracking.Event{Time: t0.Add(time.Duration(hours) * time.Hour), Substatus: sub, Description: text,
		Location: tracking.Location{City: city, Country: country}}
}

// start runs the adapter until the test ends.
func (e *env) start() {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e.finished = make(chan error, 1)
	go func() { e.finished <- e.adapter.Run(ctx, e.bot) }()
	select {
	case <-e.adapter.ready:
	case err := <-e.finished:
		e.t.Fatalf("Run ended early: %v", err)
	case <-time.After(15 * time.Second):
		e.t.Fatal("Run did not start")
	}
	e.t.Cleanup(func() {
		cancel()
		if err := <-e.finished; err != nil {
			e.t.Errorf("Run: %v", err)
		}
	})
}

// idle waits until the adapter has delivered every reply in progress.
func (e *env) idle() { e.adapter.work.Wait() }

// sign sets Slack's signature headers on a request, as of age ago.
func sign(req *http.Request, body, key string, age time.Duration) {
	ts := strconv.FormatInt(time.Now().Add(-age).Unix(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte("v0:" + ts + ":" + body))
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// request sends a signed request to one of the adapter's handlers.
func (e *env) request(h http.Handler, contentType, body, key string, age time.Duration, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/slack/x", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	sign(req, body, key, age)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// command sends a signed /track command from a channel and waits for its
// replies.
func (e *env) command(channel, text string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.commandBy("U1", channel, text)
}

// commandBy is command typed by user.
func (e *env) commandBy(user, channel, text string) *httptest.ResponseRecorder {
	e.t.Helper()
	form := url.Values{"token": {"legacy"}, "team_id": {team}, "team_domain": {"acme"}, "channel_id": {channel},
		"channel_name": {"shipping"}, "user_id": {user}, "user_name": {"ann"}, "command": {"/track"}, "text": {text},
		"response_url": {e.slack.srv.URL + "/response/cmd"}, "trigger_id": {"1.2.3"}, "api_app_id": {"A1"}}
	rec := e.request(e.adapter.CommandsHandler(), "application/x-www-form-urlencoded", form.Encode(), secret, 0)
	e.idle()
	return rec
}

// press sends a signed block_actions payload for a button of a message.
func (e *env) press(channel, messageTS, actionID, value string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.pressBy("U1", channel, messageTS, actionID, value)
}

// pressBy is press by user.
func (e *env) pressBy(user, channel, messageTS, actionID, value string) *httptest.ResponseRecorder {
	e.t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "api_app_id": "A1", "trigger_id": "1.2.3",
		"team": map[string]any{"id": team, "domain": "acme"}, "user": map[string]any{"id": user, "name": "ann"},
		"channel":      map[string]any{"id": channel, "name": "shipping"},
		"container":    map[string]any{"type": "message", "message_ts": messageTS, "channel_id": channel, "is_ephemeral": false},
		"message":      map[string]any{"type": "message", "ts": messageTS, "text": "card"},
		"response_url": e.slack.srv.URL + "/response/press",
		"actions": []map[string]any{{"type": "button", "action_id": actionID, "block_id": "b1", "value": value,
			"text": map[string]any{"type": "plain_text", "text": "x"}, "action_ts": "1700000001.000000"}},
	})
	body := url.Values{"payload": {string(payload)}}.Encode()
	rec := e.request(e.adapter.InteractionsHandler(), "application/x-www-form-urlencoded", body, secret, 0)
	e.idle()
	return rec
}

// buttons lists the action_id → value of a message's buttons.
func buttons(t *testing.T, c call) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, b := range c.blocks(t) {
		block, _ := b.(map[string]any)
		if block["type"] != "actions" {
			continue
		}
		for _, el := range block["elements"].([]any) {
			m := el.(map[string]any)
			v, _ := m["value"].(string)
			out[m["action_id"].(string)] = v
		}
	}
	return out
}

func joined(t *testing.T, c call) string {
	return strings.Join(texts(c.blocks(t)), "\n")
}
