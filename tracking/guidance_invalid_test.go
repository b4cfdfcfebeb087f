package tracking_test

import (
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracking"
)

// TestGuidanceInvalidNumber: a number the provider calls invalid gets the
// invalid-number advice alone, for buyers and sellers of every shop and at
// any age, never "nothing to do yet" nor the stall advice; a number that is
// merely unknown keeps its advice.
func TestGuidanceInvalidNumber(t *testing.T) {
	situation := func(sub tracking.Substatus, age time.Duration, role tracking.Role, market string) tracking.Situation {
		return tracking.Situation{
			Number: "LP00123456789", Status: tracking.StatusUnknown, Substatus: sub,
			StatusChangedAt: guidanceStart, TrackedSince: guidanceStart, Now: guidanceStart.Add(age),
			Role: role, Marketplace: market,
		}
	}
	tests := []struct {
		sub  tracking.Substatus
		age  time.Duration
		want string
	}{
		{tracking.SubInvalidNumber, time.Hour, "invalid_number:action"},
		{tracking.SubInvalidNumber, 3 * aDay, "invalid_number:action"},
		{tracking.SubInvalidNumber, 20 * aDay, "invalid_number:action"},
		// Not found, without a verdict on the number: unchanged.
		{tracking.SubOther, time.Hour, "new_number_silent:info"},
		{tracking.SubOther, 3 * aDay, ""},
		{tracking.SubOther, 8 * aDay, "no_info_7d:warn"},
		{tracking.SubOther, 15 * aDay, "no_progress_14d:action"},
	}
	for _, tt := range tests {
		for _, role := range []tracking.Role{tracking.RoleBuyer, tracking.RoleSeller} {
			// Shops change the stall advice of unknown numbers
			// (Temu's own step), not the invalid-number advice.
			markets := []string{""}
			if tt.sub == tracking.SubInvalidNumber {
				markets = append(tracking.Marketplaces(), "")
			}
			for _, market := range markets {
				advice := tracking.Evaluate(situation(tt.sub, tt.age, role, market), tracking.DefaultThresholds())
				if got := adviceSummary(advice); got != tt.want {
					t.Errorf("%s after %v, %s of %q: %q, want %q", tt.sub, tt.age, role, market, got, tt.want)
				}
				for _, a := range advice {
					if a.Rule == tracking.RuleInvalidNumber && a.Message != "guidance_invalid_number_"+string(role) {
						t.Errorf("%s of %q: message %s", role, market, a.Message)
					}
				}
			}
		}
	}
}
