-- datashare schema, version 22 (MySQL / MariaDB / TiDB): a catalog update's form — what the
-- reporting or ordering department wrote: the trigger, the revised law or decision (basis),
-- the day the change took effect — kept whole as one JSON object in `form` instead of a
-- column per field. No list filters or sorts by them; a field added to the form
-- (workflows/contract CatalogUpdateForm) is then stored and shown with no migration. The
-- SQLite twin is migrations/sqlite/00022_catalog_update_form.sql.

-- +goose Up
ALTER TABLE catalog_updates ADD COLUMN form TEXT NULL;
UPDATE catalog_updates SET form = JSON_OBJECT(
    'trigger', trigger_kind, 'basis', law, 'changed_on', changed_on);
ALTER TABLE catalog_updates MODIFY form TEXT NOT NULL;
ALTER TABLE catalog_updates DROP COLUMN trigger_kind, DROP COLUMN law, DROP COLUMN changed_on;

-- +goose Down
ALTER TABLE catalog_updates ADD COLUMN trigger_kind VARCHAR(32) NULL, ADD COLUMN law TEXT NULL,
    ADD COLUMN changed_on VARCHAR(10) NULL;
UPDATE catalog_updates SET
    trigger_kind = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.trigger')), ''),
    law = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.basis')), ''),
    changed_on = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.changed_on')), '');
ALTER TABLE catalog_updates MODIFY trigger_kind VARCHAR(32) NOT NULL, MODIFY law TEXT NOT NULL,
    MODIFY changed_on VARCHAR(10) NOT NULL;
ALTER TABLE catalog_updates DROP COLUMN form;
