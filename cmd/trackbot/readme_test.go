package main

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/tracking"
)

// TestReadmeListsEveryGuidanceRule: the README's guidance section names
// every rule by its id and every guidance threshold by its variable, so
// an operator can find what each one does and where its facts come from.
func TestReadmeListsEveryGuidanceRule(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "## What it tells you when something goes wrong")
	if start < 0 {
		t.Fatal("the README has no guidance section")
	}
	section := readme[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	ids := []string{tracking.RuleMissing}
	for _, r := range tracking.Rules() {
		ids = append(ids, r.ID)
	}
	for _, id := range ids {
		if !strings.Contains(section, "| `"+id+"` |") {
			t.Errorf("the guidance section has no row for the rule %s", id)
		}
	}
	ct := reflect.TypeOf(config{})
	found := 0
	for i := range ct.NumField() {
		name, _, _ := strings.Cut(ct.Field(i).Tag.Get("env"), ",")
		if !strings.HasPrefix(name, "GUIDANCE_") {
			continue
		}
		found++
		if !strings.Contains(section, "`"+name+"`") {
			t.Errorf("the guidance section does not name the threshold %s", name)
		}
	}
	if found == 0 {
		t.Error("no GUIDANCE_ variable in the configuration: the check looks in the wrong place")
	}
}
