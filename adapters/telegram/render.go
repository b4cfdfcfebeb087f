package telegram

import (
	"html"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot"
)

// maxText is the longest message text Telegram accepts. It counts
// characters after entity parsing; the rendered HTML, measured in UTF-16
// units, is never shorter, so a part that fits here fits there.
const maxText = 4096

// maxCallbackData is the most callback_data may carry, in bytes.
const maxCallbackData = 64

// part is one message of a rendered reply.
type part struct {
	text     string
	keyboard *models.InlineKeyboardMarkup
}

// span is a run of plain text in one style: "" for none, or an HTML tag
// name ("b", "i").
type span struct {
	tag  string
	text string
}

// line is one line of a message. Every line is complete HTML on its own,
// so a message may be cut between any two lines.
type line []span

func (l line) html() string {
	var sb strings.Builder
	for _, s := range l {
		sb.WriteString(s.open())
		sb.WriteString(html.EscapeString(s.text))
		sb.WriteString(s.close())
	}
	return sb.String()
}

func (s span) open() string {
	if s.tag == "" {
		return ""
	}
	return "<" + s.tag + ">"
}

func (s span) close() string {
	if s.tag == "" {
		return ""
	}
	return "</" + s.tag + ">"
}

// size is a text's length in UTF-16 units, as Telegram counts.
func size(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// render turns a reply into Telegram messages: HTML with every string
// escaped, split on line boundaries into parts of at most maxText, the
// inline keyboard under the last part.
func render(r bot.Reply) []part {
	lines, rows := layout(r)
	texts := pack(lines, maxText)
	if len(texts) == 0 {
		if len(rows) == 0 {
			return nil
		}
		texts = []string{"⋯"} // Telegram sends no message without text
	}
	parts := make([]part, len(texts))
	for i, t := range texts {
		parts[i].text = t
	}
	if len(rows) > 0 {
		parts[len(parts)-1].keyboard = &models.InlineKeyboardMarkup{InlineKeyboard: rows}
	}
	return parts
}

// layout lays out a reply's blocks as lines (titles in bold, timelines a
// line per event, a blank line between blocks, none under a title) and
// its buttons as keyboard rows.
func layout(r bot.Reply) ([]line, [][]models.InlineKeyboardButton) {
	var lines []line
	var rows [][]models.InlineKeyboardButton
	afterTitle := false
	gap := func() {
		if len(lines) > 0 && !afterTitle {
			lines = append(lines, line{})
		}
		afterTitle = false
	}
	for _, b := range r.Blocks {
		switch {
		case b.Text != nil && strings.TrimSpace(b.Text.Body) != "":
			gap()
			tag := ""
			if b.Text.Title {
				tag = "b"
			}
			for _, l := range strings.Split(strings.TrimSpace(b.Text.Body), "\n") {
				lines = append(lines, line{{tag: tag, text: l}})
			}
			afterTitle = b.Text.Title
		case len(b.Timeline) > 0:
			gap()
			for _, e := range b.Timeline {
				lines = append(lines, timelineLine(e))
			}
		case len(b.Buttons) > 0:
			rows = append(rows, keyboard(b.Buttons)...)
		}
	}
	return lines, rows
}

// timelineLine is "<i>when</i> description — place · carrier".
func timelineLine(e bot.TimelineEntry) line {
	l := line{{tag: "i", text: e.When}}
	rest := " " + e.Description
	if e.Place != "" {
		rest += " — " + e.Place
	}
	if e.Carrier != "" {
		rest += " · " + e.Carrier
	}
	return append(l, span{text: rest})
}

// keyboard lays buttons out in rows of two or three, fewer when labels are
// long, evenly filled: five buttons make rows of 3 and 2, four of 2 and 2.
func keyboard(buttons []bot.Button) [][]models.InlineKeyboardButton {
	var keys []models.InlineKeyboardButton
	longest := 0
	for _, b := range buttons {
		data := b.Action + ":" + b.Payload
		if len(data) > maxCallbackData || b.Action == "" || strings.TrimSpace(b.Label) == "" {
			// Telegram would refuse the whole message for it.
			slog.Warn("telegram: button dropped: its callback data does not fit", "action", b.Action, "bytes", len(data))
			continue
		}
		keys = append(keys, models.InlineKeyboardButton{Text: b.Label, CallbackData: data})
		longest = max(longest, utf8.RuneCountInString(b.Label))
	}
	if len(keys) == 0 {
		return nil
	}
	perRow := 3
	switch {
	case longest > 28:
		perRow = 1
	case longest > 14:
		perRow = 2
	}
	total := len(keys)
	nrows := (total + perRow - 1) / perRow
	var rows [][]models.InlineKeyboardButton
	for i := range nrows {
		// Spread evenly: the first rows take the remainder.
		n := total / nrows
		if i < total%nrows {
			n++
		}
		rows = append(rows, keys[:n])
		keys = keys[n:]
	}
	return rows
}

// pack joins lines into texts of at most limit, cutting only between
// lines. A line longer than limit on its own is cut into pieces, each
// closing and reopening its tags.
func pack(lines []line, limit int) []string {
	var texts []string
	var cur []string
	n := 0
	flush := func() {
		for len(cur) > 0 && cur[len(cur)-1] == "" {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			texts = append(texts, strings.Join(cur, "\n"))
		}
		cur, n = nil, 0
	}
	for _, l := range lines {
		for _, piece := range cut(l, limit) {
			h := piece.html()
			s := size(h)
			if len(cur) > 0 && n+1+s > limit {
				flush()
			}
			if len(cur) == 0 && h == "" {
				continue // no message starts with a blank line
			}
			if len(cur) > 0 {
				n++
			}
			cur = append(cur, h)
			n += s
		}
	}
	flush()
	return texts
}

// cut splits a line whose HTML is longer than limit into lines that each
// fit, between characters, never inside an escape or a tag.
func cut(l line, limit int) []line {
	if size(l.html()) <= limit {
		return []line{l}
	}
	var out []line
	var cur line
	n := 0
	for _, s := range l {
		overhead := size(s.open() + s.close())
		var text strings.Builder
		for _, r := range s.text {
			w := size(html.EscapeString(string(r)))
			if n+overhead+w > limit && (text.Len() > 0 || len(cur) > 0) {
				if text.Len() > 0 {
					cur = append(cur, span{tag: s.tag, text: text.String()})
					text.Reset()
				}
				out = append(out, cur)
				cur, n = nil, 0
			}
			text.WriteRune(r)
			n += w
		}
		if text.Len() > 0 {
			cur = append(cur, span{tag: s.tag, text: text.String()})
			n += overhead
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
