package models

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// MinAuditRetentionMonths is the shortest keeping of the audit log: 内乡 第三十三条 requires
// logs of data provided and obtained to be kept at least six months, and datashare applies
// that floor whatever the profile.
const MinAuditRetentionMonths = 6

// Audit actions the API and the workers record, besides the API's operation ids for
// administrative changes.
const (
	AuditDataProvided = "data_provided" // a provider records data it delivered under a grant
	AuditDataReceived = "data_received" // a consumer records data it obtained under a grant
)

// AuditEvent is one entry of the audit log (日志记录): who did what — a grant, a provision or
// receipt of data, a decision, an administrative change — to which resource or request, and
// when. Rows are only inserted, and deleted only past the retention.
type AuditEvent struct {
	ID int64 `gorm:"column:id;primaryKey;autoIncrement"`
	// EventKey makes a repeated write a no-op: the timeline event id of what a workflow
	// recorded, the HTTP request id of what the API did.
	EventKey     string    `gorm:"column:event_key"`
	At           time.Time `gorm:"column:at"`
	Actor        string    `gorm:"column:actor"` // subject; "" for the system (an expiry)
	DepartmentID string    `gorm:"column:department_id"`
	Action       string    `gorm:"column:action"`
	Procedure    string    `gorm:"column:procedure"`
	RequestID    string    `gorm:"column:request_id"` // the procedure's request, if any
	ResourceID   *int64    `gorm:"column:resource_id"`
	// Object is what was acted on: a grant, a task, a path.
	Object        string `gorm:"column:object"`
	HTTPRequestID string `gorm:"column:http_request_id"`
	// DetailsJSON is a JSON object ("{}" when none).
	DetailsJSON string `gorm:"column:details"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (AuditEvent) TableName() string { return "audit_events" }

// Validate returns invalid fields by column name.
func (e *AuditEvent) Validate() map[string]string {
	f := map[string]string{}
	checkText(f, "event_key", e.EventKey, 320, true)
	checkText(f, "action", e.Action, 64, true)
	checkText(f, "actor", e.Actor, 128, false)
	checkText(f, "department_id", e.DepartmentID, 64, false)
	checkText(f, "procedure", e.Procedure, 64, false)
	checkText(f, "request_id", e.RequestID, 128, false)
	checkText(f, "object", e.Object, 320, false)
	checkText(f, "http_request_id", e.HTTPRequestID, 64, false)
	if e.At.IsZero() {
		f["at"] = "必填"
	}
	return f
}

// AppendAuditEvent inserts e and sets its ID; inserted is false when an event with its
// EventKey is already there (a retry), which is not an error.
func (s *Store) AppendAuditEvent(ctx context.Context, e *AuditEvent) (inserted bool, err error) {
	if f := e.Validate(); len(f) > 0 {
		return false, fmt.Errorf("append audit event %q: %w", e.EventKey, &ValidationError{Fields: f})
	}
	e.ID = 0
	e.At = dbTime(e.At)
	if e.DetailsJSON == "" {
		e.DetailsJSON = "{}"
	}
	err = s.db.WithContext(ctx).Create(e).Error
	switch {
	case err == nil:
		return true, nil
	case isDuplicateKey(err):
		return false, nil
	default:
		return false, dbError(err, "append audit event %q", e.EventKey)
	}
}

// AuditFilter selects audit events; empty fields do not filter.
type AuditFilter struct {
	DepartmentID string
	ResourceID   int64
	Actor        string
	Action       string
	From, To     time.Time // at >= From and at < To; zero for open ends
	Limit        int       // 0 means DefaultPageSize; larger than MaxPageSize means MaxPageSize
	Cursor       string
}

const auditCursorPrefix = "audit:"

// ListAuditEvents returns one page of the events matching f, newest first, and the cursor of
// the next page ("" after the last). A malformed cursor is a *ValidationError.
func (s *Store) ListAuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, string, error) {
	after, ok := decodeIDCursor(auditCursorPrefix, f.Cursor)
	var afterID int64
	if ok && after != "" {
		var err error
		afterID, err = strconv.ParseInt(after, 10, 64)
		ok = err == nil && afterID > 0
	}
	if !ok {
		return nil, "", fmt.Errorf("list audit events: %w", &ValidationError{Fields: map[string]string{"cursor": "无效的分页游标"}})
	}
	q := s.db.WithContext(ctx).Model(&AuditEvent{})
	if f.DepartmentID != "" {
		q = q.Where("department_id = ?", f.DepartmentID)
	}
	if f.ResourceID != 0 {
		q = q.Where("resource_id = ?", f.ResourceID)
	}
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", dbTime(f.From))
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", dbTime(f.To))
	}
	if afterID > 0 {
		q = q.Where("id < ?", afterID)
	}
	return pageByID(q, f.Limit, auditCursorPrefix, func(e AuditEvent) string { return strconv.FormatInt(e.ID, 10) }, "list audit events")
}

// PurgeAuditEvents deletes the events recorded before before and reports how many.
func (s *Store) PurgeAuditEvents(ctx context.Context, before time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("at < ?", dbTime(before)).Delete(&AuditEvent{})
	if res.Error != nil {
		return 0, dbError(res.Error, "purge audit events before %s", before.Format(time.RFC3339))
	}
	return res.RowsAffected, nil
}
