package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// ShareRequestStore is what the share request and grant handlers need of the read model.
type ShareRequestStore interface {
	GetShareRequest(ctx context.Context, id string) (*models.ShareRequest, error)
	ListShareRequests(ctx context.Context, f models.ShareRequestFilter) ([]models.ShareRequest, string, error)
	TimelineReader
	GetGrant(ctx context.Context, id string) (*models.Grant, error)
	GetGrantByRequest(ctx context.Context, requestID string) (*models.Grant, error)
	ListGrants(ctx context.Context, f models.GrantFilter) ([]models.Grant, string, error)
}

// WorkflowStarter starts procedure workflows and reads their state; client.Client is one.
type WorkflowStarter interface {
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow any, args ...any) (client.WorkflowRun, error)
	QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error)
}

// firstStepWait bounds how long a submission waits for its workflow to open the first step;
// past it the answer carries what the workflow reported last.
const firstStepWait = 10 * time.Second

// shareRequestHandlers serve share requests (共享申请): a submission starts a
// ShareRequestWorkflow, the applicant's actions are its Updates, and reads come from the read
// model the workflow projects.
type shareRequestHandlers struct {
	// opened: a create answers once its first task is in the read model (nil: it does not wait).
	opened      OpenTasks
	store       ShareRequestStore
	catalog     CatalogStore
	departments DepartmentStore
	starter     WorkflowStarter
	workflows   WorkflowUpdater
	tasks       taskHandlers // sends an urge to the open task
	profile     policy.Profile
	taskQueue   string
	now         func() time.Time
}

// seesAllRequests: the data authority supervises every request.
func seesAllRequests(p auth.Principal) bool { return p.Has(auth.RoleAuthority) }

// canSeeRequest: the applicant, providing and deciding departments, and the authority.
func canSeeRequest(p auth.Principal, r *models.ShareRequest) bool {
	return seesAllRequests(p) || p.InDepartment(r.ApplicantDeptID) || p.InDepartment(r.ProviderDeptID) || p.InDepartment(r.DecidingDeptID)
}

func (h shareRequestHandlers) create(c *gin.Context) {
	p := mustPrincipal(c)
	var in ShareRequestInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	if err := dutyBasisRule(h.profile, in.DutyBasis); err != nil {
		abort(c, err)
		return
	}
	ctx := c.Request.Context()
	res, ok := askedResource(c, h.catalog, in.ResourceID, true)
	if !ok {
		return
	}
	switch {
	case p.InDepartment(res.ProviderDeptID):
		abort(c, resourceRule("catalog resource "+res.Code+" is provided by the applicant's own department "+p.DepartmentID))
		return
	case res.ShareType == models.ShareNone && in.DutyBasis == "":
		abort(c, invalidField("duty_basis", "is required for a resource not for sharing (不予共享): the duty the data is needed for"))
		return
	}
	authority, err := departmentOfKind(ctx, h.departments, models.KindAuthority, h.profile.ID, "data authority department")
	if err != nil {
		abort(c, err)
		return
	}
	deciding, err := h.decidingDept(res.ProviderDeptID, authority)
	if err != nil {
		abort(c, err)
		return
	}

	now := h.now()
	id, err := newRequestID(c, "SR", now)
	if err != nil {
		abort(c, err)
		return
	}
	wid := contract.ShareRequestWorkflowID(id)
	input := contract.ShareRequestInput{
		RequestID: id,
		Resource: contract.ShareResource{ID: res.ID, Code: res.Code, Name: res.Name,
			ShareType: string(res.ShareType), ProviderDeptID: res.ProviderDeptID},
		Applicant: contract.ShareApplicant{DepartmentID: p.DepartmentID, Subject: p.Subject},
		ShareForm: in.ShareForm, ReceivedAt: now,
		DecidingDeptID: deciding, AuthorityDeptID: authority,
	}
	st, ok := startCase(c, caseStarter{h.starter, h.opened, h.profile.ID, h.taskQueue},
		caseStart{noun: "share request", id: id, workflowID: wid, workflowType: contract.ShareRequestWorkflowType,
			procedure: policy.ProcShare, applicant: p.DepartmentID, provider: res.ProviderDeptID,
			status: contract.ShareStatusPending, title: res.Name + " / " + p.DepartmentID},
		input, untilStepOpen(contract.QueryShareRequest, contract.ShareRequestState{Input: input, CaseState: contract.CaseState{Status: contract.ShareStatusPending}},
			// Revision counts the workflow's projections: the first is the submission, a later
			// one carries the first step's deadline.
			func(st contract.ShareRequestState) stepProgress {
				return stepProgress{final: st.Final, step: st.CurrentStep, due: st.DueAt != nil, revision: st.Revision}
			}))
	if !ok {
		return
	}
	c.Header("Location", "/api/v1/share-requests/"+id)
	c.JSON(http.StatusCreated, toShareRequestStatus(st, wid))
}

// resourceRule refuses a request for a resource that cannot be asked for, naming the field.
// dutyBasisRule refuses a request without a duty basis (履职依据) with 422 naming duty_basis
// when the profile in force asks every share request for one (submission_requires:
// [duty_basis]), citing the procedure's articles. No shipped profile does (docs/regulations.md);
// a deployment's profile may. A resource not for sharing needs one under every profile, which
// create checks once it has read the resource.
func dutyBasisRule(profile policy.Profile, dutyBasis string) error {
	pr, ok := profile.Procedure(policy.ProcShare)
	if !ok || !slices.Contains(pr.SubmissionRequires, policy.NeedDutyBasis) || strings.TrimSpace(dutyBasis) != "" {
		return nil
	}
	msg := "is required under the jurisdiction profile " + profile.ID + ": the duty the data is needed for (履职依据)"
	if len(pr.LegalBasis) > 0 {
		cites := make([]string, len(pr.LegalBasis))
		for i, c := range pr.LegalBasis {
			cites[i] = c.String()
		}
		msg += ", " + strings.Join(cites, "、")
	}
	return &Error{Status: http.StatusUnprocessableEntity, Code: CodeRuleViolated, Message: "duty_basis: " + msg,
		Fields: map[string]string{"duty_basis": msg}}
}

