-- +goose Up
-- Lookups that a request or a tick makes, indexed so that their cost does
-- not grow with the tables:
-- a carrier's push names only the number, which may be a shipment's own or
-- a later leg's (the unique indexes lead with carrier and shipment_id);
CREATE INDEX shipments_number ON shipments (number);
CREATE INDEX legs_number ON legs (number);
-- removing a subscription cascades to its outbox rows, kept for 30 days;
CREATE INDEX outbox_subscription ON outbox (subscription_id);
-- pruning finds the rows that were dealt with, by age.
CREATE INDEX outbox_done_created ON outbox (created_at) WHERE state <> 'pending';

-- Numbers are compared as stored, upper case: shipments' always were
-- (tracking.NormalizeNumber); a leg named in lower case by a provider is
-- brought in line unless its upper-case twin exists already.
UPDATE legs SET number = UPPER(number)
    WHERE number <> UPPER(number) AND NOT EXISTS (SELECT 1 FROM legs o
        WHERE o.shipment_id = legs.shipment_id AND o.carrier = legs.carrier AND o.number = UPPER(legs.number));

-- +goose Down
DROP INDEX outbox_done_created;
DROP INDEX outbox_subscription;
DROP INDEX legs_number;
DROP INDEX shipments_number;
