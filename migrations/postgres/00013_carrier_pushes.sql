-- +goose Up
-- A carrier's push is answered as soon as it is verified, read and kept
-- here; a worker merges the kept pushes into their shipments in batches
-- and deletes them. A push is kept whole (all the results it carried, in
-- the store's own encoding), so that answering costs one INSERT into a
-- table of one index, however many shipments and chats there are.
-- A worker leases the rows it merges; a lease that runs out (the worker
-- died, or the merge failed) lets another take them, and merging a push
-- twice writes nothing the second time. taken counts the leases, so that a
-- push that always fails is given up in the end.
CREATE TABLE carrier_pushes (
    id          BIGSERIAL PRIMARY KEY,
    provider    TEXT NOT NULL,
    results     BYTEA NOT NULL,
    received_at TIMESTAMP NOT NULL,
    taken       INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until TIMESTAMP
);

-- +goose Down
DROP TABLE carrier_pushes;
