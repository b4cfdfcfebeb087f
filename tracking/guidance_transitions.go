package tracking

import (
	"cmp"
	"slices"
	"strconv"
	"time"
)

// GuidanceTarget is a subscription as guidance sees it: whose eyes read
// the advice, and whether its chat can be pushed at all.
type GuidanceTarget struct {
	SubscriptionID int64
	ChatID         int64
	Role           string
	Marketplace    string
	// ProtectionEnds is when the buyer protection the chat gave for the
	// parcel ends; nil when it gave none.
	ProtectionEnds *time.Time
	// Active is false for a chat that cannot be reached (it blocked the
	// bot): its rules still fire, so that it is not flooded on return,
	// but nothing is pushed.
	Active bool
	// Alerts is the chat's alert level, which each notice records
	// (OutboxNotice.Alerts): advice joins a status alert the chat hears
	// whatever its urgency, but alone it is pushed only when the level
	// hears it (OutboxNotice.HeardAlone). Either way the rule fires, so
	// that it is not pushed later when it no longer is news. Empty hears
	// all.
	Alerts AlertLevel
}

// RuleState is one rule's state for one subscription: whether it has
// fired and still applies, and how many times it has been armed.
type RuleState struct {
	SubscriptionID int64
	Rule           string
	Active         bool
	Arms           int
}

// RuleWrite is one change of a rule's state, happening at At: the rule
// fired (Active, with its new Arms) or cleared (not Active). New says the
// subscription has no state for the rule yet.
type RuleWrite struct {
	RuleState
	New bool
	At  time.Time
}

// OutboxNotice is a notice for one subscription's chat, with the dedupe
// key that makes writing it twice harmless.
type OutboxNotice struct {
	ChatID         int64
	SubscriptionID int64
	Key            string
	Notice         Notice
	// Alerts is the alert level of the chat the notice is for (empty
	// hears all): advice that joins a status alert the chat hears costs
	// no message of its own, whatever its urgency; advice alone needs the
	// level (HeardAlone).
	Alerts AlertLevel
}

// HeardAlone reports whether the notice's chat hears it as a message of
// its own: its alert level hears the notice's (AlertLevel).
func (n OutboxNotice) HeardAlone() bool { return n.Alerts.Hears(n.AlertLevel()) }

// GuidanceUpdate is what guidance transitions write: rule states and the
// pushes they call for.
type GuidanceUpdate struct {
	Rules   []RuleWrite
	Notices []OutboxNotice
}

// GuidanceTransitions works out how the guidance of a shipment's
// subscriptions moves at now, given the rule states they have and the
// advice eval gives for each target's reader (role, marketplace, end of
// buyer protection). A pushed rule that
// starts to apply fires once: it is recorded as active and, when push is
// set and the chat is active, returned as a notice under a key naming its
// arming, so it is never pushed twice for one arming. The notice records
// the chat's alert level, whatever the advice's urgency: the store folds
// it into a status alert the chat hears, and sends it alone only when the
// level hears it alone (OutboxNotice.HeardAlone). A rule that stops
// applying is cleared, and re-armed with a new key if it returns. Without
// push (a chat that just started tracking sees the advice in its answer)
// the state is written and nothing pushed.
func GuidanceTransitions(shipmentID int64, number string, targets []GuidanceTarget, states []RuleState,
	eval func(Reader) []Advice, now time.Time, push bool) GuidanceUpdate {
	known := map[int64]map[string]RuleState{}
	for _, st := range states {
		if known[st.SubscriptionID] == nil {
			known[st.SubscriptionID] = map[string]RuleState{}
		}
		known[st.SubscriptionID][st.Rule] = st
	}
	var out GuidanceUpdate
	for _, t := range targets {
		applies := map[string]bool{}
		for _, a := range eval(Reader{Role: t.Role, Marketplace: t.Marketplace, ProtectionEnds: t.ProtectionEnds}) {
			if !a.Push {
				continue
			}
			applies[a.Rule] = true
			st, seen := known[t.SubscriptionID][a.Rule]
			if seen && st.Active {
				continue // fired already and still applies
			}
			arms := 1
			if seen {
				arms = st.Arms + 1
			}
			out.Rules = append(out.Rules, RuleWrite{RuleState: RuleState{SubscriptionID: t.SubscriptionID, Rule: a.Rule, Active: true, Arms: arms}, New: !seen, At: now})
			if !push || !t.Active {
				continue
			}
			out.Notices = append(out.Notices, OutboxNotice{
				ChatID: t.ChatID, SubscriptionID: t.SubscriptionID, Alerts: t.Alerts,
				Key:    NoticeGuidance + ":" + strconv.FormatInt(t.SubscriptionID, 10) + ":" + a.Rule + ":" + strconv.Itoa(arms),
				Notice: guidanceNotice(shipmentID, number, a),
			})
		}
		var cleared []RuleState
		for rule, st := range known[t.SubscriptionID] {
			if st.Active && !applies[rule] {
				st.Active = false
				cleared = append(cleared, st)
			}
		}
		slices.SortFunc(cleared, func(a, b RuleState) int { return cmp.Compare(a.Rule, b.Rule) })
		for _, st := range cleared {
			out.Rules = append(out.Rules, RuleWrite{RuleState: st, At: now})
		}
	}
	return out
}
