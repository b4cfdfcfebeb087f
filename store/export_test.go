package store

// HotQuery is one statement a request or a tick runs, with arguments to
// plan it with.
type HotQuery struct {
	Name string
	SQL  string
	Args []any
}

// HotQueries are the statements whose cost must not grow with the tables,
// as the store sends them, for the plan test. The cascade from a removed
// subscription to its outbox rows is the DELETE the foreign key runs.
func (s *Store) HotQueries(now, pruneBefore any) []HotQuery {
	return []HotQuery{
		{"shipments and legs by number", shipmentsByNumberSQL, []any{"NUM7777"}},
		{"outbox of a removed subscription", `DELETE FROM outbox WHERE subscription_id = $1`, []any{int64(7777)}},
		{"outbox prune", pruneOutboxSQL, []any{pruneBefore}},
		{"chats by platform", activeChatsSQL, []any{"slack", ""}},
		{"due-shipment claim", s.claimDueSQL(), []any{"owner", now, now, 100}},
		{"outbox claim", s.claimOutboxSQL(), []any{now, now, 100}},
	}
}
