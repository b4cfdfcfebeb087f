package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
)

// TestEveryEventHasAKind: a chat reads demo events in its language by their
// kind, so every text any scenario writes must have one, and the handover
// must give back the new number it names.
func TestEveryEventHasAKind(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	// Far enough on that a LIVE journey and its local leg are complete.
	clock := tracking.NewFakeClock(start.Add(time.Hour))
	p := demo.New(time.Minute, clock)
	numbers := []string{demo.LocalNumber("DEMO-LIVE-FR", "FR")}
	for _, sc := range demo.Scenarios() {
		numbers = append(numbers, "DEMO-"+sc+"-FR")
	}
	kinds := map[string]bool{}
	for _, n := range numbers {
		res, err := p.Lookup(context.Background(), tracking.Query{Number: n, TrackedSince: start})
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		for _, e := range res.Events {
			kind, number, ok := tracking.DemoEventKind(e.Description)
			if !ok {
				t.Errorf("%s: %q has no kind", n, e.Description)
				continue
			}
			kinds[kind] = true
			if kind == "handover" && number != demo.LocalNumber(n, "FR") {
				t.Errorf("%s: handover names %q, want %q", n, number, demo.LocalNumber(n, "FR"))
			}
		}
	}
	if _, _, ok := tracking.DemoEventKind("Delivered to a neighbour"); ok {
		t.Error("a text the demo does not write has a kind")
	}
	if len(kinds) != 17 {
		t.Errorf("the scenarios write %d kinds of event, want all 17: %v", len(kinds), kinds)
	}
}
