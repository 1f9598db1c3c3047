-- datashare schema, version 22 (SQLite): a catalog update's form — what the reporting or
-- ordering department wrote: the trigger, the revised law or decision (basis), the day the
-- change took effect — kept whole as one JSON object in `form` instead of a column per field.
-- No list filters or sorts by them; a field added to the form (workflows/contract
-- CatalogUpdateForm) is then stored and shown with no migration. The MySQL twin is
-- migrations/mysql/00022_catalog_update_form.sql.

-- +goose Up
ALTER TABLE catalog_updates ADD COLUMN form TEXT NOT NULL DEFAULT '{}';
UPDATE catalog_updates SET form = json_object(
    'trigger', trigger_kind, 'basis', law, 'changed_on', changed_on);
ALTER TABLE catalog_updates DROP COLUMN trigger_kind;
ALTER TABLE catalog_updates DROP COLUMN law;
ALTER TABLE catalog_updates DROP COLUMN changed_on;

-- +goose Down
ALTER TABLE catalog_updates ADD COLUMN trigger_kind VARCHAR(32) NOT NULL DEFAULT '';
ALTER TABLE catalog_updates ADD COLUMN law TEXT NOT NULL DEFAULT '';
ALTER TABLE catalog_updates ADD COLUMN changed_on VARCHAR(10) NOT NULL DEFAULT '';
UPDATE catalog_updates SET
    trigger_kind = COALESCE(json_extract(form, '$.trigger'), ''),
    law = COALESCE(json_extract(form, '$.basis'), ''),
    changed_on = COALESCE(json_extract(form, '$.changed_on'), '');
ALTER TABLE catalog_updates DROP COLUMN form;
