package dhl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/wire"
)

// TokenHeader is the header DHL's push subscription is told to send the
// webhook token in (the "header" of its ApiKeyAuthentication). DHL pushes
// carry no signature: this static token is all there is.
const TokenHeader = "DHL-Webhook-Token"

// push is a pushed body. DHL documents that the Push API's bodies differ by
// division; the ones trackbot accepts carry the Unified API's shipment
// shape, wrapped in "shipments" or not.
type push struct {
	response
	shipment
}

// ParseWebhook authenticates a push to POST /webhooks/dhl by the token in
// TokenHeader, compared in constant time with Config.WebhookSecret, and
// returns one result per shipment it carries. A wrong or missing token,
// and any push while no secret is configured, give
// tracking.ErrBadSignature. The body may be the Unified API's answer
// ({"shipments": [...]}), one shipment, or an array of shipments;
// shipments without an id are skipped.
//
// API: https://developer.dhl.com/api-reference/shipment-tracking-unified-push
func (p *Provider) ParseWebhook(header http.Header, body []byte) ([]*tracking.Result, error) {
	if p.secret == "" || !wire.EqualSecret(header.Get(TokenHeader), p.secret) {
		return nil, fmt.Errorf("dhl: webhook: %w", tracking.ErrBadSignature)
	}
	var shipments []shipment
	var additional []string
	if b := bytes.TrimSpace(body); len(b) > 0 && b[0] == '[' {
		if err := json.Unmarshal(b, &shipments); err != nil {
			return nil, fmt.Errorf("dhl: webhook: decode: %w: %w", tracking.ErrBadPayload, err)
		}
	} else {
		var pu push
		if err := json.Unmarshal(b, &pu); err != nil {
			return nil, fmt.Errorf("dhl: webhook: decode: %w: %w", tracking.ErrBadPayload, err)
		}
		shipments, additional = pu.Shipments, pu.PossibleAdditionalShipmentsURL
		if len(shipments) == 0 {
			shipments = []shipment{pu.shipment}
		}
	}
	var results []*tracking.Result
	for i := range shipments {
		s := &shipments[i]
		if s.ID == "" {
			continue
		}
		results = append(results, p.result(s, additional, "", ""))
	}
	return results, nil
}
