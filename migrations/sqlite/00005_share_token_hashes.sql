-- +goose Up
-- A share token is kept only as the hex SHA-256 of the token, so that a
-- copy of the database (a backup, a dump) opens nobody's tracking page. A
-- link may now expire.
--
-- SQLite has no SHA-256 function, so the tokens stored in plain text
-- cannot be hashed here: the links shared before this version stop
-- working (the page answers 404) and are shared again with the Share
-- button. Keeping them in plain text would leave the very copy this
-- protects against; a Go migration only for them would be the one
-- migration outside these folders.
DELETE FROM share_tokens;
ALTER TABLE share_tokens RENAME COLUMN token TO token_hash;
ALTER TABLE share_tokens ADD COLUMN expires_at TIMESTAMP;

-- +goose Down
DELETE FROM share_tokens;
ALTER TABLE share_tokens DROP COLUMN expires_at;
ALTER TABLE share_tokens RENAME COLUMN token_hash TO token;
