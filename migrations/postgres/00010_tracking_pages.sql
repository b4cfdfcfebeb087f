-- +goose Up
-- A seller's branding of its tracking pages (/brand NAME [URL] [LOGO_URL]):
-- the shop's name, its https link and logo, shown on every page the chat
-- shares. No row: the pages carry no brand.
CREATE TABLE chat_brands (
    chat_id    BIGINT PRIMARY KEY REFERENCES chats (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    url        TEXT NOT NULL DEFAULT '',
    logo_url   TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ NOT NULL
);

-- What a shared page shows besides the parcel: the sharer's label and
-- order reference only when the sharer chose "Share with label". Links
-- shared before this version keep them private.
ALTER TABLE share_tokens ADD COLUMN show_label BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE share_tokens DROP COLUMN show_label;
DROP TABLE chat_brands;
