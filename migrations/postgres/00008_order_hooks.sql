-- +goose Up
-- A chat's shop feed (/connect shopify|webhook): orders posted to
-- PUBLIC_URL/webhooks/orders/{id} are tracked in the chat. id is 128
-- random bits, the URL's only name for the chat. secret verifies each
-- delivery's HMAC and so is kept as given, never hashed; '' for a Shopify
-- feed that uses SHOPIFY_WEBHOOK_SECRET or still waits for its key.
CREATE TABLE order_hooks (
    id         TEXT PRIMARY KEY,
    chat_id    BIGINT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    secret     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (chat_id, kind)
);

-- +goose Down
DROP TABLE order_hooks;
