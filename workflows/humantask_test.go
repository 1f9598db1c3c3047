package workflows

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// oneTaskWorkflow runs a single human task, standing in for a procedure workflow.
func oneTaskWorkflow(ctx workflow.Context, spec TaskSpec) (contract.TaskOutcome, error) {
	return RunHumanTask(ctx, spec)
}

// switchableCalendar lets a test change the calendar under a running workflow.
type switchableCalendar struct {
	mu  sync.Mutex
	cal *calendar.Calendar
}

func (s *switchableCalendar) Calendar(context.Context) (*calendar.Calendar, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cal, nil
}

func (s *switchableCalendar) set(c *calendar.Calendar) {
	s.mu.Lock()
	s.cal = c
	s.mu.Unlock()
}

// Departments and actors of the scenarios.
const (
	provider  = "dept-provider"
	applicant = "dept-applicant"
	authority = "dept-authority"
)

var (
	approver     = contract.Actor{Subject: "alice", DepartmentID: provider, Roles: []string{policy.RoleApprover}}
	otherDept    = contract.Actor{Subject: "mallory", DepartmentID: "dept-other", Roles: []string{policy.RoleApprover}}
	applicantAct = contract.Actor{Subject: "bob", DepartmentID: applicant, Roles: []string{policy.RoleApplicant}}
	authorityAct = contract.Actor{Subject: "carol", DepartmentID: authority, Roles: []string{policy.RoleAuthority}}
	deptHead     = contract.Actor{Subject: "dave", DepartmentID: provider, Roles: []string{policy.RoleDeptHead}}
)

// receivedAt: Thursday before the 2026 Spring Festival (15–23 Feb off, 14 and 28 Feb worked).
var receivedAt = cst("2026-02-12T10:00:00+08:00")

func cst(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

type humanTaskSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env      *testsuite.TestWorkflowEnvironment
	cals     *switchableCalendar
	mu       sync.Mutex
	sent     int // updates sent
	answered int // updates the workflow answered
	events   []activities.AppendTimelineInput
	projects []activities.ProjectTaskInput
}

func TestHumanTask(t *testing.T) { suite.Run(t, new(humanTaskSuite)) }

// setup builds the environment with the real deadline activity under the profile and mocked
// database activities that record their inputs.
func (s *humanTaskSuite) setup(profile string) {
	cal, err := calendar.New(calendar.Options{})
	s.Require().NoError(err)
	p, err := policy.Select(profile, "", policy.LocalDefaults{})
	s.Require().NoError(err)
	s.cals = &switchableCalendar{cal: cal}
	s.events, s.projects, s.sent, s.answered = nil, nil, 0, 0

	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetStartTime(receivedAt)
	s.env.RegisterWorkflow(oneTaskWorkflow)
	acts := &activities.Activities{Calendars: s.cals, Policy: p}
	s.env.RegisterActivity(acts)
	onWrite(s.env, acts.AppendTimeline,
		func(_ context.Context, in activities.AppendTimelineInput) (activities.AppendTimelineResult, error) {
			s.mu.Lock()
			s.events = append(s.events, in)
			s.mu.Unlock()
			return activities.AppendTimelineResult{}, nil
		})
	onWrite(s.env, acts.ProjectTask,
		func(_ context.Context, in activities.ProjectTaskInput) (activities.ProjectTaskResult, error) {
			s.mu.Lock()
			s.projects = append(s.projects, in)
			s.mu.Unlock()
			return activities.ProjectTaskResult{}, nil
		})
}

