package seventeentrack

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// TestQuotaCountsRequests looks 100 numbers up through the registry, with
// 17TRACK's daily quota shared through the store. None is registered yet,
// so the batch takes nine requests (three per 40-number slice: look up,
// register, look up again). The quota is spent per HTTP request: with a
// quota of five, 17TRACK sees five requests, the store counts five, and
// the sixth is held back instead of sent.
func TestQuotaCountsRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for _, tc := range []struct {
			quota, want int
		}{{quota: 5, want: 5}, {quota: 100, want: 9}} {
			t.Run(fmt.Sprint("quota ", tc.quota), func(t *testing.T) {
				f, p := newFake(t, nil)
				requests := 0
				answer := registerThenTrack()
				f.handle = func(op string, reqs []request) reply {
					requests++
					return answer(op, reqs)
				}
				// Each case counts on its own day of the shared counter.
				now := testNow.Add(time.Duration(tc.quota) * 24 * time.Hour)
				reg := tracking.NewRegistry(tracking.NewFakeClock(now))
				reg.AddFallback(p)
				reg.SetBudget(Name, 0, tc.quota)
				reg.ShareQuotas(s)

				qs := make([]tracking.Query, 100)
				for i := range qs {
					qs[i] = tracking.Query{Number: fmt.Sprintf("1Z%016d", i), Carrier: "ups"}
				}
				reg.Prefetch(context.Background(), qs)

				f.mu.Lock()
				sent := requests
				f.mu.Unlock()
				if sent != tc.want {
					t.Errorf("17TRACK saw %d requests, want %d", sent, tc.want)
				}
				var used int
				if err := s.DB().QueryRow(`SELECT used FROM provider_usage WHERE provider = '` + Name + `' AND day = '` +
					now.UTC().Format(time.DateOnly) + `'`).Scan(&used); err != nil {
					t.Fatal(err)
				}
				if used != tc.want {
					t.Errorf("the shared quota counts %d requests, want %d", used, tc.want)
				}
			})
		}
	})
}
