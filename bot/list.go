package bot

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trackbot/trackbot/store"
)

// listPageSize is how many parcels one page of a list shows: lines with
// the longest label and order reference (64 characters each) still fit
// one Telegram message (4,096 characters), so that paging edits one
// message in place.
const listPageSize = 12

// maxButtonData is the most a button's action and payload may take
// together, in bytes, with the ":" between them: Telegram's callback_data
// limit, the smallest of the platforms'.
const maxButtonData = 64

// pageAction is the action of the buttons that page through a list.
const pageAction = "page"

// listSpec is what a list shows: every parcel grouped (the zero value), a
// filter's, those of an order, or those a search finds.
type listSpec struct {
	filter *listFilter
	order  string
	text   string
}

// encode is the spec as a paging button carries it: "", a filter's name,
// "order:REF" or "find:TEXT".
func (s listSpec) encode() string {
	switch {
	case s.filter != nil:
		return s.filter.name
	case s.order != "":
		return "order:" + s.order
	case s.text != "":
		return "find:" + s.text
	}
	return ""
}

// decodeListSpec reads what encode wrote; false for anything else.
func decodeListSpec(s string) (listSpec, bool) {
	if s == "" {
		return listSpec{}, true
	}
	if ref, ok := strings.CutPrefix(s, "order:"); ok && ref != "" {
		return listSpec{order: ref}, true
	}
	if text, ok := strings.CutPrefix(s, "find:"); ok && text != "" {
		return listSpec{text: text}, true
	}
	for i, f := range listFilters {
		if f.name == s {
			return listSpec{filter: &listFilters[i]}, true
		}
	}
	return listSpec{}, false
}

// query is the spec as the store evaluates it; false when it needs the
// chat's whole list (everything grouped, or a check in Go).
func (s listSpec) query(t *turn) (store.ListQuery, bool) {
	switch {
	case s.filter != nil && s.filter.query != nil:
		return s.filter.query(t), true
	case s.order != "":
		return store.ListQuery{Order: s.order}, true
	case s.text != "":
		return store.ListQuery{Text: s.text}, true
	}
	return store.ListQuery{}, false
}

// named is how replies name the spec: the filter's word in the chat's
// language, "order #10", or the searched text.
func (s listSpec) named(t *turn) string {
	switch {
	case s.filter != nil:
		return t.T("filter_"+s.filter.name, nil)
	case s.order != "":
		return t.T("list_order", map[string]any{"Order": s.order})
	}
	return s.text
}

// list answers "/list [FILTER | order REF]": the first page of the
// chat's parcels, all of them grouped, or those the filter selects.
func (t *turn) list(args string) []Reply {
	words := fields(args)
	var spec listSpec
	switch {
	case len(words) == 0:
	case len(words) >= 2 && slices.Contains(orderWords, strings.ToLower(words[0])):
		spec.order = strings.Join(words[1:], " ")
	case len(words) == 1 && slices.Contains(orderWords, strings.ToLower(words[0])):
		// "order" without its reference: say what it needs.
		return t.text("list_order_usage", map[string]any{"Filter": strings.ToLower(words[0])})
	case len(words) == 1:
		f, ok := t.lookupFilter(words[0])
		if !ok {
			return t.filterHint(args)
		}
		spec.filter = f
	default:
		return t.filterHint(args)
	}
	return t.listPage(spec, 1, false)
}

// filterHint answers an unknown filter with the filters there are.
func (t *turn) filterHint(given string) []Reply {
	words := make([]string, len(listFilters))
	for i, f := range listFilters {
		words[i] = t.T("filter_"+f.name, nil)
	}
	return t.text("list_filter_unknown", map[string]any{"Filter": clip(strings.TrimSpace(given), 40), "Filters": strings.Join(words, ", ")})
}

// findCommand answers "/find TEXT": the chat's parcels whose number,
// order reference, label or later leg's number contains TEXT.
func (t *turn) findCommand(args string) []Reply {
	text := strings.Join(fields(args), " ")
	if text == "" {
		return t.text("find_usage", nil)
	}
	return t.listPage(listSpec{text: text}, 1, false)
}

// pagePressed answers a paging button: "PAGE|SPEC". The page is always
// the pressing chat's own list, whatever chat the button came from.
func (t *turn) pagePressed(payload string) []Reply {
	n, encoded, found := strings.Cut(payload, "|")
	page, err := strconv.Atoi(n)
	spec, ok := decodeListSpec(encoded)
	if !found || err != nil || page < 1 || !ok {
		return t.text("error_stale_button", nil)
	}
	return t.listPage(spec, page, true)
}

// listEntry is one line of a list and the group it is shown under.
type listEntry struct {
	group string
	line  string
}

