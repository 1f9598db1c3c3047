-- datashare schema, version 11 (MySQL / MariaDB / TiDB): citizens' open-data requests
-- (有条件开放申请, 内乡 第四十六条) as projected by OpenDataRequestWorkflow. Only activities write
-- them, idempotently and guarded by revision. The SQLite twin is
-- migrations/sqlite/00011_open_data_requests.sql.
-- No foreign keys: a projection must not fail because reference data lags behind a workflow.

-- +goose Up
-- One row per request, replaced whole by a projection with a higher revision. The resource's
-- code, name and open type are a snapshot taken at submission. applicant_subject is the
-- citizen's token subject, the key of its own list; a citizen has no department.
-- original_due_at is the first reply deadline (10 WD, 第四十六条第二款), due_at the current one,
-- moved by an extension the department head approved (extension_workdays, extension_reason).
-- legal_basis is a JSON list of citations.
CREATE TABLE open_data_requests (
    id                 VARCHAR(64)  NOT NULL,
    resource_id        BIGINT       NOT NULL,
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
    extension_workdays INT          NOT NULL,
    extension_reason   VARCHAR(2000) NOT NULL,
    original_due_at    DATETIME(6)  NULL,
    due_at             DATETIME(6)  NULL,
    workflow_id        VARCHAR(255) NOT NULL,
    legal_basis        TEXT         NOT NULL,
    revision           INT          NOT NULL,
    created_at         DATETIME(6)  NOT NULL,
    updated_at         DATETIME(6)  NOT NULL,
    closed_at          DATETIME(6)  NULL,
    PRIMARY KEY (id),
    -- A citizen's own requests, and a producing department's, newest first.
    KEY idx_open_data_applicant (applicant_subject, status, id),
    KEY idx_open_data_provider (provider_dept_id, status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE open_data_requests;
