package tracking

import (
	"slices"
	"time"
)

// Shipment is the normalized view of a shipment: its state and its whole
// journey, every leg merged into one timeline.
type Shipment struct {
	ID                 int64      `json:"-"`
	Number             string     `json:"number"`
	Carrier            string     `json:"carrier"`
	Status             Status     `json:"status"`
	Substatus          Substatus  `json:"substatus"`
	ActionRequired     bool       `json:"action_required"`
	ETA                *time.Time `json:"eta"`
	OriginCountry      string     `json:"origin_country"`
	DestinationCountry string     `json:"destination_country"`
	Legs               []Leg      `json:"legs"`
	// Events are oldest first.
	Events          []Event    `json:"events"`
	StatusChangedAt time.Time  `json:"-"`
	LastEventAt     *time.Time `json:"-"`
	TrackedSince    time.Time  `json:"-"`
	LastCheckedAt   *time.Time `json:"-"`
	StoppedReason   string     `json:"-"`
}

// NewShipment builds the view of a state and its events.
func NewShipment(st *ShipmentState, events []Event) *Shipment {
	evs := slices.Clone(events)
	slices.SortStableFunc(evs, func(a, b Event) int { return a.Time.Compare(b.Time) })
	if evs == nil {
		evs = []Event{}
	}
	legs := slices.Clone(st.Legs)
	if legs == nil {
		legs = []Leg{}
	}
	return &Shipment{
		ID: st.ID, Number: st.Number, Carrier: st.Carrier, Status: st.Status, Substatus: st.Substatus,
		ActionRequired: st.Substatus.ActionRequired(), ETA: st.ETA,
		OriginCountry: st.OriginCountry, DestinationCountry: st.DestinationCountry,
		Legs: legs, Events: evs, StatusChangedAt: st.StatusChangedAt, LastEventAt: st.LastEventAt,
		TrackedSince: st.CreatedAt, LastCheckedAt: st.LastCheckedAt, StoppedReason: st.StoppedReason,
	}
}

// LastEvent returns the newest event, or false when there is none.
func (s *Shipment) LastEvent() (Event, bool) {
	if len(s.Events) == 0 {
		return Event{}, false
	}
	return s.Events[len(s.Events)-1], true
}
