-- datashare schema, version 16 (MySQL / MariaDB / TiDB): what a task is about, on its row, so
-- that the inbox shows it in its one query: the catalog resource (code and name), the
-- department whose submission the procedure decides on (id and name), the purpose, and the
-- subject a title starts with. The projection copies them from the request; '' where a
-- procedure has none. The SQLite twin is migrations/sqlite/00016_task_facts.sql.
-- PROCEDURE is a reserved word, hence the quotes.

-- +goose Up
-- A TEXT column takes no literal default on MySQL: purpose is added NULL, filled, then made
-- NOT NULL like the others.
ALTER TABLE tasks
    ADD COLUMN resource_code VARCHAR(64) NOT NULL DEFAULT '',
    ADD COLUMN resource_name VARCHAR(255) NOT NULL DEFAULT '',
    ADD COLUMN applicant_department_id VARCHAR(64) NOT NULL DEFAULT '',
    ADD COLUMN applicant_department_name VARCHAR(255) NOT NULL DEFAULT '',
    ADD COLUMN purpose TEXT NULL,
    ADD COLUMN subject VARCHAR(255) NOT NULL DEFAULT '';

-- Backfill the tasks projected before this version from their requests, as the projection
-- (worker/task_facts.go) fills new ones. A subject keeps its first 40 characters, an ellipsis
-- marking a cut.
UPDATE tasks t JOIN share_requests r ON r.id = t.request_id
SET t.resource_code = r.resource_code, t.resource_name = r.resource_name, t.subject = r.resource_name,
    t.applicant_department_id = r.applicant_dept_id, t.purpose = r.purpose
WHERE t.`procedure` = 'share';

-- A correction's problem is its description or, without one, the fields it names. The
-- fields are a JSON list as Go writes it (["a","b"]); lists holding escapes (CHAR(92), a
-- backslash) are left out.
UPDATE tasks t JOIN corrections c ON c.id = t.request_id
SET t.resource_code = c.resource_code, t.resource_name = c.resource_name, t.subject = c.resource_name,
    t.applicant_department_id = c.reporter_dept_id,
    t.purpose = CASE
        WHEN TRIM(c.description) <> '' THEN c.description
        WHEN c.fields <> '[]' AND INSTR(c.fields, CHAR(92 USING utf8mb4)) = 0
            THEN CONCAT('字段：', REPLACE(REPLACE(REPLACE(c.fields, '["', ''), '"]', ''), '","', '、'))
        ELSE '' END
WHERE t.`procedure` = 'correction';

UPDATE tasks t JOIN open_data_requests o ON o.id = t.request_id
SET t.resource_code = o.resource_code, t.resource_name = o.resource_name, t.subject = o.resource_name,
    t.purpose = o.purpose
WHERE t.`procedure` = 'open_data';

UPDATE tasks t JOIN open_catalog_corrections o ON o.id = t.request_id
SET t.resource_code = o.resource_code, t.resource_name = o.resource_name, t.subject = o.resource_name,
    t.purpose = o.reason
WHERE t.`procedure` = 'open_catalog_correction';

UPDATE tasks t JOIN catalog_updates u ON u.id = t.request_id
SET t.applicant_department_id = u.department_id,
    t.purpose = CONCAT(CASE u.trigger_kind WHEN 'law_revised' THEN '法律法规修订：' WHEN 'duties_changed' THEN '行政管理职能变化：' ELSE '' END, u.law),
    t.subject = CASE WHEN CHAR_LENGTH(u.law) > 40 THEN CONCAT(LEFT(u.law, 40), '…') ELSE u.law END
WHERE t.`procedure` = 'catalog_update';

UPDATE tasks t JOIN rectifications r ON r.id = t.request_id
SET t.applicant_department_id = r.department_id,
    t.purpose = CASE WHEN TRIM(r.description) <> '' THEN CONCAT(r.violation_title, '：', r.description) ELSE r.violation_title END,
    t.subject = CASE WHEN CHAR_LENGTH(r.violation_title) > 40 THEN CONCAT(LEFT(r.violation_title, 40), '…') ELSE r.violation_title END
WHERE t.`procedure` = 'rectification';

UPDATE tasks t JOIN interface_requirements i ON i.id = t.request_id
SET t.applicant_department_id = i.department_id, t.purpose = i.description,
    t.subject = CASE WHEN CHAR_LENGTH(i.description) > 40 THEN CONCAT(LEFT(i.description, 40), '…') ELSE i.description END
WHERE t.`procedure` = 'interface_extension';

-- An annual report's request id is AR-<year>-<department>, which says all there is to name.
UPDATE tasks
SET subject = CONCAT(SUBSTRING_INDEX(SUBSTRING(request_id, 4), '-', 1), '年度'),
    applicant_department_id = SUBSTRING(SUBSTRING(request_id, 4), LOCATE('-', SUBSTRING(request_id, 4)) + 1)
WHERE `procedure` = 'annual_report' AND request_id LIKE 'AR-%' AND LOCATE('-', SUBSTRING(request_id, 4)) > 0;

-- A department not in the directory is named by its id.
UPDATE tasks t JOIN departments d ON d.id = t.applicant_department_id
SET t.applicant_department_name = d.name;
UPDATE tasks SET applicant_department_name = applicant_department_id
WHERE applicant_department_id <> '' AND applicant_department_name = '';

UPDATE tasks SET purpose = '' WHERE purpose IS NULL;
ALTER TABLE tasks MODIFY COLUMN purpose TEXT NOT NULL;

-- +goose Down
ALTER TABLE tasks
    DROP COLUMN subject,
    DROP COLUMN purpose,
    DROP COLUMN applicant_department_name,
    DROP COLUMN applicant_department_id,
    DROP COLUMN resource_name,
    DROP COLUMN resource_code;
