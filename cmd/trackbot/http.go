package main

import (
	"context"
	"fmt"

	"github.com/trackbot/trackbot/web"
)

// newHTTPServer wires the HTTP server: probes, metrics, and later the
// platforms' and carriers' webhooks.
func newHTTPServer(a *app) *web.Server {
	srv := web.New(a.cfg.listenAddr(a.chat), readiness{a}, a.metrics)
	srv.HandleCarrierPushes(a.engine)
	srv.HandleOrderFeeds(a.bot)
	srv.HandleTrackingPages(a.store)
	return srv
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
