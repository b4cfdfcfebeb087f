package aftership

import "github.com/trackbot/trackbot/tracking"

// mapping is where one of the provider's codes lands in the model.
type mapping = tracking.CodeMapping

// tags maps AfterShip's 9 delivery statuses, for a subtag that is missing
// or unknown (https://www.aftership.com/docs/tracking/2025-01/enum/delivery-statuses).
var tags = map[string]mapping{
	"Pending":            {Status: tracking.StatusUnknown, Sub: tracking.SubOther},
	"InfoReceived":       {Status: tracking.StatusPreTransit, Sub: tracking.SubInformationReceived},
	"InTransit":          {Status: tracking.StatusTransit, Sub: tracking.SubPackageProcessed, Generic: true},
	"OutForDelivery":     {Status: tracking.StatusTransit, Sub: tracking.SubOutForDelivery},
	"AttemptFail":        {Status: tracking.StatusTransit, Sub: tracking.SubDeliveryAttempted, Generic: true},
	"Delivered":          {Status: tracking.StatusDelivered, Sub: tracking.SubDelivered},
	"AvailableForPickup": {Status: tracking.StatusTransit, Sub: tracking.SubPickupAvailable},
	"Exception":          {Status: tracking.StatusFailure, Sub: tracking.SubOther, Generic: true},
	// Expired: no information for 30 days since the tracking was added.
	"Expired": {Status: tracking.StatusUnknown, Sub: tracking.SubOther},
}

