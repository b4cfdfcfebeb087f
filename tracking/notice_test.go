package tracking_test

import (
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
		{Kind: tracking.NoticeStopped, Stopped: &tracking.StoppedNotice{ShipmentID: 2, Number: "RR123456785CN", Carrier: "china-post",
			Reason: tracking.StopSilent, SilentDays: 61}},
		{Kind: tracking.NoticeGuidance, Guidance: &tracking.GuidanceNotice{ShipmentID: 3, Number: "DEMO-PICKUP", Rule: tracking.RulePickupAvailable,
			Level: tracking.LevelAction, Message: "guidance_pickup_buyer",
			Data: tracking.AdviceData{Number: "DEMO-PICKUP", Carrier: "Demo", Shop: "Temu", Days: &days, Deadline: &deadline,
				Post: "Deutsche Post DHL", Link: "https://www.dhl.de/?x=1", NewNumber: "JJD0001"},
			Links:   []tracking.Link{{Label: tracking.MessageLinkPost, URL: "https://www.dhl.de/?x=1"}},
			Buttons: []tracking.Button{{Label: tracking.MessageButtonMissing, Action: tracking.ActionMissing}}}},
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