func (s *humanTaskSuite) spec(procedure string) TaskSpec {
	return TaskSpec{
		TaskID: contract.HumanTaskID("share-1", "reply", 1), RequestID: "1", Procedure: procedure, Step: "reply",
		Candidate: Party{DepartmentID: provider, Role: policy.RoleApprover},
		Watchers:  []Party{{applicant, policy.RoleApplicant}, {authority, policy.RoleAuthority}},
		Decisions: []activities.DecisionOption{
			{Code: "approve", RequiredFields: []string{"scope", "usage_purpose", "validity_days"}},
			{Code: "refuse", RequiredFields: []string{"reason_code", "reason"},
				Choices: map[string][]string{"reason_code": {"outside_duty", "other"}}},
		},
		ReceivedAt:  receivedAt,
		Departments: map[string]string{policy.DeptProvider: provider, policy.DeptApplicant: applicant, policy.DeptAuthority: authority},
	}
}

// at schedules fn at an instant of the scenario.
func (s *humanTaskSuite) at(when string, fn func()) {
	s.env.RegisterDelayedCallback(fn, cst(when).Sub(receivedAt))
}

// send sends an update and checks the answer when the workflow gives it: accepted and
// completed without error when errType is "", otherwise rejected with errType (and the
// rejection naming field, when field is not "").
func (s *humanTaskSuite) send(name string, arg any, errType, field string) {
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
			s.checkRejection(err, errType, field)
		},
		OnComplete: func(_ any, err error) {
			s.answered++
			s.NoError(err, "update %s failed after acceptance", name)
		},
	}, arg)
}

func (s *humanTaskSuite) checkRejection(err error, errType, field string) {
	var appErr *temporal.ApplicationError
	if !s.True(errors.As(err, &appErr), "want an application error of type %s, got %v", errType, err) {
		return
	}
	s.Equal(errType, appErr.Type(), appErr.Error())
	if field != "" {
		var d contract.RejectionDetails
		s.NoError(appErr.Details(&d))
		s.Equal(field, d.Field, appErr.Error())
	}
}

func (s *humanTaskSuite) approve(actor contract.Actor) contract.CompleteUpdate {
	return contract.CompleteUpdate{TaskID: s.spec("").TaskID, Actor: actor, Decision: "approve",
		Fields: map[string]any{"scope": "name, id", "usage_purpose": "social assistance", "validity_days": 365}}
}

func (s *humanTaskSuite) outcome() contract.TaskOutcome {
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var out contract.TaskOutcome
	s.Require().NoError(s.env.GetWorkflowResult(&out))
	s.Equal(s.sent, s.answered, "every update was answered")
	// Handlers run concurrently, so the mocked writes arrive in any order; the database orders
	// them the same way: timeline by Seq, projections by Revision (the highest wins).
	slices.SortFunc(s.events, func(a, b activities.AppendTimelineInput) int { return a.Seq - b.Seq })
	slices.SortFunc(s.projects, func(a, b activities.ProjectTaskInput) int { return a.Revision - b.Revision })
	return out
}

// eventTimes maps each timeline event kind to the instants it was recorded at.
func (s *humanTaskSuite) eventTimes() map[string][]time.Time {
	out := map[string][]time.Time{}
	for _, e := range s.events {
		out[e.Kind] = append(out[e.Kind], e.At)
	}
	return out
}

func (s *humanTaskSuite) requireTimes(kind string, want ...string) {
	s.T().Helper()
	got := s.eventTimes()[kind]
	s.Require().Len(got, len(want), "%s events at %v", kind, got)
	for i, w := range want {
		s.True(got[i].Equal(cst(w)), "%s #%d at %s, want %s", kind, i, got[i].In(calendar.Location()).Format(time.RFC3339), w)
	}
}

