package tracking_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
)

// TestGuidanceFiresOncePerChat walks every demo scenario through sixteen
// days with the real engine, scheduler and store, for a buyer chat and a
// seller chat, and records which guidance each chat is pushed on which
// day. What applies when tracking starts is shown in the answer, not
// pushed; after that each rule is pushed once, when it starts to apply.
// All scenarios share one engine and one clock, as parcels do in a running
// bot, so the sixteen days take 64 scheduler rounds in all rather than 64
// per scenario.
func TestGuidanceFiresOncePerChat(t *testing.T) {
	want := map[string]string{
		// scenario: "shown:" the rules the tracking answer shows, then the
		// pushes as "day:rule/level" — for the buyer | for the seller.
		"LIVE":      "1:destination_post/info 1:delivered/info | 1:destination_post/info 1:delivered/info",
		"STALLED":   "shown:no_progress_14d,partial_tracking | shown:no_progress_14d,partial_tracking",
		"LABEL":     "shown:label_only 3:no_progress_14d/action | shown:label_only 3:no_progress_14d/action",
		"CUSTOMS":   "shown:customs_held | shown:customs_held",
		"RETURNED":  "shown:returned | shown:returned",
		"ATTEMPT":   "shown:delivery_attempted | shown:delivery_attempted",
		"PICKUP":    "shown:pickup_available | shown:pickup_available",
		"DELIVERED": "shown:delivered | shown:delivered",
		"NOTFOUND":  "7:no_info_7d/warn 14:no_progress_14d/action | 7:no_info_7d/warn 14:no_progress_14d/action",
		"LOST":      "shown:claim | shown:claim",
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := tracking.NewFakeClock(t0)
		reg := tracking.NewRegistry(clock)
		reg.AddCarrier(demo.New(6*time.Hour, clock), tracking.CarrierDemo)
		e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, DemoStep: 6 * time.Hour, MinInterval: 6 * time.Hour})
		scenarios := demo.Scenarios()
		// got[scenario][0] is the buyer's record, [1] the seller's.
		got := map[string]*[2][]string{}
		// record is each chat's line of got.
		record := map[int64]*[]string{}
		for _, scenario := range scenarios {
			number := "DEMO-" + scenario + "-" + strings.ToLower(scenario[:2]) + "x"
			got[scenario] = &[2][]string{}
			for i, role := range []string{"buyer", "seller"} {
				c, err := s.EnsureChat(ctx, "console", scenario, role, "private", role, t0)
				if err != nil {
					t.Fatal(err)
				}
				record[c.ID] = &got[scenario][i]
				if _, err := e.Track(ctx, tracking.TrackRequest{ChatID: c.ID, Number: number, Carrier: tracking.CarrierDemo}); err != nil {
					t.Fatal(err)
				}
				var rules []string
				rs, err := s.DB().Query(`SELECT g.rule FROM guidance_state g JOIN subscriptions sub ON sub.id = g.subscription_id
					WHERE sub.chat_id = $1 ORDER BY g.rule`, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				for rs.Next() {
					var r string
					rs.Scan(&r)
					rules = append(rules, r)
				}
				rs.Close()
				if len(rules) > 0 {
					*record[c.ID] = append(*record[c.ID], "shown:"+strings.Join(rules, ","))
				}
			}
		}
		seen := map[string]bool{}
		for hour := 6; hour <= 16*24; hour += 6 {
			clock.Advance(6 * time.Hour)
			if _, err := e.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			// Advice is pushed on its own or in the status alert of the
			// refresh that fired it.
			rows, err := s.DB().Query(`SELECT o.chat_id, o.kind, o.payload, o.dedupe_key FROM outbox o
				WHERE o.kind IN ('guidance', 'status') ORDER BY o.id`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var chat int64
				var kind, payload, key string
				if err := rows.Scan(&chat, &kind, &payload, &key); err != nil {
					t.Fatal(err)
				}
				if seen[key] {
					continue
				}
				seen[key] = true
				n, err := tracking.DecodeNotice(kind, []byte(payload))
				if err != nil {
					t.Fatal(err)
				}
				var advice []tracking.GuidanceNotice
				switch {
				case n.Guidance != nil:
					advice = []tracking.GuidanceNotice{*n.Guidance}
				case n.Status != nil:
					advice = n.Status.Advice
				}
				r, ok := record[chat]
				if !ok && len(advice) > 0 {
					t.Errorf("guidance pushed to chat %d, which tracks nothing", chat)
					continue
				}
				for _, a := range advice {
					*r = append(*r, fmt.Sprintf("%d:%s/%s", hour/24, a.Rule, a.Level))
				}
			}
			rows.Close()
		}
		for _, scenario := range scenarios {
			t.Run(scenario, func(t *testing.T) {
				g := got[scenario]
				for i := range g {
					fired := map[string]bool{}
					for _, p := range g[i] {
						if strings.HasPrefix(p, "shown:") {
							continue
						}
						rule := p[strings.Index(p, ":")+1:]
						if fired[rule] {
							t.Errorf("chat %d was pushed %s twice", i, rule)
						}
						fired[rule] = true
					}
				}
				line := strings.Join(g[0], " ") + " | " + strings.Join(g[1], " ")
				if line != want[scenario] {
					t.Errorf("pushed guidance\n got %q\nwant %q", line, want[scenario])
				}
			})
		}
	})
}
