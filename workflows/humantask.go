package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// Party is a department and a role in it: who may act on or watch a task.
type Party struct {
	DepartmentID string `json:"department_id"`
	Role         string `json:"role"`
}

// TaskSpec describes one human task of a procedure step.
type TaskSpec struct {
	// TaskID is deterministic: HumanTaskID(workflowID, step, n).
	TaskID    string `json:"task_id"`
	RequestID string `json:"request_id"`
	Procedure string `json:"procedure"`
	// Step is the policy step's code; with Procedure it selects deadline, reminders,
	// escalation and extension rule in the jurisdiction profile.
	Step string `json:"step"`
	// Candidate is who may claim and decide the task.
	Candidate Party `json:"candidate"`
	// Partner makes the task shared by two parties — two departments negotiating (协商), or a
	// department's approvers and its head (a rectification notice): it acts on the task as the
	// candidate does, a mutual decision needs both, and neither claims or transfers it.
	Partner *Party `json:"partner,omitempty"`
	// Watchers may comment and urge (催办): the applicant's department, the authority. Once
	// the task is overdue, its escalation target (督办) may comment and urge as well.
	Watchers []Party `json:"watchers,omitempty"`
	// Decisions the task allows and the fields each requires.
	Decisions  []activities.DecisionOption `json:"decisions"`
	ReceivedAt time.Time                   `json:"received_at"`
	// Departments maps the case's policy department kinds (policy.DeptAuthority, ...) to
	// department ids, to resolve the escalation target and the extension approver.
	Departments map[string]string `json:"departments"`
	// AllowDepartmentTransfer lets the authority transfer the task to another department.
	AllowDepartmentTransfer bool `json:"allow_department_transfer,omitempty"`
	// DueDate (YYYY-MM-DD) is a date agreed for the case instead of the step's working days
	// (an interface's delivery date, 内乡 第十三条); extensions count beyond it.
	DueDate string `json:"due_date,omitempty"`
	// AnnualYear is the year an annual step's date falls in; 0 is the year of receipt.
	AnnualYear int `json:"annual_year,omitempty"`
	// CaseReceivedAt is when the case's application was received, for a step a national limit
	// over the whole case bounds (a correction: 政务数据共享条例 第二十六条第二款); zero otherwise.
	CaseReceivedAt time.Time `json:"case_received_at,omitzero"`
}

// Task statuses in TaskState.
const (
	TaskStatusOpen      = activities.TaskOpen
	TaskStatusCompleted = activities.TaskCompleted
)

// PendingExtension is an extension request waiting for its approver.
type PendingExtension struct {
	N           int            `json:"n"` // 1 for the first request of the task
	Workdays    int            `json:"workdays"`
	Reason      string         `json:"reason"`
	RequestedBy contract.Actor `json:"requested_by"`
	RequestedAt time.Time      `json:"requested_at"`
}

// TaskState is the whole serialisable state of a human task; queries return it.
type TaskState struct {
	Spec     TaskSpec                  `json:"spec"`
	Status   string                    `json:"status"`
	Assignee string                    `json:"assignee,omitempty"`
	Deadline activities.DeadlineResult `json:"deadline"`
	// RemindedPoints are the reminder points already handled for Deadline.DueAt; a moved
	// deadline starts a new list.
	RemindedPoints    []int             `json:"reminded_points"`
	Overdue           bool              `json:"overdue"`
	LongOverdue       bool              `json:"long_overdue"`
	SupervisionOpened bool              `json:"supervision_opened"`
	ExtensionWorkdays int               `json:"extension_workdays"`
	ExtensionRequests int               `json:"extension_requests"`
	ExtensionsGranted int               `json:"extensions_granted"`
	PendingExtension  *PendingExtension `json:"pending_extension,omitempty"`
	// LastUrgeWindow maps an urging party (department id) to the start of the working-day
	// window of its last urge.
	LastUrgeWindow map[string]time.Time  `json:"last_urge_window,omitempty"`
	UrgeCount      int                   `json:"urge_count"`
	LastUrgedAt    *time.Time            `json:"last_urged_at,omitempty"`
	Outcome        *contract.TaskOutcome `json:"outcome,omitempty"`
	// Proposal is the pending proposal of a mutual decision on a shared task.
	Proposal *activities.Proposal `json:"proposal,omitempty"`
	// Seq numbers the task's timeline events (idempotency key with TaskID); Revision numbers
	// its projections (the read model keeps the highest).
	Seq      int `json:"seq"`
	Revision int `json:"revision"`
}

