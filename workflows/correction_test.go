package workflows

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

const (
	correctionID = "DC-1"
	techService  = "dept-tech"
	producer     = "dept-producer"
)

var (
	correctionWorkflowID = contract.CorrectionWorkflowID(correctionID)
	techAct              = contract.Actor{Subject: "tina", DepartmentID: techService, Roles: []string{policy.RoleTechService}}
	// producerAct works in the department that produces the data, which is not the resource's
	// providing department: the technical service unit finds it (内乡 第六十五条).
	producerAct = contract.Actor{Subject: "paul", DepartmentID: producer, Roles: []string{policy.RoleApprover}}
)

type correctionSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env      *testsuite.TestWorkflowEnvironment
	mu       sync.Mutex
	sent     int
	answered int
	events   []activities.AppendTimelineInput
	tasks    []activities.ProjectTaskInput
	rows     []activities.ProjectCorrectionInput
	sa       []saChange
	provSA   []string
	memo     map[string]any
}

func TestCorrection(t *testing.T) { suite.Run(t, new(correctionSuite)) }

// setup runs the real deadline and procedure activities under the profile with the embedded
// 2026 calendar and records the database writes, which are mocked.
func (s *correctionSuite) setup(profile string) {
	cal, err := calendar.New(calendar.Options{})
	s.Require().NoError(err)
	p, err := policy.Select(profile, "", policy.LocalDefaults{})
	s.Require().NoError(err)
	s.events, s.tasks, s.rows, s.sa, s.provSA, s.memo = nil, nil, nil, nil, nil, nil
	s.sent, s.answered = 0, 0

	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetStartTime(receivedAt)
	s.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: correctionWorkflowID})
	s.env.RegisterWorkflow(CorrectionWorkflow)
	acts := &activities.Activities{Calendars: &switchableCalendar{cal: cal}, Policy: p}
	corrActs := &activities.CorrectionActivities{}
	s.env.RegisterActivity(acts)
	s.env.RegisterActivity(corrActs)
	onWrite(s.env, acts.AppendTimeline,
		func(_ context.Context, in activities.AppendTimelineInput) (activities.AppendTimelineResult, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.events = append(s.events, in)
			return activities.AppendTimelineResult{}, nil
		})
	onWrite(s.env, acts.ProjectTask,
		func(_ context.Context, in activities.ProjectTaskInput) (activities.ProjectTaskResult, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.tasks = append(s.tasks, in)
			return activities.ProjectTaskResult{}, nil
		})
	onWrite(s.env, corrActs.ProjectCorrection,
		func(_ context.Context, in activities.ProjectCorrectionInput) (activities.ProjectCorrectionResult, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.rows = append(s.rows, in)
			return activities.ProjectCorrectionResult{}, nil
		})
	// The department table says which ids are producing departments.
	s.env.OnActivity(corrActs.CheckDispatchTarget, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CheckDispatchTargetInput) (activities.CheckDispatchTargetResult, error) {
			if in.DepartmentID == "dept-unknown" {
				return activities.CheckDispatchTargetResult{Reason: "department dept-unknown does not exist"}, nil
			}
			return activities.CheckDispatchTargetResult{Valid: true}, nil
		})
	s.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		attrs := args.Get(0).(temporal.SearchAttributes)
		var c saChange
		c.status, _ = attrs.GetKeyword(contract.StatusKey)
		c.due, _ = attrs.GetTime(contract.DueAtKey)
		s.sa = append(s.sa, c)
		if proc, ok := attrs.GetKeyword(contract.ProcedureKey); ok {
			s.Equal(policy.ProcCorrection, proc)
			reporter, _ := attrs.GetKeyword(contract.ApplicantDeptKey)
			s.Equal(applicant, reporter, "the reporter is the applicant department")
			juris, _ := attrs.GetKeyword(contract.JurisdictionKey)
			s.Equal(profile, juris)
		}
		if prov, ok := attrs.GetKeyword(contract.ProviderDeptKey); ok {
			s.provSA = append(s.provSA, prov)
		}
	}).Return(nil)
	s.env.OnUpsertMemo(mock.Anything).Run(func(args mock.Arguments) {
		s.memo = args.Get(0).(map[string]any)
	}).Return(nil)
}

