-- datashare schema, version 18 (MySQL / MariaDB / TiDB): the jurisdiction profile the
-- database belongs to. Its departments, catalog and running procedures are that profile's; an
-- API or worker started under another profile on the same database would mix two
-- jurisdictions, so it refuses to start (models.ClaimProfile). The SQLite twin is
-- migrations/sqlite/00018_deployment_profile.sql.

-- +goose Up
CREATE TABLE deployment_settings (
    name       VARCHAR(64)  NOT NULL PRIMARY KEY,
    value      VARCHAR(255) NOT NULL,
    updated_at DATETIME(6)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE deployment_settings;
