-- datashare schema, version 1 (SQLite). Append-only: change the schema in a new file,
-- never here. The MySQL twin is migrations/mysql/00001_init.sql.
-- Times are UTC text written by the driver ("2006-01-02 15:04:05.999999-07:00");
-- the DATETIME declaration makes the driver parse them back into time.Time.

-- +goose Up
-- 部门: government departments, the data authority and technical service units.
CREATE TABLE departments (
    id           VARCHAR(64)  NOT NULL PRIMARY KEY,
    name         VARCHAR(255) NOT NULL,
    kind         VARCHAR(32)  NOT NULL,
    parent_id    VARCHAR(64)  NULL,
    jurisdiction VARCHAR(32)  NOT NULL,
    created_at   DATETIME     NOT NULL,
    updated_at   DATETIME     NOT NULL,
    CONSTRAINT fk_departments_parent FOREIGN KEY (parent_id) REFERENCES departments (id)
);
CREATE INDEX idx_departments_parent_id ON departments (parent_id);

-- Principals; id is the subject of their token. Citizens have no department.
CREATE TABLE users (
    id            VARCHAR(128) NOT NULL PRIMARY KEY,
    name          VARCHAR(255) NOT NULL,
    department_id VARCHAR(64)  NULL,
    roles         VARCHAR(255) NOT NULL,
    active        BOOLEAN      NOT NULL,
    created_at    DATETIME     NOT NULL,
    updated_at    DATETIME     NOT NULL,
    CONSTRAINT fk_users_department FOREIGN KEY (department_id) REFERENCES departments (id)
);
CREATE INDEX idx_users_department_id ON users (department_id);

-- 政务数据资源目录: one row per catalog entry, its current revision.
CREATE TABLE catalog_resources (
    id               INTEGER      NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    version          INTEGER      NOT NULL,
    return_reason    TEXT         NOT NULL,
    created_by       VARCHAR(128) NOT NULL,
    updated_by       VARCHAR(128) NOT NULL,
    created_at       DATETIME     NOT NULL,
    updated_at       DATETIME     NOT NULL,
    submitted_at     DATETIME     NULL,
    published_at     DATETIME     NULL,
    CONSTRAINT fk_catalog_resources_provider FOREIGN KEY (provider_dept_id) REFERENCES departments (id)
);
CREATE UNIQUE INDEX uq_catalog_resources_code ON catalog_resources (code);
-- List filters page by id within each filter (keyset pagination).
CREATE INDEX idx_catalog_resources_provider ON catalog_resources (provider_dept_id, id);
CREATE INDEX idx_catalog_resources_status ON catalog_resources (status, id);
CREATE INDEX idx_catalog_resources_share_type ON catalog_resources (share_type, id);
CREATE INDEX idx_catalog_resources_open_type ON catalog_resources (open_type, id);

-- Append-only history of catalog entries: one row per revision, never updated.
CREATE TABLE catalog_resource_versions (
    id          INTEGER      NOT NULL PRIMARY KEY AUTOINCREMENT,
    resource_id INTEGER      NOT NULL,
    version     INTEGER      NOT NULL,
    action      VARCHAR(16)  NOT NULL,
    status      VARCHAR(16)  NOT NULL,
    snapshot    TEXT         NOT NULL,
    actor       VARCHAR(128) NOT NULL,
    reason      TEXT         NOT NULL,
    created_at  DATETIME     NOT NULL,
    CONSTRAINT fk_catalog_resource_versions_resource FOREIGN KEY (resource_id) REFERENCES catalog_resources (id)
);
CREATE UNIQUE INDEX uq_catalog_resource_versions_resource_version ON catalog_resource_versions (resource_id, version);

-- +goose Down
DROP TABLE catalog_resource_versions;
DROP TABLE catalog_resources;
DROP TABLE users;
DROP TABLE departments;
