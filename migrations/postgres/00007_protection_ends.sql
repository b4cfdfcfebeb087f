-- +goose Up
-- The end of the shop's buyer protection for a parcel, as the chat gave it
-- (/shop NUMBER SHOP DATE): trackbot reminds the chat before it, once, if
-- the parcel has not arrived. NULL when the chat gave no date.
ALTER TABLE subscriptions ADD COLUMN protection_ends TIMESTAMPTZ;

-- +goose Down
ALTER TABLE subscriptions DROP COLUMN protection_ends;
