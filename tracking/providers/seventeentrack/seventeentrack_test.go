package seventeentrack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracking"
	pt "github.com/trackbot/trackbot/tracking/providers/providertest"
)

const testKey = "test-17token-secret"

// testNow is the fake clock's time: 18:00 UTC, six hours before the next
// UTC day.
var testNow = time.Date(2024, 3, 14, 18, 0, 0, 0, time.UTC)

// reply is one canned answer of the fake API.
type reply struct {
	status int
	header map[string]string
	file   string // under testdata/
	body   string
}

// recorded is one request the fake API received.
type recorded struct {
	path string
	raw  string
	reqs []request
}

// fakeAPI is an httptest server standing in for 17TRACK. It checks the
// method, token and body of every request, answers from per-endpoint queues
// of replies (or from handle), and records what it was sent.
type fakeAPI struct {
	t       *testing.T
	mu      sync.Mutex
	replies map[string][]reply
	handle  func(op string, reqs []request) reply
	calls   []recorded
}

func newFake(t *testing.T, replies map[string][]reply) (*fakeAPI, *Provider) {
	t.Helper()
	f := &fakeAPI{t: t, replies: replies}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	// The trailing slash checks that New trims it.
	p := New(Config{APIKey: testKey, BaseURL: srv.URL + "/track/v2.2/"})
	p.now = func() time.Time { return testNow }
	return f, p
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := f.t
	if r.Method != http.MethodPost {
		t.Errorf("%s %s, want POST", r.Method, r.URL.Path)
	}
	if got := r.Header.Get("17token"); got != testKey {
		t.Errorf("17token header = %q, want the API key", got)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	op, ok := strings.CutPrefix(r.URL.Path, "/track/v2.2/")
	if !ok || strings.Contains(op, "/") {
		t.Errorf("path %q, want /track/v2.2/{endpoint}", r.URL.Path)
	}
	var buf bytes.Buffer
	buf.ReadFrom(r.Body)
	var reqs []request
	if err := json.Unmarshal(buf.Bytes(), &reqs); err != nil {
		t.Errorf("%s: body %q is not a JSON array of numbers: %v", op, buf.String(), err)
	}
	if len(reqs) > maxBatch {
		t.Errorf("%s: %d numbers in one request, 17TRACK takes %d", op, len(reqs), maxBatch)
	}

	f.mu.Lock()
	f.calls = append(f.calls, recorded{path: op, raw: buf.String(), reqs: reqs})
	var rep reply
	switch {
	case f.handle != nil:
		rep = f.handle(op, reqs)
	case len(f.replies[op]) > 0:
		rep = f.replies[op][0]
		f.replies[op] = f.replies[op][1:]
	default:
		t.Errorf("unexpected call to %s", op)
		rep = reply{status: http.StatusNotFound}
	}
	f.mu.Unlock()

	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.status != 0 {
		w.WriteHeader(rep.status)
	}
	body := []byte(rep.body)
	if rep.file != "" {
		body = pt.ReadFile(t, rep.file)
	}
	w.Write(body)
}

func (f *fakeAPI) paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.calls))
	for i, c := range f.calls {
		out[i] = c.path
	}
	return out
}

