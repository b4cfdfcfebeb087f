package seventeentrack

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracking"
)

// TestBatchIsPacedByRequests looks 100 numbers up through the registry,
// with 17TRACK's budget of 3 requests a second. None is registered yet, so
// each 40-number slice takes three requests (look up, register, look up
// again): nine requests for one batch. Each must spend the budget: no
// second sees more than the rate, and the nine spread over at least the
// time the rate allows. The limiter runs on the wall clock, so the
// assertions leave a margin for scheduling.
func TestBatchIsPacedByRequests(t *testing.T) {
	const perSecond = 3
	f, p := newFake(t, nil)
	var times []time.Time
	answer := registerThenTrack()
	f.handle = func(op string, reqs []request) reply {
		times = append(times, time.Now())
		return answer(op, reqs)
	}
	reg := tracking.NewRegistry(tracking.NewFakeClock(testNow))
	reg.AddFallback(p)
	reg.SetBudget(Name, perSecond, 0)

	qs := make([]tracking.Query, 100)
	for i := range qs {
		qs[i] = tracking.Query{Number: fmt.Sprintf("1Z%016d", i), Carrier: "ups"}
	}
	got := reg.Prefetch(context.Background(), qs)
	if len(got) != len(qs) {
		t.Fatalf("%d of %d numbers answered", len(got), len(qs))
	}

	f.mu.Lock() // the handler ran under it
	times = append([]time.Time(nil), times...)
	f.mu.Unlock()
	const requests = 9
	if len(times) != requests {
		t.Fatalf("%d requests, want %d: %v", len(times), requests, f.paths())
	}
	// Evenly spaced at the rate, the nine need 8/3 s; a late request can
	// only make it longer.
	if span, least := times[requests-1].Sub(times[0]), (requests-1)*time.Second/perSecond-200*time.Millisecond; span < least {
		t.Errorf("%d requests within %v, want at least %v at %d a second", requests, span, least, perSecond)
	}
	// In any second starting at a request, at most the rate; one more is
	// allowed for a request the scheduler delayed into its successor's
	// second.
	for i, start := range times {
		n := 0
		for _, at := range times[i:] {
			if at.Sub(start) < time.Second {
				n++
			}
		}
		if n > perSecond+1 {
			t.Errorf("%d requests in the second from request %d, want at most %d", n, i+1, perSecond)
		}
	}
}

// registerThenTrack answers like 17TRACK: a number is accepted by
// register, then gettrackinfo tells its one departure scan; asked before
// it was registered, it is rejected.
func registerThenTrack() func(op string, reqs []request) reply {
	registered := map[string]bool{}
	return func(op string, reqs []request) reply {
		var accepted, rejected []string
		for _, r := range reqs {
			switch {
			case op == "register":
				registered[r.Number] = true
				accepted = append(accepted, fmt.Sprintf(`{"number":%q,"carrier":100002}`, r.Number))
			case registered[r.Number]:
				accepted = append(accepted, fmt.Sprintf(`{"number":%q,"carrier":100002,"track_info":{
					"latest_status":{"status":"InTransit","sub_status":"InTransit_Departure"},
					"tracking":{"providers":[{"provider":{"key":100002},"events":[
						{"time_utc":"2024-01-02T03:04:05Z","description":"Departed from facility","stage":"Departure"}]}]}}}`, r.Number))
			default:
				rejected = append(rejected, fmt.Sprintf(`{"number":%q,"error":{"code":%d,"message":"register first"}}`, r.Number, codeNotRegistered))
			}
		}
		return reply{body: fmt.Sprintf(`{"code":0,"data":{"accepted":[%s],"rejected":[%s]}}`,
			strings.Join(accepted, ","), strings.Join(rejected, ","))}
	}
}
