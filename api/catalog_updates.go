package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

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
	TimelineReader
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
	in.DepartmentID = strings.TrimSpace(in.DepartmentID)
	if !contract.ValidTrigger(in.Trigger) {
		abort(c, invalidField("trigger", "must be "+contract.TriggerLawRevised+" (法律法规修订) or "+contract.TriggerDutiesChanged+" (行政管理职能变化)"))
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
	authority, err := departmentOfKind(ctx, h.departments, models.KindAuthority, h.profile.ID, "data authority department")
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
		CatalogUpdateForm:  in.CatalogUpdateForm, ResourceIDs: in.ResourceIDs,
		ReceivedAt: now, AuthorityDeptID: authority,
	}
	// The update task has a deadline once a later projection than the submission shows it.
	st, ok := startCase(c, caseStarter{h.starter, h.opened, h.profile.ID, h.taskQueue},
		caseStart{noun: "catalog update", id: id, workflowID: wid, workflowType: contract.CatalogUpdateWorkflowType,
			procedure: policy.ProcCatalogUpdate, provider: dept,
			status: contract.CatalogUpdateUpdating, title: "目录更新 / " + dept + " / " + in.ChangedOn},
		input, untilStepOpen(contract.QueryCatalogUpdate, contract.CatalogUpdateState{Input: input, CaseState: contract.CaseState{Status: contract.CatalogUpdateUpdating}},
			func(st contract.CatalogUpdateState) stepProgress {
				return stepProgress{step: st.CurrentStep, due: st.DueAt != nil, revision: st.Revision}
			}))
	if !ok {
		return
	}
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

// cases are catalog updates as the API reads them, with the revisions their submissions
// linked.
func (h catalogUpdateHandlers) cases() caseKind[models.CatalogUpdate, CatalogUpdateView, CatalogUpdateList] {
	return caseKind[models.CatalogUpdate, CatalogUpdateView, CatalogUpdateList]{
		noun: "catalog update", find: h.store.GetCatalogUpdate, visible: canSeeUpdate,
		id: func(u *models.CatalogUpdate) string { return u.ID }, view: toCatalogUpdateView, now: h.now,
		activity: h.store, views: h.tasks.views,
		detail: func(ctx context.Context, u *models.CatalogUpdate, v CatalogUpdateView, a caseActivity) (any, error) {
			out := CatalogUpdateDetail{CatalogUpdateView: v, caseActivity: a, Resources: []LinkedResourceView{}}
			links, err := h.store.ListCatalogUpdateResources(ctx, u.ID)
			if err != nil {
				return nil, err
			}
			for _, l := range links {
				out.Resources = append(out.Resources, LinkedResourceView{Round: l.Round, ResourceID: l.ResourceID, Version: l.Version,
					PublishedAt: formatTimePtr(l.PublishedAt), ReturnedAt: formatTimePtr(l.ReturnedAt)})
			}
			return out, nil
		},
		filters: listFilters{overdue: true},
		findPage: func(c *gin.Context, p auth.Principal, q listQuery) ([]models.CatalogUpdate, string, error) {
			return h.store.ListCatalogUpdates(c.Request.Context(), models.CatalogUpdateFilter{DepartmentID: p.DepartmentID,
				SeesAll: p.Has(auth.RoleAuthority), Status: q.status, Cursor: q.cursor, Now: q.now, Overdue: q.overdue, Limit: q.limit})
		},
	}
}

func (h catalogUpdateHandlers) list(c *gin.Context) { h.cases().list(c) }

func (h catalogUpdateHandlers) get(c *gin.Context) { h.cases().get(c) }

// submit is the department's submission of its edited resources as one update: checked here
// against the catalog, so a stale version or another department's resource is refused at
// once, then sent as the decision of the open update task. Another department is refused
// even though it cannot read the update: it is an action on someone else's catalog.
func (h catalogUpdateHandlers) submit(c *gin.Context) {
	u, ok := h.cases().fetch(c)
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
	h.tasks.sendToOpenTask(c, h.store, u.ID, func(t *models.Task) bool { return t.Step == contract.StepUpdate },
		contract.UpdateComplete, func(taskID string) any {
			return contract.CompleteUpdate{TaskID: taskID, Actor: actorOf(p), Decision: contract.DecisionSubmit,
				Comment: strings.TrimSpace(in.Comment), Fields: map[string]any{contract.FieldResourceVersions: versions}}
		}, "catalog update "+u.ID+" takes no submission now (it is "+u.Status+")")
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
