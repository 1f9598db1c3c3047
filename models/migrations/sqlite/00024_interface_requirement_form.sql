-- datashare schema, version 24 (SQLite): an interface requirement's form — what the authority
-- wrote: the description of the interface and its scenario, the date agreed with the
-- department (agreed_due) — kept whole as one JSON object in `form` instead of a column per
-- field. No list filters or sorts by them; a field added to the form (workflows/contract
-- InterfaceRequirementForm) is then stored and shown with no migration. The MySQL twin is
-- migrations/mysql/00024_interface_requirement_form.sql.

-- +goose Up
ALTER TABLE interface_requirements ADD COLUMN form TEXT NOT NULL DEFAULT '{}';
UPDATE interface_requirements SET form = json_object('description', description, 'agreed_due', agreed_due);
ALTER TABLE interface_requirements DROP COLUMN description;
ALTER TABLE interface_requirements DROP COLUMN agreed_due;

-- +goose Down
ALTER TABLE interface_requirements ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE interface_requirements ADD COLUMN agreed_due VARCHAR(10) NOT NULL DEFAULT '';
UPDATE interface_requirements SET
    description = COALESCE(json_extract(form, '$.description'), ''),
    agreed_due = COALESCE(json_extract(form, '$.agreed_due'), '');
ALTER TABLE interface_requirements DROP COLUMN form;
