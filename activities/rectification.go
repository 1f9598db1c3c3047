package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/datashare/datashare/internal/policy"
)

// RectificationStore writes the read model of rectification notices (限期整改) and tells the
// deadline activity the time limit a notice fixed. The worker supplies one backed by the
// database, so this package never links GORM.
type RectificationStore interface {
	// SaveRectification upserts a rectification, applying it only over a lower stored revision.
	SaveRectification(ctx context.Context, in ProjectRectificationInput) error
}

// OrderedTimeLimits tells the working days a notice fixed for the case run by a workflow.
//
// The rectify step's time limit is not the profile's: the authority's notice fixes it (辽宁
// 第二十六条 责令限期改正, 乌海 第二十条 书面通报限期改正, 内乡 第六十七条 规定的时限). The human-task
// step asks ComputeDeadline with procedure, step and receipt only, so the activity looks the
// limit up by the calling workflow's ID in the rectification read model, which the workflow
// projects before it opens the task.
type OrderedTimeLimits interface {
	// OrderedWorkdays returns the notice's working days for the workflow; found is false when
	// the workflow projected no rectification (yet).
	OrderedWorkdays(ctx context.Context, workflowID string) (workdays int, found bool, err error)
}

// RectificationActivities are the projections of RectificationWorkflow.
type RectificationActivities struct {
	Store RectificationStore
}

// ProjectRectificationInput is the whole current state of a rectification as lists show it.
type ProjectRectificationInput struct {
	// ID is the notice's id (RN-…), the unique key of the projection.
	ID              string `json:"id"`
	Revision        int    `json:"revision"`
	WorkflowID      string `json:"workflow_id"`
	DepartmentID    string `json:"department_id"`
	AuthorityDeptID string `json:"authority_dept_id"`
	IssuedBy        string `json:"issued_by"`
	ViolationCode   string `json:"violation_code"`
	ViolationTitle  string `json:"violation_title"`
	// ViolationBasis cites the violated item, 《…》第二十六条（一）.
	ViolationBasis []string `json:"violation_basis"`
	// Form is what the authority wrote (the workflow's contract.RectificationForm), stored
	// whole as JSON: the projection writes it without knowing its fields.
	Form     any        `json:"form"`
	Workdays int        `json:"workdays"`
	DueAt    *time.Time `json:"due_at,omitempty"`
	// LegalBasis cites the articles of the time limit.
	LegalBasis              []string `json:"legal_basis,omitempty"`
	Status                  string   `json:"status"`
	CurrentStep             string   `json:"current_step"`
	ConsequenceCode         string   `json:"consequence_code"`
	ConsequenceTitle        string   `json:"consequence_title"`
	ConsequenceBasis        []string `json:"consequence_basis,omitempty"`
	ConsequenceLocalDefault bool     `json:"consequence_local_default,omitempty"`
	// ConsequenceRecordedAt is when the missed limit's consequence was recorded, nil before.
	ConsequenceRecordedAt *time.Time `json:"consequence_recorded_at,omitempty"`
	ConsequenceDone       bool       `json:"consequence_done,omitempty"`
	LinkedTaskID          string     `json:"linked_task_id,omitempty"`
	LinkedRequestID       string     `json:"linked_request_id,omitempty"`
	CreatedAt             time.Time  `json:"created_at"`
	UpdatedAt             time.Time  `json:"updated_at"`
	ClosedAt              *time.Time `json:"closed_at,omitempty"`
}

// ProjectRectificationResult is empty: the row is the effect.
type ProjectRectificationResult struct{}

// ProjectRectification upserts a rectification into the read model, guarded by Revision, so a
// retried or reordered call is harmless. A row the read model rejects is a non-retryable
// "invalid" error; a database failure is retried.
func (a *RectificationActivities) ProjectRectification(ctx context.Context, in ProjectRectificationInput) (ProjectRectificationResult, error) {
	if err := a.Store.SaveRectification(ctx, in); err != nil {
		return ProjectRectificationResult{}, storeError(err, "project rectification %s revision %d", in.ID, in.Revision)
	}
	return ProjectRectificationResult{}, nil
}

// Timeline event kinds of rectifications, besides the task events.
const (
	// EventRectificationIssued: the authority issued the notice (限期整改通知).
	EventRectificationIssued = "rectification_issued"
	// EventRectificationLinked: on the timeline of the overdue case a notice was issued from,
	// through its supervision task (督办).
	EventRectificationLinked = "rectification_linked"
	// EventRectificationReported: the department reported the rectification done.
	EventRectificationReported = "rectification_reported"
	// EventReportReturned: the authority returned the report; the original time limit stands.
	EventReportReturned = "rectification_report_returned"
	// EventRectified: the authority accepted the report.
	EventRectified = "rectified"
	// EventConsequenceRecorded: the time limit passed uncorrected and the profile's consequence
	// (通报批评, 上报县级政府纳入督查督办, …) is recorded: an escalation, never silent.
	EventConsequenceRecorded = "consequence_recorded"
	// EventConsequenceCarriedOut: the authority carried out the consequence.
	EventConsequenceCarriedOut = "consequence_carried_out"
)

// orderedWorkdays is the notice's time limit when the task is a rectify step run by a workflow
// whose notice fixed one; 0 otherwise (the profile's deadline applies).
func (a *Activities) orderedWorkdays(ctx context.Context, in DeadlineInput) (int, error) {
	if a.TimeLimits == nil || in.Procedure != policy.ProcRectification || in.Step != "rectify" || !activity.IsActivity(ctx) {
		return 0, nil
	}
	n, found, err := a.TimeLimits.OrderedWorkdays(ctx, activity.GetInfo(ctx).WorkflowExecution.ID)
	if err != nil || !found {
		return 0, err
	}
	return n, nil
}
