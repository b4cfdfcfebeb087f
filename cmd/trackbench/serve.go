package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// serveWork is how long the serve process works before its memory is
// read.
const serveWork = 20 * time.Second

// measureServe builds trackbot, starts "trackbot serve" on the seeded
// database with Telegram pointed at a fake Bot API and AfterShip's
// webhook secret set, makes 20,000 shipments due and posts signed pushes
// to it while it works, and reads its peak and current resident memory
// (VmHWM, VmRSS in /proc/PID/status) after serveWork.
func measureServe(ctx context.Context, b *benchDB, r *report) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "trackbench-serve")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "trackbot")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/trackbot")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	// Work for the scheduler: due shipments, which AfterShip (a fake that
	// answers 404) is asked about within its budget.
	db := b.store.DB()
	due := min(20000, b.size)
	if _, err := db.ExecContext(ctx, `UPDATE shipments SET next_check_at = $1 WHERE id >= $2 AND id < $3`,
		time.Now().UTC().Add(-time.Minute), b.firstShip+int64(b.size-due), b.firstShip+int64(b.size)); err != nil {
		return err
	}
	tg := newFakeBotAPI()
	defer tg.Close()
	carrier := http.Server{Handler: http.NotFoundHandler()}
	cl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go carrier.Serve(cl)
	defer carrier.Close()

	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+b.url,
		"HTTP_ADDR="+addr,
		"LOG_LEVEL=error",
		"TELEGRAM_TOKEN="+botToken,
		"TELEGRAM_API_URL="+tg.URL,
		"AFTERSHIP_API_KEY=trackbench",
		"AFTERSHIP_API_URL=http://"+cl.Addr().String()+"/tracking/2026-07",
		"AFTERSHIP_WEBHOOK_SECRET="+webhookSecret,
	)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}()
	started := time.Now()
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(started) > time.Minute {
			return fmt.Errorf("trackbot serve not ready after a minute")
		}
		select {
		case <-exited:
			return fmt.Errorf("trackbot serve stopped: %v", cmd.ProcessState)
		case <-time.After(100 * time.Millisecond):
		}
	}
	// Pushes for shipments beyond those of the other measurements.
	pushes := min(2000, b.size)
	bodies := make([][]byte, pushes)
	for i := range bodies {
		bodies[i] = pushBody(shipmentNumber((b.size/2+i)%b.size), time.Now().Add(-time.Hour+time.Duration(i)*time.Millisecond))
	}
	if _, err := send(ctx, "http://"+addr+"/webhooks/aftership", bodies); err != nil {
		return fmt.Errorf("pushes to trackbot serve: %w", err)
	}
	if rest := serveWork - time.Since(started); rest > 0 {
		time.Sleep(rest)
	}
	hwm, rss, err := memory(cmd.Process.Pid)
	if err != nil {
		return err
	}
	sent, _ := tg.stats()
	r.line(label("serve work"), fmt.Sprintf("%s on %s: %d due shipments, %d signed pushes, %d Telegram messages sent",
		time.Since(started).Round(time.Second), b.name, due, pushes, len(sent)))
	r.figure("serve rss mb", float64(hwm)/1024, "MB (VmHWM, peak)")
	r.figure("serve rss now mb", float64(rss)/1024, "MB (VmRSS)")
	return nil
}

// memory reads VmHWM and VmRSS, in kB, of a process.
func memory(pid int) (hwm, rss int, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.Atoi(fields[0])
		switch k {
		case "VmHWM":
			hwm = n
		case "VmRSS":
			rss = n
		}
	}
	if hwm == 0 {
		return 0, 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
	}
	return hwm, rss, sc.Err()
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// moduleRoot is the directory of trackbot's go.mod, above the working
// directory.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run trackbench inside trackbot's module")
	}
	return filepath.Dir(mod), nil
}
