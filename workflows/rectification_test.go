package workflows

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

const rectificationID = "RN-1"

var (
	rectWorkflowID = contract.RectificationWorkflowID(rectificationID)
	// issuedAt: Tuesday 29 September 2026, before the National Day holiday (1–7 October off,
	// 10 October a make-up working day).
	issuedAt = cst("2026-09-29T10:00:00+08:00")
)

// fixedTimeLimits answers the deadline activity's look-up of the notice's time limit, as the
// read model would after the workflow's first projection.
type fixedTimeLimits struct {
	workflowID string
	workdays   int
}

func (f fixedTimeLimits) OrderedWorkdays(_ context.Context, workflowID string) (int, bool, error) {
	if workflowID != f.workflowID {
		return 0, false, nil
	}
	return f.workdays, true, nil
}

type rectificationSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env      *testsuite.TestWorkflowEnvironment
	mu       sync.Mutex
	sent     int
	answered int
	profile  policy.Profile
	events   []activities.AppendTimelineInput
	tasks    []activities.ProjectTaskInput
	rects    []activities.ProjectRectificationInput
	sa       []temporal.SearchAttributes
	memo     map[string]any
}

func TestRectification(t *testing.T) { suite.Run(t, new(rectificationSuite)) }

// setup runs the real deadline activity with the official calendar under the profile, the
// notice fixing workdays, and records the database writes, which are mocked.
func (s *rectificationSuite) setup(profile string, workdays int) {
	cal, err := calendar.New(calendar.Options{})
	s.Require().NoError(err)
	s.profile, err = policy.Select(profile, "", policy.LocalDefaults{})
	s.Require().NoError(err)
	s.events, s.tasks, s.rects, s.sa, s.memo, s.sent, s.answered = nil, nil, nil, nil, nil, 0, 0

	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetStartTime(issuedAt)
	s.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: rectWorkflowID})
	s.env.RegisterWorkflowWithOptions(RectificationWorkflow, workflow.RegisterOptions{Name: contract.RectificationWorkflowType})
	s.env.RegisterWorkflowWithOptions(RectificationConsequenceWorkflow, workflow.RegisterOptions{Name: contract.RectificationConsequenceWorkflowType})
	acts := &activities.Activities{Calendars: &switchableCalendar{cal: cal}, Policy: s.profile,
		TimeLimits: fixedTimeLimits{workflowID: rectWorkflowID, workdays: workdays}}
	rectActs := &activities.RectificationActivities{}
	s.env.RegisterActivity(acts)
	s.env.RegisterActivity(rectActs)
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
	onWrite(s.env, rectActs.ProjectRectification,
		func(_ context.Context, in activities.ProjectRectificationInput) (activities.ProjectRectificationResult, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.rects = append(s.rects, in)
			return activities.ProjectRectificationResult{}, nil
		})
	s.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		s.sa = append(s.sa, args.Get(0).(temporal.SearchAttributes))
	}).Return(nil)
	s.env.OnUpsertMemo(mock.Anything).Run(func(args mock.Arguments) {
		s.memo = args.Get(0).(map[string]any)
	}).Return(nil)
}

// notice is what the API would send: the profile's first violation and its consequence.
func (s *rectificationSuite) notice(workdays int) contract.RectificationInput {
	v := s.profile.Violations[0]
	c := s.profile.Rectification.Consequence
	cite := func(cs []policy.Citation) []string {
		var out []string
		for _, x := range cs {
			out = append(out, x.String())
		}
		return out
	}
	return contract.RectificationInput{
		ID: rectificationID, DepartmentID: provider, AuthorityDeptID: authority, IssuedBy: authorityAct,
		Violation:         contract.Violation{Code: v.Code, Title: v.Title, LegalBasis: cite(v.LegalBasis)},
		RectificationForm: contract.RectificationForm{Description: "目录三个月未更新"}, Workdays: workdays,
		Consequence: contract.Consequence{Code: c.Code, Title: c.Title, LocalDefault: c.LocalDefault, LegalBasis: cite(c.LegalBasis), Note: c.Note},
		IssuedAt:    issuedAt,
	}
}

func (s *rectificationSuite) at(when string, fn func()) {
	s.env.RegisterDelayedCallback(fn, cst(when).Sub(issuedAt))
}

