-- datashare schema, version 10 (MySQL / MariaDB / TiDB): the audit log (日志记录, 内乡
-- 第三十三条) — who granted, provided, received or decided what, and every administrative
-- change; append-only, kept at least six months. The SQLite twin is
-- migrations/sqlite/00010_audit_events.sql. PROCEDURE is a reserved word, hence the quotes.

-- +goose Up
-- event_key makes a retried write a no-op: the timeline event id for what a workflow recorded,
-- the HTTP request id for what the API did.
CREATE TABLE audit_events (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    event_key       VARCHAR(320) NOT NULL,
    at              DATETIME(6)  NOT NULL,
    actor           VARCHAR(128) NOT NULL,
    department_id   VARCHAR(64)  NOT NULL,
    action          VARCHAR(64)  NOT NULL,
    `procedure`     VARCHAR(64)  NOT NULL,
    request_id      VARCHAR(128) NOT NULL,
    resource_id     BIGINT       NULL,
    object          VARCHAR(320) NOT NULL,
    http_request_id VARCHAR(64)  NOT NULL,
    details         MEDIUMTEXT   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY idx_audit_events_event_key (event_key),
    KEY idx_audit_events_at (at),
    KEY idx_audit_events_department (department_id, id),
    KEY idx_audit_events_resource (resource_id, id),
    KEY idx_audit_events_actor (actor, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE audit_events;
