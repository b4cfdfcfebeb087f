package wire

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/trackbot/trackbot/tracking"
)

// MaxBody caps what is read of one answer: the largest batch answers
// (17TRACK's 40 numbers with full histories) stay well below it.
const MaxBody = 16 << 20

// DefaultRetryAfter is the wait after a 429 that names no time.
const DefaultRetryAfter = time.Minute

// Call sends req and reads the answer. The failures every provider treats
// alike come back as the engine's errors: a transport failure or a 5xx
// wraps tracking.ErrUnavailable, a 429 is a *tracking.RateLimitError, a
// 401 or 403 wraps keyRefused. Any other answer is returned with its
// status and body for the provider to read. Errors never carry the
// request's headers, where the keys travel. Inside a budgeted provider
// call it first waits for its turn (tracking.Pace).
func Call(client *http.Client, req *http.Request, provider string, keyRefused error, now time.Time) (status int, body []byte, err error) {
	// Every request spends the provider's rate budget, however many one
	// lookup takes.
	if err := tracking.Pace(req.Context()); err != nil {
		return 0, nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		// Timeouts, refused connections and cancelled contexts alike: the
		// call may succeed later.
		return 0, nil, fmt.Errorf("%w: %w", tracking.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	if err != nil {
		return 0, nil, fmt.Errorf("%w: read answer: %w", tracking.ErrUnavailable, err)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		return code, body, &tracking.RateLimitError{Provider: provider, RetryAfter: RetryAfter(resp.Header, now, DefaultRetryAfter)}
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return code, body, fmt.Errorf("%w (HTTP %d)", keyRefused, code)
	case code >= 500:
		return code, body, fmt.Errorf("HTTP %d: %w", code, tracking.ErrUnavailable)
	}
	return resp.StatusCode, body, nil
}
