-- datashare schema, version 23 (SQLite): a rectification notice's form — what the authority
-- wrote: the description of what is to be corrected — kept whole as one JSON object in `form`
-- instead of a column per field. No list filters or sorts by it; a field added to the form
-- (workflows/contract RectificationForm) is then stored and shown with no migration. The
-- violation (a code of the profile's list, stored with its title and basis) and the time limit
-- in working days (read by the deadline activity) stay columns. The MySQL twin is
-- migrations/mysql/00023_rectification_form.sql.

-- +goose Up
ALTER TABLE rectifications ADD COLUMN form TEXT NOT NULL DEFAULT '{}';
UPDATE rectifications SET form = json_object('description', description);
ALTER TABLE rectifications DROP COLUMN description;

-- +goose Down
ALTER TABLE rectifications ADD COLUMN description TEXT NOT NULL DEFAULT '';
UPDATE rectifications SET description = COALESCE(json_extract(form, '$.description'), '');
ALTER TABLE rectifications DROP COLUMN form;
