package web_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/aftership"
	"github.com/trackbot/trackbot/tracking/providers/dhl"
	"github.com/trackbot/trackbot/tracking/providers/seventeentrack"
	"github.com/trackbot/trackbot/tracking/providers/shippo"
	"github.com/trackbot/trackbot/web"
)

type alwaysReady struct{}

func (alwaysReady) Ready(context.Context) error { return nil }

// pushSecret is the webhook secret every provider is configured with; for
// 17TRACK, which signs its pushes with the API key, it is the API key.
const pushSecret = "push-secret"

// pushSigner authenticates a push to the provider the way its servers do:
// it signs body with secret at now, or attaches secret as a token.
type pushSigner func(req *http.Request, body []byte, secret string, now time.Time)

// signDHL sets the static token of DHL's push subscription; DHL signs
// nothing.
func signDHL(req *http.Request, _ []byte, secret string, _ time.Time) {
	req.Header.Set(dhl.TokenHeader, secret)
}

// sign17Track sets "sign" to the hex SHA-256 of the body, a slash and the
// API key.
func sign17Track(req *http.Request, body []byte, key string, _ time.Time) {
	h := sha256.New()
	h.Write(body)
	h.Write([]byte("/" + key))
	req.Header.Set("sign", hex.EncodeToString(h.Sum(nil)))
}