func (s *humanTaskSuite) TestCompleteReturnsOutcome() {
	s.setup("ningxia")
	s.at("2026-02-13T09:30:00+08:00", func() {
		s.send(contract.UpdateClaim, contract.ClaimUpdate{TaskID: s.spec("").TaskID, Actor: approver}, "", "")
		s.send(contract.UpdateComplete, s.approve(approver), "", "")
	})
	s.env.ExecuteWorkflow(oneTaskWorkflow, s.spec(policy.ProcShare))

	out := s.outcome()
	s.Equal("approve", out.Decision)
	s.Equal("alice", out.DecidedBy.Subject)
	s.Equal("social assistance", out.Fields["usage_purpose"])
	s.False(out.Overdue)
	s.Equal([]string{activities.EventTaskOpened, activities.EventClaimed, activities.EventCompleted}, s.kinds())
	// Sequence numbers are the idempotency keys: 1, 2, 3.
	for i, e := range s.events {
		s.Equal(i+1, e.Seq)
	}
	last := s.lastStepProjection()
	s.Equal(activities.TaskCompleted, last.Status)
	s.Equal("approve", last.Decision)
	s.True(last.DueAt.Equal(cst("2026-03-04T23:59:59+08:00")), "due %s", last.DueAt)
}

// lastStepProjection is the last projection of the task itself (not of its supervision or
// extension tasks).
func (s *humanTaskSuite) lastStepProjection() activities.ProjectTaskInput {
	for i := len(s.projects) - 1; i >= 0; i-- {
		if s.projects[i].Kind == activities.TaskKindStep {
			return s.projects[i]
		}
	}
	s.FailNow("no projection of the task")
	return activities.ProjectTaskInput{}
}

func (s *humanTaskSuite) kinds() []string {
	var out []string
	for _, e := range s.events {
		out = append(out, e.Kind)
	}
	return out
}

func (s *humanTaskSuite) TestValidatorRejections() {
	s.setup("ningxia")
	id := s.spec("").TaskID
	s.at("2026-02-13T09:30:00+08:00", func() {
		s.send(contract.UpdateComplete, s.approve(otherDept), contract.ErrTypeForbidden, "")
		s.send(contract.UpdateClaim, contract.ClaimUpdate{TaskID: id, Actor: applicantAct}, contract.ErrTypeForbidden, "")
		s.send(contract.UpdateClaim, contract.ClaimUpdate{TaskID: "share-9/reply/1", Actor: approver}, contract.ErrTypeNotFound, "")

		missing := s.approve(approver)
		delete(missing.Fields, "usage_purpose")
		s.send(contract.UpdateComplete, missing, contract.ErrTypeRuleViolated, "usage_purpose")
		refuse := contract.CompleteUpdate{TaskID: id, Actor: approver, Decision: "refuse", Fields: map[string]any{"reason_code": "other", "reason": "  "}}
		s.send(contract.UpdateComplete, refuse, contract.ErrTypeRuleViolated, "reason")
		// The reason code comes from the catalogue.
		for _, code := range []any{"R1", 7} {
			refuse.Fields = map[string]any{"reason_code": code, "reason": "不属于履职需要"}
			s.send(contract.UpdateComplete, refuse, contract.ErrTypeInvalid, "reason_code")
		}
		s.send(contract.UpdateComplete, contract.CompleteUpdate{TaskID: id, Actor: approver, Decision: "maybe"}, contract.ErrTypeInvalid, "decision")
		// The 条例 allows at most 10 working days (第二十一条第一款).
		s.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: id, Actor: approver, Workdays: 11, Reason: "busy"}, contract.ErrTypeRuleViolated, "workdays")

		s.send(contract.UpdateComplete, s.approve(approver), "", "")
		// Decided: every later action is a conflict.
		s.send(contract.UpdateComplete, s.approve(approver), contract.ErrTypeConflict, "")
		s.send(contract.UpdateUrge, contract.UrgeUpdate{TaskID: id, Actor: applicantAct}, contract.ErrTypeConflict, "")
	})
	s.env.ExecuteWorkflow(oneTaskWorkflow, s.spec(policy.ProcShare))
	s.Equal("approve", s.outcome().Decision)
	s.Equal([]string{activities.EventTaskOpened, activities.EventCompleted}, s.kinds(), "rejected updates leave no trace")
}

