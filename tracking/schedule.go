package tracking

import (
	"errors"
	"time"
)

// Reasons a shipment stops being polled.
const (
	StopSilent = "silent" // no news for SilentStop; the chats are told
	StopFinal  = "final"  // delivered or returned, and confirmed by a last check
)

// Policy decides when a shipment is checked next: often when something is
// about to happen, rarely when it is quiet, never again once the journey
// is over or has been silent for two months.
type Policy struct {
	MinInterval time.Duration
	DemoStep    time.Duration
	// SilentStop is how long a shipment may go without news before polling
	// stops; 60 days when zero.
	SilentStop time.Duration
	// FinalCheck is how long after a final status the last check comes;
	// a day when zero.
	FinalCheck time.Duration
	// ProtectionLead is how long before a buyer protection ends its
	// reminder comes (Thresholds.ProtectionLead); 3 days when zero.
	ProtectionLead time.Duration
}

func (p Policy) withDefaults() Policy {
	if p.MinInterval <= 0 {
		p.MinInterval = 15 * time.Minute
	}
	if p.DemoStep <= 0 {
		p.DemoStep = 15 * time.Second
	}
	if p.SilentStop <= 0 {
		p.SilentStop = 60 * 24 * time.Hour
	}
	if p.FinalCheck <= 0 {
		p.FinalCheck = 24 * time.Hour
	}
	if p.ProtectionLead <= 0 {
		p.ProtectionLead = DefaultThresholds().ProtectionLead
	}
	return p
}

// nextReminder returns the earliest buyer-protection reminder of the
// shipment's subscriptions that lies after now.
func (p Policy) nextReminder(st *ShipmentState, now time.Time) (time.Time, bool) {
	for _, end := range st.ProtectionEnds {
		if at := end.Add(-p.ProtectionLead); at.After(now) {
			return at, true
		}
	}
	return time.Time{}, false
}

// next returns when to check the shipment after a successful refresh that
// produced c, or nil and the reason polling stops. A parcel on the way is
// checked no later than its next buyer-protection reminder, so that the
// reminder is on time however rarely the parcel is polled, and one silent
// for SilentStop is still checked once then before polling stops.
func (p Policy) next(st *ShipmentState, c *Change, now time.Time) (*time.Time, string) {
	t, stop := p.nextCheck(st, c, now)
	if c.Status.Final() {
		return t, stop
	}
	if at, ok := p.nextReminder(st, now); ok && (t == nil || at.Before(*t)) {
		return &at, ""
	}
	return t, stop
}

// nextCheck is next without the protection reminders.
func (p Policy) nextCheck(st *ShipmentState, c *Change, now time.Time) (*time.Time, string) {
	if now.Sub(lastActivity(st, c)) >= p.SilentStop && !c.Status.Final() {
		return nil, StopSilent
	}
	demo := st.Carrier == "demo"
	if c.Status.Final() {
		if st.Status.Final() && st.LastCheckedAt != nil && len(c.Events) == 0 {
			return nil, StopFinal
		}
		wait := p.FinalCheck
		if demo {
			wait = p.DemoStep
		}
		t := now.Add(wait)
		return &t, ""
	}
	if demo {
		t := now.Add(p.DemoStep)
		return &t, ""
	}
	t := now.Add(max(p.interval(st, c, now), p.MinInterval))
	return &t, ""
}

// interval is the wait for a live shipment, before the lower bound.
func (p Policy) interval(st *ShipmentState, c *Change, now time.Time) time.Duration {
	if st.PushRegistered {
		return 24 * time.Hour // the provider pushes; this is only a safety net
	}
	switch c.Substatus {
	case SubOutForDelivery, SubDeliveryAttempted, SubNoticeLeft, SubPickupAvailable, SubDeliveryScheduled:
		return p.MinInterval
	}
	if c.Status == StatusFailure {
		return 12 * time.Hour
	}
	if c.LastEventAt == nil {
		// Not found yet: new numbers often show nothing for a day or two.
		switch age := now.Sub(st.CreatedAt); {
		case age < 24*time.Hour:
			return time.Hour
		case age < 3*24*time.Hour:
			return 3 * time.Hour
		default:
			return 12 * time.Hour
		}
	}
	switch quiet := now.Sub(*c.LastEventAt); {
	case quiet < 24*time.Hour:
		return time.Hour
	case quiet < 3*24*time.Hour:
		return 2 * time.Hour
	case quiet < 7*24*time.Hour:
		return 6 * time.Hour
	default:
		return 12 * time.Hour
	}
}

// afterFailure returns when to retry a shipment whose lookup failed: when
// the provider asked, or later with every failure in a row.
func (p Policy) afterFailure(st *ShipmentState, err error, now time.Time) time.Time {
	base := p.MinInterval
	if st.Carrier == "demo" {
		base = p.DemoStep
	}
	wait := base << min(st.CheckFailures, 6)
	wait = min(wait, 12*time.Hour)
	if errors.Is(err, ErrNoProvider) {
		wait = 24 * time.Hour
	}
	var rl *RateLimitError
	if errors.As(err, &rl) && rl.RetryAfter > wait {
		wait = rl.RetryAfter
	}
	return now.Add(wait)
}

// lastActivity is the time of the newest event, or when tracking began.
func lastActivity(st *ShipmentState, c *Change) time.Time {
	if c.LastEventAt != nil {
		return *c.LastEventAt
	}
	return st.CreatedAt
}
