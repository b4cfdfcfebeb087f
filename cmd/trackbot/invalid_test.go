package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

// TestTrackInvalidNumber: trackbot track of a number that 17TRACK calls
// invalid (latest_status NotFound_InvalidCode in its v2.2 gettrackinfo
// answer) prints the invalid-number state and its advice, not "no provider
// knows this number yet"; the JSON carries the same. The advice's words,
// by role, are checked in the bot's and the guidance's tests.
func TestTrackInvalidNumber(t *testing.T) {
	body, err := os.ReadFile("../../tracking/providers/seventeentrack/testdata/gettrackinfo_invalidcode.json")
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/gettrackinfo" || r.Header.Get("17token") != "k" {
			http.Error(w, `{"error":"not here"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	env := []string{"SEVENTEENTRACK_API_KEY=k", "SEVENTEENTRACK_API_URL=" + srv.URL}

	r := trackbot(t, env, "", "track", "LP00123456789")
	if r.code != 0 {
		t.Fatalf("track: %+v", r)
	}
	for _, want := range []string{"LP00123456789", "UNKNOWN / invalid_number", "guidance: invalid_number (action)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, unwanted := range []string{"new_number_silent", "no provider knows"} {
		if strings.Contains(r.stdout+r.stderr, unwanted) {
			t.Errorf("output says %q:\n%s%s", unwanted, r.stdout, r.stderr)
		}
	}

	r = trackbot(t, env, "", "track", "LP00123456789", "--json")
	if r.code != 0 {
		t.Fatalf("track --json: %+v", r)
	}
	var sh struct {
		Status, Substatus string
		Guidance          []struct{ Rule, Level string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &sh); err != nil {
		t.Fatalf("%v in %s", err, r.stdout)
	}
	if sh.Status != "UNKNOWN" || sh.Substatus != "invalid_number" || len(sh.Guidance) != 1 ||
		sh.Guidance[0].Rule != "invalid_number" || sh.Guidance[0].Level != "action" {
		t.Errorf("shipment %+v, want UNKNOWN/invalid_number with the invalid-number advice alone", sh)
	}
	if calls.Load() == 0 {
		t.Error("17TRACK was not asked")
	}
}
