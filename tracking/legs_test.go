package tracking_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/aftership"
	"github.com/trackbot/trackbot/tracking/providers/seventeentrack"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// The two-leg journey of the providers' multileg fixtures: China Post's
// LX123456785CN, handed over to USPS as 9400111899223197428490. Each
// fixture's answer for the first number carries the USPS events too.
const (
	firstNumber = "LX123456785CN"
	legNumber   = "9400111899223197428490"
)

// fake17track is a 17TRACK API that keeps registrations as 17TRACK does:
// /register accepts a number once, and each accepted number is one unit of
// quota; /retrack refuses a number that is tracked and not stopped;
// /gettrackinfo rejects an unregistered number, answers the first
// number with the multileg fixture and any other registered number with a
// track that has no events yet.
//
// API: https://asset.17track.net/api/document/v2.2_en/index.html (register, retrack, gettrackinfo)
type fake17track struct {
	t     *testing.T
	first json.RawMessage // the fixture's accepted item

	mu         sync.Mutex
	registered map[string]bool
	units      []string // numbers accepted by /register, in order
}

func newFake17track(t *testing.T) *fake17track {
	var fixture struct {
		Data struct{ Accepted []json.RawMessage }
	}
	if err := json.Unmarshal(readFixture(t, "providers/seventeentrack/testdata/gettrackinfo_multileg.json"), &fixture); err != nil || len(fixture.Data.Accepted) != 1 {
		t.Fatalf("multileg fixture: %v", err)
	}
	return &fake17track{t: t, first: fixture.Data.Accepted[0], registered: map[string]bool{}}
}

func (f *fake17track) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var reqs []struct {
		Number  string `json:"number"`
		Carrier int    `json:"carrier"`
	}
	if err := json.NewDecoder(r.Body).Decode(&reqs); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	type rejection struct {
		Number string `json:"number"`
		Error  struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	reject := func(number string, code int, msg string) rejection {
		rj := rejection{Number: number}
		rj.Error.Code, rj.Error.Message = code, msg
		return rj
	}
	accepted, rejected := []any{}, []rejection{}
	f.mu.Lock()
	for _, q := range reqs {
		switch {
		case r.URL.Path == "/register" && f.registered[q.Number]:
			rejected = append(rejected, reject(q.Number, -18019901, "The tracking number '"+q.Number+"' has been registered, don't need to repeat registration."))
		case r.URL.Path == "/register":
			f.registered[q.Number] = true
			f.units = append(f.units, q.Number)
			accepted = append(accepted, map[string]any{"origin": 1, "number": q.Number, "carrier": q.Carrier})
		case r.URL.Path == "/retrack" && f.registered[q.Number]:
			rejected = append(rejected, reject(q.Number, -18019904, "Retrack is not allowed: the tracking number '"+q.Number+"' is not stopped."))
		case r.URL.Path != "/gettrackinfo":
			f.t.Errorf("17TRACK asked %s", r.URL.Path)
		case !f.registered[q.Number]:
			rejected = append(rejected, reject(q.Number, -18019902, "The tracking number '"+q.Number+"' does not register, please register first."))
		case q.Number == firstNumber:
			accepted = append(accepted, f.first)
		default:
			accepted = append(accepted, map[string]any{"number": q.Number, "carrier": q.Carrier, "track_info": map[string]any{
				"latest_status": map[string]any{"status": "NotFound", "sub_status": "NotFound_Other"},
				"tracking":      map[string]any{"providers": []any{}},
			}})
		}
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"code": 0, "data": map[string]any{"accepted": accepted, "rejected": rejected}})
}

func (f *fake17track) spent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.units...)
}

// fakeAfterShip is an AfterShip API that keeps trackings as AfterShip does:
// POST /trackings creates a tracking once (each one counts against the
// plan) and answers a second time that it exists; GET /trackings lists the
// first number's tracking as the multileg fixture once it exists, and any
// other created number as pending.
//
// API: https://www.aftership.com/docs/tracking/quickstart/api-quick-start (Create a tracking, Get trackings)
type fakeAfterShip struct {
	t                        *testing.T
	multileg, empty, pending []byte
	exists                   []byte
	mu                       sync.Mutex
	created                  []string
}

