-- +goose Up
-- provider_usage counts the requests made to a provider on a day (UTC), for
-- every replica together, so that a daily quota is kept by all of them.
CREATE TABLE provider_usage (
    provider TEXT NOT NULL,
    day      TEXT NOT NULL,
    used     INTEGER NOT NULL,
    PRIMARY KEY (provider, day)
);

-- +goose Down
DROP TABLE provider_usage;
