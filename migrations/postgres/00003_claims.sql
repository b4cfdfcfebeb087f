-- +goose Up
-- A claim records that a piece of work was taken, so that replicas and
-- restarts do it once: a Slack event delivered again, a channel's digest
-- of the day. Old claims are pruned.
CREATE TABLE claims (
    key        TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX claims_created_at ON claims (created_at);

-- +goose Down
DROP TABLE claims;
