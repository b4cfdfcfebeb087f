package tracking_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

func TestDailyQuotaSlowsDownAndShowsInMetrics(t *testing.T) {
	ctx := context.Background()
	clock := tracking.NewFakeClock(time.Date(2026, 11, 21, 18, 0, 0, 0, time.UTC))
	fake := trackingtest.NewProvider("quota")
	fake.Set("1Z999AA10123456784", script("1Z999AA10123456784", ev(0, tracking.SubPackageAccepted, "Picked up", "Louisville")))
	reg := prometheus.NewRegistry()
	metrics := tracking.NewMetrics(reg)
	r := tracking.NewRegistry(clock)
	r.SetMetrics(metrics)
	r.AddCarrier(fake, "ups")
	r.SetBudget("quota", 0, 2)

	q := tracking.Query{Number: "1Z999AA10123456784", Carrier: "ups"}
	for i := range 2 {
		if _, err := r.Lookup(ctx, q); err != nil {
			t.Fatalf("lookup %d within the quota: %v", i, err)
		}
	}
	_, err := r.Lookup(ctx, q)
	var rl *tracking.RateLimitError
	if !errors.As(err, &rl) || !rl.Daily || rl.RetryAfter != 6*time.Hour {
		t.Fatalf("over the quota: %v, want a daily limit until midnight (6h)", err)
	}
	if fake.Calls(q.Number) != 2 {
		t.Errorf("the provider was called %d times, want 2: the spent quota must stop calls", fake.Calls(q.Number))
	}
	want := `
# HELP trackbot_provider_daily_budget_remaining Requests left in a provider's daily quota as this process last saw it (the quota is shared by every replica).
# TYPE trackbot_provider_daily_budget_remaining gauge
trackbot_provider_daily_budget_remaining{provider="quota"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "trackbot_provider_daily_budget_remaining"); err != nil {
		t.Error(err)
	}
	// The lookup the quota held back was never sent: it is counted as
	// held, not as a request; only sent requests are timed.
	if n := counterValue(t, reg, "trackbot_provider_requests_total", map[string]string{"provider": "quota", "outcome": "quota_spent"}); n != 0 {
		t.Errorf("a request never sent counted %v times as sent", n)
	}
	if n := counterValue(t, reg, "trackbot_provider_requests_total", map[string]string{"provider": "quota", "outcome": "ok"}); n != 2 {
		t.Errorf("sent requests counted %v times, want 2", n)
	}
	if n := counterValue(t, reg, "trackbot_provider_requests_held_total", map[string]string{"provider": "quota", "reason": "quota_spent"}); n != 1 {
		t.Errorf("quota_spent held %v times, want 1", n)
	}
	if n := testutil.CollectAndCount(reg, "trackbot_provider_request_duration_seconds"); n != 1 {
		t.Errorf("%d latency series, want 1 (provider quota)", n)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "trackbot_provider_request_duration_seconds" {
			if c := f.GetMetric()[0].GetHistogram().GetSampleCount(); c != 2 {
				t.Errorf("%d requests timed, want the 2 sent", c)
			}
		}
	}
	clock.Advance(6 * time.Hour)
	if _, err := r.Lookup(ctx, q); err != nil {
		t.Errorf("after midnight the quota renews: %v", err)
	}
}

// TestDailyQuotaIsSharedByReplicas: two replicas on one database keep one
// daily quota between them, not one each.
func TestDailyQuotaIsSharedByReplicas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(time.Date(2026, 11, 21, 18, 0, 0, 0, time.UTC))
		const number = "1Z999AA10123456784"
		replica := func() (*tracking.Registry, *trackingtest.Provider) {
			fake := trackingtest.NewProvider("dhl")
			fake.Set(number, script(number, ev(0, tracking.SubPackageAccepted, "Picked up", "Louisville")))
			r := tracking.NewRegistry(clock)
			r.AddCarrier(fake, "ups")
			r.SetBudget("dhl", 0, 3)
			r.ShareQuotas(s)
			return r, fake
		}
		a, fa := replica()
		b, fb := replica()
		bMetrics := prometheus.NewRegistry()
		b.SetMetrics(tracking.NewMetrics(bMetrics))
		q := tracking.Query{Number: number, Carrier: "ups"}
		var refused int
		for _, r := range []*tracking.Registry{a, b, a, b, a, b} {
			var rl *tracking.RateLimitError
			if _, err := r.Lookup(ctx, q); errors.As(err, &rl) && rl.Daily {
				refused++
			}
		}
		if calls := fa.Calls(number) + fb.Calls(number); calls != 3 || refused != 3 {
			t.Errorf("two replicas made %d calls and were refused %d times; want 3 and 3 under a shared quota of 3", calls, refused)
		}
		// b's last request sent saw one left; being refused since, it
		// reports the quota spent by a, not what it last spent itself.
		want := "# HELP trackbot_provider_daily_budget_remaining Requests left in a provider's daily quota as this process last saw it (the quota is shared by every replica).\n" +
			"# TYPE trackbot_provider_daily_budget_remaining gauge\n" +
			"trackbot_provider_daily_budget_remaining{provider=\"dhl\"} 0\n"
		if err := testutil.GatherAndCompare(bMetrics, strings.NewReader(want), "trackbot_provider_daily_budget_remaining"); err != nil {
			t.Error(err)
		}
		clock.Advance(6 * time.Hour) // past midnight UTC
		if _, err := b.Lookup(ctx, q); err != nil {
			t.Errorf("the next day: %v", err)
		}
	})
}

// TestOwnLabelCarriersAreNotRouted wires a provider that tracks one
// carrier for any label and another only for its own labels: only the
// first is routed to it, and a lookup of the second fails with
// ErrNoProvider, naming the limit, without asking the provider; an
// aggregator added later takes the second.
func TestOwnLabelCarriersAreNotRouted(t *testing.T) {
	ctx := context.Background()
	reg := tracking.NewRegistry(tracking.NewFakeClock(t0))
	labels := trackingtest.NewProvider("labels")
	labels.Set("7035114477138472", script("7035114477138472", ev(0, tracking.SubPackageAccepted, "Accepted", "Ottawa")))
	reg.AddCoverage(labels, tracking.Coverage{tracking.CarrierUSPS: tracking.AnyLabel, tracking.CarrierCanadaPost: tracking.OwnLabelsOnly})

	if got := reg.Providers(tracking.CarrierUSPS); len(got) != 1 || got[0] != tracking.Provider(labels) {
		t.Errorf("USPS routed to %v, want the provider", got)
	}
	_, err := reg.Lookup(ctx, tracking.Query{Number: "7035114477138472", Carrier: tracking.CarrierCanadaPost})
	if !errors.Is(err, tracking.ErrNoProvider) || !strings.Contains(err.Error(), "labels tracks canada-post only for its own labels") {
		t.Errorf("lookup error %v, want ErrNoProvider naming the limit", err)
	}
	if n := labels.Calls("7035114477138472"); n != 0 {
		t.Errorf("the provider was asked %d times", n)
	}

	agg := trackingtest.NewProvider("aggregator")
	agg.Set("7035114477138472", script("7035114477138472", ev(0, tracking.SubPackageAccepted, "Accepted", "Ottawa")))
	reg.AddFallback(agg)
	if res, err := reg.Lookup(ctx, tracking.Query{Number: "7035114477138472", Carrier: tracking.CarrierCanadaPost}); err != nil || res.Provider != "aggregator" {
		t.Errorf("with an aggregator: %+v, %v", res, err)
	}
	if n := labels.Calls("7035114477138472"); n != 0 {
		t.Errorf("the provider was asked %d times", n)
	}
}
