package tracking

import (
	"cmp"
	"slices"
)

// Rule is one entry of the guidance playbook.
type Rule struct {
	ID       string
	Level    Level
	Audience Audience
	// Push is false for rules that are only shown, never pushed.
	Push bool
	// Marketplaces lists the marketplaces whose buyers get steps of their
	// own; everyone else gets the generic message.
	Marketplaces []string
	// SellerMarketplaces lists the marketplaces whose sellers get steps
	// of their own, such as eBay's seller protection.
	SellerMarketplaces []string
	// Supersedes names rules this one replaces while it applies, so that
	// one stall is told once, at its latest stage.
	Supersedes []string
	// Condition says in words when the rule applies.
	Condition string

	// check reports whether the rule applies and fills in the advice's
	// data, links and buttons.
	check func(f *facts, a *Advice) bool
}

// message returns the catalog id of the rule's message for a role and a
// marketplace: guidance_<rule>_<role>, with _<marketplace> added for the
// buyers of a marketplace that has steps of its own.
func (r Rule) message(role Role, market string) string {
	id := "guidance_" + r.ID + "_" + string(role)
	if role == RoleBuyer && slices.Contains(r.Marketplaces, market) || role == RoleSeller && slices.Contains(r.SellerMarketplaces, market) {
		id += "_" + market
	}
	return id
}

// MessageIDs lists every catalog message id the rule can produce.
func (r Rule) MessageIDs() []string {
	var ids []string
	for _, role := range []Role{RoleBuyer, RoleSeller} {
		if !r.Audience.includes(role) {
			continue
		}
		ids = append(ids, r.message(role, ""))
		markets := r.Marketplaces
		if role == RoleSeller {
			markets = r.SellerMarketplaces
		}
		for _, m := range markets {
			ids = append(ids, r.message(role, m))
		}
	}
	return ids
}

// allShops are the marketplaces with steps of their own.
var allShops = []string{MarketplaceAliExpress, MarketplaceTemu, MarketplaceShein, MarketplaceEbay, MarketplaceAmazon}

