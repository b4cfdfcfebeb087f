package tracking

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestAlertLevelOfAStatusNotice merges scans into a shipment and checks
// which alert levels hear the notice and which statuses it names as
// passed: a scan that changes nothing is for "all", a change of status or
// sub-status for "changes", a change that needs action (or delivered,
// returned) for every level; several changes in one refresh are one
// notice that names those before the newest, oldest first.
func TestAlertLevelOfAStatusNotice(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	scan := func(hours int, sub Substatus) Event {
		return Event{Time: t0.Add(time.Duration(hours) * time.Hour), Status: sub.Parent(), Substatus: sub, Description: string(sub)}
	}
	last := t0
	state := func(sub Substatus) *ShipmentState {
		return &ShipmentState{ID: 1, Number: "1ZTEST", Carrier: "ups", Status: sub.Parent(), Substatus: sub, LastEventAt: &last}
	}
	cases := []struct {
		name    string
		from    Substatus
		summary *Result // nil: the events alone decide
		scans   []Event
		level   AlertLevel
		passed  []Substatus
	}{
		{"same sub-status", SubPackageDeparted, nil, []Event{scan(1, SubPackageDeparted)}, AlertAll, nil},
		{"new sub-status", SubPackageDeparted, nil, []Event{scan(1, SubPackageArrived)}, AlertChanges, nil},
		{"customs hold", SubCustomsProcessing, nil, []Event{scan(1, SubCustomsHeld)}, AlertAction, nil},
		{"still held", SubCustomsHeld, nil, []Event{scan(1, SubCustomsHeld)}, AlertAll, nil},
		{"failure", SubPackageArrived, nil, []Event{scan(1, SubPackageLost)}, AlertAction, nil},
		{"hold released", SubCustomsHeld, nil, []Event{scan(1, SubCustomsProcessing)}, AlertChanges, nil},
		{"delivered after three changes", SubCustomsProcessing, nil,
			[]Event{scan(1, SubCarrierHandover), scan(2, SubOther), scan(3, SubOutForDelivery), scan(4, SubDelivered)},
			AlertAction, []Substatus{SubCarrierHandover, SubOutForDelivery}},
		{"returned", SubPackageUnclaimed, nil, []Event{scan(1, SubReturnToSender)}, AlertAction, nil},
		{"summary outranks the scans", SubOther,
			&Result{Status: StatusTransit, Substatus: SubOther, Events: []Event{scan(1, SubPackageDeparted), scan(2, SubPackageArrived)}},
			nil, AlertAll, []Substatus{SubPackageDeparted}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := state(c.from)
			if c.from == SubOther {
				st.Status = StatusTransit
			}
			r := c.summary
			if r == nil {
				r = &Result{Events: c.scans}
			}
			r.Number, r.Carrier = st.Number, st.Carrier
			ch, _ := merge(st, []*Result{r}, t0.Add(5*time.Hour))
			if ch.Broadcast == nil {
				t.Fatal("no notice")
			}
			if ch.Broadcast.Level != c.level {
				t.Errorf("level %q, want %q", ch.Broadcast.Level, c.level)
			}
			var passed []Substatus
			for _, p := range ch.Broadcast.Notice.Status.Passed {
				passed = append(passed, p.Substatus)
			}
			if !slices.Equal(passed, c.passed) {
				t.Errorf("passed %v, want %v", passed, c.passed)
			}
		})
	}
}

// TestAlertLevelsHearTheQuieterLevels: a chat hears what its level and
// every quieter level hear; new chats start by kind.
func TestAlertLevelsHearTheQuieterLevels(t *testing.T) {
	got := map[AlertLevel]string{}
	for _, n := range AlertLevels() {
		got[n] = fmt.Sprint(n.Audience())
	}
	want := map[AlertLevel]string{AlertAll: "[all]", AlertChanges: "[all changes]", AlertAction: "[all changes action]"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("audiences %v, want %v", got, want)
	}
	for kind, want := range map[string]AlertLevel{"private": AlertChanges, "group": AlertChanges, "channel": AlertAction} {
		if got := DefaultAlertLevel(kind); got != want {
			t.Errorf("a new %s chat starts at %q, want %q", kind, got, want)
		}
	}
	if _, ok := ParseAlertLevel("loud"); ok {
		t.Error("\"loud\" parsed as a level")
	}
	if !AlertAction.Hears("") || !AlertLevel("").Hears(AlertAll) {
		t.Error("a notice without a level goes to every chat, a chat without a level hears everything")
	}
	if AlertAction.Hears(adviceAlertLevel(LevelInfo)) || !AlertAction.Hears(adviceAlertLevel(LevelWarn)) || !AlertChanges.Hears(adviceAlertLevel(LevelInfo)) {
		t.Error("advice: action hears warn and action advice, changes hears all of it")
	}
	// Advice alone needs the chat's level; any other notice is heard alone
	// at every level.
	advice := func(chat AlertLevel, l Level) OutboxNotice {
		return OutboxNotice{Alerts: chat, Notice: Notice{Kind: NoticeGuidance, Guidance: &GuidanceNotice{Level: l}}}
	}
	if advice(AlertAction, LevelInfo).HeardAlone() || !advice(AlertAction, LevelWarn).HeardAlone() ||
		!advice(AlertChanges, LevelInfo).HeardAlone() || !advice("", LevelInfo).HeardAlone() ||
		!(OutboxNotice{Alerts: AlertAction, Notice: Notice{Kind: NoticeOrders}}).HeardAlone() {
		t.Error("heard alone: action hears warn and action advice, changes and a chat without a level all of it, every level any other notice")
	}
}