// Received 2026-02-12 under ningxia (share/reply: 10 working days, reminders [3, 1, 0],
// long overdue 5 working days after): due 4 March; reminders on the make-up Saturday 28 Feb,
// 3 and 4 March at 09:00; overdue at 24:00 on 4 March with a supervision task for the
// authority; long overdue at 24:00 on 11 March. The task stays actionable and is decided on 13
// March.
func (s *humanTaskSuite) TestRemindersOverdueLongOverdue() {
	s.setup("ningxia")
	s.at("2026-03-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, s.approve(approver), "", "")
	})
	s.env.ExecuteWorkflow(oneTaskWorkflow, s.spec(policy.ProcShare))

	out := s.outcome()
	s.True(out.Overdue)
	s.True(out.LongOverdue)
	s.requireTimes(activities.EventReminded, "2026-02-28T09:00:00+08:00", "2026-03-03T09:00:00+08:00", "2026-03-04T09:00:00+08:00")
	s.requireTimes(activities.EventOverdue, "2026-03-05T00:00:00+08:00")
	s.requireTimes(activities.EventLongOverdue, "2026-03-12T00:00:00+08:00")
	s.requireTimes(activities.EventCompleted, "2026-03-13T10:00:00+08:00")

	var supervision []activities.ProjectTaskInput
	for _, p := range s.projects {
		if p.Kind == activities.TaskKindSupervision {
			supervision = append(supervision, p)
		}
	}
	s.Require().Len(supervision, 3, "opened, long overdue, closed")
	s.Equal(authority, supervision[0].CandidateDepartmentID)
	s.Equal(policy.RoleAuthority, supervision[0].CandidateRole)
	s.Equal(activities.TaskOpen, supervision[0].Status)
	s.True(supervision[0].ReceivedAt.Equal(cst("2026-03-05T00:00:00+08:00")))
	s.True(supervision[1].LongOverdue)
	s.Equal(activities.TaskClosed, supervision[2].Status)
	for i := 1; i < len(s.projects); i++ {
		s.NotEqual(s.projects[i].Revision, s.projects[i-1].Revision, "revisions are unique")
	}
}

// Urges: once per working day per party. 14 Feb is a make-up Saturday (a working day of its
// own); 15 Feb is in the Spring Festival, so it belongs to 14 Feb's window.
func (s *humanTaskSuite) TestUrgeOncePerWorkingDay() {
	s.setup("ningxia")
	id := s.spec("").TaskID
	urge := func(a contract.Actor, errType string) {
		s.send(contract.UpdateUrge, contract.UrgeUpdate{TaskID: id, Actor: a, Text: "please reply"}, errType, "")
	}
	s.at("2026-02-13T10:00:00+08:00", func() {
		urge(applicantAct, "")
		urge(authorityAct, "") // another party has its own limit
		urge(approver, contract.ErrTypeForbidden)
	})
	s.at("2026-02-13T16:00:00+08:00", func() { urge(applicantAct, contract.ErrTypeRuleViolated) })
	s.at("2026-02-14T10:00:00+08:00", func() { urge(applicantAct, "") })
	s.at("2026-02-15T10:00:00+08:00", func() { urge(applicantAct, contract.ErrTypeRuleViolated) })
	s.at("2026-02-24T08:00:00+08:00", func() { urge(applicantAct, "") })
	s.at("2026-02-24T09:00:00+08:00", func() { s.send(contract.UpdateComplete, s.approve(approver), "", "") })
	s.env.ExecuteWorkflow(oneTaskWorkflow, s.spec(policy.ProcShare))

	s.outcome()
	s.requireTimes(activities.EventUrged, "2026-02-13T10:00:00+08:00", "2026-02-13T10:00:00+08:00",
		"2026-02-14T10:00:00+08:00", "2026-02-24T08:00:00+08:00")
	last := s.lastStepProjection()
	s.Equal(4, last.UrgeCount)
}

