-- datashare schema, version 2 (MySQL / MariaDB / TiDB): answers to create requests sent with
-- an Idempotency-Key (docs/api.md). The SQLite twin is
-- migrations/sqlite/00002_idempotency_keys.sql.

-- +goose Up
-- One row per (caller, key): a repeat of the same request is answered from here.
-- MEDIUMTEXT: a response body may exceed TEXT's 64 KiB.
CREATE TABLE idempotency_keys (
    subject       VARCHAR(128) NOT NULL,
    idem_key      VARCHAR(128) NOT NULL,
    method        VARCHAR(16)  NOT NULL,
    route         VARCHAR(255) NOT NULL,
    request_hash  CHAR(64)     NOT NULL,
    status        SMALLINT     NOT NULL,
    response_body MEDIUMTEXT   NOT NULL,
    created_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (subject, idem_key),
    -- Expired keys are deleted by age.
    KEY idx_idempotency_keys_created_at (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE idempotency_keys;
