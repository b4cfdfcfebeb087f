package tracking_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracking"
)

func TestNoticeRoundTripKeepsTypes(t *testing.T) {
	days := 12
	deadline := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 11, 20, 7, 30, 0, 0, time.UTC)
	for _, n := range []tracking.Notice{
		{Kind: tracking.NoticeStatus, Status: &tracking.StatusNotice{ShipmentID: 1, Number: "1Z999AA10123456784", Carrier: "ups",
			Status: tracking.StatusTransit, Substatus: tracking.SubOutForDelivery, NewEvents: 2,
			Event: tracking.Event{Time: at, Status: tracking.StatusTransit, Substatus: tracking.SubOutForDelivery, Description: "Out for delivery",
				Location: tracking.Location{City: "Berlin", Country: "DE"}, Carrier: "ups"},
			NewLegs: []tracking.Leg{{Carrier: "dhl-de", Number: "JJD0001"}}}},
		{Kind: tracking.NoticeStatus, Status: &tracking.StatusNotice{ShipmentID: 4, Number: "1Z999AA10123456784", Carrier: "ups",
			Status: tracking.StatusTransit, Substatus: tracking.SubCustomsHeld, NewEvents: 1,
			Event: tracking.Event{Time: at, Status: tracking.StatusTransit, Substatus: tracking.SubCustomsHeld, Description: "Held"},
			Advice: []tracking.GuidanceNotice{{ShipmentID: 4, Number: "1Z999AA10123456784", Rule: tracking.RuleCustomsHeld,
				Level: tracking.LevelAction, Message: "guidance_customs_held_buyer", Data: tracking.AdviceData{Number: "1Z999AA10123456784", Days: &days},
				Buttons: []tracking.Button{{Label: tracking.MessageButtonMissing, Action: tracking.ActionMissing}}}}}},
		{Kind: tracking.NoticeStopped, Stopped: &tracking.StoppedNotice{ShipmentID: 2, Number: "RR123456785CN", Carrier: "china-post",
			Reason: tracking.StopSilent, SilentDays: 61}},
		{Kind: tracking.NoticeGuidance, Guidance: &tracking.GuidanceNotice{ShipmentID: 3, Number: "DEMO-PICKUP", Rule: tracking.RulePickupAvailable,
			Level: tracking.LevelAction, Message: "guidance_pickup_buyer",
			Data: tracking.AdviceData{Number: "DEMO-PICKUP", Carrier: "Demo", Shop: "Temu", Days: &days, Deadline: &deadline,
				Post: "Deutsche Post DHL", Link: "https://www.dhl.de/?x=1", NewNumber: "JJD0001"},
			Links:   []tracking.Link{{Label: tracking.MessageLinkPost, URL: "https://www.dhl.de/?x=1"}},
			Buttons: []tracking.Button{{Label: tracking.MessageButtonMissing, Action: tracking.ActionMissing}}}},
		{Kind: tracking.NoticeOrders, Orders: &tracking.OrdersNotice{Cancelled: true, Parcels: 2, Orders: 1,
			First: []tracking.OrderParcel{{Order: "#1001", Number: "1Z999AA10123456784", Carrier: "ups", Country: "DE"},
				{Order: "#1001", Number: "RR123456785CN", Carrier: "china-post"}}}},
	} {
		t.Run(n.Kind, func(t *testing.T) {
			payload, err := tracking.EncodeNotice(n)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tracking.DecodeNotice(n.Kind, payload)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, n) {
				t.Errorf("round trip of %s:\ngot  %+v\nwant %+v", payload, got, n)
			}
		})
	}
}

