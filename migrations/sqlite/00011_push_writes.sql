-- +goose Up
-- A carrier's push writes a shipment's events: events are read by shipment
-- only, which their unique key (shipment_id, fingerprint) serves, so the
-- timeline index is one write fewer per event; a timeline is sorted from
-- its few rows.
DROP INDEX events_timeline;

-- +goose Down
CREATE INDEX events_timeline ON events (shipment_id, occurred_at);
