package slack

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/trackbot/trackbot/web"
)

// maxBody caps what Slack may send in one request.
const maxBody = 1 << 20

// CommandsHandler serves POST /slack/commands: the /track slash command.
// It answers at once with an ephemeral acknowledgement; the core's replies
// follow as channel messages.
// https://docs.slack.dev/interactivity/implementing-slash-commands
func (a *Adapter) CommandsHandler() http.Handler {
	return a.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		cmd, err := slackgo.SlashCommandParse(r)
		if err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		ack, ok := a.onCommand(cmd)
		if !ok {
			http.Error(w, "not running", http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, ack)
	})
}

// InteractionsHandler serves POST /slack/interactions: button presses.
// https://docs.slack.dev/interactivity/handling-user-interaction
func (a *Adapter) InteractionsHandler() http.Handler {
	return a.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		cb, err := slackgo.InteractionCallbackParse(r)
		if err != nil {
			http.Error(w, "bad payload", http.StatusBadRequest)
			return
		}
		if !a.onInteraction(cb) {
			http.Error(w, "not running", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// EventsHandler serves POST /slack/events: the Events API. It answers the
// url_verification challenge and takes each event once, however often
// Slack retries it.
// https://docs.slack.dev/apis/events-api/
func (a *Adapter) EventsHandler() http.Handler {
	return a.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		var outer struct {
			Type      string `json:"type"`
			Challenge string `json:"challenge"`
		}
		if err := json.Unmarshal(body, &outer); err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		switch outer.Type {
		case slackevents.URLVerification:
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, outer.Challenge)
			return
		case slackevents.CallbackEvent:
		default:
			w.WriteHeader(http.StatusOK) // app_rate_limited and the like
			return
		}
		ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
		if err != nil {
			// An event type trackbot does not subscribe to, or one the
			// SDK cannot read: acknowledge it so Slack does not retry.
			slog.DebugContext(r.Context(), "slack: unreadable event", "err", err)
			w.WriteHeader(http.StatusOK)
			return
		}
		if !a.onEvent(r.Context(), ev) {
			http.Error(w, "not running", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// verified wraps a handler of Slack's POST requests: it caps the body,
// checks the request's signature and age (five minutes) and answers 401
// without going further when they fail (counted, and logged at most once
// a minute per route), and 503 until Run has started.
// next gets the body, and r with the body readable again for form parsing.
// https://docs.slack.dev/authentication/verifying-requests-from-slack
func (a *Adapter) verified(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !web.PostOnly(w, r) {
			return
		}
		body, ok := web.ReadBody(w, r, maxBody)
		if !ok {
			return
		}
		sv, err := slackgo.NewSecretsVerifier(r.Header, a.secret)
		if err == nil {
			_, err = sv.Write(body)
		}
		if err == nil {
			err = sv.Ensure()
		}
		if err != nil {
			// The handlers are mounted at fixed paths, so the path is one of
			// them, not whatever a caller sent.
			a.refusals.Refuse(r.Context(), r.URL.Path, "bad_signature", "err", err)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		select {
		case <-a.ready:
		default:
			http.Error(w, "not running yet", http.StatusServiceUnavailable)
			return
		}
		// The body is read; the form parsers of the SDK read it again.
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.PostForm, r.Form = nil, nil
		next(w, r, body)
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
