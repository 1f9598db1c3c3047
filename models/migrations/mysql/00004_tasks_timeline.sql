-- datashare schema, version 4 (MySQL / MariaDB / TiDB): the read model of the human-task
-- step — one row per task as the inbox shows it, and the append-only timeline of every
-- request. Only activities write them, idempotently. The SQLite twin is
-- migrations/sqlite/00004_tasks_timeline.sql.
-- No foreign keys: a projection must not fail because reference data lags behind a workflow.
-- PROCEDURE is a reserved word in MySQL, hence the quoted column name.

-- +goose Up
-- One row per task, replaced whole by a projection with a higher revision (never a lower one).
-- assignee is '' while unclaimed; decisions and legal_basis are JSON text.
CREATE TABLE tasks (
    task_id                 VARCHAR(255) NOT NULL,
    revision                INT          NOT NULL,
    kind                    VARCHAR(32)  NOT NULL,
    parent_task_id          VARCHAR(255) NULL,
    workflow_id             VARCHAR(255) NOT NULL,
    request_id              VARCHAR(128) NOT NULL,
    `procedure`             VARCHAR(64)  NOT NULL,
    step                    VARCHAR(64)  NOT NULL,
    candidate_department_id VARCHAR(64)  NOT NULL,
    candidate_role          VARCHAR(64)  NOT NULL,
    assignee                VARCHAR(128) NOT NULL DEFAULT '',
    status                  VARCHAR(32)  NOT NULL,
    decisions               TEXT         NOT NULL,
    decision                VARCHAR(64)  NOT NULL,
    received_at             DATETIME(6)  NOT NULL,
    due_at                  DATETIME(6)  NULL,
    calendar_version        VARCHAR(64)  NOT NULL,
    provisional             BOOLEAN      NOT NULL,
    legal_basis             TEXT         NOT NULL,
    local_default           BOOLEAN      NOT NULL,
    overdue                 BOOLEAN      NOT NULL,
    long_overdue            BOOLEAN      NOT NULL,
    last_urged_at           DATETIME(6)  NULL,
    urge_count              INT          NOT NULL,
    updated_at              DATETIME(6)  NOT NULL,
    PRIMARY KEY (task_id),
    -- Inbox of a department (pool) and of a person, by status and due time.
    KEY idx_tasks_department_inbox (candidate_department_id, status, due_at),
    KEY idx_tasks_assignee_inbox (assignee, status, due_at),
    KEY idx_tasks_request_id (request_id),
    KEY idx_tasks_workflow_id (workflow_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- 办理记录: one row per event; event_id is <task_id>#<seq>, so a retried append is a no-op.
CREATE TABLE timeline_events (
    event_id      VARCHAR(300) NOT NULL,
    seq           INT          NOT NULL,
    task_id       VARCHAR(255) NOT NULL,
    workflow_id   VARCHAR(255) NOT NULL,
    request_id    VARCHAR(128) NOT NULL,
    `procedure`   VARCHAR(64)  NOT NULL,
    step          VARCHAR(64)  NOT NULL,
    kind          VARCHAR(32)  NOT NULL,
    at            DATETIME(6)  NOT NULL,
    actor         VARCHAR(128) NOT NULL,
    department_id VARCHAR(64)  NOT NULL,
    text          TEXT         NOT NULL,
    data          TEXT         NOT NULL,
    created_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (event_id),
    KEY idx_timeline_events_request (request_id, at, seq),
    KEY idx_timeline_events_task (task_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE timeline_events;
DROP TABLE tasks;
