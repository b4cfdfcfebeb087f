// Package console is the chat adapter for a terminal: each line typed is a
// message, replies and pushes are printed, and buttons are numbered so that
// typing a number presses one.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/trackbot/trackbot/bot"
)

// Chat is the console's one chat.
var Chat = bot.ChatRef{Platform: bot.Console, ID: "console", Kind: bot.Private}

// Adapter runs a console chat over a reader and a writer.
type Adapter struct {
	in          io.Reader
	out         io.Writer
	language    string
	interactive bool

	mu      sync.Mutex // guards out and buttons
	buttons []bot.Button
}

var _ bot.Adapter = (*Adapter)(nil)

// New returns an adapter reading lines from in and writing to out.
// language is the person's language hint (from the terminal's locale).
// An interactive adapter shows a prompt; a piped one does not.
func New(in io.Reader, out io.Writer, language string, interactive bool) *Adapter {
	return &Adapter{in: in, out: out, language: language, interactive: interactive}
}

// Platform is bot.Console.
func (a *Adapter) Platform() bot.Platform { return bot.Console }

// Run handles every line until the input ends or ctx is done. Each line's
// replies are printed before the next line is read, so piped input gets
// its answers in order.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		r := bufio.NewReaderSize(a.in, 64*1024)
		for {
			line, err := readLine(r, maxLine)
			if line != "" || err == nil {
				select {
				case lines <- line:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				readErr <- err
				close(lines)
				return
			}
		}
	}()
	a.prompt()
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				return <-readErr
			}
			line = strings.TrimSpace(line)
			if line == "" {
				a.prompt()
				continue
			}
			msg := bot.Message{Chat: Chat, User: "console", Text: line, Language: a.language}
			if b, ok := a.pressed(line); ok {
				msg.Text = ""
				msg.Action = &bot.Action{Name: b.Action, Payload: b.Payload}
			}
			for _, r := range h.Handle(ctx, msg) {
				a.print(r)
			}
			a.prompt()
		}
	}
}

// maxLine is the most of a line the console keeps. A longer line is cut
// there and its rest skipped: what is kept is still over the bot's
// message limit, so the bot answers it with its localized "too long"
// reply, and the console goes on with the next line.
const maxLine = 1 << 20

// readLine reads one line from r without its line ending, keeping at most
// max bytes of it and skipping the rest. The error is io.EOF after the
// last line.
func readLine(r *bufio.Reader, max int) (string, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if room := max - len(buf); room > 0 {
			buf = append(buf, chunk[:min(len(chunk), room)]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line := strings.TrimRight(string(buf), "\r\n")
		return line, err
	}
}

// Send prints a push as it arrives, then the prompt again.
func (a *Adapter) Send(ctx context.Context, chat bot.ChatRef, r bot.Reply) error {
	a.print(r)
	a.prompt()
	return nil
}

// pressed reports the button a typed number stands for.
func (a *Adapter) pressed(line string) (bot.Button, bool) {
	n, err := strconv.Atoi(line)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil || n < 1 || n > len(a.buttons) {
		return bot.Button{}, false
	}
	return a.buttons[n-1], true
}

func (a *Adapter) prompt() {
	if !a.interactive {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	fmt.Fprint(a.out, "> ")
}

func (a *Adapter) print(r bot.Reply) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fmt.Fprint(a.out, Render(r))
	var buttons []bot.Button
	for _, b := range r.Blocks {
		buttons = append(buttons, b.Buttons...)
	}
	if len(buttons) > 0 {
		a.buttons = buttons
	}
}

// Render formats a reply as terminal text. Buttons are numbered from 1 in
// the order they appear.
func Render(r bot.Reply) string {
	var sb strings.Builder
	n := 0
	for _, b := range r.Blocks {
		switch {
		case b.Text != nil:
			if b.Text.Title {
				sb.WriteString("== " + b.Text.Body + " ==\n")
			} else {
				sb.WriteString(b.Text.Body + "\n")
			}
		case len(b.Timeline) > 0:
			for _, e := range b.Timeline {
				line := "  " + e.When + "  " + e.Description
				if e.Place != "" {
					line += " — " + e.Place
				}
				if e.Carrier != "" {
					line += " (" + e.Carrier + ")"
				}
				sb.WriteString(line + "\n")
			}
		case len(b.Buttons) > 0:
			parts := make([]string, len(b.Buttons))
			for i, btn := range b.Buttons {
				n++
				parts[i] = fmt.Sprintf("[%d] %s", n, btn.Label)
			}
			sb.WriteString(strings.Join(parts, "  ") + "\n")
		}
	}
	sb.WriteString("\n")
	return sb.String()
}
