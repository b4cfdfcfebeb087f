// Package seventeentrack looks parcels up at 17TRACK, a tracking aggregator,
// through its Tracking API v2.2
// (https://asset.17track.net/api/document/v2.2_en/index.html).
//
// 17TRACK only answers for numbers registered with it: Lookup registers a
// number the first time it is asked about, which spends one unit of the
// account's quota, and fetches it again. Registered numbers are polled by
// 17TRACK itself and pushed to trackbot's webhook.
package seventeentrack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/wire"
)

// Name is the provider's name, also the {name} of its POST /webhooks/{name}
// route.
const Name = "17track"

// DefaultBaseURL is 17TRACK's API root for version 2.2.
const DefaultBaseURL = "https://api.17track.net/track/v2.2"

// maxBatch is 17TRACK's limit of numbers per request.
const maxBatch = 40

// 17TRACK's error codes, as they appear in code, data.errors[].code and
// data.rejected[].error.code. The vendor's list is only partly public; these
// are the ones trackbot acts on.
const (
	codeIPNotAllowed       = -18010001
	codeKeyInvalid         = -18010002
	codeInternal           = -18010003
	codeAccountDisabled    = -18010004
	codeUnauthorized       = -18010005
	codeValueInvalid       = -18010011
	codeFormatInvalid      = -18010012
	codeAlreadyRegistered  = -18019901
	codeNotRegistered      = -18019902
	codeCarrierUndetected  = -18019903
	codeRetrackNotStopped  = -18019904
	codeStopNotTracking    = -18019906
	codeDailyLimit         = -18019907
	codeQuotaSpent         = -18019908
	codeNoInformation      = -18019909
	codeCarrierInvalid     = -18019910
	codeCarrierUnsupported = -18019911
)

// ErrKeyRefused is wrapped by every error caused by 17TRACK refusing the
// API key (HTTP 401 or 403, or the codes for an invalid key, a disabled
// account or an IP address off the whitelist). It is permanent: retrying
// will not help until the operator fixes SEVENTEENTRACK_API_KEY.
var ErrKeyRefused = errors.New("17track: API key refused")

// Config configures a Provider.
type Config struct {
	// APIKey is the account's secret key, sent as the 17token header.
	// 17TRACK also signs its webhook pushes with it.
	APIKey string
	// BaseURL replaces DefaultBaseURL, for tests or another API version.
	BaseURL string
	// WebhookSecret, when set, is used instead of APIKey to check push
	// signatures; 17TRACK signs with the API key, so it is normally empty.
	WebhookSecret string
	// HTTPClient replaces a client with a 30-second timeout.
	HTTPClient *http.Client
}

// Provider is the 17TRACK client. It is safe for concurrent use.
type Provider struct {
	key     string
	signKey string
	base    string
	client  *http.Client
	now     func() time.Time
	unknown tracking.UnknownCodes
}

var (
	_ tracking.Provider       = (*Provider)(nil)
	_ tracking.BatchProvider  = (*Provider)(nil)
	_ tracking.PushRegisterer = (*Provider)(nil)
	_ tracking.WebhookParser  = (*Provider)(nil)
)

// New returns a Provider for cfg.
func New(cfg Config) *Provider {
	signKey := cfg.WebhookSecret
	if signKey == "" {
		signKey = cfg.APIKey
	}
	return &Provider{key: cfg.APIKey, signKey: signKey, base: wire.BaseURL(cfg.BaseURL, DefaultBaseURL), client: wire.HTTPClient(cfg.HTTPClient), now: time.Now}
}

// Name returns "17track".
func (p *Provider) Name() string { return Name }

// Lookup fetches one number with /gettrackinfo, registering it first with
// /register when 17TRACK does not know it yet. A number that 17TRACK has no
// events for, freshly registered ones included, gives ErrNumberUnknown.
//
// API: https://asset.17track.net/api/document/v2.2_en/index.html (gettrackinfo, register)
func (p *Provider) Lookup(ctx context.Context, q tracking.Query) (*tracking.Result, error) {
	out, err := p.fetch(ctx, []tracking.Query{q})
	if err != nil {
		return nil, fmt.Errorf("17track: lookup %s: %w", q.Number, err)
	}
	if out[0].err != nil {
		return nil, fmt.Errorf("17track: lookup %s: %w", q.Number, out[0].err)
	}
	return out[0].res, nil
}

// LookupBatch fetches many numbers, 40 to a request as 17TRACK allows,
// registering those it does not know yet. The results are in the order of
// qs; a number 17TRACK has nothing for has a nil result. When a request
// fails, or a number fails for another reason than being unknown (a spent
// quota while registering), the error is returned together with the results
// that could be had.
//
// API: https://asset.17track.net/api/document/v2.2_en/index.html (gettrackinfo, register)
func (p *Provider) LookupBatch(ctx context.Context, qs []tracking.Query) ([]*tracking.Result, error) {
	results := make([]*tracking.Result, len(qs))
	var errs []error
	for start := 0; start < len(qs); start += maxBatch {
		end := min(start+maxBatch, len(qs))
		out, err := p.fetch(ctx, qs[start:end])
		if err != nil {
			return results, fmt.Errorf("17track: lookup batch: %w", errors.Join(append(errs, err)...))
		}
		for i, o := range out {
			switch {
			case o.err == nil:
				results[start+i] = o.res
			case !errors.Is(o.err, tracking.ErrNumberUnknown):
				errs = append(errs, fmt.Errorf("%s: %w", qs[start+i].Number, o.err))
			}
		}
	}
	if len(errs) > 0 {
		return results, fmt.Errorf("17track: lookup batch: %w", errors.Join(errs...))
	}
	return results, nil
}

