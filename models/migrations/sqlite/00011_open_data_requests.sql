-- datashare schema, version 11 (SQLite): citizens' open-data requests (有条件开放申请, 内乡
-- 第四十六条) as projected by OpenDataRequestWorkflow. Only activities write them, idempotently
-- and guarded by revision. The MySQL twin is migrations/mysql/00011_open_data_requests.sql.
-- No foreign keys: a projection must not fail because reference data lags behind a workflow.

-- +goose Up
-- One row per request, replaced whole by a projection with a higher revision. The resource's
-- code, name and open type are a snapshot taken at submission. applicant_subject is the
-- citizen's token subject, the key of its own list; a citizen has no department.
-- original_due_at is the first reply deadline (10 WD, 第四十六条第二款), due_at the current one,
-- moved by an extension the department head approved (extension_workdays, extension_reason).
-- legal_basis is a JSON list of citations.
CREATE TABLE open_data_requests (
    id                 VARCHAR(64)  NOT NULL PRIMARY KEY,
    resource_id        INTEGER      NOT NULL,
    resource_code      VARCHAR(64)  NOT NULL,
    resource_name      VARCHAR(255) NOT NULL,
    open_type          VARCHAR(32)  NOT NULL,
    applicant_subject  VARCHAR(128) NOT NULL,
    provider_dept_id   VARCHAR(64)  NOT NULL,
    purpose            TEXT         NOT NULL,
    scope              TEXT         NOT NULL,
    status             VARCHAR(32)  NOT NULL,
    current_step       VARCHAR(64)  NOT NULL,
    conditions         TEXT         NOT NULL,
    reason             TEXT         NOT NULL,
    refusal_basis      TEXT         NOT NULL,
    extension_workdays INTEGER      NOT NULL,
    extension_reason   VARCHAR(2000) NOT NULL,
    original_due_at    DATETIME     NULL,
    due_at             DATETIME     NULL,
    workflow_id        VARCHAR(255) NOT NULL,
    legal_basis        TEXT         NOT NULL,
    revision           INTEGER      NOT NULL,
    created_at         DATETIME     NOT NULL,
    updated_at         DATETIME     NOT NULL,
    closed_at          DATETIME     NULL
);
-- A citizen's own requests, and a producing department's, newest first.
CREATE INDEX idx_open_data_applicant ON open_data_requests (applicant_subject, status, id);
CREATE INDEX idx_open_data_provider ON open_data_requests (provider_dept_id, status, id);

-- +goose Down
DROP TABLE open_data_requests;
