package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// OpenDataStore is what the open-data handlers need of the read model.
type OpenDataStore interface {
	GetOpenDataRequest(ctx context.Context, id string) (*models.OpenDataRequest, error)
	ListOpenDataRequests(ctx context.Context, f models.OpenDataFilter) ([]models.OpenDataRequest, string, error)
	ListTimeline(ctx context.Context, requestID string) ([]models.TimelineEvent, error)
	ListRequestTasks(ctx context.Context, requestID, status string) ([]models.Task, error)
}

// openDataHandlers serve citizens' open-data requests (有条件开放申请, 内乡 第四十六条): a
// submission starts an OpenDataRequestWorkflow, the producer's reply and the extension are
// decisions of its tasks (/tasks/{id}/complete), and reads come from the read model.
type openDataHandlers struct {
	// opened: a create answers once its first task is in the read model (nil: it does not wait).
	opened    OpenTasks
	store     OpenDataStore
	workflows WorkflowUpdater
	catalog   CatalogStore
	deps      DepartmentStore
	starter   WorkflowStarter
	profile   policy.Profile
	taskQueue string
	now       func() time.Time
	views     taskViews
}

// citizenOnly reports a principal that holds the citizen role and no other: it sees the open
// catalog and its own open-data requests, never a department's inbox or lists.
func citizenOnly(p auth.Principal) bool {
	if len(p.Roles) == 0 {
		return false
	}
	for _, r := range p.Roles {
		if r != auth.RoleCitizen {
			return false
		}
	}
	return true
}

// seesAllOpenData: the authority supervises every request, admins operate the platform.
func seesAllOpenData(p auth.Principal) bool { return p.Has(auth.RoleAuthority, auth.RoleAdmin) }

// canSeeOpenData: the applicant itself, the producing department, the authority and admins.
func canSeeOpenData(p auth.Principal, r *models.OpenDataRequest) bool {
	return seesAllOpenData(p) || (p.Has(auth.RoleCitizen) && p.Subject == r.ApplicantSubject) || p.InDepartment(r.ProviderDeptID)
}

func (h openDataHandlers) create(c *gin.Context) {
	p := mustPrincipal(c)
	var in OpenDataRequestInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	if err := procedureInProfile(h.profile, policy.ProcOpenData); err != nil {
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
		abort(c, resourceRule(fmt.Sprintf("catalog resource %d is not published", in.ResourceID)))
		return
	case res.OpenType != models.OpenUnconditional && res.OpenType != models.OpenConditional:
		// 不予开放: refused at submission, naming the open type.
		msg := fmt.Sprintf("catalog resource %s has open type %q (不予开放): it is not open to the public", res.Code, res.OpenType)
		abort(c, &Error{Status: http.StatusUnprocessableEntity, Code: CodeRuleViolated, Message: msg,
			Fields: map[string]string{"resource_id": msg, "open_type": string(res.OpenType)}})
		return
	}
	authority, err := departmentOfKind(ctx, h.deps, models.KindAuthority, h.profile.ID)
	if err != nil {
		abort(c, err)
		return
	}
	now := h.now()
	id, err := newRequestID(c, "OD", now)
	if err != nil {
		abort(c, err)
		return
	}
	wid := contract.OpenDataRequestWorkflowID(id)
	input := contract.OpenDataRequestInput{
		RequestID: id,
		Resource: contract.OpenDataResource{ID: res.ID, Code: res.Code, Name: res.Name, OpenType: string(res.OpenType),
			ProviderDeptID: res.ProviderDeptID},
		// The verified token is the identity check of 第四十六条第三款.
		Applicant: contract.OpenDataApplicant{Subject: p.Subject},
		Purpose:   strings.TrimSpace(in.Purpose), Scope: strings.TrimSpace(in.Scope),
		ReceivedAt: now, AuthorityDeptID: authority,
	}
	opts := client.StartWorkflowOptions{
		ID:        wid,
		TaskQueue: h.taskQueue,
		// A request id names one request for good: never a second workflow under it.
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		// Codes only: a citizen has no department, and no personal data goes here.
		TypedSearchAttributes: temporal.NewSearchAttributes(
			contract.ProcedureKey.ValueSet(policy.ProcOpenData), contract.JurisdictionKey.ValueSet(h.profile.ID),
			contract.ProviderDeptKey.ValueSet(res.ProviderDeptID), contract.StatusKey.ValueSet(contract.OpenDataStatusPending),
		),
		Memo: map[string]any{contract.MemoTitle: res.Name + " / 开放申请"},
	}
	run, err := startProcedure(c, h.starter, opts, contract.OpenDataRequestWorkflowType, input)
	if err != nil {
		abort(c, fmt.Errorf("start open-data request %s: %w", id, err))
		return
	}
	st := h.awaitFirstStep(ctx, wid, run, contract.OpenDataRequestState{Input: input, CaseState: contract.CaseState{Status: contract.OpenDataStatusPending}})
	c.Header("Location", "/api/v1/open-data-requests/"+id)
	c.JSON(http.StatusCreated, toOpenDataRequestStatus(st, wid))
}

