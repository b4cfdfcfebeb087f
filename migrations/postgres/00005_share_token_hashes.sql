-- +goose Up
-- A share token is kept only as the hex SHA-256 of the token, so that a
-- copy of the database (a backup, a dump) opens nobody's tracking page.
-- Links already shared keep working: their tokens are hashed here. A link
-- may now expire.
UPDATE share_tokens SET token = encode(sha256(convert_to(token, 'UTF8')), 'hex');
ALTER TABLE share_tokens RENAME COLUMN token TO token_hash;
ALTER TABLE share_tokens ADD COLUMN expires_at TIMESTAMPTZ;

-- +goose Down
-- The tokens cannot be recovered from their hashes: the links are dropped.
DELETE FROM share_tokens;
ALTER TABLE share_tokens DROP COLUMN expires_at;
ALTER TABLE share_tokens RENAME COLUMN token_hash TO token;
