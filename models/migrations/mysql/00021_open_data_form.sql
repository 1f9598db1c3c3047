-- datashare schema, version 21 (MySQL / MariaDB / TiDB): an open-data request's form — what
-- the applicant wrote: purpose, scope — kept whole as one JSON object in `form` instead of a
-- column per field. No list filters or sorts by them; a field added to the form
-- (workflows/contract OpenDataForm) is then stored and shown with no migration. The SQLite
-- twin is migrations/sqlite/00021_open_data_form.sql.

-- +goose Up
ALTER TABLE open_data_requests ADD COLUMN form TEXT NULL;
UPDATE open_data_requests SET form = JSON_OBJECT('purpose', purpose, 'scope', scope);
ALTER TABLE open_data_requests MODIFY form TEXT NOT NULL;
ALTER TABLE open_data_requests DROP COLUMN purpose, DROP COLUMN scope;

-- +goose Down
ALTER TABLE open_data_requests ADD COLUMN purpose TEXT NULL, ADD COLUMN scope TEXT NULL;
UPDATE open_data_requests SET
    purpose = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.purpose')), ''),
    scope = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.scope')), '');
ALTER TABLE open_data_requests MODIFY purpose TEXT NOT NULL, MODIFY scope TEXT NOT NULL;
ALTER TABLE open_data_requests DROP COLUMN form;
