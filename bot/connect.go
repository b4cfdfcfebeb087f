package bot

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"slices"
	"strings"

	"github.com/trackbot/trackbot/store"
)

// A chat's order feeds (README, "For seller teams"): /connect gives the
// chat a URL, PUBLIC_URL/webhooks/orders/{id}, to which a shop posts its
// orders (ReceiveOrders); /disconnect revokes it. The secret that signs
// the deliveries never passes through a shared chat: there the details go
// to the admin alone (Whisperer), and a key typed where everyone sees it
// is refused.

// The kinds of order feed, as /connect names them.
const (
	feedShopify = "shopify"
	feedWebhook = "webhook"
)

var feedKinds = []string{feedShopify, feedWebhook}

// connect connects the chat's feed of a kind: "/connect webhook",
// "/connect shopify [KEY]", and, in a private chat, "/connect shopify ID
// KEY", which gives the key of a group's feed (the group's /connect told
// its admin so, privately).
func (t *turn) connect(args string) []Reply {
	words := fields(args)
	if len(words) == 0 || !slices.Contains(feedKinds, strings.ToLower(words[0])) {
		return t.text("connect_usage", nil)
	}
	kind, rest := strings.ToLower(words[0]), words[1:]
	shared := t.msg.Chat.Kind == Group || t.msg.Chat.Kind == Channel
	if kind == feedShopify && len(rest) > 0 && shared && !t.msg.Unseen {
		// Everyone saw it; storing it would make a shared secret of it.
		return t.text("connect_key_exposed", nil)
	}
	switch {
	case kind == feedWebhook && len(rest) > 0, len(rest) > 2, len(rest) == 2 && shared:
		return t.text("connect_usage", nil)
	case len(rest) == 2:
		return t.connectKey(rest[0], rest[1])
	}
	if t.b.publicURL == "" {
		return t.text("connect_no_public_url", nil)
	}
	key := ""
	if len(rest) == 1 {
		if key = rest[0]; !validKey(key) {
			return t.text("connect_bad_key", nil)
		}
	}
	if refused := t.adminOnly(); refused != nil {
		return refused
	}
	hook := store.OrderHook{ID: newFeedID(), ChatID: t.chat.ID, Kind: kind, CreatedAt: t.now}
	existing, err := t.b.store.ChatOrderHook(t.ctx, t.chat.ID, kind)
	switch {
	case err == nil:
		// The shop keeps the URL it knows; a Shopify key stays until a
		// new one is given.
		hook.ID, hook.Secret = existing.ID, existing.Secret
	case !errors.Is(err, store.ErrNotFound):
		return t.fail(err)
	}
	data := map[string]any{"URL": t.b.publicURL + "/webhooks/orders/" + hook.ID}
	var details string
	switch {
	case kind == feedWebhook:
		// A secret is shown once: connecting again makes a new one.
		hook.Secret = newFeedSecret()
		data["Secret"] = hook.Secret
		details = t.T("connect_webhook_ready", data)
	case key != "":
		hook.Secret = key
		details = t.T("connect_shopify_ready", data)
	case hook.Secret != "" || t.b.shopifySecret != "":
		details = t.T("connect_shopify_ready", data)
	case shared && !t.msg.Unseen:
		data["Command"] = "/connect shopify " + hook.ID + " KEY"
		details = t.T("connect_shopify_key_privately", data)
	default:
		data["Command"] = "/connect shopify KEY"
		details = t.T("connect_shopify_key", data)
	}
	save := func() error {
		_, err := t.b.store.SaveOrderHook(t.ctx, hook)
		return err
	}
	if !shared {
		if err := save(); err != nil {
			return t.fail(err)
		}
		return []Reply{TextReply(details)}
	}
	return t.whisper(TextReply(details), save)
}

// whisper tells the person who asked in a shared chat what the others must
// not see, then does write; the chat hears only that it was sent. Written
// after the whisper, so that a secret nobody was told is never kept.
func (t *turn) whisper(r Reply, write func() error) []Reply {
	w, ok := t.msg.Via.(Whisperer)
	if !ok {
		return t.text("connect_no_whisper", nil)
	}
	err := w.Whisper(t.ctx, t.msg.Chat, t.msg.User, r)
	if errors.Is(err, ErrChatGone) {
		// Telegram: the person never opened a chat with the bot; Slack:
		// the bot is not in the channel, where ephemeral messages go.
		if t.msg.Chat.Platform == Slack {
			return t.text("connect_invite_me", nil)
		}
		return t.text("connect_start_private", nil)
	}
	if err != nil {
		return t.fail(err)
	}
	if err := write(); err != nil {
		return t.fail(err)
	}
	return t.text("connect_sent_privately", nil)
}

// connectKey takes, in a private chat, the Shopify key of a feed that a
// group's /connect created: the person must administer that group.
func (t *turn) connectKey(id, key string) []Reply {
	if !validKey(key) {
		return t.text("connect_bad_key", nil)
	}
	hook, err := t.b.store.OrderHook(t.ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return t.text("connect_unknown_feed", nil)
	}
	if err != nil {
		return t.fail(err)
	}
	owner, err := t.b.store.Chat(t.ctx, hook.ChatID)
	if err != nil {
		return t.fail(err)
	}
	if hook.Kind != feedShopify || owner.Platform != string(t.msg.Chat.Platform) {
		return t.text("connect_unknown_feed", nil)
	}
	if owner.ID != t.chat.ID {
		admins, ok := t.msg.Via.(Admins)
		if !ok {
			return t.text("error_admin_only", nil)
		}
		group := ChatRef{Platform: t.msg.Chat.Platform, Team: owner.TeamID, ID: owner.ExternalID, Kind: ChatKind(owner.Kind)}
		admin, err := admins.IsAdmin(t.ctx, group, t.msg.User)
		if err != nil {
			return t.fail(err)
		}
		if !admin {
			return t.text("error_admin_only", nil)
		}
	}
	if err := t.b.store.SetOrderHookSecret(t.ctx, id, key); err != nil {
		return t.fail(err)
	}
	return t.text("connect_key_saved", nil)
}

// disconnect revokes the chat's feeds, all or those of one kind: their
// URLs take nothing from then on, and what they tracked stays tracked.
func (t *turn) disconnect(args string) []Reply {
	kind := strings.ToLower(strings.TrimSpace(args))
	if kind != "" && !slices.Contains(feedKinds, kind) {
		return t.text("disconnect_usage", nil)
	}
	if refused := t.adminOnly(); refused != nil {
		return refused
	}
	n, err := t.b.store.DeleteOrderHooks(t.ctx, t.chat.ID, kind)
	if err != nil {
		return t.fail(err)
	}
	if n == 0 {
		return t.text("disconnect_none", nil)
	}
	return t.text("disconnect_done", nil)
}

// validKey reports whether a Shopify signing key looks like one: 16 to 256
// visible ASCII characters (Shopify's are 64 hex digits).
func validKey(k string) bool {
	if len(k) < 16 || len(k) > 256 {
		return false
	}
	for _, r := range k {
		if r <= ' ' || r > '~' {
			return false
		}
	}
	return true
}

// newFeedID is a feed's name in its URL: 128 random bits, so that nobody
// finds a feed by guessing.
func newFeedID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// newFeedSecret is a generic feed's signing secret: 256 random bits.
func newFeedSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}
