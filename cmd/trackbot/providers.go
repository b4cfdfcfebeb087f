package main

import (
	"strings"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/aftership"
	"github.com/trackbot/trackbot/tracking/providers/demo"
	"github.com/trackbot/trackbot/tracking/providers/dhl"
	"github.com/trackbot/trackbot/tracking/providers/seventeentrack"
	"github.com/trackbot/trackbot/tracking/providers/shippo"
)

// newRegistry wires the providers the configuration switches on: the demo
// carrier always; then, for each carrier, its own API first (DHL) and the
// multi-carrier services after it, each within its published rate limits.
func newRegistry(cfg *config, clock tracking.Clock, metrics *tracking.Metrics) *tracking.Registry {
	reg := tracking.NewRegistry(clock)
	reg.SetMetrics(metrics)
	reg.AddCarrier(demo.New(cfg.DemoStep, clock), tracking.CarrierDemo)
	now := clock.Now
	if cfg.DHLAPIKey != "" {
		p := dhl.New(dhl.Config{APIKey: cfg.DHLAPIKey, BaseURL: cfg.DHLAPIURL, WebhookSecret: cfg.DHLWebhookSecret, Now: now})
		reg.AddCarrier(p, dhl.Carriers()...)
		reg.SetBudget(p.Name(), 1, cfg.DHLDailyLimit)
	}
	if cfg.ShippoAPIToken != "" {
		p := shippo.New(shippo.Config{APIKey: cfg.ShippoAPIToken, BaseURL: cfg.ShippoAPIURL, WebhookSecret: cfg.ShippoWebhookSecret, Now: now})
		// Shippo tracks some carriers only for labels bought through it;
		// those are left to the services that track any label.
		reg.AddCoverage(p, shippo.Coverage())
		perSecond := 8.0
		if strings.HasPrefix(cfg.ShippoAPIToken, "shippo_test_") {
			perSecond = 50.0 / 60 // Shippo allows test tokens 50 look-ups a minute
		}
		reg.SetBudget(p.Name(), perSecond, 0)
	}
	if cfg.SeventeenTrackAPIKey != "" {
		p := seventeentrack.New(seventeentrack.Config{APIKey: cfg.SeventeenTrackAPIKey, BaseURL: cfg.SeventeenTrackAPIURL})
		reg.AddFallback(p)
		reg.SetBudget(p.Name(), 3, 0)
	}
	if cfg.AfterShipAPIKey != "" {
		p := aftership.New(aftership.Config{APIKey: cfg.AfterShipAPIKey, BaseURL: cfg.AfterShipAPIURL, WebhookSecret: cfg.AfterShipWebhookSecret})
		reg.AddFallback(p)
		reg.SetBudget(p.Name(), 5, 0)
	}
	return reg
}