func TestLookupMultiLeg(t *testing.T) {
	f, p := newFake(t, map[string][]reply{
		"gettrackinfo": {{file: "gettrackinfo_multileg.json"}},
	})
	res, err := p.Lookup(context.Background(), tracking.Query{Number: "lx123456785cn", Carrier: "china-post"})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.paths(); strings.Join(got, ",") != "gettrackinfo" {
		t.Errorf("calls %v, want one gettrackinfo", got)
	}
	if got := f.calls[0].reqs; len(got) != 1 || got[0].Number != "lx123456785cn" || got[0].Carrier != 3011 {
		t.Errorf("gettrackinfo body %+v, want the number with carrier 3011", got)
	}

	if res.Number != "LX123456785CN" || res.Carrier != "china-post" || res.Provider != "17track" {
		t.Errorf("number %q carrier %q provider %q", res.Number, res.Carrier, res.Provider)
	}
	if res.Status != tracking.StatusTransit || res.Substatus != tracking.SubOutForDelivery {
		t.Errorf("status %s/%s, want TRANSIT/outfordelivery", res.Status, res.Substatus)
	}
	if res.OriginCountry != "CN" || res.DestinationCountry != "US" {
		t.Errorf("countries %q → %q, want CN → US", res.OriginCountry, res.DestinationCountry)
	}
	if want := time.Date(2024, 3, 16, 0, 0, 0, 0, time.UTC); res.ETA == nil || !res.ETA.Equal(want) || res.ETA.Location() != time.UTC {
		t.Errorf("ETA %v, want %v (the end of the window, in UTC)", res.ETA, want)
	}
	wantLegs := []tracking.Leg{{Number: "9400111899223197428490", Carrier: "usps"}}
	if fmt.Sprint(res.NextLegs) != fmt.Sprint(wantLegs) {
		t.Errorf("legs %+v, want %+v", res.NextLegs, wantLegs)
	}

	const cn, us = "LX123456785CN", "9400111899223197428490"
	pt.CheckEvents(t, res.Events, []pt.WantEvent{
		// time_raw with a null zone, in China: Beijing time.
		pt.Want("2024-03-07T08:45:00Z", tracking.StatusPreTransit, tracking.SubInformationReceived, tracking.Location{Country: "CN"}, "china-post", cn),
		pt.Want("2024-03-08T02:02:00Z", tracking.StatusTransit, tracking.SubPackageAccepted, tracking.Location{City: "SHENZHEN", State: "Guangdong", Country: "CN"}, "china-post", cn),
		pt.Want("2024-03-09T15:55:00Z", tracking.StatusTransit, tracking.SubPackageDeparted, tracking.Location{City: "GUANGZHOU", State: "Guangdong", Country: "CN"}, "china-post", cn),
		// InTransit_Other refined by its text.
		pt.Want("2024-03-11T22:20:00Z", tracking.StatusTransit, tracking.SubCustomsProcessing, tracking.Location{City: "JAMAICA", State: "NY", Country: "US"}, "china-post", cn),
		// No code at all: the text decides; no address: the raw location.
		pt.Want("2024-03-12T14:05:00Z", tracking.StatusTransit, tracking.SubCarrierHandover, tracking.Location{City: "NEW YORK NY"}, "usps", us),
		pt.Want("2024-03-14T01:40:00Z", tracking.StatusTransit, tracking.SubPackageArrived, tracking.Location{City: "QUEENS", State: "NY", Country: "US"}, "usps", us),
		pt.Want("2024-03-14T11:12:00Z", tracking.StatusTransit, tracking.SubOutForDelivery, tracking.Location{City: "BROOKLYN", State: "NY", Country: "US"}, "usps", us),
	})
	pt.GoldenJSON(t, "multileg", res)
}

// TestLookupLocalTimes reads events whose time_raw has a null zone
// (carrier-apis.md §1.2) in the zone of their place in Brazil, and, for an
// event without a place, in its leg's country: the destination for the
// carrier that took the parcel over.
func TestLookupLocalTimes(t *testing.T) {
	_, p := newFake(t, map[string][]reply{
		"gettrackinfo": {{file: "gettrackinfo_brazil.json"}},
	})
	res, err := p.Lookup(context.Background(), tracking.Query{Number: "LX123456785CN", Carrier: "china-post"})
	if err != nil {
		t.Fatal(err)
	}
	// Correios has no trackbot carrier id: 17TRACK's key names it.
	const cn = "LX123456785CN"
	pt.CheckEvents(t, res.Events, []pt.WantEvent{
		pt.Want("2026-11-10T01:00:00Z", tracking.StatusTransit, tracking.SubPackageDeparted, tracking.Location{City: "Guangzhou", State: "Guangdong", Country: "CN"}, "china-post", cn),
		// São Paulo state: America/Sao_Paulo, UTC-3.
		pt.Want("2026-11-20T13:00:00Z", tracking.StatusTransit, tracking.SubPackageProcessed, tracking.Location{City: "Sao Paulo", State: "SP", Country: "BR"}, "17track-2151", cn),
		// No place: Brazil, the destination, in its main zone.
		pt.Want("2026-11-20T15:00:00Z", tracking.StatusTransit, tracking.SubPackageProcessed, tracking.Location{}, "17track-2151", cn),
		// Manaus: America/Manaus, UTC-4.
		pt.Want("2026-11-20T18:00:00Z", tracking.StatusTransit, tracking.SubPackageProcessed, tracking.Location{City: "Manaus", Country: "BR"}, "17track-2151", cn),
	})
	for i, want := range []bool{false, false, true, false} {
		if res.Events[i].Approximate != want {
			t.Errorf("event %d: approximate %v, want %v", i, res.Events[i].Approximate, want)
		}
	}
}

