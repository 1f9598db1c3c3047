package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// OpenCorrectionCounter tells the catalog which resources are under verification (校核期间).
type OpenCorrectionCounter interface {
	OpenCorrectionCounts(ctx context.Context, resourceIDs []int64) (map[int64]int, error)
}

// CorrectionStore is what the correction handlers need of the read model.
type CorrectionStore interface {
	OpenCorrectionCounter
	GetCorrection(ctx context.Context, id string) (*models.Correction, error)
	ListCorrections(ctx context.Context, f models.CorrectionFilter) ([]models.Correction, string, error)
	TimelineReader
	HasActiveGrant(ctx context.Context, departmentID string, resourceID int64, at time.Time) (bool, error)
}

// correctionHandlers serve data corrections (数据校核纠错): a report starts a CorrectionWorkflow,
// the reporter's answer to the result is a decision of its open task, and reads come from the
// read model the workflow projects.
type correctionHandlers struct {
	// opened: a create answers once its first task is in the read model (nil: it does not wait).
	opened      OpenTasks
	store       CorrectionStore
	catalog     CatalogStore
	departments DepartmentStore
	starter     WorkflowStarter
	tasks       taskHandlers // sends the reporter's answer to the open task
	profile     policy.Profile
	taskQueue   string
	now         func() time.Time
}

// seesAllCorrections: the authority supervises every correction and the technical service unit
// triages them (内乡 第六十五条).
func seesAllCorrections(p auth.Principal) bool {
	return p.Has(auth.RoleAuthority, auth.RoleTechService)
}

// canSeeCorrection: the reporting, providing and producing departments, the authority and the
// technical service unit.
func canSeeCorrection(p auth.Principal, r *models.Correction) bool {
	return seesAllCorrections(p) || p.InDepartment(r.ReporterDeptID) || p.InDepartment(r.ProviderDeptID) ||
		(r.ProducerDeptID != "" && p.InDepartment(r.ProducerDeptID))
}

func (h correctionHandlers) create(c *gin.Context) {
	p := mustPrincipal(c)
	var in CorrectionInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	// The binding rules ask for the fields and the description; the evidence may be
	// attachments, text or both, but not nothing (内乡 第六十四条 asks for supporting material:
	// without it nobody can verify anything).
	if len(in.Evidence.Attachments) == 0 && in.Evidence.Text == "" {
		abort(c, invalidField("evidence", "is required: attachment references or text supporting the report (佐证材料)"))
		return
	}
	if err := procedureInProfile(h.profile, policy.ProcCorrection); err != nil {
		abort(c, err)
		return
	}
	ctx := c.Request.Context()
	now := h.now()
	res, ok := askedResource(c, h.catalog, in.ResourceID, true)
	if !ok {
		return
	}
	if p.InDepartment(res.ProviderDeptID) {
		abort(c, resourceRule("catalog resource "+res.Code+" is the reporter's own department's data: correct it at source"))
		return
	}
	if res.ShareType != models.ShareUnconditional {
		// Only data the department obtained can be disputed: through a grant, or freely for an
		// unconditionally shared resource (无条件共享).
		granted, err := h.store.HasActiveGrant(ctx, p.DepartmentID, res.ID, now)
		if err != nil {
			abort(c, err)
			return
		}
		if !granted {
			abort(c, forbidden("department "+p.DepartmentID+" holds no active grant for catalog resource "+res.Code))
			return
		}
	}
	authority, err := departmentOfKind(ctx, h.departments, models.KindAuthority, h.profile.ID, "authority department")
	if err != nil {
		abort(c, err)
		return
	}
	tech := ""
	if _, dispatched := h.profile.Step(policy.ProcCorrection, contract.StepDispatch); dispatched {
		if tech, err = departmentOfKind(ctx, h.departments, models.KindTechService, h.profile.ID, "tech_service department"); err != nil {
			abort(c, err)
			return
		}
	}

	id, err := newRequestID(c, "DC", now)
	if err != nil {
		abort(c, err)
		return
	}
	wid := contract.CorrectionWorkflowID(id)
	input := contract.CorrectionInput{
		CorrectionID: id,
		Resource: contract.ShareResource{ID: res.ID, Code: res.Code, Name: res.Name,
			ShareType: string(res.ShareType), ProviderDeptID: res.ProviderDeptID},
		Reporter:       contract.ShareApplicant{DepartmentID: p.DepartmentID, Subject: p.Subject},
		CorrectionForm: in.CorrectionForm, ReceivedAt: now, AuthorityDeptID: authority, TechServiceDeptID: tech,
	}
	status := contract.CorrectionStatusVerifying
	if tech != "" {
		status = contract.CorrectionStatusDispatching
	}
	// Every correction step has a deadline (statutory or local default).
	st, ok := startCase(c, caseStarter{h.starter, h.opened, h.profile.ID, h.taskQueue},
		caseStart{noun: "correction", id: id, workflowID: wid, workflowType: contract.CorrectionWorkflowType,
			procedure: policy.ProcCorrection, applicant: p.DepartmentID, provider: res.ProviderDeptID,
			status: status, title: res.Name + " / " + p.DepartmentID},
		input, untilStepOpen(contract.QueryCorrection, contract.CorrectionState{Input: input, CaseState: contract.CaseState{Status: status}},
			func(st contract.CorrectionState) stepProgress {
				return stepProgress{final: st.Final, step: st.CurrentStep, due: st.DueAt != nil}
			}))
	if !ok {
		return
	}
	c.Header("Location", "/api/v1/corrections/"+id)
	c.JSON(http.StatusCreated, toCorrectionStatus(st, wid))
}