func correctionInput(tech string) contract.CorrectionInput {
	return contract.CorrectionInput{
		CorrectionID: correctionID,
		Resource: contract.ShareResource{ID: 7, Code: "NX-1", Name: "企业年报信息", ShareType: contract.ShareConditional,
			ProviderDeptID: provider},
		Reporter: contract.ShareApplicant{DepartmentID: applicant, Subject: applicantAct.Subject},
		CorrectionForm: contract.CorrectionForm{Fields: []string{"注册资本"}, Description: "注册资本与营业执照记载不一致",
			Evidence:         contract.CorrectionEvidence{Attachments: []string{"att-license-001"}, Text: "营业执照副本"},
			CitizenObjection: &contract.CitizenObjection{Source: "窗口受理 2026-0042"}},
		ReceivedAt: receivedAt, AuthorityDeptID: authority, TechServiceDeptID: tech,
	}
}

func (s *correctionSuite) at(when string, fn func()) {
	s.env.RegisterDelayedCallback(fn, cst(when).Sub(receivedAt))
}

// send sends an update; errType "" expects success, otherwise a rejection of that type.
func (s *correctionSuite) send(name string, arg any, errType string) {
	s.sent++
	s.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
		OnAccept: func() {
			if errType != "" {
				s.Failf("update accepted", "%s %+v: want a rejection of type %s", name, arg, errType)
			}
		},
		OnReject: func(err error) {
			s.answered++
			if errType == "" {
				s.Failf("update rejected", "%s %+v: %v", name, arg, err)
				return
			}
			var appErr *temporal.ApplicationError
			if s.ErrorAs(err, &appErr) {
				s.Equal(errType, appErr.Type(), appErr.Error())
			}
		},
		OnComplete: func(_ any, err error) {
			s.answered++
			s.NoError(err, "update %s failed after acceptance", name)
		},
	}, arg)
}

func corrTaskID(step string, n int) string {
	return contract.HumanTaskID(correctionWorkflowID, step, n)
}

func (s *correctionSuite) decide(step string, n int, decision string, actor contract.Actor, fields map[string]any, errType string) {
	s.send(contract.UpdateComplete, contract.CompleteUpdate{TaskID: corrTaskID(step, n), Actor: actor, Decision: decision, Fields: fields}, errType)
}

func (s *correctionSuite) result() contract.CorrectionState {
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var st contract.CorrectionState
	s.Require().NoError(s.env.GetWorkflowResult(&st))
	s.Equal(s.sent, s.answered, "every update was answered")
	slices.SortStableFunc(s.rows, func(a, b activities.ProjectCorrectionInput) int { return a.Revision - b.Revision })
	return st
}

// lastTask is the last projection of a task.
func (s *correctionSuite) lastTask(id string) activities.ProjectTaskInput {
	var last activities.ProjectTaskInput
	for _, t := range s.tasks {
		if t.TaskID == id && t.Revision > last.Revision {
			last = t
		}
	}
	s.Require().NotZero(last.Revision, "task %s projected", id)
	return last
}

// caseEvents are the kinds of the correction's own timeline events, in sequence order.
func (s *correctionSuite) caseEvents() []string {
	var own []activities.AppendTimelineInput
	for _, e := range s.events {
		if e.TaskID == correctionWorkflowID+"/correction" {
			own = append(own, e)
		}
	}
	slices.SortFunc(own, func(a, b activities.AppendTimelineInput) int { return a.Seq - b.Seq })
	var out []string
	for _, e := range own {
		out = append(out, e.Kind)
	}
	return out
}

// openRowsUntilClosed checks the "under verification" source: every projection before the last
// has no closed_at, the last has one.
func (s *correctionSuite) openRowsUntilClosed() {
	s.Require().NotEmpty(s.rows)
	for _, r := range s.rows[:len(s.rows)-1] {
		s.Nil(r.ClosedAt, "revision %d (%s) is open", r.Revision, r.Status)
	}
	s.NotNil(s.rows[len(s.rows)-1].ClosedAt, "the last projection closes the correction")
}

