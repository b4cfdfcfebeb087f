-- +goose Up
-- A shipment's extras_rev changes whenever what a refresh reads beside
-- its row changes: its events, its legs, the ends of buyer protection its
-- subscriptions gave. The store keeps what it read of them with the
-- revision, and a claim that finds the same revision reads them no more.
-- Triggers keep it, so that every writer, whatever its statement, moves it.
ALTER TABLE shipments ADD COLUMN extras_rev INTEGER NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE TRIGGER events_extras_insert AFTER INSERT ON events BEGIN
    UPDATE shipments SET extras_rev = extras_rev + 1 WHERE id = NEW.shipment_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_extras_update AFTER UPDATE ON events BEGIN
    UPDATE shipments SET extras_rev = extras_rev + 1 WHERE id IN (OLD.shipment_id, NEW.shipment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_extras_delete AFTER DELETE ON events BEGIN
    UPDATE shipments SET extras_rev = extras_rev + 1 WHERE id = OLD.shipment_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER legs_extras_insert AFTER INSERT ON legs BEGIN
    UPDATE shipments SET extras_rev = extras_rev + 1 WHERE id = NEW.shipment_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER legs_extras_update AFTER UPDATE ON legs BEGIN
    UPDATE shipments SET extras_rev = extras_rev + 1 WHERE id IN (OLD.shipment_id, NEW.shipment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER legs_extras_delete AFTER DELETE ON legs BEGIN
    UPDATE shipments SET extras_rev = extras_rev + 1 WHERE id = OLD.shipment_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER subscriptions_extras_insert AFTER INSERT ON subscriptions
WHEN NEW.protection_ends IS NOT NULL BEGIN
    UPDATE shipments SET extras_rev = extras_rev + 1 WHERE id = NEW.shipment_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER subscriptions_extras_update AFTER UPDATE ON subscriptions
WHEN OLD.protection_ends IS NOT NEW.protection_ends OR OLD.shipment_id IS NOT NEW.shipment_id BEGIN
    UPDATE shipments SET extras_rev = extras_rev + 1 WHERE id IN (OLD.shipment_id, NEW.shipment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER subscriptions_extras_delete AFTER DELETE ON subscriptions
WHEN OLD.protection_ends IS NOT NULL BEGIN
    UPDATE shipments SET extras_rev = extras_rev + 1 WHERE id = OLD.shipment_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER subscriptions_extras_delete;
DROP TRIGGER subscriptions_extras_update;
DROP TRIGGER subscriptions_extras_insert;
DROP TRIGGER legs_extras_delete;
DROP TRIGGER legs_extras_update;
DROP TRIGGER legs_extras_insert;
DROP TRIGGER events_extras_delete;
DROP TRIGGER events_extras_update;
DROP TRIGGER events_extras_insert;
ALTER TABLE shipments DROP COLUMN extras_rev;
