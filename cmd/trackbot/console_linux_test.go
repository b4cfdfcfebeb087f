package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/trackbot/trackbot/internal/expect"
)

// TestConsoleServesHTTPOnLoopbackOnly: the bare command in a terminal,
// with no chat platform and HTTP_ADDR unset, opens the console chat and
// listens on 127.0.0.1:8080 only, as the kernel's socket table shows.
func TestConsoleServesHTTPOnLoopbackOnly(t *testing.T) {
	ln, err := net.Listen("tcp", ":8080")
	if err != nil {
		t.Skipf("port 8080 is taken on this machine (%v); TestConsoleGoesOnWhenThePortIsBusy covers that case", err)
	}
	ln.Close()
	c := startConsole(t)
	if !expect.Eventually(30*time.Second, func() bool { return strings.Contains(c.stdout(), "HTTP server on http://127.0.0.1:8080") }) {
		t.Fatalf("no HTTP server line; stdout %q, stderr %q", c.stdout(), c.stderr.String())
	}
	resp, err := http.Get("http://127.0.0.1:8080/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	listening := listeningAddrs(t, c.cmd.Process.Pid)
	if len(listening) == 0 {
		t.Fatal("the process has no listening socket")
	}
	for _, a := range listening {
		if a != "0100007F:1F90" {
			t.Errorf("listens on %s (hex, as in /proc/net/tcp), want 127.0.0.1:8080 only", a)
		}
	}
	c.say("/help\n")
	c.end(t)
	if c.stderr.Len() != 0 {
		t.Errorf("stderr %q", c.stderr.String())
	}
}

// TestConsoleGoesOnWhenThePortIsBusy: with port 8080 taken, the console
// chat warns once, naming HTTP_ADDR, and answers as usual.
func TestConsoleGoesOnWhenThePortIsBusy(t *testing.T) {
	if ln, err := net.Listen("tcp", "127.0.0.1:8080"); err == nil {
		defer ln.Close()
	} // else someone else holds it: busy all the same
	c := startConsole(t)
	c.say("/help\n")
	if !expect.Eventually(30*time.Second, func() bool { return strings.Contains(c.stdout(), "/track") }) {
		t.Fatalf("the chat did not answer /help; stdout %q, stderr %q", c.stdout(), c.stderr.String())
	}
	c.end(t)
	lines := strings.Split(strings.TrimSpace(c.stderr.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "HTTP_ADDR=127.0.0.1:8080") || !strings.Contains(lines[0], "address already in use") {
		t.Errorf("stderr %q, want one warning naming HTTP_ADDR", c.stderr.String())
	}
}

// consoleProcess is trackbot run with a terminal as its standard input.
type consoleProcess struct {
	cmd    *exec.Cmd
	tty    *os.File // the terminal's controlling side
	mu     sync.Mutex
	out    bytes.Buffer
	stderr bytes.Buffer
	done   chan error
}

func startConsole(t *testing.T) *consoleProcess {
	t.Helper()
	master, slave := openPTY(t)
	c := &consoleProcess{tty: master, done: make(chan error, 1)}
	c.cmd = exec.Command(os.Args[0])
	c.cmd.Dir = t.TempDir()
	c.cmd.Env = childEnv(t, c.cmd.Dir)
	c.cmd.Stdin = slave
	c.cmd.Stdout = writerFunc(func(p []byte) (int, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.out.Write(p)
	})
	c.cmd.Stderr = &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	go func() { c.done <- c.cmd.Wait() }()
	// The terminal echoes what is typed; drain it so it never blocks.
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := master.Read(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		master.Close()
	})
	return c
}

func (c *consoleProcess) stdout() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

func (c *consoleProcess) say(s string) { c.tty.WriteString(s) }

// end types Ctrl-D and waits for the chat to end with exit 0.
func (c *consoleProcess) end(t *testing.T) {
	t.Helper()
	c.say("\x04")
	select {
	case err := <-c.done:
		if err != nil {
			t.Errorf("exit: %v; stderr %q", err, c.stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Errorf("still running 15 s after Ctrl-D; stderr %q", c.stderr.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// openPTY opens a new pseudo-terminal (see pty(7)): master is the side a
// terminal emulator holds, slave the one a program reads as its terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatal(e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatal(e)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return master, slave
}

// listeningAddrs returns the local addresses, as /proc/net/tcp and tcp6
// write them, of the process's listening TCP sockets.
func listeningAddrs(t *testing.T, pid int) []string {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err == nil && strings.HasPrefix(link, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	var addrs []string
	for _, table := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, table))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) > 9 && f[3] == "0A" && inodes[f[9]] { // 0A: TCP_LISTEN
				addrs = append(addrs, f[1])
			}
		}
	}
	return addrs
}