// playbook holds the rules, most urgent first within each level; Evaluate
// keeps this order among rules of the same level.
var playbook = []Rule{
	{
		ID: RuleCustomsHeld, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "held at customs until duties are paid",
		check:     checkCustomsHeld,
	},
	{
		ID: RuleCustomsInfo, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "customs asks for documents or information (an invoice, a tax number), not money",
		check:     checkCustomsInfo,
	},
	{
		ID: RuleClaim, Level: LevelAction, Audience: AudienceBoth, Push: true, Marketplaces: allShops,
		Condition: "lost, damaged, disposed of or undeliverable",
		check:     checkClaim,
	},
	{
		ID: RuleRefused, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "refused by the recipient, not yet on its way back",
		check:     checkRefused,
	},
	{
		ID: RuleCancelled, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "the shipment was cancelled",
		check:     checkCancelled,
	},
	{
		ID: RuleFailure, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "a delivery failure the carrier gives no reason for",
		check:     checkFailure,
	},
	{
		ID: RuleReturned, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "on its way back to the sender",
		check:     checkReturned,
	},
	{
		ID: RuleUnclaimed, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "not collected from the pickup point, not yet on its way back",
		check:     exceptionCheck(SubPackageUnclaimed),
	},
	{
		ID: RulePickupAvailable, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "waiting at a pickup point; the deadline comes from the event text (next to words about collecting or keeping), the post's storage period, or about 7 days",
		check:     checkPickup,
	},
	{
		ID: RuleAddressIssue, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "the address is wrong or incomplete, or the recipient moved",
		check:     exceptionCheck(SubAddressIssue),
	},
	{
		ID: RuleHeld, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "held by the carrier (a security check, a depot)",
		check:     exceptionCheck(SubPackageHeld),
	},
	{
		ID: RuleContactCarrier, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "the carrier asks to be contacted",
		check:     exceptionCheck(SubContactCarrier),
	},
	{
		ID: RuleDeliveryAttempted, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "delivery attempted, notice left, access or rescheduling needed",
		check:     checkAttempted,
	},
	invalidNumberRule,
	{
		ID: RulePartialTracking, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Supersedes: []string{RuleOriginSilent, RuleNoEvent},
		Condition:  "departed the origin country, its carrier reports nothing past export, silent for NoProgress: it may be delivered unseen",
		check:      checkPartialTracking,
	},
	{
		// The date is the chat's (/shop NUMBER SHOP DATE): trackbot never
		// guesses a user's deadline from a shop's typical window.
		ID: RuleProtectionEnding, Level: LevelAction, Audience: AudienceBuyer, Push: true,
		Marketplaces: []string{MarketplaceAliExpress, MarketplaceTemu, MarketplaceEbay, MarketplaceAmazon},
		Condition:    "the chat gave the end of the parcel's buyer protection; it ends within ProtectionLead and the parcel is not delivered",
		check:        checkProtectionEnding,
	},
	{
		ID: RuleNoProgress, Level: LevelAction, Audience: AudienceBoth, Push: true, Marketplaces: allShops,
		Supersedes: []string{RuleTemuNoUpdate, RuleLate, RuleNoEvent, RuleNoInfo, RuleLabelOnly},
		Condition:  "on the way, no event for NoProgress (since tracking began when there is none)",
		check:      checkNoProgress,
	},
	{
		ID: RuleTemuNoUpdate, Level: LevelAction, Audience: AudienceBuyer, Push: true,
		Supersedes: []string{RuleLate, RuleNoEvent, RuleNoInfo, RuleLabelOnly},
		Condition:  "bought on Temu, on the way, no update for TemuNoUpdate",
		check:      checkTemu,
	},
	{
		ID: RuleCustomsLong, Level: LevelWarn, Audience: AudienceBoth, Push: true,
		// It owns a parcel in customs: no_progress and temu_no_update
		// leave customs alone, and it says when a dispute is right.
		Supersedes: []string{RuleLate, RuleNoEvent},
		Condition:  "in customs processing for CustomsLong",
		check:      checkCustomsLong,
	},
	{
		ID: RuleLate, Level: LevelWarn, Audience: AudienceBoth, Push: true,
		Supersedes: []string{RuleNoEvent},
		Condition:  "on the way, its expected delivery (ETA) passed by Late",
		check:      checkLate,
	},
	{
		ID: RuleOriginSilent, Level: LevelWarn, Audience: AudienceBoth, Push: true,
		// Its "follow it on the destination post" replaces no_event's
		// "nothing to do yet" for the same silence.
		Supersedes: []string{RuleNoEvent},
		Condition:  "departed the origin country, no destination event since, silent for OriginSilent",
		check:      checkOriginSilent,
	},
	{
		ID: RuleMovedAfterDelivery, Level: LevelWarn, Audience: AudienceBoth, Push: true,
		Condition: "scanned again after a delivered event",
		check:     checkMovedAfterDelivery,
	},
	{
		ID: RuleNoEvent, Level: LevelWarn, Audience: AudienceBoth, Push: true,
		Condition: "on the way past the label, outside customs, no event for NoEvent",
		check:     checkNoEvent,
	},
	{
		ID: RuleLabelOnly, Level: LevelWarn, Audience: AudienceBoth, Push: true,
		Condition: "nothing but label / information received for LabelOnly",
		check:     checkLabelOnly,
	},
	{
		ID: RuleNoInfo, Level: LevelWarn, Audience: AudienceBoth, Push: true,
		Condition: "no event at all NoInfo after tracking began",
		check:     checkNoInfo,
	},
	{
		ID: RuleDestinationPost, Level: LevelInfo, Audience: AudienceBoth, Push: true,
		Condition: "in the destination country under a number its post knows (a new local number, or the S10 number)",
		check:     checkDestinationPost,
	},
	{
		ID: RuleDelivered, Level: LevelInfo, Audience: AudienceBoth, Push: true,
		Condition: "delivered",
		check:     checkDelivered,
	},
	{
		ID: RuleNewNumberSilent, Level: LevelInfo, Audience: AudienceBoth, Push: false,
		Condition: "no event yet, tracked for less than NewNumberSilent",
		check:     checkNewNumber,
	},
}

