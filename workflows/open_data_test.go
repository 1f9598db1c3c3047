package workflows

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

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

const openDataID = "OD-1"

var (
	openDataWorkflowID = contract.OpenDataRequestWorkflowID(openDataID)
	// odReceivedAt: Monday 28 September 2026, before 国庆 (1–7 October off, Saturday 10 October
	// worked). 10 WD under 第四十六条第二款: 29, 30 Sep, 8, 9, 10 (make-up), 12, 13, 14, 15, 16 Oct.
	odReceivedAt = cst("2026-09-28T10:00:00+08:00")
	odFirstDue   = cst("2026-10-16T23:59:59+08:00")
	citizenAct   = contract.Actor{Subject: "citizen-zhang", Roles: []string{policy.RoleCitizen}}
)

type openDataSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env      *testsuite.TestWorkflowEnvironment
	mu       sync.Mutex
	sent     int
	answered int
	events   []activities.AppendTimelineInput
	tasks    []activities.ProjectTaskInput
	rows     []activities.ProjectOpenDataRequestInput
	sa       []saChange
	saKeys   map[string]string
	memo     map[string]any
}

func TestOpenDataRequest(t *testing.T) { suite.Run(t, new(openDataSuite)) }

// setup runs the real deadline and procedure activities under the neixiang profile with the
// embedded 2026 calendar and records the database writes, which are mocked.
func (s *openDataSuite) setup() {
	cal, err := calendar.New(calendar.Options{})
	s.Require().NoError(err)
	p, err := policy.Select("neixiang", "", policy.LocalDefaults{})
	s.Require().NoError(err)
	s.events, s.tasks, s.rows, s.sa, s.memo = nil, nil, nil, nil, nil
	s.saKeys = map[string]string{}
	s.sent, s.answered = 0, 0

	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetStartTime(odReceivedAt)
	s.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: openDataWorkflowID})
	s.env.RegisterWorkflow(OpenDataRequestWorkflow)
	acts := &activities.Activities{Calendars: &switchableCalendar{cal: cal}, Policy: p}
	odActs := &activities.OpenDataActivities{}
	s.env.RegisterActivity(acts)
	s.env.RegisterActivity(odActs)
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
	onWrite(s.env, odActs.ProjectOpenDataRequest,
		func(_ context.Context, in activities.ProjectOpenDataRequestInput) (activities.ProjectOpenDataRequestResult, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.rows = append(s.rows, in)
			return activities.ProjectOpenDataRequestResult{}, nil
		})
	s.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		attrs := args.Get(0).(temporal.SearchAttributes)
		var c saChange
		c.status, _ = attrs.GetKeyword(contract.StatusKey)
		c.due, _ = attrs.GetTime(contract.DueAtKey)
		s.sa = append(s.sa, c)
		for _, k := range []temporal.SearchAttributeKeyKeyword{contract.ProcedureKey, contract.JurisdictionKey, contract.ProviderDeptKey, contract.ApplicantDeptKey} {
			if v, ok := attrs.GetKeyword(k); ok {
				s.saKeys[k.GetName()] = v
			}
		}
	}).Return(nil)
	s.env.OnUpsertMemo(mock.Anything).Run(func(args mock.Arguments) {
		s.memo = args.Get(0).(map[string]any)
	}).Return(nil)
}

func openDataInput(openType string) contract.OpenDataRequestInput {
	return contract.OpenDataRequestInput{
		RequestID: openDataID,
		Resource: contract.OpenDataResource{ID: 4, Code: "NEIXIANG-SCJG-0004", Name: "企业年度报告公示信息", OpenType: openType,
			ProviderDeptID: provider},
		Applicant:    contract.OpenDataApplicant{Subject: citizenAct.Subject},
		OpenDataForm: contract.OpenDataForm{Purpose: "学术研究", Scope: "2025年度"},
		ReceivedAt:   odReceivedAt, AuthorityDeptID: authority,
	}
}

func (s *openDataSuite) at(when string, fn func()) {
	s.env.RegisterDelayedCallback(fn, cst(when).Sub(odReceivedAt))
}

// send sends an update; errType "" expects success, otherwise a rejection of that type, and
// field, when given, the field the rejection names.
func (s *openDataSuite) send(name string, arg any, errType, field string) {
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
				if field != "" {
					var d contract.RejectionDetails
					s.Require().NoError(appErr.Details(&d))
					s.Equal(field, d.Field, appErr.Error())
				}
			}
		},
		OnComplete: func(_ any, err error) {
			s.answered++
			s.NoError(err, "update %s failed after acceptance", name)
		},
	}, arg)
}

