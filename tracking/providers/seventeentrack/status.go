package seventeentrack

import "github.com/trackbot/trackbot/tracking"

// mapping is where one of the provider's codes lands in the model.
type mapping = tracking.CodeMapping

// subStatuses maps the 30 sub-statuses of 17TRACK v2.x
// (https://asset.17track.net/api/document/v2.2_en/index.html, status
// and sub-status tables).
var subStatuses = map[string]mapping{
	"NotFound_Other":       {Status: tracking.StatusUnknown, Sub: tracking.SubOther},
	"NotFound_InvalidCode": {Status: tracking.StatusUnknown, Sub: tracking.SubInvalidNumber},

	"InfoReceived": {Status: tracking.StatusPreTransit, Sub: tracking.SubInformationReceived},

	"InTransit_PickedUp":                    {Status: tracking.StatusTransit, Sub: tracking.SubPackageAccepted},
	"InTransit_Other":                       {Status: tracking.StatusTransit, Sub: tracking.SubPackageProcessed, Generic: true},
	"InTransit_Departure":                   {Status: tracking.StatusTransit, Sub: tracking.SubPackageDeparted},
	"InTransit_Arrival":                     {Status: tracking.StatusTransit, Sub: tracking.SubPackageArrived},
	"InTransit_CustomsProcessing":           {Status: tracking.StatusTransit, Sub: tracking.SubCustomsProcessing},
	"InTransit_CustomsReleased":             {Status: tracking.StatusTransit, Sub: tracking.SubPackageProcessed},
	"InTransit_CustomsRequiringInformation": {Status: tracking.StatusTransit, Sub: tracking.SubCustomsInfoRequested},

	// Expired: no update for so long that 17TRACK gave up waiting.
	"Expired_Other": {Status: tracking.StatusTransit, Sub: tracking.SubDelayed},

	"AvailableForPickup_Other": {Status: tracking.StatusTransit, Sub: tracking.SubPickupAvailable},

	"OutForDelivery_Other": {Status: tracking.StatusTransit, Sub: tracking.SubOutForDelivery},

	"DeliveryFailure_Other":          {Status: tracking.StatusTransit, Sub: tracking.SubDeliveryAttempted, Generic: true},
	"DeliveryFailure_NoBody":         {Status: tracking.StatusTransit, Sub: tracking.SubDeliveryAttempted},
	"DeliveryFailure_Security":       {Status: tracking.StatusTransit, Sub: tracking.SubPackageHeld},
	"DeliveryFailure_Rejected":       {Status: tracking.StatusFailure, Sub: tracking.SubRefused},
	"DeliveryFailure_InvalidAddress": {Status: tracking.StatusTransit, Sub: tracking.SubAddressIssue},

	"Delivered_Other": {Status: tracking.StatusDelivered, Sub: tracking.SubDelivered},

	"Exception_Other":     {Status: tracking.StatusFailure, Sub: tracking.SubOther, Generic: true},
	"Exception_Returning": {Status: tracking.StatusReturned, Sub: tracking.SubReturnToSender},
	"Exception_Returned":  {Status: tracking.StatusReturned, Sub: tracking.SubReturnToSender},
	"Exception_NoBody":    {Status: tracking.StatusTransit, Sub: tracking.SubAddressIssue},
	"Exception_Security":  {Status: tracking.StatusTransit, Sub: tracking.SubPackageHeld},
	"Exception_Damage":    {Status: tracking.StatusFailure, Sub: tracking.SubPackageDamaged},
	"Exception_Rejected":  {Status: tracking.StatusFailure, Sub: tracking.SubRefused},
	"Exception_Delayed":   {Status: tracking.StatusTransit, Sub: tracking.SubDelayed},
	"Exception_Lost":      {Status: tracking.StatusFailure, Sub: tracking.SubPackageLost},
	"Exception_Destroyed": {Status: tracking.StatusFailure, Sub: tracking.SubPackageDisposed},
	"Exception_Cancel":    {Status: tracking.StatusFailure, Sub: tracking.SubCancelled},
}

// mainStatuses maps the 9 main statuses, for a sub-status that is missing
// or unknown.
var mainStatuses = map[string]mapping{
	"NotFound":           {Status: tracking.StatusUnknown, Sub: tracking.SubOther},
	"InfoReceived":       {Status: tracking.StatusPreTransit, Sub: tracking.SubInformationReceived},
	"InTransit":          {Status: tracking.StatusTransit, Sub: tracking.SubPackageProcessed, Generic: true},
	"Expired":            {Status: tracking.StatusTransit, Sub: tracking.SubDelayed},
	"AvailableForPickup": {Status: tracking.StatusTransit, Sub: tracking.SubPickupAvailable},
	"OutForDelivery":     {Status: tracking.StatusTransit, Sub: tracking.SubOutForDelivery},
	"DeliveryFailure":    {Status: tracking.StatusTransit, Sub: tracking.SubDeliveryAttempted, Generic: true},
	"Delivered":          {Status: tracking.StatusDelivered, Sub: tracking.SubDelivered},
	"Exception":          {Status: tracking.StatusFailure, Sub: tracking.SubOther, Generic: true},
}

// stages maps the milestone key stages that events carry in "stage".
var stages = map[string]mapping{
	"InfoReceived":       {Status: tracking.StatusPreTransit, Sub: tracking.SubInformationReceived},
	"PickedUp":           {Status: tracking.StatusTransit, Sub: tracking.SubPackageAccepted},
	"Departure":          {Status: tracking.StatusTransit, Sub: tracking.SubPackageDeparted},
	"Arrival":            {Status: tracking.StatusTransit, Sub: tracking.SubPackageArrived},
	"AvailableForPickup": {Status: tracking.StatusTransit, Sub: tracking.SubPickupAvailable},
	"OutForDelivery":     {Status: tracking.StatusTransit, Sub: tracking.SubOutForDelivery},
	"Delivered":          {Status: tracking.StatusDelivered, Sub: tracking.SubDelivered},
	"Returning":          {Status: tracking.StatusReturned, Sub: tracking.SubReturnToSender},
	"Returned":           {Status: tracking.StatusReturned, Sub: tracking.SubReturnToSender},
}

// classify maps 17TRACK's codes onto the model, most specific first: the
// sub-status, the main status, the event's stage. A code none of the tables
// knows is logged once; when no code is known the text decides, through
// tracking.GuessSubstatus, and failing that the status is unknown.
func (p *Provider) classify(main, sub, stage, text string) (tracking.Status, tracking.Substatus) {
	return p.unknown.Classify(Name, text, tracking.CodeTable{Code: sub, Table: subStatuses},
		tracking.CodeTable{Code: main, Table: mainStatuses}, tracking.CodeTable{Code: stage, Table: stages})
}
