//go:build reliability

package reliability

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
)

// binary is the trackbot built once for every test of the package.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "trackbot-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "trackbot")
	build := exec.Command("go", "build", "-o", binary, "github.com/trackbot/trackbot/cmd/trackbot")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building trackbot:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is one running trackbot serve.
type proc struct {
	name string
	cmd  *exec.Cmd
	addr string
	log  string // the file its output goes to
	done chan struct{}
}

// server starts trackbot serve processes with one configuration.
type server struct {
	t   *testing.T
	env []string
	dir string
	n   int
}

func newServer(t *testing.T, databaseURL, telegramURL string, step time.Duration) *server {
	return &server{t: t, dir: t.TempDir(), env: []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"DATABASE_URL=" + databaseURL,
		"TELEGRAM_TOKEN=" + botToken, "TELEGRAM_API_URL=" + telegramURL,
		"DEMO_STEP=" + step.String(), "LOG_LEVEL=info",
	}}
}

// start runs one more process; its log goes to a file named after it.
func (s *server) start(name string) *proc {
	s.t.Helper()
	s.n++
	addr := freeAddr(s.t)
	logPath := filepath.Join(s.dir, fmt.Sprintf("%s-%02d.log", name, s.n))
	logf, err := os.Create(logPath)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(append([]string(nil), s.env...), "HTTP_ADDR="+addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	p := &proc{name: name, cmd: cmd, addr: addr, log: logPath, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	s.t.Cleanup(func() { p.kill() })
	return p
}

// kill ends the process with SIGKILL: no deferred function, no lease
// given back, no transaction finished.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop asks the process to stop, as a service manager does.
func (p *proc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.kill()
	}
}

// logged reports whether the process's log has a line containing text.
func (p *proc) logged(text string) bool {
	b, _ := os.ReadFile(p.log)
	return strings.Contains(string(b), text)
}

// ready waits until the process answers /readyz.
func (p *proc) ready(t *testing.T, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		select {
		case <-p.done:
			t.Fatalf("%s exited before it was ready", p.name)
		default:
		}
		resp, err := http.Get("http://" + p.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s not ready within %s", p.name, within)
	return 0
}

// dumpLogs logs the last lines of every process's log, for a failure.
func (s *server) dumpLogs(t *testing.T) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(s.dir, "*.log"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		t.Logf("%s (last lines):\n%s", filepath.Base(f), strings.Join(lines[max(len(lines)-15, 0):], "\n"))
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// journey is what a chat tracking a DEMO-LIVE number must hear, in order:
// the English text of each event of the demo journey (tracking/providers/
// demo), the first of which the /track reply already shows.
type journey struct {
	events []string
	status string         // the start of every status push
	more   *regexp.Regexp // "(and N more updates)": events a push counts without naming
	// passed finds "Before that: A, B", the statuses a push folds in, one
	// an event of the journey, listed with separator.
	passed    *regexp.Regexp
	separator string
}

func newJourney(t *testing.T, number string, step time.Duration) journey {
	t.Helper()
	cat, err := locales.Load("en")
	if err != nil {
		t.Fatal(err)
	}
	loc := cat.Localizer("en")
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := tracking.NewFakeClock(start.Add(100 * step))
	p := demo.New(step, clock)
	var j journey
	for _, n := range []string{number, demo.LocalNumber(number, "US")} {
		res, err := p.Lookup(context.Background(), tracking.Query{Number: n, TrackedSince: start})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range res.Events {
			kind, newNumber, ok := tracking.DemoEventKind(e.Description)
			if !ok {
				t.Fatalf("%s: %q is not a demo event", n, e.Description)
			}
			j.events = append(j.events, loc.T("demo_event_"+kind, map[string]any{"NewNumber": newNumber}))
		}
	}
	if len(j.events) != 7 {
		t.Fatalf("a LIVE journey has %d events, want 7: %q", len(j.events), j.events)
	}
	j.status, _, _ = strings.Cut(loc.T("push_status", map[string]any{"Status": "\x00"}), "\x00")
	// The words before the count, the same for one and for many.
	more, _, _ := strings.Cut(loc.N("push_more_events", 7, nil), "7")
	j.more = regexp.MustCompile(regexp.QuoteMeta(more) + `(\d+)`)
	before, after, _ := strings.Cut(loc.T("push_passed", map[string]any{"Statuses": "\x00"}), "\x00")
	j.passed = regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(before) + `(.*)` + regexp.QuoteMeta(after) + `$`)
	j.separator = loc.T("push_passed_separator", nil)
	return j
}

// tally is what the chats heard, against what they had to hear.
type tally struct {
	Chats      int
	Answered   int      // chats whose /track reply showed the journey's first event
	Expected   int      // journey events after the first, owed to the chats by push
	Pushes     int      // status pushes delivered
	Heard      int      // expected events named or counted by a push
	Duplicates int      // pushes naming an event a message named before
	OutOfOrder int      // pushes naming an event older than one named before
	Lost       int      // expected events no push named or counted
	Unfinished int      // chats that never heard the journey's last event
	Untracked  int      // chats that heard nothing: their /track was lost
	Unknown    []string // status pushes that name no event of the journey
}

// count reads what chat heard. The reply to /track shows the events known
// then (the journey's first), and each later event must reach the chat by
// push: a push names its newest event and the statuses before it that it
// brings too ("Before that: customs, arrived"; "and 2 more updates" when
// it cannot name them). An event is heard when a message
// names it or a push counts it; a push of an event a message named before
// is a duplicate.
func (j journey) count(msgs []sent, t *tally) (detail string) {
	t.Chats++
	if len(msgs) == 0 {
		// Its /track was lost: nothing is owed to a chat that is not
		// tracking.
		t.Untracked++
		return "nothing"
	}
	t.Expected += len(j.events) - 1
	heard := make([]bool, len(j.events))
	named := make([]bool, len(j.events))
	last := -1
	var seq []string
	for _, m := range msgs {
		text := html.UnescapeString(m.Text)
		if !strings.Contains(text, j.status) {
			// The reply to /track, with the timeline known then, or advice.
			var shown []string
			for i, e := range j.events {
				if strings.Contains(text, e) {
					named[i], heard[i] = true, true
					last = max(last, i)
					shown = append(shown, strconv.Itoa(i))
				}
			}
			if named[0] && len(seq) == 0 {
				t.Answered++
			}
			seq = append(seq, "other("+strings.Join(shown, " ")+")")
			continue
		}
		t.Pushes++
		k := -1
		for i, e := range j.events {
			if strings.Contains(text, e) {
				k = i
			}
		}
		if k < 0 {
			t.Unknown = append(t.Unknown, text)
			seq = append(seq, "?")
			continue
		}
		seq = append(seq, strconv.Itoa(k))
		if named[k] {
			t.Duplicates++
		}
		if k < last {
			t.OutOfOrder++
		}
		last = max(last, k)
		named[k] = true
		n := 1
		if sm := j.more.FindStringSubmatch(text); sm != nil {
			extra, _ := strconv.Atoi(sm[1])
			n += extra
		} else if sm := j.passed.FindStringSubmatch(text); sm != nil {
			n += len(strings.Split(sm[1], j.separator))
		}
		for i := max(k-n+1, 0); i <= k; i++ {
			heard[i] = true
		}
	}
	for _, h := range heard[1:] {
		if h {
			t.Heard++
		} else {
			t.Lost++
		}
	}
	if !named[len(j.events)-1] {
		t.Unfinished++
	}
	return strings.Join(seq, ",")
}

// done reports whether chat heard the journey's last event.
func (j journey) done(msgs []sent) bool {
	last := j.events[len(j.events)-1]
	for _, m := range msgs {
		if strings.Contains(html.UnescapeString(m.Text), last) {
			return true
		}
	}
	return false
}

// figures logs the tally as name: value lines.
func (t tally) figures(tb testing.TB, extra ...any) {
	tb.Helper()
	lines := []string{
		fmt.Sprintf("chats: %d", t.Chats),
		fmt.Sprintf("/track replies showing the first event: %d", t.Answered),
		fmt.Sprintf("expected pushed events: %d", t.Expected),
		fmt.Sprintf("pushes delivered: %d", t.Pushes),
		fmt.Sprintf("events heard: %d", t.Heard),
		fmt.Sprintf("duplicates: %d", t.Duplicates),
		fmt.Sprintf("out of order: %d", t.OutOfOrder),
		fmt.Sprintf("lost: %d", t.Lost),
		fmt.Sprintf("unfinished journeys: %d", t.Unfinished),
		fmt.Sprintf("untracked chats: %d", t.Untracked),
		fmt.Sprintf("unknown pushes: %d", len(t.Unknown)),
	}
	for i := 0; i+1 < len(extra); i += 2 {
		lines = append(lines, fmt.Sprintf("%v: %v", extra[i], extra[i+1]))
	}
	lines = append(lines, fmt.Sprintf("machine: %s/%s, %d CPUs", runtime.GOOS, runtime.GOARCH, runtime.NumCPU()))
	tb.Log("figures:\n" + strings.Join(lines, "\n"))
}

// waitJourneys waits until every chat heard its journey's last event, or
// within passes.
func waitJourneys(f *fakeTelegram, chats []int64, j journey, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		all := true
		for _, c := range chats {
			if !j.done(f.messages(c)) {
				all = false
				break
			}
		}
		if all {
			return true
		}
		time.Sleep(200 * time.Millisecond)
	}
	return false
}

// waitAnswered waits until every chat got at least one message.
func waitAnswered(f *fakeTelegram, chats []int64, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		all := true
		for _, c := range chats {
			if len(f.messages(c)) == 0 {
				all = false
				break
			}
		}
		if all {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}