// askedResource reads the catalog resource a case is about; one that does not exist, or, when
// published is asked, is not published, is refused naming resource_id.
func askedResource(c *gin.Context, catalog CatalogStore, id int64, published bool) (*models.CatalogResource, bool) {
	res, err := catalog.GetResource(c.Request.Context(), id)
	switch {
	case errors.Is(err, models.ErrNotFound):
		abort(c, resourceRule(fmt.Sprintf("catalog resource %d does not exist", id)))
		return nil, false
	case err != nil:
		abort(c, err)
		return nil, false
	case published && res.Status != models.StatusPublished:
		// An unpublished resource is not in the catalog for other departments: say no more.
		abort(c, resourceRule(fmt.Sprintf("catalog resource %d is not published", id)))
		return nil, false
	}
	return res, true
}

func resourceRule(message string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: CodeRuleViolated, Message: message,
		Fields: map[string]string{"resource_id": message}}
}

// decidingDept is who answers the request under the profile: the provider, or the authority
// where the profile's share/reply step says so (内乡 第十二条).
func (h shareRequestHandlers) decidingDept(provider, authority string) (string, error) {
	pr, ok := h.profile.Procedure(policy.ProcShare)
	if !ok || !pr.Applies {
		return "", procedureInProfile(h.profile, policy.ProcShare)
	}
	if step, ok := h.profile.Step(policy.ProcShare, contract.StepReply); ok && step.Actor.Department == policy.DeptAuthority {
		return authority, nil
	}
	return provider, nil
}

// cases are share requests as the API reads them.
func (h shareRequestHandlers) cases() caseKind[models.ShareRequest, ShareRequestView, ShareRequestList] {
	return caseKind[models.ShareRequest, ShareRequestView, ShareRequestList]{
		noun: "share request", find: h.store.GetShareRequest, visible: canSeeRequest,
		id: func(r *models.ShareRequest) string { return r.ID }, view: toShareRequestView, now: h.now,
		activity: h.store, views: h.tasks.views,
		detail: func(ctx context.Context, r *models.ShareRequest, v ShareRequestView, a caseActivity) (any, error) {
			out := ShareRequestDetail{ShareRequestView: v, caseActivity: a}
			switch g, err := h.store.GetGrantByRequest(ctx, r.ID); {
			case err == nil:
				gv := toGrantView(g)
				out.Grant = &gv
			case !errors.Is(err, models.ErrNotFound):
				return nil, err
			}
			return out, nil
		},
		filters: listFilters{resource: true, overdue: true},
		findPage: func(c *gin.Context, p auth.Principal, q listQuery) ([]models.ShareRequest, string, error) {
			return h.store.ListShareRequests(c.Request.Context(), models.ShareRequestFilter{DepartmentID: p.DepartmentID,
				SeesAll: seesAllRequests(p), Status: q.status, Cursor: q.cursor, Now: q.now, ResourceID: q.resourceID,
				Overdue: q.overdue, Limit: q.limit})
		},
	}
}

func (h shareRequestHandlers) list(c *gin.Context) { h.cases().list(c) }

func (h shareRequestHandlers) get(c *gin.Context) { h.cases().get(c) }

func (h shareRequestHandlers) withdraw(c *gin.Context) {
	r, ok := h.cases().load(c)
	if !ok {
		return
	}
	var in WithdrawInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	h.sendState(c, r, contract.UpdateWithdraw, contract.WithdrawUpdate{Actor: actorOf(mustPrincipal(c)), Reason: strings.TrimSpace(in.Reason)})
}

func (h shareRequestHandlers) negotiation(c *gin.Context) {
	r, ok := h.cases().load(c)
	if !ok {
		return
	}
	var in NegotiationInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	h.sendState(c, r, contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: actorOf(mustPrincipal(c)), Reason: strings.TrimSpace(in.Reason)})
}

// urge urges the request's open step (催办): an Update of that task, answered with the task.
func (h shareRequestHandlers) urge(c *gin.Context) {
	r, ok := h.cases().load(c)
	if !ok {
		return
	}
	var in UrgeInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	h.tasks.sendToOpenTask(c, h.store, r.ID, func(t *models.Task) bool { return r.CurrentStep == "" || t.Step == r.CurrentStep },
		contract.UpdateUrge, func(taskID string) any {
			return contract.UrgeUpdate{TaskID: taskID, Actor: actorOf(mustPrincipal(c)), Text: strings.TrimSpace(in.Text)}
		}, "share request "+r.ID+" has no open step to urge (it is "+r.Status+")")
}

// sendState runs an action as an Update of the request's workflow and answers with the state
// the workflow reports after it.
func (h shareRequestHandlers) sendState(c *gin.Context, r *models.ShareRequest, name string, payload any) {
	var st contract.ShareRequestState
	if err := sendRequestUpdate(c.Request.Context(), h.workflows, r.ID, r.WorkflowID, name, payload, &st); err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, toShareRequestStatus(st, r.WorkflowID))
}

// sendRequestUpdate sends an Update to a share request's workflow and decodes its answer into
// result.
func sendRequestUpdate(ctx context.Context, w WorkflowUpdater, requestID, workflowID, name string, payload, result any) error {
	return sendCaseUpdate(ctx, w, requestID, workflowID, name, payload, result,
		"share request "+requestID+" takes no more actions: its workflow has ended")
}
