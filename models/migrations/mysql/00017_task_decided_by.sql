-- datashare schema, version 17 (MySQL / MariaDB / TiDB): who decided a task, on its row, so
-- that the list of the tasks a person decided (已办, GET /api/v1/tasks?decided_by=me) is one
-- query. The projection writes it from the task's outcome; '' while a task is open or closed
-- without a decision of its own. The SQLite twin is migrations/sqlite/00017_task_decided_by.sql.

-- +goose Up
ALTER TABLE tasks ADD COLUMN decided_by VARCHAR(128) NOT NULL DEFAULT '';

-- Tasks decided before this version: the actor of their last "completed" timeline event. An
-- extension approval's decider is recorded on its parent task's timeline only and stays ''.
UPDATE tasks SET decided_by = COALESCE((
    SELECT e.actor FROM timeline_events e
    WHERE e.task_id = tasks.task_id AND e.kind = 'completed'
    ORDER BY e.seq DESC LIMIT 1), '')
WHERE status = 'completed';

CREATE INDEX idx_tasks_decided_by ON tasks (decided_by, updated_at);

-- +goose Down
DROP INDEX idx_tasks_decided_by ON tasks;
ALTER TABLE tasks DROP COLUMN decided_by;
