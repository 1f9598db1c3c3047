package workflows

import (
	"slices"
	"time"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// atFrom runs fn at when, for a workflow started at start (not the suite's receivedAt).
func (s *shareSuite) atFrom(start time.Time, when string, fn func()) {
	s.env.RegisterDelayedCallback(fn, cst(when).Sub(start))
}

// decideN is decide on the step's n-th task.
func decideN(step string, n int, decision string, actor contract.Actor, fields map[string]any) contract.CompleteUpdate {
	return contract.CompleteUpdate{TaskID: contract.HumanTaskID(shareWorkflowID, step, n), Actor: actor, Decision: decision, Fields: fields}
}

func decisionCodes(t activities.ProjectTaskInput) []string {
	var out []string
	for _, d := range t.Decisions {
		out = append(out, d.Code)
	}
	return out
}

var missingItems = []any{"营业执照副本（加盖公章）", "数据安全保障承诺书"}

// The supplement notice of 政务数据共享条例 第二十一条第二款, across the Mid-Autumn and National
// Day holidays of 2026 (internal/calendar: 25–27 Sep and 1–7 Oct off, Sunday 20 Sep and
// Saturday 10 Oct worked). Received on Tuesday 15 Sep, the reply is due in 10 working days
// counted from the day after: 16, 17, 18 (1–3), Sunday 20 (4), 21–24 (5–8), 28, 29 (9, 10) —
// the end of Tuesday 29 Sep. On 16 Sep the provider tells the applicant at once of two missing
// items; the applicant supplements on Wednesday 23 Sep. The local default restarts the reply's
// 10 working days from that receipt: 24 (1), 28–30 (2–4), 8, 9 (5, 6), Saturday 10 (7), 12–14
// (8–10) — the end of Wednesday 14 Oct. A second notice is refused (409); the provider
// approves on the supplemented material.
func (s *shareSuite) TestSupplementNoticeRestartsReplyAcrossNationalDay() {
	s.setup("ningxia")
	start := cst("2026-09-15T10:00:00+08:00")
	s.env.SetStartTime(start)
	in := shareInput(contract.ShareConditional)
	in.ReceivedAt = start
	reply2 := contract.HumanTaskID(shareWorkflowID, contract.StepReply, 2)

	s.atFrom(start, "2026-09-16T10:00:00+08:00", func() {
		req := s.lastRequest()
		if s.NotNil(req.DueAt) {
			s.True(req.DueAt.Equal(cst("2026-09-29T23:59:59+08:00")), "first reply due %s", req.DueAt)
		}
		s.Contains(decisionCodes(s.lastTask(taskID(contract.StepReply))), contract.DecisionRequestSupplement)
		notice := func(missing any) contract.CompleteUpdate {
			return decide(contract.StepReply, contract.DecisionRequestSupplement, approver, map[string]any{contract.FieldMissing: missing})
		}
		s.send(contract.UpdateComplete, notice(nil), contract.ErrTypeRuleViolated)
		s.send(contract.UpdateComplete, notice([]any{}), contract.ErrTypeRuleViolated)
		s.send(contract.UpdateComplete, notice("营业执照"), contract.ErrTypeInvalid)
		s.send(contract.UpdateComplete, notice([]any{"营业执照\n副本"}), contract.ErrTypeInvalid)
		s.send(contract.UpdateComplete, notice([]any{"营业执照", "营业执照"}), contract.ErrTypeInvalid)
		s.send(contract.UpdateComplete, notice(missingItems), "")
	})
	s.atFrom(start, "2026-09-16T11:00:00+08:00", func() {
		req := s.lastRequest()
		s.Equal(contract.ShareStatusPending, req.Status)
		s.Equal(contract.StepSupplement, req.CurrentStep)
		s.Nil(req.DueAt, "the applicant's supplement has no deadline")
		task := s.lastTask(taskID(contract.StepSupplement))
		s.Equal(activities.TaskOpen, task.Status)
		s.Equal(applicant, task.CandidateDepartmentID)
		s.Equal(policy.RoleApplicant, task.CandidateRole)
		s.Nil(task.DueAt)
		supplement := func(actor contract.Actor, fields map[string]any) contract.CompleteUpdate {
			return decide(contract.StepSupplement, contract.DecisionSupplemented, actor, fields)
		}
		s.send(contract.UpdateComplete, supplement(approver, map[string]any{contract.FieldSupplement: "x"}), contract.ErrTypeForbidden)
		s.send(contract.UpdateComplete, supplement(applicantAct, map[string]any{}), contract.ErrTypeRuleViolated)
	})
	s.atFrom(start, "2026-09-23T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepSupplement, contract.DecisionSupplemented, applicantAct,
			map[string]any{contract.FieldSupplement: "已补充营业执照副本及数据安全保障承诺书（附件2份）"}), "")
	})
	s.atFrom(start, "2026-09-23T11:00:00+08:00", func() {
		req := s.lastRequest()
		s.Equal(contract.StepReply, req.CurrentStep)
		if s.NotNil(req.DueAt) {
			s.True(req.DueAt.Equal(cst("2026-10-14T23:59:59+08:00")), "restarted reply due %s", req.DueAt)
		}
		task := s.lastTask(reply2)
		s.Equal(activities.TaskOpen, task.Status)
		s.True(task.ReceivedAt.Equal(cst("2026-09-23T10:00:00+08:00")), "counted from the supplement: %s", task.ReceivedAt)
		if s.NotNil(task.DueAt) {
			s.True(task.DueAt.Equal(cst("2026-10-14T23:59:59+08:00")), "restarted reply due %s", task.DueAt)
		}
		s.NotContains(decisionCodes(task), contract.DecisionRequestSupplement, "one notice per request")
		s.send(contract.UpdateComplete, decideN(contract.StepReply, 2, contract.DecisionRequestSupplement, approver,
			map[string]any{contract.FieldMissing: []any{"法定代表人身份证明"}}), contract.ErrTypeConflict)
	})
	s.atFrom(start, "2026-10-12T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decideN(contract.StepReply, 2, contract.DecisionApprove, approver, grantTerms(30)), "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, in)

	st := s.result()
	s.Equal(contract.ShareStatusExpired, st.Status)
	s.Equal([]string{activities.EventSubmitted, activities.EventSupplementRequested, activities.EventSupplemented,
		activities.EventGranted, activities.EventGrantExpired}, s.requestEvents())
	for _, e := range s.events {
		switch e.Kind {
		case activities.EventSupplementRequested:
			s.Equal(missingItems, e.Data[contract.FieldMissing])
			s.Equal(approver.Subject, e.Actor)
			s.Equal([]any{"《政务数据共享条例》第二十一条第二款"}, e.Data["legal_basis"])
		case activities.EventSupplemented:
			s.Equal(applicantAct.Subject, e.Actor)
			s.Equal(policy.ClockRestart, e.Data["reply_clock"])
			s.Equal(true, e.Data["local_default"], "the restart is local practice")
			s.NotEmpty(e.Data["local_practice"])
			s.Contains(e.Text, "营业执照")
		}
	}
	s.Require().Len(st.Decisions, 3, "the delivery was left undone")
	s.Equal([]string{contract.DecisionRequestSupplement, contract.DecisionSupplemented, contract.DecisionApprove},
		[]string{st.Decisions[0].Decision, st.Decisions[1].Decision, st.Decisions[2].Decision})
}