// RunHumanTask is the reusable human-task step: it computes the deadline, projects the task,
// takes the actions of docs/api.md, "Tasks", as validated updates, reminds, escalates when
// overdue, extends where the policy allows, and returns when the task is decided. The
// procedure workflow calls it directly (no child workflow).
//
// It registers the task's update, signal and query handlers on the calling workflow,
// replacing those of an earlier task; it must not run twice at the same time in one workflow
// (a procedure that needs two tasks at once runs the second in a child workflow, as the
// rectification's consequence does).
//
// Cancelling ctx closes an undecided task (a withdrawn request): the task is projected closed,
// its supervision and extension tasks with it, and RunHumanTask returns a canceled error
// (temporal.IsCanceledError). A decision accepted before the cancellation wins.
func RunHumanTask(ctx workflow.Context, spec TaskSpec) (contract.TaskOutcome, error) {
	return runHumanTask(ctx, spec, taskObserver{})
}

// taskObserver lets a procedure follow its running task without a second source of truth.
type taskObserver struct {
	// started receives the task's live state, read-only, before the first blocking call: an
	// update validator of the procedure can then tell whether the task is still open.
	started func(st *TaskState)
	// deadlineSet runs whenever the task's deadline is computed and applied (at the start, on
	// extension and on a calendar change), so the procedure can project it on the request.
	deadlineSet func(ctx workflow.Context, d activities.DeadlineResult) error
	// checkDecision validates a decision's fields beyond their presence (a number of days,
	// say), in the complete validator; its error is the rejection.
	checkDecision func(u contract.CompleteUpdate) error
	// unlisted says why a decision the task does not list is refused, where the procedure
	// knows better than "not one of this task's decisions" (a second supplement notice); nil
	// from it leaves that rejection.
	unlisted func(u contract.CompleteUpdate) error
}

func runHumanTask(ctx workflow.Context, spec TaskSpec, obs taskObserver) (contract.TaskOutcome, error) {
	t := &humanTask{st: TaskState{Spec: spec, Status: TaskStatusOpen, LastUrgeWindow: map[string]time.Time{}}, obs: obs,
		writes: writesOf(ctx)}
	if obs.started != nil {
		obs.started(&t.st)
	}
	// Registering the task's handlers yields to the SDK; the writes before it and those of
	// the opening that follows leave together.
	release := t.writes.hold()
	err := t.setup(ctx)
	release()
	if err != nil {
		return contract.TaskOutcome{}, err
	}
	return t.run(ctx)
}

// humanTask is the runner behind RunHumanTask.
type humanTask struct {
	st         TaskState
	workflowID string
	acts       *activities.Activities // method references only
	// wake is poked by handlers whose action changes what the wait loop waits for.
	wake workflow.Channel
	// deadlineMu serialises deadline recomputations (extension handler, recompute signal).
	deadlineMu workflow.Mutex
	obs        taskObserver
	// writes is the procedure's read-model writer, nil in executions from before it.
	writes *writes
}

