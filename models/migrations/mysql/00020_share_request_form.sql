-- datashare schema, version 20 (MySQL / MariaDB / TiDB): a share request's form — what the
-- applicant wrote: purpose, scope, duty basis, requested validity — kept whole as one JSON
-- object in `form` instead of a column per field. No list filters or sorts by them; a field
-- added to the form (workflows/contract ShareForm) is then stored and shown with no migration.
-- The SQLite twin is migrations/sqlite/00020_share_request_form.sql.

-- +goose Up
ALTER TABLE share_requests ADD COLUMN form TEXT NULL;
UPDATE share_requests SET form = JSON_OBJECT(
    'purpose', purpose, 'scope', scope, 'duty_basis', duty_basis,
    'requested_validity_days', requested_validity_days);
ALTER TABLE share_requests MODIFY form TEXT NOT NULL;
ALTER TABLE share_requests DROP COLUMN purpose, DROP COLUMN scope, DROP COLUMN duty_basis,
    DROP COLUMN requested_validity_days;

-- +goose Down
ALTER TABLE share_requests ADD COLUMN purpose TEXT NULL, ADD COLUMN scope TEXT NULL,
    ADD COLUMN duty_basis TEXT NULL, ADD COLUMN requested_validity_days INT NULL;
UPDATE share_requests SET
    purpose = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.purpose')), ''),
    scope = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.scope')), ''),
    duty_basis = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.duty_basis')), ''),
    requested_validity_days = COALESCE(JSON_EXTRACT(form, '$.requested_validity_days'), 0);
ALTER TABLE share_requests MODIFY purpose TEXT NOT NULL, MODIFY scope TEXT NOT NULL,
    MODIFY duty_basis TEXT NOT NULL, MODIFY requested_validity_days INT NOT NULL;
ALTER TABLE share_requests DROP COLUMN form;
