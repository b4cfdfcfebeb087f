package shippo

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/wire"
)

const (
	testKey    = "shippo_test_0123456789abcdef"
	testSecret = "whsec-7f3a9c"
)

// testNow is the injected clock of every test.
var testNow = time.Date(2024, 5, 9, 12, 0, 0, 0, time.UTC)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakeShippo is a Shippo API that checks the token and answers every
// request with h.
func fakeShippo(t *testing.T, h http.HandlerFunc) *Provider {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "ShippoToken "+testKey {
			t.Errorf("Authorization = %q", got)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return New(Config{APIKey: testKey, BaseURL: srv.URL, WebhookSecret: testSecret, Now: func() time.Time { return testNow }})
}

// ev builds an expected event.
func ev(ts string, st tracking.Status, sub tracking.Substatus, desc, city, state, country, carrier, number string) tracking.Event {
	tm, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		panic(err)
	}
	return tracking.Event{
		Time: tm, Status: st, Substatus: sub, Description: desc,
		Location: tracking.Location{City: city, State: state, Country: country},
		Carrier:  carrier, Number: number,
	}
}

func utc(ts string) *time.Time {
	tm, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		panic(err)
	}
	return &tm
}

func TestLookup(t *testing.T) {
	const transitNo, legacyNo = "9205590164917312751089", "9205590164917337534322"
	tests := []struct {
		name     string
		query    tracking.Query
		fixture  string
		wantPath string
		want     *tracking.Result
	}{
		{
			name:     "out for delivery, offsets and an unordered history",
			query:    tracking.Query{Number: transitNo, Carrier: "usps"},
			fixture:  "track_transit.json",
			wantPath: "/tracks/usps/" + transitNo,
			want: &tracking.Result{
				Number: transitNo, Carrier: "usps", Provider: "shippo",
				Status: tracking.StatusTransit, Substatus: tracking.SubOutForDelivery,
				ETA:           utc("2024-05-10T00:00:00Z"),
				OriginCountry: "US", DestinationCountry: "US",
				Events: []tracking.Event{
					ev("2024-05-06T14:12:00Z", tracking.StatusPreTransit, tracking.SubInformationReceived, "Shipping Label Created, USPS Awaiting Item", "Austin", "TX", "US", "usps", transitNo),
					ev("2024-05-06T22:40:00Z", tracking.StatusTransit, tracking.SubPackageAccepted, "USPS picked up item", "Austin", "TX", "US", "usps", transitNo),
					ev("2024-05-07T03:15:00Z", tracking.StatusTransit, tracking.SubPackageDeparted, "Departed USPS Regional Facility", "Austin", "TX", "US", "usps", transitNo),
					ev("2024-05-08T02:05:00Z", tracking.StatusTransit, tracking.SubPackageArrived, "Arrived at USPS Regional Destination Facility", "Newark", "NJ", "US", "usps", transitNo),
					ev("2024-05-08T12:30:00Z", tracking.StatusTransit, tracking.SubDelayed, "In Transit, Arriving Late", "", "", "", "usps", transitNo),
					ev("2024-05-09T07:58:00Z", tracking.StatusTransit, tracking.SubOutForDelivery, "Out for Delivery, Expected Delivery by 8:00pm", "Hoboken", "NJ", "US", "usps", transitNo),
				},
			},
		},
		{
			name:     "documented sample without sub-statuses falls back to the text",
			query:    tracking.Query{Number: legacyNo, Carrier: "USPS"},
			fixture:  "track_legacy.json",
			wantPath: "/tracks/usps/" + legacyNo,
			want: &tracking.Result{
				Number: legacyNo, Carrier: "usps", Provider: "shippo",
				Status: tracking.StatusDelivered, Substatus: tracking.SubDelivered,
				ETA:           utc("2016-12-08T00:00:00Z"),
				OriginCountry: "US", DestinationCountry: "US",
				Events: []tracking.Event{
					ev("2016-12-07T00:00:00Z", tracking.StatusUnknown, tracking.SubOther, "The USPS has received the electronic shipment information and is awaiting the item.", "", "", "", "usps", legacyNo),
					ev("2016-12-07T02:00:00Z", tracking.StatusPreTransit, tracking.SubInformationReceived, "The shipping label has been created and the USPS is awaiting the item.", "San Francisco", "CA", "US", "usps", legacyNo),
					ev("2016-12-07T19:04:00Z", tracking.StatusTransit, tracking.SubPackageAccepted, "Your shipment has been accepted at the USPS origin facility.", "San Francisco", "CA", "US", "usps", legacyNo),
					ev("2016-12-08T03:25:00Z", tracking.StatusTransit, tracking.SubPackageDeparted, "Your shipment has departed the USPS facility.", "Oakland", "CA", "US", "usps", legacyNo),
					ev("2016-12-08T10:19:00Z", tracking.StatusTransit, tracking.SubOther, "Your shipment has been sorted completely.", "Berkeley", "CA", "US", "usps", legacyNo),
					ev("2016-12-08T10:29:00Z", tracking.StatusTransit, tracking.SubOutForDelivery, "Your shipment is out for delivery.", "Berkeley", "CA", "US", "usps", legacyNo),
					ev("2016-12-08T15:19:00Z", tracking.StatusDelivered, tracking.SubDelivered, "Your shipment has been delivered at the destination mailbox.", "Berkeley", "CA", "US", "usps", legacyNo),
				},
			},
		},
		{
			name:     "test mode: the documented SHIPPO_TRANSIT sample",
			query:    tracking.Query{Number: "SHIPPO_TRANSIT", Carrier: "shippo"},
			fixture:  "track_test_transit.json",
			wantPath: "/tracks/shippo/SHIPPO_TRANSIT",
			want: &tracking.Result{
				Number: "SHIPPO_TRANSIT", Carrier: "shippo", Provider: "shippo",
				Status: tracking.StatusTransit, Substatus: tracking.SubPackageDeparted,
				ETA:           utc("2018-08-02T18:49:42.566Z"),
				OriginCountry: "US", DestinationCountry: "US",
				Events: []tracking.Event{
					ev("2018-07-28T14:39:42.589Z", tracking.StatusUnknown, tracking.SubOther, "The carrier has received the electronic shipment information.", "San Francisco", "CA", "US", "shippo", "SHIPPO_TRANSIT"),
					ev("2018-07-29T16:44:42.589Z", tracking.StatusTransit, tracking.SubPackageDeparted, "Your shipment has departed from the origin.", "San Francisco", "CA", "US", "shippo", "SHIPPO_TRANSIT"),
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fakeShippo(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodGet || r.URL.Path != tt.wantPath {
					t.Errorf("request = %s %s, want GET %s", r.Method, r.URL.Path, tt.wantPath)
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write(fixture(t, tt.fixture))
			})
			got, err := p.Lookup(context.Background(), tt.query)
			if err != nil {
				t.Fatal(err)
			}
			compareResult(t, got, tt.want)
		})
	}
}

// compareResult reports the differences field by field, so that a failure
// names the event that differs.
func compareResult(t *testing.T, got, want *tracking.Result) {
	t.Helper()
	if len(got.Events) != len(want.Events) {
		t.Errorf("%d events, want %d", len(got.Events), len(want.Events))
	}
	for i := range min(len(got.Events), len(want.Events)) {
		if !reflect.DeepEqual(got.Events[i], want.Events[i]) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got.Events[i], want.Events[i])
		}
		if got.Events[i].Time.Location() != time.UTC {
			t.Errorf("event %d time %v is not in UTC", i, got.Events[i].Time)
		}
	}
	g, w := *got, *want
	g.Events, w.Events = nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("result:\n got %+v\nwant %+v", fmtResult(g), fmtResult(w))
	}
}

