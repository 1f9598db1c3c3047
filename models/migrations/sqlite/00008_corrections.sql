-- datashare schema, version 8 (SQLite): data corrections (数据校核纠错) as projected by
-- CorrectionWorkflow. Only activities write them, idempotently and guarded by revision. The
-- MySQL twin is migrations/mysql/00008_corrections.sql.
-- No foreign keys: a projection must not fail because reference data lags behind a workflow.

-- +goose Up
-- One row per report, replaced whole by a projection with a higher revision. The resource's
-- code and name are a snapshot taken at the report. fields, attachments and legal_basis are
-- JSON lists; local_default marks a due_at that no article sets. producer_dept_id is who
-- verifies and corrects ('' until the technical service unit dispatched the report, 内乡
-- 第六十五条). closed_at is NULL while the correction is open: the catalog shows the resource
-- as under verification meanwhile (宁夏 第十五条, 辽宁 第十八条第三款).
CREATE TABLE corrections (
    id                VARCHAR(64)  NOT NULL PRIMARY KEY,
    resource_id       INTEGER      NOT NULL,
    resource_code     VARCHAR(64)  NOT NULL,
    resource_name     VARCHAR(255) NOT NULL,
    reporter_dept_id  VARCHAR(64)  NOT NULL,
    reporter_subject  VARCHAR(128) NOT NULL,
    provider_dept_id  VARCHAR(64)  NOT NULL,
    producer_dept_id  VARCHAR(64)  NOT NULL,
    fields            TEXT         NOT NULL,
    description       TEXT         NOT NULL,
    attachments       TEXT         NOT NULL,
    evidence_text     TEXT         NOT NULL,
    citizen_objection BOOLEAN      NOT NULL,
    citizen_source    VARCHAR(255) NOT NULL,
    status            VARCHAR(32)  NOT NULL,
    current_step      VARCHAR(64)  NOT NULL,
    result            VARCHAR(32)  NOT NULL,
    result_text       TEXT         NOT NULL,
    disputed          BOOLEAN      NOT NULL,
    due_at            DATETIME     NULL,
    local_default     BOOLEAN      NOT NULL,
    workflow_id       VARCHAR(255) NOT NULL,
    legal_basis       TEXT         NOT NULL,
    revision          INTEGER      NOT NULL,
    created_at        DATETIME     NOT NULL,
    updated_at        DATETIME     NOT NULL,
    closed_at         DATETIME     NULL
);
-- Lists of a department's corrections, as reporter, provider or producer, newest first.
CREATE INDEX idx_corrections_reporter ON corrections (reporter_dept_id, status, id);
CREATE INDEX idx_corrections_provider ON corrections (provider_dept_id, status, id);
CREATE INDEX idx_corrections_producer ON corrections (producer_dept_id, status, id);
-- The catalog's flag: open corrections of a resource.
CREATE INDEX idx_corrections_resource_open ON corrections (resource_id, closed_at);

-- +goose Down
DROP TABLE corrections;
