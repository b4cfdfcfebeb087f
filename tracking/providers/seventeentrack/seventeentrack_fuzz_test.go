package seventeentrack

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/trackbot/trackbot/tracking"
	pt "github.com/trackbot/trackbot/tracking/providers/providertest"
)

// FuzzAnswer feeds arbitrary bodies to the decoding of /gettrackinfo and
// checks the result of every accepted item.
func FuzzAnswer(f *testing.F) {
	pt.SeedFixtures(f)
	f.Add([]byte(`{"code":0,"data":{"accepted":[{"number":"X","track_info":{"latest_status":{"status":"Delivered","sub_status":"Exception_Other"}}}]}}`))
	p := New(Config{APIKey: testKey})
	f.Fuzz(func(t *testing.T, body []byte) {
		var env envelope
		if json.Unmarshal(body, &env) != nil {
			return
		}
		for i := range env.Data.Accepted {
			pt.CheckResult(t, p.result(&env.Data.Accepted[i]))
		}
	})
}

// FuzzWebhook signs arbitrary bodies with the key, so that they pass the
// signature check and reach the parser.
func FuzzWebhook(f *testing.F) {
	pt.SeedFixtures(f)
	p := New(Config{APIKey: testKey})
	f.Fuzz(func(t *testing.T, body []byte) {
		h := http.Header{"Sign": {sign(body, testKey)}}
		results, err := p.ParseWebhook(h, body)
		if err != nil && len(results) > 0 {
			t.Fatalf("results %v with error %v", results, err)
		}
		for _, r := range results {
			pt.CheckResult(t, r)
		}
		h.Set("sign", sign(body, "other"))
		if _, err := p.ParseWebhook(h, body); !errors.Is(err, tracking.ErrBadSignature) {
			t.Fatalf("a body signed with another key gave %v", err)
		}
	})
}