func fmtResult(r tracking.Result) string {
	b, _ := json.Marshal(r)
	return string(b)
}

func TestLookupErrors(t *testing.T) {
	tests := []struct {
		name    string
		carrier string
		handler http.HandlerFunc
		check   func(t *testing.T, err error)
	}{
		{
			name:    "no carrier hint",
			carrier: "",
			handler: func(w http.ResponseWriter, r *http.Request) { t.Error("no request expected without a carrier") },
			check:   isErr(tracking.ErrNumberUnknown),
		},
		{
			name:    "carrier Shippo does not serve",
			carrier: "yanwen",
			handler: func(w http.ResponseWriter, r *http.Request) { t.Error("no request expected for an unmapped carrier") },
			check:   isErr(tracking.ErrNumberUnknown),
		},
		{
			name:    "404",
			carrier: "ups",
			handler: status(http.StatusNotFound, `{"detail": "Not found."}`, nil),
			check:   isErr(tracking.ErrNumberUnknown),
		},
		{
			name:    "track without any status",
			carrier: "ups",
			handler: func(w http.ResponseWriter, r *http.Request) { w.Write(fixture(t, "track_unknown.json")) },
			check:   isErr(tracking.ErrNumberUnknown),
		},
		{
			name:    "UNKNOWN track without events",
			carrier: "ups",
			handler: status(http.StatusOK, `{"carrier": "ups", "tracking_number": "1Z999AA10123456784", "tracking_status": {"status": "UNKNOWN", "status_details": "The carrier has not yet provided tracking information.", "status_date": null}, "tracking_history": []}`, nil),
			check:   isErr(tracking.ErrNumberUnknown),
		},
		{
			name:    "429 with Retry-After seconds",
			carrier: "ups",
			handler: status(http.StatusTooManyRequests, "", http.Header{"Retry-After": {"120"}}),
			check:   rateLimited(120 * time.Second),
		},
		{
			name:    "429 with Retry-After date",
			carrier: "ups",
			handler: status(http.StatusTooManyRequests, "", http.Header{"Retry-After": {testNow.Add(90 * time.Second).Format(http.TimeFormat)}}),
			check:   rateLimited(90 * time.Second),
		},
		{
			name:    "429 with X-RateLimit-Reset as a Unix time",
			carrier: "ups",
			handler: status(http.StatusTooManyRequests, "", http.Header{"X-Ratelimit-Reset": {strconv.FormatInt(testNow.Add(45*time.Second).Unix(), 10)}}),
			check:   rateLimited(45 * time.Second),
		},
		{
			name:    "429 with X-RateLimit-Reset in seconds",
			carrier: "ups",
			handler: status(http.StatusTooManyRequests, "", http.Header{"X-Ratelimit-Reset": {"30"}}),
			check:   rateLimited(30 * time.Second),
		},
		{
			name:    "429 without a time",
			carrier: "ups",
			handler: status(http.StatusTooManyRequests, "", nil),
			check:   rateLimited(60 * time.Second),
		},
		{
			name:    "500",
			carrier: "ups",
			handler: status(http.StatusInternalServerError, "oops", nil),
			check:   isErr(tracking.ErrUnavailable),
		},
		{
			name:    "503",
			carrier: "ups",
			handler: status(http.StatusServiceUnavailable, "", nil),
			check:   isErr(tracking.ErrUnavailable),
		},
		{
			name:    "401 says the token was refused and keeps it out of the message",
			carrier: "ups",
			handler: status(http.StatusUnauthorized, `{"detail": "Token `+testKey+` is invalid"}`, nil),
			check: func(t *testing.T, err error) {
				isErr(ErrKeyRefused)(t, err)
				notRetryable(t, err)
			},
		},
		{
			name:    "403",
			carrier: "ups",
			handler: status(http.StatusForbidden, "", nil),
			check:   isErr(ErrKeyRefused),
		},
		{
			name:    "400 is permanent and scrubbed",
			carrier: "ups",
			handler: status(http.StatusBadRequest, `{"tracking_number": ["bad number"], "echo": "`+testKey+`"}`, nil),
			check:   notRetryable,
		},
		{
			name:    "timeout",
			carrier: "ups",
			handler: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(2 * time.Second):
				}
			},
			check: isErr(tracking.ErrUnavailable),
		},
		{
			name:    "garbage body",
			carrier: "ups",
			handler: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) },
			check:   notRetryable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fakeShippo(t, tt.handler)
			p.client = &http.Client{Timeout: 200 * time.Millisecond}
			res, err := p.Lookup(context.Background(), tracking.Query{Number: "1Z999AA10123456784", Carrier: tt.carrier})
			if err == nil {
				t.Fatalf("Lookup = %+v, want an error", res)
			}
			if strings.Contains(err.Error(), testKey) || strings.Contains(err.Error(), testSecret) {
				t.Errorf("error %q reveals a secret", err)
			}
			tt.check(t, err)
		})
	}
}

func TestLookupConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	p := New(Config{APIKey: testKey, BaseURL: url})
	_, err := p.Lookup(context.Background(), tracking.Query{Number: "1Z999AA10123456784", Carrier: "ups"})
	isErr(tracking.ErrUnavailable)(t, err)
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("error %q reveals the token", err)
	}
}

func status(code int, body string, h http.Header) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range h {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

func isErr(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Errorf("error %q is not %q", err, target)
		}
	}
}

func notRetryable(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, tracking.ErrUnavailable) || errors.Is(err, tracking.ErrNumberUnknown) {
		t.Errorf("error %q should be permanent", err)
	}
}

func rateLimited(want time.Duration) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var rl *tracking.RateLimitError
		if !errors.As(err, &rl) {
			t.Fatalf("error %q is no *tracking.RateLimitError", err)
		}
		if rl.Provider != "shippo" || rl.RetryAfter != want {
			t.Errorf("rate limit = %+v, want provider shippo, retry after %s", rl, want)
		}
		if !errors.Is(err, tracking.ErrUnavailable) {
			t.Errorf("rate limit %q is not ErrUnavailable", err)
		}
	}
}

func TestRegister(t *testing.T) {
	var calls int
	p := fakeShippo(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Method != http.MethodPost || r.URL.Path != "/tracks/" {
			t.Errorf("request = %s %s, want POST /tracks/", r.Method, r.URL.Path)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if body["carrier"] != "dhl_express" || body["tracking_number"] != "4512984170" {
			t.Errorf("body = %v", body)
		}
		w.WriteHeader(http.StatusCreated)
		w.Write(fixture(t, "track_transit.json"))
	})
	if err := p.Register(context.Background(), tracking.Query{Number: "4512984170", Carrier: "dhl-express"}); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("%d calls, want 1", calls)
	}
	if err := p.Register(context.Background(), tracking.Query{Number: "LP00123456789012", Carrier: "cainiao"}); !errors.Is(err, tracking.ErrNumberUnknown) {
		t.Errorf("Register for a carrier Shippo lacks = %v, want ErrNumberUnknown", err)
	}
	if err := p.Unregister(context.Background(), tracking.Query{Number: "4512984170", Carrier: "dhl-express"}); err != nil {
		t.Errorf("Unregister = %v, want nil", err)
	}
	if calls != 1 {
		t.Errorf("%d calls after Unregister, want still 1", calls)
	}
}

