-- datashare schema, version 14 (MySQL / MariaDB / TiDB): annual reports (年度报告, 宁夏 第十七条,
-- 内乡 第六十条) — one row per department (or the authority's summary) and year, with the
-- figures prefilled from the read model. The SQLite twin is
-- migrations/sqlite/00014_annual_reports.sql.

-- +goose Up
CREATE TABLE annual_reports (
    id            VARCHAR(160) NOT NULL,
    year          INT          NOT NULL,
    department_id VARCHAR(64)  NOT NULL,
    step          VARCHAR(64)  NOT NULL,
    status        VARCHAR(32)  NOT NULL,
    due_at        DATETIME(6)  NULL,
    legal_basis   TEXT         NOT NULL,
    local_default BOOLEAN      NOT NULL,
    figures       TEXT         NOT NULL,
    report        MEDIUMTEXT   NOT NULL,
    submitted_by  VARCHAR(128) NOT NULL,
    submitted_at  DATETIME(6)  NULL,
    overdue       BOOLEAN      NOT NULL,
    workflow_id   VARCHAR(255) NOT NULL,
    revision      INT          NOT NULL,
    created_at    DATETIME(6)  NOT NULL,
    updated_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY idx_annual_reports_year (year, department_id),
    KEY idx_annual_reports_department (department_id, year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE annual_reports;