func (s *correctionSuite) statuses() []string {
	var out []string
	for _, c := range s.sa {
		if c.status != "" && (len(out) == 0 || out[len(out)-1] != c.status) {
			out = append(out, c.status)
		}
	}
	return out
}

// 辽宁: the provider verifies within 5 WD (第十八条第一款) — received Thursday 12 Feb, day 1 is
// Friday 13, day 2 the make-up Saturday 14, then the Spring Festival (15–23) — so due on
// Thursday 26 Feb. Confirmed on 13 Feb, the correction "in time" (及时) has the local default of
// 10 WD from the decision: 14, 24, 25, 26, 27, 28 (make-up), 2, 3, 4, 5 March. The reporter
// accepts the corrected data and the case closes.
func (s *correctionSuite) TestLiaoningConfirmedCorrectedAccepted() {
	s.setup("liaoning")
	s.at("2026-02-12T11:00:00+08:00", func() {
		verify := s.lastTask(corrTaskID(contract.StepVerify, 1))
		s.Require().NotNil(verify.DueAt)
		s.True(verify.DueAt.Equal(cst("2026-02-26T23:59:59+08:00")), "verify due %s", verify.DueAt)
		s.False(verify.LocalDefault)
		s.Contains(verify.LegalBasis, "《辽宁省政务数据资源共享管理办法》第十八条第一款")
		s.Equal(provider, verify.CandidateDepartmentID)
		row := s.rows[len(s.rows)-1]
		s.Equal(contract.CorrectionStatusVerifying, row.Status)
		form, err := json.Marshal(row.Form)
		s.Require().NoError(err)
		s.JSONEq(`{"fields":["注册资本"],"description":"注册资本与营业执照记载不一致",`+
			`"evidence":{"attachments":["att-license-001"],"text":"营业执照副本"},"citizen_objection":{"source":"窗口受理 2026-0042"}}`,
			string(form), "the form is written whole, with the relayed objection")
		s.Nil(row.ClosedAt)
		// Another department cannot verify the data; a confirmation needs its finding.
		s.decide(contract.StepVerify, 1, contract.DecisionConfirmed, otherDept, map[string]any{"finding": "x"}, contract.ErrTypeForbidden)
		s.decide(contract.StepVerify, 1, contract.DecisionConfirmed, approver, nil, contract.ErrTypeRuleViolated)
	})
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.decide(contract.StepVerify, 1, contract.DecisionConfirmed, approver, map[string]any{"finding": "注册资本录入错误"}, "")
	})
	s.at("2026-02-13T11:00:00+08:00", func() {
		// 辽宁 第十八条第一款 says 及时 (a local default of 10 WD from the decision: 5 March);
		// 政务数据共享条例 第二十六条第二款 holds verification, correction and feedback to 10 WD
		// from the report received Thursday 12 Feb: 13, 14 (make-up Saturday), 24–28 (28 a
		// make-up Saturday), 2, 3, 4 March — the case's limit governs.
		correct := s.lastTask(corrTaskID(contract.StepCorrect, 1))
		s.Require().NotNil(correct.DueAt)
		s.True(correct.DueAt.Equal(cst("2026-03-04T23:59:59+08:00")), "correct due %s", correct.DueAt)
		s.False(correct.LocalDefault, "the 条例's limit over the case is law")
		s.Equal("《政务数据共享条例》第二十六条第二款", correct.LegalBasis[0])
		s.Equal("全案期限：自 2026-02-12 收到申请起10个工作日内办结（《政务数据共享条例》第二十六条第二款），本环节未规定期限，不再适用本地默认期限（10个工作日）",
			correct.LegalBasis[len(correct.LegalBasis)-1])
		s.True(correct.ReceivedAt.Equal(cst("2026-02-13T10:00:00+08:00")), "the task is received at the decision")
		s.Equal(contract.CorrectionStatusCorrecting, s.rows[len(s.rows)-1].Status)
	})
	s.at("2026-02-24T10:00:00+08:00", func() {
		s.decide(contract.StepCorrect, 1, contract.DecisionCorrected, approver, map[string]any{"corrected": "注册资本更正为500万元"}, "")
	})
	s.at("2026-02-24T11:00:00+08:00", func() {
		accept := s.lastTask(corrTaskID(contract.StepAccept, 1))
		s.Equal(applicant, accept.CandidateDepartmentID)
		s.Equal(policy.RoleApplicant, accept.CandidateRole)
		s.True(accept.LocalDefault)
		// Only the reporter answers the result.
		s.decide(contract.StepAccept, 1, contract.DecisionAccept, approver, nil, contract.ErrTypeForbidden)
	})
	s.at("2026-02-25T10:00:00+08:00", func() {
		s.decide(contract.StepAccept, 1, contract.DecisionAccept, applicantAct, nil, "")
	})
	s.env.ExecuteWorkflow(CorrectionWorkflow, correctionInput(""))

	st := s.result()
	s.Equal(contract.CorrectionStatusAccepted, st.Status)
	s.True(st.Final)
	s.Equal("liaoning", st.Jurisdiction)
	s.Equal(contract.CorrectionResultConfirmed, st.Result)
	s.Equal("注册资本更正为500万元", st.ResultText)
	s.Nil(st.Disputed)
	s.Equal([]string{activities.EventCorrectionReported, activities.EventVerified, activities.EventDataCorrected, activities.EventResultAccepted}, s.caseEvents())
	s.Equal([]string{contract.CorrectionStatusVerifying, contract.CorrectionStatusCorrecting, contract.CorrectionStatusAnswered, contract.CorrectionStatusAccepted}, s.statuses())
	s.Equal([]string{provider}, s.provSA)
	s.Equal("企业年报信息 / "+applicant, s.memo[contract.MemoTitle])
	s.openRowsUntilClosed()
	last := s.rows[len(s.rows)-1]
	s.Equal(contract.CorrectionStatusAccepted, last.Status)
	s.Nil(last.DueAt)
	s.Equal("", last.CurrentStep)
}

