package tracking

import "strings"

// Stage is a step of a parcel's journey as a tracking page draws it: label,
// accepted, in transit, customs, out for delivery, delivered.
type Stage int

// The stages in journey order. StageNone is a parcel with nothing reported
// yet.
const (
	StageNone Stage = iota - 1
	StageLabel
	StageAccepted
	StageTransit
	StageCustoms
	StageOutForDelivery
	StageDelivered
)

// Stages lists the stages in journey order, StageNone left out.
func Stages() []Stage {
	return []Stage{StageLabel, StageAccepted, StageTransit, StageCustoms, StageOutForDelivery, StageDelivered}
}

// StagesOf lists the stages a shipment's progress strip shows: every
// stage, but customs only for a parcel that may cross a border — one whose
// origin and destination are not known to be the same country.
func StagesOf(sh *Shipment) []Stage {
	domestic := sh.OriginCountry != "" && strings.EqualFold(sh.OriginCountry, sh.DestinationCountry)
	var out []Stage
	for _, s := range Stages() {
		if s == StageCustoms && domestic {
			continue
		}
		out = append(out, s)
	}
	return out
}

// String names the stage for catalogs and JSON: "label", "accepted",
// "transit", "customs", "out_for_delivery", "delivered"; "" for StageNone.
func (s Stage) String() string {
	switch s {
	case StageLabel:
		return "label"
	case StageAccepted:
		return "accepted"
	case StageTransit:
		return "transit"
	case StageCustoms:
		return "customs"
	case StageOutForDelivery:
		return "out_for_delivery"
	case StageDelivered:
		return "delivered"
	}
	return ""
}

// stageSubs are the sub-statuses that place a parcel at a stage other than
// its status's; the rest follow stageOfStatus.
var stageSubs = map[Substatus]Stage{
	SubInformationReceived:  StageLabel,
	SubPackageAccepted:      StageAccepted,
	SubCustomsProcessing:    StageCustoms,
	SubCustomsHeld:          StageCustoms,
	SubCustomsInfoRequested: StageCustoms,
	SubOutForDelivery:       StageOutForDelivery,
	SubDeliveryScheduled:    StageOutForDelivery,
	SubDeliveryAttempted:    StageOutForDelivery,
	SubDeliveryRescheduled:  StageOutForDelivery,
	SubRescheduleDelivery:   StageOutForDelivery,
	SubNoticeLeft:           StageOutForDelivery,
	SubLocationInaccessible: StageOutForDelivery,
	SubPickupAvailable:      StageOutForDelivery,
	SubPackageUnclaimed:     StageOutForDelivery,
	SubRefused:              StageOutForDelivery,
}

// stageOfStatus is where a status places a parcel when its sub-status does
// not say more. A failure or a return says nothing of how far the parcel
// came: StageNone, so that the events before it decide.
var stageOfStatus = map[Status]Stage{
	StatusPreTransit: StageLabel,
	StatusTransit:    StageTransit,
	StatusDelivered:  StageDelivered,
}

// stageOf is the stage one status and sub-status place a parcel at.
func stageOf(st Status, sub Substatus) Stage {
	if s, ok := stageSubs[sub]; ok {
		return s
	}
	if s, ok := stageOfStatus[st]; ok {
		return s
	}
	return StageNone
}

// Progress is how far a shipment has come: the furthest stage any of its
// events (on every leg) or its current state reached, and whether its
// current state is an exception — returned, a delivery problem, or
// anything that needs someone to act — to be shown as such at that stage.
func Progress(sh *Shipment) (reached Stage, exception bool) {
	reached = stageOf(sh.Status, sh.Substatus)
	for _, e := range sh.Events {
		reached = max(reached, stageOf(e.Status, e.Substatus))
	}
	if sh.Status == StatusDelivered {
		reached = StageDelivered
	}
	exception = sh.Status == StatusReturned || sh.Status == StatusFailure || sh.Substatus.ActionRequired()
	return reached, exception
}