// send sends an update to a workflow; errType "" expects success.
func (s *rectificationSuite) send(workflowID, name string, arg any, errType string) {
	s.sent++
	cb := &testsuite.TestUpdateCallback{
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
	}
	if workflowID == rectWorkflowID {
		s.env.UpdateWorkflow(name, "", cb, arg)
		return
	}
	s.NoError(s.env.UpdateWorkflowByID(workflowID, name, "", cb, arg))
}

func rectTask(step string, n int) string { return contract.HumanTaskID(rectWorkflowID, step, n) }

var (
	consequenceWorkflowID = contract.RectificationConsequenceWorkflowID(rectificationID)
	consequenceTaskID     = contract.HumanTaskID(consequenceWorkflowID, contract.StepConsequence, 1)
	report                = map[string]any{"report": "目录已更新并重新发布", "evidence": "附件: 目录更新截图"}
)

func (s *rectificationSuite) complete(workflowID, taskID, decision string, actor contract.Actor, fields map[string]any, errType string) {
	s.send(workflowID, contract.UpdateComplete, contract.CompleteUpdate{TaskID: taskID, Actor: actor, Decision: decision, Fields: fields}, errType)
}

func (s *rectificationSuite) result() contract.RectificationState {
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var st contract.RectificationState
	s.Require().NoError(s.env.GetWorkflowResult(&st))
	s.Equal(s.sent, s.answered, "every update was answered")
	slices.SortStableFunc(s.rects, func(a, b activities.ProjectRectificationInput) int { return a.Revision - b.Revision })
	return st
}

func (s *rectificationSuite) lastTask(id string) activities.ProjectTaskInput {
	var last activities.ProjectTaskInput
	for _, t := range s.tasks {
		if t.TaskID == id && t.Revision > last.Revision {
			last = t
		}
	}
	s.Require().NotZero(last.Revision, "task %s projected", id)
	return last
}