// subtags maps every subtag of AfterShip's delivery sub-statuses
// (https://www.aftership.com/docs/tracking/2026-07/enum/delivery-sub-statuses).
// Those listed without a description map like their tag, refined by text.
var subtags = map[string]mapping{
	"Pending_001": {Status: tracking.StatusUnknown, Sub: tracking.SubOther},
	"Pending_002": {Status: tracking.StatusUnknown, Sub: tracking.SubOther},
	"Pending_003": {Status: tracking.StatusUnknown, Sub: tracking.SubOther},
	"Pending_004": {Status: tracking.StatusUnknown, Sub: tracking.SubOther},
	"Pending_005": {Status: tracking.StatusUnknown, Sub: tracking.SubOther},
	"Pending_006": {Status: tracking.StatusUnknown, Sub: tracking.SubOther},

	"InfoReceived_001": {Status: tracking.StatusPreTransit, Sub: tracking.SubInformationReceived},

	"InTransit_001": {Status: tracking.StatusTransit, Sub: tracking.SubPackageProcessed, Generic: true},
	"InTransit_002": {Status: tracking.StatusTransit, Sub: tracking.SubPackageAccepted},   // acceptance scan
	"InTransit_003": {Status: tracking.StatusTransit, Sub: tracking.SubPackageArrived},    // arrival scan
	"InTransit_004": {Status: tracking.StatusTransit, Sub: tracking.SubPackageArrived},    // arrived in the destination country
	"InTransit_005": {Status: tracking.StatusTransit, Sub: tracking.SubPackageProcessed},  // customs clearance completed
	"InTransit_006": {Status: tracking.StatusTransit, Sub: tracking.SubCustomsProcessing}, // customs clearance started
	"InTransit_007": {Status: tracking.StatusTransit, Sub: tracking.SubPackageDeparted},   // departure scan
	"InTransit_008": {Status: tracking.StatusTransit, Sub: tracking.SubPackageProcessed},  // problem resolved
	"InTransit_009": {Status: tracking.StatusTransit, Sub: tracking.SubPackageForwarded},  // forwarded to another address
	"InTransit_010": {Status: tracking.StatusTransit, Sub: tracking.SubPackageProcessed, Generic: true},
	"InTransit_011": {Status: tracking.StatusTransit, Sub: tracking.SubPackageProcessed, Generic: true},
	"InTransit_012": {Status: tracking.StatusTransit, Sub: tracking.SubPackageProcessed, Generic: true},
	"InTransit_013": {Status: tracking.StatusTransit, Sub: tracking.SubPackageProcessed, Generic: true},

	"OutForDelivery_001": {Status: tracking.StatusTransit, Sub: tracking.SubOutForDelivery},
	"OutForDelivery_003": {Status: tracking.StatusTransit, Sub: tracking.SubOutForDelivery},    // customer contacted
	"OutForDelivery_004": {Status: tracking.StatusTransit, Sub: tracking.SubDeliveryScheduled}, // appointment scheduled

	"AttemptFail_001": {Status: tracking.StatusTransit, Sub: tracking.SubDeliveryAttempted, Generic: true},
	"AttemptFail_002": {Status: tracking.StatusTransit, Sub: tracking.SubDeliveryAttempted},    // addressee not available
	"AttemptFail_003": {Status: tracking.StatusTransit, Sub: tracking.SubLocationInaccessible}, // business closed

	"AvailableForPickup_001": {Status: tracking.StatusTransit, Sub: tracking.SubPickupAvailable},

	"Delivered_001": {Status: tracking.StatusDelivered, Sub: tracking.SubDelivered},
	"Delivered_002": {Status: tracking.StatusDelivered, Sub: tracking.SubDelivered}, // picked up by the customer
	"Delivered_003": {Status: tracking.StatusDelivered, Sub: tracking.SubDelivered}, // signed by the customer
	"Delivered_004": {Status: tracking.StatusDelivered, Sub: tracking.SubDelivered}, // cash on delivery collected
	"Delivered_005": {Status: tracking.StatusDelivered, Sub: tracking.SubDelivered}, // left with a neighbour

	"Exception_001": {Status: tracking.StatusFailure, Sub: tracking.SubOther, Generic: true},
	"Exception_002": {Status: tracking.StatusTransit, Sub: tracking.SubAddressIssue},         // customer moved
	"Exception_003": {Status: tracking.StatusFailure, Sub: tracking.SubRefused},              // refused by the recipient
	"Exception_004": {Status: tracking.StatusTransit, Sub: tracking.SubCustomsProcessing},    // delayed in customs
	"Exception_005": {Status: tracking.StatusTransit, Sub: tracking.SubDelayed},              // delayed, external factors
	"Exception_006": {Status: tracking.StatusTransit, Sub: tracking.SubCustomsHeld},          // held for payment
	"Exception_007": {Status: tracking.StatusTransit, Sub: tracking.SubAddressIssue},         // incorrect address
	"Exception_008": {Status: tracking.StatusTransit, Sub: tracking.SubPackageUnclaimed},     // not collected from pickup, not yet returned
	"Exception_009": {Status: tracking.StatusFailure, Sub: tracking.SubPackageUndeliverable}, // rejected by the carrier
	"Exception_010": {Status: tracking.StatusReturned, Sub: tracking.SubReturnToSender},      // returning to sender
	"Exception_011": {Status: tracking.StatusReturned, Sub: tracking.SubReturnToSender},      // returned to sender
	"Exception_012": {Status: tracking.StatusFailure, Sub: tracking.SubPackageDamaged},       // damaged
	"Exception_013": {Status: tracking.StatusFailure, Sub: tracking.SubPackageLost},          // lost
	"Exception_014": {Status: tracking.StatusFailure, Sub: tracking.SubOther, Generic: true},
	"Exception_015": {Status: tracking.StatusFailure, Sub: tracking.SubOther, Generic: true},
	"Exception_016": {Status: tracking.StatusTransit, Sub: tracking.SubDelayed},              // delayed, processing issue
	"Exception_017": {Status: tracking.StatusTransit, Sub: tracking.SubDelayed},              // delayed, extreme weather
	"Exception_018": {Status: tracking.StatusTransit, Sub: tracking.SubCustomsInfoRequested}, // documents missing for customs
	"Exception_019": {Status: tracking.StatusTransit, Sub: tracking.SubDelayed},              // delayed, late flight
	"Exception_020": {Status: tracking.StatusFailure, Sub: tracking.SubCancelled},            // shipment cancelled
	"Exception_021": {Status: tracking.StatusFailure, Sub: tracking.SubPackageDisposed},      // disposed

	"Expired_001": {Status: tracking.StatusUnknown, Sub: tracking.SubOther},
}

// classify maps AfterShip's codes onto the model, the subtag first, then
// the tag. A code neither table knows is logged once; when no code is known
// the text decides, through tracking.GuessSubstatus, and failing that the
// status is unknown.
func (p *Provider) classify(tag, subtag, text string) (tracking.Status, tracking.Substatus) {
	return p.unknown.Classify(Name, text, tracking.CodeTable{Code: subtag, Table: subtags}, tracking.CodeTable{Code: tag, Table: tags})
}
