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
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// CatalogUpdateStore is what the catalog-update handlers need of the read model.
type CatalogUpdateStore interface {
	GetCatalogUpdate(ctx context.Context, id string) (*models.CatalogUpdate, error)
	ListCatalogUpdates(ctx context.Context, f models.CatalogUpdateFilter) ([]models.CatalogUpdate, string, error)
	ListCatalogUpdateResources(ctx context.Context, updateID string) ([]models.CatalogUpdateResource, error)
	ListTimeline(ctx context.Context, requestID string) ([]models.TimelineEvent, error)
	ListRequestTasks(ctx context.Context, requestID, status string) ([]models.Task, error)
}

// catalogUpdateHandlers serve catalog updates (目录更新): a report or order starts a
// CatalogUpdateWorkflow, the department's submission is its update task's decision, and
// reads come from the read model the workflow projects.
type catalogUpdateHandlers struct {
	// opened: a create answers once its first task is in the read model (nil: it does not wait).
	opened      OpenTasks
	store       CatalogUpdateStore
	catalog     CatalogStore
	departments DepartmentStore
	starter     WorkflowStarter
	tasks       taskHandlers // sends the submission to the open update task
	profile     policy.Profile
	taskQueue   string
	now         func() time.Time
}

// canSeeUpdate: the department whose catalog it is, and the authority.
func canSeeUpdate(p auth.Principal, u *models.CatalogUpdate) bool {
	return p.Has(auth.RoleAuthority) || p.InDepartment(u.DepartmentID)
}

func (h catalogUpdateHandlers) create(c *gin.Context) {
	p := mustPrincipal(c)
	var in CatalogUpdateInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	in.Basis, in.DepartmentID = strings.TrimSpace(in.Basis), strings.TrimSpace(in.DepartmentID)
	if !contract.ValidTrigger(in.Trigger) {
		abort(c, invalidField("trigger", "must be "+contract.TriggerLawRevised+" (法律法规修订) or "+contract.TriggerDutiesChanged+" (行政管理职能变化)"))
		return
	}
	if in.Basis == "" {
		abort(c, invalidField("basis", "is required: the revised law or the decision that changed the duties"))
		return
	}
	changedOn, err := time.ParseInLocation(time.DateOnly, in.ChangedOn, chinaTime)
	if err != nil {
		abort(c, invalidField("changed_on", "must be a date, YYYY-MM-DD"))
		return
	}
	now := h.now()
	if calendar.DateOf(changedOn).After(calendar.DateOf(now)) {
		abort(c, &Error{Status: http.StatusUnprocessableEntity, Code: CodeRuleViolated,
			Message: "changed_on " + in.ChangedOn + " is in the future: the deadline runs from the day the change took effect (发生之日起)",
			Fields:  map[string]string{"changed_on": "must not be after today (China)"}})
		return
	}
	dept, ok := h.department(c, p, in.DepartmentID)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if err := procedureInProfile(h.profile, policy.ProcCatalogUpdate); err != nil {
		abort(c, err)
		return
	}
	for _, id := range in.ResourceIDs {
		r, err := h.catalog.GetResource(ctx, id)
		switch {
		case errors.Is(err, models.ErrNotFound) || (err == nil && r.ProviderDeptID != dept):
			msg := fmt.Sprintf("catalog resource %d is not a resource of department %s", id, dept)
			abort(c, &Error{Status: http.StatusUnprocessableEntity, Code: CodeRuleViolated, Message: msg, Fields: map[string]string{"resource_ids": msg}})
			return
		case err != nil:
			abort(c, err)
			return
		}
	}
	authority, err := authorityOf(ctx, h.departments, h.profile.ID)
	if err != nil {
		abort(c, err)
		return
	}

	id, err := newRequestID(c, "CU", now)
	if err != nil {
		abort(c, err)
		return
	}
	wid := contract.CatalogUpdateWorkflowID(id)
	input := contract.CatalogUpdateInput{
		UpdateID: id, DepartmentID: dept,
		Initiator:          contract.ShareApplicant{DepartmentID: p.DepartmentID, Subject: p.Subject},
		OrderedByAuthority: dept != p.DepartmentID,
		Trigger:            in.Trigger, Basis: in.Basis, ChangedOn: in.ChangedOn, ResourceIDs: in.ResourceIDs,
		ReceivedAt: now, AuthorityDeptID: authority,
	}
	opts := client.StartWorkflowOptions{
		ID:                                       wid,
		TaskQueue:                                h.taskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			contract.ProcedureKey.ValueSet(policy.ProcCatalogUpdate), contract.JurisdictionKey.ValueSet(h.profile.ID),
			contract.ProviderDeptKey.ValueSet(dept), contract.StatusKey.ValueSet(contract.CatalogUpdateUpdating),
		),
		Memo: map[string]any{contract.MemoTitle: "目录更新 / " + dept + " / " + in.ChangedOn},
	}
	run, err := startProcedure(c, h.starter, opts, contract.CatalogUpdateWorkflowType, input)
	if err != nil {
		abort(c, fmt.Errorf("start catalog update %s: %w", id, err))
		return
	}
	st := h.awaitFirstStep(ctx, wid, run, input)
	c.Header("Location", "/api/v1/catalog-updates/"+id)
	c.JSON(http.StatusCreated, toCatalogUpdateStatus(st, wid, h.now()))
}

