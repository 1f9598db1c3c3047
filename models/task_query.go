package models

import (
	"context"
	"encoding/base64"
	"fmt"
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

	scoped, visible := s.inboxQuery(ctx, f)
	if !visible {
		return []Task{}, 0, "", nil
	}
	if err := scoped.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, "", dbError(err, "count inbox of %q", f.Subject)
	}
	page := scoped.Session(&gorm.Session{})
	if after != nil {
		page = page.Where(after.condition())
	}
	// NULL due times sort last on both dialects (SQLite puts NULL first, MySQL too, when
	// ascending), hence the explicit CASE.
	err = page.Order("CASE WHEN due_at IS NULL THEN 1 ELSE 0 END").Order("due_at").Order("task_id").
		Limit(limit + 1).Find(&items).Error
	if err != nil {
		return nil, 0, "", dbError(err, "list inbox of %q", f.Subject)
	}
	if len(items) > limit {
		items = items[:limit]
		next = encodeInboxCursor(items[limit-1])
	}
	return items, total, next, nil
}

// inboxQuery is the scope and the filters of f without the cursor; false when the principal
// can see no task at all (no roles in a department, no subject).
func (s *Store) inboxQuery(ctx context.Context, f InboxFilter) (*gorm.DB, bool) {
	var who []clause.Expression
	if f.DepartmentID != "" && len(f.Roles) > 0 {
		who = append(who, clause.And(
			clause.Eq{Column: clause.Column{Name: "candidate_department_id"}, Value: f.DepartmentID},
			clause.IN{Column: clause.Column{Name: "candidate_role"}, Values: toAnys(f.Roles)},
		))
	}
	if f.DepartmentID != "" && len(f.Roles) > 0 {
		who = append(who, clause.And(
			clause.Eq{Column: clause.Column{Name: "partner_department_id"}, Value: f.DepartmentID},
			clause.IN{Column: clause.Column{Name: "partner_role"}, Values: toAnys(f.Roles)},
		))
	}
	if f.Subject != "" { // assignee is '' while unclaimed: an empty subject must not match it
		who = append(who, clause.Eq{Column: clause.Column{Name: "assignee"}, Value: f.Subject})
	}
	if len(who) == 0 {
		return nil, false
	}
	return f.narrow(s.db.WithContext(ctx).Model(&Task{}).Where(clause.Or(who...))), true
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
		q = q.Where(clause.Lt{Column: clause.Column{Name: "due_at"}, Value: dbTime(*f.DueBefore)})
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

// inboxKey is the position of a task in the inbox order: (due_at NULLS LAST, task_id).
type inboxKey struct {
	due    *time.Time // nil: no deadline
	taskID string
}

// condition selects the tasks after k in the inbox order. Stored times are UTC with
// microseconds on both dialects, so the comparison is exact.
func (k inboxKey) condition() clause.Expression {
	dueCol := clause.Column{Name: "due_at"}
	idCol := clause.Column{Name: "task_id"}
	noDue := clause.Expr{SQL: "due_at IS NULL"}
	if k.due == nil {
		return clause.And(noDue, clause.Gt{Column: idCol, Value: k.taskID})
	}
	d := dbTime(*k.due)
	return clause.Or(
		clause.Gt{Column: dueCol, Value: d},
		clause.And(clause.Eq{Column: dueCol, Value: d}, clause.Gt{Column: idCol, Value: k.taskID}),
		noDue,
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
