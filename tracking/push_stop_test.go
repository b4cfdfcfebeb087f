package tracking_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/aftership"
	"github.com/trackbot/trackbot/tracking/trackingtest"
)

// hookProvider answers lookups from a script and takes AfterShip's pushes
// with AfterShip's own parser, so that a poll and a push can carry exactly
// the same news.
type hookProvider struct {
	*trackingtest.Provider
	hook *aftership.Provider
}

func (p hookProvider) ParseWebhook(h http.Header, body []byte) ([]*tracking.Result, error) {
	return p.hook.ParseWebhook(h, body)
}

// storeState is what a refresh leaves in the store for one shipment.
type storeState struct {
	Shipment []string
	Events   []string
	Outbox   map[int64][]string // by chat
	Rules    []string
}

func readStoreState(t *testing.T, s *store.Store) storeState {
	t.Helper()
	out := storeState{Outbox: map[int64][]string{}}
	rows := func(q string, each func(vals []sql.NullString)) {
		t.Helper()
		r, err := s.DB().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		cols, _ := r.Columns()
		for r.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			each(vals)
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
	}
	join := func(vals []sql.NullString) string {
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = "NULL"
			if v.Valid {
				parts[i] = v.String
			}
		}
		return strings.Join(parts, "|")
	}
	rows(`SELECT id, provider, status, substatus, status_changed_at, last_event_at, next_check_at, last_checked_at,
		stopped_reason, check_failures, guidance_sig, lease_owner, lease_until FROM shipments ORDER BY id`, func(v []sql.NullString) {
		out.Shipment = append(out.Shipment, join(v))
	})
	rows(`SELECT shipment_id, fingerprint, occurred_at, status, substatus, description FROM events ORDER BY id`, func(v []sql.NullString) {
		out.Events = append(out.Events, join(v))
	})
	rows(`SELECT chat_id, kind, payload, dedupe_key, state FROM outbox ORDER BY id`, func(v []sql.NullString) {
		var chat int64
		fmt.Sscan(v[0].String, &chat)
		out.Outbox[chat] = append(out.Outbox[chat], join(v[1:]))
	})
	rows(`SELECT subscription_id, rule, active, arms, fired_at, cleared_at FROM guidance_state ORDER BY subscription_id, rule`, func(v []sql.NullString) {
		out.Rules = append(out.Rules, join(v))
	})
	return out
}

