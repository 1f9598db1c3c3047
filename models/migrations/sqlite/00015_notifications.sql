-- datashare schema, version 15 (SQLite): notifications (通知) — reminders, overdue notices,
-- urges, new tasks and decisions, addressed to a department's role or to a person, derived
-- from the timeline; and who has read which. The MySQL twin is
-- migrations/mysql/00015_notifications.sql.

-- +goose Up
-- event_key is the timeline event id and the recipient: a retried write is a no-op.
CREATE TABLE notifications (
    id            INTEGER      NOT NULL PRIMARY KEY AUTOINCREMENT,
    event_key     VARCHAR(400) NOT NULL,
    at            DATETIME     NOT NULL,
    department_id VARCHAR(64)  NOT NULL,
    role          VARCHAR(64)  NOT NULL,
    subject       VARCHAR(128) NOT NULL,
    kind          VARCHAR(32)  NOT NULL,
    procedure     VARCHAR(64)  NOT NULL,
    step          VARCHAR(64)  NOT NULL,
    task_id       VARCHAR(255) NOT NULL,
    request_id    VARCHAR(128) NOT NULL,
    text          TEXT         NOT NULL,
    due_at        DATETIME     NULL
);
CREATE UNIQUE INDEX idx_notifications_event_key ON notifications (event_key);
CREATE INDEX idx_notifications_department ON notifications (department_id, role, id);
CREATE INDEX idx_notifications_subject ON notifications (subject, id);

CREATE TABLE notification_reads (
    notification_id BIGINT       NOT NULL,
    subject         VARCHAR(128) NOT NULL,
    read_at         DATETIME     NOT NULL,
    PRIMARY KEY (notification_id, subject)
);

-- +goose Down
DROP TABLE notification_reads;
DROP TABLE notifications;
