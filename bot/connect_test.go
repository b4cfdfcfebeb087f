package bot_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
	"github.com/trackbot/trackbot/web"
)

const publicURL = "https://bot.example"

var feedURL = regexp.MustCompile(regexp.QuoteMeta(publicURL) + `/webhooks/orders/([a-z0-9]+)`)

// feeds is a bot with order feeds on, served by the real HTTP route, with
// a fake provider for UPS beside the demo carrier.
type feeds struct {
	*harness
	bot *bot.Bot
	srv *httptest.Server
}

func newFeeds(t *testing.T, s *store.Store, shopifySecret string) *feeds {
	t.Helper()
	ups := trackingtest.NewProvider("fake-ups")
	h := newHarness(t, s, func(r *tracking.Registry) { r.AddCarrier(ups, tracking.CarrierUPS) })
	b := bot.New(bot.Config{Store: s, Engine: h.engine, Catalog: h.cat, Clock: h.clock, PublicURL: publicURL,
		ShopifySecret: shopifySecret})
	w := web.New("127.0.0.1:0", nil, prometheus.NewRegistry())
	w.HandleOrderFeeds(b)
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	return &feeds{harness: h, bot: b, srv: srv}
}

// handle sends m to the feeds' bot.
func (f *feeds) handle(m bot.Message) []bot.Reply {
	if m.User == "" {
		m.User = "u1"
	}
	return f.bot.Handle(context.Background(), m)
}

// connect runs a /connect in chat and returns the feed's URL path found in
// the reply, and the whole reply.
func (f *feeds) connect(chat bot.ChatRef, text string) (path, reply string) {
	f.t.Helper()
	reply = render(f.handle(bot.Message{Chat: chat, Text: text}))
	m := feedURL.FindStringSubmatch(reply)
	if m == nil {
		f.t.Fatalf("%s: no feed URL in %q", text, reply)
	}
	return strings.TrimPrefix(m[0], publicURL), reply
}

