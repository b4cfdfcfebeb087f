package bot

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/trackbot/trackbot/tracking"
)

// Input bounds (docs/architecture.md, Input bounds).
const (
	maxMessage = 4096
	maxLabel   = 64
	// DefaultParcelLimit is how many parcels a chat may follow when
	// Config.ParcelLimit does not say.
	DefaultParcelLimit = 200
)

// parseCommand splits "/track@trackbot X y" into "track" and "X y". Text
// without a leading slash has no command.
func parseCommand(text string) (cmd, args string) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "/") {
		return "", text
	}
	// The command ends at the first white space of any kind: a space, a
	// line break, a tab, a form feed or a no-break space typed on a phone.
	head, rest := text[1:], ""
	if i := strings.IndexFunc(head, unicode.IsSpace); i >= 0 {
		_, size := utf8.DecodeRuneInString(head[i:])
		head, rest = head[:i], head[i+size:]
	}
	head, _, _ = strings.Cut(head, "@")
	return strings.ToLower(head), strings.TrimSpace(rest)
}

// closingQuote pairs each opening quotation mark with its closing one:
// straight double quotes, English “…”, German „…“ and »…«, French «…»,
// Chinese 「…」 and single ‘…’. The apostrophe is not among them: it
// stands inside words ("Mom's", "l'anniversaire", "don't"), and a label
// with one must stay whole.
var closingQuote = map[rune]rune{'"': '"', '“': '”', '„': '“', '«': '»', '»': '«', '「': '」', '‘': '’'}

