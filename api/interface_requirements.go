package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// InterfaceRequirementStore is what the interface requirement handlers need of the read model.
type InterfaceRequirementStore interface {
	GetInterfaceRequirement(ctx context.Context, id string) (*models.InterfaceRequirement, error)
	ListInterfaceRequirements(ctx context.Context, f models.InterfaceRequirementFilter) ([]models.InterfaceRequirement, string, error)
	TimelineReader
}

// InterfaceRequirementInput is the authority's requirement of a service interface from a
// producing department by a date agreed between the two (内乡 第十三条第二款).
type InterfaceRequirementInput struct {
	DepartmentID string `json:"department_id" binding:"required,max=64"`
	contract.InterfaceRequirementForm
}

// InterfaceRequirementStatus is the answer to a requirement: its task and deadline.
type InterfaceRequirementStatus struct {
	ID          string   `json:"id"`
	Status      string   `json:"status"`
	WorkflowID  string   `json:"workflow_id"`
	CurrentStep string   `json:"current_step"`
	DueAt       *string  `json:"due_at"`
	LegalBasis  []string `json:"legal_basis"`
}

// InterfaceRequirementView is a requirement as the list shows it.
type InterfaceRequirementView struct {
	ID              string `json:"id"`
	DepartmentID    string `json:"department_id"`
	AuthorityDeptID string `json:"authority_dept_id"`
	RequestedBy     string `json:"requested_by"`
	contract.InterfaceRequirementForm
	Status      string `json:"status"`
	CurrentStep string `json:"current_step"`
	// DueAt is the end of the agreed date, or the deadline an approved extension moved it to;
	// ExtensionWorkdays the working days granted beyond the agreed date (at most 5).
	DueAt                *string  `json:"due_at"`
	ExtensionWorkdays    int      `json:"extension_workdays"`
	Overdue              bool     `json:"overdue"`
	InterfaceDescription string   `json:"interface_description,omitempty"`
	Documentation        string   `json:"documentation,omitempty"`
	WorkflowID           string   `json:"workflow_id"`
	LegalBasis           []string `json:"legal_basis"`
	CreatedAt            string   `json:"created_at"`
	UpdatedAt            string   `json:"updated_at"`
	ClosedAt             *string  `json:"closed_at,omitempty"`
}

// InterfaceRequirementList is one page of requirements, newest first.
type InterfaceRequirementList struct {
	Items      []InterfaceRequirementView `json:"items"`
	NextCursor string                     `json:"next_cursor,omitempty"`
}

// InterfaceRequirementDetail is a requirement with its timeline and open tasks (the delivery
// task, an extension approval, a supervision).
type InterfaceRequirementDetail struct {
	InterfaceRequirementView
	caseActivity
}

// interfaceHandlers serve interface requirements: a requirement starts an
// InterfaceRequirementWorkflow; the delivery, the extension request and its approval are
// decisions of tasks (/tasks/{id}/complete).
type interfaceHandlers struct {
	// opened: a create answers once its first task is in the read model (nil: it does not wait).
	opened      OpenTasks
	store       InterfaceRequirementStore
	departments DepartmentStore
	starter     WorkflowStarter
	profile     policy.Profile
	taskQueue   string
	now         func() time.Time
	views       taskViews
}