// post sends body to a feed's path with the headers and returns the status.
func (f *feeds) post(path string, header map[string]string, body []byte) int {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, bytes.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// chatID is the store's id of a chat the bot has seen.
func (f *feeds) chatID(chat bot.ChatRef) int64 {
	f.t.Helper()
	c, err := f.store.EnsureChat(context.Background(), string(chat.Platform), chat.Team, chat.ID, string(chat.Kind), "buyer", t0)
	if err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

// subs lists a chat's parcels as "NUMBER carrier order country", sorted as
// the store lists them.
func (f *feeds) subs(chat bot.ChatRef) []string {
	f.t.Helper()
	trs, err := f.store.Subscriptions(context.Background(), f.chatID(chat))
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, tr := range trs {
		out = append(out, strings.Join([]string{tr.Shipment.Number, tr.Shipment.Carrier, tr.Sub.OrderRef, tr.Shipment.DestinationCountry}, " "))
	}
	return out
}

func shopifyHeaders(key, topic, id string, body []byte) map[string]string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(body)
	return map[string]string{
		"Content-Type":          "application/json",
		"X-Shopify-Topic":       topic,
		"X-Shopify-Hmac-Sha256": base64.StdEncoding.EncodeToString(mac.Sum(nil)),
		"X-Shopify-Shop-Domain": "blue-jackets.myshopify.com",
		"X-Shopify-Webhook-Id":  "delivery-" + id,
		"X-Shopify-Event-Id":    id,
		"X-Shopify-API-Version": "2026-10",
	}
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "orders", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestShopifyFeed: a connected chat's Shopify feed tracks a signed
// fulfillments/create's parcel with its order; a replay changes nothing, a
// forged signature is 401 and writes nothing, and a cancelled fulfillment
// removes the parcel from the chat.
func TestShopifyFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFeeds(t, s, "")
		const key = "4f1d2a0c9b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060000"
		path, reply := f.connect(privateChat, "/connect shopify "+key)
		if !strings.Contains(reply, "Fulfillment creation") {
			t.Errorf("connect reply: %q", reply)
		}
		create := fixture(t, "shopify_fulfillment_create.json")
		const number = "1Z999AA10123456784"

		if got := f.post(path, shopifyHeaders(key, "fulfillments/create", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", create), create); got != 200 {
			t.Fatalf("create: %d", got)
		}
		want := []string{number + " ups #1001 DE"}
		if got := f.subs(privateChat); !equal(got, want) {
			t.Fatalf("after create: %v, want %v", got, want)
		}

		// The team changes the order by hand; Shopify's retry of the same
		// delivery must not undo it.
		f.handle(bot.Message{Chat: privateChat, Text: "/order " + number + " #1001-B"})
		if got := f.post(path, shopifyHeaders(key, "fulfillments/create", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", create), create); got != 200 {
			t.Fatalf("replay: %d", got)
		}
		want = []string{number + " ups #1001-B DE"}
		if got := f.subs(privateChat); !equal(got, want) {
			t.Fatalf("after the replay: %v, want %v", got, want)
		}

		// Forged: signed with another key, naming another parcel.
		forged := bytes.ReplaceAll(create, []byte(number), []byte("1Z12345E6605272234"))
		if got := f.post(path, shopifyHeaders("not-the-shops-key-0000000000", "fulfillments/create", "forged-1", forged), forged); got != 401 {
			t.Errorf("forged: %d, want 401", got)
		}
		if got := f.post(path, map[string]string{"X-Shopify-Topic": "fulfillments/create"}, forged); got != 401 {
			t.Errorf("unsigned: %d, want 401", got)
		}
		if ids, err := s.ShipmentsByNumber(context.Background(), "1Z12345E6605272234"); err != nil || len(ids) != 0 {
			t.Errorf("forged deliveries wrote shipments %v (%v)", ids, err)
		}
		if got := f.subs(privateChat); !equal(got, want) {
			t.Errorf("after forged deliveries: %v, want %v", got, want)
		}

		// The order's own reference again, then the cancellation.
		f.handle(bot.Message{Chat: privateChat, Text: "/order " + number + " #1001"})
		cancelled := fixture(t, "shopify_fulfillment_cancelled.json")
		if got := f.post(path, shopifyHeaders(key, "fulfillments/update", "0d2c6a3e-7fb1-4b9e-9a55-3c1f5e1d9b21", cancelled), cancelled); got != 200 {
			t.Fatalf("cancel: %d", got)
		}
		if got := f.subs(privateChat); len(got) != 0 {
			t.Errorf("after the cancellation the chat still follows %v", got)
		}
		// A late retry of the creation does not bring it back.
		if got := f.post(path, shopifyHeaders(key, "fulfillments/create", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", create), create); got != 200 {
			t.Fatalf("late replay: %d", got)
		}
		if got := f.subs(privateChat); len(got) != 0 {
			t.Errorf("a replayed creation tracked again: %v", got)
		}

		// Disconnected, the URL takes nothing.
		if got := render(f.handle(bot.Message{Chat: privateChat, Text: "/disconnect"})); !strings.Contains(got, "Disconnected") {
			t.Errorf("disconnect: %q", got)
		}
		if got := f.post(path, shopifyHeaders(key, "fulfillments/create", "new-delivery", create), create); got != 404 {
			t.Errorf("after /disconnect: %d, want 404", got)
		}
		if got := f.subs(privateChat); len(got) != 0 {
			t.Errorf("a disconnected feed tracked %v", got)
		}
	})
}

// TestShopifyFeedSharedSecret: without a key of its own, a Shopify feed is
// verified with SHOPIFY_WEBHOOK_SECRET; without either it takes nothing.
func TestShopifyFeedSharedSecret(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	const shared = "shared-shop-key-1234567890"
	f := newFeeds(t, s, shared)
	path, reply := f.connect(privateChat, "/connect shopify")
	if !strings.Contains(reply, "Shopify is connected") {
		t.Errorf("connect reply: %q", reply)
	}
	create := fixture(t, "shopify_fulfillment_create.json")
	if got := f.post(path, shopifyHeaders(shared, "fulfillments/create", "d1", create), create); got != 200 {
		t.Fatalf("signed with the shared secret: %d", got)
	}

	g := newFeeds(t, storetest.Open(t, store.SQLite), "")
	path, reply = g.connect(privateChat, "/connect shopify")
	if !strings.Contains(reply, "/connect shopify KEY") {
		t.Errorf("connect without a key asks for it: %q", reply)
	}
	if got := g.post(path, shopifyHeaders("", "fulfillments/create", "d1", create), create); got != 401 {
		t.Errorf("a feed without a key took a delivery: %d", got)
	}
	if got := g.subs(privateChat); len(got) != 0 {
		t.Errorf("tracked %v", got)
	}
}

func genericHeaders(secret string, ts int64, body []byte) map[string]string {
	stamp := strconv.FormatInt(ts, 10)
	return map[string]string{
		"Content-Type":      "application/json",
		bot.HeaderTimestamp: stamp,
		bot.HeaderSignature: "sha256=" + hex.EncodeToString(bot.SignOrders(secret, stamp, body)),
	}
}

var feedSecret = regexp.MustCompile(`\b[0-9a-f]{64}\b`)

// TestGenericFeed: the generic hook takes one order or many, signed; a bad
// or stale signature is 401 and a bad body 400, both writing nothing; a
// replayed delivery changes nothing.
func TestGenericFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFeeds(t, s, "")
		path, reply := f.connect(privateChat, "/connect webhook")
		secret := feedSecret.FindString(reply)
		if secret == "" {
			t.Fatalf("no secret in %q", reply)
		}
		now := t0.Unix()

		one := []byte(`{"order": "A-1001", "number": "1Z999AA10123456784", "carrier": "UPS", "country": "de"}`)
		if got := f.post(path, genericHeaders(secret, now, one), one); got != 200 {
			t.Fatalf("one: %d", got)
		}
		want := []string{"1Z999AA10123456784 ups A-1001 DE"}
		if got := f.subs(privateChat); !equal(got, want) {
			t.Fatalf("after one: %v, want %v", got, want)
		}

		many := []byte(`[{"order": "A-1002", "number": "DEMO-LIVE-FR"},
			{"order": "A-1003", "number": "demo-stalled", "carrier": "Some Local Courier"}]`)
		if got := f.post(path, genericHeaders(secret, now, many), many); got != 200 {
			t.Fatalf("many: %d", got)
		}
		want = []string{"1Z999AA10123456784 ups A-1001 DE", "DEMO-LIVE-FR demo A-1002 ", "DEMO-STALLED demo A-1003 "}
		if got := f.subs(privateChat); !equal(sorted(got), want) {
			t.Fatalf("after many: %v, want %v", got, want)
		}

		// A replay within the window changes nothing, even what the chat
		// changed since.
		f.handle(bot.Message{Chat: privateChat, Text: "/order DEMO-LIVE-FR A-2002"})
		if got := f.post(path, genericHeaders(secret, now, many), many); got != 200 {
			t.Fatalf("replay: %d", got)
		}
		want[1] = "DEMO-LIVE-FR demo A-2002 "
		if got := f.subs(privateChat); !equal(sorted(got), want) {
			t.Fatalf("after the replay: %v, want %v", got, want)
		}

		fresh := []byte(`{"order": "B-1", "number": "DEMO-DELIVERED-1"}`)
		refused := []struct {
			name   string
			header map[string]string
			body   []byte
			status int
		}{
			{"signed with another secret", genericHeaders(strings.Repeat("0", 64), now, fresh), fresh, 401},
			{"without a signature", map[string]string{bot.HeaderTimestamp: strconv.FormatInt(now, 10)}, fresh, 401},
			{"signed six minutes ago", genericHeaders(secret, now-360, fresh), fresh, 401},
			{"signature of another body", genericHeaders(secret, now, one), fresh, 401},
			{"not JSON", genericHeaders(secret, now, []byte("order=B-1")), []byte("order=B-1"), 400},
			{"empty", genericHeaders(secret, now, nil), nil, 400},
			{"a misspelt field after a good order", genericHeaders(secret, now, []byte(`[{"number": "DEMO-DELIVERED-1"}, {"numbr": "DEMO-LOST"}]`)),
				[]byte(`[{"number": "DEMO-DELIVERED-1"}, {"numbr": "DEMO-LOST"}]`), 400},
			{"a bad number after a good order", genericHeaders(secret, now, []byte(`[{"number": "DEMO-DELIVERED-1"}, {"number": "no"}]`)),
				[]byte(`[{"number": "DEMO-DELIVERED-1"}, {"number": "no"}]`), 400},
			{"an unknown country", genericHeaders(secret, now, []byte(`{"number": "DEMO-DELIVERED-1", "country": "Germany"}`)),
				[]byte(`{"number": "DEMO-DELIVERED-1", "country": "Germany"}`), 400},
		}
		for _, c := range refused {
			if got := f.post(path, c.header, c.body); got != c.status {
				t.Errorf("%s: %d, want %d", c.name, got, c.status)
			}
		}
		if got := f.subs(privateChat); !equal(sorted(got), want) {
			t.Errorf("refused deliveries changed the chat: %v, want %v", got, want)
		}
		if ids, err := s.ShipmentsByNumber(context.Background(), "DEMO-DELIVERED-1"); err != nil || len(ids) != 0 {
			t.Errorf("refused deliveries wrote shipments %v (%v)", ids, err)
		}

		// /connect webhook again: a new secret for the same URL.
		again, reply := f.connect(privateChat, "/connect webhook")
		if again != path || feedSecret.FindString(reply) == secret {
			t.Errorf("reconnecting: path %s (was %s), secret renewed: %v", again, path, feedSecret.FindString(reply) != secret)
		}
		if got := f.post(path, genericHeaders(secret, now, fresh), fresh); got != 401 {
			t.Errorf("the old secret still signs: %d", got)
		}
		if got := f.post("/webhooks/orders/nosuchfeed", genericHeaders(secret, now, fresh), fresh); got != 404 {
			t.Errorf("unknown feed: %d, want 404", got)
		}
	})
}