// department is whose catalog the update is: the approver's own, or the one the authority
// names (ordering it, 责令更新).
func (h catalogUpdateHandlers) department(c *gin.Context, p auth.Principal, named string) (string, bool) {
	switch {
	case p.Has(auth.RoleAuthority) && named != "":
		d, err := h.departments.GetDepartment(c.Request.Context(), named)
		if errors.Is(err, models.ErrNotFound) {
			abort(c, &Error{Status: http.StatusUnprocessableEntity, Code: CodeRuleViolated, Message: "department " + named + " does not exist",
				Fields: map[string]string{"department_id": "unknown department"}})
			return "", false
		}
		if err != nil {
			abort(c, err)
			return "", false
		}
		return d.ID, true
	case p.Has(auth.RoleAuthority) && !p.Has(auth.RoleApprover):
		abort(c, invalidField("department_id", "is required when the authority orders a department to update its catalog"))
		return "", false
	case named != "" && !p.InDepartment(named):
		abort(c, forbidden("an approver reports catalog updates of its own department only ("+p.DepartmentID+")"))
		return "", false
	case !p.Has(auth.RoleApprover):
		abort(c, forbidden("only a department's approver reports its catalog update"))
		return "", false
	}
	return p.DepartmentID, true
}

// authorityOf is the data authority of the jurisdiction: the department of kind authority.
func authorityOf(ctx context.Context, departments DepartmentStore, jurisdiction string) (string, error) {
	deps, err := departments.ListDepartments(ctx)
	if err != nil {
		return "", fmt.Errorf("find the data authority: %w", err)
	}
	for _, d := range deps {
		if d.Kind == models.KindAuthority && d.Jurisdiction == jurisdiction {
			return d.ID, nil
		}
	}
	return "", ruleViolated("no data authority department is registered for jurisdiction " + jurisdiction)
}

// awaitFirstStep queries the new workflow until its update task has a deadline, for at most
// firstStepWait.
func (h catalogUpdateHandlers) awaitFirstStep(ctx context.Context, wid string, run started, in contract.CatalogUpdateInput) contract.CatalogUpdateState {
	return awaitState(ctx, h.starter, h.opened, wid, run, contract.QueryCatalogUpdate,
		contract.CatalogUpdateState{Input: in, CaseState: contract.CaseState{Status: contract.CatalogUpdateUpdating}},
		func(st contract.CatalogUpdateState) bool {
			return st.CurrentStep != "" && (st.DueAt != nil || st.Revision > 1)
		},
		func(st contract.CatalogUpdateState) bool { return st.CurrentStep != "" })
}

func (h catalogUpdateHandlers) list(c *gin.Context) {
	p := mustPrincipal(c)
	f := models.CatalogUpdateFilter{DepartmentID: p.DepartmentID, SeesAll: p.Has(auth.RoleAuthority),
		Status: c.Query("status"), Cursor: c.Query("cursor"), Now: h.now()}
	q := queryErrors{}
	f.Overdue = q.boolean(c, "overdue")
	f.Limit = q.limit(c)
	if q.abortIfAny(c) {
		return
	}
	items, next, err := h.store.ListCatalogUpdates(c.Request.Context(), f)
	if err != nil {
		abort(c, err)
		return
	}
	out := CatalogUpdateList{Items: make([]CatalogUpdateView, 0, len(items)), NextCursor: next}
	for i := range items {
		v, err := toCatalogUpdateView(&items[i], f.Now)
		if err != nil {
			abort(c, err)
			return
		}
		out.Items = append(out.Items, v)
	}
	c.JSON(http.StatusOK, out)
}

// load reads the addressed update; visible reports whether the caller may see it.
func (h catalogUpdateHandlers) load(c *gin.Context) (u *models.CatalogUpdate, visible bool, ok bool) {
	id := c.Param("id")
	u, err := h.store.GetCatalogUpdate(c.Request.Context(), id)
	if errors.Is(err, models.ErrNotFound) {
		abort(c, notFound("catalog update "+id+" not found"))
		return nil, false, false
	}
	if err != nil {
		abort(c, err)
		return nil, false, false
	}
	return u, canSeeUpdate(mustPrincipal(c), u), true
}

