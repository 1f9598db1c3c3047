package models

import (
	"context"
	"time"
)

// Correction statuses (数据校核纠错状态), as CorrectionWorkflow projects them.
const (
	CorrectionDispatching  = "dispatching"  // the technical service unit triages it (内乡 第六十五条)
	CorrectionVerifying    = "verifying"    // the department verifies the data (校核)
	CorrectionCorrecting   = "correcting"   // the department corrects the data (更正)
	CorrectionAnswered     = "answered"     // the reporter accepts or disputes the result
	CorrectionCoordinating = "coordinating" // the authority coordinates the dispute (协调)
	CorrectionAccepted     = "accepted"     // final: the reporter accepted the result
	CorrectionUpheld       = "upheld"       // final: coordination upheld the department's answer
	CorrectionResolved     = "resolved"     // final: coordination ordered a correction, made
)

var correctionStatuses = map[string]bool{
	CorrectionDispatching: true, CorrectionVerifying: true, CorrectionCorrecting: true, CorrectionAnswered: true,
	CorrectionCoordinating: true, CorrectionAccepted: true, CorrectionUpheld: true, CorrectionResolved: true,
}

// Correction is a using department's report of problem data (数据校核纠错): the projection of
// its workflow's state, written only by activities. A row is replaced whole, and only by a
// higher Revision. While ClosedAt is nil the resource is under verification.
type Correction struct {
	ID         string `gorm:"column:id;primaryKey"`
	ResourceID int64  `gorm:"column:resource_id"`
	// ResourceCode and ResourceName are a snapshot taken at the report.
	ResourceCode    string `gorm:"column:resource_code"`
	ResourceName    string `gorm:"column:resource_name"`
	ReporterDeptID  string `gorm:"column:reporter_dept_id"`
	ReporterSubject string `gorm:"column:reporter_subject"`
	ProviderDeptID  string `gorm:"column:provider_dept_id"`
	// ProducerDeptID verifies and corrects; "" until the report is dispatched.
	ProducerDeptID string `gorm:"column:producer_dept_id"`
	// FormJSON is what the reporter wrote (fields, description, evidence, citizen_objection),
	// a JSON object the API reads whole: the read model neither filters nor sorts by it.
	FormJSON    string `gorm:"column:form"`
	Status      string `gorm:"column:status"`
	CurrentStep string `gorm:"column:current_step"`
	// Result is confirmed, rejected or not_data_problem once known; ResultText the finding,
	// the reasons or what was corrected.
	Result     string     `gorm:"column:result"`
	ResultText string     `gorm:"column:result_text"`
	Disputed   bool       `gorm:"column:disputed"`
	DueAt      *time.Time `gorm:"column:due_at"`
	// LocalDefault: DueAt is a local default, not a statutory deadline.
	LocalDefault bool   `gorm:"column:local_default"`
	WorkflowID   string `gorm:"column:workflow_id"`
	// LegalBasisJSON is the current step's citations, a JSON list of strings.
	LegalBasisJSON string     `gorm:"column:legal_basis"`
	Revision       int        `gorm:"column:revision"`
	CreatedAt      time.Time  `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt      time.Time  `gorm:"column:updated_at;autoUpdateTime:false"`
	ClosedAt       *time.Time `gorm:"column:closed_at"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (Correction) TableName() string { return "corrections" }

// Validate returns invalid fields by column name.
func (r *Correction) Validate() map[string]string {
	f := map[string]string{}
	checkCase(f, r.ID, r.Revision, r.WorkflowID, r.CurrentStep, r.CreatedAt)
	checkText(f, "resource_code", r.ResourceCode, 64, false)
	checkText(f, "resource_name", r.ResourceName, 255, false)
	checkText(f, "reporter_dept_id", r.ReporterDeptID, 64, true)
	checkText(f, "reporter_subject", r.ReporterSubject, 128, false)
	checkText(f, "provider_dept_id", r.ProviderDeptID, 64, true)
	checkText(f, "producer_dept_id", r.ProducerDeptID, 64, false)
	if !correctionStatuses[r.Status] {
		f["status"] = "未知状态"
	}
	checkText(f, "result", r.Result, 32, false)
	return f
}

// GetCorrection returns the correction with the given id, or ErrNotFound.
func (s *Store) GetCorrection(ctx context.Context, id string) (*Correction, error) {
	return corrections.get(ctx, s, id)
}

// UpsertCorrection stores r unless the stored row has the same or a higher revision; applied
// reports whether r was written. Invalid fields are a *ValidationError.
func (s *Store) UpsertCorrection(ctx context.Context, r Correction) (applied bool, err error) {
	return corrections.upsert(ctx, s, &r)
}

// A closed correction is never overdue.
var corrections = caseTable[Correction, *Correction]{what: "correction", cursor: "c1:",
	statuses: correctionStatuses, unknownStatus: "未知的纠错状态",
	emptyJSON: map[string]string{"legal_basis": "[]", "form": "{}"}}

// CorrectionFilter selects corrections a principal may see: those of its department as
// reporter, provider or producer, or every one (SeesAll: the authority and the technical
// service unit). Empty fields other than the principal's do not filter.
type CorrectionFilter struct {
	DepartmentID string
	SeesAll      bool

	Status     string // one of the Correction* statuses; "" for every status
	ResourceID int64  // 0 for every resource
	// Overdue selects corrections whose open step is past its deadline (true) or not (false);
	// nil for both. Now is the instant compared with; zero means the current time.
	Overdue *bool
	Now     time.Time
	Limit   int
	Cursor  string
}

// ListCorrections returns one page of the corrections matching f, newest first (ids sort by
// time of report), and the cursor of the next page. A malformed status or cursor is a
// *ValidationError.
func (s *Store) ListCorrections(ctx context.Context, f CorrectionFilter) (items []Correction, next string, err error) {
	return corrections.list(ctx, s, caseQuery{seesAll: f.SeesAll,
		sees:   sameValue(f.DepartmentID, "reporter_dept_id", "provider_dept_id", "producer_dept_id"),
		status: f.Status, where: []columnValue{{"resource_id", f.ResourceID}},
		overdue: f.Overdue, now: f.Now, limit: f.Limit, cursor: f.Cursor})
}

// OpenCorrectionCounts returns, for each of the resources that has any, how many corrections
// of it are open: the catalog shows such a resource as under verification (校核期间).
func (s *Store) OpenCorrectionCounts(ctx context.Context, resourceIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(resourceIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		ResourceID int64
		N          int
	}
	err := s.db.WithContext(ctx).Model(&Correction{}).Select("resource_id, COUNT(*) AS n").
		Where("resource_id IN ? AND closed_at IS NULL", resourceIDs).Group("resource_id").Scan(&rows).Error
	if err != nil {
		return nil, dbError(err, "count open corrections")
	}
	for _, r := range rows {
		out[r.ResourceID] = r.N
	}
	return out, nil
}

// HasActiveGrant reports whether the department holds a grant of the resource that is active
// and valid at the instant: the right to dispute data it obtained by a share request.
func (s *Store) HasActiveGrant(ctx context.Context, departmentID string, resourceID int64, at time.Time) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Grant{}).
		Where("consumer_dept_id = ? AND resource_id = ? AND status = ? AND valid_from <= ? AND valid_until > ?",
			departmentID, resourceID, GrantActive, dbTime(at), dbTime(at)).Count(&n).Error
	if err != nil {
		return false, dbError(err, "look up grants of department %q for resource %d", departmentID, resourceID)
	}
	return n > 0, nil
}
