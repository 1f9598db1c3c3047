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
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// ShareRequestStore is what the share request and grant handlers need of the read model.
type ShareRequestStore interface {
	GetShareRequest(ctx context.Context, id string) (*models.ShareRequest, error)
	ListShareRequests(ctx context.Context, f models.ShareRequestFilter) ([]models.ShareRequest, string, error)
	ListTimeline(ctx context.Context, requestID string) ([]models.TimelineEvent, error)
	ListRequestTasks(ctx context.Context, requestID, status string) ([]models.Task, error)
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
	in.Purpose, in.Scope, in.DutyBasis = strings.TrimSpace(in.Purpose), strings.TrimSpace(in.Scope), strings.TrimSpace(in.DutyBasis)
	// Blank text passes the binding's required rule; it is no purpose or scope either.
	if in.Purpose == "" {
		abort(c, invalidField("purpose", "is required"))
		return
	}
	if in.Scope == "" {
		abort(c, invalidField("scope", "is required"))
		return
	}
	if err := dutyBasisRule(h.profile, in.DutyBasis); err != nil {
		abort(c, err)
		return
	}
	ctx := c.Request.Context()
	res, err := h.catalog.GetResource(ctx, in.ResourceID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		abort(c, resourceRule(fmt.Sprintf("catalog resource %d does not exist", in.ResourceID)))
		return
	case err != nil:
		abort(c, err)
		return
	case res.Status != models.StatusPublished:
		// An unpublished resource is not in the catalog for other departments: say no more.
		abort(c, resourceRule(fmt.Sprintf("catalog resource %d is not published", in.ResourceID)))
		return
	case p.InDepartment(res.ProviderDeptID):
		abort(c, resourceRule("catalog resource "+res.Code+" is provided by the applicant's own department "+p.DepartmentID))
		return
	case res.ShareType == models.ShareNone && in.DutyBasis == "":
		abort(c, invalidField("duty_basis", "is required for a resource not for sharing (不予共享): the duty the data is needed for"))
		return
	}
	authority, err := h.authorityDept(ctx)
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
		Purpose:   in.Purpose, Scope: in.Scope, DutyBasis: in.DutyBasis,
		RequestedValidityDays: in.RequestedValidityDays, ReceivedAt: now,
		DecidingDeptID: deciding, AuthorityDeptID: authority,
	}
	opts := client.StartWorkflowOptions{
		ID:        wid,
		TaskQueue: h.taskQueue,
		// A request id names one request for good: never a second workflow under it.
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			contract.ProcedureKey.ValueSet(policy.ProcShare), contract.JurisdictionKey.ValueSet(h.profile.ID),
			contract.ApplicantDeptKey.ValueSet(p.DepartmentID), contract.ProviderDeptKey.ValueSet(res.ProviderDeptID),
			contract.StatusKey.ValueSet(contract.ShareStatusPending),
		),
		Memo: map[string]any{contract.MemoTitle: res.Name + " / " + p.DepartmentID},
	}
	run, err := startProcedure(c, h.starter, opts, contract.ShareRequestWorkflowType, input)
	if err != nil {
		abort(c, fmt.Errorf("start share request %s: %w", id, err))
		return
	}
	st := h.awaitFirstStep(ctx, wid, run, input)
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

func resourceRule(message string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: CodeRuleViolated, Message: message,
		Fields: map[string]string{"resource_id": message}}
}

