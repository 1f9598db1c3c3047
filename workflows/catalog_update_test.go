package workflows

import (
	"context"
	"encoding/json"
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

const updateID = "CU-1"

var catalogWorkflowID = contract.CatalogUpdateWorkflowID(updateID)

// catalogSuite runs CatalogUpdateWorkflow with the real deadline and procedure activities under
// a profile, and records the database writes and catalog changes, which are mocked.
type catalogSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env       *testsuite.TestWorkflowEnvironment
	start     time.Time
	mu        sync.Mutex
	sent      int
	answered  int
	events    []activities.AppendTimelineInput
	tasks     []activities.ProjectTaskInput
	updates   []activities.ProjectCatalogUpdateInput
	links     []activities.LinkCatalogUpdateInput
	published []activities.CatalogReviewInput
	returned  []activities.CatalogReviewInput
	sa        []saChange
	memo      map[string]any
	// refuseLinks and refusePublish make the first n such calls fail as a moved-on revision
	// would.
	refuseLinks, refusePublish int
}

func TestCatalogUpdate(t *testing.T) { suite.Run(t, new(catalogSuite)) }

func (s *catalogSuite) setup(profile string, start time.Time) {
	cal, err := calendar.New(calendar.Options{})
	s.Require().NoError(err)
	p, err := policy.Select(profile, "", policy.LocalDefaults{})
	s.Require().NoError(err)
	s.start = start
	s.events, s.tasks, s.updates, s.links, s.published, s.returned, s.sa, s.memo = nil, nil, nil, nil, nil, nil, nil, nil
	s.sent, s.answered, s.refuseLinks, s.refusePublish = 0, 0, 0, 0

	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetStartTime(start)
	s.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: catalogWorkflowID})
	s.env.RegisterWorkflow(CatalogUpdateWorkflow)
	acts := &activities.Activities{Calendars: &switchableCalendar{cal: cal}, Policy: p}
	catActs := &activities.CatalogUpdateActivities{}
	s.env.RegisterActivity(acts)
	s.env.RegisterActivity(catActs)
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
	onWrite(s.env, catActs.ProjectCatalogUpdate,
		func(_ context.Context, in activities.ProjectCatalogUpdateInput) (activities.ProjectCatalogUpdateResult, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.updates = append(s.updates, in)
			return activities.ProjectCatalogUpdateResult{}, nil
		})
	s.env.OnActivity(catActs.LinkCatalogUpdate, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.LinkCatalogUpdateInput) (activities.LinkCatalogUpdateResult, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.links = append(s.links, in)
			if s.refuseLinks > 0 {
				s.refuseLinks--
				return activities.LinkCatalogUpdateResult{}, temporal.NewNonRetryableApplicationError("resource 7 is at version 2", activities.ErrTypeInvalid, nil)
			}
			// Each listed draft is submitted: one revision later.
			var out activities.LinkCatalogUpdateResult
			for _, v := range in.Versions {
				out.Linked = append(out.Linked, activities.LinkedVersion{ResourceID: v.ResourceID, Version: v.Version + 1})
			}
			return out, nil
		})
	s.env.OnActivity(catActs.PublishCatalogUpdate, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CatalogReviewInput) (activities.PublishCatalogUpdateResult, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.published = append(s.published, in)
			if s.refusePublish > 0 {
				s.refusePublish--
				return activities.PublishCatalogUpdateResult{}, temporal.NewNonRetryableApplicationError("目录资源 8 第 2 版已在本次更新之外被改动", activities.ErrTypeInvalid, nil)
			}
			return activities.PublishCatalogUpdateResult{Published: []activities.LinkedVersion{{ResourceID: 7, Version: 3}}}, nil
		})
	s.env.OnActivity(catActs.ReturnCatalogUpdate, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CatalogReviewInput) (activities.ReturnCatalogUpdateResult, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.returned = append(s.returned, in)
			return activities.ReturnCatalogUpdateResult{}, nil
		})
	s.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		attrs := args.Get(0).(temporal.SearchAttributes)
		var c saChange
		c.status, _ = attrs.GetKeyword(contract.StatusKey)
		c.due, _ = attrs.GetTime(contract.DueAtKey)
		if proc, ok := attrs.GetKeyword(contract.ProcedureKey); ok {
			s.Equal(policy.ProcCatalogUpdate, proc)
			dept, _ := attrs.GetKeyword(contract.ProviderDeptKey)
			s.Equal(provider, dept)
			jur, _ := attrs.GetKeyword(contract.JurisdictionKey)
			s.NotEmpty(jur)
		}
		s.sa = append(s.sa, c)
	}).Return(nil)
	s.env.OnUpsertMemo(mock.Anything).Run(func(args mock.Arguments) {
		s.memo = args.Get(0).(map[string]any)
	}).Return(nil)
}