// TestNoticeDecodesRowsOfEarlierVersions reads payloads as the outbox
// held them when advice data was a map: the same names, Days a JSON
// number, Deadline a string.
func TestNoticeDecodesRowsOfEarlierVersions(t *testing.T) {
	deadline := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		kind, payload string
		check         func(t *testing.T, n tracking.Notice)
	}{
		{tracking.NoticeGuidance, `{"shipment_id":3,"number":"DEMO-PICKUP","rule":"pickup_available","level":"action",` +
			`"message":"guidance_pickup_buyer","data":{"Carrier":"Demo","Days":5,"Deadline":"2026-12-04T09:00:00Z",` +
			`"Link":"https://www.dhl.de/","Number":"DEMO-PICKUP","Post":"Deutsche Post DHL"},` +
			`"links":[{"Label":"guidance_link_post","URL":"https://www.dhl.de/"}]}`,
			func(t *testing.T, n tracking.Notice) {
				d := n.Guidance.Data
				if d.Days == nil || *d.Days != 5 || d.Deadline == nil || !d.Deadline.Equal(deadline) ||
					d.Post != "Deutsche Post DHL" || d.Link != "https://www.dhl.de/" || d.Number != "DEMO-PICKUP" || d.Shop != "" {
					t.Errorf("data %+v", d)
				}
				if n.Guidance.Rule != tracking.RulePickupAvailable || len(n.Guidance.Links) != 1 {
					t.Errorf("guidance %+v", n.Guidance)
				}
			}},
		{tracking.NoticeGuidance, `{"shipment_id":3,"number":"X","rule":"delivered","level":"info","message":"m",` +
			`"data":{"Carrier":"Demo","Number":"X"}}`,
			func(t *testing.T, n tracking.Notice) {
				if d := n.Guidance.Data; d.Days != nil || d.Deadline != nil {
					t.Errorf("a rule without a count or deadline decoded as %+v", d)
				}
			}},
		{tracking.NoticeStatus, `{"shipment_id":1,"number":"X","carrier":"ups","status":"transit","substatus":"customs_held",` +
			`"event":{"Time":"2026-12-04T09:00:00Z"},"new_events":1}`,
			func(t *testing.T, n tracking.Notice) {
				if n.Status == nil || n.Status.Substatus != tracking.SubCustomsHeld || n.Status.Advice != nil {
					t.Errorf("a status alert written before alerts carried advice decoded as %+v", n.Status)
				}
			}},
		{tracking.NoticeStopped, `{"shipment_id":2,"number":"RR123456785CN","carrier":"china-post","reason":"silent","silent_days":61}`,
			func(t *testing.T, n tracking.Notice) {
				if n.Stopped == nil || n.Stopped.SilentDays != 61 || n.Stopped.Reason != tracking.StopSilent {
					t.Errorf("stopped %+v", n.Stopped)
				}
			}},
	} {
		n, err := tracking.DecodeNotice(tt.kind, []byte(tt.payload))
		if err != nil {
			t.Fatalf("%s: %v", tt.payload, err)
		}
		tt.check(t, n)
	}
}

func TestNoticeRefusesWhatItCannotRead(t *testing.T) {
	if _, err := tracking.EncodeNotice(tracking.Notice{Kind: tracking.NoticeStatus, Stopped: &tracking.StoppedNotice{}}); err == nil {
		t.Error("a status notice with a stopped body was encoded")
	}
	if _, err := tracking.DecodeNotice("postcard", []byte(`{}`)); err == nil {
		t.Error("an unknown kind was decoded")
	}
	if _, err := tracking.DecodeNotice(tracking.NoticeStatus, []byte(`{"number":`)); err == nil {
		t.Error("a broken payload was decoded")
	}
}

