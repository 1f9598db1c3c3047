package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// RectificationStore is what the rectification handlers need of the read model.
type RectificationStore interface {
	GetRectification(ctx context.Context, id string) (*models.Rectification, error)
	ListRectifications(ctx context.Context, f models.RectificationFilter) ([]models.Rectification, string, error)
	TimelineReader
	GetTask(ctx context.Context, id string) (*models.Task, error)
	GetDepartment(ctx context.Context, id string) (*models.Department, error)
}

// RectificationInput is a rectification notice (限期整改通知): the department ordered, the
// violation from the profile's list, what is wrong, and the time limit in working days.
// SupervisionTaskID issues it from an overdue task's supervision (督办), as
// POST /api/v1/tasks/{id}/rectification does; the department is then the supervised task's.
// The id may be given in either form TaskView.ID documents.
type RectificationInput struct {
	DepartmentID string `json:"department_id" binding:"max=64"`
	Violation    string `json:"violation" binding:"required,max=64"`
	contract.RectificationForm
	Workdays          int    `json:"workdays" binding:"required"`
	SupervisionTaskID string `json:"supervision_task_id" binding:"max=255"`
}

// SupervisionRectificationInput issues a notice from a supervision task: the department is
// the supervised task's.
type SupervisionRectificationInput struct {
	Violation string `json:"violation" binding:"required,max=64"`
	contract.RectificationForm
	Workdays int `json:"workdays" binding:"required"`
}

// ViolationView is one violation of the profile's list with the item it rests on.
type ViolationView struct {
	Code       string   `json:"code"`
	Title      string   `json:"title"`
	LegalBasis []string `json:"legal_basis"`
	// AddedBy names the national regulation that adds the item to the profile's list
	// (政务数据共享条例 第三十九条、第四十条), which a notice may name from Effective; in the list only.
	AddedBy   string `json:"added_by,omitempty"`
	Effective string `json:"effective,omitempty"`
	// Consequence is what follows an order naming the item that is not complied with, where
	// it is not the list's: an added item carries its regulation's. In the list only.
	Consequence *ConsequenceView `json:"consequence,omitempty"`
}

// ConsequenceView is what follows a missed time limit, with its article or the local-default
// mark; on a notice, whether it was recorded and carried out.
type ConsequenceView struct {
	Code         string   `json:"code"`
	Title        string   `json:"title"`
	LegalBasis   []string `json:"legal_basis"`
	LocalDefault bool     `json:"local_default"`
	Note         string   `json:"note,omitempty"`
	RecordedAt   *string  `json:"recorded_at,omitempty"`
	CarriedOut   bool     `json:"carried_out"`
}

// ViolationList is the active profile's violation list, the longest time limit a notice may
// give and the consequence of missing it.
type ViolationList struct {
	Profile     string          `json:"profile"`
	Items       []ViolationView `json:"items"`
	MaxWorkdays int             `json:"max_workdays"`
	Consequence ConsequenceView `json:"consequence"`
}

