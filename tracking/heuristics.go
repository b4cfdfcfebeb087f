package tracking

import (
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
)

// keywordRules map words in a carrier's description onto the model, most
// specific first: a number the carrier does not know before anything else,
// customs asking for documents before a customs hold ("held at customs,
// invoice required" wants a document, not money, and "missing documents"
// is not a lost parcel), a customs hold before customs in general, a
// return before a delivery ("returned to sender" also contains
// "delivered" in some carriers' texts) and before what caused it ("refused,
// returned to sender" is on its way back), a parcel not collected before
// the pickup point it waits at, an address problem before the failed
// attempt it caused.
var keywordRules = []struct {
	words []string
	sub   Substatus
}{
	{[]string{"invalid tracking number", "invalid number", "invalid code", "incorrect tracking number", "wrong tracking number", "not a valid tracking number", "tracking number is not valid", "tracking number is invalid"}, SubInvalidNumber},
	{[]string{"documents required", "document required", "documents missing", "missing documents", "missing document", "incorrect documents", "incorrect / missing documents", "documents requested", "awaiting documents", "customs documents", "customs documentation", "documentation required", "invoice required", "invoice is required", "commercial invoice", "customs information", "information required by customs", "customs requires", "requiring information", "tax id", "zolldokumente", "rechnung erforderlich", "documents douaniers", "facture requise", "documentación", "documentos requeridos", "таможенные документы", "补充资料", "补充材料"}, SubCustomsInfoRequested},
	{[]string{"duties", "duty", "customs fee", "import tax", "held by customs", "held at customs", "customs hold", "awaiting payment"}, SubCustomsHeld},
	{[]string{"customs", "clearance", "zoll", "douane", "aduana", "таможн", "海关", "清关"}, SubCustomsProcessing},
	{[]string{"return to sender", "returned to sender", "returning to sender", "return to shipper", "retour", "rücksendung", "возврат", "退回"}, SubReturnToSender},
	{[]string{"refused", "rejected by the recipient", "rejected by recipient", "recipient rejected", "declined by the recipient", "annahme verweigert", "refusé", "rehusado", "rechazado por el destinatario", "отказ от получения", "拒收"}, SubRefused},
	{[]string{"shipment cancelled", "shipment canceled", "shipment has been cancelled", "shipment has been canceled", "order cancelled", "order canceled", "label cancelled", "label canceled", "parcel cancelled", "parcel canceled", "cancelled by the sender", "canceled by the sender", "cancelled by sender", "canceled by sender", "storniert", "envoi annulé", "colis annulé", "envío cancelado", "pedido cancelado", "отправление отменено", "已取消"}, SubCancelled},
	{[]string{"lost", "missing"}, SubPackageLost},
	{[]string{"damaged"}, SubPackageDamaged},
	{[]string{"destroyed", "disposed"}, SubPackageDisposed},
	{[]string{"handed over", "handover", "hand over", "transferred to", "tendered to", "forwarded to local", "new tracking number"}, SubCarrierHandover},
	{[]string{"not collected", "uncollected", "unclaimed", "not picked up", "pick up missed", "pickup missed", "nicht abgeholt", "non réclamé", "non retiré", "no recogido", "не востребован", "未领取", "逾期未取"}, SubPackageUnclaimed},
	{[]string{"available for pickup", "ready for pickup", "pickup point", "pick-up point", "parcel locker", "held for collection", "held for pickup", "abholbereit", "filiale"}, SubPickupAvailable},
	{[]string{"held at depot", "held at the depot", "held at delivery depot", "held at facility", "held at the facility", "held by carrier", "held by the carrier", "shipment on hold", "parcel on hold", "on hold", "zurückgehalten", "retenu", "retenido", "задержан", "扣留"}, SubPackageHeld},
	{[]string{"incomplete address", "address incomplete", "incorrect address", "address incorrect", "wrong address", "insufficient address", "address insufficient", "invalid address", "address unknown", "unknown address", "address problem", "address issue", "bad address", "customer moved", "addressee moved", "recipient moved", "adresse unvollständig", "adresse falsch", "empfänger unbekannt", "adresse incomplète", "adresse erronée", "dirección incompleta", "dirección incorrecta", "неверный адрес", "неполный адрес", "地址错误", "地址不详"}, SubAddressIssue},
	{[]string{"notice left", "delivery notice", "card left"}, SubNoticeLeft},
	{[]string{"attempted", "unsuccessful delivery", "failed delivery", "delivery failed", "addressee not available", "not home"}, SubDeliveryAttempted},
	{[]string{"out for delivery", "with courier", "on vehicle for delivery", "in zustellung", "en cours de livraison"}, SubOutForDelivery},
	{[]string{"delivered", "zugestellt", "livré", "entregado", "вручен", "доставлен", "签收", "妥投"}, SubDelivered},
	{[]string{"label created", "shipping label", "information received", "electronic notification", "pre-advice", "awaiting item", "order processed"}, SubInformationReceived},
	{[]string{"departed", "departure", "left the", "dispatched", "export"}, SubPackageDeparted},
	{[]string{"arrived", "arrival", "received at", "import"}, SubPackageArrived},
	{[]string{"accepted", "picked up", "acceptance", "posted", "collected from sender"}, SubPackageAccepted},
	{[]string{"delay", "delayed"}, SubDelayed},
	{[]string{"in transit", "processed", "sorting", "transit"}, SubPackageProcessed},
}