// 辽宁: the provider finds the data right; the reporter disputes once, and the authority's
// coordination upholds the answer, which is final. A second dispute never reaches a task.
func (s *correctionSuite) TestLiaoningRejectedDisputedUpheld() {
	s.setup("liaoning")
	s.at("2026-02-13T10:00:00+08:00", func() {
		// A rejection needs its reasons.
		s.decide(contract.StepVerify, 1, contract.DecisionRejected, approver, map[string]any{"reason": " "}, contract.ErrTypeRuleViolated)
		s.decide(contract.StepVerify, 1, contract.DecisionRejected, approver, map[string]any{"reason": "与登记档案一致"}, "")
	})
	s.at("2026-02-13T11:00:00+08:00", func() {
		s.decide(contract.StepAccept, 1, contract.DecisionDispute, applicantAct, nil, contract.ErrTypeRuleViolated)
		s.decide(contract.StepAccept, 1, contract.DecisionDispute, applicantAct, map[string]any{"reason": "档案本身有误"}, "")
	})
	s.at("2026-02-13T12:00:00+08:00", func() {
		// Disputed once: the answer task is decided, so a second dispute is refused.
		s.decide(contract.StepAccept, 1, contract.DecisionDispute, applicantAct, map[string]any{"reason": "again"}, contract.ErrTypeNotFound)
		coord := s.lastTask(corrTaskID(contract.StepCoordinate, 1))
		s.Equal(authority, coord.CandidateDepartmentID)
		s.True(coord.LocalDefault)
		s.Equal(contract.CorrectionStatusCoordinating, s.rows[len(s.rows)-1].Status)
		s.True(s.rows[len(s.rows)-1].Disputed)
		s.Nil(s.rows[len(s.rows)-1].ClosedAt, "the resource stays under verification during coordination")
	})
	s.at("2026-02-24T10:00:00+08:00", func() {
		s.decide(contract.StepCoordinate, 1, contract.DecisionUphold, authorityAct, map[string]any{"reason": "以登记机关档案为准"}, "")
	})
	s.env.ExecuteWorkflow(CorrectionWorkflow, correctionInput(""))

	st := s.result()
	s.Equal(contract.CorrectionStatusUpheld, st.Status)
	s.True(st.Final)
	s.Equal(contract.CorrectionResultRejected, st.Result)
	s.Require().NotNil(st.Disputed)
	s.Equal("档案本身有误", st.Disputed.Reason)
	s.Equal(1, st.Tasks[contract.StepAccept], "the result is answered once")
	s.Equal([]string{activities.EventCorrectionReported, activities.EventVerified, activities.EventResultDisputed, activities.EventCoordinated}, s.caseEvents())
	for _, e := range s.events {
		if e.Kind == activities.EventCoordinated {
			s.Equal(policy.ProductRuleCoordinationFinal, e.Data["product_rule"],
				"the timeline says the coordination is final by the product's rule, not by law")
		}
	}
	s.openRowsUntilClosed()
}