func TestRegisterRateLimited(t *testing.T) {
	p := fakeShippo(t, status(http.StatusTooManyRequests, "", http.Header{"Retry-After": {"7"}}))
	err := p.Register(context.Background(), tracking.Query{Number: "4512984170", Carrier: "dhl-express"})
	rateLimited(7*time.Second)(t, err)
}

func sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10) + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func TestParseWebhook(t *testing.T) {
	body := fixture(t, "webhook_track_updated.json")
	now := testNow.Unix()
	good := "t=" + strconv.FormatInt(now, 10) + ",v1=" + sign(testSecret, now, body)
	const number = "4512984170"
	want := &tracking.Result{
		Number: number, Carrier: "dhl-express", Provider: "shippo",
		Status: tracking.StatusTransit, Substatus: tracking.SubCustomsHeld,
		ETA:           utc("2024-04-03T22:00:00Z"),
		OriginCountry: "DE", DestinationCountry: "US",
		Events: []tracking.Event{
			ev("2024-03-28T09:02:00Z", tracking.StatusPreTransit, tracking.SubInformationReceived, "Shipment information received", "Bonn", "", "DE", "dhl-express", number),
			ev("2024-03-28T15:45:00Z", tracking.StatusTransit, tracking.SubPackageAccepted, "Shipment picked up", "Bonn", "", "DE", "dhl-express", number),
			ev("2024-04-01T21:10:00Z", tracking.StatusTransit, tracking.SubPackageDeparted, "Departed Facility in LEIPZIG - GERMANY", "Leipzig", "", "DE", "dhl-express", number),
			ev("2024-04-02T10:30:00Z", tracking.StatusTransit, tracking.SubCustomsProcessing, "Clearance processing complete at CINCINNATI HUB - USA", "Cincinnati", "OH", "US", "dhl-express", number),
			ev("2024-04-02T13:15:00Z", tracking.StatusTransit, tracking.SubCustomsHeld, "Payment of duties and taxes is required before delivery", "Cincinnati", "OH", "US", "dhl-express", number),
		},
	}
	tests := []struct {
		name    string
		secret  string
		header  http.Header
		body    []byte
		wantErr error
		want    []*tracking.Result
	}{
		{name: "good signature", header: http.Header{SignatureHeader: {good}}, want: []*tracking.Result{want}},
		{
			name:   "second v1 matches",
			header: http.Header{SignatureHeader: {good[:strings.Index(good, ",")] + ",v1=" + sign("old", now, body) + "," + good[strings.Index(good, ",")+1:]}},
			want:   []*tracking.Result{want},
		},
		{
			name:   "signed four minutes ago",
			header: http.Header{SignatureHeader: {"t=" + strconv.FormatInt(now-240, 10) + ",v1=" + sign(testSecret, now-240, body)}},
			want:   []*tracking.Result{want},
		},
		{name: "URL token", header: http.Header{TokenHeader: {testSecret}}, want: []*tracking.Result{want}},
		{name: "bad signature", header: http.Header{SignatureHeader: {"t=" + strconv.FormatInt(now, 10) + ",v1=" + sign("wrong", now, body)}}, wantErr: tracking.ErrBadSignature},
		{name: "body changed after signing", header: http.Header{SignatureHeader: {good}}, body: append([]byte(" "), body...), wantErr: tracking.ErrBadSignature},
		{name: "stale signature", header: http.Header{SignatureHeader: {"t=" + strconv.FormatInt(now-360, 10) + ",v1=" + sign(testSecret, now-360, body)}}, wantErr: tracking.ErrBadSignature},
		{name: "signature from the future", header: http.Header{SignatureHeader: {"t=" + strconv.FormatInt(now+360, 10) + ",v1=" + sign(testSecret, now+360, body)}}, wantErr: tracking.ErrBadSignature},
		{name: "signature without time", header: http.Header{SignatureHeader: {"v1=" + sign(testSecret, now, body)}}, wantErr: tracking.ErrBadSignature},
		{name: "malformed signature", header: http.Header{SignatureHeader: {"garbage"}}, wantErr: tracking.ErrBadSignature},
		{name: "wrong URL token", header: http.Header{TokenHeader: {"guess"}}, wantErr: tracking.ErrBadSignature},
		{name: "no authentication", header: http.Header{}, wantErr: tracking.ErrBadSignature},
		{name: "no secret configured", secret: "-", header: http.Header{SignatureHeader: {"t=" + strconv.FormatInt(now, 10) + ",v1=" + sign("", now, body)}, TokenHeader: {""}}, wantErr: tracking.ErrBadSignature},
		{name: "other event", header: http.Header{TokenHeader: {testSecret}}, body: fixture(t, "webhook_transaction_created.json"), want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := testSecret
			if tt.secret == "-" {
				secret = ""
			}
			p := New(Config{APIKey: testKey, WebhookSecret: secret, Now: func() time.Time { return testNow }})
			b := body
			if tt.body != nil {
				b = tt.body
			}
			got, err := p.ParseWebhook(tt.header, b)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ParseWebhook error = %v, want %v", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), testSecret) {
					t.Errorf("error %q reveals the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d results, want %d", len(got), len(tt.want))
			}
			for i := range got {
				compareResult(t, got[i], tt.want[i])
			}
		})
	}
}

