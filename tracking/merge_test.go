package tracking

import (
	"testing"
	"time"
)

// TestMergeStatusRule checks the one status rule of currentStatus: the
// provider's summary sets the status unless a strictly newer event of the
// same leg or a later one says otherwise.
func TestMergeStatusRule(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 10, h, 0, 0, 0, time.UTC) }
	ev := func(h int, sub Substatus, number string) Event {
		return Event{Time: at(h), Status: sub.Parent(), Substatus: sub, Number: number, Carrier: "x",
			Location: Location{City: string(sub)}}
	}
	approx := func(e Event) Event { e.Approximate = true; return e }
	const first, local = "LP1", "US1"
	tests := []struct {
		name    string
		stored  []Event
		status  Status
		legs    []Leg
		results []*Result
		want    Substatus
	}{
		{
			name: "a delivered summary beats a newer mirrored scan of its own answer",
			results: []*Result{{Number: first, Status: StatusDelivered, Substatus: SubDelivered,
				Events: []Event{ev(10, SubOutForDelivery, first), ev(12, SubDelivered, first), ev(15, SubOutForDelivery, first)}}},
			want: SubDelivered,
		},
		{
			name: "a later leg's newer event beats the summary",
			legs: []Leg{{Number: local, Carrier: "usps"}},
			results: []*Result{
				{Number: first, Status: StatusTransit, Substatus: SubCustomsProcessing, Events: []Event{ev(8, SubCustomsProcessing, first)}},
				{Number: local, Status: StatusDelivered, Substatus: SubDelivered, Events: []Event{ev(12, SubDelivered, local)}},
			},
			want: SubDelivered,
		},
		{
			name:   "a stored delivery of a later leg is not undone by the first leg's summary",
			legs:   []Leg{{Number: local, Carrier: "usps"}},
			stored: []Event{ev(8, SubCustomsProcessing, first), ev(12, SubDelivered, local)},
			status: StatusDelivered,
			results: []*Result{{Number: first, Status: StatusTransit, Substatus: SubCustomsProcessing,
				Events: []Event{ev(8, SubCustomsProcessing, first), ev(9, SubPackageDeparted, first)}}},
			want: SubDelivered,
		},
		{
			name: "an earlier leg's newer event does not beat the summary",
			legs: []Leg{{Number: local, Carrier: "usps"}},
			results: []*Result{
				{Number: first, Status: StatusDelivered, Substatus: SubDelivered, Events: []Event{ev(12, SubDelivered, local)}},
				{Number: local, Events: []Event{ev(14, SubOutForDelivery, first)}},
			},
			want: SubDelivered,
		},
		{
			name:    "without a summary the newest event decides",
			results: []*Result{{Number: first, Events: []Event{ev(8, SubPackageDeparted, first), ev(9, SubPackageArrived, first)}}},
			want:    SubPackageArrived,
		},
		{
			name:    "an approximate time does not beat a placed one",
			results: []*Result{{Number: first, Events: []Event{ev(8, SubPackageArrived, first), approx(ev(9, SubPackageDeparted, local))}}},
			legs:    []Leg{{Number: local, Carrier: "usps"}},
			want:    SubPackageArrived,
		},
		{
			name: "an unknown summary leaves the events to decide",
			results: []*Result{{Number: first, Status: StatusUnknown, Substatus: SubOther,
				Events: []Event{ev(8, SubPackageDeparted, first)}}},
			want: SubPackageDeparted,
		},
		{
			name:    "a summary without events is all there is",
			results: []*Result{{Number: first, Status: StatusPreTransit, Substatus: SubInformationReceived}},
			want:    SubInformationReceived,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &ShipmentState{ID: 1, Number: first, Carrier: "x", Status: StatusUnknown, Substatus: SubOther,
				Legs: tt.legs, Known: map[string]bool{}}
			if tt.status != "" {
				st.Status = tt.status
				st.Substatus = tt.want
			}
			for _, e := range tt.stored {
				st.Events = append(st.Events, e)
				st.Known[e.Fingerprint()] = true
				last := e.Time
				st.LastEventAt = &last
			}
			c, _ := merge(st, tt.results, at(20))
			if c.Substatus != tt.want || c.Status != tt.want.Parent() {
				t.Errorf("status %s/%s, want %s/%s", c.Status, c.Substatus, tt.want.Parent(), tt.want)
			}
		})
	}
}