// whisperAdapter administers chats for admins and whispers into whispered,
// or fails with err.
type whisperAdapter struct {
	adminsAdapter
	whispered []string
	err       error
}

func (a *whisperAdapter) Whisper(_ context.Context, _ bot.ChatRef, user string, r bot.Reply) error {
	if a.err != nil {
		return a.err
	}
	a.whispered = append(a.whispered, user+": "+render([]bot.Reply{r}))
	return nil
}

// TestConnectInSharedChats: in a group only an admin connects, the
// details reach that admin alone, and a key typed where everyone reads it
// is refused; the admin gives the key in the private chat.
func TestConnectInSharedChats(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	f := newFeeds(t, s, "")
	ctx := context.Background()
	via := &whisperAdapter{adminsAdapter: adminsAdapter{admins: map[string]bool{"boss": true}}}
	say := func(chat bot.ChatRef, user, text string, a bot.Adapter) string {
		return render(f.handle(bot.Message{Chat: chat, User: user, Text: text, Via: a}))
	}
	feedsOf := func(chat bot.ChatRef) int {
		n := 0
		for _, kind := range []string{"shopify", "webhook"} {
			if _, err := s.ChatOrderHook(ctx, f.chatID(chat), kind); err == nil {
				n++
			}
		}
		return n
	}

	if got := say(groupChat, "member", "/connect webhook", via); !strings.Contains(got, "Only an admin") {
		t.Errorf("a member connected: %q", got)
	}
	if got := say(groupChat, "boss", "/connect shopify 0123456789abcdef0123456789abcdef", via); !strings.Contains(got, "didn't keep it") {
		t.Errorf("a key typed in the group: %q", got)
	}
	if got := say(groupChat, "boss", "/connect webhook", &via.adminsAdapter); !strings.Contains(got, "can't tell you anything privately") {
		t.Errorf("without a private way: %q", got)
	}
	gone := &whisperAdapter{adminsAdapter: via.adminsAdapter, err: bot.ErrChatGone}
	if got := say(groupChat, "boss", "/connect webhook", gone); !strings.Contains(got, "press Start") {
		t.Errorf("an admin the bot cannot reach privately: %q", got)
	}
	if n := feedsOf(groupChat); n != 0 {
		t.Fatalf("refusals wrote %d feeds", n)
	}

	got := say(groupChat, "boss", "/connect webhook", via)
	if !strings.Contains(got, "privately") || feedURL.MatchString(got) || feedSecret.MatchString(got) {
		t.Errorf("the group's answer: %q", got)
	}
	if len(via.whispered) != 1 || !strings.HasPrefix(via.whispered[0], "boss: ") || !feedURL.MatchString(via.whispered[0]) || !feedSecret.MatchString(via.whispered[0]) {
		t.Fatalf("whispered %q", via.whispered)
	}

	// Shopify: the group's admin is told privately how to give the key.
	say(groupChat, "boss", "/connect shopify", via)
	whisper := via.whispered[len(via.whispered)-1]
	command := regexp.MustCompile(`/connect shopify ([a-z0-9]+) KEY`).FindStringSubmatch(whisper)
	if command == nil {
		t.Fatalf("no command for the key in %q", whisper)
	}
	path := feedURL.FindString(whisper)
	const key = "a3f5c9e1b7d2486f0e1c3b5a7d9f2468"
	// Someone else's private chat: not an admin of the group.
	stranger := bot.ChatRef{Platform: bot.Telegram, ID: "3003", Kind: bot.Private}
	if got := say(stranger, "member", "/connect shopify "+command[1]+" "+key, via); !strings.Contains(got, "Only an admin") {
		t.Errorf("a member gave the key: %q", got)
	}
	boss := bot.ChatRef{Platform: bot.Telegram, ID: "4004", Kind: bot.Private}
	if got := say(boss, "boss", "/connect shopify "+command[1]+" "+key, via); !strings.Contains(got, "Key saved") {
		t.Errorf("the admin gave the key: %q", got)
	}
	create := fixture(t, "shopify_fulfillment_create.json")
	if got := f.post(strings.TrimPrefix(path, publicURL), shopifyHeaders(key, "fulfillments/create", "x1", create), create); got != 200 {
		t.Fatalf("a delivery signed with the key given privately: %d", got)
	}
	if got := f.subs(groupChat); len(got) != 1 || !strings.HasPrefix(got[0], "1Z999AA10123456784 ups #1001") {
		t.Errorf("the group follows %v", got)
	}
	if got := f.subs(boss); len(got) != 0 {
		t.Errorf("the admin's private chat follows %v", got)
	}

	// Slack: a slash command's text is unseen, so the key may come with it.
	channel := bot.ChatRef{Platform: bot.Slack, Team: "T1", ID: "C9", Kind: bot.Channel}
	if got := render(f.handle(bot.Message{Chat: channel, User: "boss", Text: "/connect shopify " + key, Via: via, Unseen: true})); !strings.Contains(got, "privately") {
		t.Errorf("slash command with a key: %q", got)
	}
	if h, err := s.ChatOrderHook(ctx, f.chatID(channel), "shopify"); err != nil || h.Secret != key {
		t.Errorf("the channel's feed: %+v, %v", h, err)
	}

	if got := say(groupChat, "member", "/disconnect", via); !strings.Contains(got, "Only an admin") {
		t.Errorf("a member disconnected: %q", got)
	}
	if got := say(groupChat, "boss", "/disconnect webhook", via); !strings.Contains(got, "Disconnected") || feedsOf(groupChat) != 1 {
		t.Errorf("disconnecting the webhook: %q, %d feeds left", got, feedsOf(groupChat))
	}
}