// refreshCount reads trackbot_refreshes_total for one outcome.
func refreshCount(t *testing.T, reg prometheus.Gatherer, outcome string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "trackbot_refreshes_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == outcome {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// TestNoNewsPushStopsLikeAPoll tracks AfterShip's documented sample
// parcel in two chats, lets it go silent for two months, and then brings
// the very same news once by a poll and once by a push: both must stop the
// shipment with a reason, tell each chat once, count the stop, and leave
// the store in the same state. A second identical push changes nothing.
func TestNoNewsPushStopsLikeAPoll(t *testing.T) {
	body, err := os.ReadFile("providers/aftership/testdata/webhook_tracking_update.json")
	if err != nil {
		t.Fatal(err)
	}
	const secret = "push-secret"
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	header := http.Header{"Aftership-Hmac-Sha256": {base64.StdEncoding.EncodeToString(mac.Sum(nil))}}
	hook := aftership.New(aftership.Config{WebhookSecret: secret})
	parsed, err := hook.ParseWebhook(header, body)
	if err != nil || len(parsed) != 1 {
		t.Fatalf("sample push: %v, %d results", err, len(parsed))
	}
	news := *parsed[0]

	// With a poll a month in, the guidance that silence calls for is
	// already written, so the stop is the only thing the news changes.
	for _, tt := range []struct {
		name    string
		midPoll bool
	}{{"silent since tracked", false}, {"polled a month in", true}} {
		t.Run(tt.name, func(t *testing.T) { testNoNewsPush(t, tt.midPoll, news, header, body, hook) })
	}
}

func testNoNewsPush(t *testing.T, midPoll bool, news tracking.Result, header http.Header, body []byte, hook *aftership.Provider) {
	trackedAt := time.Date(2021, 1, 15, 8, 0, 0, 0, time.UTC) // the day after the sample's last event
	silentAt := trackedAt.Add(61 * 24 * time.Hour)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// run tracks the parcel, then at silentAt reads the news by a poll
		// or by a push.
		run := func(t *testing.T, s *store.Store, push bool) (*tracking.Engine, *tracking.FakeClock, *prometheus.Registry, []int64) {
			clock := tracking.NewFakeClock(trackedAt)
			fake := trackingtest.NewProvider(aftership.Name)
			fake.Set(news.Number, news)
			reg := tracking.NewRegistry(clock)
			reg.AddCarrier(hookProvider{fake, hook}, news.Carrier)
			metrics := prometheus.NewRegistry()
			e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, MinInterval: time.Minute, Metrics: tracking.NewMetrics(metrics)})
			var chats []int64
			for _, role := range []string{"buyer", "seller"} {
				c, err := s.EnsureChat(ctx, "console", "", role, "private", role, trackedAt)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: c.ID, Number: news.Number, Carrier: news.Carrier}); err != nil {
					t.Fatal(err)
				}
				chats = append(chats, c.ID)
			}
			if midPoll {
				clock.Set(trackedAt.Add(30 * 24 * time.Hour))
				if n, err := e.RunOnce(ctx); err != nil || n != 1 {
					t.Fatalf("poll a month in: %d refreshed, %v", n, err)
				}
			}
			clock.Set(silentAt)
			if push {
				if err := e.Push(ctx, aftership.Name, header, body); err != nil {
					t.Fatal(err)
				}
				if n, err := e.MergePushes(ctx); err != nil || n != 1 {
					t.Fatalf("merge the push: %d merged, %v", n, err)
				}
			} else if n, err := e.RunOnce(ctx); err != nil || n != 1 {
				t.Fatalf("poll: %d refreshed, %v", n, err)
			}
			return e, clock, metrics, chats
		}

		polled := storetest.Open(t, s.Dialect())
		_, _, pollMetrics, _ := run(t, polled, false)
		e, clock, pushMetrics, chats := run(t, s, true)

		st, err := s.Shipment(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if st.StoppedReason != tracking.StopSilent || st.NextCheckAt != nil || st.CheckFailures != 0 {
			t.Errorf("after a no-news push 61 days on: stopped %q, next check %v, %d failures; want stopped silent, no next check, 0 failures",
				st.StoppedReason, st.NextCheckAt, st.CheckFailures)
		}
		stopped := func() map[int64]int {
			n := map[int64]int{}
			for chat, rows := range readStoreState(t, s).Outbox {
				for _, r := range rows {
					if strings.HasPrefix(r, tracking.NoticeStopped+"|") {
						n[chat]++
					}
				}
			}
			return n
		}
		for _, chat := range chats {
			if n := stopped()[chat]; n != 1 {
				t.Errorf("chat %d got %d stopped notices, want 1", chat, n)
			}
		}
		for name, m := range map[string]*prometheus.Registry{"poll": pollMetrics, "push": pushMetrics} {
			want := 1.0 // the first lookup
			if midPoll {
				want++
			}
			if n := refreshCount(t, m, "unchanged") + refreshCount(t, m, "changed"); n != want {
				t.Errorf("%s counted %v other refreshes, want %v", name, n, want)
			}
			if n := refreshCount(t, m, "stopped"); n != 1 {
				t.Errorf("%s counted %v stopped refreshes, want 1", name, n)
			}
		}

		pushState, pollState := readStoreState(t, s), readStoreState(t, polled)
		if !reflect.DeepEqual(pushState, pollState) {
			t.Errorf("push and poll left different stores:\npush %+v\npoll %+v", pushState, pollState)
		}

		// The same push again, a day later: the shipment stays stopped and
		// nobody is told twice.
		clock.Advance(24 * time.Hour)
		if err := e.Push(ctx, aftership.Name, header, body); err != nil {
			t.Fatal(err)
		}
		if n, err := e.MergePushes(ctx); err != nil || n != 1 {
			t.Fatalf("merge the push: %d merged, %v", n, err)
		}
		again := readStoreState(t, s)
		if !reflect.DeepEqual(again.Outbox, pushState.Outbox) {
			t.Errorf("a second identical push changed the outbox:\nbefore %v\nafter  %v", pushState.Outbox, again.Outbox)
		}
		if st, _ := s.Shipment(ctx, 1); st.StoppedReason != tracking.StopSilent || st.NextCheckAt != nil {
			t.Errorf("after a second push: stopped %q, next check %v", st.StoppedReason, st.NextCheckAt)
		}
	})
}
