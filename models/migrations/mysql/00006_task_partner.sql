-- datashare schema, version 6 (MySQL / MariaDB / TiDB): a task shared by two departments (协商:
-- the using and the providing department negotiate on one task). partner_* is the second
-- department and its role ('' for a task of one department); proposal is the pending proposal
-- of a decision that needs both departments' agreement (JSON, NULL when none). The SQLite twin
-- is migrations/sqlite/00006_task_partner.sql.

-- +goose Up
ALTER TABLE tasks
    ADD COLUMN partner_department_id VARCHAR(64) NOT NULL DEFAULT '',
    ADD COLUMN partner_role VARCHAR(64) NOT NULL DEFAULT '',
    ADD COLUMN proposal TEXT NULL;
-- The partner department's inbox, as idx_tasks_department_inbox is the candidate's.
CREATE INDEX idx_tasks_partner_inbox ON tasks (partner_department_id, status, due_at);

-- +goose Down
DROP INDEX idx_tasks_partner_inbox ON tasks;
ALTER TABLE tasks
    DROP COLUMN proposal,
    DROP COLUMN partner_role,
    DROP COLUMN partner_department_id;