// signAfterShip sets aftership-hmac-sha256 to the base64 HMAC-SHA256 of the
// body under the webhook secret.
func signAfterShip(req *http.Request, body []byte, secret string, _ time.Time) {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	req.Header.Set("aftership-hmac-sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

// signShippo sets Shippo-Auth-Signature to "t=<unix time>,v1=<hex
// HMAC-SHA256 of the time, a dot and the body>" under the webhook secret.
func signShippo(req *http.Request, body []byte, secret string, now time.Time) {
	ts := strconv.FormatInt(now.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	req.Header.Set(shippo.SignatureHeader, "t="+ts+",v1="+hex.EncodeToString(mac.Sum(nil)))
}

// shippoURLToken appends the secret to the webhook URL as ?token=, Shippo's
// other way to authenticate a push.
func shippoURLToken(req *http.Request, _ []byte, secret string, _ time.Time) {
	q := req.URL.Query()
	q.Set("token", secret)
	req.URL.RawQuery = q.Encode()
}

// signedAt signs as sign does, at a fixed time whatever the clock says.
func signedAt(at time.Time, sign pushSigner) pushSigner {
	return func(req *http.Request, body []byte, secret string, _ time.Time) { sign(req, body, secret, at) }
}

// badPush is a push that fails authentication.
type badPush struct {
	name   string
	sign   pushSigner // nil: no authentication at all
	secret string
}

// redelivery is a push sent again after it was merged.
type redelivery struct {
	name string
	// after is how long after the previous delivery it arrives.
	after time.Duration
	sign  pushSigner
	want  int
}

// outboxRows lists a chat's queued pushes by kind, a guidance push as
// "guidance:" and its rule, a status alert carrying advice as
// "status+guidance:" and its rule, sorted.
func outboxRows(t *testing.T, s *store.Store, chatID int64) []string {
	t.Helper()
	rows, err := s.DB().QueryContext(context.Background(), `SELECT kind, payload FROM outbox WHERE chat_id = $1`, chatID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var kind, payload string
		if err := rows.Scan(&kind, &payload); err != nil {
			t.Fatal(err)
		}
		n, err := tracking.DecodeNotice(kind, []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case n.Guidance != nil:
			kind += ":" + n.Guidance.Rule
		case n.Status != nil:
			for _, a := range n.Status.Advice {
				kind += "+" + tracking.NoticeGuidance + ":" + a.Rule
			}
		}
		out = append(out, kind)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestEveryProvidersPushGoesThroughTheMerge sends each push-taking
// provider's own webhook fixture to the real server, engine and store, with
// every such provider configured as in production. A push that fails
// authentication is refused with nothing written; a genuine one stores the
// events and the status it carries and queues one status alert for the
// subscribed chat, with the guidance the new state calls for; the same push
// delivered again writes nothing more.
func TestEveryProvidersPushGoesThroughTheMerge(t *testing.T) {
	shippoNow := time.Date(2024, 4, 2, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		// provider is the {provider} of the route: the provider's Name().
		provider string
		// fixture is the vendor-shaped push, under tracking/providers.
		fixture string
		// carrier and number name the shipment the push is about, as the
		// provider's parser maps them.
		carrier, number string
		// now is shortly after the push's newest event.
		now  time.Time
		sign pushSigner
		// refused are ways to fail authentication besides sending none
		// and signing with another secret.
		refused   []badPush
		status    tracking.Status
		substatus tracking.Substatus
		events    int
		// outbox is what the push queues for the chat, as outboxRows
		// lists it.
		outbox []string
		// redelivered are the deliveries after the first; without them,
		// the push signed afresh a minute later, answered 200.
		redelivered []redelivery
	}{
		{
			provider: "17track", fixture: "seventeentrack/testdata/webhook_updated.json",
			carrier: tracking.CarrierUPS, number: "1Z2617V10397725789",
			now: time.Date(2022, 4, 5, 1, 0, 0, 0, time.UTC), sign: sign17Track,
			status: tracking.StatusDelivered, substatus: tracking.SubDelivered, events: 4,
			outbox: []string{tracking.NoticeStatus + "+" + tracking.NoticeGuidance + ":" + tracking.RuleDelivered},
		},
		{
			provider: "aftership", fixture: "aftership/testdata/webhook_tracking_update.json",
			carrier: tracking.CarrierUSPS, number: "9400111899562537624326",
			now: time.Date(2021, 1, 14, 6, 0, 0, 0, time.UTC), sign: signAfterShip,
			status: tracking.StatusTransit, substatus: tracking.SubPackageProcessed, events: 2,
			outbox: []string{tracking.NoticeStatus},
		},
		{
			provider: "dhl", fixture: "dhl/testdata/push_shipments.json",
			carrier: tracking.CarrierDHLPaket, number: "00340434161094042557",
			now: time.Date(2024, 7, 2, 12, 0, 0, 0, time.UTC), sign: signDHL,
			status: tracking.StatusDelivered, substatus: tracking.SubDelivered, events: 4,
			// One status alert, and the delivered guidance with its "I
			// didn't get it" button.
			outbox: []string{tracking.NoticeStatus + "+" + tracking.NoticeGuidance + ":" + tracking.RuleDelivered},
		},
		{
			provider: "shippo", fixture: "shippo/testdata/webhook_track_updated.json",
			carrier: tracking.CarrierDHLExpress, number: "4512984170",
			now: shippoNow, sign: signShippo,
			refused: []badPush{
				{"signed six minutes ago", signedAt(shippoNow.Add(-6*time.Minute), signShippo), pushSecret},
				{"wrong URL token", shippoURLToken, "wrong"},
				// Only the web layer may set the header that carries the
				// URL token.
				{"URL token sent as a header", func(req *http.Request, _ []byte, secret string, _ time.Time) {
					req.Header.Set(shippo.TokenHeader, secret)
				}, pushSecret},
			},
			status: tracking.StatusTransit, substatus: tracking.SubCustomsHeld, events: 5,
			outbox: []string{tracking.NoticeStatus + "+" + tracking.NoticeGuidance + ":" + tracking.RuleCustomsHeld},
			redelivered: []redelivery{
				// The signature's time window refuses a captured push
				// replayed later.
				{"first delivery replayed six minutes later", 6 * time.Minute, signedAt(shippoNow, signShippo), http.StatusUnauthorized},
				{"signed afresh", time.Minute, signShippo, http.StatusOK},
				{"URL token", time.Minute, shippoURLToken, http.StatusOK},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			body, err := os.ReadFile("../tracking/providers/" + tt.fixture)
			if err != nil {
				t.Fatal(err)
			}
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				clock := tracking.NewFakeClock(tt.now)
				reg := tracking.NewRegistry(clock)
				reg.AddCarrier(dhl.New(dhl.Config{APIKey: "k", WebhookSecret: pushSecret, Now: clock.Now}), dhl.Carriers()...)
				reg.AddCarrier(shippo.New(shippo.Config{APIKey: "k", WebhookSecret: pushSecret, Now: clock.Now}), shippo.Carriers()...)
				reg.AddFallback(seventeentrack.New(seventeentrack.Config{APIKey: pushSecret}))
				reg.AddFallback(aftership.New(aftership.Config{APIKey: "k", WebhookSecret: pushSecret}))
				engine := tracking.NewEngine(s, reg, tracking.Options{Clock: clock})

				st, _, err := s.EnsureShipment(ctx, tt.carrier, tt.number, tt.now.Add(-72*time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				chat, err := s.EnsureChat(ctx, "telegram", "", "42", "private", "buyer", tt.now)
				if err != nil {
					t.Fatal(err)
				}
				if _, _, err := s.Subscribe(ctx, &tracking.SubscribeRequest{ChatID: chat.ID, ShipmentID: st.ID, Now: tt.now}); err != nil {
					t.Fatal(err)
				}

				srv := web.New(":0", alwaysReady{}, prometheus.NewRegistry())
				srv.HandleCarrierPushes(engine)
				ts := httptest.NewServer(srv.Handler())
				defer ts.Close()
				post := func(provider string, sign pushSigner, secret string) int {
					t.Helper()
					req, err := http.NewRequest(http.MethodPost, ts.URL+"/webhooks/"+provider, bytes.NewReader(body))
					if err != nil {
						t.Fatal(err)
					}
					if sign != nil {
						sign(req, body, secret, clock.Now())
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					// An accepted push is kept, and merged by the engine's
					// worker; here, at once.
					if _, err := engine.MergePushes(ctx); err != nil {
						t.Fatal(err)
					}
					return resp.StatusCode
				}
				// holds checks the shipment, its events and the chat's
				// outbox.
				holds := func(when string, status tracking.Status, substatus tracking.Substatus, events int, outbox []string) {
					t.Helper()
					after, err := s.Shipment(ctx, st.ID)
					if err != nil {
						t.Fatal(err)
					}
					if after.Status != status || after.Substatus != substatus {
						t.Errorf("%s: shipment %s/%s, want %s/%s", when, after.Status, after.Substatus, status, substatus)
					}
					stored, err := s.Events(ctx, st.ID)
					if err != nil {
						t.Fatal(err)
					}
					if len(stored) != events || len(after.Known) != events {
						t.Errorf("%s: %d events (%d fingerprints), want %d", when, len(stored), len(after.Known), events)
					}
					for _, e := range stored {
						if e.Carrier != tt.carrier || e.Number != tt.number {
							t.Errorf("%s: event %q of %s %s, want %s %s", when, e.Description, e.Carrier, e.Number, tt.carrier, tt.number)
						}
					}
					if got := outboxRows(t, s, chat.ID); !slices.Equal(got, outbox) {
						t.Errorf("%s: outbox %q, want %q", when, got, outbox)
					}
				}

				refused := append([]badPush{
					{"unauthenticated", nil, ""},
					{"signed with another secret", tt.sign, "wrong"},
				}, tt.refused...)
				for _, bad := range refused {
					if code := post(tt.provider, bad.sign, bad.secret); code != http.StatusUnauthorized {
						t.Errorf("%s: %d, want 401", bad.name, code)
					}
				}
				if code := post("nobody", tt.sign, pushSecret); code != http.StatusNotFound {
					t.Errorf("unknown provider: %d, want 404", code)
				}
				holds("after the refused pushes", tracking.StatusUnknown, tracking.SubOther, 0, nil)

				if code := post(tt.provider, tt.sign, pushSecret); code != http.StatusOK {
					t.Fatalf("genuine push: %d, want 200", code)
				}
				holds("after the push", tt.status, tt.substatus, tt.events, tt.outbox)
				after, err := s.Shipment(ctx, st.ID)
				if err != nil {
					t.Fatal(err)
				}
				if after.Provider != tt.provider {
					t.Errorf("after the push: provider %q, want %q", after.Provider, tt.provider)
				}

				again := tt.redelivered
				if again == nil {
					again = []redelivery{{"signed afresh", time.Minute, tt.sign, http.StatusOK}}
				}
				for _, r := range again {
					clock.Advance(r.after)
					if code := post(tt.provider, r.sign, pushSecret); code != r.want {
						t.Errorf("%s: %d, want %d", r.name, code, r.want)
					}
					holds(r.name, tt.status, tt.substatus, tt.events, tt.outbox)
				}
			})
		})
	}
}

// TestTrackingPageEscapesAndHidesUnknownTokens: a label the sharer chose
// to show is escaped; the page runs no script, loads nothing from
// elsewhere, cannot be framed, and its one inline style sheet is allowed
// by its hash; a token that opens nothing is a 404.
func TestTrackingPageEscapesAndHidesUnknownTokens(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	st, _, err := s.EnsureShipment(ctx, "ups", "1Z999AA10123456784", now)
	if err != nil {
		t.Fatal(err)
	}
	chat, _ := s.EnsureChat(ctx, "telegram", "", "7", "private", "buyer", now)
	sub, _, err := s.Subscribe(ctx, &tracking.SubscribeRequest{ChatID: chat.ID, ShipmentID: st.ID, Label: `<script>alert(1)</script>`, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	token := strings.Repeat("ab", 16)
	if err := s.CreateShareToken(ctx, chat.ID, sub, token, now, time.Time{}, store.ShareOptions{ShowLabel: true}); err != nil {
		t.Fatal(err)
	}
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	srv := web.New(":0", alwaysReady{}, prometheus.NewRegistry())
	srv.HandleTrackingPages(web.Pages{Shared: pagesFromStore{s}, Catalog: cat})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	resp, err := http.Get(ts.URL + "/t/" + token)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "1Z999AA10123456784") ||
		!strings.Contains(string(page), "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(string(page), "<script") {
		t.Errorf("page: %d, escaped label missing or raw script present:\n%s", resp.StatusCode, page)
	}
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindSubmatch(page)
	if style == nil {
		t.Fatalf("no inline style sheet:\n%s", page)
	}
	sum := sha256.Sum256(style[1])
	headers := map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	}
	for name, want := range headers {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if n := strings.Count(string(page), "style="); n != 0 {
		t.Errorf("%d style attributes, which the policy blocks", n)
	}
	// A link past its expiry opens nothing; the page reads the wall clock.
	expired := strings.Repeat("ef", 16)
	if err := s.CreateShareToken(ctx, chat.ID, sub, expired, now, time.Now().Add(-time.Minute), store.ShareOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{strings.Repeat("cd", 16), "short", expired} {
		resp, err := http.Get(ts.URL + "/t/" + bad)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("token %q: %d, want 404", bad, resp.StatusCode)
		}
	}
}
