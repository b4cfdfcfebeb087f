package shippo

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracking"
	pt "github.com/trackbot/trackbot/tracking/providers/providertest"
)

// FuzzAnswer feeds arbitrary bodies to the decoding of GET /tracks and
// checks the result.
func FuzzAnswer(f *testing.F) {
	pt.SeedFixtures(f)
	f.Add([]byte(`{"tracking_status":{"status":"DELIVERED","substatus":{"code":"package_damaged"},"status_date":"0001-01-01T00:00:00Z"}}`))
	p := New(Config{APIKey: testKey, Now: func() time.Time { return testNow }})
	f.Fuzz(func(t *testing.T, body []byte) {
		var tr track
		if json.Unmarshal(body, &tr) != nil {
			return
		}
		pt.CheckResultOfVendorPairs(t, p.result(&tr, "9205590164917312751089", "usps"))
	})
}

// FuzzWebhook signs arbitrary bodies with the webhook secret at the
// provider's now, so that they pass the signature check and reach the
// parser.
func FuzzWebhook(f *testing.F) {
	pt.SeedFixtures(f)
	p := New(Config{APIKey: testKey, WebhookSecret: testSecret, Now: func() time.Time { return testNow }})
	ts := testNow.Unix()
	f.Fuzz(func(t *testing.T, body []byte) {
		h := http.Header{}
		h.Set(SignatureHeader, "t="+strconv.FormatInt(ts, 10)+",v1="+sign(testSecret, ts, body))
		results, err := p.ParseWebhook(h, body)
		if err != nil && len(results) > 0 {
			t.Fatalf("results %v with error %v", results, err)
		}
		for _, r := range results {
			pt.CheckResultOfVendorPairs(t, r)
		}
		h.Set(SignatureHeader, "t="+strconv.FormatInt(ts, 10)+",v1="+sign("other", ts, body))
		if _, err := p.ParseWebhook(h, body); !errors.Is(err, tracking.ErrBadSignature) {
			t.Fatalf("a body signed with another secret gave %v", err)
		}
	})
}
