// Package web is trackbot's HTTP server: health and readiness probes,
// Prometheus metrics, and the routes chat platforms and carriers call.
// Handlers only decode, verify and hand over; what to do lives elsewhere.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Readiness is what /readyz asks.
//
// Ready returns nil when the process can serve: the database answers and its
// schema is current. Any error makes /readyz answer 503.
type Readiness interface {
	Ready(ctx context.Context) error
}

// Server is trackbot's HTTP server.
type Server struct {
	mux     *http.ServeMux
	handler http.Handler // mux, counted
	srv     *http.Server
	ready   Readiness
	push    pushMetrics
	orders  orderMetrics
	// pageViews counts the tracking pages served.
	pageViews *prometheus.CounterVec
	// logs keeps refused and failed webhook calls from flooding the log.
	logs sparseLog
	// refusals counts and logs what the platforms' webhook routes refuse.
	refusals *Refusals
}

// New returns a server for addr. registry is what /metrics exposes.
func New(addr string, ready Readiness, registry *prometheus.Registry) *Server {
	s := &Server{mux: http.NewServeMux(), ready: ready, push: newPushMetrics(registry),
		orders: newOrderMetrics(registry), logs: newSparseLog(), pageViews: newPageViews(registry),
		refusals: NewRefusals(registry)}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{Registry: registry}))
	s.handler = instrument(s.mux, registry)
	s.srv = &http.Server{
		Addr:              addr,
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	return s
}

// Refusals is where the platforms' webhook routes, mounted with Handle,
// count and log the calls they refuse.
func (s *Server) Refusals() *Refusals { return s.refusals }

// Handle adds a route, such as a platform's webhook, before Serve.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Handler is the server's router with its request metrics, for tests.
func (s *Server) Handler() http.Handler { return s.handler }

// instrument counts the requests h serves, and times them, by the route
// pattern that matched (not the path, which carries tokens and ids) and
// by status code.
func instrument(h *http.ServeMux, reg prometheus.Registerer) http.Handler {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "trackbot_http_requests_total",
		Help: "HTTP requests by route pattern and status code.",
	}, []string{"route", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "trackbot_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route"})
	reg.MustRegister(requests, duration)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		// ServeMux sets r.Pattern on this request when a route matches.
		h.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
		duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// statusWriter remembers the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Serve listens until ctx ends, then shuts down gracefully, letting
// requests in flight finish for up to ten seconds.
func (s *Server) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.srv.Addr)
	if err != nil {
		return err
	}
	return s.ServeListener(ctx, ln)
}

// ServeListener is Serve on an open listener.
func (s *Server) ServeListener(ctx context.Context, ln net.Listener) error {
	slog.InfoContext(ctx, "http server listening", "addr", ln.Addr().String())
	done := make(chan error, 1)
	go func() { done <- s.srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.ready.Ready(ctx); err != nil {
		slog.WarnContext(ctx, "not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready\n"))
		return
	}
	w.Write([]byte("ready\n"))
}