// GuessSubstatus maps a carrier's free-text description onto the model by
// keywords. It is the fallback for codes a provider's table does not know;
// ok is false when no keyword matched.
func GuessSubstatus(description string) (sub Substatus, ok bool) {
	d := strings.ToLower(description)
	for _, r := range keywordRules {
		for _, w := range r.words {
			if strings.Contains(d, w) {
				return r.sub, true
			}
		}
	}
	return SubOther, false
}

// UnknownCodes logs each provider code it has not seen before, once per
// process, so that a gap in a mapping table shows in the log without
// flooding it; every occurrence counts in
// trackbot_provider_unknown_codes_total.
type UnknownCodes struct {
	seen sync.Map
}

// Note logs code as unknown for provider, the first time only, and counts
// it every time.
func (u *UnknownCodes) Note(provider, code string) {
	counter, _ := unknownCodeCounts.LoadOrStore(provider, new(atomic.Int64))
	counter.(*atomic.Int64).Add(1)
	if _, loaded := u.seen.LoadOrStore(provider+"\x00"+code, true); !loaded {
		slog.Warn("unknown provider status code, falling back to text", "provider", provider, "code", code)
	}
}

// unknownCodeCounts counts unknown codes per provider name for the whole
// process: providers note them without knowing about metrics.
var unknownCodeCounts sync.Map // provider name → *atomic.Int64

// CodeMapping is where one of a provider's status codes lands in the
// model. Generic marks catch-all codes ("InTransit_Other"): a keyword in
// the event's text may refine them to another sub-status of the same
// status, so that customs and handovers filed under them are not lost.
type CodeMapping struct {
	Status  Status
	Sub     Substatus
	Generic bool
}

// Refine applies a keyword guess to a generic mapping when the guess stays
// under the mapping's status. A catch-all failure ("Exception_Other") is
// also refined to a return, or to a hold the recipient can act on (an
// address problem, a parcel held or not collected, customs wanting
// documents), under the guess's own status: those parcels are not lost,
// and calling them a failure sends people to the wrong first step.
func (m CodeMapping) Refine(text string) (Status, Substatus) {
	if m.Generic {
		if sub, ok := GuessSubstatus(text); ok {
			switch p := sub.Parent(); {
			case p == m.Status:
				return m.Status, sub
			case m.Status == StatusFailure && (p == StatusReturned || p == StatusTransit && sub.ActionRequired()):
				return p, sub
			}
		}
	}
	return m.Status, m.Sub
}

// CodeTable pairs a code from a payload with the table that maps it.
type CodeTable struct {
	Code  string
	Table map[string]CodeMapping
}

// Classify maps a provider's codes onto the model, trying each code in
// its table in order (most specific first). A code no table knows is
// noted once; when no code is known the text decides, through
// GuessSubstatus, and failing that the status is unknown.
func (u *UnknownCodes) Classify(provider, text string, codes ...CodeTable) (Status, Substatus) {
	for _, c := range codes {
		if c.Code == "" {
			continue
		}
		if m, ok := c.Table[c.Code]; ok {
			return m.Refine(text)
		}
		u.Note(provider, c.Code)
	}
	if sub, ok := GuessSubstatus(text); ok {
		return sub.Parent(), sub
	}
	return StatusUnknown, SubOther
}