func newFakeAfterShip(t *testing.T) *fakeAfterShip {
	return &fakeAfterShip{
		t:        t,
		multileg: readFixture(t, "providers/aftership/testdata/get_trackings_multileg.json"),
		empty:    readFixture(t, "providers/aftership/testdata/get_trackings_empty.json"),
		pending:  readFixture(t, "providers/aftership/testdata/create_tracking_pending.json"),
		exists:   readFixture(t, "providers/aftership/testdata/error_already_exists.json"),
	}
}

func (f *fakeAfterShip) has(number string) bool {
	for _, n := range f.created {
		if n == number {
			return true
		}
	}
	return false
}

func (f *fakeAfterShip) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	f.mu.Lock()
	defer f.mu.Unlock()
	// The pending fixture is USPS's 9400111899562537624326; other numbers
	// get the same tracking under their own number.
	pendingFor := func(number string) []byte {
		return []byte(strings.ReplaceAll(string(f.pending), "9400111899562537624326", number))
	}
	switch {
	case !strings.HasSuffix(r.URL.Path, "/trackings"):
		f.t.Errorf("AfterShip asked %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusNotFound)
	case r.Method == http.MethodPost:
		var body struct {
			TrackingNumber string `json:"tracking_number"`
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if f.has(body.TrackingNumber) {
			w.WriteHeader(http.StatusBadRequest)
			w.Write(f.exists)
			return
		}
		f.created = append(f.created, body.TrackingNumber)
		w.WriteHeader(http.StatusCreated)
		w.Write(pendingFor(body.TrackingNumber))
	default:
		number := r.URL.Query().Get("tracking_numbers")
		switch {
		case !f.has(number):
			w.Write(f.empty)
		case number == firstNumber:
			w.Write(f.multileg)
		default:
			var created struct{ Data json.RawMessage }
			json.Unmarshal(pendingFor(number), &created)
			json.NewEncoder(w).Encode(map[string]any{"meta": map[string]any{"code": 200},
				"data": map[string]any{"trackings": []json.RawMessage{created.Data}}})
		}
	}
}

func (f *fakeAfterShip) spent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.created...)
}

func readFixture(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLaterLegCarriedByTheFirstAnswerCostsNoQuota follows a two-leg
// journey through 17TRACK and through AfterShip, wired as cmd/trackbot
// wires them. While the first number's answer brings the USPS leg's
// events, the journey costs one registration at 17TRACK and one tracking
// at AfterShip; once that answer has brought nothing of the leg for a
// week, the leg is looked up, and so registered, on its own.
func TestLaterLegCarriedByTheFirstAnswerCostsNoQuota(t *testing.T) {
	type spender interface {
		http.Handler
		spent() []string
	}
	for _, tc := range []struct {
		name     string
		fake     func(t *testing.T) spender
		provider func(url string) tracking.Provider
	}{
		{"17TRACK", func(t *testing.T) spender { return newFake17track(t) }, func(url string) tracking.Provider {
			return seventeentrack.New(seventeentrack.Config{APIKey: "k", BaseURL: url})
		}},
		{"AfterShip", func(t *testing.T) spender { return newFakeAfterShip(t) }, func(url string) tracking.Provider {
			return aftership.New(aftership.Config{APIKey: "k", BaseURL: url + "/tracking/2026-07"})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				fake := tc.fake(t)
				srv := httptest.NewServer(fake)
				defer srv.Close()
				// Two hours after the fixtures' last USPS scan.
				clock := tracking.NewFakeClock(time.Date(2024, 3, 14, 13, 0, 0, 0, time.UTC))
				reg := tracking.NewRegistry(clock)
				reg.AddFallback(tc.provider(srv.URL))
				e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, MinInterval: 15 * time.Minute, RegisterPush: true})

				if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: newChat(t, s, "c"), Number: firstNumber, Carrier: tracking.CarrierChinaPost}); err != nil {
					t.Fatal(err)
				}
				for range 48 { // two days of rounds
					clock.Advance(time.Hour)
					if _, err := e.RunOnce(ctx); err != nil {
						t.Fatal(err)
					}
				}
				st, err := s.Shipment(ctx, 1)
				if err != nil {
					t.Fatal(err)
				}
				if len(st.Legs) != 1 || st.Legs[0].Number != legNumber {
					t.Fatalf("legs %v, want the USPS leg %s", st.Legs, legNumber)
				}
				usps := 0
				for _, ev := range st.Events {
					if ev.Carrier == tracking.CarrierUSPS {
						usps++
					}
				}
				if usps == 0 {
					t.Errorf("no USPS event in the journey: %+v", st.Events)
				}
				if got := fake.spent(); len(got) != 1 || got[0] != firstNumber {
					t.Errorf("the journey cost %v, want one unit, for %s", got, firstNumber)
				}

				// A week on, the first answer still brings nothing newer of
				// the leg: the leg is looked up on its own.
				for range 8 {
					clock.Advance(24 * time.Hour)
					if _, err := e.RunOnce(ctx); err != nil {
						t.Fatal(err)
					}
				}
				if got := fake.spent(); len(got) != 2 || got[1] != legNumber {
					t.Errorf("after a week without news of the leg the journey cost %v, want %s registered too", got, legNumber)
				}
			})
		})
	}
}