func TestLookupRegistration(t *testing.T) {
	notRegistered := reply{file: "gettrackinfo_not_registered.json"}
	tests := []struct {
		name      string
		replies   map[string][]reply
		wantPaths string
		wantErr   error
		check     func(t *testing.T, res *tracking.Result, err error)
	}{
		{
			name: "unregistered number is registered, then fetched",
			replies: map[string][]reply{
				"gettrackinfo": {notRegistered, {file: "gettrackinfo_inforeceived.json"}},
				"register":     {{file: "register_accepted.json"}},
			},
			wantPaths: "gettrackinfo,register,gettrackinfo",
			check: func(t *testing.T, res *tracking.Result, _ error) {
				if res.Status != tracking.StatusPreTransit || res.Substatus != tracking.SubInformationReceived {
					t.Errorf("status %s/%s, want PRE_TRANSIT/information_received", res.Status, res.Substatus)
				}
				if len(res.Events) != 1 || res.DestinationCountry != "DE" || res.NextLegs != nil {
					t.Errorf("events %d destination %q legs %v", len(res.Events), res.DestinationCountry, res.NextLegs)
				}
			},
		},
		{
			name: "freshly registered number without news is unknown",
			replies: map[string][]reply{
				"gettrackinfo": {notRegistered, {file: "gettrackinfo_notfound.json"}},
				"register":     {{file: "register_accepted.json"}},
			},
			wantPaths: "gettrackinfo,register,gettrackinfo",
			wantErr:   tracking.ErrNumberUnknown,
		},
		{
			name: "already registered by a concurrent lookup",
			replies: map[string][]reply{
				"gettrackinfo": {notRegistered, {file: "gettrackinfo_inforeceived.json"}},
				"register": {{body: `{"code":0,"data":{"accepted":[],"rejected":[{"number":"RR123456785CN",
					"error":{"code":-18019901,"message":"The tracking number 'RR123456785CN' has been registered, don't need to repeat registration."}}]}}`}},
			},
			wantPaths: "gettrackinfo,register,gettrackinfo",
		},
		{
			name: "spent quota while registering",
			replies: map[string][]reply{
				"gettrackinfo": {notRegistered},
				"register":     {{file: "register_quota_spent.json"}},
			},
			wantPaths: "gettrackinfo,register",
			check: func(t *testing.T, _ *tracking.Result, err error) {
				var rl *tracking.RateLimitError
				if !errors.As(err, &rl) || !rl.Daily || rl.Provider != "17track" || rl.RetryAfter != 6*time.Hour {
					t.Errorf("err = %v, want a daily RateLimitError until the next UTC day (6h)", err)
				}
			},
		},
		{
			name: "carrier cannot be detected",
			replies: map[string][]reply{
				"gettrackinfo": {notRegistered},
				"register": {{body: `{"code":0,"data":{"accepted":[],"rejected":[{"number":"RR123456785CN",
					"error":{"code":-18019903,"message":"Carrier cannot be detected."}}]}}`}},
			},
			wantPaths: "gettrackinfo,register",
			wantErr:   tracking.ErrNumberUnknown,
		},
		{
			name: "registered number without information",
			replies: map[string][]reply{
				"gettrackinfo": {{body: `{"code":0,"data":{"accepted":[],"rejected":[{"number":"RR123456785CN",
					"error":{"code":-18019909,"message":"No tracking information at this time."}}]}}`}},
			},
			wantPaths: "gettrackinfo",
			wantErr:   tracking.ErrNumberUnknown,
		},
		{
			name:      "NotFound status without events",
			replies:   map[string][]reply{"gettrackinfo": {{file: "gettrackinfo_notfound.json"}}},
			wantPaths: "gettrackinfo",
			wantErr:   tracking.ErrNumberUnknown,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, p := newFake(t, tt.replies)
			res, err := p.Lookup(context.Background(), tracking.Query{Number: "RR123456785CN", Carrier: "china-post"})
			if got := strings.Join(f.paths(), ","); got != tt.wantPaths {
				t.Errorf("calls %s, want %s", got, tt.wantPaths)
			}
			for _, c := range f.calls {
				if len(c.reqs) != 1 || c.reqs[0].Number != "RR123456785CN" || c.reqs[0].Carrier != 3011 {
					t.Errorf("%s body %s, want the number with carrier 3011", c.path, c.raw)
				}
			}
			switch {
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
			case tt.check == nil && err != nil:
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, res, err)
			}
		})
	}
}

