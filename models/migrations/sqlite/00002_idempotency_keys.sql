-- datashare schema, version 2 (SQLite): answers to create requests sent with an
-- Idempotency-Key (docs/api.md). The MySQL twin is
-- migrations/mysql/00002_idempotency_keys.sql.

-- +goose Up
-- One row per (caller, key): a repeat of the same request is answered from here.
CREATE TABLE idempotency_keys (
    subject       VARCHAR(128) NOT NULL,
    idem_key      VARCHAR(128) NOT NULL,
    method        VARCHAR(16)  NOT NULL,
    route         VARCHAR(255) NOT NULL,
    request_hash  CHAR(64)     NOT NULL,
    status        INTEGER      NOT NULL,
    response_body TEXT         NOT NULL,
    created_at    DATETIME     NOT NULL,
    PRIMARY KEY (subject, idem_key)
);
-- Expired keys are deleted by age.
CREATE INDEX idx_idempotency_keys_created_at ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