// TestConnectNeedsPublicURL: without PUBLIC_URL there is no address to
// give, and nothing is written.
func TestConnectNeedsPublicURL(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	h := newHarness(t, s)
	if got := render(h.say(privateChat, "en", "/connect webhook")); !strings.Contains(got, "PUBLIC_URL") {
		t.Errorf("reply: %q", got)
	}
	chat, _ := s.EnsureChat(context.Background(), "telegram", "", privateChat.ID, "private", "buyer", t0)
	if _, err := s.ChatOrderHook(context.Background(), chat.ID, "webhook"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a feed was written: %v", err)
	}
}

func equal(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }

func sorted(a []string) []string {
	out := slices.Clone(a)
	slices.Sort(out)
	return out
}

// postAnswer posts like post and returns the status and the answer's body.
func (f *feeds) postAnswer(path string, header map[string]string, body []byte) (int, string) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, bytes.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestOrderFeedRefusalsSayTheReasonAlone: a refused delivery is answered
// with its reason in the sender's terms, not with the chain of packages
// it went through ("bot: order feed: … : tracking: webhook payload
// unreadable").
func TestOrderFeedRefusalsSayTheReasonAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFeeds(t, s, "")
		path, reply := f.connect(privateChat, "/connect webhook")
		secret := feedSecret.FindString(reply)
		for _, c := range []struct {
			body   string
			status int
			reason string
		}{
			{`[{"order": "A-1", "number": "x"}]`, 400, `"x" is not a tracking number (6 to 40 of A-Z, 0-9, - and _)`},
			{`[{"order": "A-1", "number": "DEMO-LABEL", "country": "XX"}]`, 400, `country "XX" of DEMO-LABEL is not an ISO 3166 alpha-2 code`},
			{`{"order": "A-1", "number": "DEMO-LABEL", "colour": "red"}`, 400, `not an order or an array of orders (json: unknown field "colour")`},
			{`[{"order": "A-1", "number": "RR123456785CN"}]`, 422, "RR123456785CN (china-post): no tracking service configured here serves this carrier"},
		} {
			status, answer := f.postAnswer(path, genericHeaders(secret, t0.Unix(), []byte(c.body)), []byte(c.body))
			if status != c.status || !strings.HasPrefix(answer, c.reason) || strings.Contains(answer, "bot:") || strings.Contains(answer, "tracking:") {
				t.Errorf("%s: %d %q, want %d and the reason %q alone", c.body, status, answer, c.status, c.reason)
			}
		}
	})
}
