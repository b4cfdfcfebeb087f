package bot

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/trackbot/trackbot/tracking"
)

// Bounds of an imported file (docs/architecture.md, Input bounds): a file
// larger or longer is refused whole, before anything is tracked.
const (
	maxImportBytes = 1 << 20
	maxImportLines = 5000
)

// ErrFileTooBig is what File.Read returns when the file holds more than
// the limit it was given.
var ErrFileTooBig = errors.New("bot: file too big")

// File is a document a person sent in a chat: a list of parcels to
// import. The adapter knows where the platform keeps it; the core decides
// whether and how much of it to read.
type File struct {
	// Name is the file's name as sent ("orders.csv").
	Name string
	// Type is its MIME type as the platform states it; "" when unknown.
	Type string
	// Size is its size in bytes as the platform states it; 0 when unknown.
	Size int64
	// Read fetches the file's content. It reads at most limit bytes and
	// returns an error wrapping ErrFileTooBig when there are more.
	Read func(ctx context.Context, limit int64) ([]byte, error)
}

// ReadAtMost reads r to its end, at most limit bytes: more is an error
// wrapping ErrFileTooBig. Adapters implement File.Read with it.
func ReadAtMost(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("bot: more than %d bytes: %w", limit, ErrFileTooBig)
	}
	return data, nil
}

// importable reports whether a file is a list trackbot reads: CSV or
// plain text, by its name or its type. Other files (photos, PDFs) shared
// in a channel are not for trackbot.
func importable(f File) bool {
	switch strings.ToLower(path.Ext(f.Name)) {
	case ".csv", ".txt", ".tsv":
		return true
	}
	mime, _, _ := strings.Cut(strings.ToLower(f.Type), ";")
	return strings.HasPrefix(mime, "text/")
}

// importFile tracks the parcels of a file sent in the chat: one parcel a
// line, number[,order[,label[,country]]], or columns named by a header
// row. What is wrong with the whole file (too big, not text, not CSV) is
// refused with a reason before anything is tracked; a wrong line is
// refused alone, and the summary names it with its line number.
func (t *turn) importFile(f File) []Reply {
	if !importable(f) {
		if t.msg.Chat.Kind == Group || t.msg.Chat.Kind == Channel {
			return nil // a photo or a PDF shared with the team
		}
		return t.text("import_not_list", map[string]any{"Name": clip(f.Name, 40)})
	}
	tooBig := t.text("import_too_big", map[string]any{"Max": maxImportLines})
	if f.Size > maxImportBytes {
		return tooBig
	}
	if f.Read == nil {
		return t.fail(errors.New("bot: an imported file without a way to read it"))
	}
	data, err := f.Read(t.ctx, maxImportBytes)
	if errors.Is(err, ErrFileTooBig) {
		return tooBig
	}
	if err != nil {
		return t.fail(fmt.Errorf("bot: reading an imported file: %w", err))
	}
	items, refused, total, problem := parseImport(data)
	if problem != nil {
		return t.text(problem.key, problem.data)
	}
	return t.bulkTrack(items, refused, total)
}

// pastedList reports whether a command's arguments are a list pasted
// under it, one parcel a line: two lines or more that are not empty.
func pastedList(args string) bool {
	lines := 0
	for line := range strings.Lines(args) {
		if strings.TrimSpace(line) != "" {
			lines++
		}
	}
	return lines >= 2
}

// importPasted tracks a list pasted under /track or /import, one parcel a
// line as in a file (number[,order[,label[,country]]], a header line
// allowed), with the same summary: the way a team pastes its orders in a
// group or channel, where text without a command is only offered buttons.
func (t *turn) importPasted(args string) []Reply {
	items, refused, total, problem := parseImport([]byte(args))
	if problem != nil {
		return t.text(problem.key, problem.data)
	}
	return t.bulkTrack(items, refused, total)
}

