package expect

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is a testing.TB that keeps what a check reported.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func TestGoldenNamesTheFirstDifferentLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.golden")
	if err := os.WriteFile(path, []byte("one\ntwo\nthree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		got  string
		want string // a piece of the error; "" for none
	}{
		{"one\ntwo\nthree\n", ""},
		{"one\nTWO\nthree\n", `line 2:`},
		{"one\ntwo\n", `line 3:`},
		{"one\ntwo\nthree\nfour\n", `line 4:`},
	} {
		r := &recorder{TB: t}
		Golden(r, path, []byte(tc.got))
		switch {
		case tc.want == "" && len(r.errors) != 0:
			t.Errorf("%q: %v, want no error", tc.got, r.errors)
		case tc.want != "" && (len(r.errors) != 1 || !strings.Contains(r.errors[0], tc.want)):
			t.Errorf("%q: %v, want one error with %q", tc.got, r.errors, tc.want)
		}
	}
}

func TestEventually(t *testing.T) {
	var n atomic.Int32
	if !Eventually(time.Second, func() bool { return n.Add(1) == 3 }) {
		t.Errorf("a condition true on the third poll was not seen")
	}
	begin := time.Now()
	if Eventually(50*time.Millisecond, func() bool { return false }) {
		t.Errorf("a condition that never holds was reported as held")
	}
	if waited := time.Since(begin); waited < 50*time.Millisecond || waited > 10*time.Second {
		t.Errorf("gave up after %s, want soon after 50ms", waited)
	}
}
