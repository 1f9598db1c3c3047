package models

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// inboxStatuses are the task statuses the workflows project: closed is a task that ended
// without a decision of its own (supervision, extension, withdrawal).
var inboxStatuses = map[string]bool{"open": true, "completed": true, "closed": true}

// InboxFilter selects the tasks a principal may act on (待办): those offered to its department
// in one of its roles, and those it claimed. Empty fields other than the principal's do not
// filter.
type InboxFilter struct {
	// DepartmentID and Roles: the principal's department and roles; a task is listed when its
	// candidate (or partner) department is DepartmentID and that role one of Roles.
	DepartmentID string
	Roles        []string
	// Subject lists the tasks assigned to the principal, whatever their department.
	Subject string

	Status    string     // open, completed, closed; "" for every status
	Procedure string     // procedure code; "" for every procedure
	Step      string     // step code, e.g. reply; "" for every step
	Overdue   *bool      // nil for both
	DueBefore *time.Time // tasks due strictly before; tasks without a deadline never match
	Limit     int        // 0 means DefaultPageSize; larger than MaxPageSize means MaxPageSize
	Cursor    string     // from a previous page; "" starts at the beginning
}

// ListInbox returns one page of the principal's tasks sorted by due time (tasks without a
// deadline last), then by task id; the number of tasks matching f over every page; and the
// cursor of the next page ("" after the last). A malformed status or cursor is a
// *ValidationError.
//
// A task reaches the inbox by one of three ways (inboxArms), each with an index in the inbox
// order (migration 00019): a page reads at most its size plus one from each and merges them,
// so with a status filter its cost does not grow with the number of matching tasks. The total
// counts each way once, a task already counted by an earlier way left out; a department's own
// count reads its index only.
func (s *Store) ListInbox(ctx context.Context, f InboxFilter) (items []Task, total int64, next string, err error) {
	bad := map[string]string{}
	if f.Status != "" && !inboxStatuses[f.Status] {
		bad["status"] = "未知的待办状态"
	}
	after, ok := decodeInboxCursor(f.Cursor)
	if !ok {
		bad["cursor"] = "无效的分页游标"
	}
	if len(bad) > 0 {
		return nil, 0, "", fmt.Errorf("list inbox: %w", &ValidationError{Fields: bad})
	}
	limit := f.pageLimit()

	arms := f.inboxArms()
	if len(arms) == 0 {
		return []Task{}, 0, "", nil
	}
	if total, err = s.countInbox(ctx, f, arms); err != nil {
		return nil, 0, "", err
	}
	seen := map[string]bool{}
	for _, arm := range arms {
		from := "tasks"
		if s.db.Dialector.Name() == DialectMySQL {
			// MariaDB estimates the range of a page after the cursor on the virtual due_sort
			// as the whole department and reads it from the start of the department instead;
			// SQLite takes the index by itself.
			from = "tasks FORCE INDEX (" + arm.index + ")"
		}
		q := f.narrow(s.db.WithContext(ctx).Table(from).Where(arm.cond))
		if after != nil {
			q = q.Where(after.condition())
		}
		var rows []Task
		if err := q.Order("due_sort").Order("task_id").Limit(limit + 1).Find(&rows).Error; err != nil {
			return nil, 0, "", dbError(err, "list inbox of %q", f.Subject)
		}
		// A task offered to the department and claimed by the subject comes by two ways.
		for _, t := range rows {
			if !seen[t.TaskID] {
				seen[t.TaskID] = true
				items = append(items, t)
			}
		}
	}
	slices.SortFunc(items, func(a, b Task) int { return inboxKeyOf(a).compare(inboxKeyOf(b)) })
	if len(items) > limit {
		items = items[:limit]
		next = encodeInboxCursor(items[limit-1])
	}
	if items == nil {
		items = []Task{}
	}
	return items, total, next, nil
}

// inboxArm is one way a task reaches an inbox and the index that serves it in the inbox
// order (migration 00019).
type inboxArm struct {
	cond  clause.Expression
	index string
}

// inboxArms are the ways a task reaches the principal's inbox — offered to its department in
// one of its roles as candidate, or as partner, or claimed by it; none when the principal can
// see no task at all (no roles in a department, no subject).
func (f InboxFilter) inboxArms() []inboxArm {
	var arms []inboxArm
	if f.DepartmentID != "" && len(f.Roles) > 0 {
		roles := toAnys(f.Roles)
		arms = append(arms,
			inboxArm{clause.And(
				clause.Eq{Column: clause.Column{Name: "candidate_department_id"}, Value: f.DepartmentID},
				clause.IN{Column: clause.Column{Name: "candidate_role"}, Values: roles},
			), "idx_tasks_candidate_queue"},
			inboxArm{clause.And(
				clause.Eq{Column: clause.Column{Name: "partner_department_id"}, Value: f.DepartmentID},
				clause.IN{Column: clause.Column{Name: "partner_role"}, Values: roles},
			), "idx_tasks_partner_queue"})
	}
	if f.Subject != "" { // assignee is '' while unclaimed: an empty subject must not match it
		arms = append(arms, inboxArm{clause.Eq{Column: clause.Column{Name: "assignee"}, Value: f.Subject}, "idx_tasks_assignee_queue"})
	}
	return arms
}