// fields splits arguments on white space, keeping "quoted phrases" and
// «guillemets» together. A quotation mark opens a phrase only at the start
// of a word; ‘ also needs a ’ that ends a word further on, since ’ is the
// typographic apostrophe too ("Mom’s").
func fields(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	runes := []rune(s)
	for i, r := range runes {
		switch {
		case quote != 0 && r == quote && (quote != '’' || endsWord(runes, i+1)):
			quote = 0
			flush()
		case quote == 0 && cur.Len() == 0 && closingQuote[r] != 0 && (r != '‘' || closesLater(runes, i+1)):
			quote = closingQuote[r]
		case quote == 0 && unicode.IsSpace(r):
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}

// endsWord reports whether position i of runes is the end of the text or
// white space.
func endsWord(runes []rune, i int) bool {
	return i >= len(runes) || unicode.IsSpace(runes[i])
}

// closesLater reports whether a ’ that ends a word follows position i.
func closesLater(runes []rune, i int) bool {
	for ; i < len(runes); i++ {
		if runes[i] == '’' && endsWord(runes, i+1) {
			return true
		}
	}
	return false
}

// trackArgs is what "/track" was given: the number wherever it stands in
// the line, an optional "order REF", and the rest as the label.
type trackArgs struct {
	number   string
	label    string
	orderRef string
}

// orderWords introduce an order reference in "/track", in the catalogs'
// languages: "order #42", "commande #42".
var orderWords = []string{"order", "bestellung", "pedido", "commande", "заказ", "订单"}

// parseTrack finds the tracking number among the words: the first that
// fits a known format, else the first that could be a number at all.
func parseTrack(args string) (trackArgs, bool) {
	words := fields(args)
	var out trackArgs
	numberAt := -1
	for pass := 0; pass < 2 && numberAt < 0; pass++ {
		for i, w := range words {
			if pass == 0 && !tracking.KnownNumber(w) || pass == 1 && !tracking.LooksLikeNumber(w) {
				continue
			}
			out.number, numberAt = tracking.NormalizeNumber(w), i
			break
		}
	}
	if numberAt < 0 {
		return out, false
	}
	var rest []string
	for i := 0; i < len(words); i++ {
		if i == numberAt {
			continue
		}
		if slices.Contains(orderWords, strings.ToLower(words[i])) && i+1 < len(words) && i+1 != numberAt {
			out.orderRef = words[i+1]
			i++
			continue
		}
		rest = append(rest, words[i])
	}
	// A quoted phrase keeps its inner spaces, but not at the ends of the
	// label: "/track X «Gift »" is labelled "Gift".
	out.label = strings.TrimSpace(strings.Join(rest, " "))
	return out, true
}

// splitRef splits "REF rest…" where REF is a number or label: a known
// reference may contain spaces when quoted.
func splitRef(args string) (ref, rest string) {
	words := fields(args)
	if len(words) == 0 {
		return "", ""
	}
	return words[0], strings.Join(words[1:], " ")
}

// parseQuiet reads "22-07", "22:00-07:00" or "off".
func parseQuiet(s string) (start, end int, off, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "off" || s == "0" || s == "none" {
		return 0, 0, true, true
	}
	a, b, found := strings.Cut(s, "-")
	if !found {
		return 0, 0, false, false
	}
	hour := func(x string) (int, bool) {
		x = strings.TrimSpace(x)
		x, m, hasMinutes := strings.Cut(x, ":")
		if hasMinutes && strings.Trim(m, "0") != "" {
			return 0, false // whole hours only: see quietMinutes
		}
		h, err := strconv.Atoi(x)
		return h, err == nil && h >= 0 && h <= 24
	}
	start, ok1 := hour(a)
	end, ok2 := hour(b)
	if !ok1 || !ok2 || start%24 == end%24 {
		return 0, 0, false, false
	}
	return start % 24, end % 24, false, true
}

// clip shortens s to n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// quietMinutes reports quiet hours typed with minutes other than ":00"
// ("22:30-07"): quiet hours are kept in whole hours, and rounding would
// silently keep a different half hour than the one asked for.
func quietMinutes(s string) bool {
	a, b, found := strings.Cut(strings.TrimSpace(s), "-")
	if !found {
		return false
	}
	for _, x := range []string{a, b} {
		h, m, hasMinutes := strings.Cut(strings.TrimSpace(x), ":")
		if _, err := strconv.Atoi(h); err != nil {
			return false
		}
		if hasMinutes {
			if n, err := strconv.Atoi(m); err == nil && n > 0 && n < 60 {
				return true
			}
		}
	}
	return false
}

// loadZone loads an IANA time zone by its name in any case:
// "europe/berlin" is Europe/Berlin. The zone names' own case is tried
// first, then each part capitalized as the tz database writes it
// ("america/port-au-prince", "etc/gmt+1"), since zone files are looked up
// case-sensitively.
func loadZone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err == nil || name == "" {
		return loc, err
	}
	for _, small := range []bool{false, true} {
		parts := strings.Split(strings.ToLower(name), "/")
		for i, p := range parts {
			parts[i] = zoneCase(p, small)
		}
		if l, err2 := time.LoadLocation(strings.Join(parts, "/")); err2 == nil {
			return l, nil
		}
	}
	if l, err2 := time.LoadLocation(strings.ToUpper(name)); err2 == nil {
		return l, nil
	}
	return nil, err
}

// zoneCase capitalizes one part of a zone name: each word of it between
// "_" and "-", with small words ("es", "au", "of") left lower case when
// small is set ("Dar_es_Salaam", "Port-au-Prince", "Isle_of_Man"), and
// short all-letter parts such as "utc" or "gmt+1" upper case.
func zoneCase(p string, small bool) string {
	if len(p) <= 3 || strings.HasPrefix(p, "gmt") {
		if up := strings.ToUpper(p); up == "UTC" || up == "GMT" || up == "UCT" || strings.HasPrefix(up, "GMT") {
			return up
		}
	}
	var sb strings.Builder
	upper := true
	word := 0
	for i, r := range p {
		if r == '_' || r == '-' {
			sb.WriteRune(r)
			upper, word = true, i+1
			continue
		}
		if upper {
			upper = false
			end := strings.IndexAny(p[word:], "_-")
			w := p[word:]
			if end >= 0 {
				w = p[word : word+end]
			}
			if small && word > 0 && slices.Contains([]string{"es", "au", "of", "de", "la", "du"}, w) {
				sb.WriteRune(r)
				continue
			}
			sb.WriteRune(unicode.ToUpper(r))
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}
