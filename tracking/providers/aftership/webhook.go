package aftership

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/trackbot/trackbot/tracking"
)

// signatureHeader carries base64(HMAC-SHA256(webhook secret, raw body)).
const signatureHeader = "aftership-hmac-sha256"

// ParseWebhook checks the push's aftership-hmac-sha256 header against the
// webhook secret and returns tracking.ErrBadSignature when it does not
// match. A push that carries a tracking (tracking_update, edd_revise, …)
// gives one result, parsed like a looked-up one.
//
// API: https://www.aftership.com/docs/tracking/webhook/webhook-signature and
// https://www.aftership.com/docs/tracking/2025-01/webhook/webhook-specifications
func (p *Provider) ParseWebhook(header http.Header, body []byte) ([]*tracking.Result, error) {
	if !p.validSignature(header.Get(signatureHeader), body) {
		return nil, tracking.ErrBadSignature
	}
	var push struct {
		Event string          `json:"event"`
		Msg   *trackingObject `json:"msg"`
	}
	if err := json.Unmarshal(body, &push); err != nil {
		return nil, fmt.Errorf("aftership: webhook: %w: %w", tracking.ErrBadPayload, err)
	}
	if push.Msg == nil || strings.TrimSpace(push.Msg.TrackingNumber) == "" {
		return nil, nil
	}
	return []*tracking.Result{p.result(push.Msg)}, nil
}

// validSignature compares in constant time. Without a secret nothing can
// be verified, so nothing is accepted.
func (p *Provider) validSignature(sig string, body []byte) bool {
	if p.secret == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sig))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(p.secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}
