package main

import (
	"context"
	"fmt"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/web"
)

// newHTTPServer wires the HTTP server: probes, metrics, tracking pages and
// the carriers' webhooks (the platforms' are mounted by their adapters).
func newHTTPServer(a *app) *web.Server {
	srv := web.New(a.cfg.listenAddr(a.chat), readiness{a}, a.metrics)
	srv.HandleCarrierPushes(a.engine)
	srv.HandleOrderFeeds(a.bot)
	srv.HandleTrackingPages(web.Pages{Shared: sharedPages{a.store}, Advisor: a.engine, Catalog: a.catalog, Now: a.clock.Now})
	return srv
}

// sharedPages hands the store's shared pages to the web server.
type sharedPages struct{ s *store.Store }

func (p sharedPages) SharedPage(ctx context.Context, token string, now time.Time) (*web.SharedPage, error) {
	sp, err := p.s.SharedPage(ctx, token, now)
	if err != nil {
		return nil, err
	}
	return &web.SharedPage{Shipment: sp.Shipment, Label: sp.Label, OrderRef: sp.OrderRef, Language: sp.Language,
		Brand: web.Brand{Name: sp.Brand.Name, URL: sp.Brand.URL, LogoURL: sp.Brand.LogoURL}}, nil
}

// readiness answers /readyz from the database.
type readiness struct{ a *app }

func (r readiness) Ready(ctx context.Context) error {
	if err := r.a.store.Ping(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	current, err := r.a.store.MigrationsCurrent(ctx)
	if err != nil {
		return err
	}
	if !current {
		return fmt.Errorf("database migrations pending")
	}
	return nil
}