// The applicant may withdraw instead of supplementing: the supplement task closes and the
// request ends withdrawn.
func (s *shareSuite) TestWithdrawInsteadOfSupplement() {
	s.setup("ningxia")
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRequestSupplement, approver,
			map[string]any{contract.FieldMissing: missingItems}), "")
	})
	s.at("2026-02-24T10:00:00+08:00", func() {
		s.send(contract.UpdateWithdraw, contract.WithdrawUpdate{Actor: applicantAct, Reason: "material not available"}, "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(contract.ShareStatusWithdrawn, st.Status)
	s.Equal(activities.TaskClosed, s.lastTask(taskID(contract.StepSupplement)).Status)
	s.False(slices.ContainsFunc(s.tasks, func(t activities.ProjectTaskInput) bool {
		return t.TaskID == contract.HumanTaskID(shareWorkflowID, contract.StepReply, 2)
	}), "no reply after a withdrawal")
}

// A request received before the 条例 took effect (2025-08-01) has no supplement notice: the
// reply lists approve and refuse, and a notice is refused as a rule of the 条例 that does not
// apply (422).
func (s *shareSuite) TestNoSupplementNoticeBeforeTheRegulation() {
	s.setup("ningxia")
	before := cst("2025-07-30T10:00:00+08:00")
	s.env.SetStartTime(before)
	in := shareInput(contract.ShareConditional)
	in.ReceivedAt = before
	s.env.RegisterDelayedCallback(func() {
		s.Equal([]string{contract.DecisionApprove, contract.DecisionRefuse}, decisionCodes(s.lastTask(taskID(contract.StepReply))))
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRequestSupplement, approver,
			map[string]any{contract.FieldMissing: missingItems}), contract.ErrTypeRuleViolated)
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRefuse, approver, refusal), "")
	}, 24*time.Hour)
	s.env.ExecuteWorkflow(ShareRequestWorkflow, in)
	s.result()
	s.NotContains(s.requestEvents(), activities.EventSupplementRequested)
	for _, t := range s.tasks {
		s.NotEqual(taskID(contract.StepSupplement), t.TaskID, "no supplement task before 2025-08-01")
	}
}
