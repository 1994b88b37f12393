-- Schema 1: organisations, their devices, the log of sealed batches with
-- each device's acknowledgements, request nonces and invitations.
-- Server sequences come from orgs.head, never from a sequence or SERIAL:
-- they must be 1, 2, 3 … per organisation, in commit order, and
-- distributed SQL hands out SERIAL values that are neither.

CREATE TABLE IF NOT EXISTS orgs (
    id        TEXT PRIMARY KEY,
    root_key  BYTEA NOT NULL,
    min_epoch BIGINT NOT NULL,
    created   TIMESTAMPTZ NOT NULL,
    -- head is the highest server sequence handed out, 0 before the first.
    head      BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS devices (
    org        TEXT NOT NULL REFERENCES orgs (id),
    id         TEXT NOT NULL,
    public_key BYTEA NOT NULL,
    record     BYTEA NOT NULL,
    added      TIMESTAMPTZ NOT NULL,
    added_by   TEXT NOT NULL,
    revoked_at TIMESTAMPTZ,
    last_seq   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org, id)
);

-- batches and acks carry no foreign keys: only Append writes them, with
-- the organisation's row locked, and a key check per push is a cost.
CREATE TABLE IF NOT EXISTS batches (
    org      TEXT NOT NULL,
    seq      BIGINT NOT NULL,
    device   TEXT NOT NULL,
    first    BIGINT NOT NULL,
    last     BIGINT NOT NULL,
    epoch    BIGINT NOT NULL,
    envelope BYTEA NOT NULL,
    PRIMARY KEY (org, seq)
);

-- acks outlive their batch: a batch the log lost is filed again under
-- the server sequence its acknowledgement keeps.
CREATE TABLE IF NOT EXISTS acks (
    org    TEXT NOT NULL,
    device TEXT NOT NULL,
    first  BIGINT NOT NULL,
    last   BIGINT NOT NULL,
    seq    BIGINT NOT NULL,
    PRIMARY KEY (org, device, first)
);

CREATE TABLE IF NOT EXISTS nonces (
    org      TEXT NOT NULL,
    device   TEXT NOT NULL,
    nonce    BYTEA NOT NULL,
    received TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org, device, nonce)
);
CREATE INDEX IF NOT EXISTS nonces_received ON nonces (received);

CREATE TABLE IF NOT EXISTS invites (
    id      BYTEA PRIMARY KEY,
    org     TEXT NOT NULL,
    device  TEXT NOT NULL,
    blob    BYTEA NOT NULL,
    created TIMESTAMPTZ NOT NULL,
    expires TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS invites_org ON invites (org, expires);
CREATE INDEX IF NOT EXISTS invites_expires ON invites (expires);