// Register asks 17TRACK to track the number and push its updates. A number
// registered before, and perhaps stopped since, is resumed with /retrack.
//
// API: https://asset.17track.net/api/document/v2.2_en/index.html (register, retrack)
func (p *Provider) Register(ctx context.Context, q tracking.Query) error {
	err := p.single(ctx, "register", q, codeAlreadyRegistered)
	if errors.Is(err, errAlready) {
		err = p.single(ctx, "retrack", q, codeRetrackNotStopped)
		if errors.Is(err, errAlready) {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("17track: register %s: %w", q.Number, err)
	}
	return nil
}

// Unregister stops 17TRACK tracking the number with /stoptrack. A number
// that is not tracked is no error.
//
// API: https://asset.17track.net/api/document/v2.2_en/index.html (stoptrack)
func (p *Provider) Unregister(ctx context.Context, q tracking.Query) error {
	err := p.single(ctx, "stoptrack", q, codeStopNotTracking, codeNotRegistered)
	if err != nil && !errors.Is(err, errAlready) {
		return fmt.Errorf("17track: unregister %s: %w", q.Number, err)
	}
	return nil
}

// errAlready reports a rejection with one of the codes a caller of single
// treats as done.
var errAlready = errors.New("already done")

// single sends one number to op and reports its fate: nil when accepted,
// errAlready when rejected with one of the done codes.
func (p *Provider) single(ctx context.Context, op string, q tracking.Query, done ...int) error {
	data, err := p.call(ctx, op, []request{newRequest(q)})
	if err != nil {
		return err
	}
	number := normalizeNumber(q.Number)
	for _, a := range data.Accepted {
		if normalizeNumber(a.Number) == number {
			return nil
		}
	}
	for _, r := range data.Rejected {
		if normalizeNumber(r.Number) != number {
			continue
		}
		for _, c := range done {
			if r.Error.Code == c {
				return errAlready
			}
		}
		return p.codeError(op, r.Error.Code, r.Error.Message)
	}
	return fmt.Errorf("%s: number missing from the answer", op)
}

// outcome is what became of one query.
type outcome struct {
	res *tracking.Result
	err error
}

// fetch looks up at most maxBatch queries: /gettrackinfo, then /register
// and /gettrackinfo again for the numbers 17TRACK did not know.
func (p *Provider) fetch(ctx context.Context, qs []tracking.Query) ([]outcome, error) {
	out := make([]outcome, len(qs))
	data, err := p.call(ctx, "gettrackinfo", requests(qs, nil))
	if err != nil {
		return nil, err
	}
	unregistered := p.settle(qs, nil, data, out)
	if len(unregistered) == 0 {
		return out, nil
	}

	reg, err := p.call(ctx, "register", requests(qs, unregistered))
	if err != nil {
		return out, err
	}
	var registered []int
	for _, i := range unregistered {
		number := normalizeNumber(qs[i].Number)
		if r := findRejected(reg.Rejected, number); r != nil && r.Error.Code != codeAlreadyRegistered {
			out[i].err = p.codeError("register", r.Error.Code, r.Error.Message)
			continue
		}
		registered = append(registered, i)
	}
	if len(registered) == 0 {
		return out, nil
	}
	data, err = p.call(ctx, "gettrackinfo", requests(qs, registered))
	if err != nil {
		return out, err
	}
	for _, i := range p.settle(qs, registered, data, out) {
		out[i].err = fmt.Errorf("registered, no information yet: %w", tracking.ErrNumberUnknown)
	}
	return out, nil
}

// settle records the answer to /gettrackinfo for the queries at idx (all
// of qs when idx is nil) and returns the indexes of the numbers 17TRACK
// does not have registered.
func (p *Provider) settle(qs []tracking.Query, idx []int, data *envelopeData, out []outcome) (unregistered []int) {
	if idx == nil {
		idx = make([]int, len(qs))
		for i := range idx {
			idx[i] = i
		}
	}
	for _, i := range idx {
		q := qs[i]
		number := normalizeNumber(q.Number)
		code, _ := carrierCode(q)
		if it := findAccepted(data.Accepted, number, code); it != nil {
			res := p.result(it)
			// An invalid number is an answer, not "nothing yet": the
			// chat must be told to check it.
			if (res.Status != "" && res.Status != tracking.StatusUnknown) || len(res.Events) > 0 || res.Substatus == tracking.SubInvalidNumber {
				out[i] = outcome{res: res}
			} else {
				out[i].err = fmt.Errorf("no information: %w", tracking.ErrNumberUnknown)
			}
			continue
		}
		if r := findRejected(data.Rejected, number); r != nil {
			if r.Error.Code == codeNotRegistered {
				unregistered = append(unregistered, i)
			} else {
				out[i].err = p.codeError("gettrackinfo", r.Error.Code, r.Error.Message)
			}
			continue
		}
		out[i].err = fmt.Errorf("number missing from the answer: %w", tracking.ErrNumberUnknown)
	}
	return unregistered
}

// request is one element of the JSON array every endpoint takes.
type request struct {
	Number  string `json:"number"`
	Carrier int    `json:"carrier,omitempty"`
}

func newRequest(q tracking.Query) request {
	code, _ := carrierCode(q)
	return request{Number: strings.TrimSpace(q.Number), Carrier: code}
}

// requests builds the body for the queries at idx (all when idx is nil),
// once per distinct number and carrier.
func requests(qs []tracking.Query, idx []int) []request {
	if idx == nil {
		idx = make([]int, len(qs))
		for i := range idx {
			idx[i] = i
		}
	}
	seen := make(map[request]bool, len(idx))
	out := make([]request, 0, len(idx))
	for _, i := range idx {
		r := newRequest(qs[i])
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// findAccepted returns the accepted item for number, preferring the one
// registered under carrier when a number is registered under several.
func findAccepted(items []item, number string, carrier int) *item {
	var first *item
	for i := range items {
		if normalizeNumber(items[i].Number) != number {
			continue
		}
		if carrier == 0 || items[i].Carrier == carrier {
			return &items[i]
		}
		if first == nil {
			first = &items[i]
		}
	}
	return first
}

func findRejected(rs []rejection, number string) *rejection {
	for i := range rs {
		if normalizeNumber(rs[i].Number) == number {
			return &rs[i]
		}
	}
	return nil
}

func normalizeNumber(n string) string { return strings.ToUpper(strings.TrimSpace(n)) }

// envelope is 17TRACK's answer to every endpoint.
type envelope struct {
	Code int          `json:"code"`
	Data envelopeData `json:"data"`
}

type envelopeData struct {
	Accepted []item      `json:"accepted"`
	Rejected []rejection `json:"rejected"`
	Errors   []apiError  `json:"errors"`
}

type rejection struct {
	Number string   `json:"number"`
	Error  apiError `json:"error"`
}

type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// call posts reqs to the endpoint op and returns the answer's data. It
// turns HTTP failures and account-wide error codes into errors; the
// per-number rejections are the caller's.
func (p *Provider) call(ctx context.Context, op string, reqs []request) (*envelopeData, error) {
	req, err := wire.NewRequest(ctx, http.MethodPost, p.base+"/"+op, reqs, http.Header{"17token": {p.key}})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	status, raw, err := wire.Call(p.client, req, Name, ErrKeyRefused, p.now())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if status < 200 || status >= 300 {
		return nil, fmt.Errorf("%s: unexpected HTTP %d", op, status)
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("%s: decode answer: %w", op, err)
	}
	if env.Code != 0 {
		code, msg := env.Code, ""
		if len(env.Data.Errors) > 0 {
			code, msg = env.Data.Errors[0].Code, env.Data.Errors[0].Message
		}
		// A request-wide error comes without per-number verdicts; with
		// them, code only says that some numbers were rejected.
		if len(env.Data.Accepted)+len(env.Data.Rejected) == 0 || accountCode(code) {
			return nil, p.codeError(op, code, msg)
		}
	}
	return &env.Data, nil
}

func accountCode(code int) bool {
	switch code {
	case codeIPNotAllowed, codeKeyInvalid, codeAccountDisabled, codeUnauthorized, codeInternal, codeDailyLimit, codeQuotaSpent:
		return true
	}
	return false
}

// codeError maps one of 17TRACK's error codes onto the tracking errors.
func (p *Provider) codeError(op string, code int, msg string) error {
	switch code {
	case codeIPNotAllowed, codeKeyInvalid, codeAccountDisabled, codeUnauthorized:
		return fmt.Errorf("%s: %w (code %d)", op, ErrKeyRefused, code)
	case codeInternal:
		return fmt.Errorf("%s: code %d: %w", op, code, tracking.ErrUnavailable)
	case codeDailyLimit, codeQuotaSpent:
		return &tracking.RateLimitError{Provider: Name, RetryAfter: untilMidnight(p.now()), Daily: true}
	case codeNotRegistered, codeNoInformation, codeCarrierUndetected, codeCarrierInvalid,
		codeCarrierUnsupported, codeFormatInvalid, codeValueInvalid:
		return fmt.Errorf("%s: %s (code %d): %w", op, msg, code, tracking.ErrNumberUnknown)
	}
	return fmt.Errorf("%s: %s (code %d)", op, msg, code)
}

// untilMidnight is the wait for a daily quota: 17TRACK does not say when it
// refills, so trackbot waits for the next UTC day.
func untilMidnight(now time.Time) time.Duration {
	now = now.UTC()
	next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	return max(next.Sub(now), time.Second)
}