// countInbox counts the tasks of f that come by any of arms, in one statement: those of the
// first arm, then those of each next arm that no earlier arm has, so a task is counted once.
func (s *Store) countInbox(ctx context.Context, f InboxFilter, arms []inboxArm) (int64, error) {
	sql := make([]string, len(arms))
	vars := make([]any, len(arms))
	for i, arm := range arms {
		q := f.narrow(s.db.WithContext(ctx).Model(&Task{}).Select("COUNT(*)").Where(arm.cond))
		for _, earlier := range arms[:i] {
			// Not clause.Not, which negates each term of an AND instead of the whole.
			q = q.Where(clause.Expr{SQL: "NOT (?)", Vars: []any{earlier.cond}})
		}
		sql[i], vars[i] = "(?)", q
	}
	var total int64
	if err := s.db.WithContext(ctx).Raw("SELECT "+strings.Join(sql, " + "), vars...).Scan(&total).Error; err != nil {
		return 0, dbError(err, "count inbox of %q", f.Subject)
	}
	return total, nil
}

// narrow applies the filters of f other than the principal's scope and the cursor.
func (f InboxFilter) narrow(q *gorm.DB) *gorm.DB {
	if f.Status != "" {
		q = q.Where(clause.Eq{Column: clause.Column{Name: "status"}, Value: f.Status})
	}
	if f.Procedure != "" {
		// procedure is a reserved word in MySQL: the clause quotes the column.
		q = q.Where(clause.Eq{Column: clause.Column{Name: "procedure"}, Value: f.Procedure})
	}
	if f.Step != "" {
		q = q.Where(clause.Eq{Column: clause.Column{Name: "step"}, Value: f.Step})
	}
	if f.Overdue != nil {
		q = q.Where(clause.Eq{Column: clause.Column{Name: "overdue"}, Value: *f.Overdue})
	}
	if f.DueBefore != nil {
		// due_sort is due_at where there is one, and later than any instant otherwise: the
		// inbox's indexes serve the range.
		q = q.Where(clause.Lt{Column: clause.Column{Name: "due_sort"}, Value: dbTime(*f.DueBefore)})
	}
	return q
}

func toAnys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// inboxNoDeadline is the due_sort of a task without a deadline: the latest instant both
// dialects store, the value migration 00019 gives the column where due_at is NULL.
var inboxNoDeadline = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)

// inboxKey is the position of a task in the inbox order: (due_at NULLS LAST, task_id), which
// is (due_sort, task_id).
type inboxKey struct {
	due    *time.Time // nil: no deadline
	taskID string
}

func inboxKeyOf(t Task) inboxKey { return inboxKey{due: t.DueAt, taskID: t.TaskID} }

// dueSort is the key's due_sort: its deadline, or inboxNoDeadline without one.
func (k inboxKey) dueSort() time.Time {
	if k.due == nil {
		return inboxNoDeadline
	}
	return dbTime(*k.due)
}

// compare orders keys as the inbox's indexes do: task ids compare by their bytes, as in
// SQLite and in MySQL's utf8mb4_bin.
func (k inboxKey) compare(o inboxKey) int {
	if c := k.dueSort().Compare(o.dueSort()); c != 0 {
		return c
	}
	return strings.Compare(k.taskID, o.taskID)
}

// condition selects the tasks after k in the inbox order. Stored times are UTC with
// microseconds on both dialects, so the comparison is exact. The first term bounds the
// range of the index; the second steps over the tasks due at k's time up to k.
func (k inboxKey) condition() clause.Expression {
	due := clause.Column{Name: "due_sort"}
	d := k.dueSort()
	return clause.And(
		clause.Gte{Column: due, Value: d},
		clause.Or(
			clause.Gt{Column: due, Value: d},
			clause.Gt{Column: clause.Column{Name: "task_id"}, Value: k.taskID},
		),
	)
}

// The inbox cursor is opaque to clients; the prefix tells it from other cursors.
const inboxCursorPrefix = "t1:"

func encodeInboxCursor(t Task) string {
	due := "n"
	if t.DueAt != nil {
		due = strconv.FormatInt(dbTime(*t.DueAt).UnixMicro(), 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(inboxCursorPrefix + due + "|" + t.TaskID))
}

// pageLimit is the page size f asks for, within DefaultPageSize and MaxPageSize.
func (f InboxFilter) pageLimit() int {
	switch {
	case f.Limit <= 0:
		return DefaultPageSize
	case f.Limit > MaxPageSize:
		return MaxPageSize
	}
	return f.Limit
}

// openTaskCursor reads a task list's cursor of the given kind as "<position>|<task id>";
// ok is false for a malformed one or one of another list.
func openTaskCursor(c, prefix string) (pos, taskID string, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", "", false
	}
	rest, ok := strings.CutPrefix(string(raw), prefix)
	if !ok {
		return "", "", false
	}
	pos, taskID, ok = strings.Cut(rest, "|")
	return pos, taskID, ok && taskID != ""
}

