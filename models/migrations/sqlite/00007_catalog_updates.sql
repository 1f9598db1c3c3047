-- datashare schema, version 7 (SQLite): catalog updates (目录更新) as projected by
-- CatalogUpdateWorkflow, and the catalog revisions each submission linked. Version 6 belongs to
-- another change. The MySQL twin is migrations/mysql/00007_catalog_updates.sql.
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
    id                          VARCHAR(64)  NOT NULL PRIMARY KEY,
    department_id               VARCHAR(64)  NOT NULL,
    trigger_kind                VARCHAR(32)  NOT NULL,
    law                         TEXT         NOT NULL,
    changed_on                  VARCHAR(10)  NOT NULL,
    initiator_subject           VARCHAR(128) NOT NULL,
    ordered_by_authority        BOOLEAN      NOT NULL,
    status                      VARCHAR(32)  NOT NULL,
    current_step                VARCHAR(64)  NOT NULL,
    due_at                      DATETIME     NULL,
    legal_basis                 TEXT         NOT NULL,
    local_default               BOOLEAN      NOT NULL,
    responsibility_list_updated BOOLEAN      NOT NULL,
    workflow_id                 VARCHAR(255) NOT NULL,
    revision                    INTEGER      NOT NULL,
    created_at                  DATETIME     NOT NULL,
    updated_at                  DATETIME     NOT NULL,
    closed_at                   DATETIME     NULL
);
-- A department's updates, newest first by id.
CREATE INDEX idx_catalog_updates_department ON catalog_updates (department_id, status, id);

-- The revisions one submission (round) of an update put forward; written once by the link
-- activity, in the transaction that submitted the drafts. published_at is set when the
-- authority's approval published them, returned_at when it returned them.
CREATE TABLE catalog_update_resources (
    catalog_update_id VARCHAR(64)  NOT NULL,
    round             INTEGER      NOT NULL,
    resource_id       INTEGER      NOT NULL,
    version           INTEGER      NOT NULL,
    created_at        DATETIME     NOT NULL,
    published_at      DATETIME     NULL,
    returned_at       DATETIME     NULL,
    PRIMARY KEY (catalog_update_id, round, resource_id),
    CONSTRAINT fk_catalog_update_resources_resource FOREIGN KEY (resource_id) REFERENCES catalog_resources (id)
);
CREATE INDEX idx_catalog_update_resources_resource ON catalog_update_resources (resource_id);

-- +goose Down
DROP TABLE catalog_update_resources;
DROP TABLE catalog_updates;
ALTER TABLE catalog_resources DROP COLUMN revision_content;
ALTER TABLE catalog_resources DROP COLUMN revision_status;
