package models

import (
	"context"
	"time"

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
	return shareRequests.list(ctx, s, caseQuery{seesAll: f.SeesAll,
		sees:   sameValue(f.DepartmentID, "applicant_dept_id", "provider_dept_id", "deciding_dept_id"),
		status: f.Status, where: []columnValue{{"resource_id", f.ResourceID}},
		overdue: f.Overdue, now: f.Now, limit: f.Limit, cursor: f.Cursor})
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
	return grants.list(ctx, s, caseQuery{seesAll: f.SeesAll,
		sees:   sameValue(f.DepartmentID, "consumer_dept_id", "provider_dept_id"),
		status: f.Status, where: []columnValue{{"resource_id", f.ResourceID}}, limit: f.Limit, cursor: f.Cursor})
}