func TestLookupCarrierHint(t *testing.T) {
	tests := []struct {
		carrier, country string
		want             int // 0: no carrier field at all
	}{
		{"china-post", "", 3011},
		{"USPS", "", 21051},
		{"dhl-paket", "", 7041},
		{"jt-express", "my", 100079},
		{"jt-express", "", 0},
		{"post-fr", "", 0},
		{"", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.carrier+"/"+tt.country, func(t *testing.T) {
			f, p := newFake(t, map[string][]reply{"gettrackinfo": {{file: "gettrackinfo_multileg.json"}}})
			_, err := p.Lookup(context.Background(), tracking.Query{Number: "LX123456785CN", Carrier: tt.carrier, DestinationCountry: tt.country})
			if err != nil {
				t.Fatal(err)
			}
			raw := f.calls[0].raw
			if tt.want == 0 {
				if strings.Contains(raw, "carrier") {
					t.Errorf("body %s, want no carrier so that 17TRACK detects it", raw)
				}
				return
			}
			if !strings.Contains(raw, fmt.Sprintf(`"carrier":%d`, tt.want)) {
				t.Errorf("body %s, want carrier %d", raw, tt.want)
			}
		})
	}
}

func TestLookupErrors(t *testing.T) {
	httpDate := testNow.Add(90 * time.Second).Format(http.TimeFormat)
	tests := []struct {
		name  string
		reply reply
		check func(t *testing.T, err error)
	}{
		{"429 with Retry-After seconds", reply{status: 429, header: map[string]string{"Retry-After": "7"}}, pt.RateLimited(Name, 7*time.Second, false)},
		{"429 with Retry-After date", reply{status: 429, header: map[string]string{"Retry-After": httpDate}}, pt.RateLimited(Name, 90*time.Second, false)},
		{"429 with X-RateLimit-Reset", reply{status: 429, header: map[string]string{"X-RateLimit-Reset": "30"}}, pt.RateLimited(Name, 30*time.Second, false)},
		{"429 without a hint", reply{status: 429}, pt.RateLimited(Name, time.Minute, false)},
		{"daily limit code", reply{body: `{"code":-18019907,"data":{"errors":[{"code":-18019907,"message":"Exceeded daily request limit."}]}}`}, pt.RateLimited(Name, 6*time.Hour, true)},
		{"500", reply{status: 500, body: "oops"}, pt.Is(tracking.ErrUnavailable)},
		{"503", reply{status: 503}, pt.Is(tracking.ErrUnavailable)},
		{"internal error code", reply{body: `{"code":-18010003,"data":{"errors":[{"code":-18010003,"message":"Internal service error, please retry later."}]}}`}, pt.Is(tracking.ErrUnavailable)},
		{"401", reply{status: 401}, pt.KeyRefused(ErrKeyRefused)},
		{"invalid key code", reply{file: "key_invalid.json"}, pt.KeyRefused(ErrKeyRefused)},
		{"garbage", reply{body: "<html>"}, func(t *testing.T, err error) {
			if err == nil || errors.Is(err, tracking.ErrUnavailable) || errors.Is(err, tracking.ErrNumberUnknown) {
				t.Errorf("err = %v, want a permanent error", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := newFake(t, map[string][]reply{"gettrackinfo": {tt.reply}})
			_, err := p.Lookup(context.Background(), tracking.Query{Number: "RR123456785CN"})
			tt.check(t, err)
			pt.NoSecret(t, err, testKey)
		})
	}

	t.Run("connection refused", func(t *testing.T) {
		p := New(Config{APIKey: testKey, BaseURL: pt.Unreachable()})
		_, err := p.Lookup(context.Background(), tracking.Query{Number: "RR123456785CN"})
		pt.Is(tracking.ErrUnavailable)(t, err)
	})
	t.Run("timeout", func(t *testing.T) {
		p := New(Config{APIKey: testKey, BaseURL: pt.Silent(t), HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
		_, err := p.Lookup(context.Background(), tracking.Query{Number: "RR123456785CN"})
		pt.Is(tracking.ErrUnavailable)(t, err)
	})
}

func TestLookupBatchSplits(t *testing.T) {
	f, p := newFake(t, nil)
	f.handle = func(op string, reqs []request) reply {
		if op != "gettrackinfo" {
			t.Errorf("call to %s, want gettrackinfo only", op)
		}
		var accepted, rejected []string
		for _, r := range reqs {
			if r.Number == "UNKNOWN7" {
				rejected = append(rejected, fmt.Sprintf(`{"number":%q,"error":{"code":-18019909,"message":"No tracking information at this time."}}`, r.Number))
				continue
			}
			accepted = append(accepted, fmt.Sprintf(`{"number":%q,"carrier":100002,"track_info":{
				"latest_status":{"status":"InTransit","sub_status":"InTransit_Departure"},
				"tracking":{"providers":[{"provider":{"key":100002},"events":[
					{"time_utc":"2024-01-02T03:04:05Z","description":"Departed from facility","stage":"Departure"}]}]}}}`, r.Number))
		}
		return reply{body: fmt.Sprintf(`{"code":0,"data":{"accepted":[%s],"rejected":[%s]}}`,
			strings.Join(accepted, ","), strings.Join(rejected, ","))}
	}

	qs := make([]tracking.Query, 45)
	for i := range qs {
		qs[i] = tracking.Query{Number: fmt.Sprintf("1Z%016d", i), Carrier: "ups"}
	}
	qs[7].Number = "UNKNOWN7"
	results, err := p.LookupBatch(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 2 || len(f.calls[0].reqs) != 40 || len(f.calls[1].reqs) != 5 {
		sizes := make([]int, len(f.calls))
		for i, c := range f.calls {
			sizes[i] = len(c.reqs)
		}
		t.Fatalf("request sizes %v, want [40 5]", sizes)
	}
	if len(results) != len(qs) {
		t.Fatalf("%d results for %d queries", len(results), len(qs))
	}
	for i, res := range results {
		if i == 7 {
			if res != nil {
				t.Errorf("result 7 = %+v, want nil for an unknown number", res)
			}
			continue
		}
		if res == nil || res.Number != qs[i].Number || res.Carrier != "ups" || res.Substatus != tracking.SubPackageDeparted {
			t.Errorf("result %d = %+v, want %s departed", i, res, qs[i].Number)
		}
	}
}

func TestLookupBatchPartialFailure(t *testing.T) {
	_, p := newFake(t, map[string][]reply{
		"gettrackinfo": {{file: "gettrackinfo_inforeceived.json"}, {status: 503}},
	})
	qs := make([]tracking.Query, 41)
	for i := range qs {
		qs[i] = tracking.Query{Number: fmt.Sprintf("RR%09dCN", i)}
	}
	qs[3].Number = "RR123456785CN"
	results, err := p.LookupBatch(context.Background(), qs)
	if !errors.Is(err, tracking.ErrUnavailable) {
		t.Errorf("err = %v, want ErrUnavailable from the second request", err)
	}
	if len(results) != 41 || results[3] == nil || results[3].Number != "RR123456785CN" {
		t.Errorf("want the first request's result kept, got %v", results)
	}
}

func TestRegisterUnregister(t *testing.T) {
	const (
		accepted   = `{"code":0,"data":{"accepted":[{"number":"RR123456785CN","carrier":3011}],"rejected":[]}}`
		rejectTmpl = `{"code":0,"data":{"accepted":[],"rejected":[{"number":"RR123456785CN","error":{"code":%d,"message":"no"}}]}}`
	)
	rejected := func(code int) reply { return reply{body: fmt.Sprintf(rejectTmpl, code)} }
	tests := []struct {
		name      string
		unreg     bool
		replies   map[string][]reply
		wantPaths string
		check     func(*testing.T, error)
	}{
		{"register", false, map[string][]reply{"register": {{body: accepted}}}, "register", nil},
		{"register again resumes", false, map[string][]reply{
			"register": {rejected(codeAlreadyRegistered)},
			"retrack":  {{body: accepted}},
		}, "register,retrack", nil},
		{"register while tracked", false, map[string][]reply{
			"register": {rejected(codeAlreadyRegistered)},
			"retrack":  {rejected(codeRetrackNotStopped)},
		}, "register,retrack", nil},
		{"register without quota", false, map[string][]reply{"register": {rejected(codeQuotaSpent)}}, "register", pt.RateLimited(Name, 6*time.Hour, true)},
		{"register rate limited", false, map[string][]reply{"register": {{status: 429, header: map[string]string{"Retry-After": "3"}}}}, "register", pt.RateLimited(Name, 3*time.Second, false)},
		{"unregister", true, map[string][]reply{"stoptrack": {{body: accepted}}}, "stoptrack", nil},
		{"unregister stopped", true, map[string][]reply{"stoptrack": {rejected(codeStopNotTracking)}}, "stoptrack", nil},
		{"unregister unknown", true, map[string][]reply{"stoptrack": {rejected(codeNotRegistered)}}, "stoptrack", nil},
		{"unregister outage", true, map[string][]reply{"stoptrack": {{status: 502}}}, "stoptrack", pt.Is(tracking.ErrUnavailable)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, p := newFake(t, tt.replies)
			q := tracking.Query{Number: "RR123456785CN", Carrier: "china-post"}
			var err error
			if tt.unreg {
				err = p.Unregister(context.Background(), q)
			} else {
				err = p.Register(context.Background(), q)
			}
			if got := strings.Join(f.paths(), ","); got != tt.wantPaths {
				t.Errorf("calls %s, want %s", got, tt.wantPaths)
			}
			for _, c := range f.calls {
				if c.raw != `[{"number":"RR123456785CN","carrier":3011}]` {
					t.Errorf("%s body %s", c.path, c.raw)
				}
			}
			if tt.check != nil {
				tt.check(t, err)
			} else if err != nil {
				t.Errorf("err = %v, want nil", err)
			}
		})
	}
}

func sign(body []byte, key string) string {
	var b bytes.Buffer
	b.Write(body)
	b.WriteString("/" + key)
	return sha256Hex(b.Bytes())
}

func TestParseWebhook(t *testing.T) {
	updated := pt.ReadFile(t, "webhook_updated.json")
	stopped := pt.ReadFile(t, "webhook_stopped.json")
	tampered := bytes.Replace(updated, []byte(`"DELIVERED"`), []byte(`"LOST"`), 1)
	tests := []struct {
		name        string
		cfg         Config
		body        []byte
		sign        string
		wantErr     error
		wantResults int
	}{
		{"good signature", Config{APIKey: testKey}, updated, sign(updated, testKey), nil, 1},
		{"upper-case signature", Config{APIKey: testKey}, updated, strings.ToUpper(sign(updated, testKey)), nil, 1},
		{"webhook secret overrides the key", Config{APIKey: "other", WebhookSecret: testKey}, updated, sign(updated, testKey), nil, 1},
		{"tracking stopped", Config{APIKey: testKey}, stopped, sign(stopped, testKey), nil, 0},
		{"signed with another key", Config{APIKey: testKey}, updated, sign(updated, "wrong"), tracking.ErrBadSignature, 0},
		{"tampered body", Config{APIKey: testKey}, tampered, sign(updated, testKey), tracking.ErrBadSignature, 0},
		{"missing signature", Config{APIKey: testKey}, updated, "", tracking.ErrBadSignature, 0},
		{"no key configured", Config{}, updated, sign(updated, ""), tracking.ErrBadSignature, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(tt.cfg)
			h := http.Header{}
			if tt.sign != "" {
				h.Set("sign", tt.sign)
			}
			results, err := p.ParseWebhook(h, tt.body)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if len(results) != tt.wantResults {
				t.Errorf("%d results, want %d", len(results), tt.wantResults)
			}
		})
	}
}

func TestWebhookResult(t *testing.T) {
	body := pt.ReadFile(t, "webhook_updated.json")
	h := http.Header{}
	h.Set("Sign", sign(body, testKey))
	results, err := New(Config{APIKey: testKey}).ParseWebhook(h, body)
	if err != nil {
		t.Fatal(err)
	}
	res := results[0]
	if res.Number != "1Z2617V10397725789" || res.Carrier != "ups" || res.Provider != "17track" {
		t.Errorf("number %q carrier %q provider %q", res.Number, res.Carrier, res.Provider)
	}
	if res.Status != tracking.StatusDelivered || res.Substatus != tracking.SubDelivered {
		t.Errorf("status %s/%s, want DELIVERED/delivered", res.Status, res.Substatus)
	}
	if res.ETA != nil || res.NextLegs != nil || res.OriginCountry != "US" || res.DestinationCountry != "US" {
		t.Errorf("ETA %v legs %v countries %q → %q", res.ETA, res.NextLegs, res.OriginCountry, res.DestinationCountry)
	}
	const n = "1Z2617V10397725789"
	pt.CheckEvents(t, res.Events, []pt.WantEvent{
		pt.Want("2022-03-29T05:43:08Z", tracking.StatusPreTransit, tracking.SubInformationReceived, tracking.Location{Country: "US"}, "ups", n),
		// No stage and no keyword: nothing is known.
		pt.Want("2022-03-31T23:36:47Z", tracking.StatusUnknown, tracking.SubOther, tracking.Location{City: "Ontario", State: "CA", Country: "US"}, "ups", n),
		pt.Want("2022-04-04T15:46:06Z", tracking.StatusTransit, tracking.SubOutForDelivery, tracking.Location{City: "Crescent City", State: "CA", Country: "US"}, "ups", n),
		pt.Want("2022-04-04T23:35:22Z", tracking.StatusDelivered, tracking.SubDelivered, tracking.Location{City: "GASQUET", State: "CA", Country: "US"}, "ups", n),
	})
	pt.GoldenJSON(t, "webhook_updated", res)
}

func TestCarrierTable(t *testing.T) {
	ids := []string{"usps", "ups", "fedex", "dhl-express", "dhl-paket", "dhl-ecommerce", "canada-post",
		"china-post", "china-ems", "cainiao", "yunexpress", "4px", "yanwen", "sf-express", "sunyou", "royal-mail"}
	for _, id := range ids {
		key, ok := carrierCode(tracking.Query{Carrier: id})
		if !ok {
			t.Errorf("carrier %q has no 17TRACK key", id)
			continue
		}
		if back := carrierID(key); back != id {
			t.Errorf("carrier %q → %d → %q", id, key, back)
		}
	}
	for cc, key := range jtKeys {
		got, ok := carrierCode(tracking.Query{Carrier: "jt-express", DestinationCountry: cc})
		if !ok || got != key || carrierID(key) != "jt-express" {
			t.Errorf("J&T in %s: key %d, %v; want %d mapping back to jt-express", cc, got, ok, key)
		}
	}
	if got := carrierID(190113); got != "17track-190113" {
		t.Errorf("unmapped key gives %q, want 17track-190113", got)
	}
	if got := carrierID(0); got != "" {
		t.Errorf("no key gives %q, want empty", got)
	}
}
