// Package dhl looks parcels up through DHL's Shipment Tracking – Unified
// API, which covers DHL Express, DHL Paket/Deutsche Post and DHL eCommerce
// with one key, and parses the pushes of its Push companion API.
//
// DHL reports only a coarse statusCode per event (pre-transit, transit,
// delivered, failure, unknown) plus free text in each division's own
// wording, so sub-statuses come from the text through
// tracking.GuessSubstatus, kept only where they agree with the statusCode.
//
// There is no PushRegisterer. DHL's Push API subscribes a whole customer
// account (POST /tracking/push/v1/subscription with type "Account"), once,
// with a callback header name and token the subscriber chooses; the
// per-tracking-ID subscriptions it also offers are limited to selected
// divisions and scenarios, so trackbot cannot rely on them for an arbitrary
// number and registers nothing per shipment. The operator subscribes the
// account once with the URL PUBLIC_URL/webhooks/dhl, the header
// DHL-Webhook-Token and the token of Config.WebhookSecret; trackbot keeps
// polling numbers outside that account.
package dhl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/wire"
)

// DefaultBaseURL is the Unified API's shipments endpoint, used when
// Config.BaseURL is empty.
const DefaultBaseURL = "https://api-eu.dhl.com/track/shipments"

// Name is the provider's name, also the {name} of its POST /webhooks/{name}
// route.
const Name = "dhl"

// ErrKeyRefused is wrapped by every error caused by DHL refusing the API key
// (HTTP 401 or 403). It is permanent: retrying will not help until the
// operator fixes DHL_API_KEY.
var ErrKeyRefused = errors.New("dhl: API key refused")

// Config configures a Provider.
type Config struct {
	// APIKey is the consumer key of an app subscribed to Shipment
	// Tracking – Unified.
	APIKey string
	// BaseURL is the shipments endpoint; empty means DefaultBaseURL.
	BaseURL string
	// WebhookSecret is the token DHL's push subscription sends in the
	// DHL-Webhook-Token header. Empty rejects every push.
	WebhookSecret string
	// HTTPClient makes the calls; nil means a client with a 30-second
	// timeout.
	HTTPClient *http.Client
	// Now tells the time for Retry-After dates; nil means time.Now.
	Now func() time.Time
}

// Provider is a client of DHL Shipment Tracking – Unified. It is safe for
// concurrent use.
type Provider struct {
	apiKey  string
	baseURL string
	secret  string
	client  *http.Client
	now     func() time.Time
	unknown tracking.UnknownCodes
}

var (
	_ tracking.Provider      = (*Provider)(nil)
	_ tracking.WebhookParser = (*Provider)(nil)
)

// New returns a Provider for cfg.
func New(cfg Config) *Provider {
	return &Provider{
		apiKey:  cfg.APIKey,
		baseURL: wire.BaseURL(cfg.BaseURL, DefaultBaseURL),
		secret:  cfg.WebhookSecret,
		client:  wire.HTTPClient(cfg.HTTPClient),
		now:     wire.Clock(cfg.Now),
	}
}

// Name returns "dhl", the name pushes arrive under at POST /webhooks/dhl.
func (p *Provider) Name() string { return Name }

// Lookup fetches the shipment q.Number. A DHL carrier hint becomes the
// service parameter, because without it DHL may answer with another
// division's shipment of the same number; any other hint lets DHL search
// all divisions. A 404 or an empty answer gives an error wrapping
// tracking.ErrNumberUnknown.
//
// API: https://developer.dhl.com/api-reference/shipment-tracking
func (p *Provider) Lookup(ctx context.Context, q tracking.Query) (*tracking.Result, error) {
	u, err := url.Parse(p.baseURL)
	if err != nil {
		return nil, fmt.Errorf("dhl: lookup %s: base URL: %w", q.Number, err)
	}
	params := u.Query()
	params.Set("trackingNumber", q.Number)
	if service, ok := carrierService(q.Carrier); ok {
		params.Set("service", service)
	}
	u.RawQuery = params.Encode()
	req, err := wire.NewRequest(ctx, http.MethodGet, u.String(), nil, http.Header{"DHL-API-Key": {p.apiKey}})
	if err != nil {
		return nil, fmt.Errorf("dhl: lookup %s: %w", q.Number, err)
	}
	var resp response
	if err := p.do(req, &resp); err != nil {
		return nil, fmt.Errorf("dhl: lookup %s: %w", q.Number, err)
	}
	s := resp.shipmentFor(q.Number)
	if s == nil {
		return nil, fmt.Errorf("dhl: lookup %s: no shipment: %w", q.Number, tracking.ErrNumberUnknown)
	}
	return p.result(s, resp.PossibleAdditionalShipmentsURL, q.Number, q.Carrier), nil
}

// do sends req and decodes a 2xx body into out. Other answers become the
// errors the engine tells apart: a *tracking.RateLimitError,
// tracking.ErrUnavailable, tracking.ErrNumberUnknown or ErrKeyRefused.
func (p *Provider) do(req *http.Request, out any) error {
	code, body, err := wire.Call(p.client, req, Name, ErrKeyRefused, p.now())
	if err != nil {
		return err
	}
	return wire.Decode(code, body, out, p.problem)
}

// problem reads DHL's RFC 7807 error body ({"title", "detail", "status"})
// into a short text, falling back to the raw body, with the key and secret
// cut out in case a proxy echoes them back.
func (p *Provider) problem(body []byte) string {
	var pr struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	s := string(body)
	if json.Unmarshal(body, &pr) == nil && (pr.Title != "" || pr.Detail != "") {
		s = joinTexts(": ", pr.Title, pr.Detail)
	}
	return wire.Snippet(s, p.apiKey, p.secret)
}
