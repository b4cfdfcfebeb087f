-- +goose Up
-- Chats are the places trackbot talks to: a Telegram chat, a Slack channel
-- (within its team), the console.
CREATE TABLE chats (
    id          BIGSERIAL PRIMARY KEY,
    platform    TEXT NOT NULL,
    team_id     TEXT NOT NULL DEFAULT '',
    external_id TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'private',
    language    TEXT NOT NULL DEFAULT '',
    timezone    TEXT NOT NULL DEFAULT 'UTC',
    role        TEXT NOT NULL DEFAULT 'buyer',
    quiet_start SMALLINT,
    quiet_end   SMALLINT,
    muted       BOOLEAN NOT NULL DEFAULT FALSE,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (platform, team_id, external_id)
);

-- One shipment per carrier and number, shared by every chat that tracks it.
CREATE TABLE shipments (
    id                  BIGSERIAL PRIMARY KEY,
    carrier             TEXT NOT NULL,
    number              TEXT NOT NULL,
    provider            TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL DEFAULT 'UNKNOWN',
    substatus           TEXT NOT NULL DEFAULT 'other',
    status_changed_at   TIMESTAMPTZ NOT NULL,
    last_event_at       TIMESTAMPTZ,
    eta                 TIMESTAMPTZ,
    origin_country      TEXT NOT NULL DEFAULT '',
    destination_country TEXT NOT NULL DEFAULT '',
    push_registered     BOOLEAN NOT NULL DEFAULT FALSE,
    next_check_at       TIMESTAMPTZ,
    last_checked_at     TIMESTAMPTZ,
    check_failures      INTEGER NOT NULL DEFAULT 0,
    lease_owner         TEXT NOT NULL DEFAULT '',
    lease_until         TIMESTAMPTZ,
    stopped_reason      TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    UNIQUE (carrier, number)
);
CREATE INDEX shipments_due ON shipments (next_check_at) WHERE next_check_at IS NOT NULL;

-- Legs are the numbers later carriers know the parcel by.
CREATE TABLE legs (
    id          BIGSERIAL PRIMARY KEY,
    shipment_id BIGINT NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    carrier     TEXT NOT NULL,
    number      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (shipment_id, carrier, number)
);

CREATE TABLE events (
    id          BIGSERIAL PRIMARY KEY,
    shipment_id BIGINT NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    status      TEXT NOT NULL,
    substatus   TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    city        TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT '',
    country     TEXT NOT NULL DEFAULT '',
    carrier     TEXT NOT NULL DEFAULT '',
    number      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (shipment_id, fingerprint)
);
CREATE INDEX events_timeline ON events (shipment_id, occurred_at);

-- Subscriptions link chats to shipments, with the chat's own words for them.
CREATE TABLE subscriptions (
    id                   BIGSERIAL PRIMARY KEY,
    chat_id              BIGINT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    shipment_id          BIGINT NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    label                TEXT NOT NULL DEFAULT '',
    order_ref            TEXT NOT NULL DEFAULT '',
    marketplace          TEXT NOT NULL DEFAULT '',
    muted                BOOLEAN NOT NULL DEFAULT FALSE,
    snoozed_until        TIMESTAMPTZ,
    thread_ref           TEXT NOT NULL DEFAULT '',
    last_pushed_event_at TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL,
    UNIQUE (chat_id, shipment_id)
);
CREATE INDEX subscriptions_shipment ON subscriptions (shipment_id);

-- Guidance state remembers which playbook rules have fired for a
-- subscription, so a rule is pushed once and re-armed only after it clears.
CREATE TABLE guidance_state (
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    rule            TEXT NOT NULL,
    active          BOOLEAN NOT NULL,
    fired_at        TIMESTAMPTZ NOT NULL,
    cleared_at      TIMESTAMPTZ,
    PRIMARY KEY (subscription_id, rule)
);

-- The outbox holds every push a chat must receive, written in the same
-- transaction as the change that caused it.
CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    chat_id         BIGINT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    subscription_id BIGINT REFERENCES subscriptions (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL DEFAULT '{}',
    dedupe_key      TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    not_before      TIMESTAMPTZ NOT NULL,
    lease_until     TIMESTAMPTZ,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (state, not_before);
CREATE INDEX outbox_chat ON outbox (chat_id);

-- Share tokens open a read-only tracking page for one subscription.
CREATE TABLE share_tokens (
    token           TEXT PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    created_at      TIMESTAMPTZ NOT NULL,
    revoked_at      TIMESTAMPTZ
);
CREATE INDEX share_tokens_subscription ON share_tokens (subscription_id);

-- +goose Down
DROP TABLE share_tokens;
DROP TABLE outbox;
DROP TABLE guidance_state;
DROP TABLE subscriptions;
DROP TABLE events;
DROP TABLE legs;
DROP TABLE shipments;
DROP TABLE chats;
