-- Schema 2: documents' sealed pieces (the Documents service). blobs holds
-- each blob's piece count, decided by its first piece: its primary key is
-- where two first pieces with different counts meet.

CREATE TABLE IF NOT EXISTS blobs (
    org   TEXT NOT NULL REFERENCES orgs (id),
    blob  BYTEA NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (org, blob)
);

CREATE TABLE IF NOT EXISTS pieces (
    org    TEXT NOT NULL,
    blob   BYTEA NOT NULL,
    idx    BIGINT NOT NULL,
    sealed BYTEA NOT NULL,
    PRIMARY KEY (org, blob, idx)
);
