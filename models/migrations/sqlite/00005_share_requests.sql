-- datashare schema, version 5 (SQLite): share requests (共享申请) and the grants (授权) they
-- produce, as projected by ShareRequestWorkflow. Only activities write them, idempotently and
-- guarded by revision. The MySQL twin is migrations/mysql/00005_share_requests.sql.
-- No foreign keys: a projection must not fail because reference data lags behind a workflow.

-- +goose Up
-- One row per request, replaced whole by a projection with a higher revision. The resource's
-- code and name are a snapshot taken when the request was made, so the list still reads right
-- after the catalog changes. legal_basis is a JSON list of citations of the current step.
CREATE TABLE share_requests (
    id                      VARCHAR(64)  NOT NULL PRIMARY KEY,
    resource_id             INTEGER      NOT NULL,
    resource_code           VARCHAR(64)  NOT NULL,
    resource_name           VARCHAR(255) NOT NULL,
    applicant_dept_id       VARCHAR(64)  NOT NULL,
    applicant_subject       VARCHAR(128) NOT NULL,
    provider_dept_id        VARCHAR(64)  NOT NULL,
    deciding_dept_id        VARCHAR(64)  NOT NULL,
    purpose                 TEXT         NOT NULL,
    scope                   TEXT         NOT NULL,
    duty_basis              TEXT         NOT NULL,
    requested_validity_days INTEGER      NOT NULL,
    status                  VARCHAR(32)  NOT NULL,
    current_step            VARCHAR(64)  NOT NULL,
    due_at                  DATETIME     NULL,
    workflow_id             VARCHAR(255) NOT NULL,
    legal_basis             TEXT         NOT NULL,
    revision                INTEGER      NOT NULL,
    created_at              DATETIME     NOT NULL,
    updated_at              DATETIME     NOT NULL,
    closed_at               DATETIME     NULL
);
-- Lists of a department's requests, as applicant or as provider, newest first by id.
CREATE INDEX idx_share_requests_applicant ON share_requests (applicant_dept_id, status, id);
CREATE INDEX idx_share_requests_provider ON share_requests (provider_dept_id, status, id);
CREATE INDEX idx_share_requests_resource ON share_requests (resource_id);

-- One grant per request (request_id is unique): what the consumer may use, until when, and
-- whether the authority has suspended or revoked it (内乡 第四十一条).
CREATE TABLE grants (
    id               VARCHAR(64)  NOT NULL PRIMARY KEY,
    request_id       VARCHAR(64)  NOT NULL,
    resource_id      INTEGER      NOT NULL,
    consumer_dept_id VARCHAR(64)  NOT NULL,
    provider_dept_id VARCHAR(64)  NOT NULL,
    scope            TEXT         NOT NULL,
    usage_purpose    TEXT         NOT NULL,
    conditions       TEXT         NOT NULL,
    valid_from       DATETIME     NOT NULL,
    valid_until      DATETIME     NOT NULL,
    status           VARCHAR(32)  NOT NULL,
    status_reason    TEXT         NOT NULL,
    revision         INTEGER      NOT NULL,
    updated_at       DATETIME     NOT NULL
);
CREATE UNIQUE INDEX uq_grants_request_id ON grants (request_id);
CREATE INDEX idx_grants_consumer ON grants (consumer_dept_id, status, id);
CREATE INDEX idx_grants_provider ON grants (provider_dept_id, status, id);

-- +goose Down
DROP TABLE grants;
DROP TABLE share_requests;
