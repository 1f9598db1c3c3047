package workflows

import (
	"slices"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/workflows/contract"
)

// disputeToCoordination refuses the request, asks for negotiation and fails it, so the
// authority's coordination task is open from 26 Feb 2026.
func (s *shareSuite) disputeToCoordination(day func(string) string) {
	s.at(day("02-13"), func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRefuse, approver, refusal), "")
	})
	s.at(day("02-16"), func() {
		s.send(contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: applicantAct}, "")
	})
	s.at(day("02-24"), func() {
		s.send(contract.UpdateComplete, decide(contract.StepNegotiate, contract.DecisionFail, approver, map[string]any{"reason": "no agreement"}), "")
	})
}

func day2026(md string) string { return "2026-" + md + "T10:00:00+08:00" }

// 政务数据共享条例 第二十八条第二款: a dispute the same-level authority's coordination does not
// settle goes to the government of its level, which decides. The coordination refers it; the
// authority records the government's decision with its reference (文号), with no deadline (the
// text sets none), and a grant follows from it — the government's decision, not the product's
// rule of a final coordination.
func (s *shareSuite) TestCoordinationRefersTheDisputeToTheGovernment() {
	s.setup("ningxia")
	s.disputeToCoordination(day2026)
	gov := contract.HumanTaskID(shareWorkflowID, contract.StepGovernment, 1)
	s.at(day2026("02-26"), func() {
		coord := s.lastTask(taskID(contract.StepCoordinate))
		s.Equal([]string{contract.DecisionGrant, contract.DecisionUpholdRefusal, contract.DecisionReferToGovernment}, decisionCodes(coord))
		s.send(contract.UpdateComplete, decide(contract.StepCoordinate, contract.DecisionReferToGovernment, approver, map[string]any{"reason": "x"}), contract.ErrTypeForbidden)
		s.send(contract.UpdateComplete, decide(contract.StepCoordinate, contract.DecisionReferToGovernment, authorityAct, map[string]any{}), contract.ErrTypeRuleViolated)
		s.send(contract.UpdateComplete, decide(contract.StepCoordinate, contract.DecisionReferToGovernment, authorityAct,
			map[string]any{"reason": "双方经协调仍未达成一致"}), "")
	})
	s.at(day2026("02-27"), func() {
		task := s.lastTask(gov)
		s.Equal(activities.TaskOpen, task.Status)
		s.Equal(authority, task.CandidateDepartmentID)
		s.Nil(task.DueAt, "the 条例 sets the government no time")
		s.Equal([]string{"《政务数据共享条例》第二十八条第二款"}, task.LegalBasis)
		s.Equal([]string{contract.DecisionGrant, contract.DecisionUpholdRefusal}, decisionCodes(task))
		s.Equal(contract.ShareStatusCoordinating, s.lastRequest().Status)
		s.Equal(contract.StepGovernment, s.lastRequest().CurrentStep)
		// The government's decision is recorded by its reference: required, one line.
		s.send(contract.UpdateComplete, decide(contract.StepGovernment, contract.DecisionGrant, authorityAct, grantTerms(90)), contract.ErrTypeRuleViolated)
		bad := grantTerms(90)
		bad[contract.FieldDecisionDocument] = "某府函\n〔2026〕12号"
		s.send(contract.UpdateComplete, decide(contract.StepGovernment, contract.DecisionGrant, authorityAct, bad), contract.ErrTypeInvalid)
		ok := grantTerms(90)
		ok[contract.FieldDecisionDocument] = "某府函〔2026〕12号"
		s.send(contract.UpdateComplete, decide(contract.StepGovernment, contract.DecisionGrant, authorityAct, ok), "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Require().NotNil(st.Grant)
	s.Equal(contract.StepGovernment+"/"+contract.DecisionGrant, st.Grant.Basis)
	events := s.requestEvents()
	i, j := slices.Index(events, activities.EventReferredToGovernment), slices.Index(events, activities.EventGovernmentDecided)
	s.True(i > 0 && j > i, "events %v", events)
	for _, e := range s.events {
		if e.Kind == activities.EventGovernmentDecided {
			s.Equal("某府函〔2026〕12号", e.Data[contract.FieldDecisionDocument])
			s.Equal(contract.DecisionGrant, e.Data["decision"])
		}
	}
	s.Equal([]string{contract.ShareStatusPending, contract.ShareStatusRefused, contract.ShareStatusNegotiating, contract.ShareStatusCoordinating,
		contract.ShareStatusGranted, contract.ShareStatusExpired}, s.statuses())
}

// The government upholds the refusal: the request is rejected by its decision, which the
// timeline does not attribute to the product's rule of a final coordination.
func (s *shareSuite) TestGovernmentUpholdsTheRefusal() {
	s.setup("ningxia")
	s.disputeToCoordination(day2026)
	s.at(day2026("02-26"), func() {
		s.send(contract.UpdateComplete, decide(contract.StepCoordinate, contract.DecisionReferToGovernment, authorityAct,
			map[string]any{"reason": "双方经协调仍未达成一致"}), "")
	})
	s.at(day2026("03-10"), func() {
		s.send(contract.UpdateComplete, decide(contract.StepGovernment, contract.DecisionUpholdRefusal, authorityAct,
			map[string]any{"reason": "涉及个人隐私", contract.FieldDecisionDocument: "某府函〔2026〕15号"}), "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(contract.ShareStatusRejected, st.Status)
	s.Nil(st.Grant)
	last := s.lastRequestEvent()
	s.Equal(activities.EventRefusalFinal, last.Kind)
	s.Nil(last.Data["product_rule"], "the government decides by the 条例, not by a rule of the product")
}

// A request received before 2025-08-01 keeps the regional rules: its coordination offers no
// referral and stays final; asking for one is refused, naming the decision and the article.
func (s *shareSuite) TestNoReferralBeforeTheRegulation() {
	s.setup("ningxia")
	start := cst("2025-07-21T10:00:00+08:00")
	s.env.SetStartTime(start)
	in := shareInput(contract.ShareConditional)
	in.ReceivedAt = start
	at := func(when string, fn func()) { s.env.RegisterDelayedCallback(fn, cst(when).Sub(start)) }
	at("2025-07-22T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRefuse, approver, refusal), "")
	})
	at("2025-07-23T10:00:00+08:00", func() {
		s.send(contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: applicantAct}, "")
	})
	at("2025-07-24T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepNegotiate, contract.DecisionFail, approver, map[string]any{"reason": "no agreement"}), "")
	})
	at("2025-08-04T10:00:00+08:00", func() {
		s.Equal([]string{contract.DecisionGrant, contract.DecisionUpholdRefusal}, decisionCodes(s.lastTask(taskID(contract.StepCoordinate))))
		s.send(contract.UpdateComplete, decide(contract.StepCoordinate, contract.DecisionReferToGovernment, authorityAct,
			map[string]any{"reason": "x"}), contract.ErrTypeRuleViolated)
		s.send(contract.UpdateComplete, decide(contract.StepCoordinate, contract.DecisionUpholdRefusal, authorityAct,
			map[string]any{"reason": "personal data"}), "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, in)

	s.Equal(contract.ShareStatusRejected, s.result().Status)
	s.NotContains(s.requestEvents(), activities.EventReferredToGovernment)
}
