package bot

import (
	"strings"

	"github.com/trackbot/trackbot/tracking"
)

// alerts sets how much of its parcels' news the chat is pushed
// (tracking.AlertLevel); without a level it shows the chat's level and the
// choices, and a word that is no level is answered with the choices and
// changes nothing.
func (t *turn) alerts(args string) []Reply {
	word := strings.ToLower(strings.TrimSpace(args))
	if word == "" {
		return t.alertChoices(t.T("alerts_current", map[string]any{"Level": t.alertLevelName(t.chatAlertLevel())}))
	}
	level, ok := t.lookupAlertLevel(word)
	if !ok {
		return t.alertChoices(t.T("alerts_unknown", map[string]any{"Given": clip(strings.TrimSpace(args), 40)}))
	}
	dropped, err := t.b.store.SetAlertLevel(t.ctx, t.chat.ID, level, t.now)
	if err != nil {
		return t.fail(err)
	}
	text := t.T("alerts_set", map[string]any{"Level": t.alertLevelName(level)})
	if dropped > 0 {
		text += "\n" + t.loc.N("alerts_dropped", dropped, nil)
	}
	return []Reply{TextReply(text)}
}

// lookupAlertLevel finds the level a word names: its English name or its
// word in the chat's language (alerts_word_<level>), as /list's filters.
func (t *turn) lookupAlertLevel(word string) (tracking.AlertLevel, bool) {
	for _, l := range tracking.AlertLevels() {
		if t.namedBy(word, string(l), "alerts_word_"+string(l)) {
			return l, true
		}
	}
	return "", false
}

// alertsUsage is /alerts' argument: one of the levels.
func alertsUsage() string {
	names := make([]string, 0, len(tracking.AlertLevels()))
	for _, l := range tracking.AlertLevels() {
		names = append(names, string(l))
	}
	return strings.Join(names, "|")
}

// alertChoices is head followed by one line per level: the command that
// chooses it and what it pushes.
func (t *turn) alertChoices(head string) []Reply {
	lines := []string{head}
	for _, l := range tracking.AlertLevels() {
		lines = append(lines, "/alerts "+t.T("alerts_word_"+string(l), nil)+" — "+t.alertLevelName(l))
	}
	lines = append(lines, t.T("alerts_always", nil))
	return []Reply{TextReply(strings.Join(lines, "\n"))}
}

// chatAlertLevel is the chat's alert level; a chat that has none stored
// has its kind's default.
func (t *turn) chatAlertLevel() tracking.AlertLevel {
	if l, ok := tracking.ParseAlertLevel(t.chat.AlertLevel); ok {
		return l
	}
	return tracking.DefaultAlertLevel(t.chat.Kind)
}

// promise is the message, of those that say what news will follow
// (track_started, bulk_tracked), that promises what the chat's alert
// level pushes: movement at "changes" and "all", only what needs action,
// a delivery or a return at "action" (key_action).
func (t *turn) promise(key string) string {
	if t.chatAlertLevel() == tracking.AlertAction {
		return key + "_action"
	}
	return key
}

// alertLevelName says in the chat's language what a level pushes.
func (t *turn) alertLevelName(l tracking.AlertLevel) string {
	return t.T("alerts_level_"+string(l), nil)
}
