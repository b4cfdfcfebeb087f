package tracking

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

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
	RuleNewNumberSilent    = "new_number_silent"
	RuleNoInfo             = "no_info_7d"
	RuleLabelOnly          = "label_only"
	RuleNoEvent            = "no_event_7d"
	RuleNoProgress         = "no_progress_14d"
	RuleTemuNoUpdate       = "temu_no_update"
	RuleCustomsLong        = "customs_long"
	RuleLate               = "late"
	RuleCustomsHeld        = "customs_held"
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
	MessageLinkPost      = "guidance_link_post"
)

// PickupStorage is how long a pickup point keeps a parcel when the carrier
// does not say: the usual storage period of posts and lockers.
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
	Now  time.Time
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
	Deadline  *time.Time `json:"Deadline,omitempty"`
	Link      string     `json:"Link,omitempty"`
	NewNumber string     `json:"NewNumber,omitempty"`
	Number    string     `json:"Number"`
	Post      string     `json:"Post,omitempty"`
	Shop      string     `json:"Shop,omitempty"`
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
	for k, v := range map[string]string{"Link": d.Link, "NewNumber": d.NewNumber, "Post": d.Post, "Shop": d.Shop} {
		if v != "" {
			m[k] = v
		}
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
}

const oneDay = 24 * time.Hour

// DefaultThresholds are the times the world's experience suggests: a new
// number is silent for up to 48 hours; worry after 7 days without any
// information or any new event; a label alone for 10 days means a delay;
// 14 days without progress call for the seller and a dispute; customs takes
// up to 10 days; an origin carrier silent for 5 days after departure has
// stopped reporting; Temu wants to hear after 7 days without updates; a
// parcel 2 days past its expected delivery is late.
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
	}
}