func (t *humanTask) setup(ctx workflow.Context) error {
	t.workflowID = workflow.GetInfo(ctx).WorkflowExecution.ID
	t.wake = workflow.NewBufferedChannel(ctx, 1)
	t.deadlineMu = workflow.NewMutex(ctx)

	if err := workflow.SetQueryHandler(ctx, contract.QueryTask, func() (TaskState, error) { return t.st, nil }); err != nil {
		return fmt.Errorf("register query %s: %w", contract.QueryTask, err)
	}
	updates := []struct {
		name      string
		handler   any
		validator any
	}{
		{contract.UpdateClaim, handled(t.writes, t.claim), t.validateClaim},
		{contract.UpdateUnclaim, handled(t.writes, t.unclaim), t.validateUnclaim},
		{contract.UpdateTransfer, handled(t.writes, t.transfer), t.validateTransfer},
		{contract.UpdateComment, handled(t.writes, t.comment), t.validateComment},
		{contract.UpdateComplete, handled(t.writes, t.complete), t.validateComplete},
		{contract.UpdateUrge, handled(t.writes, t.urge), t.validateUrge},
		{contract.UpdateRequestExtension, handled(t.writes, t.requestExtension), t.validateRequestExtension},
		{contract.UpdateDecideExtension, handled(t.writes, t.decideExtension), t.validateDecideExtension},
	}
	for _, u := range updates {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler,
			workflow.UpdateHandlerOptions{Validator: u.validator}); err != nil {
			return fmt.Errorf("register update %s: %w", u.name, err)
		}
	}
	return nil
}

func (t *humanTask) run(ctx workflow.Context) (contract.TaskOutcome, error) {
	err := t.open(ctx)
	if err == nil {
		err = t.waitForDecision(ctx)
	}
	if err != nil && t.st.Outcome == nil {
		// Cancelled while opening or waiting: close it, even if it was projected open only
		// by an activity still in flight (the closed projection has the higher revision).
		if ctx.Err() != nil && temporal.IsCanceledError(err) {
			return contract.TaskOutcome{}, t.closeUndecided(ctx)
		}
		return contract.TaskOutcome{}, err
	}
	// Past a decision the task finishes its writes even if ctx was cancelled meanwhile.
	ctx, _ = workflow.NewDisconnectedContext(ctx)
	// The complete handler may still be writing its projection and timeline. With the writer
	// its writes are queued before it waits, ahead of what follows, and it waits for the
	// procedure to settle after the decision: waiting for it here would wait for ourselves.
	if t.writes == nil {
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return contract.TaskOutcome{}, err
		}
	}
	if err := t.closeSupervision(ctx); err != nil {
		return contract.TaskOutcome{}, err
	}
	return *t.st.Outcome, nil
}

// open computes the deadline, projects the task and records its opening.
func (t *humanTask) open(ctx workflow.Context) error {
	if err := t.computeDeadline(ctx); err != nil {
		return err
	}
	if err := t.project(ctx); err != nil {
		return err
	}
	return t.record(ctx, activities.EventTaskOpened, contract.Actor{}, "", t.deadlineData())
}

// closeUndecided ends a task whose ctx was cancelled before a decision: the task, an open
// extension request and the supervision task are projected closed and the closing recorded.
// The writes run on a disconnected context, since ctx is cancelled; it returns the canceled
// error for the caller.
func (t *humanTask) closeUndecided(cancelled workflow.Context) error {
	ctx, _ := workflow.NewDisconnectedContext(cancelled)
	t.st.Status = activities.TaskClosed
	if p := t.st.PendingExtension; p != nil {
		t.st.PendingExtension = nil
		if err := t.projectInput(ctx, t.extensionTask(ctx, p, activities.TaskClosed)); err != nil {
			return err
		}
	}
	if err := t.record(ctx, activities.EventTaskClosed, contract.Actor{}, "", nil); err != nil {
		return err
	}
	if err := t.project(ctx); err != nil {
		return err
	}
	if err := t.closeSupervision(ctx); err != nil {
		return err
	}
	return temporal.NewCanceledError("task " + t.st.Spec.TaskID + " closed undecided")
}

