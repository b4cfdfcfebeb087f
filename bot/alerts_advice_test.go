package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// TestAdviceJoinsAnAlertTheLevelHears follows one parcel in three chats,
// one at each alert level, through the engine, the store and the
// notifier. Advice joins a status alert the chat hears whatever its
// urgency (it costs no message); alone it needs the chat's level. A scan
// that changes nothing brings a new local number, whose advice is for
// information: "all" hears the scan with the advice in it, "changes" the
// advice alone, "action" nothing. The delivery, which every level hears,
// carries its "I didn't get it" advice and button to every chat,
// "action" included, in one message.
func TestAdviceJoinsAnAlertTheLevelHears(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		start := tracking.Event{Time: t0.Add(-2 * time.Hour), Status: tracking.StatusTransit, Substatus: tracking.SubPackageDeparted,
			Description: "Departed from facility", Location: tracking.Location{City: "Shenzhen", Country: "CN"}}
		j := newJourney(t, s, start)
		ids := []string{"adv-all", "adv-changes", "adv-action"}
		for _, id := range ids {
			j.track(id, "en", "/alerts "+strings.TrimPrefix(id, "adv-"))
		}
		if _, err := j.notifier.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		sent := func() map[string][]string {
			j.rec.mu.Lock()
			defer j.rec.mu.Unlock()
			got := map[string][]string{}
			for _, line := range j.rec.sent {
				for _, id := range ids {
					if text, ok := strings.CutPrefix(line, id+": "); ok {
						got[id] = append(got[id], text)
					}
				}
			}
			return got
		}
		before := sent()

		// The same sub-status again, with the local number of the post.
		j.legs, j.dest = []tracking.Leg{{Number: "RR123456785DE", Carrier: tracking.PostCarrier("DE")}}, "DE"
		j.scan(scanAt(0, tracking.SubPackageDeparted, "Departed to the destination country", "Shenzhen"))
		local := "RR123456785DE"
		got := sent()
		count := func(id string) int { return len(got[id]) - len(before[id]) }
		if n := count("adv-all"); n != 1 || !strings.Contains(got["adv-all"][len(got["adv-all"])-1], local) ||
			!strings.Contains(got["adv-all"][len(got["adv-all"])-1], "New scan · ") {
			t.Errorf("all: %d messages %q, want the scan carrying the advice naming %s", n, got["adv-all"], local)
		}
		if n := count("adv-changes"); n != 1 || !strings.Contains(got["adv-changes"][len(got["adv-changes"])-1], local) {
			t.Errorf("changes: %d messages %q, want the advice naming %s alone", n, got["adv-changes"], local)
		}
		if n := count("adv-action"); n != 0 {
			t.Errorf("action: %d messages %q, want none (the scan is not heard, the advice not alone)", n, got["adv-action"])
		}

		before = got
		j.scan(scanAt(0, tracking.SubDelivered, "Delivered", "Berlin"))
		got = sent()
		button := " [" + j.h.cat.Localizer("en").T(tracking.MissingButtonLabel(tracking.RoleBuyer), nil) + "] -> missing:"
		for _, id := range ids {
			msgs := got[id][len(before[id]):]
			if len(msgs) != 1 || !strings.Contains(msgs[0], "New status: Delivered") || strings.Count(msgs[0], button) != 1 {
				t.Errorf("%s: the delivery sent %q, want one alert carrying the %q button", id, msgs, button)
			}
		}
	})
}
