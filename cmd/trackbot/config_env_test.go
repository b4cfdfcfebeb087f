package main

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"
)

// TestEveryConfigFieldHasAVariable: every field of config is read from a
// variable its env tag names, so describeEnvError can name it.
func TestEveryConfigFieldHasAVariable(t *testing.T) {
	typ := reflect.TypeFor[config]()
	seen := map[string]string{}
	for f := range typ.Fields() {
		name, _, ok := envVariable(f.Name)
		if !ok {
			t.Errorf("field %s has no env variable", f.Name)
			continue
		}
		if other, dup := seen[name]; dup {
			t.Errorf("fields %s and %s both read %s", other, f.Name, name)
		}
		seen[name] = f.Name
	}
	if _, _, ok := envVariable("NoSuchField"); ok {
		t.Error("envVariable found a field config does not have")
	}
}

// TestUndecodableValuesNameTheVariable: a value that cannot be decoded is
// reported on one line naming the variable from the struct's tags, with a
// hint that fits the field's type, and without the value.
func TestUndecodableValuesNameTheVariable(t *testing.T) {
	for _, tc := range []struct{ variable, hint string }{
		{"POLL_MIN_INTERVAL", "like 90s or 15m"},
		{"DEMO_STEP", "like 90s or 15m"},
		{"DHL_DAILY_LIMIT", "not a whole number"},
		{"SLACK_DIGEST_HOUR", "not a whole number"},
		{"GUIDANCE_NO_PROGRESS", "like 14d or 36h"},
		{"GUIDANCE_LATE", "like 14d or 36h"},
		{"GUIDANCE_PROTECTION_LEAD", "like 14d or 36h"},
	} {
		t.Run(tc.variable, func(t *testing.T) {
			env := envconfig.MapLookuper(map[string]string{tc.variable: "nonsense-value"})
			_, err := loadConfig(context.Background(), env)
			if err == nil {
				t.Fatal("loadConfig accepted nonsense")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "config: "+tc.variable+": ") || !strings.Contains(msg, tc.hint) || strings.Contains(msg, "\n") {
				t.Errorf("%q, want one line naming %s and saying %q", msg, tc.variable, tc.hint)
			}
			if strings.Contains(msg, "nonsense-value") {
				t.Errorf("%q repeats the value", msg)
			}
		})
	}
	// Every number and duration field, whatever its name, gets the same.
	for f := range reflect.TypeFor[config]().Fields() {
		if f.Type != reflect.TypeFor[int]() && f.Type != reflect.TypeFor[time.Duration]() && f.Type != reflect.TypeFor[span]() {
			continue
		}
		name, _, _ := envVariable(f.Name)
		_, err := loadConfig(context.Background(), envconfig.MapLookuper(map[string]string{name: "x"}))
		if err == nil || !strings.HasPrefix(err.Error(), "config: "+name+": not a ") {
			t.Errorf("%s=x: %v, want an error naming %s", name, err, name)
		}
	}
}
