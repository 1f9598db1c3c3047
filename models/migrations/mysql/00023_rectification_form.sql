-- datashare schema, version 23 (MySQL / MariaDB / TiDB): a rectification notice's form — what
-- the authority wrote: the description of what is to be corrected — kept whole as one JSON
-- object in `form` instead of a column per field. No list filters or sorts by it; a field
-- added to the form (workflows/contract RectificationForm) is then stored and shown with no
-- migration. The violation (a code of the profile's list, stored with its title and basis) and
-- the time limit in working days (read by the deadline activity) stay columns. The SQLite twin
-- is migrations/sqlite/00023_rectification_form.sql.

-- +goose Up
ALTER TABLE rectifications ADD COLUMN form TEXT NULL;
UPDATE rectifications SET form = JSON_OBJECT('description', description);
ALTER TABLE rectifications MODIFY form TEXT NOT NULL;
ALTER TABLE rectifications DROP COLUMN description;

-- +goose Down
ALTER TABLE rectifications ADD COLUMN description TEXT NULL;
UPDATE rectifications SET description = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.description')), '');
ALTER TABLE rectifications MODIFY description TEXT NOT NULL;
ALTER TABLE rectifications DROP COLUMN form;