// follower is a fake provider that, like 17TRACK and AfterShip, follows a
// parcel onto the legs it names.
type follower struct{ *trackingtest.Provider }

func (follower) FollowsLegs() bool { return true }

// TestLegLookedUpOnItsOwnOnlyWhenTheFirstAnswerStopsCarryingIt states the
// rule of carrying, case by case: how often the leg is asked when the
// first number's answer is as described.
func TestLegLookedUpOnItsOwnOnlyWhenTheFirstAnswerStopsCarryingIt(t *testing.T) {
	now := t0.Add(30 * 24 * time.Hour)
	const first, leg = "1Z999AA10123456784", "9400111201080805483016"
	ofFirst := tracking.Event{Time: now.Add(-20 * 24 * time.Hour), Substatus: tracking.SubPackageAccepted, Carrier: "ups", Number: first}
	ofLeg := func(ago time.Duration, sub tracking.Substatus) tracking.Event {
		return tracking.Event{Time: now.Add(-ago), Substatus: sub, Status: sub.Parent(), Carrier: tracking.CarrierUSPS, Number: leg}
	}
	day := 24 * time.Hour
	for _, tc := range []struct {
		name     string
		follows  bool
		events   []tracking.Event
		legAsked int
	}{
		{"a leg event from yesterday", false, []tracking.Event{ofFirst, ofLeg(day, tracking.SubPackageArrived)}, 0},
		{"the leg's last event 8 days old", false, []tracking.Event{ofFirst, ofLeg(8*day, tracking.SubPackageArrived)}, 1},
		{"the leg delivered 25 days ago", false, []tracking.Event{ofFirst, ofLeg(25*day, tracking.SubDelivered)}, 0},
		{"named by a follower, handed over yesterday", true, []tracking.Event{ofFirst, {Time: now.Add(-day), Substatus: tracking.SubCarrierHandover, Carrier: "ups", Number: first}}, 0},
		{"named by a follower, nothing for 20 days", true, []tracking.Event{ofFirst}, 1},
		{"named by a provider that does not follow", false, []tracking.Event{ofFirst, {Time: now.Add(-day), Substatus: tracking.SubCarrierHandover, Carrier: "ups", Number: first}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := trackingtest.NewProvider("fake")
			var p tracking.Provider = fake
			if tc.follows {
				p = follower{fake}
			}
			fake.Set(first, tracking.Result{Number: first, Carrier: "ups", Events: tc.events,
				NextLegs: []tracking.Leg{{Number: leg, Carrier: tracking.CarrierUSPS}}})
			fake.Set(leg, tracking.Result{Number: leg, Carrier: tracking.CarrierUSPS, Events: []tracking.Event{ofLeg(day, tracking.SubPackageArrived)}})
			clock := tracking.NewFakeClock(now)
			reg := tracking.NewRegistry(clock)
			reg.AddCarrier(p, "ups", tracking.CarrierUSPS)
			e := tracking.NewEngine(nil, reg, tracking.Options{Clock: clock})
			sh, err := e.Lookup(context.Background(), tracking.Query{Number: first, Carrier: "ups"})
			if err != nil {
				t.Fatal(err)
			}
			if len(sh.Legs) != 1 {
				t.Errorf("legs %v, want the USPS leg", sh.Legs)
			}
			if got := fake.Calls(leg); got != tc.legAsked {
				t.Errorf("the leg was asked %d times, want %d", got, tc.legAsked)
			}
		})
	}
}