// 内乡: the report reaches the technical service unit, which dispatches it to the producing
// department (第六十五条); the producer decides within 5 WD of receiving it and, deciding to
// correct on Friday 13 Feb, must correct within 10 WD counted from that decision: 14 (make-up
// Saturday), 24, 25, 26, 27, 28 (make-up), 2, 3, 4, 5 March — due 5 March, one day later than
// 10 WD from the report would be.
func (s *correctionSuite) TestNeixiangDispatchVerifyCorrect() {
	s.setup("neixiang")
	s.at("2026-02-12T11:00:00+08:00", func() {
		dispatch := s.lastTask(corrTaskID(contract.StepDispatch, 1))
		s.Equal(techService, dispatch.CandidateDepartmentID)
		s.Equal(policy.RoleTechService, dispatch.CandidateRole)
		s.True(dispatch.LocalDefault, "第六十五条 sets no time for the dispatch")
		row := s.rows[len(s.rows)-1]
		s.Equal(contract.CorrectionStatusDispatching, row.Status)
		s.Equal("", row.ProducerDeptID)
		// The producer is not yet known: the approver cannot act; a dispatch names a department.
		s.decide(contract.StepDispatch, 1, contract.DecisionDispatch, approver, map[string]any{"department_id": provider}, contract.ErrTypeForbidden)
		s.decide(contract.StepDispatch, 1, contract.DecisionDispatch, techAct, map[string]any{"department_id": 42}, contract.ErrTypeInvalid)
	})
	s.at("2026-02-12T14:00:00+08:00", func() {
		// An id that is no producing department sends the dispatch back to the unit.
		s.decide(contract.StepDispatch, 1, contract.DecisionDispatch, techAct, map[string]any{"department_id": "dept-unknown"}, "")
	})
	s.at("2026-02-12T14:30:00+08:00", func() {
		again := s.lastTask(corrTaskID(contract.StepDispatch, 2))
		s.Equal(activities.TaskOpen, again.Status)
		s.True(again.ReceivedAt.Equal(receivedAt), "the dispatch is still counted from the report")
		s.Equal("", s.rows[len(s.rows)-1].ProducerDeptID)
	})
	s.at("2026-02-12T15:00:00+08:00", func() {
		s.decide(contract.StepDispatch, 2, contract.DecisionDispatch, techAct, map[string]any{"department_id": producer}, "")
	})
	s.at("2026-02-12T16:00:00+08:00", func() {
		verify := s.lastTask(corrTaskID(contract.StepVerify, 1))
		s.Equal(producer, verify.CandidateDepartmentID)
		// The resource's provider is no longer the one to verify.
		s.decide(contract.StepVerify, 1, contract.DecisionConfirmed, approver, map[string]any{"finding": "x"}, contract.ErrTypeForbidden)
		s.Require().NotNil(verify.DueAt)
		s.True(verify.DueAt.Equal(cst("2026-02-26T23:59:59+08:00")), "verify due %s", verify.DueAt)
		s.Contains(verify.LegalBasis, "《内乡县政务信息资源数据共享管理实施办法》第六十五条")
		s.False(verify.LocalDefault)
	})
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.decide(contract.StepVerify, 1, contract.DecisionConfirmed, producerAct, map[string]any{"finding": "注册资本录入错误"}, "")
	})
	s.at("2026-02-13T11:00:00+08:00", func() {
		// 内乡 第六十五条: 10 WD from the decision on 13 Feb end on 5 March; 政务数据共享条例
		// 第二十六条第二款 counts 10 from the producer's receipt (the dispatch on 12 Feb): 4 March.
		correct := s.lastTask(corrTaskID(contract.StepCorrect, 1))
		s.Require().NotNil(correct.DueAt)
		s.True(correct.DueAt.Equal(cst("2026-03-04T23:59:59+08:00")), "correct due %s", correct.DueAt)
		s.False(correct.LocalDefault)
		s.Equal("《政务数据共享条例》第二十六条第二款", correct.LegalBasis[0])
		s.Contains(correct.LegalBasis, "《内乡县政务信息资源数据共享管理实施办法》第六十五条")
		s.Equal("全案期限：自 2026-02-12 收到申请起10个工作日内办结（《政务数据共享条例》第二十六条第二款），早于本环节期限（《内乡县政务信息资源数据共享管理实施办法》第六十五条，10个工作日），从严适用全案期限",
			correct.LegalBasis[len(correct.LegalBasis)-1])
		row := s.rows[len(s.rows)-1]
		s.Require().NotNil(row.DueAt)
		s.True(row.DueAt.Equal(cst("2026-03-04T23:59:59+08:00")), "the correction carries the step's deadline")
	})
	s.at("2026-03-02T10:00:00+08:00", func() {
		s.decide(contract.StepCorrect, 1, contract.DecisionCorrected, producerAct, map[string]any{"corrected": "源头更正并重新汇聚"}, "")
	})
	s.at("2026-03-03T10:00:00+08:00", func() {
		s.decide(contract.StepAccept, 1, contract.DecisionAccept, applicantAct, nil, "")
	})
	s.env.ExecuteWorkflow(CorrectionWorkflow, correctionInput(techService))

	st := s.result()
	s.Equal(contract.CorrectionStatusAccepted, st.Status)
	s.Equal(producer, st.ProducerDeptID)
	s.Equal(producer, s.rows[len(s.rows)-1].ProducerDeptID)
	s.Equal([]string{activities.EventCorrectionReported, activities.EventDispatchRefused, activities.EventDispatched,
		activities.EventVerified, activities.EventDataCorrected, activities.EventResultAccepted}, s.caseEvents())
	s.Equal([]string{contract.CorrectionStatusDispatching, contract.CorrectionStatusVerifying, contract.CorrectionStatusCorrecting,
		contract.CorrectionStatusAnswered, contract.CorrectionStatusAccepted}, s.statuses())
	s.Equal([]string{provider, producer}, s.provSA, "the provider at the start, the dispatched producer after")
	s.openRowsUntilClosed()
}

