package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/trackbot/trackbot/tracking"
)

// maxBody caps every webhook body.
const maxBody = 1 << 20

// CarrierPushes takes a carrier's or aggregator's webhook call.
//
// Push returns an error wrapping tracking.ErrBadSignature when the call
// fails verification (answered 401), one wrapping tracking.ErrNoProvider
// when no configured provider takes pushes under that name (404); any other
// error is answered 500, so that the sender retries.
type CarrierPushes interface {
	Push(ctx context.Context, provider string, header http.Header, body []byte) error
}

// tokenHeader carries a secret that a provider appends to the webhook URL
// (Shippo's ?token=…) to the provider's verification, which sees headers
// only.
const tokenHeader = "X-Trackbot-Webhook-Token"

// HandleCarrierPushes serves POST /webhooks/{provider}.
func (s *Server) HandleCarrierPushes(p CarrierPushes) {
	s.mux.HandleFunc("POST /webhooks/{provider}", func(w http.ResponseWriter, r *http.Request) {
		body, ok := ReadBody(w, r, maxBody)
		if !ok {
			return
		}
		header := r.Header.Clone()
		header.Del(tokenHeader)
		if tok := r.URL.Query().Get("token"); tok != "" {
			header.Set(tokenHeader, tok)
		}
		provider := r.PathValue("provider")
		err := p.Push(r.Context(), provider, header, body)
		switch {
		case err == nil:
			w.WriteHeader(http.StatusOK)
		case errors.Is(err, tracking.ErrBadSignature):
			slog.WarnContext(r.Context(), "carrier push refused: bad signature", "provider", provider)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		case errors.Is(err, tracking.ErrNoProvider):
			http.NotFound(w, r)
		default:
			slog.ErrorContext(r.Context(), "carrier push failed", "provider", provider, "err", err)
			http.Error(w, "try again later", http.StatusInternalServerError)
		}
	})
}
