-- datashare schema, version 16 (SQLite): what a task is about, on its row, so that the inbox
-- shows it in its one query: the catalog resource (code and name), the department whose
-- submission the procedure decides on (id and name), the purpose, and the subject a title
-- starts with. The projection copies them from the request; '' where a procedure has none.
-- The MySQL twin is migrations/mysql/00016_task_facts.sql.

-- +goose Up
ALTER TABLE tasks ADD COLUMN resource_code VARCHAR(64) NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN resource_name VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN applicant_department_id VARCHAR(64) NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN applicant_department_name VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN subject VARCHAR(255) NOT NULL DEFAULT '';

-- Backfill the tasks projected before this version from their requests, as the projection
-- (worker/task_facts.go) fills new ones. A subject keeps its first 40 characters, an ellipsis
-- marking a cut.
UPDATE tasks SET resource_code = r.resource_code, resource_name = r.resource_name, subject = r.resource_name,
    applicant_department_id = r.applicant_dept_id, purpose = r.purpose
FROM share_requests r WHERE tasks.procedure = 'share' AND r.id = tasks.request_id;

-- A correction's problem is its description or, without one, the fields it names. The
-- fields are a JSON list as Go writes it (["a","b"]); lists holding escapes (CHAR(92), a
-- backslash) are left out.
UPDATE tasks SET resource_code = c.resource_code, resource_name = c.resource_name, subject = c.resource_name,
    applicant_department_id = c.reporter_dept_id,
    purpose = CASE
        WHEN TRIM(c.description) <> '' THEN c.description
        WHEN c.fields <> '[]' AND INSTR(c.fields, CHAR(92)) = 0
            THEN '字段：' || REPLACE(REPLACE(REPLACE(c.fields, '["', ''), '"]', ''), '","', '、')
        ELSE '' END
FROM corrections c WHERE tasks.procedure = 'correction' AND c.id = tasks.request_id;

UPDATE tasks SET resource_code = o.resource_code, resource_name = o.resource_name, subject = o.resource_name,
    purpose = o.purpose
FROM open_data_requests o WHERE tasks.procedure = 'open_data' AND o.id = tasks.request_id;

UPDATE tasks SET resource_code = o.resource_code, resource_name = o.resource_name, subject = o.resource_name,
    purpose = o.reason
FROM open_catalog_corrections o WHERE tasks.procedure = 'open_catalog_correction' AND o.id = tasks.request_id;

UPDATE tasks SET applicant_department_id = u.department_id,
    purpose = CASE u.trigger_kind WHEN 'law_revised' THEN '法律法规修订：' WHEN 'duties_changed' THEN '行政管理职能变化：' ELSE '' END || u.law,
    subject = CASE WHEN LENGTH(u.law) > 40 THEN SUBSTR(u.law, 1, 40) || '…' ELSE u.law END
FROM catalog_updates u WHERE tasks.procedure = 'catalog_update' AND u.id = tasks.request_id;

UPDATE tasks SET applicant_department_id = r.department_id,
    purpose = CASE WHEN TRIM(r.description) <> '' THEN r.violation_title || '：' || r.description ELSE r.violation_title END,
    subject = CASE WHEN LENGTH(r.violation_title) > 40 THEN SUBSTR(r.violation_title, 1, 40) || '…' ELSE r.violation_title END
FROM rectifications r WHERE tasks.procedure = 'rectification' AND r.id = tasks.request_id;

UPDATE tasks SET applicant_department_id = i.department_id, purpose = i.description,
    subject = CASE WHEN LENGTH(i.description) > 40 THEN SUBSTR(i.description, 1, 40) || '…' ELSE i.description END
FROM interface_requirements i WHERE tasks.procedure = 'interface_extension' AND i.id = tasks.request_id;

-- An annual report's request id is AR-<year>-<department>, which says all there is to name.
UPDATE tasks SET subject = SUBSTR(request_id, 4, INSTR(SUBSTR(request_id, 4), '-') - 1) || '年度',
    applicant_department_id = SUBSTR(request_id, 4 + INSTR(SUBSTR(request_id, 4), '-'))
WHERE procedure = 'annual_report' AND request_id LIKE 'AR-%' AND INSTR(SUBSTR(request_id, 4), '-') > 0;

-- A department not in the directory is named by its id.
UPDATE tasks SET applicant_department_name = d.name
FROM departments d WHERE d.id = tasks.applicant_department_id;
UPDATE tasks SET applicant_department_name = applicant_department_id
WHERE applicant_department_id <> '' AND applicant_department_name = '';

-- +goose Down
ALTER TABLE tasks DROP COLUMN subject;
ALTER TABLE tasks DROP COLUMN purpose;
ALTER TABLE tasks DROP COLUMN applicant_department_name;
ALTER TABLE tasks DROP COLUMN applicant_department_id;
ALTER TABLE tasks DROP COLUMN resource_name;
ALTER TABLE tasks DROP COLUMN resource_code;
