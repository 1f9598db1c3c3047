-- datashare schema, version 19 (SQLite): the inbox in the order of an index. A task's place
-- in the inbox is its due time, the tasks without a deadline last, then its id; due_sort is
-- that due time with the latest instant both dialects store standing for "no deadline", so
-- the order is (due_sort, task_id) and each way a task reaches the inbox — its department
-- and role as candidate, as partner, its assignee — has an index in that order: a page reads
-- its rows from the index instead of sorting every task of the department (issue 12). The
-- indexes end with the columns that tell whether a task came by an earlier way, so counting
-- the inbox, each task once, reads the indexes only. The MySQL twin is migrations/mysql/00019_task_inbox_order.sql.
--
-- due_sort is computed by the database (a virtual column, indexed), so no write can forget
-- it. Times are stored as UTC text that sorts as it reads (models.Open); the literal is the
-- latest one in that form. models.inboxNoDeadline is the same instant.

-- +goose Up
ALTER TABLE tasks ADD COLUMN due_sort DATETIME
    GENERATED ALWAYS AS (COALESCE(due_at, '9999-12-31 23:59:59.999999+00:00')) VIRTUAL;
CREATE INDEX idx_tasks_candidate_queue ON tasks (candidate_department_id, status, due_sort, task_id, candidate_role);
CREATE INDEX idx_tasks_partner_queue ON tasks (partner_department_id, status, due_sort, task_id, partner_role,
    candidate_department_id, candidate_role);
CREATE INDEX idx_tasks_assignee_queue ON tasks (assignee, status, due_sort, task_id,
    candidate_department_id, candidate_role, partner_department_id, partner_role);
-- Their prefixes serve whatever the indexes they replace served.
DROP INDEX idx_tasks_department_inbox;
DROP INDEX idx_tasks_partner_inbox;
DROP INDEX idx_tasks_assignee_inbox;

-- +goose Down
CREATE INDEX idx_tasks_department_inbox ON tasks (candidate_department_id, status, due_at);
CREATE INDEX idx_tasks_partner_inbox ON tasks (partner_department_id, status, due_at);
CREATE INDEX idx_tasks_assignee_inbox ON tasks (assignee, status, due_at);
DROP INDEX idx_tasks_assignee_queue;
DROP INDEX idx_tasks_partner_queue;
DROP INDEX idx_tasks_candidate_queue;
ALTER TABLE tasks DROP COLUMN due_sort;