// missingRule describes MissingSteps' advice for MessageIDs.
var missingRule = Rule{ID: RuleMissing, Level: LevelAction, Audience: AudienceBoth, Marketplaces: allShops, SellerMarketplaces: []string{MarketplaceEbay}}

// Rules returns the playbook: every rule Evaluate knows, in priority order.
func Rules() []Rule {
	out := make([]Rule, len(playbook))
	for i, r := range playbook {
		r.Marketplaces = slices.Clone(r.Marketplaces)
		r.SellerMarketplaces = slices.Clone(r.SellerMarketplaces)
		r.Supersedes = slices.Clone(r.Supersedes)
		out[i] = r
	}
	return out
}

// GuidanceMessageIDs lists every catalog message id the guidance can
// produce: every rule's messages, MissingSteps', and the labels of links
// and buttons. The catalogs must have them all.
func GuidanceMessageIDs() []string {
	var ids []string
	for _, r := range playbook {
		ids = append(ids, r.MessageIDs()...)
	}
	ids = append(ids, missingRule.MessageIDs()...)
	ids = append(ids, MessageButtonMissing, MessageButtonMissingSeller, MessageLinkPost, MessageLinkTracker, MessageLinkPay)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Evaluate returns every rule that applies to s now, most urgent first and
// in the playbook's order within a level. It is pure: the same situation
// always gives the same advice, and a rule stops being returned as soon as
// its situation no longer holds, so the caller can re-arm it.
func Evaluate(s Situation, th Thresholds) []Advice {
	return newFacts(s, th.withDefaults()).evaluate()
}

// evaluate runs the playbook over the facts.
func (f *facts) evaluate() []Advice {
	type hit struct {
		rule Rule
		idx  int
		a    Advice
	}
	var hits []hit
	superseded := map[string]bool{}
	// One Advice for every check to fill: a check is called through a
	// func value, so each would escape to the heap, and a refresh runs
	// every rule for every audience. Only what is read of it (Data, Links,
	// Buttons) is cleared, and only when a check left something there.
	checked := new(Advice)
	for i, r := range playbook {
		if !r.Audience.includes(f.role) {
			continue
		}
		if checked.Data != (AdviceData{}) {
			checked.Data = AdviceData{}
		}
		if checked.Links != nil || checked.Buttons != nil {
			checked.Links, checked.Buttons = nil, nil
		}
		if !r.check(f, checked) {
			continue
		}
		a := f.advice(r)
		checked.Data.Number, checked.Data.Carrier, checked.Data.Shop = a.Data.Number, a.Data.Carrier, a.Data.Shop
		a.Data = checked.Data
		a.Links, a.Buttons = checked.Links, checked.Buttons
		hits = append(hits, hit{r, i, a})
		for _, id := range r.Supersedes {
			superseded[id] = true
		}
	}
	out := make([]Advice, 0, len(hits))
	slices.SortStableFunc(hits, func(x, y hit) int {
		if c := cmp.Compare(y.rule.Level.rank(), x.rule.Level.rank()); c != 0 {
			return c
		}
		return cmp.Compare(x.idx, y.idx)
	})
	for _, h := range hits {
		if !superseded[h.rule.ID] {
			out = append(out, h.a)
		}
	}
	return out
}

// MissingSteps is the advice behind the "I didn't get it" button of a
// delivered shipment: what to do, in order, when a parcel shows delivered
// but is not there, for the situation's role and marketplace.
func MissingSteps(s Situation) Advice {
	f := newFacts(s, DefaultThresholds())
	a := f.advice(missingRule)
	f.addPost(&a, f.deliveringPost())
	return a
}