// The taxonomy as Shippo documents it: a code missing from the mapping
// tables fails here.
var (
	documentedStatuses = map[string]struct {
		status tracking.Status
		sub    tracking.Substatus
	}{
		"PRE_TRANSIT": {tracking.StatusPreTransit, tracking.SubInformationReceived},
		"TRANSIT":     {tracking.StatusTransit, tracking.SubOther},
		"DELIVERED":   {tracking.StatusDelivered, tracking.SubDelivered},
		"RETURNED":    {tracking.StatusReturned, tracking.SubReturnToSender},
		"FAILURE":     {tracking.StatusFailure, tracking.SubOther},
		"UNKNOWN":     {tracking.StatusUnknown, tracking.SubOther},
	}
	documentedSubstatuses = map[string]tracking.Substatus{
		"information_received":  tracking.SubInformationReceived,
		"address_issue":         tracking.SubAddressIssue,
		"contact_carrier":       tracking.SubContactCarrier,
		"delayed":               tracking.SubDelayed,
		"delivery_attempted":    tracking.SubDeliveryAttempted,
		"delivery_rescheduled":  tracking.SubDeliveryRescheduled,
		"delivery_scheduled":    tracking.SubDeliveryScheduled,
		"location_inaccessible": tracking.SubLocationInaccessible,
		"notice_left":           tracking.SubNoticeLeft,
		"out_for_delivery":      tracking.SubOutForDelivery,
		"package_accepted":      tracking.SubPackageAccepted,
		"package_arrived":       tracking.SubPackageArrived,
		"package_damaged":       tracking.SubPackageDamaged,
		"package_departed":      tracking.SubPackageDeparted,
		"package_disposed":      tracking.SubPackageDisposed,
		"package_forwarded":     tracking.SubPackageForwarded,
		"package_held":          tracking.SubPackageHeld,
		"package_lost":          tracking.SubPackageLost,
		"package_processed":     tracking.SubPackageProcessed,
		"package_processing":    tracking.SubPackageProcessing,
		"package_unclaimed":     tracking.SubPackageUnclaimed,
		"package_undeliverable": tracking.SubPackageUndeliverable,
		"pickup_available":      tracking.SubPickupAvailable,
		"reschedule_delivery":   tracking.SubRescheduleDelivery,
		"return_to_sender":      tracking.SubReturnToSender,
		"delivered":             tracking.SubDelivered,
		"other":                 tracking.SubOther,
	}
)