// 内乡: the technical service unit finds no data problem; the reporter disputes, the authority
// orders a correction, and the resource's provider corrects, since nobody was dispatched.
func (s *correctionSuite) TestNeixiangNotDataProblemDisputed() {
	s.setup("neixiang")
	s.at("2026-02-12T15:00:00+08:00", func() {
		s.decide(contract.StepDispatch, 1, contract.DecisionNotDataProblem, techAct, nil, contract.ErrTypeRuleViolated)
		s.decide(contract.StepDispatch, 1, contract.DecisionNotDataProblem, techAct, map[string]any{"reason": "系业务办理问题，非数据问题"}, "")
	})
	s.at("2026-02-12T16:00:00+08:00", func() {
		row := s.rows[len(s.rows)-1]
		s.Equal(contract.CorrectionStatusAnswered, row.Status)
		s.Equal(contract.CorrectionResultNotDataProblem, row.Result)
		s.decide(contract.StepAccept, 1, contract.DecisionDispute, applicantAct, map[string]any{"reason": "证照与数据不符"}, "")
	})
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.decide(contract.StepCoordinate, 1, contract.DecisionOrderCorrect, authorityAct, map[string]any{"instruction": "由提供部门更正"}, "")
	})
	s.at("2026-02-13T11:00:00+08:00", func() {
		correct := s.lastTask(corrTaskID(contract.StepCorrect, 1))
		s.Equal(provider, correct.CandidateDepartmentID)
		s.Require().NotNil(correct.DueAt)
		s.True(correct.DueAt.Equal(cst("2026-03-05T23:59:59+08:00")), "10 WD from the order: %s", correct.DueAt)
		s.decide(contract.StepCorrect, 1, contract.DecisionCorrected, approver, map[string]any{"corrected": "已更正"}, "")
	})
	s.env.ExecuteWorkflow(CorrectionWorkflow, correctionInput(techService))

	st := s.result()
	s.Equal(contract.CorrectionStatusResolved, st.Status)
	s.Equal(provider, st.ProducerDeptID)
	s.Equal(0, st.Tasks[contract.StepVerify], "nothing was dispatched to verify")
	s.openRowsUntilClosed()
}

