-- datashare schema, version 9 (MySQL / MariaDB / TiDB): rectification notices (限期整改通知)
-- as projected by RectificationWorkflow. Only activities write them, idempotently and guarded
-- by revision. The SQLite twin is migrations/sqlite/00009_rectifications.sql. Versions 7 and 8
-- belong to other procedures of the same release.
-- No foreign keys: a projection must not fail because reference data lags behind a workflow.

-- +goose Up
-- One row per notice, replaced whole by a projection with a higher revision. violation_basis,
-- legal_basis and consequence_basis are JSON lists of citations: the violated item, the
-- articles of the time limit, and those of the consequence of missing it.
CREATE TABLE rectifications (
    id                        VARCHAR(64)  NOT NULL,
    workflow_id               VARCHAR(255) NOT NULL,
    department_id             VARCHAR(64)  NOT NULL,
    authority_dept_id         VARCHAR(64)  NOT NULL,
    issued_by                 VARCHAR(128) NOT NULL,
    violation_code            VARCHAR(64)  NOT NULL,
    violation_title           VARCHAR(255) NOT NULL,
    violation_basis           TEXT         NOT NULL,
    description               TEXT         NOT NULL,
    workdays                  INT          NOT NULL,
    due_at                    DATETIME(6)  NULL,
    legal_basis               TEXT         NOT NULL,
    status                    VARCHAR(32)  NOT NULL,
    current_step              VARCHAR(64)  NOT NULL,
    consequence_code          VARCHAR(64)  NOT NULL,
    consequence_title         VARCHAR(255) NOT NULL,
    consequence_basis         TEXT         NOT NULL,
    consequence_local_default BOOLEAN      NOT NULL,
    consequence_recorded_at   DATETIME(6)  NULL,
    consequence_done          BOOLEAN      NOT NULL,
    linked_task_id            VARCHAR(255) NOT NULL,
    linked_request_id         VARCHAR(128) NOT NULL,
    revision                  INT          NOT NULL,
    created_at                DATETIME(6)  NOT NULL,
    updated_at                DATETIME(6)  NOT NULL,
    closed_at                 DATETIME(6)  NULL,
    PRIMARY KEY (id),
    -- A department's notices, newest first by id; the deadline activity's look-up by workflow.
    KEY idx_rectifications_department (department_id, status, id),
    UNIQUE KEY uq_rectifications_workflow_id (workflow_id),
    KEY idx_rectifications_linked_task (linked_task_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE rectifications;
