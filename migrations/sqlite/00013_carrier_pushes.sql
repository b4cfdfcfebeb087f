-- +goose Up
-- A carrier's push is answered as soon as it is verified, read and kept
-- here; a worker merges the kept pushes into their shipments in batches
-- and deletes them (see the PostgreSQL migration).
CREATE TABLE carrier_pushes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    provider    TEXT NOT NULL,
    results     BLOB NOT NULL,
    received_at TIMESTAMP NOT NULL,
    taken       INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until TIMESTAMP
);

-- +goose Down
DROP TABLE carrier_pushes;
