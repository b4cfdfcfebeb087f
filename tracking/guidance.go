package tracking

import "time"

// Level says how urgent a piece of advice is.
type Level string

// The three levels, least urgent first.
const (
	LevelInfo   Level = "info"
	LevelWarn   Level = "warn"
	LevelAction Level = "action"
)

// rank orders levels by urgency.
func (l Level) rank() int {
	switch l {
	case LevelAction:
		return 2
	case LevelWarn:
		return 1
	}
	return 0
}

// Role is the side of a sale a chat is on; it picks the advice's wording.
type Role string

// The two roles. An empty Role means a buyer.
const (
	RoleBuyer  Role = "buyer"
	RoleSeller Role = "seller"
)

// Audience is who a rule speaks to.
type Audience string

// The audiences of rules.
const (
	AudienceBuyer  Audience = "buyer"
	AudienceSeller Audience = "seller"
	AudienceBoth   Audience = "both"
)

// includes reports whether the audience takes in role.
func (a Audience) includes(r Role) bool {
	return a == AudienceBoth || string(a) == string(r)
}

// MarketplaceAliExpress and the other Marketplace constants name the shops
// whose buyer-protection steps the guidance knows; MarketplaceOther and ""
// get the generic steps.
const (
	MarketplaceAliExpress = "aliexpress"
	MarketplaceTemu       = "temu"
	MarketplaceShein      = "shein"
	MarketplaceEbay       = "ebay"
	MarketplaceAmazon     = "amazon"
	MarketplaceOther      = "other"
)

// Marketplaces lists the marketplaces a shipment can be bought on, in the
// order the shop command offers them.
func Marketplaces() []string {
	return []string{MarketplaceAliExpress, MarketplaceTemu, MarketplaceShein, MarketplaceEbay, MarketplaceAmazon, MarketplaceOther}
}

// shopNames are the marketplaces' own spellings, for the Shop template
// variable.
var shopNames = map[string]string{
	MarketplaceAliExpress: "AliExpress",
	MarketplaceTemu:       "Temu",
	MarketplaceShein:      "SHEIN",
	MarketplaceEbay:       "eBay",
	MarketplaceAmazon:     "Amazon",
}

// The rule ids. They are stored with what was pushed, so they never change.
const (
	RuleNewNumberSilent = "new_number_silent"
	RuleNoInfo          = "no_info_7d"
	RuleLabelOnly       = "label_only"
	RuleNoEvent         = "no_event_7d"
	RuleNoProgress      = "no_progress_14d"
	// RulePartialTracking is a parcel whose carrier stopped reporting at
	// export and that has been silent for NoProgress: it may have been
	// delivered without ever showing it.
	RulePartialTracking = "partial_tracking"
	// RuleProtectionEnding reminds a buyer, once, that the shop's buyer
	// protection the chat gave a date for is about to end.
	RuleProtectionEnding   = "protection_ending"
	RuleTemuNoUpdate       = "temu_no_update"
	RuleCustomsLong        = "customs_long"
	RuleLate               = "late"
	RuleCustomsHeld        = "customs_held"
	RuleCustomsInfo        = "customs_info_requested"
	RuleRefused            = "refused"
	RuleCancelled          = "cancelled"
	RuleFailure            = "failure"
	RuleUnclaimed          = "unclaimed"
	RuleHeld               = "held_by_carrier"
	RuleAddressIssue       = "address_issue"
	RuleContactCarrier     = "contact_carrier"
	RuleReturned           = "returned"
	RuleDeliveryAttempted  = "delivery_attempted"
	RulePickupAvailable    = "pickup_available"
	RuleClaim              = "claim"
	RuleDestinationPost    = "destination_post"
	RuleOriginSilent       = "origin_silent"
	RuleMovedAfterDelivery = "moved_after_delivery"
	RuleDelivered          = "delivered"
	// RuleMissing is the advice behind the "I didn't get it" button; it
	// is never evaluated, only asked for through MissingSteps.
	RuleMissing = "missing"
)

// ActionMissing is the Button action that asks for MissingSteps.
const ActionMissing = "missing"

// Catalog message ids of the labels that Links and Buttons carry. They are
// rendered with the advice's Data.
const (
	MessageButtonMissing = "guidance_button_missing"
	// MessageButtonMissingSeller labels the same button for a seller, who
	// hears of the missing parcel from the buyer.
	MessageButtonMissingSeller = "guidance_button_missing_seller"
	MessageLinkPost            = "guidance_link_post"
	// MessageLinkTracker labels the link to a multi-carrier tracker, for a
	// number whose local carrier trackbot does not know.
	MessageLinkTracker = "guidance_link_tracker"
	// MessageLinkPay labels the link to a post's own customs-charge
	// payment page.
	MessageLinkPay = "guidance_link_pay"
)

