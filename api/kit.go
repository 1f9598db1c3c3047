package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// The procedure kit: what the handlers of every procedure do alike — read a case, show it,
// list the cases, start a case's workflow and wait for its first step, act on its open task —
// written once; each procedure supplies what is its own.

// caseKind describes one procedure's cases as the API reads them: a row of the read model (M)
// shown as a view (V) in its lists (L) and, with its activity, in the detail.
type caseKind[M, V any, L caseList[V]] struct {
	// noun names a case in messages: "share request SR-… not found".
	noun string
	// find reads a case by id; visible says whether the caller may see it. One it may not see
	// is not found, not forbidden.
	find    func(ctx context.Context, id string) (*M, error)
	visible func(p auth.Principal, r *M) bool
	// id is a case's id, view renders it as of now.
	id   func(r *M) string
	view func(r *M, now time.Time) (V, error)
	now  func() time.Time

	// activity reads a case's timeline and open tasks, views renders the tasks.
	activity TimelineReader
	views    taskViews
	// citizens: a caller that is only a citizen reads the citizen's timeline (citizenTimeline),
	// without the notes the departments exchange.
	citizens bool
	// seesTasks says whether the caller is shown the open tasks; nil: every caller.
	seesTasks func(p auth.Principal) bool
	// detail is what the detail answers: the view, the activity and whatever else the
	// procedure shows beside them.
	detail func(ctx context.Context, r *M, v V, a caseActivity) (any, error)

	// filters are the list's optional query filters.
	filters listFilters
	// findPage finds one page of the cases the caller may see under q.
	findPage func(c *gin.Context, p auth.Principal, q listQuery) ([]M, string, error)
}

// caseList is what every procedure's list is: one page of views, newest first, and the cursor
// of the next page.
type caseList[V any] interface {
	~struct {
		Items      []V    `json:"items"`
		NextCursor string `json:"next_cursor,omitempty"`
	}
}

// listFilters are the filters a list takes besides status, limit and cursor.
type listFilters struct {
	resource bool // resource_id: a catalog resource id
	overdue  bool // overdue: true or false
}

// listQuery is a list's query, checked: what every list reads and the filters its procedure
// takes (zero when it takes none), and the time the list is as of.
type listQuery struct {
	status, cursor string
	limit          int
	resourceID     int64
	overdue        *bool
	now            time.Time
}

// caseActivity is what every case's detail shows beside its own fields: its timeline, oldest
// first, and its open tasks.
type caseActivity struct {
	Timeline  []TimelineEventView `json:"timeline"`
	OpenTasks []TaskView          `json:"open_tasks"`
}

// TimelineReader reads what the human-task step projects for a request: its timeline and its
// tasks.
type TimelineReader interface {
	ListTimeline(ctx context.Context, requestID string) ([]models.TimelineEvent, error)
	ListRequestTasks(ctx context.Context, requestID, status string) ([]models.Task, error)
}

// openTaskStatus is the read model's status of an open task.
const openTaskStatus = "open"

func (k caseKind[M, V, L]) notFound(id string) *Error {
	return notFound(k.noun + " " + id + " not found")
}

// fetch reads the addressed case whoever asks; a missing one is not found.
func (k caseKind[M, V, L]) fetch(c *gin.Context) (*M, bool) {
	id := c.Param("id")
	r, err := k.find(c.Request.Context(), id)
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			err = k.notFound(id)
		}
		abort(c, err)
		return nil, false
	}
	return r, true
}

// load reads the addressed case; one the caller may not see is not found.
func (k caseKind[M, V, L]) load(c *gin.Context) (*M, bool) {
	r, ok := k.fetch(c)
	if ok && !k.visible(mustPrincipal(c), r) {
		abort(c, k.notFound(c.Param("id")))
		return nil, false
	}
	return r, ok
}

