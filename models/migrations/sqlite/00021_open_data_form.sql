-- datashare schema, version 21 (SQLite): an open-data request's form — what the applicant
-- wrote: purpose, scope — kept whole as one JSON object in `form` instead of a column per
-- field. No list filters or sorts by them; a field added to the form (workflows/contract
-- OpenDataForm) is then stored and shown with no migration. The MySQL twin is
-- migrations/mysql/00021_open_data_form.sql.

-- +goose Up
ALTER TABLE open_data_requests ADD COLUMN form TEXT NOT NULL DEFAULT '{}';
UPDATE open_data_requests SET form = json_object('purpose', purpose, 'scope', scope);
ALTER TABLE open_data_requests DROP COLUMN purpose;
ALTER TABLE open_data_requests DROP COLUMN scope;

-- +goose Down
ALTER TABLE open_data_requests ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
ALTER TABLE open_data_requests ADD COLUMN scope TEXT NOT NULL DEFAULT '';
UPDATE open_data_requests SET
    purpose = COALESCE(json_extract(form, '$.purpose'), ''),
    scope = COALESCE(json_extract(form, '$.scope'), '');
ALTER TABLE open_data_requests DROP COLUMN form;