// waitForDecision is the one wait of the task: a selector over the next alarm's timer, the
// handlers' wake-ups and the calendar-change signal, until a decision arrives.
func (t *humanTask) waitForDecision(ctx workflow.Context) error {
	recompute := workflow.GetSignalChannel(ctx, contract.SignalRecomputeDeadline)
	for t.st.Outcome == nil {
		// What the task wrote is in the read model before it waits.
		if err := t.writes.sync(ctx); err != nil {
			return err
		}
		if t.st.Outcome != nil {
			break
		}
		next, armed := t.nextAlarm()
		if armed && !next.at.After(workflow.Now(ctx)) {
			if err := t.fire(ctx, next); err != nil {
				return err
			}
			continue
		}

		timerCtx, cancelTimer := workflow.WithCancel(ctx)
		var fired, recomputeAsked bool
		var sig contract.RecomputeDeadlineSignal
		sel := workflow.NewSelector(ctx)
		if armed {
			// Named, so that Temporal UI's history says what the timer is for.
			summary := fmt.Sprintf("%s: %s at %s", t.st.Spec.Step, next.kind, next.at.In(calendar.Location()).Format("2006-01-02 15:04"))
			sel.AddFuture(workflow.NewTimerWithOptions(timerCtx, next.at.Sub(workflow.Now(ctx)), workflow.TimerOptions{Summary: summary}), func(f workflow.Future) {
				fired = f.Get(ctx, nil) == nil
			})
		}
		sel.AddReceive(t.wake, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) })
		sel.AddReceive(recompute, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, &sig)
			recomputeAsked = true
		})
		// A cancelled ctx (withdrawn request) ends the wait; the timer's future alone would
		// be re-armed, already cancelled, in a busy loop.
		sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
		sel.Select(ctx)
		cancelTimer()
		if err := ctx.Err(); err != nil && t.st.Outcome == nil {
			return err
		}

		switch {
		case fired && t.st.Outcome == nil:
			if err := t.fire(ctx, next); err != nil {
				return err
			}
		case recomputeAsked && t.st.Outcome == nil:
			if err := t.recomputeDeadline(ctx, "calendar changed "+sig.CalendarVersion); err != nil {
				return err
			}
		}
	}
	return nil
}

// alarm is the next instant the task must act on by itself.
type alarm struct {
	kind  string // activities.EventReminded, EventOverdue, EventLongOverdue
	point int    // reminder point, for EventReminded
	at    time.Time
}

// nextAlarm is the earliest reminder, overdue or long-overdue instant not yet handled.
func (t *humanTask) nextAlarm() (alarm, bool) {
	d := t.st.Deadline
	if d.NoDeadline {
		return alarm{}, false
	}
	for _, r := range d.Reminders { // in time order, all before OverdueAt
		if !slices.Contains(t.st.RemindedPoints, r.WorkdaysBefore) {
			return alarm{kind: activities.EventReminded, point: r.WorkdaysBefore, at: r.At}, true
		}
	}
	if !t.st.Overdue {
		return alarm{kind: activities.EventOverdue, at: d.OverdueAt}, true
	}
	if !t.st.LongOverdue && !d.LongOverdueAt.IsZero() {
		return alarm{kind: activities.EventLongOverdue, at: d.LongOverdueAt}, true
	}
	return alarm{}, false
}

// fire handles one alarm. The original task stays open and actionable throughout.
func (t *humanTask) fire(ctx workflow.Context, a alarm) error {
	switch a.kind {
	case activities.EventReminded:
		t.st.RemindedPoints = append(t.st.RemindedPoints, a.point)
		// The workers turn the event into a notification to the task's people (worker/notify.go).
		return t.record(ctx, a.kind, contract.Actor{}, "", map[string]any{
			"workdays_before": a.point, "due_at": t.st.Deadline.DueAt})
	case activities.EventOverdue:
		t.st.Overdue = true
		if err := t.project(ctx); err != nil {
			return err
		}
		if err := t.projectSupervision(ctx, activities.TaskOpen); err != nil {
			return err
		}
		return t.record(ctx, a.kind, contract.Actor{}, "", map[string]any{"due_at": t.st.Deadline.DueAt})
	case activities.EventLongOverdue:
		t.st.LongOverdue = true
		if err := t.project(ctx); err != nil {
			return err
		}
		if err := t.projectSupervision(ctx, activities.TaskOpen); err != nil {
			return err
		}
		return t.record(ctx, a.kind, contract.Actor{}, "", map[string]any{"due_at": t.st.Deadline.DueAt})
	}
	return fmt.Errorf("unknown alarm %q", a.kind)
}

