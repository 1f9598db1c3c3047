package api

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// CorrectionInput reports problem data of a catalog resource (数据校核纠错): the records or
// fields concerned, the problem, and the evidence (佐证材料, 内乡 第六十四条). The citizen's
// objection is given when the report relays the objection of a citizen or organisation (辽宁
// 第十八条第二款).
type CorrectionInput struct {
	ResourceID int64 `json:"resource_id" binding:"required,gte=1"`
	contract.CorrectionForm
}

// nullableProperties: the create takes "evidence": null as no evidence, which the rules then
// refuse, as it did when the evidence was a pointer of the API's own.
func (CorrectionInput) nullableProperties() []string { return []string{"evidence"} }

// CorrectionStatus is where a correction stands, as its workflow reports it: the answer to a
// report.
type CorrectionStatus struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	WorkflowID  string `json:"workflow_id"`
	CurrentStep string `json:"current_step"`
	// DueAt is the deadline of the open step; LocalDefault says that no article sets it.
	DueAt        *string  `json:"due_at"`
	LocalDefault bool     `json:"local_default"`
	LegalBasis   []string `json:"legal_basis"`
}

// CorrectionView is a correction as the list shows it.
type CorrectionView struct {
	ID              string `json:"id"`
	ResourceID      int64  `json:"resource_id"`
	ResourceCode    string `json:"resource_code"`
	ResourceName    string `json:"resource_name"`
	ReporterDeptID  string `json:"reporter_dept_id"`
	ReporterSubject string `json:"reporter_subject"`
	ProviderDeptID  string `json:"provider_dept_id"`
	ProducerDeptID  string `json:"producer_dept_id"`
	contract.CorrectionForm
	Status      string `json:"status"`
	CurrentStep string `json:"current_step"`
	// Result is confirmed, rejected or not_data_problem once known; ResultText the finding,
	// the reasons, or what was corrected.
	Result       string   `json:"result,omitempty"`
	ResultText   string   `json:"result_text,omitempty"`
	Disputed     bool     `json:"disputed"`
	DueAt        *string  `json:"due_at"`
	LocalDefault bool     `json:"local_default"`
	Overdue      bool     `json:"overdue"`
	WorkflowID   string   `json:"workflow_id"`
	LegalBasis   []string `json:"legal_basis"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
	ClosedAt     *string  `json:"closed_at,omitempty"`
}

// CorrectionList is one page of corrections, newest first.
type CorrectionList struct {
	Items      []CorrectionView `json:"items"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// CorrectionDetail is a correction with its timeline (办理记录) and open tasks.
type CorrectionDetail struct {
	CorrectionView
	caseActivity
}

// AcceptResultInput accepts the result of a correction; the comment is optional.
type AcceptResultInput struct {
	Comment string `json:"comment" binding:"max=2000" text:"multiline"`
}

func (AcceptResultInput) optionalBody() {}

// DisputeResultInput disputes the result of a correction, once: why the reporter disagrees.
type DisputeResultInput struct {
	Reason string `json:"reason" binding:"required,max=2000" text:"multiline"`
}

func toCorrectionStatus(st contract.CorrectionState, workflowID string) CorrectionStatus {
	out := CorrectionStatus{
		ID: st.Input.CorrectionID, Status: st.Status, WorkflowID: workflowID, CurrentStep: st.CurrentStep,
		DueAt: formatTimePtr(st.DueAt), LocalDefault: st.LocalDefault, LegalBasis: st.LegalBasis,
	}
	if out.LegalBasis == nil {
		out.LegalBasis = []string{}
	}
	return out
}

func toCorrectionView(r *models.Correction, now time.Time) (CorrectionView, error) {
	v := CorrectionView{
		ID: r.ID, ResourceID: r.ResourceID, ResourceCode: r.ResourceCode, ResourceName: r.ResourceName,
		ReporterDeptID: r.ReporterDeptID, ReporterSubject: r.ReporterSubject, ProviderDeptID: r.ProviderDeptID,
		ProducerDeptID: r.ProducerDeptID, Status: r.Status, CurrentStep: r.CurrentStep, Result: r.Result,
		ResultText: r.ResultText, Disputed: r.Disputed, DueAt: formatTimePtr(r.DueAt), LocalDefault: r.LocalDefault,
		WorkflowID: r.WorkflowID, CreatedAt: formatTime(r.CreatedAt), UpdatedAt: formatTime(r.UpdatedAt),
		ClosedAt: formatTimePtr(r.ClosedAt),
	}
	v.Overdue = r.DueAt != nil && r.ClosedAt == nil && now.After(*r.DueAt)
	if err := json.Unmarshal([]byte(r.FormJSON), &v.CorrectionForm); err != nil {
		return CorrectionView{}, fmt.Errorf("correction %s: form: %w", r.ID, err)
	}
	if r.LegalBasisJSON != "" {
		if err := json.Unmarshal([]byte(r.LegalBasisJSON), &v.LegalBasis); err != nil {
			return CorrectionView{}, fmt.Errorf("correction %s: legal basis: %w", r.ID, err)
		}
	}
	// Lists are [] when empty, never null.
	for _, l := range []*[]string{&v.Fields, &v.Evidence.Attachments, &v.LegalBasis} {
		if *l == nil {
			*l = []string{}
		}
	}
	return v, nil
}