func (th Thresholds) withDefaults() Thresholds {
	d := DefaultThresholds()
	for _, f := range []struct{ v, def *time.Duration }{
		{&th.NewNumberSilent, &d.NewNumberSilent}, {&th.NoInfo, &d.NoInfo}, {&th.LabelOnly, &d.LabelOnly},
		{&th.NoEvent, &d.NoEvent}, {&th.NoProgress, &d.NoProgress}, {&th.CustomsLong, &d.CustomsLong},
		{&th.OriginSilent, &d.OriginSilent}, {&th.TemuNoUpdate, &d.TemuNoUpdate}, {&th.Late, &d.Late},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return th
}

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
	if role == RoleBuyer && slices.Contains(r.Marketplaces, market) {
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
		if role == RoleBuyer {
			for _, m := range r.Marketplaces {
				ids = append(ids, r.message(role, m))
			}
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
		ID: RuleClaim, Level: LevelAction, Audience: AudienceBoth, Push: true, Marketplaces: allShops,
		Condition: "lost, damaged, disposed of or undeliverable",
		check:     checkClaim,
	},
	{
		ID: RuleReturned, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "on its way back to the sender",
		check:     checkReturned,
	},
	{
		ID: RulePickupAvailable, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "waiting at a pickup point; the deadline comes from the event text or the usual 7-day storage",
		check:     checkPickup,
	},
	{
		ID: RuleDeliveryAttempted, Level: LevelAction, Audience: AudienceBoth, Push: true,
		Condition: "delivery attempted, notice left, or the carrier needs the recipient (address, access, rescheduling, held)",
		check:     checkAttempted,
	},
	invalidNumberRule,
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
		Condition: "in customs processing for CustomsLong",
		check:     checkCustomsLong,
	},
	{
		ID: RuleLate, Level: LevelWarn, Audience: AudienceBoth, Push: true,
		Supersedes: []string{RuleNoEvent},
		Condition:  "on the way, its expected delivery (ETA) passed by Late",
		check:      checkLate,
	},
	{
		ID: RuleOriginSilent, Level: LevelWarn, Audience: AudienceBoth, Push: true,
		Condition: "departed the origin country, no destination event since, silent for OriginSilent",
		check:     checkOriginSilent,
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
var missingRule = Rule{ID: RuleMissing, Level: LevelAction, Audience: AudienceBoth, Marketplaces: allShops}

// Rules returns the playbook: every rule Evaluate knows, in priority order.
func Rules() []Rule {
	out := make([]Rule, len(playbook))
	for i, r := range playbook {
		r.Marketplaces = slices.Clone(r.Marketplaces)
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
	ids = append(ids, MessageButtonMissing, MessageLinkPost)
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
	for i, r := range playbook {
		if !r.Audience.includes(f.role) {
			continue
		}
		var checked Advice
		if !r.check(f, &checked) {
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

// facts is what the rules share about one situation, worked out once.
type facts struct {
	s      Situation
	th     Thresholds
	role   Role
	market string
	status Status
	// events are the situation's events ordered by time.
	events []Event
	// lastAt is the newest event's time; hasEvents says whether there is
	// one.
	lastAt    time.Time
	hasEvents bool
	dest      string
	// carrierName is the carrier's display name, looked up once.
	carrierName string
}

func newFacts(s Situation, th Thresholds) *facts {
	f := &facts{s: s, th: th}
	f.setAudience(s.Role, s.Marketplace)
	f.events = slices.Clone(s.Events)
	slices.SortStableFunc(f.events, func(a, b Event) int { return a.Time.Compare(b.Time) })
	if n := len(f.events); n > 0 {
		f.lastAt, f.hasEvents = f.events[n-1].Time, true
	}
	if s.LastEventAt != nil && (!f.hasEvents || s.LastEventAt.After(f.lastAt)) {
		f.lastAt, f.hasEvents = *s.LastEventAt, true
	}
	f.status = s.Status
	if !f.status.Valid() {
		f.status = s.Substatus.Parent()
	}
	f.dest = strings.ToUpper(strings.TrimSpace(s.DestinationCountry))
	f.carrierName = CarrierName(s.Carrier)
	return f
}

// setAudience sets whom the advice is for: a seller, or a buyer (the
// default) of a marketplace.
func (f *facts) setAudience(role Role, marketplace string) {
	f.s.Role, f.s.Marketplace = role, marketplace
	f.role, f.market = RoleBuyer, strings.ToLower(strings.TrimSpace(marketplace))
	if Role(strings.ToLower(strings.TrimSpace(string(role)))) == RoleSeller {
		f.role = RoleSeller
	}
}

// forAudience is a copy of the facts for another role and marketplace;
// what the shipment's events say is shared, not worked out again.
func (f *facts) forAudience(role Role, marketplace string) *facts {
	g := *f
	g.setAudience(role, marketplace)
	return &g
}

// advice starts the advice of rule r with the data every message may use.
func (f *facts) advice(r Rule) Advice {
	data := AdviceData{Number: f.s.Number, Carrier: f.carrierName, Shop: shopNames[f.market]}
	return Advice{Rule: r.ID, Level: r.Level, Push: r.Push, Message: r.message(f.role, f.market), Data: data}
}

// since is the time elapsed from t to now.
func (f *facts) since(t time.Time) time.Duration { return f.s.Now.Sub(t) }

// wholeDays is a duration in whole days, for the Days template variable.
func wholeDays(d time.Duration) *int {
	n := int(d / oneDay)
	return &n
}

// onTheWay reports whether the parcel is still travelling with nobody
// needing to act: the state the stall rules watch.
func (f *facts) onTheWay() bool {
	switch f.status {
	case StatusDelivered, StatusReturned, StatusFailure:
		return false
	}
	return !f.s.Substatus.ActionRequired()
}

// quietSince is when the shipment last showed any sign of life: its newest
// event, or the start of tracking when there is none.
func (f *facts) quietSince() time.Time {
	if f.hasEvents {
		return f.lastAt
	}
	return f.s.TrackedSince
}

// stateSince is when the current sub-status began.
func (f *facts) stateSince() time.Time {
	if !f.s.StatusChangedAt.IsZero() {
		return f.s.StatusChangedAt
	}
	start := time.Time{}
	for i := len(f.events) - 1; i >= 0 && f.events[i].Substatus == f.s.Substatus; i-- {
		start = f.events[i].Time
	}
	if start.IsZero() {
		return f.quietSince()
	}
	return start
}

// labelOnly reports whether every event so far says no more than that a
// label exists.
func (f *facts) labelOnly() bool {
	if len(f.events) == 0 {
		return false
	}
	for _, e := range f.events {
		if e.Substatus != SubInformationReceived && !(e.Status == StatusPreTransit && (e.Substatus == "" || e.Substatus == SubOther)) {
			return false
		}
	}
	return true
}

// newest returns the newest event with sub-status sub.
func (f *facts) newest(sub Substatus) (Event, bool) {
	for i := len(f.events) - 1; i >= 0; i-- {
		if f.events[i].Substatus == sub {
			return f.events[i], true
		}
	}
	return Event{}, false
}

// destinationOnly are the sub-statuses that only happen once a parcel is
// in the country it is delivered in.
var destinationOnly = map[Substatus]bool{
	SubCustomsProcessing: true, SubCustomsHeld: true, SubCarrierHandover: true, SubOutForDelivery: true,
	SubDeliveryAttempted: true, SubNoticeLeft: true, SubPickupAvailable: true, SubDelivered: true,
	SubDeliveryScheduled: true, SubDeliveryRescheduled: true, SubRescheduleDelivery: true,
	SubAddressIssue: true, SubLocationInaccessible: true, SubPackageUnclaimed: true,
}

// inDestination reports whether an event shows the parcel in the
// destination country.
func (f *facts) inDestination(e Event) bool {
	if destinationOnly[e.Substatus] {
		return true
	}
	cc := strings.ToUpper(e.Location.Country)
	return f.dest != "" && cc == f.dest && f.dest != strings.ToUpper(f.s.OriginCountry)
}

// expressCarriers deliver door to door themselves: no post takes over
// from them.
var expressCarriers = map[string]bool{CarrierUPS: true, CarrierFedEx: true, CarrierDHLExpress: true}

// localCarrier is who delivers the parcel now: the newest leg's number and
// carrier, or the shipment's own.
type localCarrier struct {
	number, name, link string
}

// deliveringPost returns who delivers the parcel in the destination
// country and the page where its number can be followed: the express
// carrier itself (no link), or the destination post (with a link when the
// country's post is known).
func (f *facts) deliveringPost() localCarrier {
	number, carrier := f.s.Number, f.s.Carrier
	if n := len(f.s.Legs); n > 0 {
		number, carrier = f.s.Legs[n-1].Number, f.s.Legs[n-1].Carrier
	}
	if expressCarriers[carrier] {
		return localCarrier{number: number, name: CarrierName(carrier)}
	}
	if p, ok := DestinationPostFor(f.dest); ok {
		return localCarrier{number: number, name: p.Name, link: p.URL(number)}
	}
	return localCarrier{number: number}
}

// addPost puts a local carrier into the advice's data and links.
func (f *facts) addPost(a *Advice, lc localCarrier) {
	if lc.name != "" {
		a.Data.Post = lc.name
	}
	if lc.link != "" {
		a.Data.Link = lc.link
		a.Links = append(a.Links, Link{Label: MessageLinkPost, URL: lc.link})
	}
}

func checkCustomsHeld(f *facts, a *Advice) bool {
	if f.s.Substatus != SubCustomsHeld || f.status == StatusDelivered || f.status == StatusReturned {
		return false
	}
	f.addPost(a, f.deliveringPost())
	return true
}

// claimSubs are the sub-statuses after which only a claim or a refund
// helps.
var claimSubs = map[Substatus]bool{
	SubPackageLost: true, SubPackageDamaged: true, SubPackageDisposed: true, SubPackageUndeliverable: true,
}

func checkClaim(f *facts, _ *Advice) bool {
	return f.status == StatusFailure || claimSubs[f.s.Substatus]
}

func checkReturned(f *facts, _ *Advice) bool {
	return f.status == StatusReturned
}

func checkPickup(f *facts, a *Advice) bool {
	if f.s.Substatus != SubPickupAvailable {
		return false
	}
	// The carrier's own words win; otherwise storage began when the
	// parcel first became available, whatever reminders followed.
	e, _ := f.newest(SubPickupAvailable)
	deadline, ok := deadlineIn(e.Description, e.Time)
	if !ok {
		deadline = f.stateSince().Add(PickupStorage)
	}
	a.Data.Deadline = &deadline
	f.addPost(a, f.deliveringPost())
	return true
}

// attemptSubs are the sub-statuses where delivery failed or the carrier
// waits for the recipient.
var attemptSubs = map[Substatus]bool{
	SubDeliveryAttempted: true, SubNoticeLeft: true, SubAddressIssue: true, SubContactCarrier: true,
	SubLocationInaccessible: true, SubRescheduleDelivery: true, SubPackageHeld: true,
}

func checkAttempted(f *facts, a *Advice) bool {
	if !attemptSubs[f.s.Substatus] {
		return false
	}
	if e, ok := f.newest(f.s.Substatus); ok {
		if deadline, ok := deadlineIn(e.Description, e.Time); ok {
			a.Data.Deadline = &deadline
		}
	}
	f.addPost(a, f.deliveringPost())
	return true
}

func checkNoProgress(f *facts, a *Advice) bool {
	quiet := f.since(f.quietSince())
	if !f.onTheWay() || quiet < f.th.NoProgress {
		return false
	}
	a.Data.Days = wholeDays(quiet)
	return true
}

func checkTemu(f *facts, a *Advice) bool {
	quiet := f.since(f.quietSince())
	if f.market != MarketplaceTemu || !f.onTheWay() || quiet < f.th.TemuNoUpdate {
		return false
	}
	a.Data.Days = wholeDays(quiet)
	return true
}

func checkCustomsLong(f *facts, a *Advice) bool {
	if f.s.Substatus != SubCustomsProcessing {
		return false
	}
	in := f.since(f.stateSince())
	if in < f.th.CustomsLong {
		return false
	}
	a.Data.Days = wholeDays(in)
	return true
}

func checkLate(f *facts, a *Advice) bool {
	if f.s.ETA == nil || !f.onTheWay() {
		return false
	}
	late := f.since(*f.s.ETA)
	if late < f.th.Late {
		return false
	}
	a.Data.Days = wholeDays(late)
	return true
}

func checkOriginSilent(f *facts, a *Advice) bool {
	if !f.onTheWay() || !f.hasEvents || len(f.s.Legs) > 0 {
		return false
	}
	if expressCarriers[f.s.Carrier] || f.s.Carrier != "" && f.s.Carrier == PostCarrier(f.dest) {
		return false // door-to-door and destination-post tracking are not partial
	}
	departed := -1
	for i, e := range f.events {
		if e.Substatus == SubPackageDeparted && !f.inDestination(e) {
			departed = i
		}
	}
	if departed < 0 {
		return false
	}
	for _, e := range f.events[departed+1:] {
		if f.inDestination(e) {
			return false
		}
	}
	silent := f.since(f.lastAt)
	if silent < f.th.OriginSilent {
		return false
	}
	a.Data.Days = wholeDays(silent)
	if p, ok := DestinationPostFor(f.dest); ok {
		f.addPost(a, localCarrier{number: f.s.Number, name: p.Name, link: p.URL(f.s.Number)})
	}
	return true
}

func checkMovedAfterDelivery(f *facts, _ *Advice) bool {
	if f.status == StatusDelivered {
		return false
	}
	delivered, ok := f.newest(SubDelivered)
	if !ok {
		return false
	}
	for _, e := range f.events {
		if e.Time.After(delivered.Time) && e.Substatus != SubDelivered {
			return true
		}
	}
	return false
}

func checkNoEvent(f *facts, a *Advice) bool {
	if !f.hasEvents || !f.onTheWay() || f.labelOnly() || f.s.Substatus == SubCustomsProcessing {
		return false
	}
	quiet := f.since(f.lastAt)
	if quiet < f.th.NoEvent {
		return false
	}
	a.Data.Days = wholeDays(quiet)
	return true
}

func checkLabelOnly(f *facts, a *Advice) bool {
	if !f.onTheWay() || !f.labelOnly() {
		return false
	}
	waiting := f.since(f.events[0].Time)
	if waiting < f.th.LabelOnly {
		return false
	}
	a.Data.Days = wholeDays(waiting)
	return true
}

func checkNoInfo(f *facts, a *Advice) bool {
	if f.hasEvents || !f.onTheWay() {
		return false
	}
	tracked := f.since(f.s.TrackedSince)
	if tracked < f.th.NoInfo {
		return false
	}
	a.Data.Days = wholeDays(tracked)
	return true
}

func checkDestinationPost(f *facts, a *Advice) bool {
	// Only the end of the journey clears the rule: the parcel may wait at
	// a pickup point or for its duties in between, and the advice stands.
	switch f.status {
	case StatusDelivered, StatusReturned, StatusFailure:
		return false
	}
	legs := len(f.s.Legs) > 0
	if !legs {
		// Without a new number the post only knows the parcel by its
		// S10 number, and only when somebody else carried it so far.
		if expressCarriers[f.s.Carrier] || !s10Shaped(strings.ToUpper(f.s.Number)) {
			return false
		}
		if f.s.Carrier != "" && f.s.Carrier == PostCarrier(f.dest) {
			return false
		}
		if _, ok := DestinationPostFor(f.dest); !ok {
			return false
		}
	}
	reached := legs
	for _, e := range f.events {
		if e.Substatus == SubCarrierHandover || f.inDestination(e) {
			reached = true
		}
	}
	if !reached {
		return false
	}
	lc := f.deliveringPost()
	a.Data.NewNumber = lc.number
	f.addPost(a, lc)
	return true
}

func checkDelivered(f *facts, a *Advice) bool {
	if f.status != StatusDelivered {
		return false
	}
	a.Buttons = append(a.Buttons, Button{Label: MessageButtonMissing, Action: ActionMissing})
	return true
}

func checkNewNumber(f *facts, _ *Advice) bool {
	return !f.hasEvents && f.onTheWay() && f.since(f.s.TrackedSince) < f.th.NewNumberSilent
}

var (
	deadlineISO  = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	deadlineDMY  = regexp.MustCompile(`\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b`)
	deadlineDays = regexp.MustCompile(`(?i)(\d{1,2})\s*(?:days?|tage?n?|jours?|d[ií]as|дн[а-яё]*|день|天)`)
)

// deadlineIn finds a collection deadline in a carrier's event text: a date
// ("until 2026-11-30", "bis 30.11.2026") or a period after the event
// ("collect within 7 days"). A date is placed at noon UTC, so that it shows
// as the same day in every chat's time zone.
func deadlineIn(text string, at time.Time) (time.Time, bool) {
	plausible := func(t time.Time) bool { return t.After(at) && t.Before(at.Add(90*oneDay)) }
	if m := deadlineISO.FindStringSubmatch(text); m != nil {
		if t, ok := noonUTC(m[1], m[2], m[3]); ok && plausible(t) {
			return t, true
		}
	}
	if m := deadlineDMY.FindStringSubmatch(text); m != nil {
		if t, ok := noonUTC(m[3], m[2], m[1]); ok && plausible(t) {
			return t, true
		}
	}
	if m := deadlineDays.FindStringSubmatch(text); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			if t := at.Add(time.Duration(n) * oneDay); plausible(t) {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

func noonUTC(year, month, dayOfMonth string) (time.Time, bool) {
	y, err1 := strconv.Atoi(year)
	m, err2 := strconv.Atoi(month)
	d, err3 := strconv.Atoi(dayOfMonth)
	if err1 != nil || err2 != nil || err3 != nil || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // 31 April and the like
	}
	return t, true
}