// computeDeadline runs the deadline activity and applies its result.
func (t *humanTask) computeDeadline(ctx workflow.Context) error {
	var res activities.DeadlineResult
	err := t.writes.local(ctx, t.acts.ComputeDeadline, "ComputeDeadline", activities.DeadlineInput{
		Procedure:         t.st.Spec.Procedure,
		Step:              t.st.Spec.Step,
		ReceivedAt:        t.st.Spec.ReceivedAt,
		ExtensionWorkdays: t.st.ExtensionWorkdays,
		DueDate:           t.st.Spec.DueDate,
		AnnualYear:        t.st.Spec.AnnualYear,
		CaseReceivedAt:    t.st.Spec.CaseReceivedAt,
	}, &res)
	if err != nil {
		return fmt.Errorf("compute deadline of task %s: %w", t.st.Spec.TaskID, err)
	}
	if !res.DueAt.Equal(t.st.Deadline.DueAt) {
		// A new or moved deadline arms its reminders, except those whose time has already
		// passed (a receipt dated back, a moved deadline): they are not sent late, all at once.
		t.st.RemindedPoints = nil
		now := workflow.Now(ctx)
		for _, r := range res.Reminders {
			if !r.At.After(now) {
				t.st.RemindedPoints = append(t.st.RemindedPoints, r.WorkdaysBefore)
			}
		}
	}
	t.st.Deadline = res
	if t.obs.deadlineSet != nil {
		return t.obs.deadlineSet(ctx, res)
	}
	return nil
}

// recomputeDeadline computes the deadline again (calendar change, extension) and, when it
// moved, projects and records it; the wait loop re-arms its timer on its next turn.
func (t *humanTask) recomputeDeadline(ctx workflow.Context, why string) error {
	if err := t.deadlineMu.Lock(ctx); err != nil {
		return err
	}
	defer t.deadlineMu.Unlock()
	before := t.st.Deadline
	if err := t.computeDeadline(ctx); err != nil {
		return err
	}
	if before.DueAt.Equal(t.st.Deadline.DueAt) && before.CalendarVersion == t.st.Deadline.CalendarVersion {
		return nil
	}
	withdrawn, err := t.withdrawOverdue(ctx)
	if err != nil {
		return err
	}
	if err := t.project(ctx); err != nil {
		return err
	}
	data := t.deadlineData()
	data["previous_due_at"] = before.DueAt
	if err := t.record(ctx, activities.EventDeadlineChanged, contract.Actor{}, why, data); err != nil {
		return err
	}
	if withdrawn {
		return t.record(ctx, activities.EventOverdueWithdrawn, contract.Actor{}, "the moved deadline has not passed",
			map[string]any{"due_at": t.st.Deadline.DueAt, "overdue": t.st.Overdue, "long_overdue": t.st.LongOverdue})
	}
	return nil
}

// changeOverdueWithdrawn is the workflow.GetVersion change id of taking back an overdue mark
// that a calendar correction made wrong.
const changeOverdueWithdrawn = "overdue-withdrawn-on-moved-deadline"