// importPath tracks the parcels of a file named by its path (/import
// PATH) on the console, which cannot receive a file: the file on this
// computer, read as a file sent in a chat is (importFile), as /export
// PATH writes one. Where people can send a file, /import asks for it. A
// list pasted under /import, on lines of its own, is tracked as a file's.
func (t *turn) importPath(args string) []Reply {
	if pastedList(args) {
		return t.importPasted(args)
	}
	if Platform(t.msg.Chat.Platform).ReceivesFiles() {
		return t.text("import_send_file", nil)
	}
	p := strings.TrimSpace(args)
	if p == "" {
		return t.text("import_usage", nil)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return t.fail(err)
	}
	f, err := os.Open(abs)
	var info fs.FileInfo
	if err == nil {
		defer f.Close()
		info, err = f.Stat()
	}
	if err == nil && info.IsDir() {
		err = syscall.EISDIR
	}
	if err != nil {
		return t.text("import_not_read", map[string]any{"Path": abs, "Reason": systemReason(t.loc, err, readReasons)})
	}
	return t.importFile(File{Name: filepath.Base(abs), Size: info.Size(),
		Read: func(_ context.Context, limit int64) ([]byte, error) { return ReadAtMost(f, limit) }})
}

// readReasons name, in the catalogs, why the system refused to read a
// file; an error none of them matches is given as the system words it.
var readReasons = []systemError{
	{fs.ErrNotExist, "import_reason_no_file"},
	{syscall.ENOTDIR, "import_reason_no_file"},
	{fs.ErrPermission, "export_reason_permission"},
	{syscall.EISDIR, "export_reason_is_folder"},
}

// importProblem is what makes a whole file unreadable: a catalog key and
// its data.
type importProblem struct {
	key  string
	data map[string]any
}

// The columns an import may have.
const (
	colNumber = iota
	colOrder
	colLabel
	colCountry
	colCarrier
)

// headerWords name the columns in a header row, in the catalogs'
// languages and as the export writes them, folded by headerWord.
var headerWords = func() map[string]int {
	out := map[string]int{}
	for col, words := range map[int][]string{
		colNumber: {"number", "trackingnumber", "tracking", "trackingno", "trackingcode", "trackingid", "nummer",
			"sendungsnummer", "trackingnummer", "número", "numero", "númerodeseguimiento", "numerodeseguimiento",
			"numéro", "numérodesuivi", "numerodesuivi", "номер", "трекномер", "трек", "单号", "运单号", "快递单号",
			"跟踪号", "追踪号", "物流单号"},
		colOrder: {"order", "orderref", "orderreference", "ordernumber", "orderno", "orderid", "bestellung",
			"bestellnummer", "pedido", "númerodepedido", "commande", "numérodecommande", "заказ", "номерзаказа",
			"订单", "订单号"},
		colLabel: {"label", "name", "note", "description", "bezeichnung", "etikett", "notiz", "etiqueta",
			"nombre", "étiquette", "libellé", "nom", "метка", "название", "标签", "名称", "备注"},
		colCountry: {"country", "destination", "destinationcountry", "land", "zielland", "país", "pais", "pays",
			"страна", "国家", "目的国"},
		colCarrier: {"carrier", "courier", "versender", "paketdienst", "transportista", "transporteur",
			"перевозчик", "承运商", "快递公司", "物流公司"},
	} {
		for _, w := range words {
			out[w] = col
		}
	}
	return out
}()

// headerWord folds a header cell for headerWords: lower case, without
// spaces, punctuation and the "#" of "order #".
func headerWord(cell string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, cell)
}

// formulaStart are the first characters that make a spreadsheet read a
// cell as a formula (OWASP, CSV injection).
const formulaStart = "=+-@\t\r"

// guardCell prefixes a cell that a spreadsheet would run as a formula
// with an apostrophe; unguardCell removes that prefix again, so that an
// export imports as it was.
func guardCell(s string) string {
	if s != "" && strings.ContainsRune(formulaStart, rune(s[0])) {
		return "'" + s
	}
	return s
}

func unguardCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune(formulaStart, rune(s[1])) {
		return s[1:]
	}
	return s
}

