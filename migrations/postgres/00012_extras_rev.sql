-- +goose Up
-- SQLite's 00012 adds shipments.extras_rev, which lets the store keep a
-- shipment's events, legs and protection ends between claims. PostgreSQL
-- reads them with a statement prepared once and needs no such revision:
-- every event a push writes would pay for it in the write-ahead log.
SELECT 1;

-- +goose Down
SELECT 1;
