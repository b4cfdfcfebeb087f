package wire

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracking"
)

// DefaultTimeout bounds one call of a provider that was given no HTTP
// client, so that a vendor that never answers cannot hold a refresh.
const DefaultTimeout = 30 * time.Second

// maxSnippet is how much of an error body an error message quotes.
const maxSnippet = 200

// BaseURL returns the configured base URL without surrounding space and
// trailing slashes, or def when none is configured. Providers append their
// paths to it, and an operator's "…/v2.2/" must not become "…/v2.2//register".
func BaseURL(configured, def string) string {
	if base := strings.TrimRight(strings.TrimSpace(configured), "/"); base != "" {
		return base
	}
	return def
}

// HTTPClient returns c, or a client with DefaultTimeout when c is nil.
func HTTPClient(c *http.Client) *http.Client {
	if c == nil {
		return &http.Client{Timeout: DefaultTimeout}
	}
	return c
}

// Clock returns now, or time.Now when now is nil.
func Clock(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// NewRequest builds a call to a vendor's JSON API. body, when not nil, is
// sent as JSON; the answer is asked for as JSON; header holds what the
// vendor authenticates by (the key travels there, never in the URL, so
// that errors quoting the URL do not leak it).
func NewRequest(ctx context.Context, method, url string, body any, header http.Header) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	for name, values := range header {
		for _, v := range values {
			req.Header.Add(name, v)
		}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "trackbot")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// Decode reads an answer that Call returned without an error, for a vendor
// whose statuses carry the meaning: a 2xx body is decoded into out (unless
// out is nil), a 404 wraps tracking.ErrNumberUnknown, and any other status
// is an error naming it. detail turns the body into the text quoted in
// those errors; it must cut out secrets (see Snippet).
func Decode(status int, body []byte, out any, detail func([]byte) string) error {
	switch {
	case status >= 200 && status < 300:
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("decode response: %w", err)
		}
		return nil
	case status == http.StatusNotFound:
		return fmt.Errorf("HTTP 404 %s: %w", detail(body), tracking.ErrNumberUnknown)
	}
	return fmt.Errorf("HTTP %d %s", status, detail(body))
}

// Snippet shortens a vendor's text for an error message: white space
// folded, at most 200 bytes, and every non-empty secret replaced by
// "[redacted]", in case a proxy echoes a key back.
func Snippet(s string, secrets ...string) string {
	s = strings.Join(strings.Fields(s), " ")
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	if len(s) > maxSnippet {
		s = s[:maxSnippet] + "…"
	}
	return s
}

// EqualSecret compares a pushed token with the configured one in constant
// time, hashing both first so that not even the secret's length leaks.
func EqualSecret(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// Code looks key up in one of a provider's code tables (trackbot's carrier
// ids to the vendor's names, or back), ignoring case and surrounding space
// as vendors and operators vary both. The tables' keys are lower case.
func Code[V any](table map[string]V, key string) (V, bool) {
	v, ok := table[strings.ToLower(strings.TrimSpace(key))]
	return v, ok
}
