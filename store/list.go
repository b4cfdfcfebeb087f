package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracking"
)

// ListQuery selects one page of a chat's subscriptions. Its conditions
// all apply together; an empty one selects everything. The bot owns what
// each list filter means (bot/attention.go); the store only says it in
// SQL.
type ListQuery struct {
	// Statuses and Substatuses select a shipment in one of the statuses
	// or in one of the sub-statuses; both empty leave the state free.
	Statuses    []tracking.Status
	Substatuses []tracking.Substatus
	// Late, when set, selects a shipment on the way that is late.
	Late *Lateness
	// Order selects the order reference, whole, ignoring case.
	Order string
	// Text selects a shipment whose number, order reference, label or a
	// later leg's number contains it, ignoring case.
	Text string
	// Offset and Limit cut the page; a Limit of 0 takes every row.
	Offset, Limit int
}

// Lateness is when a shipment on the way (neither delivered, returned nor
// failed) counts as late: its expected delivery passed before ETABefore,
// or it has been silent since before SilentBefore (its newest event, or
// the start of tracking when it has none).
type Lateness struct {
	ETABefore    time.Time
	SilentBefore time.Time
}

// likeEscaper escapes LIKE's wildcards and its escape character, so that
// a "%" or "_" somebody typed matches itself.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// likeContaining is the LIKE pattern of text anywhere.
func likeContaining(text string) string { return "%" + likeEscaper.Replace(text) + "%" }

// ListSubscriptions returns one page of a chat's subscriptions that q
// selects, oldest subscription first (the order is the subscription's id,
// so that pages stay put between two requests), and how many there are in
// all. It is one statement however long the list (two for a page past
// the end, which counts them apart); the shipments come without events
// and legs, which a list line does not show. Case is folded by LOWER,
// which folds every letter on both databases (see registerSQLiteLower).
func (s *Store) ListSubscriptions(ctx context.Context, chatID int64, q ListQuery) ([]Tracked, int, error) {
	var a assignments
	where := []string{"s.chat_id = " + a.arg(chatID)}
	var state []string
	if len(q.Statuses) > 0 {
		state = append(state, "sh.status IN ("+argList(&a, q.Statuses)+")")
	}
	if len(q.Substatuses) > 0 {
		state = append(state, "sh.substatus IN ("+argList(&a, q.Substatuses)+")")
	}
	if len(state) > 0 {
		where = append(where, "("+strings.Join(state, " OR ")+")")
	}
	if q.Late != nil {
		where = append(where, "sh.status NOT IN ("+argList(&a, []tracking.Status{
			tracking.StatusDelivered, tracking.StatusReturned, tracking.StatusFailure})+")",
			"(sh.eta < "+a.arg(dbTime(q.Late.ETABefore))+
				" OR COALESCE(sh.last_event_at, sh.created_at) < "+a.arg(dbTime(q.Late.SilentBefore))+")")
	}
	if q.Order != "" {
		where = append(where, "LOWER(s.order_ref) = LOWER("+a.arg(q.Order)+")")
	}
	if q.Text != "" {
		// The pattern is folded by the same LOWER as the columns.
		p := "LOWER(" + a.arg(likeContaining(q.Text)) + ")"
		where = append(where, `(LOWER(sh.number) LIKE `+p+` ESCAPE '\' OR LOWER(s.order_ref) LIKE `+p+` ESCAPE '\'
			OR LOWER(s.label) LIKE `+p+` ESCAPE '\'
			OR EXISTS (SELECT 1 FROM legs l WHERE l.shipment_id = sh.id AND LOWER(l.number) LIKE `+p+` ESCAPE '\'))`)
	}
	selected := trackedSelect + ` WHERE ` + strings.Join(where, " AND ")
	query := `SELECT COUNT(*) OVER () AS total, t.* FROM (` + selected + `) t ORDER BY t.sub_id`
	count := `SELECT COUNT(*) FROM (` + selected + `) t`
	countArgs := len(a.args)
	if q.Limit > 0 {
		query += " LIMIT " + a.arg(q.Limit) + " OFFSET " + a.arg(max(q.Offset, 0))
	}
	var rows []struct {
		Total int `db:"total"`
		trackedRow
	}
	if err := s.db.SelectContext(ctx, &rows, query, a.args...); err != nil {
		return nil, 0, fmt.Errorf("store: list subscriptions of chat %d: %w", chatID, err)
	}
	if len(rows) == 0 {
		var total int
		if q.Offset > 0 {
			if err := s.db.GetContext(ctx, &total, count, a.args[:countArgs]...); err != nil {
				return nil, 0, fmt.Errorf("store: count subscriptions of chat %d: %w", chatID, err)
			}
		}
		return nil, total, nil
	}
	out := make([]Tracked, len(rows))
	for i := range rows {
		out[i] = rows[i].tracked()
	}
	return out, rows[0].Total, nil
}

// argList adds values as arguments and returns their placeholders,
// comma-separated.
func argList[T ~string](a *assignments, values []T) string {
	ps := make([]string, len(values))
	for i, v := range values {
		ps[i] = a.arg(string(v))
	}
	return strings.Join(ps, ", ")
}
