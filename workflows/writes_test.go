package workflows

import (
	"context"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/workflows/contract"
)

// TestOpenedAnswersWithTheFirstStepInTheReadModel: the create's opened update, sent with the
// start, answers with the reply open and its deadline — and only once the reply task, the
// request and both timeline events are written. Those writes and the computations before them
// take one ApplyWrites local activity and no activity at all: nothing goes through the
// server's task queue.
func (s *shareSuite) TestOpenedAnswersWithTheFirstStepInTheReadModel() {
	s.setup("ningxia")
	var started, local []string
	s.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		s.mu.Lock()
		defer s.mu.Unlock()
		started = append(started, info.ActivityType.Name)
	})
	s.env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, _ []any) {
		s.mu.Lock()
		defer s.mu.Unlock()
		local = append(local, info.ActivityType.Name)
	})
	var opened contract.ShareRequestState
	var writtenWhenOpened, tasksWhenOpened int
	var activitiesWhenOpened []string
	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflow(contract.UpdateOpened, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { s.Fail("opened rejected", err.Error()) },
			OnComplete: func(v any, err error) {
				s.Require().NoError(err)
				opened = v.(contract.ShareRequestState)
				s.mu.Lock()
				defer s.mu.Unlock()
				writtenWhenOpened, tasksWhenOpened = len(s.requests)+len(s.events), len(s.tasks)
				activitiesWhenOpened = append([]string(nil), local...)
			},
		})
	}, 0)
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateWithdraw, contract.WithdrawUpdate{Actor: applicantAct, Reason: "no longer needed"}, "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))
	s.result()

	s.Equal(contract.StepReply, opened.CurrentStep)
	s.Require().NotNil(opened.DueAt, "the answer carries the deadline")
	s.True(opened.DueAt.Equal(cst("2026-03-04T23:59:59+08:00")), "due %s", opened.DueAt)
	s.Equal(1, tasksWhenOpened, "the reply task is in the read model when the create answers")
	s.GreaterOrEqual(writtenWhenOpened, 4, "request projected twice and two timeline events")
	s.Equal([]string{"DescribeProcedure", "ComputeDeadline", "ApplyWrites"}, activitiesWhenOpened,
		"the description, the deadline and one batch of writes before the first step is open")
	s.Empty(started, "no activity through the task queue")
}

// TestWritesOfOneTransitionLeaveTogether: a decision's writes (the task completed, its
// timeline, the grant, the request granted) leave in as few batches as the workflow has
// turns, each write once and in order.
func (s *shareSuite) TestWritesOfOneTransitionLeaveTogether() {
	s.setup("ningxia")
	var batches [][]activities.Write
	s.env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, args []any) {
		if in, ok := args[0].(activities.ApplyWritesInput); ok && info.ActivityType.Name == "ApplyWrites" {
			s.mu.Lock()
			defer s.mu.Unlock()
			batches = append(batches, in.Writes)
		}
	})
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionApprove, approver, grantTerms(30)), "")
	})
	s.at("2026-02-14T10:00:00+08:00", func() {
		s.send(contract.UpdateRevokeGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "misuse"}, "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))
	s.result()

	writes := 0
	for _, b := range batches {
		writes += len(b)
	}
	s.Equal(len(s.tasks)+len(s.events)+len(s.requests)+len(s.grants), writes, "each write applied once")
	s.Less(len(batches), writes/2, "writes leave in batches, not one by one")
	s.Equal(activities.GrantRevoked, s.lastGrant().Status)
}
