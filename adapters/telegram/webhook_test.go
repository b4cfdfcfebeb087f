package telegram

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

const testSecret = "s3cret_Token-1"

func post(a *Adapter, secret string, body []byte) int {
	req := httptest.NewRequest(http.MethodPost, WebhookPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	rec := httptest.NewRecorder()
	a.WebhookHandler().ServeHTTP(rec, req)
	return rec.Code
}

func updateJSON(t *testing.T, u map[string]any) []byte {
	t.Helper()
	u["update_id"] = 1
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWebhook: in webhook mode the adapter registers its URL and secret,
// never polls, refuses posts without the right secret (401, nothing
// handled) and handles those with it like polled updates.
func TestWebhook(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", func(c *Config) {
		c.WebhookSecret = testSecret
		c.PublicURL = "https://bot.example.com/"
	})
	chat, me := privateChat(1001), person(1001, "en")

	if code := post(a, testSecret, updateJSON(t, textUpdate(chat, me, "/start"))); code != http.StatusServiceUnavailable {
		t.Errorf("before Run: %d, want 503 so that Telegram delivers again", code)
	}

	core := &seen{h: h.bot}
	stop := start(t, a, core)
	waitFor(t, "setWebhook", func() bool { return f.count("setWebhook", "") == 1 })
	for _, c := range f.recorded(true) {
		switch c.Method {
		case "setWebhook":
			if c.Form["url"] != "https://bot.example.com/telegram/webhook" || c.Form["secret_token"] != testSecret {
				t.Errorf("setWebhook url=%q secret_token=%q", c.Form["url"], c.Form["secret_token"])
			}
			if c.Form["allowed_updates"] != `["message","callback_query"]` {
				t.Errorf("setWebhook allowed_updates=%s", c.Form["allowed_updates"])
			}
		case "getUpdates", "deleteWebhook":
			t.Errorf("webhook mode called %s", c.Method)
		}
	}

	refused := []struct {
		name, secret string
	}{
		{"no secret", ""},
		{"wrong secret", "guess"},
		{"wrong secret of the right length", strings.Repeat("x", len(testSecret))},
		{"prefix of the secret", testSecret[:5]},
	}
	for _, r := range refused {
		if code := post(a, r.secret, updateJSON(t, textUpdate(chat, me, "/start "+r.name))); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", r.name, code)
		}
	}
	big := updateJSON(t, textUpdate(chat, me, "/start "+strings.Repeat("x", maxWebhookBody)))
	if code := post(a, testSecret, big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over 1 MiB: %d, want 413", code)
	}
	if code := post(a, testSecret, []byte("{not json")); code != http.StatusBadRequest {
		t.Errorf("malformed update: %d, want 400", code)
	}
	get := httptest.NewRecorder()
	a.WebhookHandler().ServeHTTP(get, httptest.NewRequest(http.MethodGet, WebhookPath, nil))
	if get.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", get.Code)
	}

	if code := post(a, testSecret, updateJSON(t, textUpdate(chat, me, "/help"))); code != http.StatusOK {
		t.Fatalf("the right secret: %d, want 200", code)
	}
	// Updates of one chat are handled in order, so once /help is answered
	// any refused post that had slipped through would have been too.
	waitFor(t, "the reply to /help", func() bool { return len(f.sent("1001")) == 1 })
	if msgs := core.list(); len(msgs) != 1 || msgs[0].Text != "/help" {
		t.Errorf("the core was handed %+v, want only /help", msgs)
	}
	if sent := f.sent("1001"); len(sent) != 1 || !strings.Contains(sent[0].Form["text"], "/track") {
		t.Errorf("sendMessage calls %+v, want the help text once", sent)
	}

	stop()
	if code := post(a, testSecret, updateJSON(t, textUpdate(chat, me, "/list"))); code != http.StatusServiceUnavailable {
		t.Errorf("after Run: %d, want 503", code)
	}
}

// TestWebhookOffWithoutSecret: with no secret configured the handler
// accepts nothing, whatever the header says.
func TestWebhookOffWithoutSecret(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	f := newFakeAPI(t)
	a, _ := h.adapter(t, f, "", nil)
	for _, secret := range []string{"", "anything"} {
		if code := post(a, secret, updateJSON(t, textUpdate(privateChat(1), person(1, "en"), "/start"))); code != http.StatusUnauthorized {
			t.Errorf("secret %q: %d, want 401", secret, code)
		}
	}
}
