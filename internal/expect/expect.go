// Package expect holds the checks that tests across trackbot share: golden
// files, rewritten with the -update flag, and waiting for something that
// happens in another goroutine or process. Only tests import it.
package expect

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// update is the one -update flag of every test binary that checks golden
// files. It is registered when the package loads because go test parses the
// flags before any test runs; a test package must not define its own.
var update = flag.Bool("update", false, "rewrite the golden files under testdata instead of comparing with them")

// Golden compares got with the golden file at path, or, run with -update,
// writes got there (making its folder). A difference fails the test and
// names the first line that differs.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (run the test with -update and review the diff): %s", path, firstDiff(want, got))
	}
}

// firstDiff describes the first line where want and got part.
func firstDiff(want, got []byte) string {
	w, g := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b []byte
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if !bytes.Equal(a, b) {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q", i+1, a, b)
		}
	}
	return "same lines, different line ends"
}

// Eventually polls cond until it holds or within has passed, and reports
// whether it held. It is for what a test cannot wait on directly: another
// process, a server's goroutine, a network peer. The caller fails the test
// with what it was waiting for.
func Eventually(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	pause := 5 * time.Millisecond
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pause)
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// Size is how many rows a test about size seeds: n, except on SQLite in a
// binary built with the race detector, where the embedded database runs
// instrumented, about thirty times slower, and small is used. A property
// such as "the statements do not grow with the rows" holds at either size;
// the full size runs on PostgreSQL always and on SQLite without -race.
func Size(n, small int, sqlite bool) int {
	if Race && sqlite {
		return small
	}
	return n
}
