package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trackbot/trackbot/tracking"
)

// OrderFeeds takes the deliveries to chats' order feeds (/connect).
//
// ReceiveOrders returns an error wrapping tracking.ErrNotFound when no
// feed has the id (404), tracking.ErrBadSignature when the delivery fails
// verification (401), tracking.ErrBadPayload when a verified delivery
// cannot be read (400, with the reason: the sender's to fix), and
// tracking.ErrNoProvider or tracking.ErrTooManyShipments when its parcels
// cannot be tracked as trackbot is set up (422). Any other error is
// answered 503, so that the sender retries later.
type OrderFeeds interface {
	ReceiveOrders(ctx context.Context, id string, header http.Header, body []byte) error
}

// The reasons an order delivery is refused, as the refusal metric counts
// them.
const (
	refusedFeed       = "unknown_feed" // no feed has that id: never was, or disconnected
	refusedNoProvider = "no_provider"  // no configured provider serves a parcel's carrier
	refusedFull       = "chat_full"    // the chat follows as many parcels as it may
)

// orderMetrics are the order feed route's series.
type orderMetrics struct {
	refused *prometheus.CounterVec
	failed  prometheus.Counter
}

func newOrderMetrics(reg prometheus.Registerer) orderMetrics {
	m := orderMetrics{
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trackbot_order_feed_refused_total",
			Help: "Deliveries to chats' order feeds refused, by reason (unreadable_body, unknown_feed, bad_signature, bad_payload, no_provider, chat_full).",
		}, []string{"reason"}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "trackbot_order_feed_failed_total",
			Help: "Verified order deliveries answered 503 because they could not be stored; the sender retries them.",
		}),
	}
	reg.MustRegister(m.refused, m.failed)
	return m
}

// HandleOrderFeeds serves POST /webhooks/orders/{id}, a chat's order feed.
// The id is never logged: it is what lets a sender in.
func (s *Server) HandleOrderFeeds(f OrderFeeds) {
	const route = "POST /webhooks/orders/{id}"
	s.mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		refuse := func(reason string, status int, args ...any) {
			s.orders.refused.WithLabelValues(reason).Inc()
			s.logs.log(ctx, route+" "+reason, slog.LevelWarn, "order delivery refused",
				append([]any{"reason", reason, "status", status}, args...)...)
		}
		body, ok := ReadBody(w, r, maxBody)
		if !ok {
			refuse(refusedBody, http.StatusBadRequest)
			return
		}
		err := f.ReceiveOrders(ctx, r.PathValue("id"), r.Header, body)
		switch {
		case err == nil:
			w.WriteHeader(http.StatusOK)
		case errors.Is(err, tracking.ErrNotFound):
			refuse(refusedFeed, http.StatusNotFound)
			http.NotFound(w, r)
		case errors.Is(err, tracking.ErrBadSignature):
			refuse(refusedSignature, http.StatusUnauthorized)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		case errors.Is(err, tracking.ErrBadPayload):
			refuse(refusedPayload, http.StatusBadRequest, "err", err)
			http.Error(w, tracking.ReasonOf(err), http.StatusBadRequest)
		case errors.Is(err, tracking.ErrNoProvider):
			refuse(refusedNoProvider, http.StatusUnprocessableEntity, "err", err)
			http.Error(w, tracking.ReasonOf(err), http.StatusUnprocessableEntity)
		case errors.Is(err, tracking.ErrTooManyShipments):
			refuse(refusedFull, http.StatusUnprocessableEntity)
			http.Error(w, "the chat follows as many parcels as it may", http.StatusUnprocessableEntity)
		default:
			s.orders.failed.Inc()
			s.logs.log(ctx, route+" failed", slog.LevelError, "order delivery failed; the sender will retry", "err", err)
			w.Header().Set("Retry-After", "60")
			http.Error(w, "try again later", http.StatusServiceUnavailable)
		}
	})
}
