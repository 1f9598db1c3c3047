package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Rectification statuses (整改状态), as RectificationWorkflow projects them.
const (
	RectificationIssued    = "issued"    // the department is to rectify (整改中)
	RectificationReported  = "reported"  // reported done; the authority checks it
	RectificationOverdue   = "overdue"   // the time limit passed uncorrected; consequence recorded
	RectificationRectified = "rectified" // the authority accepted the report (final)
)

var rectificationStatuses = map[string]bool{RectificationIssued: true, RectificationReported: true,
	RectificationOverdue: true, RectificationRectified: true}

// Rectification is a rectification notice (限期整改通知) the authority issued to a department:
// the projection of its workflow's state, written only by activities. A row is replaced whole,
// and only by a higher Revision.
type Rectification struct {
	ID              string `gorm:"column:id;primaryKey"`
	WorkflowID      string `gorm:"column:workflow_id"`
	DepartmentID    string `gorm:"column:department_id"` // the department ordered to rectify
	AuthorityDeptID string `gorm:"column:authority_dept_id"`
	IssuedBy        string `gorm:"column:issued_by"`
	ViolationCode   string `gorm:"column:violation_code"`
	ViolationTitle  string `gorm:"column:violation_title"`
	// ViolationBasisJSON cites the violated item (JSON list of strings).
	ViolationBasisJSON string `gorm:"column:violation_basis"`
	// FormJSON is what the authority wrote (the description of what is to be corrected), a
	// JSON object the API reads whole: the read model neither filters nor sorts by it.
	FormJSON string `gorm:"column:form"`
	// Workdays is the notice's time limit, a column of its own: the deadline activity reads it.
	Workdays int `gorm:"column:workdays"`
	// DueAt is the notice's time limit; a returned report does not move it.
	DueAt *time.Time `gorm:"column:due_at"`
	// LegalBasisJSON cites the articles of the time limit (JSON list of strings).
	LegalBasisJSON string `gorm:"column:legal_basis"`
	Status         string `gorm:"column:status"`
	CurrentStep    string `gorm:"column:current_step"`
	// The consequence of a missed time limit under the profile in force, and whether it was
	// recorded (the limit passed) and carried out by the authority.
	ConsequenceCode         string     `gorm:"column:consequence_code"`
	ConsequenceTitle        string     `gorm:"column:consequence_title"`
	ConsequenceBasisJSON    string     `gorm:"column:consequence_basis"`
	ConsequenceLocalDefault bool       `gorm:"column:consequence_local_default"`
	ConsequenceRecordedAt   *time.Time `gorm:"column:consequence_recorded_at"`
	ConsequenceDone         bool       `gorm:"column:consequence_done"`
	// LinkedTaskID and LinkedRequestID: the overdue task (and its case) whose supervision the
	// notice was issued from; "" otherwise.
	LinkedTaskID    string `gorm:"column:linked_task_id"`
	LinkedRequestID string `gorm:"column:linked_request_id"`
	Revision        int    `gorm:"column:revision"`
	// CreatedAt (the notice's issue) and UpdatedAt are the workflow's times.
	CreatedAt time.Time  `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt time.Time  `gorm:"column:updated_at;autoUpdateTime:false"`
	ClosedAt  *time.Time `gorm:"column:closed_at"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (Rectification) TableName() string { return "rectifications" }

// Validate returns invalid fields by column name.
func (r *Rectification) Validate() map[string]string {
	f := map[string]string{}
	checkCase(f, r.ID, r.Revision, r.WorkflowID, r.CurrentStep, r.CreatedAt)
	checkText(f, "department_id", r.DepartmentID, 64, true)
	checkText(f, "authority_dept_id", r.AuthorityDeptID, 64, true)
	checkText(f, "issued_by", r.IssuedBy, 128, false)
	checkText(f, "violation_code", r.ViolationCode, 64, true)
	checkText(f, "violation_title", r.ViolationTitle, 255, false)
	checkText(f, "consequence_code", r.ConsequenceCode, 64, false)
	checkText(f, "consequence_title", r.ConsequenceTitle, 255, false)
	checkText(f, "linked_task_id", r.LinkedTaskID, 255, false)
	checkText(f, "linked_request_id", r.LinkedRequestID, 128, false)
	if !rectificationStatuses[r.Status] {
		f["status"] = "未知状态"
	}
	if r.Workdays < 1 {
		f["workdays"] = "须为正整数"
	}
	return f
}

// GetRectification returns the notice with the given id, or ErrNotFound.
func (s *Store) GetRectification(ctx context.Context, id string) (*Rectification, error) {
	return rectifications.get(ctx, s, id)
}

// RectificationWorkdays returns the time limit of the notice its workflow runs; found is false
// when no such row exists yet.
func (s *Store) RectificationWorkdays(ctx context.Context, workflowID string) (workdays int, found bool, err error) {
	var r Rectification
	err = s.db.WithContext(ctx).Select("workdays").Where("workflow_id = ?", workflowID).Take(&r).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return 0, false, nil
	case err != nil:
		return 0, false, dbError(err, "load the time limit of workflow %q", workflowID)
	}
	return r.Workdays, true, nil
}

// UpsertRectification stores r unless the stored row has the same or a higher revision;
// applied reports whether r was written. Invalid fields are a *ValidationError.
func (s *Store) UpsertRectification(ctx context.Context, r Rectification) (applied bool, err error) {
	return rectifications.upsert(ctx, s, &r)
}

// A rectified notice is never overdue.
var rectifications = caseTable[Rectification, *Rectification]{what: "rectification", cursor: "r1:",
	statuses: rectificationStatuses, unknownStatus: "未知的整改状态", final: []string{RectificationRectified},
	emptyJSON: map[string]string{"violation_basis": "[]", "legal_basis": "[]", "consequence_basis": "[]", "form": "{}"}}

// RectificationFilter selects notices a principal may see: its department's, or every notice
// (SeesAll: the data authority). Empty fields other than the principal's do not filter.
type RectificationFilter struct {
	DepartmentID string
	SeesAll      bool
	// Department narrows the list to one ordered department (the authority's filter).
	Department string
	Status     string // one of the Rectification* statuses; "" for every status
	// LinkedTaskID narrows the list to notices issued from the supervision of that task.
	LinkedTaskID string
	// Overdue selects notices past their time limit and not rectified (true) or the others
	// (false); nil for both. Now is the instant compared with; zero means the current time.
	Overdue *bool
	Now     time.Time
	Limit   int
	Cursor  string
}

// ListRectifications returns one page of the notices matching f, newest first (ids sort by
// time of issue), and the cursor of the next page. A malformed status or cursor is a
// *ValidationError.
func (s *Store) ListRectifications(ctx context.Context, f RectificationFilter) (items []Rectification, next string, err error) {
	return rectifications.list(ctx, s, caseQuery{seesAll: f.SeesAll, sees: sameValue(f.DepartmentID, "department_id"),
		status: f.Status, where: []columnValue{{"department_id", f.Department}, {"linked_task_id", f.LinkedTaskID}},
		overdue: f.Overdue, now: f.Now, limit: f.Limit, cursor: f.Cursor})
}
