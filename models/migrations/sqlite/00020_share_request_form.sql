-- datashare schema, version 20 (SQLite): a share request's form — what the applicant wrote:
-- purpose, scope, duty basis, requested validity — kept whole as one JSON object in `form`
-- instead of a column per field. No list filters or sorts by them; a field added to the form
-- (workflows/contract ShareForm) is then stored and shown with no migration. The MySQL twin is
-- migrations/mysql/00020_share_request_form.sql.

-- +goose Up
ALTER TABLE share_requests ADD COLUMN form TEXT NOT NULL DEFAULT '{}';
UPDATE share_requests SET form = json_object(
    'purpose', purpose, 'scope', scope, 'duty_basis', duty_basis,
    'requested_validity_days', requested_validity_days);
ALTER TABLE share_requests DROP COLUMN purpose;
ALTER TABLE share_requests DROP COLUMN scope;
ALTER TABLE share_requests DROP COLUMN duty_basis;
ALTER TABLE share_requests DROP COLUMN requested_validity_days;

-- +goose Down
ALTER TABLE share_requests ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
ALTER TABLE share_requests ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE share_requests ADD COLUMN duty_basis TEXT NOT NULL DEFAULT '';
ALTER TABLE share_requests ADD COLUMN requested_validity_days INTEGER NOT NULL DEFAULT 0;
UPDATE share_requests SET
    purpose = COALESCE(json_extract(form, '$.purpose'), ''),
    scope = COALESCE(json_extract(form, '$.scope'), ''),
    duty_basis = COALESCE(json_extract(form, '$.duty_basis'), ''),
    requested_validity_days = COALESCE(json_extract(form, '$.requested_validity_days'), 0);
ALTER TABLE share_requests DROP COLUMN form;
