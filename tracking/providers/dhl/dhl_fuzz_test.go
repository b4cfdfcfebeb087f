package dhl

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracking"
	pt "github.com/trackbot/trackbot/tracking/providers/providertest"
)

// FuzzAnswer feeds arbitrary bodies to the decoding of GET /shipments and
// checks the result of the shipment Lookup picks and of every other one.
func FuzzAnswer(f *testing.F) {
	pt.SeedFixtures(f)
	f.Add([]byte(`{"shipments":[{"id":7777777770,"status":{"statusCode":"delivered","timestamp":"0001-01-01T00:00:00"},"events":[{"statusCode":"failure","timestamp":"2024-05-01T10:00:00"}]}]}`))
	p := New(Config{APIKey: testKey, Now: func() time.Time { return testNow }})
	f.Fuzz(func(t *testing.T, body []byte) {
		var resp response
		if json.Unmarshal(body, &resp) != nil {
			return
		}
		if s := resp.shipmentFor("3344556677"); s != nil {
			pt.CheckResult(t, p.result(s, resp.PossibleAdditionalShipmentsURL, "3344556677", ""))
		}
		for i := range resp.Shipments {
			pt.CheckResult(t, p.result(&resp.Shipments[i], nil, "", "dhl-express"))
		}
	})
}

// FuzzWebhook sends arbitrary bodies with the right token, so that they
// reach the parser.
func FuzzWebhook(f *testing.F) {
	pt.SeedFixtures(f)
	f.Add([]byte(`[{"id":"1"},{"id":null},{}]`))
	p := New(Config{APIKey: testKey, WebhookSecret: testSecret, Now: func() time.Time { return testNow }})
	f.Fuzz(func(t *testing.T, body []byte) {
		results, err := p.ParseWebhook(token(testSecret), body)
		if err != nil && len(results) > 0 {
			t.Fatalf("results %v with error %v", results, err)
		}
		for _, r := range results {
			pt.CheckResult(t, r)
		}
		if _, err := p.ParseWebhook(token("other"), body); !errors.Is(err, tracking.ErrBadSignature) {
			t.Fatalf("a body with another token gave %v", err)
		}
	})
}
