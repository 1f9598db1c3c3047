-- datashare schema, version 7 (MySQL / MariaDB / TiDB): catalog updates (目录更新) as
-- projected by CatalogUpdateWorkflow, and the catalog revisions each submission linked.
-- Version 6 belongs to another change. The SQLite twin is
-- migrations/sqlite/00007_catalog_updates.sql.
-- No foreign keys on the projection: it must not fail because reference data lags behind.

-- +goose Up
-- A published resource under revision (修订): the published columns stay what other
-- departments see while the department edits a copy. revision_status is '' (none), draft or
-- submitted; revision_content the JSON of the revised content. Approval copies it over.
ALTER TABLE catalog_resources ADD COLUMN revision_status VARCHAR(16) NOT NULL DEFAULT '';
ALTER TABLE catalog_resources ADD COLUMN revision_content TEXT NULL;

-- One row per update, replaced whole by a projection with a higher revision. law is the revised
-- law or the decision that changed the duties; changed_on (YYYY-MM-DD, China) the day it took
-- effect, from which the department's deadline counts. legal_basis is a JSON list of the
-- current step's citations.
CREATE TABLE catalog_updates (
    id                          VARCHAR(64)  NOT NULL,
    department_id               VARCHAR(64)  NOT NULL,
    trigger_kind                VARCHAR(32)  NOT NULL,
    law                         TEXT         NOT NULL,
    changed_on                  VARCHAR(10)  NOT NULL,
    initiator_subject           VARCHAR(128) NOT NULL,
    ordered_by_authority        BOOLEAN      NOT NULL,
    status                      VARCHAR(32)  NOT NULL,
    current_step                VARCHAR(64)  NOT NULL,
    due_at                      DATETIME(6)  NULL,
    legal_basis                 TEXT         NOT NULL,
    local_default               BOOLEAN      NOT NULL,
    responsibility_list_updated BOOLEAN      NOT NULL,
    workflow_id                 VARCHAR(255) NOT NULL,
    revision                    INT          NOT NULL,
    created_at                  DATETIME(6)  NOT NULL,
    updated_at                  DATETIME(6)  NOT NULL,
    closed_at                   DATETIME(6)  NULL,
    PRIMARY KEY (id),
    -- A department's updates, newest first by id.
    KEY idx_catalog_updates_department (department_id, status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The revisions one submission (round) of an update put forward; written once by the link
-- activity, in the transaction that submitted the drafts. published_at is set when the
-- authority's approval published them, returned_at when it returned them.
CREATE TABLE catalog_update_resources (
    catalog_update_id VARCHAR(64)  NOT NULL,
    round             INT          NOT NULL,
    resource_id       BIGINT       NOT NULL,
    version           INT          NOT NULL,
    created_at        DATETIME(6)  NOT NULL,
    published_at      DATETIME(6)  NULL,
    returned_at       DATETIME(6)  NULL,
    PRIMARY KEY (catalog_update_id, round, resource_id),
    KEY idx_catalog_update_resources_resource (resource_id),
    CONSTRAINT fk_catalog_update_resources_resource FOREIGN KEY (resource_id) REFERENCES catalog_resources (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE catalog_update_resources;
DROP TABLE catalog_updates;
ALTER TABLE catalog_resources DROP COLUMN revision_content;
ALTER TABLE catalog_resources DROP COLUMN revision_status;
