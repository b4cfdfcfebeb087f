package wire

import (
	"slices"

	"github.com/trackbot/trackbot/tracking"
)

// AppendEvent adds ev to res at the time ts spells. An event whose time
// cannot be read is left out: it could be neither ordered nor told apart
// from the next refresh's copy of it. It reports whether ev was added.
func AppendEvent(res *tracking.Result, ts string, ev tracking.Event) bool {
	t, ok := Time(ts)
	if !ok {
		return false
	}
	ev.Time = t
	res.Events = append(res.Events, ev)
	return true
}

// Settle orders res's events by time, keeping the order in which the
// provider listed events of the same second, and, when the answer carried
// no summary of its own, takes the newest event's status for it.
func Settle(res *tracking.Result, summarized bool) {
	slices.SortStableFunc(res.Events, func(a, b tracking.Event) int { return a.Time.Compare(b.Time) })
	if !summarized && len(res.Events) > 0 {
		last := res.Events[len(res.Events)-1]
		res.Status, res.Substatus = last.Status, last.Substatus
	}
}