// awaitFirstStep queries the new workflow until it has opened the reply with its deadline, or
// opened the data at once, for at most firstStepWait; until then it reports st.
func (h openDataHandlers) awaitFirstStep(ctx context.Context, wid string, run started, st contract.OpenDataRequestState) contract.OpenDataRequestState {
	return awaitState(ctx, h.starter, h.opened, wid, run, contract.QueryOpenDataRequest, st,
		func(st contract.OpenDataRequestState) bool {
			return st.Final || (st.CurrentStep != "" && st.DueAt != nil)
		},
		func(st contract.OpenDataRequestState) bool { return !st.Final && st.CurrentStep != "" })
}

func (h openDataHandlers) list(c *gin.Context) {
	p := mustPrincipal(c)
	f := models.OpenDataFilter{SeesAll: seesAllOpenData(p), ProviderDeptID: p.DepartmentID,
		Status: c.Query("status"), Cursor: c.Query("cursor"), Now: h.now()}
	if p.Has(auth.RoleCitizen) {
		f.ApplicantSubject = p.Subject
	}
	q := queryErrors{}
	f.Overdue = q.boolean(c, "overdue")
	f.Limit = q.limit(c)
	if q.abortIfAny(c) {
		return
	}
	items, next, err := h.store.ListOpenDataRequests(c.Request.Context(), f)
	if err != nil {
		abort(c, err)
		return
	}
	out := OpenDataRequestList{Items: make([]OpenDataRequestView, 0, len(items)), NextCursor: next}
	for i := range items {
		v, err := toOpenDataRequestView(&items[i], f.Now)
		if err != nil {
			abort(c, err)
			return
		}
		out.Items = append(out.Items, v)
	}
	c.JSON(http.StatusOK, out)
}

// internalNotes are timeline events between the departments that a citizen is not shown:
// comments on the task.
var internalNotes = map[string]bool{"commented": true}

// staffTextEvents are timeline events whose text is the deciding official's own comment on a
// decision (the decision itself, its conditions, reasons and basis are in the event's data
// and in the request): a citizen sees the event without it.
var staffTextEvents = map[string]bool{"completed": true, "open_data_approved": true}

// citizenTimeline is a case's timeline as the citizen who brought it reads it: the steps and
// decisions, without the notes the departments exchange.
func citizenTimeline(events []models.TimelineEvent) ([]TimelineEventView, error) {
	out := []TimelineEventView{}
	for _, e := range events {
		if internalNotes[e.Kind] {
			continue
		}
		ev, err := toTimelineEventView(e)
		if err != nil {
			return nil, err
		}
		if staffTextEvents[e.Kind] {
			ev.Text = ""
		}
		out = append(out, ev)
	}
	return out, nil
}

// staffTimeline is a case's whole timeline, for the departments and the authority.
func staffTimeline(events []models.TimelineEvent) ([]TimelineEventView, error) {
	out := make([]TimelineEventView, 0, len(events))
	for _, e := range events {
		ev, err := toTimelineEventView(e)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// load reads the addressed request; one the caller may not see (another citizen's) is not
// found.
func (h openDataHandlers) load(c *gin.Context) (*models.OpenDataRequest, bool) {
	id := c.Param("id")
	r, err := h.store.GetOpenDataRequest(c.Request.Context(), id)
	if err == nil && !canSeeOpenData(mustPrincipal(c), r) {
		err = models.ErrNotFound
	}
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			err = notFound("open-data request " + id + " not found")
		}
		abort(c, err)
		return nil, false
	}
	return r, true
}

// withdraw withdraws the caller's pending request (撤回): an Update of its workflow, which
// checks that the caller is the applicant and that no reply came first.
func (h openDataHandlers) withdraw(c *gin.Context) {
	r, ok := h.load(c)
	if !ok {
		return
	}
	var in WithdrawInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), updateTimeout)
	defer cancel()
	handle, err := h.workflows.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: r.WorkflowID, UpdateName: contract.UpdateWithdraw,
		Args:         []any{contract.WithdrawUpdate{Actor: actorOf(mustPrincipal(c)), Reason: strings.TrimSpace(in.Reason)}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var st contract.OpenDataRequestState
	if err == nil {
		err = handle.Get(ctx, &st)
	}
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		abort(c, &Error{Status: http.StatusConflict, Code: CodeInvalidState, Message: "open-data request " + r.ID + " is already " + r.Status})
		return
	case err != nil:
		abort(c, updateError(r.ID, err))
		return
	}
	c.JSON(http.StatusOK, toOpenDataRequestStatus(st, r.WorkflowID))
}

func (h openDataHandlers) get(c *gin.Context) {
	p := mustPrincipal(c)
	ctx := c.Request.Context()
	r, ok := h.load(c)
	if !ok {
		return
	}
	now := h.now()
	view, err := toOpenDataRequestView(r, now)
	if err != nil {
		abort(c, err)
		return
	}
	out := OpenDataRequestDetail{OpenDataRequestView: view, Timeline: []TimelineEventView{}, OpenTasks: []TaskView{}}
	events, err := h.store.ListTimeline(ctx, r.ID)
	if err != nil {
		abort(c, err)
		return
	}
	staff := !citizenOnly(p)
	timeline := staffTimeline
	if !staff {
		timeline = citizenTimeline
	}
	if out.Timeline, err = timeline(events); err != nil {
		abort(c, err)
		return
	}
	tasks, err := h.store.ListRequestTasks(ctx, r.ID, "open")
	if err != nil {
		abort(c, err)
		return
	}
	if out.OpenTasks, err = h.views.list(ctx, tasks); err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