// TestAnAlertCarriesTheAdviceOfItsChat: a status alert takes the advice
// its refresh fired for a chat, in order, and is heard wherever the alert
// or any of the advice is heard; a notice that is not a status alert, or
// no advice, folds nothing.
func TestAnAlertCarriesTheAdviceOfItsChat(t *testing.T) {
	status := func(level tracking.AlertLevel) *tracking.Broadcast {
		return &tracking.Broadcast{Key: "k", Level: level, Notice: tracking.Notice{Kind: tracking.NoticeStatus,
			Status: &tracking.StatusNotice{ShipmentID: 1, Number: "N", Substatus: tracking.SubPackageArrived}}}
	}
	advice := func(rule string, level tracking.Level) tracking.OutboxNotice {
		return tracking.OutboxNotice{ChatID: 7, SubscriptionID: 9, Key: "guidance:9:" + rule + ":1", Notice: tracking.Notice{
			Kind: tracking.NoticeGuidance, Guidance: &tracking.GuidanceNotice{ShipmentID: 1, Number: "N", Rule: rule, Level: level}}}
	}
	for _, tt := range []struct {
		name      string
		broadcast *tracking.Broadcast
		advice    []tracking.OutboxNotice
		rules     []string
		level     tracking.AlertLevel
	}{
		{"info advice in a change", status(tracking.AlertChanges), []tracking.OutboxNotice{advice(tracking.RuleDestinationPost, tracking.LevelInfo)},
			[]string{tracking.RuleDestinationPost}, tracking.AlertChanges},
		{"action advice in a scan", status(tracking.AlertAll), []tracking.OutboxNotice{advice(tracking.RuleCustomsHeld, tracking.LevelAction)},
			[]string{tracking.RuleCustomsHeld}, tracking.AlertAction},
		{"two pieces, in order", status(tracking.AlertAll), []tracking.OutboxNotice{advice(tracking.RuleDestinationPost, tracking.LevelInfo), advice(tracking.RuleDelivered, tracking.LevelWarn)},
			[]string{tracking.RuleDestinationPost, tracking.RuleDelivered}, tracking.AlertAction},
		{"an alert every chat hears", status(""), []tracking.OutboxNotice{advice(tracking.RuleDelivered, tracking.LevelInfo)},
			[]string{tracking.RuleDelivered}, ""},
	} {
		n, level, ok := tt.broadcast.WithAdvice(tt.advice)
		if !ok || n.Kind != tracking.NoticeStatus || level != tt.level {
			t.Errorf("%s: kind %q, level %q, ok %v; want a status alert at %q", tt.name, n.Kind, level, ok, tt.level)
			continue
		}
		var rules []string
		for _, a := range n.Status.Advice {
			rules = append(rules, a.Rule)
		}
		if !reflect.DeepEqual(rules, tt.rules) {
			t.Errorf("%s: the alert carries %q, want %q", tt.name, rules, tt.rules)
		}
		if tt.broadcast.Notice.Status.Advice != nil {
			t.Errorf("%s: folding changed the broadcast's own notice", tt.name)
		}
	}
	stopped := &tracking.Broadcast{Key: "s", Level: tracking.AlertAction, Notice: tracking.Notice{Kind: tracking.NoticeStopped, Stopped: &tracking.StoppedNotice{}}}
	if _, _, ok := stopped.WithAdvice([]tracking.OutboxNotice{advice(tracking.RuleNoProgress, tracking.LevelWarn)}); ok {
		t.Error("a stopped notice took advice")
	}
	if _, _, ok := status(tracking.AlertAll).WithAdvice(nil); ok {
		t.Error("an alert without advice was folded")
	}
}

// TestOrderFeedNoticeIsOneMessage: however many parcels a delivery
// brings, its notice is one, counting the parcels and their distinct
// orders and naming the first OrderNoticeParcels in order; every alert
// level hears it; a delivery that brings none tells nothing.
func TestOrderFeedNoticeIsOneMessage(t *testing.T) {
	var parcels []tracking.OrderParcel
	for i := range 200 {
		parcels = append(parcels, tracking.OrderParcel{Order: fmt.Sprintf("#%d", 1000+i/2), Number: fmt.Sprintf("DEMO-LIVE-%d", i), Carrier: "demo"})
	}
	n, ok := tracking.OrderFeedNotice(7, "order-feed:abc:1", false, parcels)
	if !ok || n.ChatID != 7 || n.SubscriptionID != 0 || n.Key != "orders:order-feed:abc:1" || n.Notice.Kind != tracking.NoticeOrders {
		t.Fatalf("notice %+v, %v", n, ok)
	}
	o := n.Notice.Orders
	if o.Parcels != 200 || o.Orders != 100 || o.Cancelled || len(o.First) != tracking.OrderNoticeParcels ||
		o.First[0] != parcels[0] || o.First[tracking.OrderNoticeParcels-1] != parcels[tracking.OrderNoticeParcels-1] {
		t.Errorf("body %+v", o)
	}
	for _, l := range tracking.AlertLevels() {
		if !l.Hears(n.AlertLevel()) {
			t.Errorf("a chat at %s does not hear a delivery's notice", l)
		}
	}
	if _, ok := tracking.OrderFeedNotice(7, "k", true, nil); ok {
		t.Error("a delivery that stopped nothing has a notice")
	}
}
