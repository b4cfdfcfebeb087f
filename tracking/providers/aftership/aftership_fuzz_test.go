package aftership

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/trackbot/trackbot/tracking"

	pt "github.com/trackbot/trackbot/tracking/providers/providertest"
)

// FuzzAnswer feeds arbitrary bodies to the decoding of GET /trackings and
// POST /trackings and checks every result that comes out of them.
func FuzzAnswer(f *testing.F) {
	pt.SeedFixtures(f)
	f.Add([]byte(`{"data":{"trackings":[{"tracking_number":"X","tag":"Delivered","subtag":"Delivered_001","checkpoints":[{"checkpoint_time":"0001-01-01T00:00:00Z"}]}]}}`))
	p := New(Config{APIKey: testKey})
	f.Fuzz(func(t *testing.T, body []byte) {
		var env envelope
		if json.Unmarshal(body, &env) != nil {
			return
		}
		var list struct {
			Trackings []trackingObject `json:"trackings"`
		}
		if json.Unmarshal(env.Data, &list) == nil {
			for i := range list.Trackings {
				pt.CheckResult(t, p.result(&list.Trackings[i]))
			}
		}
		var one trackingObject
		if json.Unmarshal(env.Data, &one) == nil {
			pt.CheckResult(t, p.result(&one))
		}
	})
}

// FuzzWebhook signs arbitrary bodies with the webhook secret, so that they
// pass the signature check and reach the parser.
func FuzzWebhook(f *testing.F) {
	pt.SeedFixtures(f)
	p := New(Config{APIKey: testKey, WebhookSecret: testSecret})
	f.Fuzz(func(t *testing.T, body []byte) {
		h := http.Header{}
		h.Set(signatureHeader, sign(body, testSecret))
		results, err := p.ParseWebhook(h, body)
		if err != nil && len(results) > 0 {
			t.Fatalf("results %v with error %v", results, err)
		}
		for _, r := range results {
			pt.CheckResult(t, r)
		}
		// The same body with a signature of another secret never passes.
		h.Set(signatureHeader, sign(body, "other"))
		if _, err := p.ParseWebhook(h, body); !errors.Is(err, tracking.ErrBadSignature) {
			t.Fatalf("a body signed with another secret gave %v", err)
		}
	})
}