// RectificationView is a notice as lists show it.
type RectificationView struct {
	ID              string        `json:"id"`
	Status          string        `json:"status"`
	WorkflowID      string        `json:"workflow_id"`
	CurrentStep     string        `json:"current_step"`
	DepartmentID    string        `json:"department_id"`
	AuthorityDeptID string        `json:"authority_dept_id"`
	IssuedBy        string        `json:"issued_by"`
	Violation       ViolationView `json:"violation"`
	contract.RectificationForm
	Workdays int `json:"workdays"`
	// DueAt is the notice's time limit, which a returned report does not move.
	DueAt       *string         `json:"due_at"`
	Overdue     bool            `json:"overdue"`
	LegalBasis  []string        `json:"legal_basis"`
	Consequence ConsequenceView `json:"consequence"`
	// LinkedTaskID is the overdue task the notice was issued from (URL-safe, as TaskView.ID).
	LinkedTaskID    string  `json:"linked_task_id,omitempty"`
	LinkedRequestID string  `json:"linked_request_id,omitempty"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
	ClosedAt        *string `json:"closed_at,omitempty"`
}

// RectificationList is one page of notices, newest first.
type RectificationList struct {
	Items      []RectificationView `json:"items"`
	NextCursor string              `json:"next_cursor,omitempty"`
}

// RectificationDetail is a notice with its timeline (办理记录) and open tasks.
type RectificationDetail struct {
	RectificationView
	caseActivity
}

// RectificationStatus is where a new notice stands, as its workflow reports it.
type RectificationStatus struct {
	ID          string   `json:"id"`
	Status      string   `json:"status"`
	WorkflowID  string   `json:"workflow_id"`
	CurrentStep string   `json:"current_step"`
	DueAt       *string  `json:"due_at"`
	LegalBasis  []string `json:"legal_basis"`
	// Violation and Consequence are what the notice names and threatens, with their articles.
	Violation   ViolationView   `json:"violation"`
	Consequence ConsequenceView `json:"consequence"`
	// LinkedTaskID is the overdue task the notice was issued from (URL-safe, as TaskView.ID).
	LinkedTaskID    string `json:"linked_task_id,omitempty"`
	LinkedRequestID string `json:"linked_request_id,omitempty"`
}

// rectificationHandlers serve rectification notices (限期整改): an issue starts a
// RectificationWorkflow, the department and the authority act on its tasks through the task
// API, and reads come from the read model the workflow projects.
type rectificationHandlers struct {
	// opened: a create answers once its first task is in the read model (nil: it does not wait).
	opened    OpenTasks
	store     RectificationStore
	starter   WorkflowStarter
	profile   policy.Profile
	taskQueue string
	now       func() time.Time
	views     taskViews
}

// linkedCase is the overdue task a notice is issued from.
type linkedCase struct {
	taskID, requestID, workflowID, procedure string
}

func (h rectificationHandlers) create(c *gin.Context) {
	var in RectificationInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	ctx := c.Request.Context()
	var link *linkedCase
	dept := strings.TrimSpace(in.DepartmentID)
	if id := strings.TrimSpace(in.SupervisionTaskID); id != "" {
		l, supervised, err := h.supervised(ctx, id, "supervision_task_id")
		if err != nil {
			abort(c, err)
			return
		}
		if dept != "" && dept != supervised {
			abort(c, invalidField("department_id", "is the supervised task's department "+supervised+"; leave it out or give that one"))
			return
		}
		link, dept = l, supervised
	}
	if dept == "" {
		abort(c, invalidField("department_id", "is required: the department ordered to rectify"))
		return
	}
	h.issue(c, dept, in.Violation, in.RectificationForm, in.Workdays, link)
}

// fromSupervision issues a notice in one action from an open supervision task (督办) of any
// procedure, to the department of the overdue task it supervises, linked to that task.
func (h rectificationHandlers) fromSupervision(c *gin.Context) {
	var in SupervisionRectificationInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	link, dept, err := h.supervised(c.Request.Context(), c.Param("id"), "")
	if err != nil {
		abort(c, err)
		return
	}
	h.issue(c, dept, in.Violation, in.RectificationForm, in.Workdays, link)
}

// supervised reads an open supervision task and the task it supervises: the link and the
// department now responsible for the overdue task. id is in either form a client may send;
// field names the body's field when the id came from the body (400), else the id is the
// path's (404).
func (h rectificationHandlers) supervised(ctx context.Context, id, field string) (*linkedCase, string, error) {
	missing := func(msg string) error {
		if field != "" {
			return invalidField(field, msg)
		}
		return notFound(msg)
	}
	sup, err := h.store.GetTask(ctx, internalTaskID(id))
	switch {
	case errors.Is(err, models.ErrNotFound):
		return nil, "", missing("task " + id + " not found")
	case err != nil:
		return nil, "", err
	case sup.Kind != activitiesTaskKindSupervision || sup.ParentTaskID == nil:
		return nil, "", &Error{Status: http.StatusConflict, Code: CodeInvalidState, Message: "task " + id + " is not a supervision task (督办): a notice is issued from the supervision of an overdue task"}
	case sup.Status != "open":
		return nil, "", &Error{Status: http.StatusConflict, Code: CodeInvalidState, Message: "supervision task " + id + " is " + sup.Status + ": its task is no longer overdue"}
	}
	overdue, err := h.store.GetTask(ctx, *sup.ParentTaskID)
	if err != nil {
		return nil, "", fmt.Errorf("load the task supervised by %s: %w", id, err)
	}
	pending, _, err := h.store.ListRectifications(ctx, models.RectificationFilter{SeesAll: true, LinkedTaskID: overdue.TaskID, Limit: 10})
	if err != nil {
		return nil, "", err
	}
	for _, r := range pending {
		if r.Status != models.RectificationRectified {
			return nil, "", &Error{Status: http.StatusConflict, Code: CodeConflict, Message: "rectification " + r.ID + " was already issued for task " + publicTaskID(overdue.TaskID) + " and is " + r.Status}
		}
	}
	return &linkedCase{taskID: overdue.TaskID, requestID: overdue.RequestID, workflowID: overdue.WorkflowID, procedure: overdue.Procedure},
		overdue.CandidateDepartmentID, nil
}

// activitiesTaskKindSupervision is the read model's kind of a supervision task (督办).
const activitiesTaskKindSupervision = "supervision"

// issue validates the notice against the directory and the profile, starts its workflow and
// answers 201 with the time limit once the workflow has computed it.
func (h rectificationHandlers) issue(c *gin.Context, dept, violation string, form contract.RectificationForm, workdays int, link *linkedCase) {
	p := mustPrincipal(c)
	ctx := c.Request.Context()
	if err := procedureInProfile(h.profile, policy.ProcRectification); err != nil {
		abort(c, err)
		return
	}
	rules := h.profile.Rectification
	if rules == nil { // a deployment's own profile file that leaves the rules out
		abort(c, ruleViolated("profile "+h.profile.ID+" gives no rules for rectification notices (rectification: max_workdays, consequence)"))
		return
	}
	v, ok := h.profile.Violation(strings.TrimSpace(violation))
	switch {
	case !ok:
		codes := make([]string, 0, len(h.profile.Violations))
		for _, x := range h.profile.Violations {
			codes = append(codes, x.Code)
		}
		abort(c, invalidField("violation", fmt.Sprintf("must be one of the violations of profile %s: %s", h.profile.ID, strings.Join(codes, ", "))))
		return
	case workdays < 1 || workdays > rules.MaxWorkdays:
		abort(c, invalidField("workdays", "must be 1.."+strconv.Itoa(rules.MaxWorkdays)+" working days"))
		return
	case dept == p.DepartmentID:
		abort(c, invalidField("department_id", "the authority does not order itself to rectify"))
		return
	}
	if err := nameable(v, h.now()); err != nil {
		abort(c, err)
		return
	}
	// An item the national regulation adds carries its consequence (政务数据共享条例 第三十九条、
	// 第四十条: 拒不改正的，依法给予处分); the profile's own items, the profile's.
	consequence := rules.Consequence
	if v.Consequence != nil {
		consequence = *v.Consequence
	}
	if _, err := h.store.GetDepartment(ctx, dept); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			err = invalidField("department_id", "department "+dept+" does not exist")
		}
		abort(c, err)
		return
	}

	now := h.now()
	id, err := newRequestID(c, "RN", now)
	if err != nil {
		abort(c, err)
		return
	}
	wid := contract.RectificationWorkflowID(id)
	input := contract.RectificationInput{
		ID: id, DepartmentID: dept, AuthorityDeptID: p.DepartmentID, IssuedBy: actorOf(p),
		Violation:         contract.Violation{Code: v.Code, Title: v.Title, LegalBasis: citationStrings(v.Basis())},
		RectificationForm: form, Workdays: workdays,
		Consequence: contract.Consequence{Code: consequence.Code, Title: consequence.Title,
			LocalDefault: consequence.LocalDefault, LegalBasis: citationStrings(consequence.LegalBasis), Note: consequence.Note},
		IssuedAt: now,
	}
	if link != nil {
		input.LinkedTaskID, input.LinkedRequestID, input.LinkedWorkflowID, input.LinkedProcedure = link.taskID, link.requestID, link.workflowID, link.procedure
	}
	// The notice is issued once its rectify task has a deadline: until then it reports the
	// notice as issued.
	st, ok := startCase(c, caseStarter{h.starter, h.opened, h.profile.ID, h.taskQueue},
		caseStart{noun: "rectification", id: id, workflowID: wid, workflowType: contract.RectificationWorkflowType,
			procedure: policy.ProcRectification, applicant: p.DepartmentID, provider: dept,
			status: contract.RectificationIssued, title: v.Title + " / " + dept},
		input, firstStep[contract.RectificationState]{query: contract.QueryRectification,
			start: contract.RectificationState{Input: input, CaseState: contract.CaseState{Status: contract.RectificationIssued}},
			done:  func(st contract.RectificationState) bool { return st.DueAt != nil || st.Final },
			open:  func(st contract.RectificationState) bool { return !st.Final }})
	if !ok {
		return
	}
	c.Header("Location", "/api/v1/rectifications/"+id)
	c.JSON(http.StatusCreated, RectificationStatus{
		ID: id, Status: st.Status, WorkflowID: wid, CurrentStep: st.CurrentStep, DueAt: formatTimePtr(st.DueAt),
		LegalBasis: nonNil(st.LegalBasis), Violation: toViolationView(input.Violation.Code, input.Violation.Title, input.Violation.LegalBasis),
		Consequence: ConsequenceView{Code: input.Consequence.Code, Title: input.Consequence.Title,
			LegalBasis: nonNil(input.Consequence.LegalBasis), LocalDefault: input.Consequence.LocalDefault, Note: input.Consequence.Note},
		LinkedTaskID: publicTaskID(input.LinkedTaskID), LinkedRequestID: input.LinkedRequestID,
	})
}

// canSeeRectification: the department ordered and the authority.
func canSeeRectification(p auth.Principal, r *models.Rectification) bool {
	return p.Has(auth.RoleAuthority) || p.InDepartment(r.DepartmentID)
}

// cases are rectification notices as the API reads them.
func (h rectificationHandlers) cases() caseKind[models.Rectification, RectificationView, RectificationList] {
	return caseKind[models.Rectification, RectificationView, RectificationList]{
		noun: "rectification", find: h.store.GetRectification, visible: canSeeRectification,
		id: func(r *models.Rectification) string { return r.ID }, view: toRectificationView, now: h.now,
		activity: h.store, views: h.views,
		detail: func(_ context.Context, _ *models.Rectification, v RectificationView, a caseActivity) (any, error) {
			return RectificationDetail{RectificationView: v, caseActivity: a}, nil
		},
		filters: listFilters{overdue: true},
		findPage: func(c *gin.Context, p auth.Principal, q listQuery) ([]models.Rectification, string, error) {
			return h.store.ListRectifications(c.Request.Context(), models.RectificationFilter{DepartmentID: p.DepartmentID,
				SeesAll: p.Has(auth.RoleAuthority), Department: c.Query("department"), Status: q.status, Cursor: q.cursor,
				Now: q.now, Overdue: q.overdue, Limit: q.limit})
		},
	}
}

func (h rectificationHandlers) list(c *gin.Context) { h.cases().list(c) }

func (h rectificationHandlers) get(c *gin.Context) { h.cases().get(c) }

// violations serves the active profile's violation list with its articles.
func (h rectificationHandlers) violations(c *gin.Context) {
	out := ViolationList{Profile: h.profile.ID, Items: []ViolationView{}}
	for _, v := range h.profile.Violations {
		item := toViolationView(v.Code, v.Title, citationStrings(v.Basis()))
		item.AddedBy, item.Effective = v.AddedBy, v.Effective
		if v.Consequence != nil {
			cv := toConsequenceView(*v.Consequence)
			item.Consequence = &cv
		}
		out.Items = append(out.Items, item)
	}
	if r := h.profile.Rectification; r != nil {
		out.MaxWorkdays = r.MaxWorkdays
		out.Consequence = toConsequenceView(r.Consequence)
	}
	c.JSON(http.StatusOK, out)
}

// nameable refuses an item a national regulation adds to the violation list (政务数据共享条例
// 第三十九条、第四十条) in a notice issued before the regulation took effect, on the day in China.
func nameable(v policy.Violation, issuedAt time.Time) error {
	if v.Effective != "" && issuedAt.In(chinaTime).Format(time.DateOnly) < v.Effective {
		return invalidField("violation", fmt.Sprintf("%s is an item of %s, in force from %s", v.Code, v.AddedBy, v.Effective))
	}
	return nil
}

func toConsequenceView(c policy.Consequence) ConsequenceView {
	return ConsequenceView{Code: c.Code, Title: c.Title, LegalBasis: nonNil(citationStrings(c.LegalBasis)),
		LocalDefault: c.LocalDefault, Note: c.Note}
}

func toViolationView(code, title string, basis []string) ViolationView {
	return ViolationView{Code: code, Title: title, LegalBasis: nonNil(basis)}
}

func toRectificationView(r *models.Rectification, now time.Time) (RectificationView, error) {
	var violation, legal, consequence []string
	for _, x := range []struct {
		raw string
		dst *[]string
	}{{r.ViolationBasisJSON, &violation}, {r.LegalBasisJSON, &legal}, {r.ConsequenceBasisJSON, &consequence}} {
		if x.raw == "" {
			continue
		}
		if err := json.Unmarshal([]byte(x.raw), x.dst); err != nil {
			return RectificationView{}, fmt.Errorf("rectification %s: citations: %w", r.ID, err)
		}
	}
	var form contract.RectificationForm
	if err := json.Unmarshal([]byte(r.FormJSON), &form); err != nil {
		return RectificationView{}, fmt.Errorf("rectification %s: form: %w", r.ID, err)
	}
	return RectificationView{
		ID: r.ID, Status: r.Status, WorkflowID: r.WorkflowID, CurrentStep: r.CurrentStep, DepartmentID: r.DepartmentID,
		AuthorityDeptID: r.AuthorityDeptID, IssuedBy: r.IssuedBy,
		Violation:         toViolationView(r.ViolationCode, r.ViolationTitle, violation),
		RectificationForm: form, Workdays: r.Workdays, DueAt: formatTimePtr(r.DueAt),
		Overdue:    r.DueAt != nil && now.After(*r.DueAt) && r.Status != models.RectificationRectified,
		LegalBasis: nonNil(legal),
		Consequence: ConsequenceView{Code: r.ConsequenceCode, Title: r.ConsequenceTitle, LegalBasis: nonNil(consequence),
			LocalDefault: r.ConsequenceLocalDefault, RecordedAt: formatTimePtr(r.ConsequenceRecordedAt), CarriedOut: r.ConsequenceDone},
		LinkedTaskID: publicTaskID(r.LinkedTaskID), LinkedRequestID: r.LinkedRequestID,
		CreatedAt: formatTime(r.CreatedAt), UpdatedAt: formatTime(r.UpdatedAt), ClosedAt: formatTimePtr(r.ClosedAt),
	}, nil
}

func citationStrings(cs []policy.Citation) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.String())
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
