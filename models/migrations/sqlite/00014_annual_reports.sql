-- datashare schema, version 14 (SQLite): annual reports (年度报告, 宁夏 第十七条, 内乡 第六十条) —
-- one row per department (or the authority's summary) and year, with the figures prefilled
-- from the read model. The MySQL twin is migrations/mysql/00014_annual_reports.sql.

-- +goose Up
CREATE TABLE annual_reports (
    id            VARCHAR(160) NOT NULL PRIMARY KEY,
    year          INTEGER      NOT NULL,
    department_id VARCHAR(64)  NOT NULL,
    step          VARCHAR(64)  NOT NULL,
    status        VARCHAR(32)  NOT NULL,
    due_at        DATETIME     NULL,
    legal_basis   TEXT         NOT NULL,
    local_default BOOLEAN      NOT NULL,
    figures       TEXT         NOT NULL,
    report        TEXT         NOT NULL,
    submitted_by  VARCHAR(128) NOT NULL,
    submitted_at  DATETIME     NULL,
    overdue       BOOLEAN      NOT NULL,
    workflow_id   VARCHAR(255) NOT NULL,
    revision      INTEGER      NOT NULL,
    created_at    DATETIME     NOT NULL,
    updated_at    DATETIME     NOT NULL
);
CREATE INDEX idx_annual_reports_year ON annual_reports (year, department_id);
CREATE INDEX idx_annual_reports_department ON annual_reports (department_id, year);

-- +goose Down
DROP TABLE annual_reports;
