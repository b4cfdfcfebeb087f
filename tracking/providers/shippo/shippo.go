// Package shippo looks parcels up through the Shippo Tracks API, registers
// them for Shippo's track_updated webhook and parses those pushes into
// trackbot's normalized model.
//
// Shippo cannot detect a carrier: every call names one of Shippo's carrier
// tokens, so a query without a carrier this package can map is answered
// with tracking.ErrNumberUnknown and the engine asks another provider.
package shippo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/wire"
)

// DefaultBaseURL is Shippo's API root, used when Config.BaseURL is empty.
const DefaultBaseURL = "https://api.goshippo.com"

// Name is the provider's name, also the {name} of its POST /webhooks/{name}
// route.
const Name = "shippo"

// ErrKeyRefused is wrapped by every error caused by Shippo refusing the API
// token (HTTP 401 or 403). It is permanent: retrying will not help until the
// operator fixes SHIPPO_API_TOKEN.
var ErrKeyRefused = errors.New("shippo: API token refused")

// Config configures a Provider.
type Config struct {
	// APIKey is the Shippo API token (live or shippo_test_…).
	APIKey string
	// BaseURL is the API root; empty means DefaultBaseURL.
	BaseURL string
	// WebhookSecret authenticates pushes: it is the HMAC key of the
	// Shippo-Auth-Signature header and the token appended to the webhook
	// URL. Empty rejects every push.
	WebhookSecret string
	// HTTPClient makes the calls; nil means a client with a 30-second
	// timeout.
	HTTPClient *http.Client
	// Now tells the time for webhook signature windows and Retry-After
	// dates; nil means time.Now.
	Now func() time.Time
}

// Provider is a client of the Shippo Tracks API. It is safe for concurrent
// use.
type Provider struct {
	apiKey  string
	baseURL string
	secret  string
	client  *http.Client
	now     func() time.Time
	unknown tracking.UnknownCodes
}

var (
	_ tracking.Provider       = (*Provider)(nil)
	_ tracking.PushRegisterer = (*Provider)(nil)
	_ tracking.WebhookParser  = (*Provider)(nil)
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

// Name returns "shippo", the name pushes arrive under at
// POST /webhooks/shippo.
func (p *Provider) Name() string { return Name }

// Lookup fetches the track of q.Number at the carrier q.Carrier names.
// A query without a carrier Shippo knows, a 404, and a track Shippo has no
// status for at all give an error wrapping tracking.ErrNumberUnknown.
//
// API: https://docs.goshippo.com/api-reference/tracking-status/get-a-tracking-status
func (p *Provider) Lookup(ctx context.Context, q tracking.Query) (*tracking.Result, error) {
	token, ok := carrierToken(q.Carrier)
	if !ok {
		return nil, fmt.Errorf("shippo: lookup %s: no Shippo carrier for %q: %w", q.Number, q.Carrier, tracking.ErrNumberUnknown)
	}
	u := p.baseURL + "/tracks/" + url.PathEscape(token) + "/" + url.PathEscape(q.Number)
	req, err := wire.NewRequest(ctx, http.MethodGet, u, nil, p.auth())
	if err != nil {
		return nil, fmt.Errorf("shippo: lookup %s: %w", q.Number, err)
	}
	var tr track
	if err := p.do(req, &tr); err != nil {
		return nil, fmt.Errorf("shippo: lookup %s: %w", q.Number, err)
	}
	if tr.TrackingStatus == nil && len(tr.TrackingHistory) == 0 {
		return nil, fmt.Errorf("shippo: lookup %s: no tracking status: %w", q.Number, tracking.ErrNumberUnknown)
	}
	res := p.result(&tr, q.Number, q.Carrier)
	if res.Status == tracking.StatusUnknown && len(res.Events) == 0 {
		// An UNKNOWN track without a single event says the carrier has
		// told Shippo nothing yet; another provider may know more.
		return nil, fmt.Errorf("shippo: lookup %s: status unknown, no events: %w", q.Number, tracking.ErrNumberUnknown)
	}
	return res, nil
}

// Register asks Shippo to push updates of q.Number to the account's
// track_updated webhook. Shippo does not deduplicate registrations: each
// one may add a push per update, so callers register a number once.
//
// API: https://docs.goshippo.com/api-reference/tracking-status/register-a-tracking-webhook
func (p *Provider) Register(ctx context.Context, q tracking.Query) error {
	token, ok := carrierToken(q.Carrier)
	if !ok {
		return fmt.Errorf("shippo: register %s: no Shippo carrier for %q: %w", q.Number, q.Carrier, tracking.ErrNumberUnknown)
	}
	body := map[string]string{
		"carrier":         token,
		"tracking_number": q.Number,
		"metadata":        "trackbot",
	}
	req, err := wire.NewRequest(ctx, http.MethodPost, p.baseURL+"/tracks/", body, p.auth())
	if err != nil {
		return fmt.Errorf("shippo: register %s: %w", q.Number, err)
	}
	if err := p.do(req, nil); err != nil {
		return fmt.Errorf("shippo: register %s: %w", q.Number, err)
	}
	return nil
}

// Unregister does nothing and returns nil: Shippo has no endpoint to stop
// tracking a number. Shippo keeps pushing updates until the shipment
// reaches a final status, so the receiving side must accept and drop
// pushes for numbers nobody follows any more.
//
// API: https://docs.goshippo.com/docs/tracking/tracking/ (no stop endpoint)
func (p *Provider) Unregister(ctx context.Context, q tracking.Query) error { return nil }

// auth is the header Shippo authenticates every call by.
func (p *Provider) auth() http.Header {
	return http.Header{"Authorization": {"ShippoToken " + p.apiKey}}
}

// do sends req and decodes a 2xx body into out (when out is not nil).
// Other answers become the errors the engine tells apart: a
// *tracking.RateLimitError, tracking.ErrUnavailable,
// tracking.ErrNumberUnknown or ErrKeyRefused.
func (p *Provider) do(req *http.Request, out any) error {
	code, body, err := wire.Call(p.client, req, Name, ErrKeyRefused, p.now())
	if err != nil {
		return err
	}
	return wire.Decode(code, body, out, p.snippet)
}

// snippet shortens an error body for an error message, with the API token
// and webhook secret cut out in case a proxy echoes them back.
func (p *Provider) snippet(body []byte) string {
	return wire.Snippet(string(body), p.apiKey, p.secret)
}