// cases are corrections as the API reads them.
func (h correctionHandlers) cases() caseKind[models.Correction, CorrectionView, CorrectionList] {
	return caseKind[models.Correction, CorrectionView, CorrectionList]{
		noun: "correction", find: h.store.GetCorrection, visible: canSeeCorrection,
		id: func(r *models.Correction) string { return r.ID }, view: toCorrectionView, now: h.now,
		activity: h.store, views: h.tasks.views,
		detail: func(_ context.Context, _ *models.Correction, v CorrectionView, a caseActivity) (any, error) {
			return CorrectionDetail{CorrectionView: v, caseActivity: a}, nil
		},
		filters: listFilters{resource: true, overdue: true},
		findPage: func(c *gin.Context, p auth.Principal, q listQuery) ([]models.Correction, string, error) {
			return h.store.ListCorrections(c.Request.Context(), models.CorrectionFilter{DepartmentID: p.DepartmentID,
				SeesAll: seesAllCorrections(p), Status: q.status, Cursor: q.cursor, Now: q.now, ResourceID: q.resourceID,
				Overdue: q.overdue, Limit: q.limit})
		},
	}
}

func (h correctionHandlers) list(c *gin.Context) { h.cases().list(c) }

func (h correctionHandlers) get(c *gin.Context) { h.cases().get(c) }

// accept accepts the result: the accept decision of the correction's open answer task.
func (h correctionHandlers) accept(c *gin.Context) {
	var in AcceptResultInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	h.answer(c, contract.DecisionAccept, nil, strings.TrimSpace(in.Comment))
}

// dispute disputes the result, once: the dispute decision of the open answer task, after
// which the authority coordinates. A second dispute finds no answer task open (409).
func (h correctionHandlers) dispute(c *gin.Context) {
	var in DisputeResultInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		abort(c, invalidField("reason", "is required: why the result is wrong"))
		return
	}
	h.answer(c, contract.DecisionDispute, map[string]any{"reason": reason}, "")
}

// answer sends the reporter's decision to the correction's open accept task; the workflow's
// validator checks the department and role.
func (h correctionHandlers) answer(c *gin.Context, decision string, fields map[string]any, comment string) {
	r, ok := h.cases().load(c)
	if !ok {
		return
	}
	h.tasks.sendToOpenTask(c, h.store, r.ID, func(t *models.Task) bool { return t.Step == contract.StepAccept },
		contract.UpdateComplete, func(taskID string) any {
			return contract.CompleteUpdate{TaskID: taskID, Actor: actorOf(mustPrincipal(c)), Decision: decision, Fields: fields, Comment: comment}
		}, "correction "+r.ID+" has no result waiting for the reporter's answer (it is "+r.Status+"); a result is disputed at most once")
}

// verificationRule is the rule the catalog shows next to a resource under verification: the
// business of a citizen or organisation who gives valid proof goes on (宁夏 第十五条, 辽宁
// 第十八条第三款); where the profile's measures are silent it is marked local default.
func verificationRule(p policy.Profile) string {
	const rule = "Under verification (校核中): business of a citizen or organisation that has given valid proof must not be refused because of the disputed data"
	articles := map[string]string{"ningxia": "第十五条", "liaoning": "第十八条第三款"}
	if art, ok := articles[p.ID]; ok && len(p.Documents) > 0 {
		return rule + " — 《" + p.Documents[0].Title + "》" + art
	}
	// The other measures, and 政务数据共享条例 (第二十六条 sets the verification's time, not what
	// happens meanwhile), say nothing of it: the deployment applies it as local practice, and
	// names no other jurisdiction's article.
	return rule + " — local default: the regulations in force here are silent on it"
}

// flagUnderVerification marks the views of resources with an open correction.
func flagUnderVerification(ctx context.Context, counter OpenCorrectionCounter, rule string, views []CatalogResourceView) error {
	if counter == nil || len(views) == 0 {
		return nil
	}
	ids := make([]int64, len(views))
	for i, v := range views {
		ids[i] = v.ID
	}
	open, err := counter.OpenCorrectionCounts(ctx, ids)
	if err != nil {
		return err
	}
	for i := range views {
		if open[views[i].ID] > 0 {
			views[i].UnderVerification, views[i].VerificationRule = true, rule
		}
	}
	return nil
}