// neixiang open_data/reply allows one extension of at most 10 working days, approved by the
// producer's head (第四十六条). 5 working days move the due day from 4 to 11 March and the
// reminders with it.
func (s *humanTaskSuite) TestExtensionMovesDeadline() {
	s.setup("neixiang")
	id := s.spec("").TaskID
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: id, Actor: approver, Workdays: 11, Reason: "large data set"}, contract.ErrTypeRuleViolated, "")
		s.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: id, Actor: approver, Workdays: 5}, contract.ErrTypeInvalid, "reason")
		s.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: id, Actor: approver, Workdays: 5, Reason: "large data set"}, "", "")
		s.send(contract.UpdateDecideExtension, contract.DecideExtensionUpdate{TaskID: id, Actor: approver, Approve: true}, contract.ErrTypeForbidden, "")
		s.send(contract.UpdateDecideExtension, contract.DecideExtensionUpdate{TaskID: id, Actor: deptHead, Approve: true}, "", "")
		// The one extension is spent: a second is a conflict with the task's state.
		s.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: id, Actor: approver, Workdays: 1, Reason: "more"}, contract.ErrTypeConflict, "")
	})
	s.at("2026-03-12T10:00:00+08:00", func() { s.send(contract.UpdateComplete, s.approve(approver), "", "") })
	s.env.ExecuteWorkflow(oneTaskWorkflow, s.spec(policy.ProcOpenData))

	// The task offers the extension until it is spent; the approval task offers its decisions.
	offers := func(p activities.ProjectTaskInput) bool {
		return slices.ContainsFunc(p.Decisions, func(d activities.DecisionOption) bool { return d.Code == contract.DecisionRequestExtension })
	}
	var stepOffers []bool
	for _, p := range s.projects {
		if p.Kind == activities.TaskKindStep {
			stepOffers = append(stepOffers, offers(p))
		}
	}
	s.True(stepOffers[0], "the opened task offers request_extension")
	s.False(stepOffers[len(stepOffers)-1], "no request_extension once granted")

	out := s.outcome()
	s.True(out.Overdue)
	// 3, 1 and 0 working days before 11 March: 6, 10 and 11 March.
	s.requireTimes(activities.EventReminded, "2026-03-06T09:00:00+08:00", "2026-03-10T09:00:00+08:00", "2026-03-11T09:00:00+08:00")
	s.requireTimes(activities.EventOverdue, "2026-03-12T00:00:00+08:00")
	s.requireTimes(activities.EventDeadlineChanged, "2026-02-13T10:00:00+08:00")
	var ext []activities.ProjectTaskInput
	for _, p := range s.projects {
		if p.Kind == activities.TaskKindExtension {
			ext = append(ext, p)
		}
	}
	s.Require().Len(ext, 2)
	s.Equal(provider, ext[0].CandidateDepartmentID)
	s.Equal(policy.RoleDeptHead, ext[0].CandidateRole)
	s.Equal(activities.TaskCompleted, ext[1].Status)
	s.Equal([]string{contract.DecisionApproveExtension, contract.DecisionRefuseExtension},
		[]string{ext[0].Decisions[0].Code, ext[0].Decisions[1].Code})
}

