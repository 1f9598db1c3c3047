-- datashare schema, version 25 (MySQL / MariaDB / TiDB): an open-catalog correction's form —
-- what the citizen wrote: the field, the value it should have, the reason — kept whole as one
-- JSON object in `form` instead of a column per field. No list filters or sorts by them; a
-- field added to the form (workflows/contract OpenCatalogCorrectionForm) is then stored and
-- shown with no migration. The field's current value, read from the catalog, stays a column.
-- The SQLite twin is migrations/sqlite/00025_open_catalog_correction_form.sql.

-- +goose Up
ALTER TABLE open_catalog_corrections ADD COLUMN form TEXT NULL;
UPDATE open_catalog_corrections SET form = JSON_OBJECT(
    'field', field, 'proposed_value', proposed_value, 'reason', reason);
ALTER TABLE open_catalog_corrections MODIFY form TEXT NOT NULL;
ALTER TABLE open_catalog_corrections DROP COLUMN field, DROP COLUMN proposed_value, DROP COLUMN reason;

-- +goose Down
ALTER TABLE open_catalog_corrections ADD COLUMN field VARCHAR(64) NULL, ADD COLUMN proposed_value TEXT NULL,
    ADD COLUMN reason TEXT NULL;
UPDATE open_catalog_corrections SET
    field = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.field')), ''),
    proposed_value = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.proposed_value')), ''),
    reason = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.reason')), '');
ALTER TABLE open_catalog_corrections MODIFY field VARCHAR(64) NOT NULL, MODIFY proposed_value TEXT NOT NULL,
    MODIFY reason TEXT NOT NULL;
ALTER TABLE open_catalog_corrections DROP COLUMN form;