var replyTaskID = contract.HumanTaskID(openDataWorkflowID, contract.StepReply, 1)

func (s *openDataSuite) reply(decision string, actor contract.Actor, fields map[string]any, errType, field string) {
	s.send(contract.UpdateComplete, contract.CompleteUpdate{TaskID: replyTaskID, Actor: actor, Decision: decision, Fields: fields}, errType, field)
}

func (s *openDataSuite) askExtension(actor contract.Actor, workdays int, reason, errType string) {
	s.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: replyTaskID, Actor: actor, Workdays: workdays, Reason: reason}, errType, "")
}

func (s *openDataSuite) decideExtension(actor contract.Actor, approve bool, reason, errType string) {
	s.send(contract.UpdateDecideExtension, contract.DecideExtensionUpdate{TaskID: replyTaskID, Actor: actor, Approve: approve, Reason: reason}, errType, "")
}

func (s *openDataSuite) result() contract.OpenDataRequestState {
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var st contract.OpenDataRequestState
	s.Require().NoError(s.env.GetWorkflowResult(&st))
	s.Equal(s.sent, s.answered, "every update was answered")
	slices.SortStableFunc(s.rows, func(a, b activities.ProjectOpenDataRequestInput) int { return a.Revision - b.Revision })
	return st
}

func (s *openDataSuite) lastRow() activities.ProjectOpenDataRequestInput {
	s.Require().NotEmpty(s.rows)
	last := s.rows[0]
	for _, r := range s.rows {
		if r.Revision > last.Revision {
			last = r
		}
	}
	return last
}

func (s *openDataSuite) lastTask(id string) activities.ProjectTaskInput {
	var last activities.ProjectTaskInput
	for _, t := range s.tasks {
		if t.TaskID == id && t.Revision > last.Revision {
			last = t
		}
	}
	s.Require().NotZero(last.Revision, "task %s projected", id)
	return last
}

// ofKind lists the events of a kind in time order, as (at, due_at) pairs where they carry one.
func (s *openDataSuite) ofKind(kind string) []activities.AppendTimelineInput {
	var out []activities.AppendTimelineInput
	for _, e := range s.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b activities.AppendTimelineInput) int { return a.At.Compare(b.At) })
	return out
}

