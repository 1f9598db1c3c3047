-- datashare schema, version 25 (SQLite): an open-catalog correction's form — what the citizen
-- wrote: the field, the value it should have, the reason — kept whole as one JSON object in
-- `form` instead of a column per field. No list filters or sorts by them; a field added to the
-- form (workflows/contract OpenCatalogCorrectionForm) is then stored and shown with no
-- migration. The field's current value, read from the catalog, stays a column. The MySQL twin
-- is migrations/mysql/00025_open_catalog_correction_form.sql.

-- +goose Up
ALTER TABLE open_catalog_corrections ADD COLUMN form TEXT NOT NULL DEFAULT '{}';
UPDATE open_catalog_corrections SET form = json_object(
    'field', field, 'proposed_value', proposed_value, 'reason', reason);
ALTER TABLE open_catalog_corrections DROP COLUMN field;
ALTER TABLE open_catalog_corrections DROP COLUMN proposed_value;
ALTER TABLE open_catalog_corrections DROP COLUMN reason;

-- +goose Down
ALTER TABLE open_catalog_corrections ADD COLUMN field VARCHAR(64) NOT NULL DEFAULT '';
ALTER TABLE open_catalog_corrections ADD COLUMN proposed_value TEXT NOT NULL DEFAULT '';
ALTER TABLE open_catalog_corrections ADD COLUMN reason TEXT NOT NULL DEFAULT '';
UPDATE open_catalog_corrections SET
    field = COALESCE(json_extract(form, '$.field'), ''),
    proposed_value = COALESCE(json_extract(form, '$.proposed_value'), ''),
    reason = COALESCE(json_extract(form, '$.reason'), '');
ALTER TABLE open_catalog_corrections DROP COLUMN form;
