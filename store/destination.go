package store

import (
	"context"
	"fmt"
)

// SetDestinationHint records the destination country a chat gave for a
// shipment (an imported line's country, ISO 3166 alpha-2) while no
// carrier has named one: the guidance's destination post comes from it
// as a carrier would have. A country already known is kept, and a
// carrier's answer later does not replace the one given.
func (s *Store) SetDestinationHint(ctx context.Context, shipmentID int64, country string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE shipments SET destination_country = $1
		WHERE id = $2 AND destination_country = ''`, country, shipmentID); err != nil {
		return fmt.Errorf("store: destination of shipment %d: %w", shipmentID, err)
	}
	return nil
}
