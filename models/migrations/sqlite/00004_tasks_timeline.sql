-- datashare schema, version 4 (SQLite): the read model of the human-task step — one row per
-- task as the inbox shows it, and the append-only timeline of every request. Only activities
-- write them, idempotently. The MySQL twin is migrations/mysql/00004_tasks_timeline.sql.
-- No foreign keys: a projection must not fail because reference data lags behind a workflow.

-- +goose Up
-- One row per task, replaced whole by a projection with a higher revision (never a lower one).
-- assignee is '' while unclaimed; decisions and legal_basis are JSON text.
CREATE TABLE tasks (
    task_id                 VARCHAR(255) NOT NULL PRIMARY KEY,
    revision                INTEGER      NOT NULL,
    kind                    VARCHAR(32)  NOT NULL,
    parent_task_id          VARCHAR(255) NULL,
    workflow_id             VARCHAR(255) NOT NULL,
    request_id              VARCHAR(128) NOT NULL,
    procedure               VARCHAR(64)  NOT NULL,
    step                    VARCHAR(64)  NOT NULL,
    candidate_department_id VARCHAR(64)  NOT NULL,
    candidate_role          VARCHAR(64)  NOT NULL,
    assignee                VARCHAR(128) NOT NULL DEFAULT '',
    status                  VARCHAR(32)  NOT NULL,
    decisions               TEXT         NOT NULL,
    decision                VARCHAR(64)  NOT NULL,
    received_at             DATETIME     NOT NULL,
    due_at                  DATETIME     NULL,
    calendar_version        VARCHAR(64)  NOT NULL,
    provisional             BOOLEAN      NOT NULL,
    legal_basis             TEXT         NOT NULL,
    local_default           BOOLEAN      NOT NULL,
    overdue                 BOOLEAN      NOT NULL,
    long_overdue            BOOLEAN      NOT NULL,
    last_urged_at           DATETIME     NULL,
    urge_count              INTEGER      NOT NULL,
    updated_at              DATETIME     NOT NULL
);
-- Inbox of a department (pool) and of a person, by status and due time.
CREATE INDEX idx_tasks_department_inbox ON tasks (candidate_department_id, status, due_at);
CREATE INDEX idx_tasks_assignee_inbox ON tasks (assignee, status, due_at);
CREATE INDEX idx_tasks_request_id ON tasks (request_id);
CREATE INDEX idx_tasks_workflow_id ON tasks (workflow_id);

-- 办理记录: one row per event; event_id is <task_id>#<seq>, so a retried append is a no-op.
CREATE TABLE timeline_events (
    event_id      VARCHAR(300) NOT NULL PRIMARY KEY,
    seq           INTEGER      NOT NULL,
    task_id       VARCHAR(255) NOT NULL,
    workflow_id   VARCHAR(255) NOT NULL,
    request_id    VARCHAR(128) NOT NULL,
    procedure     VARCHAR(64)  NOT NULL,
    step          VARCHAR(64)  NOT NULL,
    kind          VARCHAR(32)  NOT NULL,
    at            DATETIME     NOT NULL,
    actor         VARCHAR(128) NOT NULL,
    department_id VARCHAR(64)  NOT NULL,
    text          TEXT         NOT NULL,
    data          TEXT         NOT NULL,
    created_at    DATETIME     NOT NULL
);
CREATE INDEX idx_timeline_events_request ON timeline_events (request_id, at, seq);
CREATE INDEX idx_timeline_events_task ON timeline_events (task_id, seq);

-- +goose Down
DROP TABLE timeline_events;
DROP TABLE tasks;
