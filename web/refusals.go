package web

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
)

// Refusals counts the calls a chat platform's webhook route refuses
// (Telegram's without the secret, Slack's unsigned or stale ones) and logs
// them at most once a minute per route, as the carrier push route does: a
// flood of junk must neither flood the log nor go unseen. A nil *Refusals
// still logs sparsely, without counting.
type Refusals struct {
	refused *prometheus.CounterVec
	logs    sparseLog
}

// NewRefusals registers trackbot_webhook_refused_total in reg.
func NewRefusals(reg prometheus.Registerer) *Refusals {
	r := &Refusals{
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trackbot_webhook_refused_total",
			Help: "Chat platform webhook calls refused, by route and reason (bad_secret, bad_signature, bad_update).",
		}, []string{"route", "reason"}),
		logs: newSparseLog(),
	}
	reg.MustRegister(r.refused)
	return r
}

// unmetered logs the refusals of routes given no Refusals.
var unmetered = &Refusals{logs: newSparseLog()}

// Refuse counts one refused call of route (a fixed path, never one taken
// from the request as sent) for reason, and logs it unless route logged
// within the last minute.
func (r *Refusals) Refuse(ctx context.Context, route, reason string, args ...any) {
	if r == nil {
		r = unmetered
	}
	if r.refused != nil {
		r.refused.WithLabelValues(route, reason).Inc()
	}
	r.logs.log(ctx, route, slog.LevelWarn, "webhook call refused", append([]any{"route", route, "reason", reason}, args...)...)
}
