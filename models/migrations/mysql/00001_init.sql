-- datashare schema, version 1 (MySQL / MariaDB / TiDB). Append-only: change the schema in a
-- new file, never here. The SQLite twin is migrations/sqlite/00001_init.sql.
-- utf8mb4_bin makes comparisons, uniqueness and LIKE byte-wise, as SQLite's BINARY
-- collation does, so both dialects accept and reject the same data.
-- DATETIME(6) holds UTC (the connection uses loc=UTC and time_zone '+00:00').

-- +goose Up
-- 部门: government departments, the data authority and technical service units.
CREATE TABLE departments (
    id           VARCHAR(64)  NOT NULL,
    name         VARCHAR(255) NOT NULL,
    kind         VARCHAR(32)  NOT NULL,
    parent_id    VARCHAR(64)  NULL,
    jurisdiction VARCHAR(32)  NOT NULL,
    created_at   DATETIME(6)  NOT NULL,
    updated_at   DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY idx_departments_parent_id (parent_id),
    CONSTRAINT fk_departments_parent FOREIGN KEY (parent_id) REFERENCES departments (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Principals; id is the subject of their token. Citizens have no department.
CREATE TABLE users (
    id            VARCHAR(128) NOT NULL,
    name          VARCHAR(255) NOT NULL,
    department_id VARCHAR(64)  NULL,
    roles         VARCHAR(255) NOT NULL,
    active        BOOLEAN      NOT NULL,
    created_at    DATETIME(6)  NOT NULL,
    updated_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY idx_users_department_id (department_id),
    CONSTRAINT fk_users_department FOREIGN KEY (department_id) REFERENCES departments (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- 政务数据资源目录: one row per catalog entry, its current revision.
CREATE TABLE catalog_resources (
    id               BIGINT       NOT NULL AUTO_INCREMENT,
    code             VARCHAR(64)  NOT NULL,
    name             VARCHAR(255) NOT NULL,
    description      TEXT         NOT NULL,
    format           VARCHAR(64)  NOT NULL,
    share_type       VARCHAR(16)  NOT NULL,
    share_scope      VARCHAR(255) NOT NULL,
    share_conditions TEXT         NOT NULL,
    update_frequency VARCHAR(64)  NOT NULL,
    timeliness       VARCHAR(64)  NOT NULL,
    provision_method VARCHAR(64)  NOT NULL,
    provider_dept_id VARCHAR(64)  NOT NULL,
    open_type        VARCHAR(16)  NOT NULL,
    open_conditions  TEXT         NOT NULL,
    legal_basis      TEXT         NOT NULL,
    status           VARCHAR(16)  NOT NULL,
    version          INT          NOT NULL,
    return_reason    TEXT         NOT NULL,
    created_by       VARCHAR(128) NOT NULL,
    updated_by       VARCHAR(128) NOT NULL,
    created_at       DATETIME(6)  NOT NULL,
    updated_at       DATETIME(6)  NOT NULL,
    submitted_at     DATETIME(6)  NULL,
    published_at     DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_catalog_resources_code (code),
    -- List filters page by id within each filter (keyset pagination).
    KEY idx_catalog_resources_provider (provider_dept_id, id),
    KEY idx_catalog_resources_status (status, id),
    KEY idx_catalog_resources_share_type (share_type, id),
    KEY idx_catalog_resources_open_type (open_type, id),
    CONSTRAINT fk_catalog_resources_provider FOREIGN KEY (provider_dept_id) REFERENCES departments (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Append-only history of catalog entries: one row per revision, never updated.
-- MEDIUMTEXT: a snapshot holds several TEXT fields and may exceed TEXT's 64 KiB.
CREATE TABLE catalog_resource_versions (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    resource_id BIGINT       NOT NULL,
    version     INT          NOT NULL,
    action      VARCHAR(16)  NOT NULL,
    status      VARCHAR(16)  NOT NULL,
    snapshot    MEDIUMTEXT   NOT NULL,
    actor       VARCHAR(128) NOT NULL,
    reason      TEXT         NOT NULL,
    created_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_catalog_resource_versions_resource_version (resource_id, version),
    CONSTRAINT fk_catalog_resource_versions_resource FOREIGN KEY (resource_id) REFERENCES catalog_resources (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE catalog_resource_versions;
DROP TABLE catalog_resources;
DROP TABLE users;
DROP TABLE departments;
