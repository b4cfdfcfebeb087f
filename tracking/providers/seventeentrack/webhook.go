package seventeentrack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/trackbot/trackbot/tracking"
)

// eventUpdated is the push that carries a number's news; the other one,
// TRACKING_STOPPED, only says that 17TRACK stopped polling.
const eventUpdated = "TRACKING_UPDATED"

// ParseWebhook checks the push's "sign" header, the hex SHA-256 of the raw
// body, a slash and the API key, and returns tracking.ErrBadSignature when
// it does not match. A TRACKING_UPDATED push gives one result; a
// TRACKING_STOPPED push, and any event it does not know, give none.
//
// API: https://asset.17track.net/api/document/v2.2_en/index.html (webhook)
func (p *Provider) ParseWebhook(header http.Header, body []byte) ([]*tracking.Result, error) {
	if !p.validSignature(header.Get("sign"), body) {
		return nil, tracking.ErrBadSignature
	}
	var push struct {
		Event string `json:"event"`
		Data  item   `json:"data"`
	}
	if err := json.Unmarshal(body, &push); err != nil {
		return nil, fmt.Errorf("17track: webhook: %w: %w", tracking.ErrBadPayload, err)
	}
	if push.Event != eventUpdated || strings.TrimSpace(push.Data.Number) == "" {
		return nil, nil
	}
	return []*tracking.Result{p.result(&push.Data)}, nil
}

// validSignature compares in constant time. Without a key nothing can be
// verified, so nothing is accepted.
func (p *Provider) validSignature(sign string, body []byte) bool {
	if p.signKey == "" {
		return false
	}
	h := sha256.New()
	h.Write(body)
	h.Write([]byte("/" + p.signKey))
	want := hex.EncodeToString(h.Sum(nil))
	got := strings.ToLower(strings.TrimSpace(sign))
	return hmac.Equal([]byte(got), []byte(want))
}
