package models

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// finalShareStatuses are the statuses no decision changes any more: such a request is never
// overdue.
var finalShareStatuses = []string{ShareRequestGranted, ShareRequestRejected, ShareRequestWithdrawn,
	ShareRequestSuspended, ShareRequestRevoked, ShareRequestExpired}

var shareStatuses = map[string]bool{
	ShareRequestPending: true, ShareRequestRefused: true, ShareRequestNegotiating: true,
	ShareRequestCoordinating: true, ShareRequestGranted: true, ShareRequestRejected: true,
	ShareRequestWithdrawn: true, ShareRequestSuspended: true, ShareRequestRevoked: true, ShareRequestExpired: true,
}

var grantStatuses = map[string]bool{GrantActive: true, GrantSuspended: true, GrantRevoked: true, GrantExpired: true}

// ShareRequestFilter selects share requests a principal may see: those of its department as
// applicant, provider or deciding party, or every request (SeesAll: the data authority).
// Empty fields other than the principal's do not filter.
type ShareRequestFilter struct {
	DepartmentID string
	SeesAll      bool

	Status     string // one of the ShareRequest* statuses; "" for every status
	ResourceID int64  // 0 for every resource
	// Overdue selects requests whose open step is past its deadline (true) or not (false);
	// nil for both. Now is the instant compared with; the zero time means the current time.
	Overdue *bool
	Now     time.Time
	Limit   int    // 0 means DefaultPageSize; larger than MaxPageSize means MaxPageSize
	Cursor  string // from a previous page; "" starts at the beginning
}

// ListShareRequests returns one page of the requests matching f, newest first (request ids
// sort by time of submission), and the cursor of the next page ("" after the last). A
// malformed status or cursor is a *ValidationError.
func (s *Store) ListShareRequests(ctx context.Context, f ShareRequestFilter) (items []ShareRequest, next string, err error) {
	bad := map[string]string{}
	if f.Status != "" && !shareStatuses[f.Status] {
		bad["status"] = "未知的申请状态"
	}
	after, ok := decodeIDCursor(shareRequestCursorPrefix, f.Cursor)
	if !ok {
		bad["cursor"] = "无效的分页游标"
	}
	if len(bad) > 0 {
		return nil, "", fmt.Errorf("list share requests: %w", &ValidationError{Fields: bad})
	}
	if !f.SeesAll && f.DepartmentID == "" {
		return []ShareRequest{}, "", nil
	}
	q := s.db.WithContext(ctx).Model(&ShareRequest{})
	if !f.SeesAll {
		q = q.Where("(applicant_dept_id = ? OR provider_dept_id = ? OR deciding_dept_id = ?)", f.DepartmentID, f.DepartmentID, f.DepartmentID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.ResourceID != 0 {
		q = q.Where("resource_id = ?", f.ResourceID)
	}
	if f.Overdue != nil {
		at := f.Now
		if at.IsZero() {
			at = now()
		}
		if *f.Overdue {
			q = q.Where("(due_at IS NOT NULL AND due_at < ? AND status NOT IN ?)", dbTime(at), finalShareStatuses)
		} else {
			q = q.Where("(due_at IS NULL OR due_at >= ? OR status IN ?)", dbTime(at), finalShareStatuses)
		}
	}
	if after != "" {
		q = q.Where("id < ?", after)
	}
	return pageByID(q, f.Limit, shareRequestCursorPrefix, func(r ShareRequest) string { return r.ID }, "list share requests")
}

// ListRequestTasks returns the tasks of a request, oldest deadline first; status "" lists
// every status.
func (s *Store) ListRequestTasks(ctx context.Context, requestID, status string) ([]Task, error) {
	q := s.db.WithContext(ctx).Where(clause.Eq{Column: clause.Column{Name: "request_id"}, Value: requestID})
	if status != "" {
		q = q.Where(clause.Eq{Column: clause.Column{Name: "status"}, Value: status})
	}
	var out []Task
	if err := q.Order("received_at").Order("task_id").Find(&out).Error; err != nil {
		return nil, dbError(err, "list tasks of request %q", requestID)
	}
	return out, nil
}

// GrantFilter selects grants a principal may see: its department's as consumer or provider,
// or every grant (SeesAll: the data authority).
type GrantFilter struct {
	DepartmentID string
	SeesAll      bool
	Status       string // one of the Grant* statuses; "" for every status
	ResourceID   int64  // 0 for every resource
	Limit        int
	Cursor       string
}

// ListGrants returns one page of the grants matching f, newest request first, and the cursor
// of the next page. A malformed status or cursor is a *ValidationError.
func (s *Store) ListGrants(ctx context.Context, f GrantFilter) (items []Grant, next string, err error) {
	bad := map[string]string{}
	if f.Status != "" && !grantStatuses[f.Status] {
		bad["status"] = "未知的授权状态"
	}
	after, ok := decodeIDCursor(grantCursorPrefix, f.Cursor)
	if !ok {
		bad["cursor"] = "无效的分页游标"
	}
	if len(bad) > 0 {
		return nil, "", fmt.Errorf("list grants: %w", &ValidationError{Fields: bad})
	}
	if !f.SeesAll && f.DepartmentID == "" {
		return []Grant{}, "", nil
	}
	q := s.db.WithContext(ctx).Model(&Grant{})
	if !f.SeesAll {
		q = q.Where("(consumer_dept_id = ? OR provider_dept_id = ?)", f.DepartmentID, f.DepartmentID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.ResourceID != 0 {
		q = q.Where("resource_id = ?", f.ResourceID)
	}
	if after != "" {
		q = q.Where("id < ?", after)
	}
	return pageByID(q, f.Limit, grantCursorPrefix, func(g Grant) string { return g.ID }, "list grants")
}

// pageByID reads one page of q in descending id order, fetching one row more than the page
// to tell whether another page follows.
func pageByID[T any](q *gorm.DB, limit int, prefix string, id func(T) string, what string) ([]T, string, error) {
	switch {
	case limit <= 0:
		limit = DefaultPageSize
	case limit > MaxPageSize:
		limit = MaxPageSize
	}
	var items []T
	if err := q.Order("id DESC").Limit(limit + 1).Find(&items).Error; err != nil {
		return nil, "", dbError(err, "%s", what)
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(prefix + id(items[limit-1])))
	}
	if items == nil {
		items = []T{}
	}
	return items, next, nil
}

// Cursors are opaque to clients; the prefix tells one list's cursor from another's.
const (
	shareRequestCursorPrefix = "s1:"
	grantCursorPrefix        = "g1:"
)

// decodeIDCursor returns the id after which the page starts; "" for the first page.
func decodeIDCursor(prefix, c string) (string, bool) {
	if c == "" {
		return "", true
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", false
	}
	id, ok := strings.CutPrefix(string(raw), prefix)
	return id, ok && id != ""
}
