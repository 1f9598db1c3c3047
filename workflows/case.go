package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/workflows/contract"
)

// caseKind says what a procedure's case is: its procedure in the profiles, what error
// messages call it, and the suffix of its own timeline's task id (events of the case itself,
// not of one of its tasks).
type caseKind struct {
	procedure string // policy.Proc*
	noun      string // "share request", "correction", …
	timeline  string // "request": the case's events go to task "<workflow id>/request"
}

// caseRunner is the part of a procedure's runner that is the same for every procedure: the
// read-model writer, the procedure's description, the case's own timeline, its task ids and
// its search attributes. A runner embeds it and binds it to its state with bind.
type caseRunner struct {
	kind caseKind
	// writes is the read-model writer, nil in executions from before it.
	writes     *writes
	workflowID string
	// id is the case's id (request, correction, notice …), cs its state.
	id   string
	cs   *contract.CaseState
	proc activities.DescribeProcedureResult
	acts *activities.Activities // method references only
	sa   searchAttrs
	// projectCase writes the case's row; changed calls it after recording an event.
	projectCase func(workflow.Context) error
}

// procedure is a procedure's runner as runCase drives it: it embeds caseRunner and has a
// state S that embeds contract.CaseState.
type procedure[S any] interface {
	runner() *caseRunner
	state() S
	project(workflow.Context) error
	run(workflow.Context) (S, error)
}

// setupper is a runner with handlers of its own to register before it runs (its actions).
type setupper interface{ setup(workflow.Context) error }

// runCase runs a procedure's case from its start: it binds the runner to the workflow and to
// cs, the case state within the procedure's state, registers the query that returns the
// state and the update that answers a create once the first step is open, then the runner's
// own handlers, and runs it, its writes flushed before the workflow returns.
func runCase[S any](ctx workflow.Context, p procedure[S], kind caseKind, id string, cs *contract.CaseState, query string) (S, error) {
	ctx, w := beginWrites(ctx)
	c := p.runner()
	c.kind, c.writes, c.id, c.cs, c.projectCase = kind, w, id, cs, p.project
	c.workflowID = workflow.GetInfo(ctx).WorkflowExecution.ID
	var zero S
	if err := workflow.SetQueryHandler(ctx, query, func() (S, error) { return p.state(), nil }); err != nil {
		return zero, fmt.Errorf("register query %s: %w", query, err)
	}
	if err := registerOpened(ctx, w, p.state); err != nil {
		return zero, err
	}
	if s, ok := p.(setupper); ok {
		if err := s.setup(ctx); err != nil {
			return zero, err
		}
	}
	st, err := p.run(ctx)
	return st, w.finish(ctx, err)
}

// runner is the embedded runner itself, for runCase.
func (c *caseRunner) runner() *caseRunner { return c }

// describe learns the profile's procedure: its steps, deadlines and articles, recorded in
// history so that routing stays deterministic when the profile file changes. A profile
// without the procedure ends the case: the API refuses to start one, so only a profile
// changed under a running case gets here.
func (c *caseRunner) describe(ctx workflow.Context) error {
	err := c.writes.local(ctx, c.acts.DescribeProcedure, "DescribeProcedure",
		activities.DescribeProcedureInput{Procedure: c.kind.procedure}, &c.proc)
	if err != nil {
		return fmt.Errorf("describe procedure %s: %w", c.kind.procedure, err)
	}
	if !c.proc.Applies {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("profile %s has no %s procedure",
			c.proc.Jurisdiction, c.kind.procedure), contract.ErrTypeInvalid, nil)
	}
	c.cs.Jurisdiction = c.proc.Jurisdiction
	return nil
}

// caseTaskID is the timeline's task id for events of the case itself.
func (c *caseRunner) caseTaskID() string { return c.workflowID + "/" + c.kind.timeline }

// nextTaskID counts one more task of the step and returns its id.
func (c *caseRunner) nextTaskID(step string) string {
	if c.cs.Tasks == nil {
		c.cs.Tasks = map[string]int{}
	}
	c.cs.Tasks[step]++
	return contract.HumanTaskID(c.workflowID, step, c.cs.Tasks[step])
}

// record appends one event of the case itself to its timeline.
func (c *caseRunner) record(ctx workflow.Context, kind string, actor contract.Actor, text string, data map[string]any) error {
	c.cs.Seq++
	in := activities.AppendTimelineInput{
		EventID: fmt.Sprintf("%s#%d", c.caseTaskID(), c.cs.Seq), Seq: c.cs.Seq, TaskID: c.caseTaskID(),
		WorkflowID: c.workflowID, RequestID: c.id, Procedure: c.kind.procedure, Step: c.cs.CurrentStep,
		Kind: kind, At: workflow.Now(ctx), Actor: actor.Subject, DepartmentID: actor.DepartmentID, Text: text, Data: data,
	}
	if err := c.writes.write(ctx, activities.Write{Timeline: &in}, c.acts.AppendTimeline, in); err != nil {
		return fmt.Errorf("append %s to the timeline of %s %s: %w", kind, c.kind.noun, c.id, err)
	}
	return nil
}

// changed records an event and projects the case, in that order (see humanTask.changed).
func (c *caseRunner) changed(ctx workflow.Context, kind string, actor contract.Actor, text string, data map[string]any) error {
	if err := c.record(ctx, kind, actor, text, data); err != nil {
		return err
	}
	return c.projectCase(ctx)
}

// nextRevision brings the search attributes up to date and numbers the projection about to
// be written: applicant and provider are the departments administrators filter the case by
// (empty: not set, as for a citizen, who has no department).
func (c *caseRunner) nextRevision(ctx workflow.Context, applicantDept, providerDept string) (int, error) {
	err := c.sa.upsert(ctx, procedureAttrs{Procedure: c.kind.procedure, Jurisdiction: c.cs.Jurisdiction,
		ApplicantDept: applicantDept, ProviderDept: providerDept, Status: c.cs.Status, DueAt: c.cs.DueAt})
	if err != nil {
		return 0, err
	}
	c.cs.Revision++
	return c.cs.Revision, nil
}

// end ends the case with status at now: no task is open any more and nothing is due.
func (c *caseRunner) end(ctx workflow.Context, status string) {
	now := workflow.Now(ctx)
	c.cs.Status, c.cs.Final, c.cs.ClosedAt, c.cs.CurrentStep, c.cs.DueAt = status, true, &now, "", nil
}