// 宁夏: 第十五条 sets no time for the verification; the 条例 (第二十六条第二款, in force since
// 2025-08-01) does, 10 WD from Thursday 12 Feb: 13, 14, 24, 25, 26, 27, 28, 2, 3, 4 March, which
// replace the local default and are law. The provider
// rejects, the reporter disputes, and the authority orders a correction: the correction task
// runs, the case closes resolved, and the reporter gets no second answer.
func (s *correctionSuite) TestNingxiaLocalDefaultCoordinationOrdersCorrection() {
	s.setup("ningxia")
	s.at("2026-02-12T11:00:00+08:00", func() {
		verify := s.lastTask(corrTaskID(contract.StepVerify, 1))
		s.Require().NotNil(verify.DueAt)
		s.True(verify.DueAt.Equal(cst("2026-03-04T23:59:59+08:00")), "verify due %s", verify.DueAt)
		s.False(verify.LocalDefault, "the 条例's deadline is statutory")
		s.Equal("《政务数据共享条例》第二十六条第二款", verify.LegalBasis[0])
		s.Contains(verify.LegalBasis, "《宁夏回族自治区政务数据资源共享管理办法》第十五条")
	})
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.decide(contract.StepVerify, 1, contract.DecisionRejected, approver, map[string]any{"reason": "数据无误"}, "")
	})
	s.at("2026-02-13T11:00:00+08:00", func() {
		s.decide(contract.StepAccept, 1, contract.DecisionDispute, applicantAct, map[string]any{"reason": "证照与数据不符"}, "")
	})
	s.at("2026-02-24T10:00:00+08:00", func() {
		s.decide(contract.StepCoordinate, 1, contract.DecisionOrderCorrect, authorityAct, map[string]any{"reason": "x"}, contract.ErrTypeRuleViolated)
		s.decide(contract.StepCoordinate, 1, contract.DecisionOrderCorrect, authorityAct, map[string]any{"instruction": "按营业执照更正"}, "")
	})
	s.at("2026-02-24T11:00:00+08:00", func() {
		correct := s.lastTask(corrTaskID(contract.StepCorrect, 1))
		s.Equal(provider, correct.CandidateDepartmentID)
		s.True(correct.ReceivedAt.Equal(cst("2026-02-24T10:00:00+08:00")), "counted from the coordination's decision")
		// An ordered correction is no part of the request's handling: the 条例's 10 WD over the
		// case (第二十六条第二款, long past) do not bound it, and 宁夏 第十三条's local default of 10
		// WD runs from the order — 25, 26, 27, 28 (make-up Saturday) Feb, 2–6 and 9 March.
		s.True(correct.LocalDefault)
		s.Require().NotNil(correct.DueAt)
		s.True(correct.DueAt.Equal(cst("2026-03-09T23:59:59+08:00")), "correct due %s", correct.DueAt)
		s.NotContains(correct.LegalBasis, "《政务数据共享条例》第二十六条第二款")
	})
	s.at("2026-02-25T10:00:00+08:00", func() {
		s.decide(contract.StepCorrect, 1, contract.DecisionCorrected, approver, map[string]any{"corrected": "已按营业执照更正"}, "")
	})
	s.env.ExecuteWorkflow(CorrectionWorkflow, correctionInput(""))

	st := s.result()
	s.Equal(contract.CorrectionStatusResolved, st.Status)
	s.True(st.Final)
	s.Equal(contract.CorrectionResultConfirmed, st.Result)
	s.Equal(1, st.Tasks[contract.StepAccept], "no second answer after coordination")
	s.Equal([]string{activities.EventCorrectionReported, activities.EventVerified, activities.EventResultDisputed,
		activities.EventCoordinated, activities.EventDataCorrected}, s.caseEvents())
	s.openRowsUntilClosed()
	for _, t := range s.tasks {
		if t.Status == activities.TaskOpen && t.Revision == s.lastTask(t.TaskID).Revision {
			s.Failf("task left open", "%s", t.TaskID)
		}
	}
}