// parseImport reads an imported file into the items to track and the
// lines refused, with how many lines named a parcel in all; problem is
// set, and nothing else, when the file cannot be read as a whole.
func parseImport(data []byte) (items []bulkItem, refused []refusal, total int, problem *importProblem) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return nil, nil, 0, &importProblem{"import_not_text", nil}
	}
	if bytes.Count(bytes.TrimRight(data, "\r\n"), []byte("\n")) >= maxImportLines+1 {
		// One line more for a header row.
		return nil, nil, 0, &importProblem{"import_too_big", map[string]any{"Max": maxImportLines}}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = delimiter(data)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	cols := map[int]int{colNumber: 0, colOrder: 1, colLabel: 2, colCountry: 3}
	first := true
	seen := map[string]bool{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			return nil, nil, 0, &importProblem{"import_bad_csv", map[string]any{"Line": perr.StartLine}}
		}
		if err != nil {
			return nil, nil, 0, &importProblem{"import_not_text", nil}
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(unguardCell(strings.TrimSpace(rec[i])))
		}
		if blank(rec) {
			continue
		}
		if first {
			first = false
			if header, ok := headerColumns(rec); ok {
				if _, hasNumber := header[colNumber]; !hasNumber {
					return nil, nil, 0, &importProblem{"import_no_number_column", nil}
				}
				cols = header
				continue
			}
		}
		total++
		it, reason := importLine(rec, cols)
		it.line = line
		if reason == "" {
			if seen[it.number] {
				reason = "bulk_repeated"
			}
			seen[it.number] = true
		}
		if reason != "" {
			refused = append(refused, refusal{line: line, number: it.number, reason: reason})
			continue
		}
		items = append(items, it)
	}
	if total == 0 {
		return nil, nil, 0, &importProblem{"import_empty", nil}
	}
	return items, refused, total, nil
}

// blank reports a record without text in any cell.
func blank(rec []string) bool {
	for _, c := range rec {
		if c != "" {
			return false
		}
	}
	return true
}

// delimiter is the file's field separator: a tab or a semicolon (as
// spreadsheets write CSV where the comma is the decimal sign) when its
// first line has one and no comma, else the comma.
func delimiter(data []byte) rune {
	first, _, _ := bytes.Cut(bytes.TrimLeft(data, "\r\n"), []byte("\n"))
	switch {
	case bytes.IndexByte(first, ',') >= 0:
		return ','
	case bytes.IndexByte(first, '\t') >= 0:
		return '\t'
	case bytes.IndexByte(first, ';') >= 0:
		return ';'
	}
	return ','
}

// headerColumns reads a header row: the columns its words name. A row is
// a header when a cell names a column and none is a tracking number.
func headerColumns(rec []string) (map[int]int, bool) {
	cols := map[int]int{}
	for i, cell := range rec {
		if tracking.KnownNumber(cell) {
			return nil, false
		}
		if col, ok := headerWords[headerWord(cell)]; ok {
			if _, dup := cols[col]; !dup {
				cols[col] = i
			}
		}
	}
	return cols, len(cols) > 0
}

// importLine reads one line into an item, or the reason it is refused.
func importLine(rec []string, cols map[int]int) (bulkItem, string) {
	cell := func(col int) string {
		if i, ok := cols[col]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	raw := cell(colNumber)
	d := tracking.Detect(raw)
	it := bulkItem{number: d.Number, orderRef: cell(colOrder), label: cell(colLabel)}
	switch {
	case raw == "" || !tracking.ValidNumber(d.Number):
		it.number = clip(raw, 40)
		return it, "bulk_bad_number"
	case d.Mistyped:
		return it, "bulk_mistyped"
	case !tracking.StorableText(it.label) || !tracking.StorableText(it.orderRef):
		return it, "bulk_unstorable"
	case utf8.RuneCountInString(it.label) > maxLabel:
		return it, "bulk_label_too_long"
	case utf8.RuneCountInString(it.orderRef) > maxLabel:
		return it, "bulk_order_too_long"
	}
	if c := cell(colCarrier); c != "" {
		ids := tracking.FindCarriers(c)
		if len(ids) != 1 {
			return it, "bulk_bad_carrier"
		}
		it.carrier = ids[0]
	}
	if c := cell(colCountry); c != "" {
		region, err := language.ParseRegion(c)
		if err != nil || len(c) != 2 || !region.IsCountry() {
			return it, "bulk_bad_country"
		}
		it.country = region.String()
	}
	return it, ""
}