// authorityDept is the data authority of the profile in force: the department of kind
// authority in its jurisdiction.
func (h shareRequestHandlers) authorityDept(ctx context.Context) (string, error) {
	deps, err := h.departments.ListDepartments(ctx)
	if err != nil {
		return "", fmt.Errorf("find the data authority: %w", err)
	}
	for _, d := range deps {
		if d.Kind == models.KindAuthority && d.Jurisdiction == h.profile.ID {
			return d.ID, nil
		}
	}
	return "", ruleViolated("no data authority department is registered for jurisdiction " + h.profile.ID)
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

// awaitFirstStep queries the new workflow until it has opened its first step with a deadline
// (or decided at once), for at most firstStepWait; until the first answer it reports the
// request as pending.
func (h shareRequestHandlers) awaitFirstStep(ctx context.Context, wid string, run started, in contract.ShareRequestInput) contract.ShareRequestState {
	// Revision counts the workflow's projections: the first is the submission, a later one
	// carries the first step's deadline.
	return awaitState(ctx, h.starter, h.opened, wid, run, contract.QueryShareRequest,
		contract.ShareRequestState{Input: in, CaseState: contract.CaseState{Status: contract.ShareStatusPending}},
		func(st contract.ShareRequestState) bool {
			return st.Final || (st.CurrentStep != "" && (st.DueAt != nil || st.Revision > 1))
		},
		func(st contract.ShareRequestState) bool { return !st.Final && st.CurrentStep != "" })
}

func (h shareRequestHandlers) list(c *gin.Context) {
	p := mustPrincipal(c)
	f := models.ShareRequestFilter{DepartmentID: p.DepartmentID, SeesAll: seesAllRequests(p),
		Status: c.Query("status"), Cursor: c.Query("cursor"), Now: h.now()}
	q := queryErrors{}
	f.ResourceID = q.resourceID(c)
	f.Overdue = q.boolean(c, "overdue")
	f.Limit = q.limit(c)
	if q.abortIfAny(c) {
		return
	}
	items, next, err := h.store.ListShareRequests(c.Request.Context(), f)
	if err != nil {
		abort(c, err)
		return
	}
	out := ShareRequestList{Items: make([]ShareRequestView, 0, len(items)), NextCursor: next}
	for i := range items {
		v, err := toShareRequestView(&items[i], f.Now)
		if err != nil {
			abort(c, err)
			return
		}
		out.Items = append(out.Items, v)
	}
	c.JSON(http.StatusOK, out)
}

// load reads the addressed request; one the caller may not see is not found.
func (h shareRequestHandlers) load(c *gin.Context) (*models.ShareRequest, bool) {
	id := c.Param("id")
	r, err := h.store.GetShareRequest(c.Request.Context(), id)
	if err == nil && !canSeeRequest(mustPrincipal(c), r) {
		err = models.ErrNotFound
	}
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			err = notFound("share request " + id + " not found")
		}
		abort(c, err)
		return nil, false
	}
	return r, true
}

func (h shareRequestHandlers) get(c *gin.Context) {
	r, ok := h.load(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	view, err := toShareRequestView(r, h.now())
	if err != nil {
		abort(c, err)
		return
	}
	out := ShareRequestDetail{ShareRequestView: view, Timeline: []TimelineEventView{}, OpenTasks: []TaskView{}}
	if out.Timeline, out.OpenTasks, err = requestActivity(ctx, h.store, h.tasks.views, r.ID); err != nil {
		abort(c, err)
		return
	}
	switch g, err := h.store.GetGrantByRequest(ctx, r.ID); {
	case err == nil:
		gv := toGrantView(g)
		out.Grant = &gv
	case !errors.Is(err, models.ErrNotFound):
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (h shareRequestHandlers) withdraw(c *gin.Context) {
	r, ok := h.load(c)
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
	r, ok := h.load(c)
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
	r, ok := h.load(c)
	if !ok {
		return
	}
	var in UrgeInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	tasks, err := h.store.ListRequestTasks(c.Request.Context(), r.ID, "open")
	if err != nil {
		abort(c, err)
		return
	}
	for i := range tasks {
		if t := &tasks[i]; t.ParentTaskID == nil && (r.CurrentStep == "" || t.Step == r.CurrentStep) {
			h.tasks.send(c, t, contract.UpdateUrge, contract.UrgeUpdate{TaskID: t.TaskID, Actor: actorOf(mustPrincipal(c)), Text: strings.TrimSpace(in.Text)})
			return
		}
	}
	abort(c, &Error{Status: http.StatusConflict, Code: CodeInvalidState, Message: "share request " + r.ID + " has no open step to urge (it is " + r.Status + ")"})
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
// result; rejections map to statuses as the task API maps them.
func sendRequestUpdate(ctx context.Context, w WorkflowUpdater, requestID, workflowID, name string, payload, result any) error {
	ctx, cancel := context.WithTimeout(ctx, updateTimeout)
	defer cancel()
	handle, err := w.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: name, Args: []any{payload},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, result)
	}
	if err == nil {
		return nil
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return &Error{Status: http.StatusConflict, Code: CodeInvalidState, Message: "share request " + requestID + " takes no more actions: its workflow has ended"}
	}
	return updateError(requestID, err)
}
