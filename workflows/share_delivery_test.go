package workflows

import (
	"time"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// The delivery of 政务数据共享条例 第二十二条第一款: approved on Friday 13 Feb 2026, the
// provider shares the data within 20 working days of the consent. Counted from the day after,
// across the Spring Festival (15–23 Feb off, Saturdays 14 and 28 Feb worked): 14 Feb (1),
// 24–27 Feb (2–5), 28 Feb (6), 2–6 Mar (7–11), 9–13 Mar (12–16), 16–19 Mar (17–20): due at the
// end of Thursday 19 March. Only the provider's approver delivers, with a method of the
// 第二款; left undone it goes to the authority's supervision on 20 March, and is delivered on
// 23 March. The request stays granted throughout.
func (s *shareSuite) TestApprovalOpensDeliveryForProvider() {
	s.setup("ningxia")
	deliver := func(actor contract.Actor, fields map[string]any) contract.CompleteUpdate {
		return decide(contract.StepDeliver, contract.DecisionDelivered, actor, fields)
	}
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionApprove, approver, grantTerms(365)), "")
	})
	s.at("2026-02-13T11:00:00+08:00", func() {
		req := s.lastRequest()
		s.Equal(contract.ShareStatusGranted, req.Status, "the request stays granted while the data is delivered")
		s.Equal(contract.StepDeliver, req.CurrentStep)
		if s.NotNil(req.DueAt) {
			s.True(req.DueAt.Equal(cst("2026-03-19T23:59:59+08:00")), "due %s", req.DueAt)
		}
		task := s.lastTask(taskID(contract.StepDeliver))
		s.Equal(activities.TaskOpen, task.Status)
		s.Equal(provider, task.CandidateDepartmentID)
		s.Equal(policy.RoleApprover, task.CandidateRole)
		s.True(task.ReceivedAt.Equal(cst("2026-02-13T10:00:00+08:00")), "received at the consent: %s", task.ReceivedAt)
		s.send(contract.UpdateComplete, deliver(applicantAct, map[string]any{"method": "batch"}), contract.ErrTypeForbidden)
		s.send(contract.UpdateComplete, deliver(approver, map[string]any{"reference": "x"}), contract.ErrTypeRuleViolated)
		s.send(contract.UpdateComplete, deliver(approver, map[string]any{"method": "fax"}), contract.ErrTypeInvalid)
	})
	s.at("2026-03-20T10:00:00+08:00", func() {
		sup := s.lastTask(supervisionTaskID(taskID(contract.StepDeliver)))
		s.Equal(activities.TaskOpen, sup.Status, "overdue: the authority supervises")
		s.Equal(authority, sup.CandidateDepartmentID)
		s.Equal(policy.RoleAuthority, sup.CandidateRole)
		s.send(contract.UpdateComplete, deliver(approver, map[string]any{"method": "batch", "reference": "BX-2026-031"}), "")
	})
	s.at("2026-03-20T11:00:00+08:00", func() {
		req := s.lastRequest()
		s.Equal(contract.ShareStatusGranted, req.Status)
		s.Empty(req.CurrentStep)
		s.Nil(req.DueAt)
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(contract.ShareStatusExpired, st.Status)
	s.Equal(activities.TaskCompleted, s.lastTask(taskID(contract.StepDeliver)).Status)
	s.Equal(activities.TaskClosed, s.lastTask(supervisionTaskID(taskID(contract.StepDeliver))).Status)
	s.Equal([]string{activities.EventSubmitted, activities.EventGranted, activities.EventDataDelivered,
		activities.EventGrantExpired}, s.requestEvents())
	for _, e := range s.events {
		if e.Kind == activities.EventDataDelivered {
			s.Equal("batch", e.Data["method"])
			s.Equal("BX-2026-031", e.Data["reference"])
			s.Equal(approver.Subject, e.Actor)
		}
	}
	s.Require().Len(st.Decisions, 2)
	s.Equal(contract.DecisionDelivered, st.Decisions[1].Decision)
}

// A grant revoked while its delivery is pending closes the delivery task; the request ends
// revoked with nothing due.
func (s *shareSuite) TestRevokeClosesPendingDelivery() {
	s.setup("ningxia")
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionApprove, approver, grantTerms(365)), "")
	})
	s.at("2026-02-27T10:00:00+08:00", func() {
		s.send(contract.UpdateSuspendGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "used beyond scope"}, "")
	})
	s.at("2026-03-02T10:00:00+08:00", func() {
		s.Equal(contract.StepDeliver, s.lastRequest().CurrentStep, "a suspension leaves the delivery open")
		s.Equal(activities.TaskOpen, s.lastTask(taskID(contract.StepDeliver)).Status)
		s.send(contract.UpdateRevokeGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "security risk"}, "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(contract.ShareStatusRevoked, st.Status)
	s.Equal(activities.TaskClosed, s.lastTask(taskID(contract.StepDeliver)).Status)
	last := s.lastRequest()
	s.Equal(contract.ShareStatusRevoked, last.Status)
	s.Empty(last.CurrentStep)
	s.Nil(last.DueAt)
	s.NotContains(s.requestEvents(), activities.EventDataDelivered)
	s.True(s.env.Now().Before(cst("2026-03-03T00:00:00+08:00")), "ended at %s", s.env.Now())
}

// A request received before the 条例 took effect (2025-08-01) is approved without a delivery
// task, as before; so is an unconditional resource, which nobody consents to.
func (s *shareSuite) TestNoDeliveryBeforeTheRegulationOrWithoutConsent() {
	s.setup("ningxia")
	before := cst("2025-07-30T10:00:00+08:00")
	s.env.SetStartTime(before)
	in := shareInput(contract.ShareConditional)
	in.ReceivedAt = before
	s.env.RegisterDelayedCallback(func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionApprove, approver, grantTerms(30)), "")
	}, 24*time.Hour)
	s.env.ExecuteWorkflow(ShareRequestWorkflow, in)
	st := s.result()
	s.Equal(contract.ShareStatusExpired, st.Status)
	for _, t := range s.tasks {
		s.NotEqual(taskID(contract.StepDeliver), t.TaskID, "no delivery task before 2025-08-01")
	}

	s.setup("ningxia")
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareUnconditional))
	st = s.result()
	s.Equal(contract.ShareStatusExpired, st.Status)
	s.Empty(s.tasks, "no task for unconditional data")
}
