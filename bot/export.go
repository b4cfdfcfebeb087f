package bot

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/tracking"
)

// Document is a file trackbot sends with a reply: an export. The adapter
// delivers it natively (a Slack file, a Telegram document) before the
// reply's text; the console writes it to Path.
type Document struct {
	// Name is the file name the chat shows.
	Name string
	// Path is where the console writes the file, absolute; "" on
	// platforms that send it instead.
	Path string
	// Type is its MIME type.
	Type string
	Data []byte
	// undelivered says, in the chat's language, why the document did not
	// reach the chat; nil for a document the core did not make.
	undelivered func(err error) Reply
}

// Undelivered is the reply that tells the chat why the document could not
// be delivered, given the adapter's error: one wrapping ErrChatGone where
// the bot may not post (not a member of the channel), an *fs.PathError
// where the console could not write the file, anything else by its
// innermost message. ok is false for a document without one.
func (d *Document) Undelivered(err error) (r Reply, ok bool) {
	if d == nil || d.undelivered == nil {
		return Reply{}, false
	}
	return d.undelivered(err), true
}

// undelivered picks the reason of a document not delivered.
func undelivered(loc *locales.Localizer, path string) func(error) Reply {
	return func(err error) Reply {
		var pe *fs.PathError
		switch {
		case errors.Is(err, ErrChatGone):
			return TextReply(loc.T("export_not_member", nil))
		case errors.As(err, &pe):
			return TextReply(loc.T("export_not_written", map[string]any{"Path": path, "Reason": writeReason(loc, pe.Err)}))
		}
		for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(err) {
			err = u
		}
		return TextReply(loc.T("export_undelivered", map[string]any{"Reason": err.Error()}))
	}
}

// writeReasons name, in the catalogs, why the system refused to write a
// file, so that the reason reads in the chat's language; an error none of
// them matches is given as the system words it.
var writeReasons = []systemError{
	{fs.ErrNotExist, "export_reason_no_folder"},
	{fs.ErrPermission, "export_reason_permission"},
	{syscall.EISDIR, "export_reason_is_folder"},
	{syscall.ENOTDIR, "export_reason_no_folder"},
	{syscall.EROFS, "export_reason_read_only"},
	{syscall.ENOSPC, "export_reason_full"},
}

// writeReason is the reason a file could not be written, in the chat's
// language where the catalog has it.
func writeReason(loc *locales.Localizer, err error) string {
	return systemReason(loc, err, writeReasons)
}

// systemError is a system's error and the catalog key that words it.
type systemError struct {
	err error
	key string
}

// systemReason is the reason of a system's error in the chat's language,
// by the first of reasons it matches; the innermost error's own words
// when none does.
func systemReason(loc *locales.Localizer, err error, reasons []systemError) string {
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return loc.T(r.key, nil)
		}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// exportHeader names the export's columns. Its first four and the last
// (the destination country) are what an import reads back (see
// headerWords), so that an export imports as it was into another chat;
// the others describe the parcel's state.
var exportHeader = []string{"number", "carrier", "order", "label", "status", "substatus",
	"last_event_at", "last_event", "days_in_state", "guidance", "country"}

// export sends the chat's parcels as a CSV file (RFC 4180, UTF-8, a
// header row). Every cell that a spreadsheet would run as a formula is
// prefixed with an apostrophe, which the import removes again. On the
// console, PATH is where the file is written (a file in the current
// directory by default); elsewhere its base name names the file.
func (t *turn) export(args string) []Reply {
	subs, err := t.b.store.Subscriptions(t.ctx, t.chat.ID)
	if err != nil {
		return t.fail(err)
	}
	if len(subs) == 0 {
		return t.text("export_empty", nil)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	rows := [][]string{exportHeader}
	for _, tr := range subs {
		sh := tr.Shipment
		var lastAt, lastText string
		if n := len(sh.Events); n > 0 {
			e := sh.Events[n-1]
			lastAt, lastText = e.Time.UTC().Format(time.RFC3339), t.eventText(e)
		}
		var rules []string
		for _, a := range t.b.engine.Advise(tracking.NewShipment(sh, sh.Events), tr.Sub.Marketplace, t.readerRole(), t.now) {
			rules = append(rules, a.Rule)
		}
		days := max(int(t.now.Sub(sh.StatusChangedAt).Hours()/24), 0)
		rows = append(rows, []string{sh.Number, sh.Carrier, tr.Sub.OrderRef, tr.Sub.Label, string(sh.Status), string(sh.Substatus),
			lastAt, lastText, strconv.Itoa(days), strings.Join(rules, " "), sh.DestinationCountry})
	}
	for _, row := range rows {
		for i := range row {
			row[i] = guardCell(row[i])
		}
	}
	if err := w.WriteAll(rows); err != nil {
		return t.fail(err)
	}
	name := "trackbot-" + t.now.In(t.tz).Format("2006-01-02") + ".csv"
	if p := strings.TrimSpace(args); p != "" {
		if base := filepath.Base(p); base != "." && base != string(filepath.Separator) {
			name = base
		}
	}
	doc := &Document{Name: name, Type: "text/csv", Data: buf.Bytes()}
	data := map[string]any{"Count": len(subs), "Name": name}
	key := "export_sent"
	if t.msg.Chat.Platform == Console {
		p := strings.TrimSpace(args)
		if p == "" {
			p = name
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return t.fail(err)
		}
		doc.Path, data["Path"], key = abs, abs, "export_written"
	}
	doc.undelivered = undelivered(t.loc, doc.Path)
	r := TextReply(t.loc.N(key, len(subs), data))
	r.File = doc
	return []Reply{r}
}