// withdrawOverdue takes back the overdue (or long-overdue) mark when the recomputed deadline
// has not passed after all — an admin corrected the calendar — and closes the supervision
// task; the wait loop arms the alarms again. It reports whether it changed anything.
func (t *humanTask) withdrawOverdue(ctx workflow.Context) (bool, error) {
	now, d := workflow.Now(ctx), t.st.Deadline
	notOverdue := t.st.Overdue && (d.NoDeadline || d.OverdueAt.After(now))
	notLong := t.st.LongOverdue && (notOverdue || d.LongOverdueAt.IsZero() || d.LongOverdueAt.After(now))
	if !notOverdue && !notLong {
		return false, nil
	}
	if workflow.GetVersion(ctx, changeOverdueWithdrawn, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return false, nil
	}
	t.st.LongOverdue = false
	status := activities.TaskOpen // still overdue: the supervision task shows it no longer long overdue
	if notOverdue {
		t.st.Overdue, status = false, activities.TaskClosed
	}
	if t.st.SupervisionOpened {
		if err := t.projectSupervision(ctx, status); err != nil {
			return false, err
		}
	}
	t.wake.SendAsync(struct{}{})
	return true, nil
}

func (t *humanTask) deadlineData() map[string]any {
	d := t.st.Deadline
	if d.NoDeadline {
		return map[string]any{"no_deadline": true}
	}
	return map[string]any{"due_at": d.DueAt, "workdays": d.Workdays, "calendar_version": d.CalendarVersion,
		"provisional": d.Provisional, "local_default": d.LocalDefault, "legal_basis": d.LegalBasis}
}

// activityOptions are those of the projection and timeline writes: idempotent, so they retry
// until the database is back.
func activityOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
	})
}

// project writes the task's current state to the read model.
func (t *humanTask) project(ctx workflow.Context) error {
	t.st.Revision++
	s := t.st.Spec
	in := activities.ProjectTaskInput{
		TaskID: s.TaskID, Revision: t.st.Revision, Kind: activities.TaskKindStep,
		WorkflowID: t.workflowID, RequestID: s.RequestID, Procedure: s.Procedure, Step: s.Step,
		CandidateDepartmentID: s.Candidate.DepartmentID, CandidateRole: s.Candidate.Role,
		Proposal: t.st.Proposal,
		Assignee: t.st.Assignee, Status: t.st.Status, Decisions: t.decisions(), ReceivedAt: s.ReceivedAt,
		CalendarVersion: t.st.Deadline.CalendarVersion, Provisional: t.st.Deadline.Provisional,
		LegalBasis: t.st.Deadline.LegalBasis, LocalDefault: t.st.Deadline.LocalDefault,
		Overdue: t.st.Overdue, LongOverdue: t.st.LongOverdue,
		LastUrgedAt: t.st.LastUrgedAt, UrgeCount: t.st.UrgeCount, UpdatedAt: workflow.Now(ctx),
	}
	if s.Partner != nil {
		in.PartnerDepartmentID, in.PartnerRole = s.Partner.DepartmentID, s.Partner.Role
	}
	if !t.st.Deadline.NoDeadline {
		due := t.st.Deadline.DueAt
		in.DueAt = &due
	}
	if t.st.Outcome != nil {
		in.Decision, in.DecidedBy = t.st.Outcome.Decision, t.st.Outcome.DecidedBy.Subject
	}
	workflow.SetCurrentDetails(ctx, t.details())
	return t.projectInput(ctx, in)
}

// details is what Temporal UI shows as the workflow's current details: the task, its state,
// its deadline and the article it rests on. It adds nothing to history.
func (t *humanTask) details() string {
	s, d := t.st.Spec, t.st.Deadline
	line := fmt.Sprintf("**%s** — task %s, %s", s.Step, s.TaskID, t.st.Status)
	if t.st.Assignee != "" {
		line += ", claimed by " + t.st.Assignee
	}
	if t.st.Outcome != nil {
		line += ", decided " + t.st.Outcome.Decision + " by " + t.st.Outcome.DecidedBy.Subject
	}
	if !d.NoDeadline {
		line += fmt.Sprintf("\n\ndue %s (%d working days", d.DueAt.In(calendar.Location()).Format("2006-01-02 15:04"), d.Workdays)
		if d.LocalDefault {
			line += ", local default"
		}
		line += ")"
		if len(d.LegalBasis) > 0 {
			line += " — " + strings.Join(d.LegalBasis, "; ")
		}
	}
	if t.st.LongOverdue {
		line += "\n\n**long overdue**"
	} else if t.st.Overdue {
		line += "\n\n**overdue**"
	}
	return line
}

