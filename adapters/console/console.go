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
	"time"

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

	// slowAfter is how long an answer may take before the console says
	// it is being looked up (see Working).
	slowAfter time.Duration

	mu sync.Mutex // guards out, buttons and prompted
	// buttons maps the numbers shown to the buttons they press. A reply
	// to what was typed numbers its buttons from 1 and replaces them all;
	// a push numbers its own after the highest shown, so that the card
	// being read keeps its numbers while an alert comes in.
	buttons map[int]bot.Button
	// prompted says the prompt is the last thing printed, waiting for a
	// line: a push then starts on a line of its own.
	prompted bool
}

var (
	_ bot.Adapter   = (*Adapter)(nil)
	_ bot.Indicator = (*Adapter)(nil)
)

// New returns an adapter reading lines from in and writing to out.
// language is the person's language hint (from the terminal's locale).
// An interactive adapter shows a prompt; a piped one does not.
func New(in io.Reader, out io.Writer, language string, interactive bool) *Adapter {
	return &Adapter{in: in, out: out, language: language, interactive: interactive, slowAfter: time.Second}
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
			a.mu.Lock()
			a.prompted = false // the person pressed Enter
			a.mu.Unlock()
			line = strings.TrimSpace(line)
			if line == "" {
				a.prompt()
				continue
			}
			msg := bot.Message{Chat: Chat, User: "console", Text: line, Language: a.language, Via: a}
			if b, ok := a.pressed(line); ok {
				msg.Text = ""
				msg.Action = &bot.Action{Name: b.Action, Payload: b.Payload}
			}
			fresh := true
			for _, r := range h.Handle(ctx, msg) {
				if a.print(r, fresh) {
					fresh = false
				}
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

// Send prints a push as it arrives, on lines of its own, then the prompt
// again. Its buttons are numbered after those already shown.
func (a *Adapter) Send(ctx context.Context, chat bot.ChatRef, r bot.Reply) error {
	a.mu.Lock()
	if a.prompted {
		fmt.Fprintln(a.out)
		a.prompted = false
	}
	a.mu.Unlock()
	a.print(r, false)
	a.prompt()
	return nil
}

// Working prints note ("Looking it up…") when the answer has not come
// within slowAfter: a quick answer needs no notice, and a slow one should
// not look like a hung terminal.
func (a *Adapter) Working(ctx context.Context, _ bot.ChatRef, note string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTimer(a.slowAfter)
		defer t.Stop()
		select {
		case <-t.C:
			a.mu.Lock()
			fmt.Fprintln(a.out, note)
			a.mu.Unlock()
		case <-done:
		case <-ctx.Done():
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(done) })
		<-finished
	}
}

// pressed reports the button a typed number stands for.
func (a *Adapter) pressed(line string) (bot.Button, bool) {
	n, err := strconv.Atoi(line)
	a.mu.Lock()
	defer a.mu.Unlock()
	b, ok := a.buttons[n]
	return b, ok && err == nil
}

func (a *Adapter) prompt() {
	if !a.interactive {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	fmt.Fprint(a.out, "> ")
	a.prompted = true
}

// print shows a reply and reports whether it had buttons. When fresh, its
// buttons replace those shown and are numbered from 1 (the first reply
// with buttons to a typed line); otherwise they continue after the
// highest number shown (the answer's further replies, and pushes).
func (a *Adapter) print(r bot.Reply, fresh bool) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r.File != nil && !a.writeFile(r.File) {
		return false
	}
	var buttons []bot.Button
	for _, b := range r.Blocks {
		buttons = append(buttons, b.Buttons...)
	}
	if fresh && len(buttons) > 0 || a.buttons == nil {
		a.buttons = map[int]bot.Button{}
	}
	first := 1
	for n := range a.buttons {
		first = max(first, n+1)
	}
	fmt.Fprint(a.out, render(r, first))
	for i, b := range buttons {
		a.buttons[first+i] = b
	}
	return len(buttons) > 0
}

// Render formats a reply as terminal text. Buttons are numbered from 1 in
// the order they appear.
func Render(r bot.Reply) string { return render(r, 1) }

// render is Render with the buttons numbered from first.
func render(r bot.Reply, first int) string {
	var sb strings.Builder
	n := first - 1
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