// A calendar change (an admin makes Monday 2 March a day off) moves the open deadline from 4
// to 5 March once the recompute signal arrives; the timers follow.
func (s *humanTaskSuite) TestRecomputeSignalMovesDeadline() {
	s.setup("ningxia")
	s.at("2026-02-25T10:00:00+08:00", func() {
		changed, err := calendar.New(calendar.Options{Version: "cn-2026.1+r1", Overrides: []calendar.Override{
			{Date: calendar.Date{Year: 2026, Month: time.March, Day: 2}, Workday: false, Name: "test closure", Source: "test"},
		}})
		s.Require().NoError(err)
		s.cals.set(changed)
		s.env.SignalWorkflow(contract.SignalRecomputeDeadline, contract.RecomputeDeadlineSignal{CalendarVersion: "cn-2026.1+r1"})
	})
	s.at("2026-03-06T10:00:00+08:00", func() { s.send(contract.UpdateComplete, s.approve(approver), "", "") })
	s.env.ExecuteWorkflow(oneTaskWorkflow, s.spec(policy.ProcShare))

	s.outcome()
	s.requireTimes(activities.EventDeadlineChanged, "2026-02-25T10:00:00+08:00")
	// Before the change: 28 Feb. After: 1 working day before 5 March is 4 March, 0 is 5 March.
	s.requireTimes(activities.EventReminded, "2026-02-28T09:00:00+08:00", "2026-03-04T09:00:00+08:00", "2026-03-05T09:00:00+08:00")
	s.requireTimes(activities.EventOverdue, "2026-03-06T00:00:00+08:00")
	last := s.lastStepProjection()
	s.True(last.DueAt.Equal(cst("2026-03-05T23:59:59+08:00")), "due %s", last.DueAt)
	s.Equal("cn-2026.1+r1", last.CalendarVersion)
}

// Overdue at 24:00 on 4 March; on 5 March an admin corrects the calendar, making 3 and 4 March
// days off: the deadline moves to 6 March, which has not passed, so the overdue mark is taken
// back and the supervision task closed. The task becomes overdue again at 24:00 on 6 March.
func (s *humanTaskSuite) TestCalendarCorrectionWithdrawsOverdue() {
	s.setup("ningxia")
	s.at("2026-03-05T10:00:00+08:00", func() {
		changed, err := calendar.New(calendar.Options{Version: "cn-2026.1+r2", Overrides: []calendar.Override{
			{Date: calendar.Date{Year: 2026, Month: time.March, Day: 3}, Workday: false, Name: "correction", Source: "test"},
			{Date: calendar.Date{Year: 2026, Month: time.March, Day: 4}, Workday: false, Name: "correction", Source: "test"},
		}})
		s.Require().NoError(err)
		s.cals.set(changed)
		s.env.SignalWorkflow(contract.SignalRecomputeDeadline, contract.RecomputeDeadlineSignal{CalendarVersion: "cn-2026.1+r2"})
	})
	s.at("2026-03-09T10:00:00+08:00", func() { s.send(contract.UpdateComplete, s.approve(approver), "", "") })
	s.env.ExecuteWorkflow(oneTaskWorkflow, s.spec(policy.ProcShare))

	out := s.outcome()
	s.True(out.Overdue, "overdue again after the moved deadline")
	s.requireTimes(activities.EventOverdue, "2026-03-05T00:00:00+08:00", "2026-03-07T00:00:00+08:00")
	s.requireTimes(activities.EventOverdueWithdrawn, "2026-03-05T10:00:00+08:00")
	// The 9:00 reminder of 5 March had passed when the deadline moved: not sent late.
	s.requireTimes(activities.EventReminded, "2026-02-28T09:00:00+08:00", "2026-03-03T09:00:00+08:00",
		"2026-03-04T09:00:00+08:00", "2026-03-06T09:00:00+08:00")
	var statuses []string
	for _, p := range s.projects {
		if p.Kind == activities.TaskKindSupervision {
			statuses = append(statuses, p.Status)
		}
	}
	s.Equal([]string{activities.TaskOpen, activities.TaskClosed, activities.TaskOpen, activities.TaskClosed}, statuses)
}

