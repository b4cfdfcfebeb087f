// Package seventeentracktest is a stand-in for 17TRACK's API for the tests
// of other packages: an httptest server that speaks the v2.2 protocol the
// seventeentrack provider uses, knows every number it is asked about, and
// records how many numbers each request carried.
package seventeentracktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Key is the API key the fake expects in the 17token header.
const Key = "test-17track-key"

// Server is a fake 17TRACK API. Close it when done.
type Server struct {
	*httptest.Server

	mu      sync.Mutex
	batches map[string][]int // endpoint → numbers per request
	seen    map[string]bool
	refused []string // what was wrong with a request, in order
}

// New starts a fake. Point seventeentrack.Config.BaseURL at its URL.
func New() *Server {
	s := &Server{batches: map[string][]int{}, seen: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

type request struct {
	Number  string `json:"number"`
	Carrier int    `json:"carrier,omitempty"`
}

// serve answers /gettrackinfo with one "information received" event per
// number, and /register by accepting every number.
// API: https://asset.17track.net/api/document/v2.2_en/index.html
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	var reqs []request
	err := json.NewDecoder(r.Body).Decode(&reqs)
	op := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method != http.MethodPost || r.Header.Get("17token") != Key:
		s.refused = append(s.refused, fmt.Sprintf("%s %s without the key", r.Method, r.URL.Path))
		w.WriteHeader(http.StatusUnauthorized)
		return
	case err != nil:
		s.refused = append(s.refused, fmt.Sprintf("%s: %v", op, err))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.batches[op] = append(s.batches[op], len(reqs))
	accepted := make([]any, 0, len(reqs))
	for _, q := range reqs {
		if op == "gettrackinfo" {
			s.seen[strings.ToUpper(q.Number)] = true
			accepted = append(accepted, item(q))
		} else {
			accepted = append(accepted, map[string]any{"number": q.Number, "carrier": q.Carrier})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"code": 0, "data": map[string]any{"accepted": accepted, "rejected": []any{}}})
}

// item is a number's answer: one event a day before the fake's epoch.
func item(q request) map[string]any {
	carrier := q.Carrier
	if carrier == 0 {
		carrier = 3011 // China Post
	}
	return map[string]any{"number": q.Number, "carrier": carrier, "track_info": map[string]any{
		"latest_status": map[string]any{"status": "InfoReceived", "sub_status": "InfoReceived"},
		"tracking": map[string]any{"providers": []any{map[string]any{
			"provider": map[string]any{"key": carrier, "name": "China Post", "country": "CN"},
			"events": []any{map[string]any{"time_iso": "2026-11-01T09:00:00+08:00", "time_utc": "2026-11-01T01:00:00Z",
				"description": "Electronic information received", "stage": "InfoReceived", "sub_status": "InfoReceived",
				"address": map[string]any{"country": "CN", "city": "SHANGHAI"}}},
		}}},
	}}
}

// Batches returns how many numbers each request to endpoint
// ("gettrackinfo", "register") carried, in order.
func (s *Server) Batches(endpoint string) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.batches[endpoint]...)
}

// Looked reports how many distinct numbers /gettrackinfo was asked about.
func (s *Server) Looked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// Refused lists the requests the fake refused (no key, a bad body).
func (s *Server) Refused() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.refused...)
}

// Numbers returns n valid China Post numbers (UPU S10, RR…CN, with their
// check digit), distinct for distinct from.
func Numbers(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = S10(from + i)
	}
	return out
}

// S10 returns the UPU S10 number RR<serial>CN with its check digit.
func S10(serial int) string {
	digits := fmt.Sprintf("%08d", serial)
	sum := 0
	for i, w := range []int{8, 6, 4, 2, 3, 5, 9, 7} {
		sum += int(digits[i]-'0') * w
	}
	check := 11 - sum%11
	switch check {
	case 10:
		check = 0
	case 11:
		check = 5
	}
	return fmt.Sprintf("RR%s%dCN", digits, check)
}
