package tracking

// AlertLevel is how much of its parcels' news a chat is pushed. Whatever
// the level, /info and /list show the latest scan: the level only decides
// which news is pushed.
type AlertLevel string

// The alert levels, the most talkative first.
const (
	// AlertAll pushes every new scan.
	AlertAll AlertLevel = "all"
	// AlertChanges pushes a change of status or sub-status.
	AlertChanges AlertLevel = "changes"
	// AlertAction pushes a change that needs someone to act (see
	// NeedsAction), a delivery and a return, with whatever advice joins
	// them, and, on its own, advice at warn or action level.
	AlertAction AlertLevel = "action"
)

// AlertLevels lists the alert levels, the most talkative first.
func AlertLevels() []AlertLevel { return []AlertLevel{AlertAll, AlertChanges, AlertAction} }

// ParseAlertLevel maps a level's name onto the level; false for any other
// word.
func ParseAlertLevel(name string) (AlertLevel, bool) {
	for _, l := range AlertLevels() {
		if string(l) == name {
			return l, true
		}
	}
	return "", false
}

// DefaultAlertLevel is the alert level a new chat starts with, by its kind
// ("private", "group", "channel"): a person in a private chat hears every
// change; a Slack channel, which may follow a few hundred parcels for a
// team, hears only what needs someone to act. A Telegram group usually
// follows the few parcels of a household or a small team, who wait for
// "out for delivery" as much as a person does, so it hears changes too; a
// busy group switches with /alerts action.
func DefaultAlertLevel(kind string) AlertLevel {
	if kind == "channel" {
		return AlertAction
	}
	return AlertChanges
}

// rank orders the levels from the most talkative (0) to the quietest; a
// chat that names no level is the most talkative, so that it misses
// nothing.
func (l AlertLevel) rank() int {
	switch l {
	case AlertChanges:
		return 1
	case AlertAction:
		return 2
	}
	return 0
}

// Hears reports whether a chat at level l is pushed a notice of level n,
// n being the quietest level that still hears it; a notice that names no
// level is heard by every chat.
func (l AlertLevel) Hears(n AlertLevel) bool { return n == "" || l.rank() <= n.rank() }

// Audience lists the levels whose chats hear a notice of level l: l and
// every more talkative level.
func (l AlertLevel) Audience() []AlertLevel {
	var out []AlertLevel
	for _, chat := range AlertLevels() {
		if chat.Hears(l) {
			out = append(out, chat)
		}
	}
	return out
}

// Heard lists the levels a chat at level l hears: l and every quieter
// level.
func (l AlertLevel) Heard() []AlertLevel {
	var out []AlertLevel
	for _, n := range AlertLevels() {
		if l.Hears(n) {
			out = append(out, n)
		}
	}
	return out
}

// AlertLevel is the quietest alert level that hears the notice: advice by
// its urgency (adviceAlertLevel), any other notice every level.
func (n OutboxNotice) AlertLevel() AlertLevel {
	if n.Notice.Kind == NoticeGuidance && n.Notice.Guidance != nil {
		return adviceAlertLevel(n.Notice.Guidance.Level)
	}
	return AlertAction
}

// NeedsAction reports whether a shipment in this status and sub-status
// needs somebody to act: the sub-status says so, or delivery failed.
func NeedsAction(st Status, sub Substatus) bool {
	return sub.ActionRequired() || st == StatusFailure
}

// statusAlertLevel is the quietest level that hears a status notice: one
// that leaves the shipment in a state that needs action, or delivered or
// returned, is heard by every level; any other change of status or
// sub-status (changed) by "changes"; a scan that changes nothing only by
// "all".
func statusAlertLevel(changed bool, st Status, sub Substatus) AlertLevel {
	switch {
	case changed && (NeedsAction(st, sub) || st.Final()):
		return AlertAction
	case changed:
		return AlertChanges
	}
	return AlertAll
}

// adviceAlertLevel is the quietest level that hears a piece of advice on
// its own (advice that joins a status alert is heard with it):
// advice at warn or action level (what /list counts as needing attention)
// is heard by every level, advice for information by "changes" and "all".
func adviceAlertLevel(l Level) AlertLevel {
	if l == LevelInfo {
		return AlertChanges
	}
	return AlertAction
}