// requestEvents are the kinds of the request's own timeline events, in sequence order.
func (s *openDataSuite) requestEvents() []string {
	var own []activities.AppendTimelineInput
	for _, e := range s.events {
		if e.TaskID == openDataWorkflowID+"/request" {
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

func offersExtension(t activities.ProjectTaskInput) bool {
	return slices.ContainsFunc(t.Decisions, func(d activities.DecisionOption) bool { return d.Code == contract.DecisionRequestExtension })
}

// A conditional request received on 28 September 2026 is due on 16 October (10 WD across 国庆).
// On 14 October the producer asks for 5 WD — too many (11) and a second request while the
// first waits are refused — and its head approves: the deadline moves by exactly 5 WD from the
// original deadline, to Friday 23 October (19–23 October), and the reminders are re-armed on
// 20, 22 and 23 October. A second extension is a conflict. The producer approves on 22 October
// with conditions of use; an approval without them is refused naming the field.
func (s *openDataSuite) TestConditionalApprovedAfterExtension() {
	s.setup()
	newDue := cst("2026-10-23T23:59:59+08:00")
	s.at("2026-09-28T11:00:00+08:00", func() {
		task := s.lastTask(replyTaskID)
		s.Require().NotNil(task.DueAt)
		s.True(task.DueAt.Equal(odFirstDue), "reply due %s", task.DueAt)
		s.Contains(task.LegalBasis, "《内乡县政务信息资源数据共享管理实施办法》第四十六条第二款")
		s.False(task.LocalDefault)
		s.Equal(provider, task.CandidateDepartmentID)
		s.Equal(policy.RoleApprover, task.CandidateRole)
		s.True(offersExtension(task), "the reply offers request_extension")
		row := s.lastRow()
		s.Equal(contract.OpenDataStatusPending, row.Status)
		s.Equal(contract.StepReply, row.CurrentStep)
		s.Require().NotNil(row.DueAt)
		s.True(row.DueAt.Equal(odFirstDue))
		s.True(row.OriginalDueAt.Equal(odFirstDue))
		s.Equal(citizenAct.Subject, row.ApplicantSubject)
		// The citizen is not a party of the reply; another department cannot answer it.
		s.reply(contract.DecisionApprove, citizenAct, map[string]any{"conditions": "x"}, contract.ErrTypeForbidden, "")
		s.reply(contract.DecisionApprove, otherDept, map[string]any{"conditions": "x"}, contract.ErrTypeForbidden, "")
	})
	s.at("2026-10-14T10:00:00+08:00", func() {
		s.askExtension(approver, 11, "数据量大", contract.ErrTypeRuleViolated)
		s.askExtension(deptHead, 5, "数据量大", contract.ErrTypeForbidden)
		s.askExtension(approver, 5, "需调取历史档案核对", "")
		s.askExtension(approver, 3, "again", contract.ErrTypeConflict)
		// Only the producer's head approves (第四十六条第二款).
		s.decideExtension(approver, true, "", contract.ErrTypeForbidden)
		s.decideExtension(authorityAct, true, "", contract.ErrTypeForbidden)
	})
	s.at("2026-10-14T11:00:00+08:00", func() { s.decideExtension(deptHead, true, "", "") })
	s.at("2026-10-14T12:00:00+08:00", func() {
		task := s.lastTask(replyTaskID)
		s.True(task.DueAt.Equal(newDue), "moved due %s", task.DueAt)
		s.False(offersExtension(task), "the one extension is spent")
		row := s.lastRow()
		s.True(row.DueAt.Equal(newDue), "row due %s", row.DueAt)
		s.True(row.OriginalDueAt.Equal(odFirstDue), "original due kept: %s", row.OriginalDueAt)
		s.Equal(5, row.ExtensionWorkdays)
		s.Equal("需调取历史档案核对", row.ExtensionReason)
		s.askExtension(approver, 1, "one more day", contract.ErrTypeConflict)
	})
	s.at("2026-10-22T10:00:00+08:00", func() {
		s.reply(contract.DecisionApprove, approver, map[string]any{"conditions": " "}, contract.ErrTypeRuleViolated, "conditions")
		s.reply(contract.DecisionApprove, approver, map[string]any{"conditions": "仅限学术研究，不得转让"}, "", "")
	})
	s.env.ExecuteWorkflow(OpenDataRequestWorkflow, openDataInput(contract.OpenConditional))

	st := s.result()
	s.Equal(contract.OpenDataStatusApproved, st.Status)
	s.True(st.Final)
	s.Equal("neixiang", st.Jurisdiction)
	s.Equal("仅限学术研究，不得转让", st.Conditions)
	s.Require().NotNil(st.Extension)
	s.Equal(5, st.Extension.Workdays)
	s.Equal("需调取历史档案核对", st.Extension.Reason)
	s.True(st.Extension.ApprovedAt.Equal(cst("2026-10-14T11:00:00+08:00")))
	s.True(st.OriginalDueAt.Equal(odFirstDue))
	// Reminders: 13 October for the first deadline (3 WD before 16 October); after the
	// extension 20 and 22 October (3 and 1 WD before 23 October); the decision came first.
	var reminded []string
	for _, e := range s.ofKind(activities.EventReminded) {
		due, err := time.Parse(time.RFC3339, e.Data["due_at"].(string)) // JSON through the activity
		s.Require().NoError(err)
		reminded = append(reminded, e.At.In(calendar.Location()).Format(time.RFC3339)+" due "+
			due.In(calendar.Location()).Format("2006-01-02"))
	}
	s.Equal([]string{"2026-10-13T09:00:00+08:00 due 2026-10-16", "2026-10-20T09:00:00+08:00 due 2026-10-23",
		"2026-10-22T09:00:00+08:00 due 2026-10-23"}, reminded)
	s.Empty(s.ofKind(activities.EventOverdue))
	ext := s.ofKind(activities.EventExtensionApproved)
	s.Require().Len(ext, 1)
	s.Equal(openDataID, ext[0].RequestID, "the applicant's timeline shows the extension")
	asked := s.ofKind(activities.EventExtensionAsked)
	s.Require().Len(asked, 1)
	s.Equal("需调取历史档案核对", asked[0].Text)
	s.Equal([]string{activities.EventSubmitted, activities.EventOpenDataApproved}, s.requestEvents())
	approved := s.ofKind(activities.EventOpenDataApproved)[0]
	s.Equal(float64(4), approved.Data["resource_id"], "the audit log finds the resource")
	last := s.lastRow()
	s.Equal(contract.OpenDataStatusApproved, last.Status)
	s.Nil(last.DueAt)
	s.NotNil(last.ClosedAt)
	s.Equal("仅限学术研究，不得转让", last.Conditions)
	s.Equal(5, last.ExtensionWorkdays)
	// Search attributes: codes only, and no applicant department for a citizen.
	s.Equal(policy.ProcOpenData, s.saKeys[contract.ProcedureKey.GetName()])
	s.Equal("neixiang", s.saKeys[contract.JurisdictionKey.GetName()])
	s.Equal(provider, s.saKeys[contract.ProviderDeptKey.GetName()])
	_, applicantSet := s.saKeys[contract.ApplicantDeptKey.GetName()]
	s.False(applicantSet, "a citizen has no department")
	var dues []string
	for _, c := range s.sa {
		if !c.due.IsZero() {
			dues = append(dues, c.due.In(calendar.Location()).Format("2006-01-02"))
		}
	}
	s.Equal([]string{"2026-10-16", "2026-10-23"}, dues, "DatashareDueAt follows the extension")
	s.Equal("企业年度报告公示信息 / 开放申请", s.memo[contract.MemoTitle])
	s.NotContains(s.memo[contract.MemoTitle], citizenAct.Subject, "no personal data in the memo")
}

// The head refuses the extension (a refusal needs a reason), so the deadline stays 16 October;
// the reply is overdue at midnight and the authority's supervision task opens. A refusal of
// the request needs its reasons AND its basis (第四十六条第二款): without legal_basis it is
// refused naming the field.
func (s *openDataSuite) TestExtensionRefusedOverdueRefusal() {
	s.setup()
	s.at("2026-10-15T10:00:00+08:00", func() {
		s.askExtension(approver, 10, "人手不足", "")
		s.decideExtension(deptHead, false, "", contract.ErrTypeInvalid)
		s.decideExtension(deptHead, false, "理由不充分", "")
	})
	s.at("2026-10-15T11:00:00+08:00", func() {
		task := s.lastTask(replyTaskID)
		s.True(task.DueAt.Equal(odFirstDue), "a refused extension moves nothing: %s", task.DueAt)
		row := s.lastRow()
		s.True(row.DueAt.Equal(odFirstDue))
		s.Zero(row.ExtensionWorkdays)
		s.Empty(row.ExtensionReason)
	})
	s.at("2026-10-17T10:00:00+08:00", func() {
		sup := s.lastTask(supervisionTaskID(replyTaskID))
		s.Equal(activities.TaskOpen, sup.Status)
		s.Equal(authority, sup.CandidateDepartmentID)
		s.Equal(policy.RoleAuthority, sup.CandidateRole)
		s.True(s.lastTask(replyTaskID).Overdue)
		// The one extension was asked for and refused: none can be asked for again (内乡
		// 第四十六条 allows one).
		s.askExtension(approver, 2, "late", contract.ErrTypeConflict)
		s.reply(contract.DecisionRefuse, approver, map[string]any{"reason": "涉及商业秘密"}, contract.ErrTypeRuleViolated, "legal_basis")
		s.reply(contract.DecisionRefuse, approver, map[string]any{"legal_basis": "《政府信息公开条例》第十五条"}, contract.ErrTypeRuleViolated, "reason")
		s.reply(contract.DecisionRefuse, approver, map[string]any{"reason": "涉及商业秘密", "legal_basis": 15}, contract.ErrTypeInvalid, "legal_basis")
	})
	s.at("2026-10-19T10:00:00+08:00", func() {
		s.reply(contract.DecisionRefuse, approver, map[string]any{"reason": "涉及商业秘密", "legal_basis": "《政府信息公开条例》第十五条"}, "", "")
	})
	s.env.ExecuteWorkflow(OpenDataRequestWorkflow, openDataInput(contract.OpenConditional))

	st := s.result()
	s.Equal(contract.OpenDataStatusRefused, st.Status)
	s.Equal("涉及商业秘密", st.Reason)
	s.Equal("《政府信息公开条例》第十五条", st.RefusalBasis)
	s.Nil(st.Extension)
	s.Require().Len(st.Decisions, 1)
	s.True(st.Decisions[0].Overdue)
	overdue := s.ofKind(activities.EventOverdue)
	s.Require().Len(overdue, 1)
	s.True(overdue[0].At.Equal(cst("2026-10-17T00:00:00+08:00")), "overdue at %s", overdue[0].At)
	s.Len(s.ofKind(activities.EventExtensionRefused), 1)
	s.Equal(activities.TaskClosed, s.lastTask(supervisionTaskID(replyTaskID)).Status, "the supervision closes with the reply")
	refused := s.ofKind(activities.EventOpenDataRefused)
	s.Require().Len(refused, 1)
	s.Equal("涉及商业秘密", refused[0].Text)
	s.Equal("《政府信息公开条例》第十五条", refused[0].Data["legal_basis"])
	last := s.lastRow()
	s.Equal(contract.OpenDataStatusRefused, last.Status)
	s.Equal("《政府信息公开条例》第十五条", last.RefusalBasis)
	s.NotNil(last.ClosedAt)
}

// Unconditionally open data is opened at once: no task, the verified token is the identity
// check, and the record cites 第四十六条第三款.
func (s *openDataSuite) TestUnconditionalOpenedAtOnce() {
	s.setup()
	s.env.ExecuteWorkflow(OpenDataRequestWorkflow, openDataInput(contract.OpenUnconditional))

	st := s.result()
	s.Equal(contract.OpenDataStatusOpened, st.Status)
	s.True(st.Final)
	s.True(st.ClosedAt.Equal(odReceivedAt), "opened at receipt")
	s.Equal([]string{"《内乡县政务信息资源数据共享管理实施办法》第四十六条第三款"}, st.LegalBasis)
	s.Empty(s.tasks, "nobody decides")
	s.Equal([]string{activities.EventSubmitted, activities.EventDataOpened}, s.requestEvents())
	opened := s.ofKind(activities.EventDataOpened)[0]
	s.Equal(citizenAct.Subject, opened.Actor)
	s.Equal(float64(4), opened.Data["resource_id"])
	last := s.lastRow()
	s.Equal(contract.OpenDataStatusOpened, last.Status)
	s.Nil(last.DueAt)
	s.Equal([]string{"《内乡县政务信息资源数据共享管理实施办法》第四十六条第三款"}, last.LegalBasis)
	s.Equal([]string{contract.OpenDataStatusPending, contract.OpenDataStatusOpened}, []string{s.sa[0].status, s.sa[len(s.sa)-1].status})
}

// Data that is not open never gets a workflow from the API; one started anyway fails with the
// business rule rather than opening anything.
func (s *openDataSuite) TestNotOpenFails() {
	s.setup()
	s.env.ExecuteWorkflow(OpenDataRequestWorkflow, openDataInput(contract.OpenNone))
	s.Require().True(s.env.IsWorkflowCompleted())
	err := s.env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	s.Require().ErrorAs(err, &appErr)
	s.Equal(contract.ErrTypeRuleViolated, appErr.Type())
	s.Empty(s.tasks)
	s.Empty(s.ofKind(activities.EventDataOpened))
}

// The applicant withdraws (撤回) while an extension request waits for the head: only the
// applicant may, once; the reply task and the extension approval task close with the request.
func (s *openDataSuite) TestWithdrawnWhileExtensionPending() {
	s.setup()
	withdraw := func(actor contract.Actor, errType string) {
		s.send(contract.UpdateWithdraw, contract.WithdrawUpdate{Actor: actor, Reason: "已从其他渠道获取"}, errType, "")
	}
	s.at("2026-10-14T10:00:00+08:00", func() { s.askExtension(approver, 5, "需调取历史档案核对", "") })
	s.at("2026-10-14T12:00:00+08:00", func() {
		withdraw(contract.Actor{Subject: "citizen-li", Roles: []string{policy.RoleCitizen}}, contract.ErrTypeForbidden)
		withdraw(approver, contract.ErrTypeForbidden)
		withdraw(citizenAct, "")
	})
	s.env.ExecuteWorkflow(OpenDataRequestWorkflow, openDataInput(contract.OpenConditional))

	st := s.result()
	s.Equal(contract.OpenDataStatusWithdrawn, st.Status)
	s.True(st.Final)
	s.Require().NotNil(st.Withdrawn)
	s.Equal(citizenAct.Subject, st.Withdrawn.By.Subject)
	s.Nil(st.DueAt)
	s.Equal(activities.TaskClosed, s.lastTask(replyTaskID).Status)
	s.Equal(activities.TaskClosed, s.lastTask(replyTaskID+"/extension/1").Status, "the head's approval task closes too")
	s.Equal([]string{activities.EventSubmitted, activities.EventWithdrawn}, s.requestEvents())
	last := s.lastRow()
	s.Equal(contract.OpenDataStatusWithdrawn, last.Status)
	s.NotNil(last.ClosedAt)
	s.Nil(last.DueAt)
}
