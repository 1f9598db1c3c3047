-- datashare schema, version 12 (MySQL / MariaDB / TiDB): open-catalog corrections (开放目录更正,
-- 内乡 第四十五条) and interface requirements (服务接口及其延期, 内乡 第十三条第二款), as their
-- workflows project them. Only activities write them, idempotently and guarded by revision.
-- The SQLite twin is migrations/sqlite/00012_open_catalog_interfaces.sql. Version 11 is
-- reserved by a change on another branch.

-- +goose Up
-- One row per citizen's application. citizen_subject is the applicant's token subject: the
-- citizen lists its own applications by it. current_value is the published value at the
-- application; catalog_version the resource version that carries the proposed value once the
-- authority approved it. legal_basis is a JSON list.
CREATE TABLE open_catalog_corrections (
    id               VARCHAR(64)  NOT NULL,
    workflow_id      VARCHAR(255) NOT NULL,
    resource_id      BIGINT       NOT NULL,
    resource_code    VARCHAR(64)  NOT NULL,
    resource_name    VARCHAR(255) NOT NULL,
    provider_dept_id VARCHAR(64)  NOT NULL,
    citizen_subject  VARCHAR(128) NOT NULL,
    field            VARCHAR(64)  NOT NULL,
    current_value    TEXT         NOT NULL,
    proposed_value   TEXT         NOT NULL,
    reason           TEXT         NOT NULL,
    status           VARCHAR(32)  NOT NULL,
    current_step     VARCHAR(64)  NOT NULL,
    answer           TEXT         NOT NULL,
    answer_basis     TEXT         NOT NULL,
    catalog_version  INT          NOT NULL,
    due_at           DATETIME(6)  NULL,
    local_default    BOOLEAN      NOT NULL,
    legal_basis      TEXT         NOT NULL,
    revision         INT          NOT NULL,
    created_at       DATETIME(6)  NOT NULL,
    updated_at       DATETIME(6)  NOT NULL,
    closed_at        DATETIME(6)  NULL,
    PRIMARY KEY (id),
    KEY idx_open_catalog_corrections_citizen (citizen_subject, id),
    KEY idx_open_catalog_corrections_provider (provider_dept_id, status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per requirement of a service interface. agreed_due is the agreed date (YYYY-MM-DD,
-- China); due_at its end, or the deadline an approved extension moved it to.
CREATE TABLE interface_requirements (
    id                    VARCHAR(64)  NOT NULL,
    workflow_id           VARCHAR(255) NOT NULL,
    department_id         VARCHAR(64)  NOT NULL,
    authority_dept_id     VARCHAR(64)  NOT NULL,
    requested_by          VARCHAR(128) NOT NULL,
    description           TEXT         NOT NULL,
    agreed_due            VARCHAR(10)  NOT NULL,
    status                VARCHAR(32)  NOT NULL,
    current_step          VARCHAR(64)  NOT NULL,
    due_at                DATETIME(6)  NULL,
    extension_workdays    INT          NOT NULL,
    interface_description TEXT         NOT NULL,
    documentation         TEXT         NOT NULL,
    legal_basis           TEXT         NOT NULL,
    revision              INT          NOT NULL,
    created_at            DATETIME(6)  NOT NULL,
    updated_at            DATETIME(6)  NOT NULL,
    closed_at             DATETIME(6)  NULL,
    PRIMARY KEY (id),
    KEY idx_interface_requirements_department (department_id, status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE interface_requirements;
DROP TABLE open_catalog_corrections;
