package web_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/web"
)

// sharedByError is a SharedShipments whose every look-up fails with err.
type sharedByError struct{ err error }

func (s sharedByError) SharedPage(context.Context, string, time.Time) (*web.SharedPage, error) {
	return nil, s.err
}

// failingPages serves pages from a SharedPages that fails with err.
func failingPages(err error) web.Pages {
	cat, lerr := locales.Load("")
	if lerr != nil {
		panic(lerr)
	}
	return web.Pages{Shared: sharedByError{err}, Catalog: cat}
}

type readyAlways struct{}

func (readyAlways) Ready(context.Context) error { return nil }

// TestTrackingPageTellsNotFoundFromFailure: the page answers 404 for
// every error that wraps tracking.ErrNotFound — store's own sentinel among
// them, without web importing store — and 500 for anything else.
func TestTrackingPageTellsNotFoundFromFailure(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"tracking's sentinel", tracking.ErrNotFound, http.StatusNotFound},
		{"store's sentinel", store.ErrNotFound, http.StatusNotFound},
		{"store's sentinel, wrapped", fmt.Errorf("store: share token: %w", store.ErrNotFound), http.StatusNotFound},
		{"a failure", errors.New("store: share token: connection refused"), http.StatusInternalServerError},
		{"unavailable", tracking.ErrUnavailable, http.StatusInternalServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := web.New(":0", readyAlways{}, prometheus.NewRegistry())
			srv.HandleTrackingPages(failingPages(tc.err))
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/t/"+strings.Repeat("ab", 16), nil))
			if rec.Code != tc.want {
				t.Errorf("%v: %d, want %d", tc.err, rec.Code, tc.want)
			}
		})
	}
}
