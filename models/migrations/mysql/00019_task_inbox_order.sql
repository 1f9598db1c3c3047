-- datashare schema, version 19 (MySQL / MariaDB / TiDB): the inbox in the order of an index.
-- A task's place in the inbox is its due time, the tasks without a deadline last, then its
-- id; due_sort is that due time with the latest instant DATETIME(6) stores standing for "no
-- deadline", so the order is (due_sort, task_id) and each way a task reaches the inbox — its
-- department and role as candidate, as partner, its assignee — has an index in that order: a
-- page reads its rows from the index instead of sorting every task of the department (issue
-- 12). The indexes end with the columns that tell whether a task came by an earlier way, so
-- counting the inbox, each task once, reads the indexes only. The SQLite twin is
-- migrations/sqlite/00019_task_inbox_order.sql.
--
-- due_sort is computed by the database (a virtual column, indexed), so no write can forget
-- it. models.inboxNoDeadline is the same instant.

-- +goose Up
ALTER TABLE tasks
    ADD COLUMN due_sort DATETIME(6) AS (COALESCE(due_at, TIMESTAMP'9999-12-31 23:59:59.999999')) VIRTUAL,
    ADD INDEX idx_tasks_candidate_queue (candidate_department_id, status, due_sort, task_id, candidate_role),
    ADD INDEX idx_tasks_partner_queue (partner_department_id, status, due_sort, task_id, partner_role,
        candidate_department_id, candidate_role),
    ADD INDEX idx_tasks_assignee_queue (assignee, status, due_sort, task_id,
        candidate_department_id, candidate_role, partner_department_id, partner_role),
    -- Their prefixes serve whatever the indexes they replace served.
    DROP INDEX idx_tasks_department_inbox,
    DROP INDEX idx_tasks_partner_inbox,
    DROP INDEX idx_tasks_assignee_inbox;

-- +goose Down
ALTER TABLE tasks
    ADD INDEX idx_tasks_department_inbox (candidate_department_id, status, due_at),
    ADD INDEX idx_tasks_partner_inbox (partner_department_id, status, due_at),
    ADD INDEX idx_tasks_assignee_inbox (assignee, status, due_at),
    DROP INDEX idx_tasks_assignee_queue,
    DROP INDEX idx_tasks_partner_queue,
    DROP INDEX idx_tasks_candidate_queue,
    DROP COLUMN due_sort;
