-- datashare schema, version 24 (MySQL / MariaDB / TiDB): an interface requirement's form —
-- what the authority wrote: the description of the interface and its scenario, the date
-- agreed with the department (agreed_due) — kept whole as one JSON object in `form` instead of
-- a column per field. No list filters or sorts by them; a field added to the form
-- (workflows/contract InterfaceRequirementForm) is then stored and shown with no migration.
-- The SQLite twin is migrations/sqlite/00024_interface_requirement_form.sql.

-- +goose Up
ALTER TABLE interface_requirements ADD COLUMN form TEXT NULL;
UPDATE interface_requirements SET form = JSON_OBJECT('description', description, 'agreed_due', agreed_due);
ALTER TABLE interface_requirements MODIFY form TEXT NOT NULL;
ALTER TABLE interface_requirements DROP COLUMN description, DROP COLUMN agreed_due;

-- +goose Down
ALTER TABLE interface_requirements ADD COLUMN description TEXT NULL, ADD COLUMN agreed_due VARCHAR(10) NULL;
UPDATE interface_requirements SET
    description = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.description')), ''),
    agreed_due = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.agreed_due')), '');
ALTER TABLE interface_requirements MODIFY description TEXT NOT NULL, MODIFY agreed_due VARCHAR(10) NOT NULL;
ALTER TABLE interface_requirements DROP COLUMN form;