func (h interfaceHandlers) create(c *gin.Context) {
	p := mustPrincipal(c)
	var in InterfaceRequirementInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	deptID := strings.TrimSpace(in.DepartmentID)
	agreed, err := time.ParseInLocation(time.DateOnly, in.AgreedDue, chinaTime)
	if err != nil {
		abort(c, invalidField("agreed_due", "must be a date, YYYY-MM-DD"))
		return
	}
	if err := procedureInProfile(h.profile, policy.ProcInterfaceExtension); err != nil {
		abort(c, err)
		return
	}
	now := h.now()
	today := now.In(chinaTime).Format(time.DateOnly)
	if agreed.Format(time.DateOnly) < today {
		abort(c, &Error{Status: http.StatusUnprocessableEntity, Code: CodeRuleViolated,
			Message: "agreed_due " + agreed.Format(time.DateOnly) + " has passed: the interface is due at the end of the agreed date",
			Fields:  map[string]string{"agreed_due": "must be today (" + today + ", China) or later"}})
		return
	}
	ctx := c.Request.Context()
	dept, err := h.departments.GetDepartment(ctx, deptID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		abort(c, invalidField("department_id", "department "+deptID+" does not exist"))
		return
	case err != nil:
		abort(c, err)
		return
	case dept.Kind != models.KindDepartment:
		abort(c, invalidField("department_id", "department "+deptID+" is a "+string(dept.Kind)+", not a producing department"))
		return
	}
	authority, err := departmentOfKind(ctx, h.departments, models.KindAuthority, h.profile.ID, "authority department")
	if err != nil {
		abort(c, err)
		return
	}
	id, err := newRequestID(c, "IR", now)
	if err != nil {
		abort(c, err)
		return
	}
	wid := contract.InterfaceRequirementWorkflowID(id)
	input := contract.InterfaceRequirementInput{RequirementID: id, DepartmentID: deptID, AuthorityDeptID: authority,
		InterfaceRequirementForm: in.InterfaceRequirementForm, RequestedBy: p.Subject, ReceivedAt: now}
	st, ok := startCase(c, caseStarter{h.starter, h.opened, h.profile.ID, h.taskQueue},
		caseStart{noun: "interface requirement", id: id, workflowID: wid, workflowType: contract.InterfaceRequirementWorkflowType,
			procedure: policy.ProcInterfaceExtension, applicant: authority, provider: deptID,
			status: contract.InterfaceStatusRequired, title: "服务接口 / " + deptID},
		input, untilStepOpen(contract.QueryInterfaceRequirement,
			contract.InterfaceRequirementState{Input: input, CaseState: contract.CaseState{Status: contract.InterfaceStatusRequired}},
			func(st contract.InterfaceRequirementState) stepProgress {
				return stepProgress{final: st.Final, step: st.CurrentStep, due: st.DueAt != nil}
			}))
	if !ok {
		return
	}
	c.Header("Location", "/api/v1/interface-requirements/"+id)
	c.JSON(http.StatusCreated, InterfaceRequirementStatus{ID: id, Status: st.Status, WorkflowID: wid, CurrentStep: st.CurrentStep,
		DueAt: formatTimePtr(st.DueAt), LegalBasis: nonNil(st.LegalBasis)})
}

// cases are interface requirements as the API reads them: the authority reads all of them, a
// department those it is required to deliver.
func (h interfaceHandlers) cases() caseKind[models.InterfaceRequirement, InterfaceRequirementView, InterfaceRequirementList] {
	return caseKind[models.InterfaceRequirement, InterfaceRequirementView, InterfaceRequirementList]{
		noun: "interface requirement", find: h.store.GetInterfaceRequirement,
		visible: func(p auth.Principal, r *models.InterfaceRequirement) bool {
			return p.Has(auth.RoleAuthority) || p.InDepartment(r.DepartmentID)
		},
		id: func(r *models.InterfaceRequirement) string { return r.ID }, view: toInterfaceRequirementView, now: h.now,
		activity: h.store, views: h.views,
		detail: func(_ context.Context, _ *models.InterfaceRequirement, v InterfaceRequirementView, a caseActivity) (any, error) {
			return InterfaceRequirementDetail{InterfaceRequirementView: v, caseActivity: a}, nil
		},
		findPage: func(c *gin.Context, p auth.Principal, q listQuery) ([]models.InterfaceRequirement, string, error) {
			return h.store.ListInterfaceRequirements(c.Request.Context(), models.InterfaceRequirementFilter{DepartmentID: p.DepartmentID,
				SeesAll: p.Has(auth.RoleAuthority), Status: q.status, Cursor: q.cursor, Limit: q.limit})
		},
	}
}

func (h interfaceHandlers) list(c *gin.Context) { h.cases().list(c) }

func (h interfaceHandlers) get(c *gin.Context) { h.cases().get(c) }

func toInterfaceRequirementView(r *models.InterfaceRequirement, now time.Time) (InterfaceRequirementView, error) {
	v := InterfaceRequirementView{
		ID: r.ID, DepartmentID: r.DepartmentID, AuthorityDeptID: r.AuthorityDeptID, RequestedBy: r.RequestedBy,
		Status: r.Status, CurrentStep: r.CurrentStep,
		DueAt: formatTimePtr(r.DueAt), ExtensionWorkdays: r.ExtensionWorkdays,
		Overdue:              r.DueAt != nil && r.ClosedAt == nil && now.After(*r.DueAt),
		InterfaceDescription: r.InterfaceDescription, Documentation: r.Documentation, WorkflowID: r.WorkflowID,
		CreatedAt: formatTime(r.CreatedAt), UpdatedAt: formatTime(r.UpdatedAt), ClosedAt: formatTimePtr(r.ClosedAt),
	}
	var err error
	if v.LegalBasis, err = decodeStrings(r.LegalBasisJSON); err != nil {
		return InterfaceRequirementView{}, fmt.Errorf("interface requirement %s: legal basis: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.FormJSON), &v.InterfaceRequirementForm); err != nil {
		return InterfaceRequirementView{}, fmt.Errorf("interface requirement %s: form: %w", r.ID, err)
	}
	return v, nil
}
