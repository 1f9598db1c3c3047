-- datashare schema, version 9 (SQLite): rectification notices (限期整改通知) as projected by
-- RectificationWorkflow. Only activities write them, idempotently and guarded by revision.
-- The MySQL twin is migrations/mysql/00009_rectifications.sql. Versions 7 and 8 belong to
-- other procedures of the same release.
-- No foreign keys: a projection must not fail because reference data lags behind a workflow.

-- +goose Up
-- One row per notice, replaced whole by a projection with a higher revision. violation_basis,
-- legal_basis and consequence_basis are JSON lists of citations: the violated item, the
-- articles of the time limit, and those of the consequence of missing it.
CREATE TABLE rectifications (
    id                        VARCHAR(64)  NOT NULL PRIMARY KEY,
    workflow_id               VARCHAR(255) NOT NULL,
    department_id             VARCHAR(64)  NOT NULL,
    authority_dept_id         VARCHAR(64)  NOT NULL,
    issued_by                 VARCHAR(128) NOT NULL,
    violation_code            VARCHAR(64)  NOT NULL,
    violation_title           VARCHAR(255) NOT NULL,
    violation_basis           TEXT         NOT NULL,
    description               TEXT         NOT NULL,
    workdays                  INTEGER      NOT NULL,
    due_at                    DATETIME     NULL,
    legal_basis               TEXT         NOT NULL,
    status                    VARCHAR(32)  NOT NULL,
    current_step              VARCHAR(64)  NOT NULL,
    consequence_code          VARCHAR(64)  NOT NULL,
    consequence_title         VARCHAR(255) NOT NULL,
    consequence_basis         TEXT         NOT NULL,
    consequence_local_default BOOLEAN      NOT NULL,
    consequence_recorded_at   DATETIME     NULL,
    consequence_done          BOOLEAN      NOT NULL,
    linked_task_id            VARCHAR(255) NOT NULL,
    linked_request_id         VARCHAR(128) NOT NULL,
    revision                  INTEGER      NOT NULL,
    created_at                DATETIME     NOT NULL,
    updated_at                DATETIME     NOT NULL,
    closed_at                 DATETIME     NULL
);
-- A department's notices, newest first by id; the deadline activity's look-up by workflow.
CREATE INDEX idx_rectifications_department ON rectifications (department_id, status, id);
CREATE UNIQUE INDEX uq_rectifications_workflow_id ON rectifications (workflow_id);
CREATE INDEX idx_rectifications_linked_task ON rectifications (linked_task_id);

-- +goose Down
DROP TABLE rectifications;