// PickupStorage is how long a pickup point keeps a parcel when neither the
// carrier nor the table of PickupStorageFor says: the usual storage period
// of posts and lockers, given as "about".
const PickupStorage = 7 * 24 * time.Hour

// Situation is everything a rule may look at.
type Situation struct {
	Number, Carrier string
	Status          Status
	Substatus       Substatus
	// StatusChangedAt is when the current status and sub-status began:
	// the time of the event that set them.
	StatusChangedAt time.Time
	// TrackedSince is when trackbot began tracking.
	TrackedSince time.Time
	// LastEventAt is the time of the newest event; nil when there is no
	// event yet.
	LastEventAt *time.Time
	// ETA is when the carrier expects to deliver; nil when it has not
	// said.
	ETA *time.Time
	// Events are every event of every leg, oldest first.
	Events []Event
	// Legs are the later legs (new local numbers), oldest first; the
	// shipment's own number is not among them.
	Legs                              []Leg
	OriginCountry, DestinationCountry string
	// Marketplace is "aliexpress", "temu", "shein", "ebay", "amazon",
	// "other" or "" (unknown).
	Marketplace string
	// Role is who reads the advice; "" means a buyer.
	Role Role
	// ProtectionEnds is when the shop's buyer protection for the parcel
	// ends, as the chat gave it; nil when it did not.
	ProtectionEnds *time.Time
	Now            time.Time
}

// Reader is whose eyes read a shipment's advice: a subscription's role
// and shop, and the end of its buyer protection when the chat gave one.
// The guidance of a shipment is evaluated once per reader.
type Reader struct {
	Role, Marketplace string
	ProtectionEnds    *time.Time
}

// NewSituation describes a shipment for the rules, as a chat with the
// given marketplace and role sees it at now.
func NewSituation(sh *Shipment, marketplace string, role Role, now time.Time) Situation {
	return Situation{
		Number: sh.Number, Carrier: sh.Carrier, Status: sh.Status, Substatus: sh.Substatus,
		StatusChangedAt: sh.StatusChangedAt, TrackedSince: sh.TrackedSince, LastEventAt: sh.LastEventAt, ETA: sh.ETA,
		Events: sh.Events, Legs: sh.Legs,
		OriginCountry: sh.OriginCountry, DestinationCountry: sh.DestinationCountry,
		Marketplace: marketplace, Role: role, Now: now,
	}
}

// Advice is one rule that applies now.
type Advice struct {
	Rule  string `json:"rule"`
	Level Level  `json:"level"`
	// Push is false for rules that only show in info and list (the silent
	// new number); the caller pushes the others once per chat while they
	// apply.
	Push bool `json:"-"`
	// Message is the catalog message id for this role, and marketplace
	// where the steps differ.
	Message string `json:"-"`
	// Data is what the message, its links and buttons are rendered with.
	Data AdviceData `json:"-"`
	// Links are the pages the message points to, for adapters that show
	// them as buttons; the message text names them too.
	Links []Link `json:"-"`
	// Buttons are actions the chat can take on the advice.
	Buttons []Button `json:"-"`
}

// PluralCount returns the count that picks the plural form of the
// message, the Days in Data, and whether there is one. Messages with a
// count have plural forms; render them with it.
func (a Advice) PluralCount() (int, bool) {
	if a.Data.Days == nil {
		return 0, false
	}
	return *a.Data.Days, true
}

// AdviceData is the template data of an advice: Number and Carrier always,
// the rest where the rule has them. Its JSON names are the template
// names, which outbox rows have always used, so rows written before the
// data was typed still decode; the fields are in the order the keys of
// the map they replace were written in.
type AdviceData struct {
	Carrier string `json:"Carrier"`
	// Days is the count that picks the plural form of the message; nil
	// when the rule counts nothing.
	Days *int `json:"Days,omitempty"`
	// Deadline is when a parcel waiting for the recipient goes back, for
	// the caller to show in the chat's time zone.
	Deadline *time.Time `json:"Deadline,omitempty"`
	// About says the Deadline is the usual storage period, not one the
	// carrier stated or the post confirms: the text says "about".
	About bool `json:"About,omitempty"`
	// Link is a page to follow the parcel on: the local carrier's
	// tracking page, or a multi-carrier tracker. It is never a place to
	// pay.
	Link      string `json:"Link,omitempty"`
	NewNumber string `json:"NewNumber,omitempty"`
	Number    string `json:"Number"`
	Post      string `json:"Post,omitempty"`
	Shop      string `json:"Shop,omitempty"`
	// PayLink is the post's own page for paying customs charges, where it
	// has one.
	PayLink string `json:"PayLink,omitempty"`
	// HoldDays is how long the post keeps a parcel with unpaid charges,
	// where known.
	HoldDays int `json:"HoldDays,omitempty"`
	// VAT is "EU" or "GB" when a marketplace order to there usually had
	// its VAT charged at checkout (IOSS up to €150, UK up to £135).
	VAT string `json:"VAT,omitempty"`
}