// decisions are what the task's JSON lists: the step's decisions and, while the step's rule
// still allows one, the request for an extension (延期申请).
func (t *humanTask) decisions() []activities.DecisionOption {
	d, rule := t.st.Spec.Decisions, t.st.Deadline.Extension
	if t.st.Status != TaskStatusOpen || rule == nil || t.st.Deadline.NoDeadline ||
		t.st.ExtensionRequests >= rule.MaxCount || t.st.PendingExtension != nil {
		return d
	}
	return append(slices.Clone(d), activities.DecisionOption{Code: contract.DecisionRequestExtension,
		RequiredFields: []string{"workdays", "reason"}})
}

func (t *humanTask) projectInput(ctx workflow.Context, in activities.ProjectTaskInput) error {
	if err := t.writes.write(ctx, activities.Write{Task: &in}, t.acts.ProjectTask, in); err != nil {
		return fmt.Errorf("project task %s: %w", in.TaskID, err)
	}
	return nil
}

// supervisionTaskID is the id of the authority's supervision task (督办) of an overdue task.
func supervisionTaskID(taskID string) string { return taskID + "/supervision" }

// projectSupervision opens, updates or closes the supervision task for the policy's
// escalation target.
func (t *humanTask) projectSupervision(ctx workflow.Context, status string) error {
	e := t.st.Deadline.Escalation
	if e == nil {
		return nil
	}
	t.st.SupervisionOpened = true
	t.st.Revision++
	s := t.st.Spec
	return t.projectInput(ctx, activities.ProjectTaskInput{
		TaskID: supervisionTaskID(s.TaskID), Revision: t.st.Revision, Kind: activities.TaskKindSupervision,
		ParentTaskID: s.TaskID, WorkflowID: t.workflowID, RequestID: s.RequestID, Procedure: s.Procedure, Step: s.Step,
		CandidateDepartmentID: s.Departments[e.Department], CandidateRole: e.Role,
		Status: status, ReceivedAt: workflow.Now(ctx), LegalBasis: e.LegalBasis,
		Overdue: t.st.Overdue, LongOverdue: t.st.LongOverdue, UpdatedAt: workflow.Now(ctx),
	})
}

func (t *humanTask) closeSupervision(ctx workflow.Context) error {
	if !t.st.SupervisionOpened {
		return nil
	}
	return t.projectSupervision(ctx, activities.TaskClosed)
}

// record appends one event to the request's timeline under the task's next sequence number.
func (t *humanTask) record(ctx workflow.Context, kind string, actor contract.Actor, text string, data map[string]any) error {
	t.st.Seq++
	s := t.st.Spec
	in := activities.AppendTimelineInput{
		EventID: fmt.Sprintf("%s#%d", s.TaskID, t.st.Seq), Seq: t.st.Seq, TaskID: s.TaskID,
		WorkflowID: t.workflowID, RequestID: s.RequestID, Procedure: s.Procedure, Step: s.Step,
		Kind: kind, At: workflow.Now(ctx), Actor: actor.Subject, DepartmentID: actor.DepartmentID,
		Text: text, Data: data,
	}
	if err := t.writes.write(ctx, activities.Write{Timeline: &in}, t.acts.AppendTimeline, in); err != nil {
		return fmt.Errorf("append %s to the timeline of task %s: %w", kind, s.TaskID, err)
	}
	return nil
}

