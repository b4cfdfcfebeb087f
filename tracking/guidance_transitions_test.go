package tracking_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracking"
)

func TestGuidanceTransitions(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	days := 15
	stall := tracking.Advice{Rule: tracking.RuleNoProgress, Level: tracking.LevelAction, Push: true, Message: "guidance_no_progress_buyer",
		Data: tracking.AdviceData{Number: "RR123456785CN", Carrier: "China Post", Days: &days}}
	sellerStall := stall
	sellerStall.Message = "guidance_no_progress_seller"
	customs := tracking.Advice{Rule: tracking.RuleCustomsHeld, Level: tracking.LevelAction, Push: true, Message: "guidance_customs_held_buyer",
		Data: tracking.AdviceData{Number: "RR123456785CN", Carrier: "China Post"}}
	silent := tracking.Advice{Rule: tracking.RuleNewNumberSilent, Level: tracking.LevelInfo, Push: false, Message: "guidance_new_number_silent"}

	buyer := tracking.GuidanceTarget{SubscriptionID: 7, ChatID: 3, Role: "buyer", Active: true}
	seller := tracking.GuidanceTarget{SubscriptionID: 8, ChatID: 4, Role: "seller", Marketplace: "temu", Active: true}
	blocked := buyer
	blocked.Active = false
	quiet := buyer
	quiet.Alerts = tracking.AlertAction
	delivered := tracking.Advice{Rule: tracking.RuleDelivered, Level: tracking.LevelInfo, Push: true, Message: "guidance_delivered"}

	fired := func(sub int64, rule string, arms int, isNew bool) tracking.RuleWrite {
		return tracking.RuleWrite{RuleState: tracking.RuleState{SubscriptionID: sub, Rule: rule, Active: true, Arms: arms}, New: isNew, At: now}
	}
	cleared := func(sub int64, rule string, arms int) tracking.RuleWrite {
		return tracking.RuleWrite{RuleState: tracking.RuleState{SubscriptionID: sub, Rule: rule, Arms: arms}, At: now}
	}
	push := func(tg tracking.GuidanceTarget, a tracking.Advice, key string) tracking.OutboxNotice {
		return tracking.OutboxNotice{ChatID: tg.ChatID, SubscriptionID: tg.SubscriptionID, Key: key, Notice: tracking.Notice{
			Kind: tracking.NoticeGuidance, Guidance: &tracking.GuidanceNotice{ShipmentID: 5, Number: "RR123456785CN",
				Rule: a.Rule, Level: a.Level, Message: a.Message, Data: a.Data}}}
	}
	withLevel := func(n tracking.OutboxNotice, l tracking.AlertLevel) tracking.OutboxNotice {
		n.Alerts = l
		return n
	}
	state := func(sub int64, rule string, active bool, arms int) tracking.RuleState {
		return tracking.RuleState{SubscriptionID: sub, Rule: rule, Active: active, Arms: arms}
	}

	for _, tt := range []struct {
		name    string
		targets []tracking.GuidanceTarget
		states  []tracking.RuleState
		advice  map[string][]tracking.Advice // by role/marketplace
		push    bool
		want    tracking.GuidanceUpdate
	}{
		{
			name:    "a rule that starts to apply fires once",
			targets: []tracking.GuidanceTarget{buyer},
			advice:  map[string][]tracking.Advice{"buyer/": {stall}},
			push:    true,
			want: tracking.GuidanceUpdate{
				Rules:   []tracking.RuleWrite{fired(7, tracking.RuleNoProgress, 1, true)},
				Notices: []tracking.OutboxNotice{push(buyer, stall, "guidance:7:no_progress_14d:1")},
			},
		},
		{
			name:    "an active rule that still applies does not fire again",
			targets: []tracking.GuidanceTarget{buyer},
			states:  []tracking.RuleState{state(7, tracking.RuleNoProgress, true, 1)},
			advice:  map[string][]tracking.Advice{"buyer/": {stall}},
			push:    true,
		},
		{
			name:    "a rule that no longer applies clears, keeping its arms",
			targets: []tracking.GuidanceTarget{buyer},
			states:  []tracking.RuleState{state(7, tracking.RuleNoProgress, true, 2)},
			advice:  map[string][]tracking.Advice{},
			push:    true,
			want:    tracking.GuidanceUpdate{Rules: []tracking.RuleWrite{cleared(7, tracking.RuleNoProgress, 2)}},
		},
		{
			name:    "a cleared rule that returns re-arms under a new key",
			targets: []tracking.GuidanceTarget{buyer},
			states:  []tracking.RuleState{state(7, tracking.RuleNoProgress, false, 1)},
			advice:  map[string][]tracking.Advice{"buyer/": {stall}},
			push:    true,
			want: tracking.GuidanceUpdate{
				Rules:   []tracking.RuleWrite{fired(7, tracking.RuleNoProgress, 2, false)},
				Notices: []tracking.OutboxNotice{push(buyer, stall, "guidance:7:no_progress_14d:2")},
			},
		},
		{
			name:    "an inactive chat gets the state but no push",
			targets: []tracking.GuidanceTarget{blocked},
			advice:  map[string][]tracking.Advice{"buyer/": {stall}},
			push:    true,
			want:    tracking.GuidanceUpdate{Rules: []tracking.RuleWrite{fired(7, tracking.RuleNoProgress, 1, true)}},
		},
		{
			// The store folds it into a status alert the chat hears, and
			// drops it alone (HeardAlone).
			name:    "advice the chat's level does not hear alone is returned with the level",
			targets: []tracking.GuidanceTarget{quiet},
			advice:  map[string][]tracking.Advice{"buyer/": {delivered, stall}},
			push:    true,
			want: tracking.GuidanceUpdate{
				Rules: []tracking.RuleWrite{fired(7, tracking.RuleDelivered, 1, true), fired(7, tracking.RuleNoProgress, 1, true)},
				Notices: []tracking.OutboxNotice{withLevel(push(quiet, delivered, "guidance:7:delivered:1"), tracking.AlertAction),
					withLevel(push(quiet, stall, "guidance:7:no_progress_14d:1"), tracking.AlertAction)},
			},
		},
		{
			name:    "seeding writes the state without a push",
			targets: []tracking.GuidanceTarget{buyer},
			advice:  map[string][]tracking.Advice{"buyer/": {stall, customs}},
			push:    false,
			want: tracking.GuidanceUpdate{Rules: []tracking.RuleWrite{
				fired(7, tracking.RuleNoProgress, 1, true), fired(7, tracking.RuleCustomsHeld, 1, true)}},
		},
		{
			name:    "advice that is only shown writes nothing and clears nothing it did not fire",
			targets: []tracking.GuidanceTarget{buyer},
			advice:  map[string][]tracking.Advice{"buyer/": {silent}},
			push:    true,
		},
		{
			name:    "each subscription gets the advice of its role and marketplace",
			targets: []tracking.GuidanceTarget{buyer, seller},
			advice:  map[string][]tracking.Advice{"buyer/": {customs}, "seller/temu": {sellerStall}},
			push:    true,
			want: tracking.GuidanceUpdate{
				Rules: []tracking.RuleWrite{fired(7, tracking.RuleCustomsHeld, 1, true), fired(8, tracking.RuleNoProgress, 1, true)},
				Notices: []tracking.OutboxNotice{push(buyer, customs, "guidance:7:customs_held:1"),
					push(seller, sellerStall, "guidance:8:no_progress_14d:1")},
			},
		},
		{
			name:    "rules that clear together are written in rule order",
			targets: []tracking.GuidanceTarget{buyer},
			states: []tracking.RuleState{state(7, tracking.RuleNoProgress, true, 1), state(7, tracking.RuleCustomsHeld, true, 3),
				state(7, tracking.RuleDelivered, false, 1)},
			advice: map[string][]tracking.Advice{},
			push:   true,
			want: tracking.GuidanceUpdate{Rules: []tracking.RuleWrite{
				cleared(7, tracking.RuleCustomsHeld, 3), cleared(7, tracking.RuleNoProgress, 1)}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			eval := func(r tracking.Reader) []tracking.Advice { return tt.advice[r.Role+"/"+r.Marketplace] }
			got := tracking.GuidanceTransitions(5, "RR123456785CN", tt.targets, tt.states, eval, now, tt.push)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
