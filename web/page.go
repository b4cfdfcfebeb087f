package web

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/trackbot/trackbot/tracking"
)

// SharedShipments finds the shipment a share token opens.
//
// SharedShipment returns the shipment and the label its owner gave it; an
// unknown, revoked or (at now) expired token is an error wrapping
// tracking.ErrNotFound (answered 404), any other error a failure (answered
// 500).
type SharedShipments interface {
	SharedShipment(ctx context.Context, token string, now time.Time) (*tracking.Shipment, string, error)
}

// pagePolicy is the tracking page's Content-Security-Policy: the page has
// no script, loads nothing and may not be framed; its one style sheet is
// inline.
const pagePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// HandleTrackingPages serves GET /t/{token}: a read-only page of one
// shipment, for people outside the chat.
func (s *Server) HandleTrackingPages(src SharedShipments) {
	s.mux.HandleFunc("GET /t/{token}", func(w http.ResponseWriter, r *http.Request) {
		token := r.PathValue("token")
		if len(token) < 32 || len(token) > 64 {
			http.NotFound(w, r)
			return
		}
		sh, label, err := src.SharedShipment(r.Context(), token, time.Now())
		if err != nil {
			if errors.Is(err, tracking.ErrNotFound) {
				http.NotFound(w, r)
				return
			}
			slog.ErrorContext(r.Context(), "tracking page failed", "err", err)
			http.Error(w, "try again later", http.StatusInternalServerError)
			return
		}
		events := slices.Clone(sh.Events)
		slices.Reverse(events)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("X-Robots-Tag", "noindex")
		w.Header().Set("Content-Security-Policy", pagePolicy)
		w.Header().Set("X-Frame-Options", "DENY") // for browsers without frame-ancestors
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if err := pageTemplate.Execute(w, map[string]any{"Shipment": sh, "Label": label, "Events": events}); err != nil {
			slog.ErrorContext(r.Context(), "tracking page render failed", "err", err)
		}
	})
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Label}}{{.Label}} · {{end}}{{.Shipment.Number}} — trackbot</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}.status{font-weight:600}ol{list-style:none;padding:0}li{border-left:3px solid #ccd;padding:.3rem .8rem;margin:.4rem 0}
.when{color:#667;font-size:.9rem}</style></head>
<body><h1>{{if .Label}}{{.Label}} · {{end}}{{.Shipment.Number}}</h1>
<p class="status">{{.Shipment.Status}}{{if .Shipment.Substatus}} · {{.Shipment.Substatus}}{{end}}</p>
{{if or .Shipment.OriginCountry .Shipment.DestinationCountry}}<p>{{.Shipment.OriginCountry}} → {{.Shipment.DestinationCountry}}</p>{{end}}
{{range .Shipment.Legs}}<p>Later carried as {{.Number}} ({{.Carrier}})</p>{{end}}
<ol>{{range .Events}}<li><div class="when">{{when .Time}}</div>{{.Description}}{{with .Location.String}} — {{.}}{{end}}</li>{{else}}<li>No events yet.</li>{{end}}</ol>
<p><small>Shared from trackbot. The link can be revoked by whoever shared it.</small></p></body></html>`))
