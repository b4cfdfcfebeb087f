// Package aftership looks parcels up at AfterShip, a tracking aggregator,
// through its Tracking API
// (https://www.aftership.com/docs/tracking/quickstart/api-quick-start).
//
// AfterShip only tracks numbers created as trackings in the account: Lookup
// finds the number's tracking, creating it the first time, and reads it.
// Trackings are polled by AfterShip and pushed to trackbot's webhook.
package aftership

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/wire"
)

// Name is the provider's name, also the {name} of its POST /webhooks/{name}
// route.
const Name = "aftership"

// DefaultBaseURL is AfterShip's Tracking API root for version 2026-07.
const DefaultBaseURL = "https://api.aftership.com/tracking/2026-07"

const (
	// defaultVersion is sent as as-api-version when the base URL does not
	// end in a version.
	defaultVersion = "2026-07"
)

// AfterShip's meta codes (its API reference's error codes; the SDKs' error
// lists).
const (
	codeAlreadyExists       = 4003
	codeDoesNotExist        = 4004
	codeNumberInvalid       = 4005
	codeRequiredFieldMissed = 4011
	codeBadCourier          = 4012
	codeNumberFormatInvalid = 4017
)

var (
	// ErrKeyRefused is wrapped by every error caused by AfterShip refusing
	// the API key (HTTP 401 or 403). It is permanent: retrying will not
	// help until the operator fixes AFTERSHIP_API_KEY.
	ErrKeyRefused = errors.New("aftership: API key refused")
	// errExists reports that a tracking for the number exists already.
	errExists = errors.New("tracking already exists")
)

// Config configures a Provider.
type Config struct {
	// APIKey is the key sent as the as-api-key header.
	APIKey string
	// BaseURL replaces DefaultBaseURL, for tests or another API version;
	// a version at its end ("/tracking/2025-07") is also sent as
	// as-api-version.
	BaseURL string
	// WebhookSecret is the secret AfterShip signs pushes with (admin:
	// Settings → Webhooks). Without it no push is accepted.
	WebhookSecret string
	// HTTPClient replaces a client with a 30-second timeout.
	HTTPClient *http.Client
}

// Provider is the AfterShip client. It is safe for concurrent use.
type Provider struct {
	key     string
	secret  string
	base    string
	version string
	client  *http.Client
	now     func() time.Time
	unknown tracking.UnknownCodes
}

var (
	_ tracking.Provider       = (*Provider)(nil)
	_ tracking.PushRegisterer = (*Provider)(nil)
	_ tracking.WebhookParser  = (*Provider)(nil)
)

var versionSegment = regexp.MustCompile(`/(\d{4}-\d{2})$`)

// New returns a Provider for cfg.
func New(cfg Config) *Provider {
	base := wire.BaseURL(cfg.BaseURL, DefaultBaseURL)
	version := defaultVersion
	if m := versionSegment.FindStringSubmatch(base); m != nil {
		version = m[1]
	}
	return &Provider{key: cfg.APIKey, secret: cfg.WebhookSecret, base: base, version: version, client: wire.HTTPClient(cfg.HTTPClient), now: time.Now}
}

// Name returns "aftership".
func (p *Provider) Name() string { return Name }

