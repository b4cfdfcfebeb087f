package slack

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// sectionAfter returns the lines of the section that follows a heading in
// a message's texts, or nil when the heading is not there.
func sectionAfter(shown []string, heading string) []string {
	i := slices.Index(shown, heading)
	if i < 0 || i+1 >= len(shown) {
		return nil
	}
	return strings.Split(shown[i+1], "\n")
}

// TestListDigestAndHomeAgreeOnWhatNeedsAttention: for one channel's
// shipments, /list's "needs attention" section, the daily digest and the
// App Home show the same lines: the stalled parcel, and the parcel whose
// state is fine but whose guidance warns (three days past its expected
// delivery); not the parcel on its way nor the delivered one.
func TestListDigestAndHomeAgreeOnWhatNeedsAttention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		eta := t0.Add(-3 * 24 * time.Hour)
		e.cainiao.Set(cainiaoN, tracking.Result{Number: cainiaoN, Carrier: tracking.CarrierCainiao, OriginCountry: "CN", DestinationCountry: "DE",
			ETA: &eta, Events: []tracking.Event{event(-48, tracking.SubPackageDeparted, "Departed from the sorting centre", "Shenzhen", "CN")}})
		e.start()
		e.adapter.digestHour = 9 // read by digestOnce only
		e.command("C1", "DEMO-STALLED Jacket")
		e.command("C1", cainiaoN+" Lamp")
		e.command("C1", "DEMO-LIVE Chair")
		e.command("C1", "DEMO-DELIVERED Shoes")

		// The lamp needs attention only because of its guidance.
		subs, err := s.Subscriptions(ctx, chatOf(t, s, "C1").ID)
		if err != nil || len(subs) != 4 {
			t.Fatalf("C1 tracks %d shipments (%v), want 4", len(subs), err)
		}
		for _, tr := range subs {
			if tr.Sub.Label == "Lamp" && tr.Shipment.NeedsAttention(e.clock.Now()) {
				t.Fatalf("the lamp's state alone needs attention (%s %s): the test would not show the guidance rule", tr.Shipment.Status, tr.Shipment.Substatus)
			}
		}

		heading := "*Needs attention*"
		e.command("C1", "list")
		list := sectionAfter(texts(last(e.slack.called("chat.postMessage", "C1")).blocks(t)), heading)

		before := len(e.slack.called("chat.postMessage", "C1"))
		if n, err := e.adapter.digestOnce(ctx); err != nil || n != 1 {
			t.Fatalf("digest round: %d digests, %v; want C1's", n, err)
		}
		posts := e.slack.called("chat.postMessage", "C1")
		if len(posts) != before+1 {
			t.Fatalf("the digest round posted %d messages to C1", len(posts)-before)
		}
		digest := sectionAfter(texts(last(posts).blocks(t)), heading)

		e.slack.members["U1"] = []string{"C1"}
		ev := `{"type":"event_callback","team_id":"T1","event_id":"EvHomeAgree","event":{"type":"app_home_opened","user":"U1","channel":"D1","tab":"home","event_ts":"1.1"}}`
		if rec := e.request(e.adapter.EventsHandler(), "application/json", ev, secret, 0); rec.Code != 200 {
			t.Fatalf("status %d", rec.Code)
		}
		e.idle()
		views := e.slack.called("views.publish", "")
		if len(views) != 1 {
			t.Fatalf("%d views published, want 1", len(views))
		}
		view, _ := views[0].JSON["view"].(map[string]any)
		home := texts(view["blocks"])
		if len(home) != 2 || home[0] != heading || !strings.HasPrefix(home[1], "<#C1>\n") {
			t.Fatalf("home view %q, want the heading and C1's section", home)
		}
		homeLines := strings.Split(home[1], "\n")[1:]

		if len(list) != 2 || !strings.Contains(list[0], "Jacket") || !strings.Contains(list[1], "Lamp") {
			t.Fatalf("/list's needs attention %q, want the jacket and the lamp", list)
		}
		if !slices.Equal(digest, list) {
			t.Errorf("the digest shows\n%q\n/list\n%q", digest, list)
		}
		if !slices.Equal(homeLines, list) {
			t.Errorf("the Home tab shows\n%q\n/list\n%q", homeLines, list)
		}
	})
}