// get answers the addressed case's detail.
func (k caseKind[M, V, L]) get(c *gin.Context) {
	r, ok := k.load(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	view, err := k.view(r, k.now())
	if err != nil {
		abort(c, err)
		return
	}
	a, err := k.activityOf(ctx, mustPrincipal(c), k.id(r))
	if err != nil {
		abort(c, err)
		return
	}
	out, err := k.detail(ctx, r, view, a)
	if err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// activityOf reads a case's timeline and open tasks as the caller is shown them.
func (k caseKind[M, V, L]) activityOf(ctx context.Context, p auth.Principal, id string) (caseActivity, error) {
	out := caseActivity{OpenTasks: []TaskView{}}
	events, err := k.activity.ListTimeline(ctx, id)
	if err != nil {
		return out, err
	}
	timeline := staffTimeline
	if k.citizens && citizenOnly(p) {
		timeline = citizenTimeline
	}
	if out.Timeline, err = timeline(events); err != nil {
		return out, err
	}
	if k.seesTasks != nil && !k.seesTasks(p) {
		return out, nil
	}
	tasks, err := k.activity.ListRequestTasks(ctx, id, openTaskStatus)
	if err != nil {
		return out, err
	}
	out.OpenTasks, err = k.views.list(ctx, tasks)
	return out, err
}

// list answers one page of the cases the caller may see, newest first; bad query parameters
// are one 400 naming all of them.
func (k caseKind[M, V, L]) list(c *gin.Context) {
	p := mustPrincipal(c)
	q := listQuery{status: c.Query("status"), cursor: c.Query("cursor"), now: k.now()}
	bad := queryErrors{}
	if k.filters.resource {
		q.resourceID = bad.resourceID(c)
	}
	if k.filters.overdue {
		q.overdue = bad.boolean(c, "overdue")
	}
	q.limit = bad.limit(c)
	if bad.abortIfAny(c) {
		return
	}
	rows, next, err := k.findPage(c, p, q)
	if err != nil {
		abort(c, err)
		return
	}
	items := make([]V, 0, len(rows))
	for i := range rows {
		v, err := k.view(&rows[i], q.now)
		if err != nil {
			abort(c, err)
			return
		}
		items = append(items, v)
	}
	c.JSON(http.StatusOK, L{Items: items, NextCursor: next})
}

// caseStart is what the start of a case's workflow says of the case besides its input: its
// ids and workflow type, and the search attributes and memo title Temporal lists it with.
type caseStart struct {
	noun                           string // names the case in the error of a failed start
	id, workflowID, workflowType   string
	procedure, applicant, provider string
	status                         string // the status the workflow starts in
	title                          string // the memo title
}

// startOptions are the options every workflow a create starts has: a case id names one case
// for good, so never a second workflow under it.
func startOptions(workflowID, taskQueue string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                                       workflowID,
		TaskQueue:                                taskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}
}

// options are the case's start options in the jurisdiction. The search attributes carry codes
// and department ids only: no personal data, and no citizen's subject (a case a citizen brings
// has no applicant department, nor does a department's own catalog update: no applicant
// attribute then).
func (s caseStart) options(jurisdiction, taskQueue string) client.StartWorkflowOptions {
	o := startOptions(s.workflowID, taskQueue)
	attrs := []temporal.SearchAttributeUpdate{contract.ProcedureKey.ValueSet(s.procedure), contract.JurisdictionKey.ValueSet(jurisdiction)}
	if s.applicant != "" {
		attrs = append(attrs, contract.ApplicantDeptKey.ValueSet(s.applicant))
	}
	attrs = append(attrs, contract.ProviderDeptKey.ValueSet(s.provider), contract.StatusKey.ValueSet(s.status))
	o.TypedSearchAttributes = temporal.NewSearchAttributes(attrs...)
	o.Memo = map[string]any{contract.MemoTitle: s.title}
	return o
}

// caseStarter starts cases' workflows in the jurisdiction in force; opened tells when a new
// case's first task is in the read model (nil: a create does not wait for it).
type caseStarter struct {
	starter      WorkflowStarter
	opened       OpenTasks
	jurisdiction string
	taskQueue    string
}

// firstStep is how a create waits for its case's first step (awaitState): the query, the state
// it reports until the workflow answers, when an answer will do, and whether a task is open
// then.
type firstStep[T any] struct {
	query      string
	start      T
	done, open func(T) bool
}

// stepProgress is what waiting for a case's first step reads of its procedure's state.
type stepProgress struct {
	final bool   // the case is decided
	step  string // the open step
	due   bool   // the open step has a deadline
	// revision counts the workflow's projections where the procedure has steps without a
	// deadline: the first is the submission, a later one carries the first step.
	revision int
}

// untilStepOpen waits until the workflow has opened its first step with its deadline (or, where
// the procedure counts revisions, a later projection shows the step), or decided at once.
func untilStepOpen[T any](query string, start T, progress func(T) stepProgress) firstStep[T] {
	return firstStep[T]{query: query, start: start,
		done: func(st T) bool {
			p := progress(st)
			return p.final || (p.step != "" && (p.due || p.revision > 1))
		},
		open: func(st T) bool {
			p := progress(st)
			return !p.final && p.step != ""
		}}
}

// startCase starts a case's workflow (a failed start aborts the create naming the case) and
// returns its state once the first step is open, at most firstStepWait later.
func startCase[T any](c *gin.Context, s caseStarter, cs caseStart, input any, wait firstStep[T]) (T, bool) {
	run, err := startProcedure(c, s.starter, cs.options(s.jurisdiction, s.taskQueue), cs.workflowType, input)
	if err != nil {
		abort(c, fmt.Errorf("start %s %s: %w", cs.noun, cs.id, err))
		var zero T
		return zero, false
	}
	return awaitState(c.Request.Context(), s.starter, s.opened, cs.workflowID, run, wait.query, wait.start, wait.done, wait.open), true
}

// departmentOfKind is the department of the kind (the data authority, the technical service
// unit) in the jurisdiction; named is what the messages call it.
func departmentOfKind(ctx context.Context, deps DepartmentStore, kind models.DepartmentKind, jurisdiction, named string) (string, error) {
	all, err := deps.ListDepartments(ctx)
	if err != nil {
		return "", fmt.Errorf("find the %s: %w", named, err)
	}
	for _, d := range all {
		if d.Kind == kind && d.Jurisdiction == jurisdiction {
			return d.ID, nil
		}
	}
	return "", ruleViolated(fmt.Sprintf("no %s is registered for jurisdiction %s", named, jurisdiction))
}

// sendToOpenTask acts on a case through its open main task that match picks (the open step,
// the step awaiting the caller): an Update of that task, answered with the task. With no such
// task open it answers 409 with none.
func (h taskHandlers) sendToOpenTask(c *gin.Context, cases TimelineReader, caseID string, match func(t *models.Task) bool, name string, payload func(taskID string) any, none string) {
	tasks, err := cases.ListRequestTasks(c.Request.Context(), caseID, openTaskStatus)
	if err != nil {
		abort(c, err)
		return
	}
	for i := range tasks {
		if t := &tasks[i]; t.ParentTaskID == nil && match(t) {
			h.send(c, t, name, payload(t.TaskID))
			return
		}
	}
	abort(c, &Error{Status: http.StatusConflict, Code: CodeInvalidState, Message: none})
}

// sendCaseUpdate sends an Update to a case's workflow and decodes its answer into result. A
// workflow that has ended is a 409 saying ended; other rejections map to statuses as the task
// API maps them.
func sendCaseUpdate(ctx context.Context, w WorkflowUpdater, caseID, workflowID, name string, payload, result any, ended string) error {
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
		return &Error{Status: http.StatusConflict, Code: CodeInvalidState, Message: ended}
	}
	return updateError(caseID, err)
}