// Fields returns the data as the message templates take it: Number and
// Carrier, and every other field the rule set.
func (d AdviceData) Fields() map[string]any {
	m := map[string]any{"Number": d.Number, "Carrier": d.Carrier}
	if d.Days != nil {
		m["Days"] = *d.Days
	}
	if d.Deadline != nil {
		m["Deadline"] = *d.Deadline
	}
	for k, v := range map[string]string{"Link": d.Link, "NewNumber": d.NewNumber, "Post": d.Post, "Shop": d.Shop, "PayLink": d.PayLink, "VAT": d.VAT} {
		if v != "" {
			m[k] = v
		}
	}
	if d.HoldDays > 0 {
		m["HoldDays"] = d.HoldDays
	}
	if d.About {
		m["About"] = true
	}
	return m
}

// Link is a web page an advice points to.
type Link struct {
	// Label is a catalog message id, rendered with the advice's Data.
	Label string
	URL   string
}

// Button is an action offered with an advice.
type Button struct {
	// Label is a catalog message id, rendered with the advice's Data.
	Label string
	// Action names what pressing it does, such as "missing".
	Action string
}

// Thresholds are the times after which the time-based rules apply. A zero
// field takes its default.
type Thresholds struct {
	NewNumberSilent, NoInfo, LabelOnly, NoEvent, NoProgress, CustomsLong, OriginSilent, TemuNoUpdate time.Duration
	// Late is how long past its expected delivery a parcel on the way may
	// be before it counts as late.
	Late time.Duration
	// ProtectionLead is how long before a buyer protection ends the
	// reminder comes.
	ProtectionLead time.Duration
}

const oneDay = 24 * time.Hour

// DefaultThresholds are the times the world's experience suggests: a new
// number is silent for up to 48 hours; worry after 7 days without any
// information or any new event; a label alone for 10 days means a delay;
// 14 days without progress call for the seller and a dispute; customs takes
// up to 10 days; an origin carrier silent for 5 days after departure has
// stopped reporting; Temu wants to hear after 7 days without updates; a
// parcel 2 days past its expected delivery is late; a buyer hears 3 days
// before the protection ends, time enough for the seller to extend it (an
// AliExpress seller answers an extension request within 48 hours).
func DefaultThresholds() Thresholds {
	return Thresholds{
		NewNumberSilent: 48 * time.Hour,
		NoInfo:          7 * oneDay,
		LabelOnly:       10 * oneDay,
		NoEvent:         7 * oneDay,
		NoProgress:      14 * oneDay,
		CustomsLong:     10 * oneDay,
		OriginSilent:    5 * oneDay,
		TemuNoUpdate:    7 * oneDay,
		Late:            2 * oneDay,
		ProtectionLead:  3 * oneDay,
	}
}

func (th Thresholds) withDefaults() Thresholds {
	d := DefaultThresholds()
	for _, f := range []struct{ v, def *time.Duration }{
		{&th.NewNumberSilent, &d.NewNumberSilent}, {&th.NoInfo, &d.NoInfo}, {&th.LabelOnly, &d.LabelOnly},
		{&th.NoEvent, &d.NoEvent}, {&th.NoProgress, &d.NoProgress}, {&th.CustomsLong, &d.CustomsLong},
		{&th.OriginSilent, &d.OriginSilent}, {&th.TemuNoUpdate, &d.TemuNoUpdate}, {&th.Late, &d.Late},
		{&th.ProtectionLead, &d.ProtectionLead},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return th
}

// MissingButtonLabel is the catalog id of the label of the button that
// asks for MissingSteps, in the words of role.
func MissingButtonLabel(role Role) string {
	if role == RoleSeller {
		return MessageButtonMissingSeller
	}
	return MessageButtonMissing
}
