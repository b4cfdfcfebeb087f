-- +goose Up
-- How much of its parcels' news a chat is pushed (/alerts): 'all' (every
-- new scan), 'changes' (a change of status or sub-status) or 'action'
-- (what needs someone to act, delivered, returned). New chats get their
-- kind's default from tracking.DefaultAlertLevel; existing chats get it
-- here: Slack channels 'action', every other chat 'changes'.
ALTER TABLE chats ADD COLUMN alert_level TEXT NOT NULL DEFAULT 'changes';
UPDATE chats SET alert_level = 'action' WHERE kind = 'channel';
-- The quietest alert level that hears a push, so that a chat that turns
-- quieter drops what it no longer wants; '' (pushes written before
-- levels) is heard by every level.
ALTER TABLE outbox ADD COLUMN alert_level TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN alert_level;
ALTER TABLE chats DROP COLUMN alert_level;