// ownEvents are the kinds of the rectification's own timeline events, in order.
func (s *rectificationSuite) ownEvents() []string {
	var own []activities.AppendTimelineInput
	for _, e := range s.events {
		if e.TaskID == rectWorkflowID+"/rectification" {
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

func (s *rectificationSuite) event(kind string) activities.AppendTimelineInput {
	for _, e := range s.events {
		if e.Kind == kind {
			return e
		}
	}
	s.Failf("event missing", "no %s event in %v", kind, s.ownEvents())
	return activities.AppendTimelineInput{}
}

// dueAcrossNationalDay is 5 working days from Tuesday 29 September 2026, by hand from the
// State Council's 2026 notice (国办发明电〔2025〕7号): the day of issue is not counted; 30 Sep
// is day 1; 1–7 Oct are off; 8 Oct day 2, 9 Oct day 3, Saturday 10 Oct (make-up working day)
// day 4, Sunday 11 Oct off, Monday 12 Oct day 5; due at its end.
var dueAcrossNationalDay = cst("2026-10-12T23:59:59+08:00")

// Liaoning, 5 working days across National Day: the deadline is 12 October, the notice's own
// (not the local default) under 第二十六条. The department's head reports on 9 October, another
// department may not, and the authority accepts: rectified, no consequence.
func (s *rectificationSuite) TestAcceptedInTimeAcrossNationalDay() {
	s.setup("liaoning", 5)
	head := contract.Actor{Subject: "dave", DepartmentID: provider, Roles: []string{policy.RoleDeptHead}}
	s.at("2026-10-09T10:00:00+08:00", func() {
		s.complete(rectWorkflowID, rectTask(contract.StepRectify, 1), contract.DecisionDone, otherDept, report, contract.ErrTypeForbidden)
		s.complete(rectWorkflowID, rectTask(contract.StepRectify, 1), contract.DecisionDone, head, map[string]any{"report": "done"}, contract.ErrTypeRuleViolated)
		s.complete(rectWorkflowID, rectTask(contract.StepRectify, 1), contract.DecisionDone, head, report, "")
	})
	s.at("2026-10-10T10:00:00+08:00", func() {
		s.complete(rectWorkflowID, rectTask(contract.StepReview, 1), contract.DecisionAccept, approver, nil, contract.ErrTypeForbidden)
		s.complete(rectWorkflowID, rectTask(contract.StepReview, 1), contract.DecisionAccept, authorityAct, nil, "")
	})
	s.env.ExecuteWorkflow(contract.RectificationWorkflowType, s.notice(5))
	st := s.result()

	task := s.lastTask(rectTask(contract.StepRectify, 1))
	s.Require().NotNil(task.DueAt)
	s.True(task.DueAt.Equal(dueAcrossNationalDay), "due %v, want %v", task.DueAt, dueAcrossNationalDay)
	s.False(task.LocalDefault, "the notice fixes the time limit: not the local default")
	s.Equal([]string{"《辽宁省政务数据资源共享管理办法》第二十六条"}, task.LegalBasis)
	s.Equal(provider, task.CandidateDepartmentID)
	s.Equal(policy.RoleApprover, task.CandidateRole)
	s.Equal(provider, task.PartnerDepartmentID, "the head sees the notice in its inbox")
	s.Equal(policy.RoleDeptHead, task.PartnerRole)
	s.Equal(contract.RectificationRectified, st.Status)
	s.True(st.Final)
	s.Require().NotNil(st.DueAt)
	s.True(st.DueAt.Equal(dueAcrossNationalDay))
	s.Nil(st.ConsequenceRecordedAt)
	s.Equal([]string{activities.EventRectificationIssued, activities.EventRectificationReported, activities.EventRectified}, s.ownEvents())
	last := s.rects[len(s.rects)-1]
	s.Equal(contract.RectificationRectified, last.Status)
	s.Equal("catalog_not_maintained", last.ViolationCode)
	s.Equal([]string{"《辽宁省政务数据资源共享管理办法》第二十六条（一）"}, last.ViolationBasis)
	s.True(last.DueAt.Equal(dueAcrossNationalDay))
	s.NotNil(last.ClosedAt)
	s.Equal("circulated_criticism", last.ConsequenceCode)

	first := s.sa[0]
	for key, want := range map[temporal.SearchAttributeKeyKeyword]string{
		contract.ProcedureKey: policy.ProcRectification, contract.JurisdictionKey: "liaoning",
		contract.ProviderDeptKey: provider, contract.ApplicantDeptKey: authority, contract.StatusKey: contract.RectificationIssued,
	} {
		got, _ := first.GetKeyword(key)
		s.Equal(want, got, key.GetName())
	}
	s.Equal(s.profile.Violations[0].Title+" / "+provider, s.memo[contract.MemoTitle])
}

// A returned report sends the department back to work under the original time limit: the
// second rectify task is due when the first was.
func (s *rectificationSuite) TestReturnedKeepsTheOriginalDeadline() {
	s.setup("liaoning", 5)
	s.at("2026-09-30T10:00:00+08:00", func() {
		s.complete(rectWorkflowID, rectTask(contract.StepRectify, 1), contract.DecisionDone, approver, report, "")
	})
	s.at("2026-10-08T10:00:00+08:00", func() {
		s.complete(rectWorkflowID, rectTask(contract.StepReview, 1), contract.DecisionReturn, authorityAct, nil, contract.ErrTypeRuleViolated)
		s.complete(rectWorkflowID, rectTask(contract.StepReview, 1), contract.DecisionReturn, authorityAct, map[string]any{"reason": "仍有两项未更新"}, "")
	})
	s.at("2026-10-09T10:00:00+08:00", func() {
		s.complete(rectWorkflowID, rectTask(contract.StepRectify, 2), contract.DecisionDone, approver, report, "")
	})
	s.at("2026-10-09T15:00:00+08:00", func() {
		s.complete(rectWorkflowID, rectTask(contract.StepReview, 2), contract.DecisionAccept, authorityAct, nil, "")
	})
	s.env.ExecuteWorkflow(contract.RectificationWorkflowType, s.notice(5))
	st := s.result()

	first, second := s.lastTask(rectTask(contract.StepRectify, 1)), s.lastTask(rectTask(contract.StepRectify, 2))
	s.Require().NotNil(second.DueAt)
	s.True(second.DueAt.Equal(*first.DueAt), "second task due %v, first %v", second.DueAt, first.DueAt)
	s.True(second.DueAt.Equal(dueAcrossNationalDay))
	s.True(second.ReceivedAt.Equal(issuedAt), "the second task counts from the notice, not from the return")
	s.Equal(contract.RectificationRectified, st.Status)
	s.Equal([]string{activities.EventRectificationIssued, activities.EventRectificationReported,
		activities.EventReportReturned, activities.EventRectificationReported, activities.EventRectified}, s.ownEvents())
	s.Equal("仍有两项未更新", s.event(activities.EventReportReturned).Text)
	s.Nil(st.ConsequenceRecordedAt)
}

// Liaoning, nothing reported by 12 October: at the deadline the overdue task goes to the
// authority's supervision, the circulated criticism (通报批评, 第二十六条) is recorded on the
// timeline and the authority gets a consequence task. The department reports late, the
// authority accepts, and completes the consequence task once it has circulated the criticism.
func (s *rectificationSuite) TestOverdueUnderLiaoningIsCirculatedCriticism() {
	s.setup("liaoning", 5)
	s.at("2026-10-13T09:00:00+08:00", func() {
		recorded := s.event(activities.EventConsequenceRecorded)
		s.Equal("通报批评", recorded.Text)
		s.Equal("[《辽宁省政务数据资源共享管理办法》第二十六条]", fmt.Sprint(recorded.Data["legal_basis"]))
		s.Equal("circulated_criticism", recorded.Data["consequence_code"])
		s.Equal(false, recorded.Data["local_default"])
		c := s.lastTask(consequenceTaskID)
		s.Equal(authority, c.CandidateDepartmentID)
		s.Equal(policy.RoleAuthority, c.CandidateRole)
		s.Equal(activities.TaskOpen, c.Status)
		s.Equal(rectificationID, c.RequestID, "on the rectification's timeline and task list")
		s.Equal(consequenceWorkflowID, c.WorkflowID, "actions on it go to the child workflow")
		s.Equal([]string{"《辽宁省政务数据资源共享管理办法》第二十六条"}, c.LegalBasis)
		sup := s.lastTask(rectTask(contract.StepRectify, 1) + "/supervision")
		s.Equal(activities.TaskKindSupervision, sup.Kind)
		s.Equal(authority, sup.CandidateDepartmentID)
		s.Equal(contract.RectificationOverdue, s.rects[len(s.rects)-1].Status)
		s.complete(rectWorkflowID, rectTask(contract.StepRectify, 1), contract.DecisionDone, approver, report, "")
	})
	s.at("2026-10-14T10:00:00+08:00", func() {
		s.complete(rectWorkflowID, rectTask(contract.StepReview, 1), contract.DecisionAccept, authorityAct, nil, "")
	})
	// The rectification waits for its consequence. (A rejected update sent to the child by ID
	// never answers in the SDK's test environment, so the authority-only rule of the task is
	// left to the human-task tests.)
	s.at("2026-10-15T10:00:00+08:00", func() {
		s.complete(consequenceWorkflowID, consequenceTaskID, contract.DecisionCarriedOut, authorityAct, map[string]any{"reference": "辽数通〔2026〕3号"}, "")
	})
	s.env.ExecuteWorkflow(contract.RectificationWorkflowType, s.notice(5))
	st := s.result()

	s.Equal(contract.RectificationRectified, st.Status)
	s.Require().NotNil(st.ConsequenceRecordedAt)
	s.True(st.ConsequenceRecordedAt.Equal(dueAcrossNationalDay.Add(time.Second)), "recorded at the deadline: %v", st.ConsequenceRecordedAt)
	s.Require().NotNil(st.ConsequenceCarriedOut)
	s.Equal("辽数通〔2026〕3号", st.ConsequenceCarriedOut.Fields["reference"])
	s.Equal([]string{activities.EventRectificationIssued, activities.EventConsequenceRecorded, activities.EventRectificationReported,
		activities.EventRectified, activities.EventConsequenceCarriedOut}, s.ownEvents())
	last := s.rects[len(s.rects)-1]
	s.NotNil(last.ConsequenceRecordedAt)
	s.True(last.ConsequenceDone)
	s.Equal(activities.TaskCompleted, s.lastTask(consequenceTaskID).Status)
}

// Neixiang, 3 working days, nothing reported: the authority is to report the case to the
// county government, which puts it under supervision (上报县级政府，纳入督查督办, 第六十七条): the
// escalation event, the authority's supervision task and its consequence task. The rectify
// task stays open, as the order to correct stands.
func (s *rectificationSuite) TestOverdueUnderNeixiangIsReportedToTheCountyGovernment() {
	s.setup("neixiang", 3)
	s.at("2026-10-12T10:00:00+08:00", func() {
		recorded := s.event(activities.EventConsequenceRecorded)
		s.Equal("上报县级政府，纳入督查督办", recorded.Text)
		s.Equal("report_to_county_government", recorded.Data["consequence_code"])
		s.Equal("[《内乡县政务信息资源数据共享管理实施办法》第六十七条]", fmt.Sprint(recorded.Data["legal_basis"]))
		sup := s.lastTask(rectTask(contract.StepRectify, 1) + "/supervision")
		s.Equal(activities.TaskKindSupervision, sup.Kind)
		s.Equal(activities.TaskOpen, sup.Status)
		s.Equal([]string{"《内乡县政务信息资源数据共享管理实施办法》第六十七条"}, sup.LegalBasis)
		s.Equal(activities.TaskOpen, s.lastTask(consequenceTaskID).Status)
		s.Equal(activities.TaskOpen, s.lastTask(rectTask(contract.StepRectify, 1)).Status)
		s.complete(consequenceWorkflowID, consequenceTaskID, contract.DecisionCarriedOut, authorityAct, map[string]any{"reference": "内数报〔2026〕1号"}, "")
		s.complete(rectWorkflowID, rectTask(contract.StepRectify, 1), contract.DecisionDone, approver, report, "")
	})
	s.at("2026-10-12T15:00:00+08:00", func() {
		s.complete(rectWorkflowID, rectTask(contract.StepReview, 1), contract.DecisionAccept, authorityAct, nil, "")
	})
	s.env.ExecuteWorkflow(contract.RectificationWorkflowType, s.notice(3))
	st := s.result()

	// 3 WD from 29 Sep: 30 Sep, 8 Oct, 9 Oct.
	due := cst("2026-10-09T23:59:59+08:00")
	s.True(st.DueAt.Equal(due), "due %v, want %v", st.DueAt, due)
	s.Require().NotNil(st.ConsequenceRecordedAt)
	s.True(st.ConsequenceRecordedAt.Equal(due.Add(time.Second)))
	s.Equal(contract.RectificationRectified, st.Status)
	s.NotNil(st.ConsequenceCarriedOut)
}

// Wuhai, nothing reported: 第二十条 provides the written notice but no consequence of ignoring
// it, so the consequence recorded is the local default, marked as such with its note — still
// an escalation event and an authority task, never silence.
func (s *rectificationSuite) TestOverdueUnderWuhaiIsLocalPracticeSaidSo() {
	s.setup("wuhai", 2)
	s.at("2026-10-09T10:00:00+08:00", func() {
		recorded := s.event(activities.EventConsequenceRecorded)
		s.Equal(true, recorded.Data["local_default"])
		s.NotEmpty(recorded.Data["note"])
		s.Equal("[《乌海市政务信息资源共享管理办法》第二十条]", fmt.Sprint(recorded.Data["legal_basis"]))
		s.Equal(activities.TaskOpen, s.lastTask(consequenceTaskID).Status)
		s.complete(consequenceWorkflowID, consequenceTaskID, contract.DecisionCarriedOut, authorityAct, map[string]any{"reference": "已记录并督办"}, "")
		s.complete(rectWorkflowID, rectTask(contract.StepRectify, 1), contract.DecisionDone, approver, report, "")
	})
	s.at("2026-10-09T15:00:00+08:00", func() {
		s.complete(rectWorkflowID, rectTask(contract.StepReview, 1), contract.DecisionAccept, authorityAct, nil, "")
	})
	s.env.ExecuteWorkflow(contract.RectificationWorkflowType, s.notice(2))
	st := s.result()
	// 2 WD from 29 Sep: 30 Sep, 8 Oct.
	s.True(st.DueAt.Equal(cst("2026-10-08T23:59:59+08:00")), "due %v", st.DueAt)
	s.Equal("recorded_for_follow_up", st.Input.Consequence.Code)
	s.NotNil(st.ConsequenceRecordedAt)
}
