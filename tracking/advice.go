package tracking

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// advisor returns the guidance for a shipment as each reader sees it at
// now.
func (e *Engine) advisor(sh *Shipment, now time.Time) func(Reader) []Advice {
	base := newFacts(NewSituation(sh, "", RoleBuyer, now), e.thresholds.withDefaults())
	return func(r Reader) []Advice {
		return base.forAudience(r).evaluate()
	}
}

// Advise returns the guidance that applies to a shipment for a role and a
// marketplace at now, timed by the engine's thresholds.
func (e *Engine) Advise(sh *Shipment, marketplace string, role Role, now time.Time) []Advice {
	return Evaluate(NewSituation(sh, marketplace, role, now), e.thresholds)
}

// ReguideChat re-evaluates the guidance of a chat's subscriptions, or of
// only those named, after the chat changed what the advice depends on
// (role, marketplace), as one operation: the chat's shipments with their
// events and legs are loaded in bulk and every rule change and push is
// written in one transaction, whatever the number of parcels.
func (e *Engine) ReguideChat(ctx context.Context, chatID int64, subscriptionIDs ...int64) error {
	now := e.clock.Now()
	return e.store.UpdateChatGuidance(ctx, chatID, subscriptionIDs, e.shipmentAdvisor(now), now)
}

// RoleChange is a chat's new role, written with the guidance it changes.
type RoleChange struct {
	Role Role
	// BeforeCommit, when set, runs inside the transaction before it
	// commits; fault-injection tests make it fail.
	BeforeCommit func() error
}

// SetRole changes a chat's role (buyer or seller) and brings the guidance
// of every one of its parcels up to date, in one transaction whose
// statements do not grow with the number of parcels: a failure leaves the
// role and the guidance as they were.
func (e *Engine) SetRole(ctx context.Context, chatID int64, role Role) error {
	now := e.clock.Now()
	return e.store.SetRole(ctx, chatID, RoleChange{Role: role, BeforeCommit: e.beforeCommit}, e.shipmentAdvisor(now), now)
}

// shipmentAdvisor gives, for a shipment as the store loads it, its
// guidance at now.
func (e *Engine) shipmentAdvisor(now time.Time) func(*ShipmentState) func(Reader) []Advice {
	return func(st *ShipmentState) func(Reader) []Advice {
		return e.advisor(NewShipment(st, st.Events), now)
	}
}

// ShopChange is a chat's word on one parcel: the shop it was bought in
// and, when given, when that shop's buyer protection ends.
type ShopChange struct {
	SubscriptionID int64
	Marketplace    string
	// ProtectionEnds is the end of the buyer protection; nil keeps the
	// date given before.
	ProtectionEnds *time.Time
	// CheckBy, when set, is the latest time the shipment is checked next.
	CheckBy *time.Time
}

// SetShop records the shop of one of a chat's parcels, and when its buyer
// protection ends, and brings the parcel's guidance up to date, in one
// transaction. A protection date brings the next check forward to the
// time of its reminder, so that a parcel polled rarely is still reminded
// on time.
func (e *Engine) SetShop(ctx context.Context, chatID, subscriptionID int64, shop string, ends *time.Time) error {
	now := e.clock.Now()
	c := ShopChange{SubscriptionID: subscriptionID, Marketplace: shop, ProtectionEnds: ends}
	if ends != nil {
		at := ends.Add(-e.thresholds.ProtectionLead)
		c.CheckBy = &at
	}
	return e.store.SetShop(ctx, chatID, c, e.shipmentAdvisor(now), now)
}

// MissingSteps is the delivered-but-missing advice for a shipment.
func (e *Engine) MissingSteps(sh *Shipment, marketplace string, role Role, now time.Time) Advice {
	return MissingSteps(NewSituation(sh, marketplace, role, now))
}

// withGuidance works out which pushed rules apply to the shipment after
// the change, for every role and marketplace. When that differs from the
// last refresh it puts the new signature and the advisor into the change,
// so that the store updates each subscription's guidance in the same
// transaction, and reports true.
func (e *Engine) withGuidance(st *ShipmentState, c *Change, now time.Time) bool {
	view := changedView(st, c)
	eval := e.advisor(view, now)
	sig := guidanceSignature(eval, st.ProtectionEnds)
	if sig == st.GuidanceSig {
		return false
	}
	c.GuidanceSig, c.Guidance = sig, eval
	return true
}

// guidanceSignature summarizes the pushed rules that apply for every role
// and marketplace, and for a buyer with each of the protection ends the
// shipment's subscriptions gave, so that a reminder coming due changes it.
func guidanceSignature(eval func(Reader) []Advice, protectionEnds []time.Time) string {
	var sb strings.Builder
	pushed := func(r Reader) {
		for _, a := range eval(r) {
			if a.Push {
				sb.WriteString(a.Rule + ",")
			}
		}
		sb.WriteString(";")
	}
	for _, role := range []Role{RoleBuyer, RoleSeller} {
		for _, m := range append([]string{""}, Marketplaces()...) {
			sb.WriteString(string(role) + "/" + m + ":")
			pushed(Reader{Role: string(role), Marketplace: m})
		}
	}
	for _, end := range protectionEnds {
		sb.WriteString("protection/" + end.UTC().Format(time.RFC3339) + ":")
		pushed(Reader{Role: string(RoleBuyer), ProtectionEnds: &end})
	}
	sum := sha256.Sum256([]byte(sb.String()))
	return hex.EncodeToString(sum[:8])
}

// changedView is the shipment as it stands once c is written, without
// touching st.
func changedView(st *ShipmentState, c *Change) *Shipment {
	next := applied(st, c)
	return NewShipment(&next, next.Events)
}

// mergedEvents returns old and new events together, oldest first.
func mergedEvents(old, added []Event) []Event {
	out := append(slices.Clone(old), added...)
	slices.SortStableFunc(out, func(a, b Event) int { return a.Time.Compare(b.Time) })
	return out
}