func catalogInput(changedOn string, start time.Time) contract.CatalogUpdateInput {
	return contract.CatalogUpdateInput{
		UpdateID: updateID, DepartmentID: provider,
		Initiator: contract.ShareApplicant{DepartmentID: provider, Subject: approver.Subject},
		CatalogUpdateForm: contract.CatalogUpdateForm{Trigger: contract.TriggerLawRevised, Basis: "《某某条例》2026年修订",
			ChangedOn: changedOn},
		ResourceIDs: []int64{7}, ReceivedAt: start, AuthorityDeptID: authority,
	}
}

func (s *catalogSuite) at(when string, fn func()) {
	s.env.RegisterDelayedCallback(fn, cst(when).Sub(s.start))
}

// send sends an update; errType "" expects success, otherwise a rejection of that type.
func (s *catalogSuite) send(arg contract.CompleteUpdate, errType string) {
	s.sent++
	s.env.UpdateWorkflow(contract.UpdateComplete, "", &testsuite.TestUpdateCallback{
		OnAccept: func() {
			if errType != "" {
				s.Failf("update accepted", "%+v: want a rejection of type %s", arg, errType)
			}
		},
		OnReject: func(err error) {
			s.answered++
			if errType == "" {
				s.Failf("update rejected", "%+v: %v", arg, err)
				return
			}
			var appErr *temporal.ApplicationError
			if s.ErrorAs(err, &appErr) {
				s.Equal(errType, appErr.Type(), appErr.Error())
			}
		},
		OnComplete: func(_ any, err error) {
			s.answered++
			s.NoError(err)
		},
	}, arg)
}

func catalogTaskID(step string, n int) string {
	return contract.HumanTaskID(catalogWorkflowID, step, n)
}

func submit(n int, actor contract.Actor, versions ...map[string]any) contract.CompleteUpdate {
	list := make([]any, 0, len(versions))
	for _, v := range versions {
		list = append(list, v)
	}
	return contract.CompleteUpdate{TaskID: catalogTaskID(contract.StepUpdate, n), Actor: actor, Decision: contract.DecisionSubmit,
		Fields: map[string]any{contract.FieldResourceVersions: list}}
}

// version is one entry of resource_versions as JSON delivers it.
func version(id, v float64) map[string]any { return map[string]any{"resource_id": id, "version": v} }

func reviewDecision(n int, decision string, fields map[string]any) contract.CompleteUpdate {
	return contract.CompleteUpdate{TaskID: catalogTaskID(contract.StepReview, n), Actor: authorityAct, Decision: decision, Fields: fields}
}

func (s *catalogSuite) result() contract.CatalogUpdateState {
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var st contract.CatalogUpdateState
	s.Require().NoError(s.env.GetWorkflowResult(&st))
	s.Equal(s.sent, s.answered, "every update was answered")
	slices.SortStableFunc(s.updates, func(a, b activities.ProjectCatalogUpdateInput) int { return a.Revision - b.Revision })
	return st
}

