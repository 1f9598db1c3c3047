-- datashare schema, version 15 (MySQL / MariaDB / TiDB): notifications (通知) — reminders,
-- overdue notices, urges, new tasks and decisions, addressed to a department's role or to a
-- person, derived from the timeline; and who has read which. The SQLite twin is
-- migrations/sqlite/00015_notifications.sql. PROCEDURE is a reserved word, hence the quotes.

-- +goose Up
-- event_key is the timeline event id and the recipient: a retried write is a no-op.
CREATE TABLE notifications (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    event_key     VARCHAR(400) NOT NULL,
    at            DATETIME(6)  NOT NULL,
    department_id VARCHAR(64)  NOT NULL,
    role          VARCHAR(64)  NOT NULL,
    subject       VARCHAR(128) NOT NULL,
    kind          VARCHAR(32)  NOT NULL,
    `procedure`   VARCHAR(64)  NOT NULL,
    step          VARCHAR(64)  NOT NULL,
    task_id       VARCHAR(255) NOT NULL,
    request_id    VARCHAR(128) NOT NULL,
    text          TEXT         NOT NULL,
    due_at        DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY idx_notifications_event_key (event_key),
    KEY idx_notifications_department (department_id, role, id),
    KEY idx_notifications_subject (subject, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE notification_reads (
    notification_id BIGINT       NOT NULL,
    subject         VARCHAR(128) NOT NULL,
    read_at         DATETIME(6)  NOT NULL,
    PRIMARY KEY (notification_id, subject)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE notification_reads;
DROP TABLE notifications;
