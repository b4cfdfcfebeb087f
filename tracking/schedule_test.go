package tracking

import (
	"testing"
	"time"
)

func TestPolicyAdaptsToTheShipment(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	p := Policy{MinInterval: 15 * time.Minute, DemoStep: 5 * time.Second}.withDefaults()
	day := 24 * time.Hour
	for _, tc := range []struct {
		name     string
		st       ShipmentState
		c        Change
		wait     time.Duration // 0 with stop set means no next check
		stopWith string
	}{
		{"out for delivery: often", ShipmentState{Carrier: "ups", CreatedAt: now.Add(-3 * day)},
			Change{Status: StatusTransit, Substatus: SubOutForDelivery, LastEventAt: ago(time.Hour)}, 15 * time.Minute, ""},
		{"moving today: hourly", ShipmentState{Carrier: "ups", CreatedAt: now.Add(-3 * day)},
			Change{Status: StatusTransit, Substatus: SubPackageDeparted, LastEventAt: ago(2 * time.Hour)}, time.Hour, ""},
		{"quiet for days: rarely", ShipmentState{Carrier: "ups", CreatedAt: now.Add(-20 * day)},
			Change{Status: StatusTransit, Substatus: SubPackageDeparted, LastEventAt: ago(10 * day)}, 12 * time.Hour, ""},
		{"not found yet: back off", ShipmentState{Carrier: "ups", CreatedAt: now.Add(-5 * day)},
			Change{Status: StatusUnknown, Substatus: SubOther}, 12 * time.Hour, ""},
		{"pushed by the provider: safety net", ShipmentState{Carrier: "ups", CreatedAt: now.Add(-day), PushRegistered: true},
			Change{Status: StatusTransit, Substatus: SubPackageDeparted, LastEventAt: ago(time.Hour)}, 24 * time.Hour, ""},
		{"delivered: one last check", ShipmentState{Carrier: "ups", Status: StatusTransit, CreatedAt: now.Add(-day)},
			Change{Status: StatusDelivered, Substatus: SubDelivered, LastEventAt: ago(time.Hour)}, 24 * time.Hour, ""},
		{"delivered and confirmed: stop", ShipmentState{Carrier: "ups", Status: StatusDelivered, LastCheckedAt: ago(day), CreatedAt: now.Add(-3 * day)},
			Change{Status: StatusDelivered, Substatus: SubDelivered, LastEventAt: ago(day)}, 0, StopFinal},
		{"silent for 60 days: stop and tell", ShipmentState{Carrier: "ups", CreatedAt: now.Add(-90 * day)},
			Change{Status: StatusTransit, Substatus: SubPackageDeparted, LastEventAt: ago(61 * day)}, 0, StopSilent},
		{"demo: every step", ShipmentState{Carrier: "demo", CreatedAt: now},
			Change{Status: StatusTransit, Substatus: SubPackageDeparted, LastEventAt: ago(time.Second)}, 5 * time.Second, ""},
		{"never below the minimum", ShipmentState{Carrier: "ups", CreatedAt: now},
			Change{Status: StatusTransit, Substatus: SubPickupAvailable, LastEventAt: ago(time.Minute)}, 15 * time.Minute, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, stop := p.next(&tc.st, &tc.c, now)
			if stop != tc.stopWith {
				t.Fatalf("stop %q, want %q", stop, tc.stopWith)
			}
			if tc.stopWith != "" {
				if next != nil {
					t.Errorf("stopped with a next check at %v", next)
				}
				return
			}
			if next == nil || next.Sub(now) != tc.wait {
				t.Errorf("next check in %v, want %v", next, tc.wait)
			}
		})
	}
}

func TestFailuresBackOffAndHonourRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	p := Policy{MinInterval: 15 * time.Minute}.withDefaults()
	st := &ShipmentState{Carrier: "ups"}
	if got := p.afterFailure(st, ErrUnavailable, now).Sub(now); got != 15*time.Minute {
		t.Errorf("first failure: %v", got)
	}
	st.CheckFailures = 3
	if got := p.afterFailure(st, ErrUnavailable, now).Sub(now); got != 2*time.Hour {
		t.Errorf("fourth failure: %v, want 2h", got)
	}
	st.CheckFailures = 0
	if got := p.afterFailure(st, &RateLimitError{RetryAfter: 5 * time.Hour}, now).Sub(now); got != 5*time.Hour {
		t.Errorf("retry-after 5h: %v", got)
	}
}
