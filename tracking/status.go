// Package tracking is trackbot's engine: the normalized status model, number
// detection, the Provider interface that carrier clients implement, and the
// refresh, merge and scheduling logic every chat platform shares.
package tracking

import (
	"slices"
	"strings"
)

// Status is the top level of the normalized status model.
type Status string

// The six statuses of the normalized model.
const (
	StatusPreTransit Status = "PRE_TRANSIT"
	StatusTransit    Status = "TRANSIT"
	StatusDelivered  Status = "DELIVERED"
	StatusReturned   Status = "RETURNED"
	StatusFailure    Status = "FAILURE"
	StatusUnknown    Status = "UNKNOWN"
)

// Statuses lists every status, in journey order.
func Statuses() []Status {
	return []Status{StatusUnknown, StatusPreTransit, StatusTransit, StatusDelivered, StatusReturned, StatusFailure}
}

// Valid reports whether s is one of the six statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPreTransit, StatusTransit, StatusDelivered, StatusReturned, StatusFailure, StatusUnknown:
		return true
	}
	return false
}

// Final reports whether a shipment in this status has reached the end of its
// journey, so that polling only needs a last confirmation.
func (s Status) Final() bool {
	return s == StatusDelivered || s == StatusReturned
}

// Substatus refines a Status and says whether somebody has to act.
type Substatus string

// The sub-statuses of the normalized model: the carriers' common set plus
// trackbot's own for customs, carrier handovers and the exceptions that
// need different actions (documents for customs, a refusal, a
// cancellation, a number the carrier does not know). Three of the
// exceptions keep the carriers' names: address_issue (an address
// problem), package_held (held by the carrier) and package_unclaimed (not
// collected from the pickup point, not yet on its way back).
const (
	SubInformationReceived  Substatus = "information_received"
	SubAddressIssue         Substatus = "address_issue"
	SubContactCarrier       Substatus = "contact_carrier"
	SubDelayed              Substatus = "delayed"
	SubDeliveryAttempted    Substatus = "delivery_attempted"
	SubDeliveryRescheduled  Substatus = "delivery_rescheduled"
	SubDeliveryScheduled    Substatus = "delivery_scheduled"
	SubLocationInaccessible Substatus = "location_inaccessible"
	SubNoticeLeft           Substatus = "notice_left"
	SubOutForDelivery       Substatus = "outfordelivery"
	SubPackageAccepted      Substatus = "package_accepted"
	SubPackageArrived       Substatus = "package_arrived"
	SubPackageDamaged       Substatus = "package_damaged"
	SubPackageDeparted      Substatus = "package_departed"
	SubPackageForwarded     Substatus = "package_forwarded"
	SubPackageHeld          Substatus = "package_held"
	SubPackageProcessed     Substatus = "package_processed"
	SubPackageProcessing    Substatus = "package_processing"
	SubPickupAvailable      Substatus = "pickup_available"
	SubRescheduleDelivery   Substatus = "reschedule_delivery"
	SubDelivered            Substatus = "delivered"
	SubReturnToSender       Substatus = "returntosender"
	SubPackageUnclaimed     Substatus = "package_unclaimed"
	SubPackageUndeliverable Substatus = "package_undeliverable"
	SubPackageDisposed      Substatus = "package_disposed"
	SubPackageLost          Substatus = "package_lost"
	SubOther                Substatus = "other"
	SubCustomsProcessing    Substatus = "customs_processing"
	SubCustomsHeld          Substatus = "customs_held"
	SubCarrierHandover      Substatus = "carrier_handover"
	SubCustomsInfoRequested Substatus = "customs_info_requested"
	SubRefused              Substatus = "refused"
	SubCancelled            Substatus = "cancelled"
	SubInvalidNumber        Substatus = "invalid_number"
)

type substatusInfo struct {
	parent Status
	action bool
}

// substatuses is the table of every sub-status: its parent status and whether
// the recipient or sender must act. "other" may stand under any status; its
// parent here is only the fallback when nothing else is known.
var substatuses = map[Substatus]substatusInfo{
	SubInformationReceived:  {StatusPreTransit, false},
	SubAddressIssue:         {StatusTransit, true},
	SubContactCarrier:       {StatusTransit, true},
	SubDelayed:              {StatusTransit, false},
	SubDeliveryAttempted:    {StatusTransit, true},
	SubDeliveryRescheduled:  {StatusTransit, false},
	SubDeliveryScheduled:    {StatusTransit, false},
	SubLocationInaccessible: {StatusTransit, true},
	SubNoticeLeft:           {StatusTransit, true},
	SubOutForDelivery:       {StatusTransit, false},
	SubPackageAccepted:      {StatusTransit, false},
	SubPackageArrived:       {StatusTransit, false},
	SubPackageDamaged:       {StatusFailure, true},
	SubPackageDeparted:      {StatusTransit, false},
	SubPackageForwarded:     {StatusTransit, false},
	SubPackageHeld:          {StatusTransit, true},
	SubPackageProcessed:     {StatusTransit, false},
	SubPackageProcessing:    {StatusTransit, false},
	SubPickupAvailable:      {StatusTransit, true},
	SubRescheduleDelivery:   {StatusTransit, true},
	SubDelivered:            {StatusDelivered, false},
	SubReturnToSender:       {StatusReturned, true},
	// Unclaimed is still at the pickup point: once the carrier sends it
	// back, its events say returntosender.
	SubPackageUnclaimed:     {StatusTransit, true},
	SubPackageUndeliverable: {StatusFailure, true},
	SubPackageDisposed:      {StatusFailure, true},
	SubPackageLost:          {StatusFailure, true},
	SubOther:                {StatusUnknown, false},
	SubCustomsProcessing:    {StatusTransit, false},
	SubCustomsHeld:          {StatusTransit, true},
	SubCarrierHandover:      {StatusTransit, false},
	// Customs wants documents or information (an invoice, a tax number),
	// not money: customs_held stays the hold for payment.
	SubCustomsInfoRequested: {StatusTransit, true},
	SubRefused:              {StatusFailure, true},
	SubCancelled:            {StatusFailure, true},
	// The carrier does not know the number as given: somebody has to
	// check it, so it is not "nothing to do yet".
	SubInvalidNumber: {StatusUnknown, true},
}

// Substatuses lists every sub-status of the model.
func Substatuses() []Substatus {
	out := make([]Substatus, 0, len(substatuses))
	for s := range substatuses {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// ParseSubstatus maps a sub-status name onto the model, accepting the
// underscore spellings some carriers use ("out_for_delivery",
// "return_to_sender"). Unknown names give SubOther and false.
func ParseSubstatus(name string) (Substatus, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	if _, ok := substatuses[Substatus(name)]; ok {
		return Substatus(name), true
	}
	switch name {
	case "out_for_delivery":
		return SubOutForDelivery, true
	case "return_to_sender":
		return SubReturnToSender, true
	}
	return SubOther, false
}

// Valid reports whether s belongs to the model.
func (s Substatus) Valid() bool {
	_, ok := substatuses[s]
	return ok
}

// Parent is the status this sub-status belongs under.
func (s Substatus) Parent() Status {
	if info, ok := substatuses[s]; ok {
		return info.parent
	}
	return StatusUnknown
}

// ActionRequired reports whether this sub-status needs somebody to act.
func (s Substatus) ActionRequired() bool {
	return substatuses[s].action
}