func TestStatusTable(t *testing.T) {
	if len(statuses) != len(documentedStatuses) {
		t.Errorf("table has %d statuses, Shippo documents %d", len(statuses), len(documentedStatuses))
	}
	for code, want := range documentedStatuses {
		t.Run(code, func(t *testing.T) {
			got, ok := statuses[code]
			if !ok {
				t.Fatalf("status %s missing from the table", code)
			}
			if got.status != want.status || got.sub != want.sub {
				t.Errorf("%s = %s/%s, want %s/%s", code, got.status, got.sub, want.status, want.sub)
			}
			if !got.sub.Valid() || !got.status.Valid() {
				t.Errorf("%s maps outside the model", code)
			}
			// Without sub-status and text, the status decides.
			p := New(Config{})
			if st, sub := p.classify(code, "", ""); st != want.status || sub != want.sub {
				t.Errorf("classify(%s) = %s/%s, want %s/%s", code, st, sub, want.status, want.sub)
			}
		})
	}
}

func TestSubstatusTable(t *testing.T) {
	if len(substatuses) != len(documentedSubstatuses) {
		t.Errorf("table has %d sub-statuses, Shippo documents %d", len(substatuses), len(documentedSubstatuses))
	}
	for code, want := range documentedSubstatuses {
		t.Run(code, func(t *testing.T) {
			got, ok := substatuses[code]
			if !ok {
				t.Fatalf("sub-status %s missing from the table", code)
			}
			if got != want || !got.Valid() {
				t.Errorf("%s = %q, want %q", code, got, want)
			}
			if want == tracking.SubOther {
				return
			}
			// Under an UNKNOWN status the sub-status brings its parent.
			p := New(Config{})
			if st, sub := p.classify("UNKNOWN", code, ""); st != want.Parent() || sub != want {
				t.Errorf("classify(UNKNOWN, %s) = %s/%s, want %s/%s", code, st, sub, want.Parent(), want)
			}
			// Under a known status Shippo's status stays.
			if st, sub := p.classify("FAILURE", code, ""); st != tracking.StatusFailure || sub != want {
				t.Errorf("classify(FAILURE, %s) = %s/%s", code, st, sub)
			}
		})
	}
}

