package tracking

// RuleInvalidNumber is the advice for a number the carrier or aggregator
// calls invalid (17TRACK's NotFound_InvalidCode): waiting will not help,
// the number has to be checked, so it replaces "nothing to do yet".
const RuleInvalidNumber = "invalid_number"

// invalidNumberRule is the playbook's entry for RuleInvalidNumber. The
// buyer is sent to the seller for the right number, the seller to the
// label: only they can tell a mistyped number from a wrong one.
var invalidNumberRule = Rule{
	ID: RuleInvalidNumber, Level: LevelAction, Audience: AudienceBoth, Push: true,
	Condition: "the provider calls the number invalid",
	check:     checkInvalidNumber,
}

// checkInvalidNumber applies while the shipment knows nothing but that its
// number is invalid; the first real event ends it.
func checkInvalidNumber(f *facts, _ *Advice) bool {
	return f.s.Substatus == SubInvalidNumber && f.status == StatusUnknown
}