func (h catalogUpdateHandlers) get(c *gin.Context) {
	u, visible, ok := h.load(c)
	if !ok {
		return
	}
	if !visible {
		abort(c, notFound("catalog update "+u.ID+" not found"))
		return
	}
	ctx := c.Request.Context()
	view, err := toCatalogUpdateView(u, h.now())
	if err != nil {
		abort(c, err)
		return
	}
	out := CatalogUpdateDetail{CatalogUpdateView: view, Timeline: []TimelineEventView{}, OpenTasks: []TaskView{}, Resources: []LinkedResourceView{}}
	events, err := h.store.ListTimeline(ctx, u.ID)
	if err != nil {
		abort(c, err)
		return
	}
	for _, e := range events {
		ev, err := toTimelineEventView(e)
		if err != nil {
			abort(c, err)
			return
		}
		out.Timeline = append(out.Timeline, ev)
	}
	tasks, err := h.store.ListRequestTasks(ctx, u.ID, openTaskStatus)
	if err != nil {
		abort(c, err)
		return
	}
	if out.OpenTasks, err = h.tasks.views.list(ctx, tasks); err != nil {
		abort(c, err)
		return
	}
	links, err := h.store.ListCatalogUpdateResources(ctx, u.ID)
	if err != nil {
		abort(c, err)
		return
	}
	for _, l := range links {
		out.Resources = append(out.Resources, LinkedResourceView{Round: l.Round, ResourceID: l.ResourceID, Version: l.Version,
			PublishedAt: formatTimePtr(l.PublishedAt), ReturnedAt: formatTimePtr(l.ReturnedAt)})
	}
	c.JSON(http.StatusOK, out)
}

// openTaskStatus is the read model's status of an open task.
const openTaskStatus = "open"

// submit is the department's submission of its edited resources as one update: checked here
// against the catalog, so a stale version or another department's resource is refused at
// once, then sent as the decision of the open update task. Another department is refused
// even though it cannot read the update: it is an action on someone else's catalog.
func (h catalogUpdateHandlers) submit(c *gin.Context) {
	u, _, ok := h.load(c)
	if !ok {
		return
	}
	p := mustPrincipal(c)
	if !p.InDepartment(u.DepartmentID) {
		abort(c, forbidden("only an approver of department "+u.DepartmentID+" submits its catalog update"))
		return
	}
	var in CatalogSubmitInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	ctx := c.Request.Context()
	versions := make([]any, 0, len(in.ResourceVersions))
	for i, v := range in.ResourceVersions {
		if err := h.checkSubmittable(ctx, u.DepartmentID, v); err != nil {
			err.Fields = map[string]string{fmt.Sprintf("resource_versions[%d]", i): err.Message}
			abort(c, err)
			return
		}
		versions = append(versions, map[string]any{"resource_id": v.ResourceID, "version": v.Version})
	}
	tasks, err := h.store.ListRequestTasks(ctx, u.ID, openTaskStatus)
	if err != nil {
		abort(c, err)
		return
	}
	for i := range tasks {
		if t := &tasks[i]; t.ParentTaskID == nil && t.Step == contract.StepUpdate {
			h.tasks.send(c, t, contract.UpdateComplete, contract.CompleteUpdate{
				TaskID: t.TaskID, Actor: actorOf(p), Decision: contract.DecisionSubmit, Comment: strings.TrimSpace(in.Comment),
				Fields: map[string]any{contract.FieldResourceVersions: versions},
			})
			return
		}
	}
	abort(c, &Error{Status: http.StatusConflict, Code: CodeInvalidState, Message: "catalog update " + u.ID + " takes no submission now (it is " + u.Status + ")"})
}

// checkSubmittable refuses a revision that cannot go into the update: not the department's,
// not at the version named, or not a draft (of a new resource or of a published one's
// revision) or a submission.
func (h catalogUpdateHandlers) checkSubmittable(ctx context.Context, dept string, v ResourceVersionInput) *Error {
	rule := func(format string, args ...any) *Error {
		return &Error{Status: http.StatusUnprocessableEntity, Code: CodeRuleViolated, Message: fmt.Sprintf(format, args...)}
	}
	r, err := h.catalog.GetResource(ctx, v.ResourceID)
	switch {
	case errors.Is(err, models.ErrNotFound) || (err == nil && r.ProviderDeptID != dept):
		return rule("catalog resource %d is not a resource of department %s", v.ResourceID, dept)
	case err != nil:
		return toAPIError(err)
	case r.Version != v.Version:
		return &Error{Status: http.StatusConflict, Code: CodeConflict, Message: fmt.Sprintf("catalog resource %d is at version %d, not %d", r.ID, r.Version, v.Version)}
	case r.Status == models.StatusDraft || r.Status == models.StatusSubmitted:
		return nil
	case r.Status == models.StatusPublished && r.RevisionStatus != "":
		return nil
	case r.Status == models.StatusPublished:
		return rule("catalog resource %d is published: open a revision (POST /api/v1/catalog/resources/%d/revise) and edit it first", r.ID, r.ID)
	}
	return rule("catalog resource %d is %s", r.ID, r.Status)
}