// ownEvents are the kinds of the update's own timeline events, in sequence order.
func (s *catalogSuite) ownEvents() []string {
	var own []activities.AppendTimelineInput
	for _, e := range s.events {
		if e.TaskID == catalogWorkflowID+"/request" {
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

// firstTask is the first projection of a task: its opening, with its deadline.
func (s *catalogSuite) firstTask(id string) activities.ProjectTaskInput {
	for _, t := range s.tasks {
		if t.TaskID == id && t.Revision == 1 {
			return t
		}
	}
	s.FailNow("task not projected", id)
	return activities.ProjectTaskInput{}
}

func (s *catalogSuite) lastTask(id string) activities.ProjectTaskInput {
	var last activities.ProjectTaskInput
	for _, t := range s.tasks {
		if t.TaskID == id && t.Revision > last.Revision {
			last = t
		}
	}
	s.Require().NotZero(last.Revision, "task %s projected", id)
	return last
}

func (s *catalogSuite) statuses() []string {
	var out []string
	for _, c := range s.sa {
		if c.status != "" && (len(out) == 0 || out[len(out)-1] != c.status) {
			out = append(out, c.status)
		}
	}
	return out
}

func (s *catalogSuite) hasEvent(taskID, kind string, at time.Time) bool {
	for _, e := range s.events {
		if e.TaskID == taskID && e.Kind == kind && e.At.Equal(at) {
			return true
		}
	}
	return false
}

// 辽宁: the department reports a revised law that took effect on Monday 2 March; its update is
// due at the end of the 10th working day after it (第九条), 16 March. It submits two drafts
// on 10 March and the authority approves on 12 March (第十条): every linked version is
// published at once, the update is final.
func (s *catalogSuite) TestSelfReportApproved() {
	s.setup("liaoning", cst("2026-03-03T09:30:00+08:00"))
	s.at("2026-03-10T10:00:00+08:00", func() {
		// Malformed or empty lists and another department never enter history.
		s.send(submit(1, approver), contract.ErrTypeInvalid)
		s.send(submit(1, approver, map[string]any{"resource_id": 7}), contract.ErrTypeInvalid)
		s.send(submit(1, approver, version(7, 2), version(7, 2)), contract.ErrTypeInvalid)
		s.send(submit(1, otherDept, version(7, 2)), contract.ErrTypeForbidden)
		s.send(submit(1, approver, version(7, 2), version(8, 1)), "")
	})
	s.at("2026-03-12T10:00:00+08:00", func() {
		s.send(reviewDecision(1, contract.DecisionApprove, nil), "")
	})
	s.env.ExecuteWorkflow(CatalogUpdateWorkflow, catalogInput("2026-03-02", s.start))

	st := s.result()
	s.Equal(contract.CatalogUpdatePublished, st.Status)
	s.True(st.Final)
	s.Equal("liaoning", st.Jurisdiction)
	s.Equal(1, st.Round)
	s.Equal([]contract.ResourceVersion{{ResourceID: 7, Version: 3}, {ResourceID: 8, Version: 2}}, st.Submitted)
	s.False(st.ResponsibilityListUpdated)

	update := s.firstTask(catalogTaskID(contract.StepUpdate, 1))
	s.Require().NotNil(update.DueAt)
	s.True(update.DueAt.Equal(cst("2026-03-16T23:59:59+08:00")), "due %s", update.DueAt)
	s.True(update.ReceivedAt.Equal(cst("2026-03-02T00:00:00+08:00")), "counted from changed_on, got %s", update.ReceivedAt)
	// Received after 2025-08-01: compared with the 条例 (第十七条第二款, also 10 WD), 辽宁's governs.
	s.Equal([]string{"《辽宁省政务数据资源共享管理办法》第九条第二款",
		"比照《政务数据共享条例》第十七条第二款（10个工作日），期限相同，适用《辽宁省政务数据资源共享管理办法》第九条第二款（10个工作日）"}, update.LegalBasis)
	s.Equal(provider, update.CandidateDepartmentID)
	s.Equal(policy.RoleApprover, update.CandidateRole)
	review := s.lastTask(catalogTaskID(contract.StepReview, 1))
	s.Equal(authority, review.CandidateDepartmentID)
	s.Equal(activities.TaskCompleted, review.Status)
	// 辽宁 第十条 sets no review time; since 2025-08-01 the 条例 does: 2 working days from the
	// receipt of the updated catalog (第十七条第三款), no longer a local default.
	s.False(review.LocalDefault)
	s.Equal("《政务数据共享条例》第十七条第三款", review.LegalBasis[0])

	s.Require().Len(s.links, 1)
	s.Equal(activities.LinkCatalogUpdateInput{UpdateID: updateID, Round: 1, DepartmentID: provider, Actor: approver.Subject,
		Versions: []activities.LinkedVersion{{ResourceID: 7, Version: 2}, {ResourceID: 8, Version: 1}}}, s.links[0])
	s.Equal([]activities.CatalogReviewInput{{UpdateID: updateID, Round: 1, Actor: authorityAct.Subject}}, s.published)
	s.Empty(s.returned)
	s.Equal([]string{activities.EventCatalogUpdateOpened, activities.EventCatalogSubmitted, activities.EventCatalogPublished}, s.ownEvents())

	s.Equal([]string{contract.CatalogUpdateUpdating, contract.CatalogUpdateReviewing, contract.CatalogUpdatePublished}, s.statuses())
	var sawDue bool
	for _, c := range s.sa {
		sawDue = sawDue || c.due.Equal(cst("2026-03-16T23:59:59+08:00"))
	}
	s.True(sawDue, "due time in the search attributes: %+v", s.sa)
	s.Equal("目录更新 / "+provider+" / 2026-03-02", s.memo[contract.MemoTitle])

	first, last := s.updates[0], s.updates[len(s.updates)-1]
	form, err := json.Marshal(first.Form)
	s.Require().NoError(err)
	s.JSONEq(`{"trigger":"law_revised","basis":"《某某条例》2026年修订","changed_on":"2026-03-02"}`, string(form),
		"the form is written whole")
	s.Equal(contract.CatalogUpdatePublished, last.Status)
	s.Nil(last.DueAt)
	s.NotNil(last.ClosedAt)
}

// 宁夏: returned on 6 March with a reason, the department's second update task is still due on
// 16 March, 10 working days from the change on 2 March, not from the return: 宁夏 第八条 gives 15,
// the 条例 (第十七条第二款, in force since 2025-08-01) 10, which govern (3–6, 9–13, 16 March).
func (s *catalogSuite) TestReturnedKeepsOriginalDeadline() {
	s.setup("ningxia", cst("2026-03-02T10:00:00+08:00"))
	s.at("2026-03-05T10:00:00+08:00", func() { s.send(submit(1, approver, version(7, 1)), "") })
	s.at("2026-03-06T10:00:00+08:00", func() {
		s.send(reviewDecision(1, contract.DecisionReturn, nil), contract.ErrTypeRuleViolated) // a return needs its reason
		s.send(reviewDecision(1, contract.DecisionReturn, map[string]any{contract.FieldReason: "共享条件未写明"}), "")
	})
	s.at("2026-03-13T10:00:00+08:00", func() { s.send(submit(2, approver, version(7, 3)), "") })
	s.at("2026-03-17T10:00:00+08:00", func() { s.send(reviewDecision(2, contract.DecisionApprove, nil), "") })
	s.env.ExecuteWorkflow(CatalogUpdateWorkflow, catalogInput("2026-03-02", s.start))

	st := s.result()
	s.Equal(contract.CatalogUpdatePublished, st.Status)
	s.Equal(2, st.Round)
	for _, n := range []int{1, 2} {
		task := s.firstTask(catalogTaskID(contract.StepUpdate, n))
		s.Require().NotNil(task.DueAt)
		s.True(task.DueAt.Equal(cst("2026-03-16T23:59:59+08:00")), "update task %d due %s", n, task.DueAt)
		s.Equal([]string{"《政务数据共享条例》第十七条第二款", "《宁夏回族自治区政务数据资源共享管理办法》第八条第一款",
			"比照《宁夏回族自治区政务数据资源共享管理办法》第八条第一款（15个工作日），从严适用《政务数据共享条例》第十七条第二款（10个工作日）"}, task.LegalBasis)
	}
	s.False(s.lastTask(catalogTaskID(contract.StepUpdate, 2)).Overdue, "resubmitted on 13 March, in time")
	s.Equal([]activities.CatalogReviewInput{{UpdateID: updateID, Round: 1, Actor: authorityAct.Subject, Reason: "共享条件未写明"}}, s.returned)
	s.Equal([]activities.CatalogReviewInput{{UpdateID: updateID, Round: 2, Actor: authorityAct.Subject}}, s.published)
	s.Equal([]string{activities.EventCatalogUpdateOpened, activities.EventCatalogSubmitted, activities.EventCatalogReturned,
		activities.EventCatalogSubmitted, activities.EventCatalogPublished}, s.ownEvents())
	s.Equal([]string{contract.CatalogUpdateUpdating, contract.CatalogUpdateReviewing, contract.CatalogUpdateUpdating,
		contract.CatalogUpdateReviewing, contract.CatalogUpdatePublished}, s.statuses())
	// While it was back with the department the update showed the original deadline.
	var sawSecondDue bool
	for _, u := range s.updates {
		if u.Status == contract.CatalogUpdateUpdating && u.CurrentStep == contract.StepUpdate && u.DueAt != nil && !u.UpdatedAt.Before(cst("2026-03-06T10:00:00+08:00")) {
			sawSecondDue = sawSecondDue || u.DueAt.Equal(cst("2026-03-16T23:59:59+08:00"))
		}
	}
	s.True(sawSecondDue, "projection of the second round carries 16 March")
}

// A change on 5 January reported on 2 March: the update was due on 19 January (10 WD, the 条例
// 第十七条第二款 stricter than 宁夏's 15: 6–9, 12–16, 19 January),
// so the task is overdue, and long overdue, from the moment it opens, and the authority's
// supervision task (督办) opens with it.
func (s *catalogSuite) TestChangedOnInPastIsOverdueAtOnce() {
	s.setup("ningxia", cst("2026-03-02T10:00:00+08:00"))
	s.at("2026-03-03T10:00:00+08:00", func() { s.send(submit(1, approver, version(7, 1)), "") })
	s.at("2026-03-04T10:00:00+08:00", func() { s.send(reviewDecision(1, contract.DecisionApprove, nil), "") })
	s.env.ExecuteWorkflow(CatalogUpdateWorkflow, catalogInput("2026-01-05", s.start))

	s.result()
	id := catalogTaskID(contract.StepUpdate, 1)
	first := s.firstTask(id)
	s.Require().NotNil(first.DueAt)
	s.True(first.DueAt.Equal(cst("2026-01-19T23:59:59+08:00")), "due %s", first.DueAt)
	s.True(s.hasEvent(id, activities.EventOverdue, s.start), "overdue at the start: %+v", s.events)
	s.True(s.hasEvent(id, activities.EventLongOverdue, s.start), "long overdue at the start")
	// The reminders before 19 January passed before the task opened: none is sent late.
	for _, e := range s.events {
		s.NotEqual(activities.EventReminded, e.Kind, "late reminder %+v", e)
	}
	var supervised bool
	for _, t := range s.tasks {
		if t.TaskID == id+"/supervision" && t.Status == activities.TaskOpen && t.CandidateDepartmentID == authority && t.ReceivedAt.Equal(s.start) {
			supervised = true
		}
	}
	s.True(supervised, "supervision task opened at the start")
	s.True(s.lastTask(id).Overdue)
}

// 宁夏, a change on Wednesday 30 September 2026: 1–7 October are the National Day holiday and
// Saturday 10 October is worked (国办发明电〔2025〕7号). The 条例's 10 working days (第十七条第二款)
// govern over 宁夏's 15, so the deadline is Tuesday 20 October: 8, 9, 10, 12–16, 19, 20 (宁夏's
// 15th would be 27 October).
func (s *catalogSuite) TestDeadlineAcrossNationalDay() {
	s.setup("ningxia", cst("2026-09-30T15:00:00+08:00"))
	s.at("2026-10-19T10:00:00+08:00", func() { s.send(submit(1, approver, version(7, 1)), "") })
	s.at("2026-10-20T10:00:00+08:00", func() { s.send(reviewDecision(1, contract.DecisionApprove, nil), "") })
	s.env.ExecuteWorkflow(CatalogUpdateWorkflow, catalogInput("2026-09-30", s.start))

	s.result()
	task := s.lastTask(catalogTaskID(contract.StepUpdate, 1))
	s.Require().NotNil(task.DueAt)
	s.True(task.DueAt.Equal(cst("2026-10-20T23:59:59+08:00")), "due %s", task.DueAt)
	s.False(task.Overdue)
	s.False(task.Provisional)
	var projected bool
	for _, u := range s.updates {
		projected = projected || (u.DueAt != nil && u.DueAt.Equal(cst("2026-10-20T23:59:59+08:00")) && u.CurrentStep == contract.StepUpdate)
	}
	s.True(projected, "the update's row carries the due time")
}

// 内乡: the department applies within 5 WD (第二十二条); the authority's approval needs what it
// changed in the responsibility list (责任清单, 第二十二条) and opens its report to the city,
// due 5 WD after the approval (第二十三条): approved Thursday 5 March, due Thursday 12 March.
func (s *catalogSuite) TestNeixiangReportsToCity() {
	s.setup("neixiang", cst("2026-03-02T10:00:00+08:00"))
	s.at("2026-03-04T10:00:00+08:00", func() { s.send(submit(1, approver, version(7, 1)), "") })
	s.at("2026-03-05T10:00:00+08:00", func() {
		s.send(reviewDecision(1, contract.DecisionApprove, nil), contract.ErrTypeRuleViolated)
		s.send(reviewDecision(1, contract.DecisionApprove, map[string]any{contract.FieldResponsibilityList: "新增证照核验事项"}), "")
	})
	s.at("2026-03-06T10:00:00+08:00", func() {
		s.send(contract.CompleteUpdate{TaskID: catalogTaskID(contract.StepReportToCity, 1), Actor: approver,
			Decision: contract.DecisionReported, Fields: map[string]any{contract.FieldReference: "x"}}, contract.ErrTypeForbidden)
		s.send(contract.CompleteUpdate{TaskID: catalogTaskID(contract.StepReportToCity, 1), Actor: authorityAct,
			Decision: contract.DecisionReported, Fields: map[string]any{contract.FieldReference: "内数报〔2026〕3号"}}, "")
	})
	s.env.ExecuteWorkflow(CatalogUpdateWorkflow, catalogInput("2026-03-02", s.start))

	st := s.result()
	s.Equal(contract.CatalogUpdatePublished, st.Status)
	s.True(st.ResponsibilityListUpdated)
	update := s.firstTask(catalogTaskID(contract.StepUpdate, 1))
	s.True(update.DueAt.Equal(cst("2026-03-09T23:59:59+08:00")), "update due %s", update.DueAt)
	// 内乡's 5 WD are stricter than the 条例's 10 (第十七条第二款) and govern.
	s.Equal([]string{"《内乡县政务信息资源数据共享管理实施办法》第二十二条",
		"比照《政务数据共享条例》第十七条第二款（10个工作日），从严适用《内乡县政务信息资源数据共享管理实施办法》第二十二条（5个工作日）"}, update.LegalBasis)
	review := s.firstTask(catalogTaskID(contract.StepReview, 1))
	// 内乡 第二十二条's 5 WD from receipt on 4 March would end on 11 March; the 条例's 2 (第十七条
	// 第三款: 5 and 6 March) are stricter and govern.
	s.True(review.DueAt.Equal(cst("2026-03-06T23:59:59+08:00")), "review due %s (2 WD from receipt on 4 March)", review.DueAt)
	s.Equal("《政务数据共享条例》第十七条第三款", review.LegalBasis[0])
	report := s.firstTask(catalogTaskID(contract.StepReportToCity, 1))
	s.Require().NotNil(report.DueAt)
	s.True(report.DueAt.Equal(cst("2026-03-12T23:59:59+08:00")), "report due %s", report.DueAt)
	s.Equal(authority, report.CandidateDepartmentID)
	s.Equal(policy.RoleAuthority, report.CandidateRole)
	s.Equal([]string{"《内乡县政务信息资源数据共享管理实施办法》第二十三条"}, report.LegalBasis)
	s.Equal([]string{activities.EventCatalogUpdateOpened, activities.EventCatalogSubmitted, activities.EventCatalogPublished,
		activities.EventResponsibilityListUpdated, activities.EventReportedToCity}, s.ownEvents())
	s.Equal([]string{contract.CatalogUpdateUpdating, contract.CatalogUpdateReviewing, contract.CatalogUpdateReporting,
		contract.CatalogUpdatePublished}, s.statuses())
	s.True(s.updates[len(s.updates)-1].ResponsibilityListUpdated)
}

// A submission whose revisions moved on before they could be linked opens a new update task
// under the same deadline; nothing goes to review until a submission links.
func (s *catalogSuite) TestRefusedSubmissionReopensUpdate() {
	s.setup("liaoning", cst("2026-03-03T09:30:00+08:00"))
	s.at("2026-03-04T10:00:00+08:00", func() {
		s.refuseLinks = 1
		s.send(submit(1, approver, version(7, 1)), "")
	})
	s.at("2026-03-05T10:00:00+08:00", func() { s.send(submit(2, approver, version(7, 2)), "") })
	s.at("2026-03-06T10:00:00+08:00", func() { s.send(reviewDecision(1, contract.DecisionApprove, nil), "") })
	s.env.ExecuteWorkflow(CatalogUpdateWorkflow, catalogInput("2026-03-02", s.start))

	st := s.result()
	s.Equal(1, st.Round, "the refused submission is no round")
	s.Len(s.links, 2)
	s.Equal(1, s.links[1].Round)
	second := s.firstTask(catalogTaskID(contract.StepUpdate, 2))
	s.True(second.DueAt.Equal(cst("2026-03-16T23:59:59+08:00")), "due %s", second.DueAt)
	s.Equal([]string{activities.EventCatalogUpdateOpened, activities.EventCatalogSubmissionRefused, activities.EventCatalogSubmitted,
		activities.EventCatalogPublished}, s.ownEvents())
}

// An approval that cannot publish, because a linked revision was returned through the
// catalog meanwhile, publishes nothing: the rest goes back to the department with the cause,
// under the original deadline, and the next approval publishes.
func (s *catalogSuite) TestRefusedPublicationReturnsUpdate() {
	s.setup("liaoning", cst("2026-03-03T09:30:00+08:00"))
	s.at("2026-03-04T10:00:00+08:00", func() { s.send(submit(1, approver, version(7, 1), version(8, 1)), "") })
	s.at("2026-03-05T10:00:00+08:00", func() {
		s.refusePublish = 1
		long := string(make([]rune, maxReasonRunes+1))
		s.send(reviewDecision(1, contract.DecisionReturn, map[string]any{contract.FieldReason: long}), contract.ErrTypeInvalid)
		s.send(reviewDecision(1, contract.DecisionApprove, nil), "")
	})
	s.at("2026-03-06T10:00:00+08:00", func() { s.send(submit(2, approver, version(7, 3)), "") })
	s.at("2026-03-09T10:00:00+08:00", func() { s.send(reviewDecision(2, contract.DecisionApprove, nil), "") })
	s.env.ExecuteWorkflow(CatalogUpdateWorkflow, catalogInput("2026-03-02", s.start))

	st := s.result()
	s.Equal(contract.CatalogUpdatePublished, st.Status)
	s.Equal(2, st.Round)
	s.Require().Len(s.returned, 1)
	s.Equal(1, s.returned[0].Round)
	s.Contains(s.returned[0].Reason, "目录资源 8")
	s.Len(s.published, 2)
	second := s.firstTask(catalogTaskID(contract.StepUpdate, 2))
	s.True(second.DueAt.Equal(cst("2026-03-16T23:59:59+08:00")), "due %s", second.DueAt)
	s.Equal([]string{activities.EventCatalogUpdateOpened, activities.EventCatalogSubmitted, activities.EventCatalogPublishRefused,
		activities.EventCatalogSubmitted, activities.EventCatalogPublished}, s.ownEvents())
}