// listPage renders one page of a list: its lines under their headings,
// and, when there is more than one page, where it stands and buttons to
// the pages beside it. A page past the end (parcels were removed since)
// shows the last page.
func (t *turn) listPage(spec listSpec, page int, replace bool) []Reply {
	var entries []listEntry
	var total, older int
	if q, ok := spec.query(t); ok {
		q.Limit, q.Offset = listPageSize, (page-1)*listPageSize
		subs, n, err := t.b.store.ListSubscriptions(t.ctx, t.chat.ID, q)
		if err == nil && n > 0 && len(subs) == 0 {
			page = (n + listPageSize - 1) / listPageSize
			q.Offset = (page - 1) * listPageSize
			subs, n, err = t.b.store.ListSubscriptions(t.ctx, t.chat.ID, q)
		}
		if err != nil {
			return t.fail(err)
		}
		heading := t.T("list_heading_filter", map[string]any{"Filter": spec.named(t)})
		if spec.text != "" {
			heading = t.T("find_heading", map[string]any{"Text": spec.text})
		}
		for _, tr := range subs {
			entries = append(entries, listEntry{group: heading, line: t.listLine(tr)})
		}
		total = n
	} else {
		var err error
		if entries, older, err = t.allEntries(spec); err != nil {
			return t.fail(err)
		}
		total = len(entries)
		pages := max((total+listPageSize-1)/listPageSize, 1)
		page = min(page, pages)
		entries = entries[(page-1)*listPageSize : min(page*listPageSize, total)]
	}
	if total == 0 && older == 0 {
		return []Reply{{Replace: replace, Blocks: []Block{{Text: &Text{Body: t.emptyList(spec)}}}}}
	}
	pages := max((total+listPageSize-1)/listPageSize, 1)

	var blocks []Block
	var lines []string
	group := ""
	flush := func() {
		if len(lines) > 0 {
			blocks = append(blocks, Block{Text: &Text{Title: true, Body: group}}, Block{Text: &Text{Body: strings.Join(lines, "\n")}})
		}
		lines = nil
	}
	for _, e := range entries {
		if e.group != group {
			flush()
			group = e.group
		}
		lines = append(lines, e.line)
	}
	flush()
	if older > 0 && page == pages {
		blocks = append(blocks, Block{Text: &Text{Body: t.loc.N("list_older", older, nil)}})
	}
	if pages > 1 {
		blocks = append(blocks, t.pageBlocks(spec, page, pages, total)...)
	}
	return []Reply{{Blocks: blocks, Replace: replace}}
}

// pageBlocks say where a page stands and offer the pages beside it. A
// search too long for a button's payload gets no buttons, and a hint to
// search for less instead.
func (t *turn) pageBlocks(spec listSpec, page, pages, total int) []Block {
	var buttons []Button
	for _, b := range []struct {
		to    int
		label string
	}{{page - 1, "button_page_previous"}, {page + 1, "button_page_next"}} {
		if b.to < 1 || b.to > pages {
			continue
		}
		payload := strconv.Itoa(b.to) + "|" + spec.encode()
		if len(pageAction)+1+len(payload) > maxButtonData {
			return []Block{{Text: &Text{Body: t.loc.N("list_page_unpaged", total, map[string]any{"Shown": listPageSize})}}}
		}
		buttons = append(buttons, Button{Label: t.T(b.label, nil), Action: pageAction, Payload: payload})
	}
	return []Block{
		{Text: &Text{Body: t.loc.N("list_page", total, map[string]any{"Page": page, "Pages": pages})}},
		{Buttons: buttons},
	}
}

// emptyList says that nothing matches, naming what was asked for.
func (t *turn) emptyList(spec listSpec) string {
	switch {
	case spec.text != "":
		return t.T("find_none", map[string]any{"Text": spec.text})
	case spec.filter != nil || spec.order != "":
		return t.T("list_none", map[string]any{"Filter": spec.named(t)})
	}
	return t.T("list_empty", nil)
}

// allEntries are the lines of a list that needs every parcel of the
// chat: all of them grouped (needs attention, on the way, delivered
// recently; older delivered ones only counted), or a filter checked in
// Go. Within a group, the oldest subscription comes first.
func (t *turn) allEntries(spec listSpec) (entries []listEntry, older int, err error) {
	subs, err := t.b.store.Subscriptions(t.ctx, t.chat.ID)
	if err != nil {
		return nil, 0, err
	}
	if spec.filter != nil {
		heading := t.T("list_heading_filter", map[string]any{"Filter": spec.named(t)})
		if spec.filter.name == "attention" {
			heading = t.T("list_attention", nil)
		}
		for _, tr := range subs {
			if spec.filter.keep(t, tr) {
				entries = append(entries, listEntry{group: heading, line: t.listLine(tr)})
			}
		}
		return entries, 0, nil
	}
	var attention, moving, delivered []listEntry
	for _, tr := range subs {
		sh := tr.Shipment
		switch {
		case t.needsAttention(tr):
			attention = append(attention, listEntry{group: t.T("list_attention", nil), line: t.listLine(tr)})
		case sh.Status.Final():
			if sh.LastEventAt != nil && t.now.Sub(*sh.LastEventAt) > 30*24*time.Hour {
				older++
				continue
			}
			delivered = append(delivered, listEntry{group: t.T("list_delivered", nil), line: t.listLine(tr)})
		default:
			moving = append(moving, listEntry{group: t.T("list_moving", nil), line: t.listLine(tr)})
		}
	}
	return slices.Concat(attention, moving, delivered), older, nil
}