// A task the authority holds, on a step whose policy allows it, is transferred to another
// department (转办): from then on that department decides, and the first one cannot. Without
// the policy's leave, and for anyone but the authority, a transfer stays in the department.
func (s *humanTaskSuite) TestAuthorityTransfersToAnotherDepartment() {
	s.setup("neixiang")
	spec := s.spec(policy.ProcShare)
	spec.Candidate = Party{DepartmentID: authority, Role: policy.RoleAuthority}
	spec.AllowDepartmentTransfer = true
	city := contract.Actor{Subject: "dan", DepartmentID: "dept-city", Roles: []string{policy.RoleAuthority}}
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateTransfer, contract.TransferUpdate{TaskID: spec.TaskID, Actor: authorityAct, ToDepartmentID: "dept-city", Reason: "市级事权"}, "", "")
		s.send(contract.UpdateComplete, s.approve(authorityAct), contract.ErrTypeForbidden, "")
		s.send(contract.UpdateComplete, s.approve(city), "", "")
	})
	s.env.ExecuteWorkflow(oneTaskWorkflow, spec)
	s.Equal(city.Subject, s.outcome().DecidedBy.Subject)
	s.Equal("dept-city", s.lastStepProjection().CandidateDepartmentID)
}

func (s *humanTaskSuite) TestDepartmentTransferNeedsThePolicysLeave() {
	s.setup("neixiang")
	spec := s.spec(policy.ProcShare)
	spec.Candidate = Party{DepartmentID: authority, Role: policy.RoleAuthority}
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateTransfer, contract.TransferUpdate{TaskID: spec.TaskID, Actor: authorityAct, ToDepartmentID: "dept-city"}, contract.ErrTypeRuleViolated, "")
		s.send(contract.UpdateComplete, s.approve(authorityAct), "", "")
	})
	s.env.ExecuteWorkflow(oneTaskWorkflow, spec)
	out := s.outcome()
	s.Equal("approve", out.Decision)
	s.Equal(authorityAct.Subject, out.DecidedBy.Subject, "the department that held the task decided it")
	s.Equal(authority, s.lastStepProjection().CandidateDepartmentID)
}

// One extension request per task (内乡 第四十六条): refused, it is spent too; too many working
// days names the field.
func (s *humanTaskSuite) TestExtensionRefusedIsSpent() {
	s.setup("neixiang")
	id := s.spec("").TaskID
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: id, Actor: approver, Workdays: 11, Reason: "large"}, contract.ErrTypeRuleViolated, "workdays")
		s.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: id, Actor: approver, Workdays: 5, Reason: "large data set"}, "", "")
		s.send(contract.UpdateDecideExtension, contract.DecideExtensionUpdate{TaskID: id, Actor: deptHead, Reason: "not needed"}, "", "")
		s.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: id, Actor: approver, Workdays: 3, Reason: "again"}, contract.ErrTypeConflict, "")
	})
	s.at("2026-02-24T10:00:00+08:00", func() { s.send(contract.UpdateComplete, s.approve(approver), "", "") })
	s.env.ExecuteWorkflow(oneTaskWorkflow, s.spec(policy.ProcOpenData))
	s.outcome()
}

// An extension still waiting when the task is decided is closed with it.
func (s *humanTaskSuite) TestPendingExtensionClosedOnDecision() {
	s.setup("neixiang")
	id := s.spec("").TaskID
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: id, Actor: approver, Workdays: 5, Reason: "large data set"}, "", "")
		s.send(contract.UpdateComplete, s.approve(approver), "", "")
	})
	s.env.ExecuteWorkflow(oneTaskWorkflow, s.spec(policy.ProcOpenData))
	s.outcome()
	var ext []string
	for _, p := range s.projects {
		if p.Kind == activities.TaskKindExtension {
			ext = append(ext, p.Status)
		}
	}
	s.Equal([]string{activities.TaskOpen, activities.TaskClosed}, ext)
}

