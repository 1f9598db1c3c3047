package contract

import "time"

// RectificationWorkflowType is the registered name of the rectification workflow (限期整改);
// the API starts it by this name.
const RectificationWorkflowType = "RectificationWorkflow"

// RectificationConsequenceWorkflowType is the registered name of the child workflow that
// carries the authority's consequence task (通报批评, 上报县级政府) once a time limit has passed.
// It is a workflow of its own so the task takes the ordinary task actions while the department's
// rectify task stays open in the parent.
const RectificationConsequenceWorkflowType = "RectificationConsequenceWorkflow"

// RectificationWorkflowID is the workflow ID of rectification id ("rectification-RN-…"),
// unique per notice so that a second start is rejected.
func RectificationWorkflowID(id string) string { return "rectification-" + id }

// RectificationConsequenceWorkflowID is the workflow ID of the consequence child of a
// rectification's workflow.
func RectificationConsequenceWorkflowID(id string) string {
	return RectificationWorkflowID(id) + "-consequence"
}

// Rectification statuses; also the values of StatusKey.
const (
	RectificationIssued    = "issued"    // the department is to rectify (整改中)
	RectificationReported  = "reported"  // the department reported completion; the authority checks it
	RectificationOverdue   = "overdue"   // the time limit passed uncorrected; the consequence is recorded
	RectificationRectified = "rectified" // final: the authority accepted the report
)

// Steps of the rectification procedure in the jurisdiction profiles.
const (
	StepRectify = "rectify" // the department rectifies and reports (整改)
	// StepReview (catalog_update.go): the authority accepts or returns the report (核查).
	StepConsequence = "consequence" // the authority carries out the consequence of a missed limit
)

// Decisions of the rectification tasks.
const (
	// DecisionDone reports the rectification done (整改完成), with a report and evidence.
	DecisionDone = "done"
	// DecisionAccept (correction.go) accepts the report; the rectification is over.
	// DecisionReturn (catalog_update.go) returns the report with a reason; the department's
	// original time limit still stands.
	// DecisionCarriedOut: the authority has carried out the consequence (circulated the
	// criticism, reported to the county government), naming its document or reference.
	DecisionCarriedOut = "carried_out"
)

// Violation is the violation a notice names, as the profile in force lists it.
type Violation struct {
	Code  string `json:"code"`
	Title string `json:"title"`
	// LegalBasis renders the citations down to the item: 《…》第二十六条（一）.
	LegalBasis []string `json:"legal_basis"`
}

// Consequence is what follows a missed time limit under the profile in force.
type Consequence struct {
	Code  string `json:"code"`
	Title string `json:"title"`
	// LocalDefault: the regulation does not tie it to a missed time limit (local practice).
	LocalDefault bool     `json:"local_default,omitempty"`
	LegalBasis   []string `json:"legal_basis,omitempty"`
	Note         string   `json:"note,omitempty"`
}

// RectificationForm is what the authority writes on a rectification notice: what is to be
// corrected. The API binds it from the body with these binding rules, the workflow
// carries it in its input, the read model keeps it whole in the notice's form column and
// every view of the notice shows it (docs/architecture.md, "A field in one place"). The
// violation and the time limit are not part of it: the violation is a code the API expands
// from the profile's list, which views show expanded, and the deadline activity reads the
// time limit's working days from its own column.
type RectificationForm struct {
	Description string `json:"description" binding:"required,max=4000" text:"multiline"`
}

// Normalize trims the form's text before it is validated.
func (f *RectificationForm) Normalize() { trimText(f) }

// RectificationInput starts a RectificationWorkflow (限期整改通知). The API fills it from the
// request, the directory and the profile in force. The form's fields sit at the top level of
// its JSON, as before the form was a type of its own, so recorded histories decode alike.
type RectificationInput struct {
	ID              string    `json:"id"`
	DepartmentID    string    `json:"department_id"` // the department ordered to rectify
	AuthorityDeptID string    `json:"authority_dept_id"`
	IssuedBy        Actor     `json:"issued_by"`
	Violation       Violation `json:"violation"`
	RectificationForm
	Workdays    int         `json:"workdays"` // the time limit the notice fixes
	Consequence Consequence `json:"consequence"`
	// IssuedAt is the notice's time: the day of issue is not counted.
	IssuedAt time.Time `json:"issued_at"`
	// LinkedTaskID and LinkedRequestID: the overdue task (and its case) the notice was issued
	// from, through its supervision task (督办); empty for a notice issued on its own.
	LinkedTaskID     string `json:"linked_task_id,omitempty"`
	LinkedRequestID  string `json:"linked_request_id,omitempty"`
	LinkedWorkflowID string `json:"linked_workflow_id,omitempty"`
	LinkedProcedure  string `json:"linked_procedure,omitempty"`
}

// RectificationState is the whole serialisable state of a rectification; QueryRectification
// returns it and so does the workflow.
type RectificationState struct {
	Input RectificationInput `json:"input"`
	// CaseState: DueAt is the notice's time limit, which a returned report does not move.
	CaseState
	// ConsequenceRecordedAt is when the missed time limit's consequence was recorded; nil
	// while the limit holds. ConsequenceCarriedOut is the authority's completion of it.
	ConsequenceRecordedAt *time.Time   `json:"consequence_recorded_at,omitempty"`
	ConsequenceCarriedOut *TaskOutcome `json:"consequence_carried_out,omitempty"`
}

// RectificationConsequenceInput starts the consequence child of a rectification.
type RectificationConsequenceInput struct {
	RectificationID string      `json:"rectification_id"`
	DepartmentID    string      `json:"department_id"`
	AuthorityDeptID string      `json:"authority_dept_id"`
	Consequence     Consequence `json:"consequence"`
	// OverdueAt is when the time limit passed: the task's receipt.
	OverdueAt time.Time `json:"overdue_at"`
}

// QueryRectification returns the rectification's RectificationState.
const QueryRectification = "rectification"
