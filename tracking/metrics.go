package tracking

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the engine's Prometheus series. A nil *Metrics counts
// nothing, so tests need not set one up.
type Metrics struct {
	providerCalls   *prometheus.CounterVec
	providerHolds   *prometheus.CounterVec
	providerLatency *prometheus.HistogramVec
	providerBudget  *prometheus.GaugeVec
	refreshes       *prometheus.CounterVec
}

// NewMetrics registers the engine's series with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		providerCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trackbot_provider_requests_total",
			Help: "Requests sent to a provider, by provider and outcome (ok, unknown, rate_limited, quota_spent, unavailable, error).",
		}, []string{"provider", "outcome"}),
		providerHolds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trackbot_provider_requests_held_total",
			Help: "Lookups the budget held back without asking the provider, by provider and reason (rate_limited, quota_spent, unavailable, error).",
		}, []string{"provider", "reason"}),
		providerLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "trackbot_provider_request_duration_seconds",
			Help:    "Time a provider took to answer a request, by provider.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 20, 30},
		}, []string{"provider"}),
		providerBudget: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trackbot_provider_daily_budget_remaining",
			Help: "Requests left in a provider's daily quota as this process last saw it (the quota is shared by every replica).",
		}, []string{"provider"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trackbot_refreshes_total",
			Help: "Shipment refreshes by outcome (changed, unchanged, failed, stopped).",
		}, []string{"outcome"}),
	}
	reg.MustRegister(m.providerCalls, m.providerHolds, m.providerLatency, m.providerBudget, m.refreshes, unknownCodesCollector{})
	return m
}

// unknownCodesDesc describes the count of status codes a provider sent that
// its mapping table does not know.
var unknownCodesDesc = prometheus.NewDesc("trackbot_provider_unknown_codes_total",
	"Status codes a provider sent that trackbot's mapping does not know; the event's text was used instead.",
	[]string{"provider"}, nil)

// unknownCodesCollector reports UnknownCodes' process-wide counts.
type unknownCodesCollector struct{}

func (unknownCodesCollector) Describe(ch chan<- *prometheus.Desc) { ch <- unknownCodesDesc }

func (unknownCodesCollector) Collect(ch chan<- prometheus.Metric) {
	unknownCodeCounts.Range(func(provider, n any) bool {
		ch <- prometheus.MustNewConstMetric(unknownCodesDesc, prometheus.CounterValue,
			float64(n.(*atomic.Int64).Load()), provider.(string))
		return true
	})
}

// providerCall counts a request that was sent to provider and took took.
func (m *Metrics) providerCall(provider string, took time.Duration, err error) {
	if m == nil {
		return
	}
	m.providerCalls.WithLabelValues(provider, outcome(err)).Inc()
	m.providerLatency.WithLabelValues(provider).Observe(took.Seconds())
}

// providerHeld counts a lookup the budget held back: provider was not
// asked.
func (m *Metrics) providerHeld(provider string, err error) {
	if m == nil {
		return
	}
	m.providerHolds.WithLabelValues(provider, outcome(err)).Inc()
}

func (m *Metrics) budgetLeft(provider string, n int) {
	if m == nil || n < 0 {
		return
	}
	m.providerBudget.WithLabelValues(provider).Set(float64(n))
}

func (m *Metrics) refresh(outcome string) {
	if m == nil {
		return
	}
	m.refreshes.WithLabelValues(outcome).Inc()
}

func outcome(err error) string {
	var rl *RateLimitError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &rl) && rl.Daily:
		return "quota_spent"
	case errors.As(err, &rl):
		return "rate_limited"
	case errors.Is(err, ErrNumberUnknown):
		return "unknown"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	}
	return "error"
}
