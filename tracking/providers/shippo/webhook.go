package shippo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/wire"
)

// SignatureHeader is the header of Shippo's HMAC webhook signature,
// "t=<unix time>,v1=<hex HMAC-SHA256 of t + "." + body>".
const SignatureHeader = "Shippo-Auth-Signature"

// TokenHeader carries the token of the webhook URL to ParseWebhook.
// Shippo's other way to authenticate a push is a secret token appended to
// the webhook URL (…/webhooks/shippo?token=SECRET), which a parser given
// only the headers and the body cannot see: the web layer copies the
// request's "token" query parameter into this header, replacing any header
// of that name the caller sent.
const TokenHeader = "X-Trackbot-Webhook-Token"

// signatureWindow is how far a signature's time may be from now: replays
// of an old push are refused, and clock skew within it is forgiven.
const signatureWindow = 5 * time.Minute

// webhookEventTrackUpdated is the only event that carries a track.
const webhookEventTrackUpdated = "track_updated"

// webhook is the body of a push.
//
// Schema: WebhookPayloadTrack of Shippo's SDKs (goshippo/shippo-python-sdk,
// docs/models/components/webhookpayloadtrack.md).
type webhook struct {
	Event string `json:"event"`
	Test  bool   `json:"test"`
	// Data is a Track for track_updated and another object for the other
	// events, so it is decoded only once the event is known.
	Data json.RawMessage `json:"data"`
}

// ParseWebhook authenticates a push to POST /webhooks/shippo and returns the
// track it carries. A push is genuine when its Shippo-Auth-Signature is an
// HMAC of the body under the webhook secret made within five minutes of
// now, or when TokenHeader holds the webhook secret; anything else, and any
// push while no secret is configured, gives tracking.ErrBadSignature.
// Pushes of other events than track_updated give no results and no error,
// so that they are acknowledged and dropped.
//
// API: https://docs.goshippo.com/docs/tracking/webhooksecurity
func (p *Provider) ParseWebhook(header http.Header, body []byte) ([]*tracking.Result, error) {
	if !p.authentic(header, body) {
		return nil, fmt.Errorf("shippo: webhook: %w", tracking.ErrBadSignature)
	}
	var w webhook
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("shippo: webhook: decode: %w: %w", tracking.ErrBadPayload, err)
	}
	if w.Event != webhookEventTrackUpdated || len(w.Data) == 0 || string(w.Data) == "null" {
		return nil, nil
	}
	var tr track
	if err := json.Unmarshal(w.Data, &tr); err != nil {
		return nil, fmt.Errorf("shippo: webhook: decode track: %w: %w", tracking.ErrBadPayload, err)
	}
	return []*tracking.Result{p.result(&tr, "", "")}, nil
}

// authentic reports whether the push carries the URL token or a valid,
// fresh signature.
func (p *Provider) authentic(header http.Header, body []byte) bool {
	if p.secret == "" {
		return false
	}
	if token := header.Get(TokenHeader); token != "" && wire.EqualSecret(token, p.secret) {
		return true
	}
	sig := header.Get(SignatureHeader)
	if sig == "" {
		return false
	}
	return validSignature(sig, p.secret, body, p.now())
}

// validSignature checks a "t=…,v1=…" header. Several v1 values are allowed,
// as during a secret rotation; one matching is enough.
func validSignature(sig, secret string, body []byte, now time.Time) bool {
	var ts string
	var macs [][]byte
	for part := range strings.SplitSeq(sig, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			if mac, err := hex.DecodeString(v); err == nil {
				macs = append(macs, mac)
			}
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(macs) == 0 {
		return false
	}
	if d := now.Sub(time.Unix(unix, 0)); d > signatureWindow || d < -signatureWindow {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	want := m.Sum(nil)
	for _, mac := range macs {
		if hmac.Equal(mac, want) {
			return true
		}
	}
	return false
}
