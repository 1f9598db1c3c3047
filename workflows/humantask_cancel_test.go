package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// cancelledTaskWorkflow runs one human task on a context that the "stop" signal cancels, as a
// withdrawn request does.
func cancelledTaskWorkflow(ctx workflow.Context, spec TaskSpec) (string, error) {
	taskCtx, cancel := workflow.WithCancel(ctx)
	workflow.Go(ctx, func(ctx workflow.Context) {
		workflow.GetSignalChannel(ctx, "stop").Receive(ctx, nil)
		cancel()
	})
	out, err := RunHumanTask(taskCtx, spec)
	if temporal.IsCanceledError(err) {
		return "closed", nil
	}
	return out.Decision, err
}

// Cancelled after it became overdue: the task and its supervision task are projected closed,
// the closing is recorded, later actions are conflicts, and RunHumanTask returns a canceled
// error instead of waiting on.
func (s *humanTaskSuite) TestCancelClosesTask() {
	s.setup("ningxia")
	s.env.RegisterWorkflow(cancelledTaskWorkflow)
	s.at("2026-03-06T10:00:00+08:00", func() { s.env.SignalWorkflow("stop", nil) })
	s.at("2026-03-06T11:00:00+08:00", func() {
		s.send(contract.UpdateComplete, s.approve(approver), contract.ErrTypeConflict, "")
	})
	s.env.ExecuteWorkflow(cancelledTaskWorkflow, s.spec(policy.ProcShare))

	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var res string
	s.Require().NoError(s.env.GetWorkflowResult(&res))
	s.Equal("closed", res)
	s.Equal(s.sent, s.answered)
	s.requireTimes(activities.EventTaskClosed, "2026-03-06T10:00:00+08:00")
	s.Equal(activities.TaskClosed, s.lastStepProjection().Status)
	var sup []activities.ProjectTaskInput
	for _, p := range s.projects {
		if p.Kind == activities.TaskKindSupervision {
			sup = append(sup, p)
		}
	}
	s.Require().NotEmpty(sup)
	s.Equal(activities.TaskClosed, sup[len(sup)-1].Status)
}
