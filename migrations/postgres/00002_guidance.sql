-- +goose Up
-- guidance_sig summarizes which playbook rules apply to a shipment for
-- every role and marketplace, so that a refresh that changes nothing for
-- anyone skips the per-chat guidance work.
ALTER TABLE shipments ADD COLUMN guidance_sig TEXT NOT NULL DEFAULT '';
-- arms counts how often a rule has fired for a subscription: a rule that
-- cleared and returned fires again under a new outbox dedupe key.
ALTER TABLE guidance_state ADD COLUMN arms INTEGER NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE guidance_state DROP COLUMN arms;
ALTER TABLE shipments DROP COLUMN guidance_sig;
