-- datashare schema, version 10 (SQLite): the audit log (日志记录, 内乡 第三十三条) — who
-- granted, provided, received or decided what, and every administrative change; append-only,
-- kept at least six months. The MySQL twin is migrations/mysql/00010_audit_events.sql.

-- +goose Up
-- event_key makes a retried write a no-op: the timeline event id for what a workflow recorded,
-- the HTTP request id for what the API did.
CREATE TABLE audit_events (
    id              INTEGER      NOT NULL PRIMARY KEY AUTOINCREMENT,
    event_key       VARCHAR(320) NOT NULL,
    at              DATETIME     NOT NULL,
    actor           VARCHAR(128) NOT NULL,
    department_id   VARCHAR(64)  NOT NULL,
    action          VARCHAR(64)  NOT NULL,
    procedure       VARCHAR(64)  NOT NULL,
    request_id      VARCHAR(128) NOT NULL,
    resource_id     BIGINT       NULL,
    object          VARCHAR(320) NOT NULL,
    http_request_id VARCHAR(64)  NOT NULL,
    details         TEXT         NOT NULL
);
CREATE UNIQUE INDEX idx_audit_events_event_key ON audit_events (event_key);
CREATE INDEX idx_audit_events_at ON audit_events (at);
CREATE INDEX idx_audit_events_department ON audit_events (department_id, id);
CREATE INDEX idx_audit_events_resource ON audit_events (resource_id, id);
CREATE INDEX idx_audit_events_actor ON audit_events (actor, id);

-- +goose Down
DROP TABLE audit_events;