// changed records the action and projects the task: the tail of every update handler. The
// timeline comes first because record takes its sequence number before it blocks, so
// concurrent handlers number their events in the order the actions were accepted.
func (t *humanTask) changed(ctx workflow.Context, kind string, actor contract.Actor, text string, data map[string]any) (TaskState, error) {
	if err := t.record(ctx, kind, actor, text, data); err != nil {
		return TaskState{}, err
	}
	if err := t.project(ctx); err != nil {
		return TaskState{}, err
	}
	return t.st, nil
}

// urgeWindow is the start of the working-day window containing now: from the start of one
// working day to the start of the next (a weekend or holiday belongs to the working day
// before it). Past the activity's list it falls back to 24-hour windows. The zero time is the
// window before the first working day.
func (t *humanTask) urgeWindow(now time.Time) time.Time {
	starts := t.st.Deadline.WorkdayStarts
	i, _ := slices.BinarySearchFunc(starts, now, func(s, n time.Time) int { return s.Compare(n) })
	if i < len(starts) && starts[i].Equal(now) {
		return starts[i]
	}
	if i == 0 {
		return time.Time{}
	}
	last := starts[i-1]
	if i == len(starts) {
		return last.Add(now.Sub(last).Truncate(24 * time.Hour))
	}
	return last
}

// isCandidate reports whether the actor may decide the task: the candidate, or the partner of
// a shared task.
func (t *humanTask) isCandidate(a contract.Actor) bool {
	c, p := t.st.Spec.Candidate, t.st.Spec.Partner
	return (a.DepartmentID == c.DepartmentID && a.HasRole(c.Role)) ||
		(p != nil && a.DepartmentID == p.DepartmentID && a.HasRole(p.Role))
}

// candidates names who may decide, for rejections.
func (t *humanTask) candidates() string {
	c, p := t.st.Spec.Candidate, t.st.Spec.Partner
	who := fmt.Sprintf("the %s role of department %s", c.Role, c.DepartmentID)
	if p != nil {
		who += fmt.Sprintf(" or the %s role of department %s", p.Role, p.DepartmentID)
	}
	return who
}

func (t *humanTask) isWatcher(a contract.Actor) bool {
	return slices.ContainsFunc(t.st.Spec.Watchers, func(p Party) bool {
		return a.DepartmentID == p.DepartmentID && a.HasRole(p.Role)
	})
}

// isSupervisor reports whether the actor is the escalation target of the overdue task.
func (t *humanTask) isSupervisor(a contract.Actor) bool {
	e := t.st.Deadline.Escalation
	return t.st.Overdue && e != nil && a.DepartmentID == t.st.Spec.Departments[e.Department] && a.HasRole(e.Role)
}

// extensionApproverDept is the department whose e.Approver decides extensions: the acting
// department's head, or the authority.
func (t *humanTask) extensionApproverDept(approver string) string {
	if approver == policy.RoleDeptHead {
		return t.st.Spec.Candidate.DepartmentID
	}
	return t.st.Spec.Departments[policy.DeptAuthority]
}

// Rejections: typed application errors the API maps to a status.

func rejectf(errType, format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), errType)
}

// ruleField rejects a decision that lacks what the regulation requires of it (a refusal
// without its reasons, 宁夏 第十一条): a business rule naming the field, not malformed input.
func ruleField(field, format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), contract.ErrTypeRuleViolated, contract.RejectionDetails{Field: field})
}

func invalidField(field, format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), contract.ErrTypeInvalid, contract.RejectionDetails{Field: field})
}

// checkOpen is the start of every validator: the right task, an identified actor, not decided.
func (t *humanTask) checkOpen(taskID string, a contract.Actor) error {
	if taskID != t.st.Spec.TaskID {
		return rejectf(contract.ErrTypeNotFound, "task %s is not open in this workflow", taskID)
	}
	if strings.TrimSpace(a.Subject) == "" {
		return invalidField("actor.subject", "the actor has no subject")
	}
	if t.st.Status != TaskStatusOpen {
		return rejectf(contract.ErrTypeConflict, "task %s is already decided", taskID)
	}
	return nil
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }
