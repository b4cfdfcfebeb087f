package bot

import (
	"errors"
	"log/slog"
	"slices"
	"strings"

	"github.com/trackbot/trackbot/tracking"
)

// bulkFrom is how many numbers pasted at once are still answered one by
// one, each with its card; more get one summary (bulkTrack).
const bulkFrom = 3

// bulkShown is how many numbers a summary line names before it counts the
// rest, and refusedShown how many refused lines the whole summary names:
// the summary stays one message whatever the size of the import.
const (
	bulkShown    = 40
	refusedShown = 20
)

// bulkItem is one parcel to track in bulk: a pasted number, or one line
// of an imported file with its order reference, label, carrier and
// destination country.
type bulkItem struct {
	// line is the item's line in the file; 0 for a pasted number.
	line     int
	number   string
	carrier  string
	orderRef string
	label    string
	country  string
}

// refusal is an item not tracked, and why: reason is a catalog key of
// the bulk summary (bulk_mistyped, bulk_bad_number, …).
type refusal struct {
	line   int
	number string
	reason string
}

// refusalReasons are the reasons an item is not tracked, in the order the
// summary names them.
var refusalReasons = []string{
	"bulk_bad_number", "bulk_mistyped", "bulk_repeated", "bulk_bad_carrier", "bulk_bad_country",
	"bulk_label_too_long", "bulk_order_too_long", "bulk_unstorable", "bulk_no_provider", "bulk_failed",
}

// bulkTrack tracks many parcels at once, pasted or imported, up to the
// chat's limit, and answers with one summary (bulkSummary): how many are
// tracked, which were already, which are over the limit, and which were
// refused and why. The first lookups are left to the scheduler
// (tracking.TrackRequest.Deferred), which looks new shipments up in the
// providers' batches: hundreds of lookups would hold the answer for
// minutes. refused are items refused before tracking (a mistyped number,
// a bad line); total is how many items were given in all.
func (t *turn) bulkTrack(items []bulkItem, refused []refusal, total int) []Reply {
	stop := t.working()
	defer stop()
	reqs := make([]tracking.TrackRequest, len(items))
	for i, it := range items {
		carrier := it.carrier
		if carrier == "" {
			if d := tracking.Detect(it.number); len(d.Candidates) > 0 {
				carrier = d.Candidates[0].Carrier
			}
		}
		reqs[i] = tracking.TrackRequest{ChatID: t.chat.ID, Number: it.number, Carrier: carrier, Label: it.label,
			OrderRef: it.orderRef, DestinationCountry: it.country, Limit: t.b.parcelLimit, Deferred: true}
	}
	// A line for a parcel the chat already tracks gives it the line's
	// label and order; what they were before tells an update from a line
	// that only repeats them.
	before, err := t.namesBefore(items)
	if err != nil {
		return t.fail(err)
	}
	// One transaction for the whole set (tracking.Engine.TrackMany): its
	// statements do not grow with the number of lines.
	results, err := t.b.engine.TrackMany(t.ctx, t.chat.ID, reqs)
	if err != nil {
		return t.fail(err)
	}
	var tracked int
	var already, updated, overLimit []string
	for i, res := range results {
		it := items[i]
		switch err := res.Err; {
		case errors.Is(err, tracking.ErrTooManyShipments):
			overLimit = append(overLimit, it.number)
		case errors.Is(err, tracking.ErrNoProvider):
			refused = append(refused, refusal{it.line, it.number, "bulk_no_provider"})
		case errors.Is(err, tracking.ErrUnstorableText):
			refused = append(refused, refusal{it.line, it.number, "bulk_unstorable"})
		case err != nil:
			slog.ErrorContext(t.ctx, "tracking in bulk failed", "platform", t.msg.Chat.Platform, "err", err)
			refused = append(refused, refusal{it.line, it.number, "bulk_failed"})
		case res.Tracked.New:
			tracked++
		case before[res.Tracked.SubscriptionID].updatedBy(it):
			updated = append(updated, it.number)
		default:
			already = append(already, it.number)
		}
	}
	return []Reply{TextReply(t.bulkSummary(tracked, total, bulkAlready{already, updated}, overLimit, refused))}
}

// names are a subscription's label and order reference.
type names struct{ label, orderRef string }

// updatedBy reports whether an item changes the label or order of the
// subscription that had n: an item's empty label or order keeps it.
func (n names) updatedBy(it bulkItem) bool {
	return it.label != "" && it.label != n.label || it.orderRef != "" && it.orderRef != n.orderRef
}

// namesBefore are the labels and orders of the chat's subscriptions, by
// subscription, when an item gives a label or an order (none otherwise:
// such items change nothing).
func (t *turn) namesBefore(items []bulkItem) (map[int64]names, error) {
	if !slices.ContainsFunc(items, func(it bulkItem) bool { return it.label != "" || it.orderRef != "" }) {
		return nil, nil
	}
	subs, err := t.b.store.Subscriptions(t.ctx, t.chat.ID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]names, len(subs))
	for _, tr := range subs {
		out[tr.Sub.ID] = names{tr.Sub.Label, tr.Sub.OrderRef}
	}
	return out, nil
}

// bulkAlready are the numbers of a bulk paste or import the chat already
// tracked: those whose line changed nothing, and those whose line gave
// them a new label or order.
type bulkAlready struct {
	unchanged, updated []string
}

// bulkSummary is the one summary of a bulk paste or import: the count
// tracked, the numbers already tracked and those over the chat's limit
// (each list naming bulkShown numbers and counting the rest), and the
// refused ones by reason, refusedShown of them named with their line.
func (t *turn) bulkSummary(tracked, total int, already bulkAlready, overLimit []string, refused []refusal) string {
	lines := []string{t.T(t.promise("bulk_tracked"), map[string]any{"Count": tracked, "Total": total})}
	if tracked == 0 {
		// Nothing to look up and no news to promise: the reasons follow.
		lines[0] = t.loc.N("bulk_tracked_none", total, nil)
	}
	named := func(numbers []string, shown int) string {
		s := strings.Join(numbers[:min(len(numbers), shown)], ", ")
		if more := len(numbers) - shown; more > 0 {
			s += " " + t.T("bulk_more", map[string]any{"Count": more})
		}
		return s
	}
	if len(already.unchanged) > 0 {
		lines = append(lines, t.T("bulk_already", map[string]any{"Count": len(already.unchanged), "Numbers": named(already.unchanged, bulkShown)}))
	}
	if len(already.updated) > 0 {
		lines = append(lines, t.T("bulk_already_updated", map[string]any{"Count": len(already.updated), "Numbers": named(already.updated, bulkShown)}))
	}
	if len(overLimit) > 0 {
		lines = append(lines, t.T("bulk_over_limit", map[string]any{"Count": len(overLimit), "Max": t.b.parcelLimit,
			"Numbers": named(overLimit, bulkShown)}))
	}
	slices.SortStableFunc(refused, func(a, b refusal) int { return a.line - b.line })
	budget := refusedShown
	for _, reason := range refusalReasons {
		var these []string
		for _, r := range refused {
			if r.reason != reason {
				continue
			}
			n := r.number
			if n == "" {
				n = "—"
			}
			if r.line > 0 {
				n = t.T("bulk_line", map[string]any{"Line": r.line, "Number": n})
			}
			these = append(these, n)
		}
		if len(these) == 0 {
			continue
		}
		shown := min(len(these), max(budget, 0))
		budget -= shown
		list := named(these, shown)
		if shown == 0 {
			list = t.T("bulk_more", map[string]any{"Count": len(these)})
		}
		lines = append(lines, t.T(reason, map[string]any{"Count": len(these), "Numbers": list, "Max": maxLabel}))
	}
	return strings.Join(lines, "\n\n")
}

// pasted turns the numbers found in pasted text into bulk items, the
// mistyped ones into refusals, and tracks them.
func (t *turn) pasted(numbers, mistyped []string) []Reply {
	items := make([]bulkItem, 0, len(numbers))
	for _, n := range numbers {
		items = append(items, bulkItem{number: tracking.Detect(n).Number})
	}
	refused := make([]refusal, 0, len(mistyped))
	for _, n := range mistyped {
		refused = append(refused, refusal{number: n, reason: "bulk_mistyped"})
	}
	return t.bulkTrack(items, refused, len(numbers)+len(mistyped))
}