// Lookup finds the number's tracking with GET /trackings, creates it with
// POST /trackings when there is none, and normalizes it. A tracking that is
// still pending, as a new one is, gives ErrNumberUnknown.
//
// API: https://www.aftership.com/docs/tracking/quickstart/api-quick-start
// (Get trackings, Create a tracking)
func (p *Provider) Lookup(ctx context.Context, q tracking.Query) (*tracking.Result, error) {
	t, err := p.find(ctx, q)
	if err == nil && t == nil {
		t, err = p.create(ctx, q)
		if errors.Is(err, errExists) {
			// Created between the two calls, by another lookup.
			t, err = p.find(ctx, q)
			if err == nil && t == nil {
				err = fmt.Errorf("tracking exists but is not listed: %w", tracking.ErrNumberUnknown)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("aftership: lookup %s: %w", q.Number, err)
	}
	res := p.result(t)
	if (res.Status == "" || res.Status == tracking.StatusUnknown) && len(res.Events) == 0 {
		return nil, fmt.Errorf("aftership: lookup %s: no information yet: %w", q.Number, tracking.ErrNumberUnknown)
	}
	return res, nil
}

// Register creates a tracking for the number, so that AfterShip polls it
// and pushes its updates. A number that has a tracking already is no error.
//
// API: https://www.aftership.com/docs/tracking/quickstart/api-quick-start
// (Create a tracking)
func (p *Provider) Register(ctx context.Context, q tracking.Query) error {
	if _, err := p.create(ctx, q); err != nil && !errors.Is(err, errExists) {
		return fmt.Errorf("aftership: register %s: %w", q.Number, err)
	}
	return nil
}

// Unregister deletes the number's tracking, which ends its pushes. Deleting
// rather than marking it completed needs no reason, which trackbot does not
// always have, and lets a later Register start afresh. A number without a
// tracking is no error.
//
// API: https://www.aftership.com/docs/tracking/quickstart/api-quick-start
// (Delete a tracking by ID)
func (p *Provider) Unregister(ctx context.Context, q tracking.Query) error {
	t, err := p.find(ctx, q)
	if err == nil && t != nil {
		_, err = p.do(ctx, http.MethodDelete, "/trackings/"+url.PathEscape(t.ID), nil, nil)
	}
	if err != nil && !errors.Is(err, tracking.ErrNumberUnknown) {
		return fmt.Errorf("aftership: unregister %s: %w", q.Number, err)
	}
	return nil
}

// find returns the number's tracking, preferring one under the query's
// carrier, or nil when the account has none.
func (p *Provider) find(ctx context.Context, q tracking.Query) (*trackingObject, error) {
	number := strings.TrimSpace(q.Number)
	data, err := p.do(ctx, http.MethodGet, "/trackings", url.Values{"tracking_numbers": {number}}, nil)
	if err != nil {
		return nil, err
	}
	var list struct {
		Trackings []trackingObject `json:"trackings"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("decode trackings: %w", err)
	}
	slug, _ := carrierSlug(q.Carrier)
	var first *trackingObject
	for i := range list.Trackings {
		t := &list.Trackings[i]
		if !strings.EqualFold(strings.TrimSpace(t.TrackingNumber), number) {
			continue
		}
		if slug == "" || t.Slug == slug {
			return t, nil
		}
		if first == nil {
			first = t
		}
	}
	return first, nil
}

// createRequest is the body of POST /trackings (flat since 2025-01).
type createRequest struct {
	TrackingNumber     string `json:"tracking_number"`
	Slug               string `json:"slug,omitempty"`
	DestinationCountry string `json:"destination_country_region,omitempty"`
}

// create creates a tracking; an unmapped carrier is left for AfterShip to
// detect.
func (p *Provider) create(ctx context.Context, q tracking.Query) (*trackingObject, error) {
	slug, _ := carrierSlug(q.Carrier)
	body := createRequest{
		TrackingNumber:     strings.TrimSpace(q.Number),
		Slug:               slug,
		DestinationCountry: alpha2[strings.ToUpper(strings.TrimSpace(q.DestinationCountry))],
	}
	data, err := p.do(ctx, http.MethodPost, "/trackings", nil, body)
	if err != nil {
		return nil, err
	}
	// Versions before 2025-01 wrapped the tracking in "tracking".
	var wrapped struct {
		Tracking *trackingObject `json:"tracking"`
	}
	if err := json.Unmarshal(data, &wrapped); err == nil && wrapped.Tracking != nil {
		return wrapped.Tracking, nil
	}
	var t trackingObject
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("decode tracking: %w", err)
	}
	return &t, nil
}

// envelope is AfterShip's answer to every endpoint.
type envelope struct {
	Meta struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Type    string `json:"type"`
	} `json:"meta"`
	Data json.RawMessage `json:"data"`
}

// do calls the API and returns the answer's data, or an error that tells
// the outcomes apart.
func (p *Provider) do(ctx context.Context, method, path string, query url.Values, body any) (json.RawMessage, error) {
	op := method + " " + path
	u := p.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := wire.NewRequest(ctx, method, u, body, http.Header{"as-api-key": {p.key}, "as-api-version": {p.version}})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	status, raw, err := wire.Call(p.client, req, Name, ErrKeyRefused, p.now())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var env envelope
	decodeErr := json.Unmarshal(raw, &env)
	if status >= 200 && status < 300 {
		if decodeErr != nil {
			return nil, fmt.Errorf("%s: decode answer: %w", op, decodeErr)
		}
		return env.Data, nil
	}

	switch env.Meta.Code {
	case codeAlreadyExists:
		return nil, fmt.Errorf("%s: %w", op, errExists)
	case codeDoesNotExist, codeNumberInvalid, codeNumberFormatInvalid, codeBadCourier, codeRequiredFieldMissed:
		return nil, fmt.Errorf("%s: %s (code %d): %w", op, env.Meta.Message, env.Meta.Code, tracking.ErrNumberUnknown)
	}
	if status == http.StatusNotFound {
		return nil, fmt.Errorf("%s: HTTP 404: %w", op, tracking.ErrNumberUnknown)
	}
	return nil, fmt.Errorf("%s: HTTP %d: %s (code %d)", op, status, env.Meta.Message, env.Meta.Code)
}
