package models

import (
	"context"
	"time"
)

// Share request statuses (共享申请状态), as ShareRequestWorkflow projects them.
const (
	ShareRequestPending      = "pending"      // waiting for the deciding party's reply (待答复)
	ShareRequestRefused      = "refused"      // refused; the applicant may still ask for negotiation
	ShareRequestNegotiating  = "negotiating"  // the two departments negotiate (协商)
	ShareRequestCoordinating = "coordinating" // the authority coordinates (协调)
	ShareRequestGranted      = "granted"      // a grant exists (final)
	ShareRequestRejected     = "rejected"     // the refusal is final (final)
	ShareRequestWithdrawn    = "withdrawn"    // withdrawn by the applicant (final)
	// After the grant the request's status follows the grant's (final all three: no decision
	// changes the request; a suspended grant may be resumed, back to granted).
	ShareRequestSuspended = "suspended"
	ShareRequestRevoked   = "revoked"
	ShareRequestExpired   = "expired"
)

// Grant statuses.
const (
	GrantActive    = "active"
	GrantSuspended = "suspended" // 暂停共享服务 (内乡 第四十一条)
	GrantRevoked   = "revoked"   // 终止共享服务
	GrantExpired   = "expired"   // past valid_until
)

// ShareRequest is a using department's request for a catalog resource (共享申请): the
// projection of its workflow's state, written only by activities. A row is replaced whole, and
// only by a higher Revision.
type ShareRequest struct {
	ID         string `gorm:"column:id;primaryKey"`
	ResourceID int64  `gorm:"column:resource_id"`
	// ResourceCode and ResourceName are a snapshot taken when the request was made.
	ResourceCode     string `gorm:"column:resource_code"`
	ResourceName     string `gorm:"column:resource_name"`
	ApplicantDeptID  string `gorm:"column:applicant_dept_id"`
	ApplicantSubject string `gorm:"column:applicant_subject"`
	ProviderDeptID   string `gorm:"column:provider_dept_id"`
	DecidingDeptID   string `gorm:"column:deciding_dept_id"`
	// FormJSON is what the applicant wrote (purpose, scope, …), a JSON object the API reads
	// whole: the read model neither filters nor sorts by it.
	FormJSON string `gorm:"column:form"`
	Status   string `gorm:"column:status"`
	// CurrentStep is the policy step the request is in (reply, negotiate, coordinate), "" when
	// none is open.
	CurrentStep string     `gorm:"column:current_step"`
	DueAt       *time.Time `gorm:"column:due_at"`
	WorkflowID  string     `gorm:"column:workflow_id"`
	// LegalBasisJSON is the current step's citations, a JSON list of strings.
	LegalBasisJSON string `gorm:"column:legal_basis"`
	Revision       int    `gorm:"column:revision"`
	// CreatedAt and UpdatedAt are the workflow's times, not the times of the write.
	CreatedAt time.Time  `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt time.Time  `gorm:"column:updated_at;autoUpdateTime:false"`
	ClosedAt  *time.Time `gorm:"column:closed_at"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (ShareRequest) TableName() string { return "share_requests" }

// Validate returns invalid fields by column name.
func (r *ShareRequest) Validate() map[string]string {
	f := map[string]string{}
	checkCase(f, r.ID, r.Revision, r.WorkflowID, r.CurrentStep, r.CreatedAt)
	checkText(f, "resource_code", r.ResourceCode, 64, false)
	checkText(f, "resource_name", r.ResourceName, 255, false)
	checkText(f, "applicant_dept_id", r.ApplicantDeptID, 64, true)
	checkText(f, "applicant_subject", r.ApplicantSubject, 128, false)
	checkText(f, "provider_dept_id", r.ProviderDeptID, 64, true)
	checkText(f, "deciding_dept_id", r.DecidingDeptID, 64, false)
	checkText(f, "status", r.Status, 32, true)
	return f
}

// GetShareRequest returns the request with the given id, or ErrNotFound.
func (s *Store) GetShareRequest(ctx context.Context, id string) (*ShareRequest, error) {
	return shareRequests.get(ctx, s, id)
}

// UpsertShareRequest stores r unless the stored row has the same or a higher revision;
// applied reports whether r was written. Invalid fields are a *ValidationError. It is race-free
// the way UpsertTask is: conditional UPDATE, INSERT, and on a duplicate key the conditional
// UPDATE again.
func (s *Store) UpsertShareRequest(ctx context.Context, r ShareRequest) (applied bool, err error) {
	return shareRequests.upsert(ctx, s, &r)
}

var shareRequests = caseTable[ShareRequest, *ShareRequest]{what: "share request", cursor: "s1:",
	statuses: shareStatuses, unknownStatus: "未知的申请状态", final: finalShareStatuses,
	emptyJSON: map[string]string{"legal_basis": "[]", "form": "{}"}}

// Grant is the right a share request produced (共享授权): which department may use which
// resource, for what, until when. One per request.
type Grant struct {
	ID             string    `gorm:"column:id;primaryKey"`
	RequestID      string    `gorm:"column:request_id"`
	ResourceID     int64     `gorm:"column:resource_id"`
	ConsumerDeptID string    `gorm:"column:consumer_dept_id"`
	ProviderDeptID string    `gorm:"column:provider_dept_id"`
	Scope          string    `gorm:"column:scope"`
	UsagePurpose   string    `gorm:"column:usage_purpose"`
	Conditions     string    `gorm:"column:conditions"`
	ValidFrom      time.Time `gorm:"column:valid_from"`
	ValidUntil     time.Time `gorm:"column:valid_until"`
	Status         string    `gorm:"column:status"`
	// StatusReason is why the authority suspended, resumed or revoked the grant.
	StatusReason string    `gorm:"column:status_reason"`
	Revision     int       `gorm:"column:revision"`
	UpdatedAt    time.Time `gorm:"column:updated_at;autoUpdateTime:false"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (Grant) TableName() string { return "grants" }

// Validate returns invalid fields by column name.
func (g *Grant) Validate() map[string]string {
	f := map[string]string{}
	checkText(f, "id", g.ID, 64, true)
	checkText(f, "request_id", g.RequestID, 64, true)
	if g.Revision < 1 {
		f["revision"] = "须为正整数"
	}
	checkText(f, "consumer_dept_id", g.ConsumerDeptID, 64, true)
	checkText(f, "provider_dept_id", g.ProviderDeptID, 64, true)
	switch g.Status {
	case GrantActive, GrantSuspended, GrantRevoked, GrantExpired:
	default:
		f["status"] = "未知状态"
	}
	if g.ValidFrom.IsZero() || g.ValidUntil.IsZero() {
		f["valid_until"] = "不能为空"
	} else if !g.ValidUntil.After(g.ValidFrom) {
		f["valid_until"] = "须晚于生效时间"
	}
	return f
}

// GetGrant returns the grant with the given id, or ErrNotFound.
func (s *Store) GetGrant(ctx context.Context, id string) (*Grant, error) {
	return grants.get(ctx, s, id)
}

// GetGrantByRequest returns the grant of a share request, or ErrNotFound.
func (s *Store) GetGrantByRequest(ctx context.Context, requestID string) (*Grant, error) {
	var g Grant
	if err := s.db.WithContext(ctx).Where("request_id = ?", requestID).Take(&g).Error; err != nil {
		return nil, dbError(err, "load grant of share request %q", requestID)
	}
	return &g, nil
}

// UpsertGrant stores g unless the stored row has the same or a higher revision; applied
// reports whether g was written. A second grant for the same request under another id is an
// ErrConflict. Invalid fields are a *ValidationError.
func (s *Store) UpsertGrant(ctx context.Context, g Grant) (applied bool, err error) {
	return grants.upsert(ctx, s, &g)
}

// grants keep request_id as inserted: it is the grant's identity as much as its id.
var grants = caseTable[Grant, *Grant]{what: "grant", cursor: "g1:",
	statuses: grantStatuses, unknownStatus: "未知的授权状态", kept: []string{"request_id"}}