// Once a task is overdue, the supervising authority (督办) may re-route it to another
// department where the step allows department transfer — even claimed — and that department
// decides it; without the step's leave it may not, and before the deadline it is no party.
func (s *humanTaskSuite) TestSupervisorReroutesOverdueTask() {
	s.setup("ningxia")
	spec := s.spec(policy.ProcShare)
	spec.AllowDepartmentTransfer = true
	right := contract.Actor{Subject: "rita", DepartmentID: "dept-right", Roles: []string{policy.RoleApprover}}
	reroute := contract.TransferUpdate{TaskID: spec.TaskID, Actor: authorityAct, ToDepartmentID: "dept-right", Reason: "数据由该部门产生"}
	s.at("2026-03-02T10:00:00+08:00", func() {
		s.send(contract.UpdateClaim, contract.ClaimUpdate{TaskID: spec.TaskID, Actor: approver}, "", "")
		s.send(contract.UpdateTransfer, reroute, contract.ErrTypeForbidden, "") // not overdue yet
	})
	s.at("2026-03-06T10:00:00+08:00", func() { // overdue since 24:00 on 4 March
		s.send(contract.UpdateTransfer, reroute, "", "")
		s.send(contract.UpdateComplete, s.approve(approver), contract.ErrTypeForbidden, "")
		s.send(contract.UpdateComplete, s.approve(right), "", "")
	})
	s.env.ExecuteWorkflow(oneTaskWorkflow, spec)
	s.Equal(right.Subject, s.outcome().DecidedBy.Subject)
	s.Equal("dept-right", s.lastStepProjection().CandidateDepartmentID)
}

// The authority supervising an overdue task (督办) comments on it and urges it, also where it
// is not one of the task's watchers (an annual report, the authority's review of a catalog
// update); before the deadline it may not.
func (s *humanTaskSuite) TestSupervisorCommentsAndUrgesOverdueTask() {
	s.setup("ningxia")
	spec := s.spec(policy.ProcShare)
	spec.Watchers = []Party{{applicant, policy.RoleApplicant}}
	urge := contract.UrgeUpdate{TaskID: spec.TaskID, Actor: authorityAct, Text: "请于本周内答复"}
	comment := contract.CommentUpdate{TaskID: spec.TaskID, Actor: authorityAct, Text: "已逾期，请说明原因"}
	s.at("2026-03-02T10:00:00+08:00", func() {
		s.send(contract.UpdateUrge, urge, contract.ErrTypeForbidden, "") // not overdue yet
		s.send(contract.UpdateComment, comment, contract.ErrTypeForbidden, "")
	})
	s.at("2026-03-06T10:00:00+08:00", func() { // overdue since 24:00 on 4 March
		s.send(contract.UpdateUrge, urge, "", "")
		s.send(contract.UpdateComment, comment, "", "")
		s.send(contract.UpdateUrge, urge, contract.ErrTypeRuleViolated, "") // once per working day
	})
	s.at("2026-03-09T10:00:00+08:00", func() { s.send(contract.UpdateComplete, s.approve(approver), "", "") })
	s.env.ExecuteWorkflow(oneTaskWorkflow, spec)
	s.outcome()
	s.requireTimes(activities.EventUrged, "2026-03-06T10:00:00+08:00")
	s.requireTimes(activities.EventCommented, "2026-03-06T10:00:00+08:00")
	s.Equal(1, s.lastStepProjection().UrgeCount)
}

func (s *humanTaskSuite) TestSupervisorNeedsTheStepsLeaveToReroute() {
	s.setup("ningxia")
	spec := s.spec(policy.ProcShare)
	s.at("2026-03-06T10:00:00+08:00", func() {
		s.send(contract.UpdateTransfer, contract.TransferUpdate{TaskID: spec.TaskID, Actor: authorityAct, ToDepartmentID: "dept-right"}, contract.ErrTypeForbidden, "")
		s.send(contract.UpdateComplete, s.approve(approver), "", "")
	})
	s.env.ExecuteWorkflow(oneTaskWorkflow, spec)
	out := s.outcome()
	s.Equal("approve", out.Decision)
	s.Equal(approver.Subject, out.DecidedBy.Subject, "the provider's approver still decides")
	s.True(out.Overdue)
	s.Equal(provider, s.lastStepProjection().CandidateDepartmentID)
}
