package tracking

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

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
	f.setAudience(Reader{Role: string(s.Role), Marketplace: s.Marketplace, ProtectionEnds: s.ProtectionEnds})
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
// default) of a marketplace, with the end of the buyer protection.
func (f *facts) setAudience(r Reader) {
	f.s.Role, f.s.Marketplace, f.s.ProtectionEnds = Role(r.Role), r.Marketplace, r.ProtectionEnds
	f.role, f.market = RoleBuyer, strings.ToLower(strings.TrimSpace(r.Marketplace))
	if Role(strings.ToLower(strings.TrimSpace(r.Role))) == RoleSeller {
		f.role = RoleSeller
	}
}

// forAudience is a copy of the facts for another reader; what the
// shipment's events say is shared, not worked out again.
func (f *facts) forAudience(r Reader) *facts {
	g := *f
	g.setAudience(r)
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

// localCarrier is who delivers the parcel now and where its number can be
// followed.
type localCarrier struct {
	number, name, link string
	// tracker says that link is a multi-carrier tracker: trackbot does
	// not know who carries the number locally.
	tracker bool
	// post says the carrier is the destination country's post.
	post bool
}

// deliveringPost returns who delivers the parcel in the destination
// country and the page where its number can be followed: the express
// carrier itself (no link), the courier or post that carries the newest
// leg (its own page), the destination post when it can know the number,
// or else nobody by name and a multi-carrier tracker.
func (f *facts) deliveringPost() localCarrier {
	number, carrier := f.s.Number, f.s.Carrier
	if n := len(f.s.Legs); n > 0 {
		number, carrier = f.s.Legs[n-1].Number, f.s.Legs[n-1].Carrier
	}
	if expressCarriers[carrier] {
		return localCarrier{number: number, name: CarrierName(carrier)}
	}
	if c, ok := LastMileCarrierFor(carrier); ok {
		p, isPost := DestinationPostFor(f.dest)
		return localCarrier{number: number, name: c.Name, link: c.URL(number), post: isPost && p.Name == c.Name}
	}
	return f.postFor(number, carrier)
}

// postFor returns the destination post with its page for number when the
// post can know the number, and a multi-carrier tracker otherwise. A post
// knows the UPU S10 numbers every post shares and its own formats; a
// consolidator's number (LP…, YT…, 4PX…) it has never seen, and the buyer
// finds the local number on the shop's order page or in the handover scan.
//
// The demo carrier's journeys hand the parcel to the destination post, so
// its numbers count as the post's.
func (f *facts) postFor(number, carrier string) localCarrier {
	if p, ok := DestinationPostFor(f.dest); ok && (carrier == CarrierDemo || postKnows(f.dest, number)) {
		return localCarrier{number: number, name: p.Name, link: p.URL(number), post: true}
	}
	return localCarrier{number: number, link: TrackerURL(number), tracker: true}
}

// postKnows reports whether the post of country can know number: an S10
// number with a real country code, or a number the detector matches to
// that post's own formats.
func postKnows(country, number string) bool {
	n := strings.ToUpper(strings.TrimSpace(number))
	if _, ok := s10Country(n); ok && s10Shaped(n) {
		return true
	}
	post := PostCarrier(country)
	if post == "" {
		return false
	}
	for _, c := range Detect(n).Candidates {
		if c.Carrier == post && c.Format != "s10" {
			return true
		}
	}
	return false
}

// addPost puts a local carrier into the advice's data and links.
func (f *facts) addPost(a *Advice, lc localCarrier) {
	if lc.name != "" {
		a.Data.Post = lc.name
	}
	if lc.link != "" {
		a.Data.Link = lc.link
		label := MessageLinkPost
		if lc.tracker {
			label = MessageLinkTracker
		}
		a.Links = append(a.Links, Link{Label: label, URL: lc.link})
	}
}

// checkCustomsHeld names who collects the charges but links no tracking
// page: a tracking page is not a place to pay, and "pay here" next to a
// link is what fee scams look like. Only a post's own payment page is
// linked.
func checkCustomsHeld(f *facts, a *Advice) bool {
	if f.s.Substatus != SubCustomsHeld || f.status == StatusDelivered || f.status == StatusReturned {
		return false
	}
	lc := f.deliveringPost()
	a.Data.Post = lc.name
	if fp, ok := FeePageFor(f.dest); ok && lc.post {
		a.Data.PayLink, a.Data.HoldDays = fp.URL, fp.HoldDays
		a.Links = append(a.Links, Link{Label: MessageLinkPay, URL: fp.URL})
	}
	if shopNames[f.market] != "" || f.role == RoleSeller {
		a.Data.VAT = vatAtCheckout(f.dest)
	}
	return true
}

// checkCustomsInfo applies while customs waits for documents or
// information, which no payment settles.
func checkCustomsInfo(f *facts, a *Advice) bool {
	if f.s.Substatus != SubCustomsInfoRequested || f.status == StatusDelivered || f.status == StatusReturned {
		return false
	}
	lc := f.deliveringPost()
	a.Data.Post = lc.name
	return true
}

// claimSubs are the sub-statuses after which only a claim or a refund
// helps.
var claimSubs = map[Substatus]bool{
	SubPackageLost: true, SubPackageDamaged: true, SubPackageDisposed: true, SubPackageUndeliverable: true,
}

func checkClaim(f *facts, _ *Advice) bool {
	return claimSubs[f.s.Substatus]
}

func checkRefused(f *facts, _ *Advice) bool {
	return f.s.Substatus == SubRefused && f.status != StatusDelivered && f.status != StatusReturned
}

func checkCancelled(f *facts, _ *Advice) bool {
	return f.s.Substatus == SubCancelled && f.status != StatusDelivered && f.status != StatusReturned
}

// checkFailure is a failure the carrier gives no reason for: not a loss
// until the carrier says so.
func checkFailure(f *facts, _ *Advice) bool {
	if f.status != StatusFailure {
		return false
	}
	switch {
	case claimSubs[f.s.Substatus], f.s.Substatus == SubRefused, f.s.Substatus == SubCancelled:
		return false
	}
	return true
}

// exceptionCheck returns the check of a rule that applies while the
// shipment's sub-status is sub, with the local carrier's page.
func exceptionCheck(sub Substatus) func(f *facts, a *Advice) bool {
	return func(f *facts, a *Advice) bool {
		if f.s.Substatus != sub || f.status == StatusDelivered || f.status == StatusReturned {
			return false
		}
		f.addPost(a, f.deliveringPost())
		return true
	}
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
	lc := f.deliveringPost()
	deadline, ok := deadlineIn(e.Description, e.Time)
	if !ok {
		deadline, a.Data.About = f.storageEnd(lc)
	}
	a.Data.Deadline = &deadline
	f.addPost(a, lc)
	return true
}

// storageEnd is when a parcel waiting at a pickup point of lc goes back,
// by the storage period of the destination post, and whether that is only
// the usual period ("about"): a courier's points, and posts whose period
// is not confirmed, keep their own.
func (f *facts) storageEnd(lc localCarrier) (time.Time, bool) {
	start := f.stateSince()
	if p, ok := PickupStorageFor(f.dest); ok && lc.post {
		return p.Count.after(start, p.Days), !p.Verified
	}
	return start.Add(PickupStorage), true
}

// attemptSubs are the sub-statuses where delivery failed or the carrier
// waits for the recipient.
var attemptSubs = map[Substatus]bool{
	SubDeliveryAttempted: true, SubNoticeLeft: true, SubLocationInaccessible: true, SubRescheduleDelivery: true,
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

// checkNoProgress leaves a parcel in customs to customs_long: a dispute
// opened while a charge is unpaid can get the parcel sent back.
func checkNoProgress(f *facts, a *Advice) bool {
	quiet := f.since(f.quietSince())
	if !f.onTheWay() || f.s.Substatus == SubCustomsProcessing || quiet < f.th.NoProgress {
		return false
	}
	a.Data.Days = wholeDays(quiet)
	return true
}

// checkProtectionEnding applies from ProtectionLead before the buyer
// protection the chat gave ends until it ends, while the parcel is not
// delivered. Once it has ended the reminder is of no use, and it clears.
func checkProtectionEnding(f *facts, a *Advice) bool {
	ends := f.s.ProtectionEnds
	if ends == nil || f.status == StatusDelivered || !f.s.Now.Before(*ends) || f.s.Now.Before(ends.Add(-f.th.ProtectionLead)) {
		return false
	}
	end := *ends
	a.Data.Deadline = &end
	return true
}

func checkTemu(f *facts, a *Advice) bool {
	quiet := f.since(f.quietSince())
	if f.market != MarketplaceTemu || !f.onTheWay() || f.s.Substatus == SubCustomsProcessing || quiet < f.th.TemuNoUpdate {
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

// stoppedAtExport reports whether the carrier's tracking ends where the
// parcel left the origin country: a departure, and no event in the
// destination since. Such tracking never shows "delivered".
func (f *facts) stoppedAtExport() bool {
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
	return true
}

// checkOriginSilent applies once a parcel whose tracking stopped at export
// has been silent for OriginSilent: the destination's page may know more.
func checkOriginSilent(f *facts, a *Advice) bool { return silentSinceExport(f, a, f.th.OriginSilent) }

// checkPartialTracking applies once a parcel whose tracking stopped at
// export has been silent as long as the no-progress advice waits: it may
// have arrived unseen, and that is worth checking before a dispute.
func checkPartialTracking(f *facts, a *Advice) bool { return silentSinceExport(f, a, f.th.NoProgress) }

// silentSinceExport reports a parcel whose tracking stopped at export and
// that has been silent for at least wait, and points the advice at where
// it can be followed now.
func silentSinceExport(f *facts, a *Advice, wait time.Duration) bool {
	silent := f.since(f.lastAt)
	if !f.stoppedAtExport() || silent < wait {
		return false
	}
	a.Data.Days = wholeDays(silent)
	f.addPost(a, f.postFor(f.s.Number, f.s.Carrier))
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
	a.Buttons = append(a.Buttons, Button{Label: MissingButtonLabel(f.role), Action: ActionMissing})
	return true
}

func checkNewNumber(f *facts, _ *Advice) bool {
	return !f.hasEvents && f.onTheWay() && f.since(f.s.TrackedSince) < f.th.NewNumberSilent
}

var (
	deadlineISO = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	deadlineDMY = regexp.MustCompile(`\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b`)
	// deadlineDays is a period: group 2 is in days Monday to Saturday
	// (Werktage, jours ouvrables), group 3 in business days Monday to
	// Friday, group 4 in calendar days.
	deadlineDays = regexp.MustCompile(`(?i)(\d{1,2})\s*(?:(werktage?n?|jours?\s+ouvrables)|((?:working|business)\s+days?|jours?\s+ouvr[ée]s|d[ií]as\s+h[aá]biles|arbeitstage?n?|рабочи[а-яё]*\s+дн[а-яё]*|个?工作日)|(kalendertage?n?|days?|tage?n?|jours?|d[ií]as|дн[а-яё]*|день|天))`)
	// deadlineClause splits an event text into clauses; a date or
	// period only counts as a deadline in a clause about collecting or
	// keeping the parcel.
	deadlineClause = regexp.MustCompile(`[;,:!?\n，。；：]|\.\s`)
	// collectWords mean collect, pick up, keep or store.
	collectWords = regexp.MustCompile(`(?i)collect|pick[\s-]?up|held|hold|kept|keep|stor(?:ed|age)|abhol|lagerfrist|gelagert|aufbewahr|retir|retrait|conserv|recog|guard|хран|получ|забра|取件|领取|自取|保留|存放|待取`)
	// redeliveryWords mark a clause about a new delivery, whose period
	// ("redelivery in 2 days") is no collection deadline.
	redeliveryWords = regexp.MustCompile(`(?i)re-?deliver|next\s+(?:delivery\s+)?attempt|zustellung|zustellversuch|livraison|relivr|entrega|reparto|доставк|派送|投递|配送`)
)

// deadlineIn finds a collection deadline in a carrier's event text: a date
// ("collect by 2026-11-30", "abholbereit bis 30.11.2026") or a period after
// the event ("collect within 7 days", "7 Werktage gelagert") in a clause
// that speaks of collecting or keeping the parcel, not of a redelivery. A
// date is placed at noon UTC, so that it shows as the same day in every
// chat's time zone; a period in working days skips the days that do not
// count.
func deadlineIn(text string, at time.Time) (time.Time, bool) {
	plausible := func(t time.Time) bool { return t.After(at) && t.Before(at.Add(90*oneDay)) }
	for _, clause := range deadlineClause.Split(text, -1) {
		if !collectWords.MatchString(clause) || redeliveryWords.MatchString(clause) {
			continue
		}
		if m := deadlineISO.FindStringSubmatch(clause); m != nil {
			if t, ok := noonUTC(m[1], m[2], m[3]); ok && plausible(t) {
				return t, true
			}
		}
		if m := deadlineDMY.FindStringSubmatch(clause); m != nil {
			if t, ok := noonUTC(m[3], m[2], m[1]); ok && plausible(t) {
				return t, true
			}
		}
		if m := deadlineDays.FindStringSubmatch(clause); m != nil {
			n, err := strconv.Atoi(m[1])
			if err != nil || n <= 0 {
				continue
			}
			count := CalendarDays
			switch {
			case m[2] != "":
				count = WorkingDaysMonSat
			case m[3] != "":
				count = WorkingDaysMonFri
			}
			if t := count.after(at, n); plausible(t) {
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
