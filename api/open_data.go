package api

import (
	"context"
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

// OpenDataStore is what the open-data handlers need of the read model.
type OpenDataStore interface {
	GetOpenDataRequest(ctx context.Context, id string) (*models.OpenDataRequest, error)
	ListOpenDataRequests(ctx context.Context, f models.OpenDataFilter) ([]models.OpenDataRequest, string, error)
	TimelineReader
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
	res, ok := askedResource(c, h.catalog, in.ResourceID, true)
	if !ok {
		return
	}
	switch {
	case res.OpenType != models.OpenUnconditional && res.OpenType != models.OpenConditional:
		// 不予开放: refused at submission, naming the open type.
		msg := fmt.Sprintf("catalog resource %s has open type %q (不予开放): it is not open to the public", res.Code, res.OpenType)
		abort(c, &Error{Status: http.StatusUnprocessableEntity, Code: CodeRuleViolated, Message: msg,
			Fields: map[string]string{"resource_id": msg, "open_type": string(res.OpenType)}})
		return
	}
	authority, err := departmentOfKind(ctx, h.deps, models.KindAuthority, h.profile.ID, "authority department")
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
		Applicant:    contract.OpenDataApplicant{Subject: p.Subject},
		OpenDataForm: in.OpenDataForm, ReceivedAt: now, AuthorityDeptID: authority,
	}
	// No applicant department: a citizen has none, and no personal data goes into the search
	// attributes.
	st, ok := startCase(c, caseStarter{h.starter, h.opened, h.profile.ID, h.taskQueue},
		caseStart{noun: "open-data request", id: id, workflowID: wid, workflowType: contract.OpenDataRequestWorkflowType,
			procedure: policy.ProcOpenData, provider: res.ProviderDeptID,
			status: contract.OpenDataStatusPending, title: res.Name + " / 开放申请"},
		input, untilStepOpen(contract.QueryOpenDataRequest, contract.OpenDataRequestState{Input: input, CaseState: contract.CaseState{Status: contract.OpenDataStatusPending}},
			// The reply opens with its deadline, or the data is opened at once.
			func(st contract.OpenDataRequestState) stepProgress {
				return stepProgress{final: st.Final, step: st.CurrentStep, due: st.DueAt != nil}
			}))
	if !ok {
		return
	}
	c.Header("Location", "/api/v1/open-data-requests/"+id)
	c.JSON(http.StatusCreated, toOpenDataRequestStatus(st, wid))
}

// cases are open-data requests as the API reads them: a citizen reads its own, with the
// citizen's timeline.
func (h openDataHandlers) cases() caseKind[models.OpenDataRequest, OpenDataRequestView, OpenDataRequestList] {
	return caseKind[models.OpenDataRequest, OpenDataRequestView, OpenDataRequestList]{
		noun: "open-data request", find: h.store.GetOpenDataRequest, visible: canSeeOpenData,
		id: func(r *models.OpenDataRequest) string { return r.ID }, view: toOpenDataRequestView, now: h.now,
		activity: h.store, views: h.views, citizens: true,
		detail: func(_ context.Context, _ *models.OpenDataRequest, v OpenDataRequestView, a caseActivity) (any, error) {
			return OpenDataRequestDetail{OpenDataRequestView: v, caseActivity: a}, nil
		},
		filters: listFilters{overdue: true},
		findPage: func(c *gin.Context, p auth.Principal, q listQuery) ([]models.OpenDataRequest, string, error) {
			f := models.OpenDataFilter{SeesAll: seesAllOpenData(p), ProviderDeptID: p.DepartmentID,
				Status: q.status, Cursor: q.cursor, Now: q.now, Overdue: q.overdue, Limit: q.limit}
			if p.Has(auth.RoleCitizen) {
				f.ApplicantSubject = p.Subject
			}
			return h.store.ListOpenDataRequests(c.Request.Context(), f)
		},
	}
}

func (h openDataHandlers) list(c *gin.Context) { h.cases().list(c) }

func (h openDataHandlers) get(c *gin.Context) { h.cases().get(c) }

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

// withdraw withdraws the caller's pending request (撤回): an Update of its workflow, which
// checks that the caller is the applicant and that no reply came first.
func (h openDataHandlers) withdraw(c *gin.Context) {
	r, ok := h.cases().load(c)
	if !ok {
		return
	}
	var in WithdrawInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	var st contract.OpenDataRequestState
	if err := sendCaseUpdate(c.Request.Context(), h.workflows, r.ID, r.WorkflowID, contract.UpdateWithdraw,
		contract.WithdrawUpdate{Actor: actorOf(mustPrincipal(c)), Reason: strings.TrimSpace(in.Reason)}, &st,
		"open-data request "+r.ID+" is already "+r.Status); err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, toOpenDataRequestStatus(st, r.WorkflowID))
}