// An overdue verification opens the authority's supervision task (督办): 辽宁's 5 WD end on
// 26 Feb.
func (s *correctionSuite) TestLiaoningOverdueVerificationIsSupervised() {
	s.setup("liaoning")
	s.at("2026-02-27T09:00:00+08:00", func() {
		verify := s.lastTask(corrTaskID(contract.StepVerify, 1))
		s.True(verify.Overdue)
		sup := s.lastTask(corrTaskID(contract.StepVerify, 1) + "/supervision")
		s.Equal(authority, sup.CandidateDepartmentID)
		s.Equal(activities.TaskOpen, sup.Status)
		s.decide(contract.StepVerify, 1, contract.DecisionRejected, approver, map[string]any{"reason": "数据无误"}, "")
	})
	s.at("2026-02-27T10:00:00+08:00", func() {
		s.decide(contract.StepAccept, 1, contract.DecisionAccept, applicantAct, nil, "")
	})
	s.env.ExecuteWorkflow(CorrectionWorkflow, correctionInput(""))
	st := s.result()
	s.Equal(contract.CorrectionStatusAccepted, st.Status)
	s.Require().Len(st.Decisions, 2)
	s.True(st.Decisions[0].Overdue)
}

// 政务数据共享条例 第二十六条第二款's 10 working days over the case end on 4 March for the report
// of Thursday 12 Feb. A verification that confirms the error only on 10 March (辽宁's 5 WD ran
// out on 26 Feb) opens a correction task already past the case's limit: it is overdue at once
// and the authority's supervision task opens, instead of a fresh local-default period from the
// finding.
func (s *correctionSuite) TestCorrectionOpenedPastTheCaseLimitIsOverdueAtOnce() {
	s.setup("liaoning")
	s.at("2026-03-10T10:00:00+08:00", func() {
		s.decide(contract.StepVerify, 1, contract.DecisionConfirmed, approver, map[string]any{"finding": "注册资本录入错误"}, "")
	})
	s.at("2026-03-10T11:00:00+08:00", func() {
		correct := s.lastTask(corrTaskID(contract.StepCorrect, 1))
		s.Require().NotNil(correct.DueAt)
		s.True(correct.DueAt.Equal(cst("2026-03-04T23:59:59+08:00")), "correct due %s", correct.DueAt)
		s.True(correct.Overdue, "past the case's limit when it opens")
		sup := s.lastTask(corrTaskID(contract.StepCorrect, 1) + "/supervision")
		s.Equal(authority, sup.CandidateDepartmentID)
		s.Equal(activities.TaskOpen, sup.Status)
		s.decide(contract.StepCorrect, 1, contract.DecisionCorrected, approver, map[string]any{"corrected": "已更正"}, "")
	})
	s.at("2026-03-10T12:00:00+08:00", func() {
		s.decide(contract.StepAccept, 1, contract.DecisionAccept, applicantAct, nil, "")
	})
	s.env.ExecuteWorkflow(CorrectionWorkflow, correctionInput(""))

	st := s.result()
	s.Equal(contract.CorrectionStatusAccepted, st.Status)
	s.Require().Len(st.Decisions, 3)
	s.True(st.Decisions[0].Overdue)
	s.True(st.Decisions[1].Overdue, "the correction was late by the case's limit")
}
