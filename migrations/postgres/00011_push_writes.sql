-- +goose Up
-- A carrier's push writes a shipment's row, its events, its subscriptions'
-- mark of the last pushed event and the chats' pushes, and every index
-- page it touches is WAL to flush before the commit returns (a whole page
-- after a checkpoint). So the writes touch fewer indexes:
-- a shipment is found by its number, alone or with its carrier, through
-- one unique index led by the number (ON CONFLICT (carrier, number) still
-- infers it), instead of two;
ALTER TABLE shipments DROP CONSTRAINT shipments_carrier_number_key;
CREATE UNIQUE INDEX shipments_number_carrier ON shipments (number, carrier);
DROP INDEX shipments_number;
-- events are read by shipment only, which their unique key (shipment_id,
-- fingerprint) serves; a timeline is sorted from its few rows;
DROP INDEX events_timeline;
-- a subscription's mark is updated in place: room on each page lets
-- PostgreSQL do so without touching its indexes (a HOT update).
ALTER TABLE subscriptions SET (fillfactor = 90);

-- +goose Down
ALTER TABLE subscriptions RESET (fillfactor);
CREATE INDEX events_timeline ON events (shipment_id, occurred_at);
CREATE INDEX shipments_number ON shipments (number);
DROP INDEX shipments_number_carrier;
ALTER TABLE shipments ADD CONSTRAINT shipments_carrier_number_key UNIQUE (carrier, number);
