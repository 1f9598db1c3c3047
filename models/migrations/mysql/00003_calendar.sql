-- datashare schema, version 3 (MySQL / MariaDB / TiDB): the working-day calendar's administered
-- data — per-day overrides, whole-year schedules loaded by an admin, the revision that versions
-- the calendar, and the append-only log of edits. The SQLite twin is
-- migrations/sqlite/00003_calendar.sql.

-- +goose Up
-- A corrected or added day (holiday or working day); the official data stays in the binary.
CREATE TABLE calendar_overrides (
    day        CHAR(10)     NOT NULL,
    workday    BOOLEAN      NOT NULL,
    name       VARCHAR(64)  NOT NULL,
    source     VARCHAR(500) NOT NULL,
    updated_by VARCHAR(128) NOT NULL,
    updated_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A year's schedule loaded through the API (the State Council's notice of a new year); it
-- replaces the embedded data and the estimate for that year.
CREATE TABLE calendar_years (
    year       INT          NOT NULL,
    source     VARCHAR(500) NOT NULL,
    days       MEDIUMTEXT   NOT NULL,
    loaded_by  VARCHAR(128) NOT NULL,
    loaded_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row: the revision, raised by every edit in the edit's own transaction, so a process can
-- tell cheaply whether its cached calendar is current.
CREATE TABLE calendar_state (
    id         INT         NOT NULL,
    revision   BIGINT      NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO calendar_state (id, revision, updated_at) VALUES (1, 0, UTC_TIMESTAMP(6));

-- Who changed what and when; rows are only inserted.
CREATE TABLE calendar_changes (
    revision   BIGINT       NOT NULL,
    action     VARCHAR(32)  NOT NULL,
    subject    VARCHAR(16)  NOT NULL,
    detail     TEXT         NOT NULL,
    actor      VARCHAR(128) NOT NULL,
    created_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (revision)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE calendar_changes;
DROP TABLE calendar_state;
DROP TABLE calendar_years;
DROP TABLE calendar_overrides;