func TestClassifyFallback(t *testing.T) {
	tests := []struct {
		status, sub, text string
		wantStatus        tracking.Status
		wantSub           tracking.Substatus
	}{
		{"TRANSIT", "", "Arrived at the customs office", tracking.StatusTransit, tracking.SubCustomsProcessing},
		{"TRANSIT", "other", "Import duties due", tracking.StatusTransit, tracking.SubCustomsHeld},
		{"TRANSIT", "brand_new_code", "Package is available for pickup", tracking.StatusTransit, tracking.SubPickupAvailable},
		{"TRANSIT", "", "Delivered to neighbour", tracking.StatusTransit, tracking.SubOther}, // the text's status disagrees
		{"PRE_TRANSIT", "", "Label printed", tracking.StatusPreTransit, tracking.SubInformationReceived},
		{"UNKNOWN", "", "Your item was delivered", tracking.StatusDelivered, tracking.SubDelivered},
		{"IN_LIMBO", "", "Returned to sender", tracking.StatusReturned, tracking.SubReturnToSender},
		{"IN_LIMBO", "", "Hmm", tracking.StatusUnknown, tracking.SubOther},
		{"", "", "", tracking.StatusUnknown, tracking.SubOther},
		{"delivered", "delivered", "", tracking.StatusDelivered, tracking.SubDelivered},
	}
	p := New(Config{})
	for _, tt := range tests {
		st, sub := p.classify(tt.status, tt.sub, tt.text)
		if st != tt.wantStatus || sub != tt.wantSub {
			t.Errorf("classify(%q, %q, %q) = %s/%s, want %s/%s", tt.status, tt.sub, tt.text, st, sub, tt.wantStatus, tt.wantSub)
		}
	}
}

func TestCarrierTables(t *testing.T) {
	for id, token := range carrierTokens {
		if _, ok := tracking.LookupCarrier(id); !ok {
			t.Errorf("carrier id %q is not trackbot's", id)
		}
		if back := carrierID(token); back != id {
			t.Errorf("token %q maps back to %q, want %q", token, back, id)
		}
	}
	for token, id := range carrierIDs {
		if _, ok := tracking.LookupCarrier(id); !ok {
			t.Errorf("token %q maps to %q, not a trackbot id", token, id)
		}
	}
	// Every trackbot carrier is either mapped or known to be missing from
	// Shippo.
	unsupported := map[string]bool{"china-post": true, "4px": true, "yanwen": true, "cainiao": true, "yunexpress": true}
	for _, id := range []string{"usps", "ups", "fedex", "dhl-express", "dhl-paket", "dhl-ecommerce", "canada-post", "china-post", "royal-mail", "4px", "yanwen", "cainiao", "yunexpress"} {
		if _, ok := carrierToken(id); ok == unsupported[id] {
			t.Errorf("carrier %q: mapped = %v, want %v", id, ok, !unsupported[id])
		}
	}
	if got := Carriers(); len(got) != len(carrierTokens) {
		t.Errorf("Carriers() = %v", got)
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"2024-05-06T09:12:00-05:00", "2024-05-06T14:12:00Z"},
		{"2024-04-01T23:10:00+02:00", "2024-04-01T21:10:00Z"},
		{"2024-04-01T23:10:00.123+0200", "2024-04-01T21:10:00.123Z"},
		{"2016-12-09T01:40:17.515Z", "2016-12-09T01:40:17.515Z"},
		{"2024-05-09T07:58:00", "2024-05-09T07:58:00Z"},
		{"2024-05-09 07:58:00", "2024-05-09T07:58:00Z"},
		{"2024-05-09T07:58", "2024-05-09T07:58:00Z"},
		{"2024-05-09", "2024-05-09T00:00:00Z"},
		{"", ""},
		{"yesterday", ""},
	}
	for _, tt := range tests {
		got, ok := wire.Time(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("wire.Time(%q) = %v, want no time", tt.in, got)
			}
			continue
		}
		want, _ := time.Parse(time.RFC3339Nano, tt.want)
		if !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("wire.Time(%q) = %v, %v, want %v", tt.in, got, ok, want)
		}
	}
}

func TestUnknownCodeLoggedOnce(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	p := New(Config{})
	for range 3 {
		if st, sub := p.classify("TRANSIT", "teleported", "Teleported, then delayed"); st != tracking.StatusTransit || sub != tracking.SubDelayed {
			t.Fatalf("classify = %s/%s, want TRANSIT/delayed", st, sub)
		}
	}
	if n := strings.Count(buf.String(), "substatus:teleported"); n != 1 {
		t.Errorf("unknown code logged %d times, want once:\n%s", n, buf.String())
	}
	if !strings.Contains(buf.String(), "provider=shippo") {
		t.Errorf("log line lacks the provider:\n%s", buf.String())
	}
}