// decodeInboxCursor returns the key after which the page starts; nil for the first page.
func decodeInboxCursor(c string) (*inboxKey, bool) {
	if c == "" {
		return nil, true
	}
	due, id, ok := openTaskCursor(c, inboxCursorPrefix)
	if !ok {
		return nil, false
	}
	k := &inboxKey{taskID: id}
	if due != "n" {
		t, ok := cursorTime(due)
		if !ok {
			return nil, false
		}
		k.due = &t
	}
	return k, true
}

// cursorTime reads the time of a cursor's position, written in microseconds since 1970. It
// must lie in the years 1 to 9999 (UTC), the times both databases store: MySQL's driver
// refuses to send any other, and a forged cursor failed the list with a 500.
func cursorTime(micros string) (time.Time, bool) {
	us, err := strconv.ParseInt(micros, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	t := time.UnixMicro(us).UTC()
	return t, t.Year() >= 1 && t.Year() <= 9999
}

// ListDecided returns one page of the tasks subject decided (已办), the most recent decision
// first, with the filters of f other than the principal's scope and the status (a decided
// task is completed); the number matching over every page; and the next page's cursor. A
// malformed cursor is a *ValidationError.
func (s *Store) ListDecided(ctx context.Context, subject string, f InboxFilter) (items []Task, total int64, next string, err error) {
	after, ok := decodeDecidedCursor(f.Cursor)
	if !ok {
		return nil, 0, "", fmt.Errorf("list decided: %w", &ValidationError{Fields: map[string]string{"cursor": "无效的分页游标"}})
	}
	if subject == "" {
		return []Task{}, 0, "", nil
	}
	limit := f.pageLimit()
	f.Status = ""
	scoped := f.narrow(s.db.WithContext(ctx).Model(&Task{}).
		Where(clause.Eq{Column: clause.Column{Name: "decided_by"}, Value: subject}))
	if err := scoped.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, "", dbError(err, "count tasks decided by %q", subject)
	}
	page := scoped.Session(&gorm.Session{})
	if after != nil {
		at := clause.Column{Name: "updated_at"}
		id := clause.Column{Name: "task_id"}
		page = page.Where(clause.Or(
			clause.Lt{Column: at, Value: after.at},
			clause.And(clause.Eq{Column: at, Value: after.at}, clause.Lt{Column: id, Value: after.taskID}),
		))
	}
	if err := page.Order("updated_at DESC").Order("task_id DESC").Limit(limit + 1).Find(&items).Error; err != nil {
		return nil, 0, "", dbError(err, "list tasks decided by %q", subject)
	}
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		next = base64.RawURLEncoding.EncodeToString([]byte(decidedCursorPrefix +
			strconv.FormatInt(dbTime(last.UpdatedAt).UnixMicro(), 10) + "|" + last.TaskID))
	}
	return items, total, next, nil
}

// The 已办 cursor: the decision time (the task's last update) and the task id of the last row.
const decidedCursorPrefix = "d1:"

type decidedKey struct {
	at     time.Time
	taskID string
}

func decodeDecidedCursor(c string) (*decidedKey, bool) {
	if c == "" {
		return nil, true
	}
	at, id, ok := openTaskCursor(c, decidedCursorPrefix)
	if !ok {
		return nil, false
	}
	t, ok := cursorTime(at)
	if !ok {
		return nil, false
	}
	return &decidedKey{at: t, taskID: id}, true
}

// HasOpenTask reports whether an open task of the workflow is in the read model.
func (s *Store) HasOpenTask(ctx context.Context, workflowID string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Task{}).
		Where(clause.Eq{Column: clause.Column{Name: "workflow_id"}, Value: workflowID}).
		Where(clause.Eq{Column: clause.Column{Name: "status"}, Value: "open"}).
		Limit(1).Count(&n).Error
	if err != nil {
		return false, dbError(err, "open tasks of %q", workflowID)
	}
	return n > 0, nil
}

// ListTaskTimeline returns the events of one task in their order.
func (s *Store) ListTaskTimeline(ctx context.Context, taskID string) ([]TimelineEvent, error) {
	var out []TimelineEvent
	err := s.db.WithContext(ctx).Where(clause.Eq{Column: clause.Column{Name: "task_id"}, Value: taskID}).
		Order("seq").Order("event_id").Find(&out).Error
	if err != nil {
		return nil, dbError(err, "list timeline of task %q", taskID)
	}
	return out, nil
}
