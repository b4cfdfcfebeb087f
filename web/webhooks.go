package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/trackbot/trackbot/limiter"
	"github.com/trackbot/trackbot/tracking"
)

// maxBody caps every webhook body.
const maxBody = 1 << 20

// CarrierPushes takes a carrier's or aggregator's webhook call.
//
// Push returns an error wrapping tracking.ErrBadSignature when the call
// fails verification (answered 401), one wrapping tracking.ErrBadPayload
// when a verified call cannot be read (400: sending it again cannot help),
// and one wrapping tracking.ErrNoProvider when no configured provider takes
// pushes under that name (404). Any other error is answered 503, so that
// the sender retries later.
type CarrierPushes interface {
	Push(ctx context.Context, provider string, header http.Header, body []byte) error
}

// tokenHeader carries a secret that a provider appends to the webhook URL
// (Shippo's ?token=…) to the provider's verification, which sees headers
// only.
const tokenHeader = "X-Trackbot-Webhook-Token"

// The reasons a carrier push is refused, as the refusal metric counts them.
const (
	refusedBody      = "unreadable_body"  // too large, or cut off
	refusedProvider  = "unknown_provider" // no configured provider takes pushes there
	refusedSignature = "bad_signature"
	refusedPayload   = "bad_payload" // verified, but not a push the provider can read
)

// logEvery is how often a route logs the requests it refuses or fails: a
// flood of junk must not flood the log. The metrics count every one.
const logEvery = time.Minute

// sparseLog logs at most one line per key and logEvery; it remembers only
// the keys that logged within about a minute.
type sparseLog struct {
	keys *limiter.Keyed[string]
}

func newSparseLog() sparseLog {
	return sparseLog{keys: limiter.NewKeyed[string](rate.Every(logEvery), 1)}
}

// log writes the line when key has not logged within logEvery.
func (l sparseLog) log(ctx context.Context, key string, level slog.Level, msg string, args ...any) {
	if l.keys.Allow(key, time.Now()) {
		slog.Log(ctx, level, msg, append(args, "note", "logged at most once a minute for this route")...)
	}
}

// pushMetrics are the carrier push route's series.
type pushMetrics struct {
	refused *prometheus.CounterVec
	failed  *prometheus.CounterVec
}

func newPushMetrics(reg prometheus.Registerer) pushMetrics {
	m := pushMetrics{
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trackbot_carrier_push_refused_total",
			Help: "Carrier webhook calls refused, by provider and reason (unreadable_body, unknown_provider, bad_signature, bad_payload); provider is \"unknown\" when the route names no configured provider or the body could not be read.",
		}, []string{"provider", "reason"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trackbot_carrier_push_failed_total",
			Help: "Verified carrier webhook calls answered 503 because they could not be stored; the sender retries them.",
		}, []string{"provider"}),
	}
	reg.MustRegister(m.refused, m.failed)
	return m
}

// HandleCarrierPushes serves POST /webhooks/{provider}.
func (s *Server) HandleCarrierPushes(p CarrierPushes) {
	const route = "POST /webhooks/{provider}"
	s.mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		// Only a configured provider's name becomes a label or a log key:
		// any name may be sent, and each would be a series of its own.
		provider := r.PathValue("provider")
		refuse := func(label, reason string, status int, args ...any) {
			s.push.refused.WithLabelValues(label, reason).Inc()
			s.logs.log(ctx, route+" "+label, slog.LevelWarn, "carrier push refused",
				append([]any{"provider", label, "reason", reason, "status", status}, args...)...)
		}
		body, ok := ReadBody(w, r, maxBody)
		if !ok {
			refuse("unknown", refusedBody, http.StatusBadRequest)
			return
		}
		header := r.Header.Clone()
		header.Del(tokenHeader)
		if tok := r.URL.Query().Get("token"); tok != "" {
			header.Set(tokenHeader, tok)
		}
		err := p.Push(ctx, provider, header, body)
		switch {
		case err == nil:
			w.WriteHeader(http.StatusOK)
		case errors.Is(err, tracking.ErrNoProvider):
			refuse("unknown", refusedProvider, http.StatusNotFound)
			http.NotFound(w, r)
		case errors.Is(err, tracking.ErrBadSignature):
			refuse(provider, refusedSignature, http.StatusUnauthorized)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		case errors.Is(err, tracking.ErrBadPayload):
			// Signed by the provider, so worth its error in the log; but
			// a retry would bring the same bytes.
			refuse(provider, refusedPayload, http.StatusBadRequest, "err", err)
			http.Error(w, "unreadable push", http.StatusBadRequest)
		default:
			s.push.failed.WithLabelValues(provider).Inc()
			s.logs.log(ctx, route+" "+provider+" failed", slog.LevelError, "carrier push failed; the provider will retry", "provider", provider, "err", err)
			w.Header().Set("Retry-After", "60")
			http.Error(w, "try again later", http.StatusServiceUnavailable)
		}
	})
}
