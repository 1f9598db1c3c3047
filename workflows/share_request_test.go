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

const requestID = "SR-1"

var (
	shareWorkflowID = contract.ShareRequestWorkflowID(requestID)
	authorityHead   = contract.Actor{Subject: "erin", DepartmentID: authority, Roles: []string{policy.RoleDeptHead}}
)

// saChange is one upsert of search attributes as the workflow made it.
type saChange struct {
	status string
	due    time.Time
}

type shareSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env      *testsuite.TestWorkflowEnvironment
	cals     *switchableCalendar
	mu       sync.Mutex
	sent     int
	answered int
	events   []activities.AppendTimelineInput
	tasks    []activities.ProjectTaskInput
	requests []activities.ProjectShareRequestInput
	grants   []activities.ProjectGrantInput
	sa       []saChange
	memo     map[string]any
}

func TestShareRequest(t *testing.T) { suite.Run(t, new(shareSuite)) }

// setup runs the real deadline and procedure activities under the profile and records the
// database writes, which are mocked.
func (s *shareSuite) setup(profile string) {
	cal, err := calendar.New(calendar.Options{})
	s.Require().NoError(err)
	p, err := policy.Select(profile, "", policy.LocalDefaults{})
	s.Require().NoError(err)
	s.events, s.tasks, s.requests, s.grants, s.sa, s.memo = nil, nil, nil, nil, nil, nil
	s.sent, s.answered = 0, 0

	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetStartTime(receivedAt)
	s.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: shareWorkflowID})
	s.env.RegisterWorkflow(ShareRequestWorkflow)
	s.cals = &switchableCalendar{cal: cal}
	acts := &activities.Activities{Calendars: s.cals, Policy: p}
	shareActs := &activities.ShareActivities{}
	s.env.RegisterActivity(acts)
	s.env.RegisterActivity(shareActs)
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
	onWrite(s.env, shareActs.ProjectShareRequest,
		func(_ context.Context, in activities.ProjectShareRequestInput) (activities.ProjectShareRequestResult, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.requests = append(s.requests, in)
			return activities.ProjectShareRequestResult{}, nil
		})
	onWrite(s.env, shareActs.ProjectGrant,
		func(_ context.Context, in activities.ProjectGrantInput) (activities.ProjectGrantResult, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.grants = append(s.grants, in)
			return activities.ProjectGrantResult{}, nil
		})
	s.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		attrs := args.Get(0).(temporal.SearchAttributes)
		var c saChange
		c.status, _ = attrs.GetKeyword(contract.StatusKey)
		c.due, _ = attrs.GetTime(contract.DueAtKey)
		s.sa = append(s.sa, c)
	}).Return(nil)
	s.env.OnUpsertMemo(mock.Anything).Run(func(args mock.Arguments) {
		s.memo = args.Get(0).(map[string]any)
	}).Return(nil)
}

func shareInput(shareType string) contract.ShareRequestInput {
	return contract.ShareRequestInput{
		RequestID: requestID,
		Resource: contract.ShareResource{ID: 7, Code: "NX-1", Name: "企业年报信息", ShareType: shareType,
			ProviderDeptID: provider},
		Applicant: contract.ShareApplicant{DepartmentID: applicant, Subject: applicantAct.Subject},
		ShareForm: contract.ShareForm{Purpose: "social assistance", Scope: "name, id", DutyBasis: "低保审核",
			RequestedValidityDays: 180},
		ReceivedAt:     receivedAt,
		DecidingDeptID: provider, AuthorityDeptID: authority,
	}
}

func (s *shareSuite) at(when string, fn func()) {
	s.env.RegisterDelayedCallback(fn, cst(when).Sub(receivedAt))
}

// send sends an update; errType "" expects success, otherwise a rejection of that type.
func (s *shareSuite) send(name string, arg any, errType string) {
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

func taskID(step string) string { return contract.HumanTaskID(shareWorkflowID, step, 1) }

func decide(step, decision string, actor contract.Actor, fields map[string]any) contract.CompleteUpdate {
	return contract.CompleteUpdate{TaskID: taskID(step), Actor: actor, Decision: decision, Fields: fields}
}

func grantTerms(days int) map[string]any {
	return map[string]any{"scope": "name", "usage_purpose": "social assistance", "validity_days": days, "conditions": "no onward sharing"}
}

var refusal = map[string]any{"reason_code": "secret_or_privacy", "reason": "contains personal data", "legal_basis": "《办法》第十一条"}

// result returns the workflow's final state once every update was answered; writes are sorted
// as the database orders them (timeline by task and sequence, projections by revision).
func (s *shareSuite) result() contract.ShareRequestState {
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var st contract.ShareRequestState
	s.Require().NoError(s.env.GetWorkflowResult(&st))
	s.Equal(s.sent, s.answered, "every update was answered")
	slices.SortStableFunc(s.requests, func(a, b activities.ProjectShareRequestInput) int { return a.Revision - b.Revision })
	slices.SortStableFunc(s.grants, func(a, b activities.ProjectGrantInput) int { return a.Revision - b.Revision })
	return st
}

// requestEvents are the kinds of the request's own timeline events, in sequence order.
// lastRequestEvent is the request's own last timeline event.
func (s *shareSuite) lastRequestEvent() activities.AppendTimelineInput {
	var last activities.AppendTimelineInput
	for _, e := range s.events {
		if e.TaskID == shareWorkflowID+"/request" && e.Seq > last.Seq {
			last = e
		}
	}
	return last
}

func (s *shareSuite) requestEvents() []string {
	var own []activities.AppendTimelineInput
	for _, e := range s.events {
		if e.TaskID == shareWorkflowID+"/request" {
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

func (s *shareSuite) lastRequest() activities.ProjectShareRequestInput {
	s.Require().NotEmpty(s.requests)
	return s.requests[len(s.requests)-1]
}

func (s *shareSuite) lastGrant() activities.ProjectGrantInput {
	s.Require().NotEmpty(s.grants)
	return s.grants[len(s.grants)-1]
}

// lastTask is the last projection of a step's task (not its supervision or extension).
func (s *shareSuite) lastTask(id string) activities.ProjectTaskInput {
	var last activities.ProjectTaskInput
	for _, t := range s.tasks {
		if t.TaskID == id && t.Revision > last.Revision {
			last = t
		}
	}
	s.Require().NotZero(last.Revision, "task %s projected", id)
	return last
}

func (s *shareSuite) statuses() []string {
	var out []string
	for _, c := range s.sa {
		if c.status != "" && (len(out) == 0 || out[len(out)-1] != c.status) {
			out = append(out, c.status)
		}
	}
	return out
}

// Approve on 13 Feb with 30 days: a grant valid until 15 March, which then expires. The reply
// was due on 4 March (ningxia 10 WD across the Spring Festival); the search attributes carry
// it while the task is open, and the memo the title.
func (s *shareSuite) TestApproveGrantsAndExpires() {
	s.setup("ningxia")
	s.at("2026-02-13T10:00:00+08:00", func() {
		// A validity that is not a whole number of days from 1 never enters history.
		for _, bad := range []any{"abc", 0, -5, 1.5} {
			terms := grantTerms(30)
			terms["validity_days"] = bad
			s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionApprove, approver, terms), contract.ErrTypeInvalid)
		}
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionApprove, approver, grantTerms(30)), "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(contract.ShareStatusExpired, st.Status, "the request's status follows its grant")
	s.True(st.Final)
	s.Equal("ningxia", st.Jurisdiction)
	s.Require().NotNil(st.Grant)
	s.True(st.Grant.ValidUntil.Equal(cst("2026-03-15T10:00:00+08:00")), "valid until %s", st.Grant.ValidUntil)
	s.Equal(activities.GrantExpired, st.Grant.Status)
	s.Equal([]string{activities.EventSubmitted, activities.EventGranted, activities.EventGrantExpired}, s.requestEvents())

	g := s.lastGrant()
	s.Equal("G-SR-1", g.ID)
	s.Equal(activities.GrantExpired, g.Status)
	s.Equal(applicant, g.ConsumerDeptID)
	s.Equal("no onward sharing", g.Conditions)
	s.Equal(activities.GrantActive, s.grants[0].Status)

	last := s.lastRequest()
	s.Equal(contract.ShareStatusExpired, last.Status)
	s.Nil(last.DueAt)
	s.NotNil(last.ClosedAt)
	s.Equal(activities.TaskCompleted, s.lastTask(taskID(contract.StepReply)).Status)
	// The refusal's reason code is offered from the profile's catalogue.
	refuse := s.lastTask(taskID(contract.StepReply)).Decisions[1]
	s.Equal(contract.DecisionRefuse, refuse.Code)
	s.Contains(refuse.Choices["reason_code"], "outside_duty")
	s.Contains(refuse.Choices["reason_code"], "not_shared_by_law")

	s.Equal([]string{contract.ShareStatusPending, contract.ShareStatusGranted, contract.ShareStatusExpired}, s.statuses())
	var sawDue bool
	for _, c := range s.sa {
		sawDue = sawDue || c.due.Equal(cst("2026-03-04T23:59:59+08:00"))
	}
	s.True(sawDue, "due time in the search attributes: %+v", s.sa)
	// The SDK hides an unset value from the test's view of the upsert; the replay test's real
	// server shows the attribute removed.
	s.True(s.sa[len(s.sa)-1].due.IsZero(), "no due time after the decision: %+v", s.sa)
	s.Equal("企业年报信息 / "+applicant, s.memo[contract.MemoTitle])

	// The query returns the same state.
	v, err := s.env.QueryWorkflow(contract.QueryShareRequest)
	s.Require().NoError(err)
	var q contract.ShareRequestState
	s.Require().NoError(v.Get(&q))
	s.Equal(contract.ShareStatusExpired, q.Status)
}

// Refused on 13 Feb; the applicant asks for negotiation on 16 Feb. On 24 Feb the two
// departments negotiate on one shared task: the applicant proposes 10 days, the provider
// counter-proposes 20, the applicant agrees: a grant on the agreed terms.
func (s *shareSuite) TestRefuseNegotiateAgree() {
	s.setup("ningxia")
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRefuse, approver, refusal), "")
	})
	s.at("2026-02-16T10:00:00+08:00", func() {
		s.send(contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: approver, Reason: "x"}, contract.ErrTypeForbidden)
		s.send(contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: applicantAct, Reason: "needed for 低保"}, "")
		s.send(contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: applicantAct, Reason: "again"}, contract.ErrTypeConflict)
	})
	s.at("2026-02-24T10:00:00+08:00", func() {
		nego := func(a contract.Actor, fields map[string]any) contract.CompleteUpdate {
			return decide(contract.StepNegotiate, contract.DecisionAgree, a, fields)
		}
		s.send(contract.UpdateComplete, nego(otherDept, grantTerms(10)), contract.ErrTypeForbidden)
		s.send(contract.UpdateClaim, contract.ClaimUpdate{TaskID: taskID(contract.StepNegotiate), Actor: approver}, contract.ErrTypeRuleViolated)
		// Nothing to agree to yet: an agreement without terms names the missing field.
		s.send(contract.UpdateComplete, nego(approver, map[string]any{}), contract.ErrTypeRuleViolated)
		s.send(contract.UpdateComplete, nego(applicantAct, grantTerms(10)), "")
		s.send(contract.UpdateComplete, nego(applicantAct, map[string]any{}), contract.ErrTypeConflict)
		s.send(contract.UpdateComplete, nego(approver, grantTerms(20)), "")
		s.send(contract.UpdateComment, contract.CommentUpdate{TaskID: taskID(contract.StepNegotiate), Actor: applicantAct, Text: "同意20天"}, "")
		s.send(contract.UpdateComplete, nego(applicantAct, map[string]any{}), "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(contract.ShareStatusExpired, st.Status)
	s.Equal(contract.StepNegotiate+"/"+contract.DecisionAgree, st.Grant.Basis)
	s.True(st.Grant.ValidUntil.Equal(cst("2026-03-16T10:00:00+08:00")), "the provider's 20 days, agreed: %s", st.Grant.ValidUntil)
	s.Len(st.Decisions, 2)
	s.Equal(applicantAct.Subject, st.Decisions[1].DecidedBy.Subject)
	// One task in both inboxes; the proposals and the agreement on its timeline.
	nego := s.lastTask(taskID(contract.StepNegotiate))
	s.Equal(provider, nego.CandidateDepartmentID)
	s.Equal(applicant, nego.PartnerDepartmentID)
	s.Equal(policy.RoleApplicant, nego.PartnerRole)
	s.Nil(nego.Proposal)
	var events []activities.AppendTimelineInput
	for _, e := range s.events {
		if e.TaskID == taskID(contract.StepNegotiate) {
			events = append(events, e)
		}
	}
	slices.SortFunc(events, func(a, b activities.AppendTimelineInput) int { return a.Seq - b.Seq })
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	s.Equal([]string{activities.EventTaskOpened, activities.EventProposed, activities.EventProposed,
		activities.EventCommented, activities.EventCompleted}, kinds)
	s.Equal([]string{activities.EventSubmitted, activities.EventRefused, activities.EventNegotiationAsked,
		activities.EventGranted, activities.EventGrantExpired}, s.requestEvents())
	s.Equal([]string{contract.ShareStatusPending, contract.ShareStatusRefused, contract.ShareStatusNegotiating, contract.ShareStatusGranted, contract.ShareStatusExpired}, s.statuses())
	// The refusal's window is the negotiate step's local-default deadline: 10 WD from 13 Feb.
	for _, r := range s.requests {
		if r.Status == contract.ShareStatusRefused {
			s.Require().NotNil(r.DueAt)
			s.True(r.DueAt.Equal(cst("2026-03-05T23:59:59+08:00")), "window until %s", r.DueAt)
		}
	}
}

// Negotiation fails; the authority coordinates and grants (final).
func (s *shareSuite) TestNegotiationFailsCoordinationGrants() {
	s.setup("ningxia")
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRefuse, approver, refusal), "")
	})
	s.at("2026-02-16T10:00:00+08:00", func() {
		s.send(contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: applicantAct}, "")
	})
	s.at("2026-02-24T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepNegotiate, contract.DecisionFail, approver, map[string]any{"reason": "no agreement"}), "")
	})
	s.at("2026-02-26T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepCoordinate, contract.DecisionGrant, approver, grantTerms(90)), contract.ErrTypeForbidden)
		s.send(contract.UpdateComplete, decide(contract.StepCoordinate, contract.DecisionGrant, authorityAct, grantTerms(90)), "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(contract.ShareStatusExpired, st.Status)
	s.Equal(contract.StepCoordinate+"/"+contract.DecisionGrant, st.Grant.Basis)
	s.Equal([]string{contract.ShareStatusPending, contract.ShareStatusRefused, contract.ShareStatusNegotiating, contract.ShareStatusCoordinating, contract.ShareStatusGranted, contract.ShareStatusExpired}, s.statuses())
	s.Contains(s.requestEvents(), activities.EventNegotiationFailed)
	coord := s.lastTask(taskID(contract.StepCoordinate))
	s.Equal(authority, coord.CandidateDepartmentID)
	s.Equal(policy.RoleAuthority, coord.CandidateRole)
}

// Coordination upholds the refusal: final, no grant.
func (s *shareSuite) TestCoordinationUpholdsRefusal() {
	s.setup("ningxia")
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRefuse, approver, refusal), "")
	})
	s.at("2026-02-16T10:00:00+08:00", func() {
		s.send(contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: applicantAct}, "")
	})
	s.at("2026-02-24T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepNegotiate, contract.DecisionFail, approver, map[string]any{"reason": "no agreement"}), "")
	})
	s.at("2026-02-26T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepCoordinate, contract.DecisionUpholdRefusal, authorityAct, map[string]any{}), contract.ErrTypeRuleViolated)
		s.send(contract.UpdateComplete, decide(contract.StepCoordinate, contract.DecisionUpholdRefusal, authorityAct, map[string]any{"reason": "personal data"}), "")
		s.send(contract.UpdateWithdraw, contract.WithdrawUpdate{Actor: applicantAct}, contract.ErrTypeConflict)
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(contract.ShareStatusRejected, st.Status)
	s.True(st.Final)
	s.Nil(st.Grant)
	s.Empty(s.grants)
	s.Equal(activities.EventRefusalFinal, s.requestEvents()[len(s.requestEvents())-1])
	s.Equal(policy.ProductRuleCoordinationFinal, s.lastRequestEvent().Data["product_rule"],
		"the timeline says the coordination is final by the product's rule, not by law")
}

// Nobody asks for negotiation: the refusal is final at the end of the window (24:00 on 5
// March), and a late request is refused.
func (s *shareSuite) TestNegotiationWindowExpires() {
	s.setup("ningxia")
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRefuse, approver, refusal), "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(contract.ShareStatusRejected, st.Status)
	final := s.lastRequest()
	s.Require().NotNil(final.ClosedAt)
	s.True(final.ClosedAt.Equal(cst("2026-03-06T00:00:00+08:00")), "closed at %s", final.ClosedAt)
	ev := s.lastRequestEvent()
	s.Equal(activities.EventRefusalFinal, ev.Kind)
	s.Equal(policy.ProductRuleRefusalFinal, ev.Data["product_rule"],
		"the timeline says the refusal is final by the product's rule, not by law")
}

// An admin makes Monday 2 March a day off while the request is refused: the negotiation
// window moves from 5 to 6 March, and a request on 6 March is still in time.
func (s *shareSuite) TestCalendarChangeMovesNegotiationWindow() {
	s.setup("ningxia")
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRefuse, approver, refusal), "")
	})
	s.at("2026-02-25T10:00:00+08:00", func() {
		changed, err := calendar.New(calendar.Options{Version: "cn-2026.1+r1", Overrides: []calendar.Override{
			{Date: calendar.Date{Year: 2026, Month: time.March, Day: 2}, Workday: false, Name: "test closure", Source: "test"},
		}})
		s.Require().NoError(err)
		s.cals.set(changed)
		s.env.SignalWorkflow(contract.SignalRecomputeDeadline, contract.RecomputeDeadlineSignal{CalendarVersion: "cn-2026.1+r1"})
	})
	s.at("2026-03-06T10:00:00+08:00", func() {
		s.send(contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: applicantAct}, "")
	})
	s.at("2026-03-09T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepNegotiate, contract.DecisionAgree, approver, grantTerms(5)), "")
		s.send(contract.UpdateComplete, decide(contract.StepNegotiate, contract.DecisionAgree, applicantAct, nil), "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(contract.ShareStatusExpired, st.Status)
	s.Contains(s.requestEvents(), activities.EventDeadlineChanged)
	var windows []time.Time
	for _, r := range s.requests {
		if r.Status == contract.ShareStatusRefused && r.DueAt != nil {
			windows = append(windows, *r.DueAt)
		}
	}
	s.Require().Len(windows, 2)
	s.True(windows[0].Equal(cst("2026-03-05T23:59:59+08:00")), "first window %s", windows[0])
	s.True(windows[1].Equal(cst("2026-03-06T23:59:59+08:00")), "moved window %s", windows[1])
}

// 不予共享: no reply; straight to negotiation with the applicant's duty basis.
func (s *shareSuite) TestNoneTypeGoesToNegotiation() {
	s.setup("ningxia")
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepNegotiate, contract.DecisionAgree, approver, grantTerms(10)), "")
		s.send(contract.UpdateComplete, decide(contract.StepNegotiate, contract.DecisionAgree, applicantAct, nil), "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareNone))

	st := s.result()
	s.Equal(contract.ShareStatusExpired, st.Status)
	for _, t := range s.tasks {
		s.NotEqual(contract.StepReply, t.Step, "no reply task for a resource not for sharing")
	}
	form, err := json.Marshal(s.lastRequest().Form)
	s.Require().NoError(err)
	s.JSONEq(`{"purpose":"social assistance","scope":"name, id","duty_basis":"低保审核","requested_validity_days":180}`,
		string(form), "the form is written whole")
	s.Equal(contract.ShareStatusNegotiating, s.statuses()[0])
}

// 无条件共享: granted at once on the requested terms.
func (s *shareSuite) TestUnconditionalGrantedAtOnce() {
	s.setup("ningxia")
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareUnconditional))

	st := s.result()
	s.Equal("unconditional", st.Grant.Basis)
	s.True(st.Grant.ValidFrom.Equal(receivedAt))
	s.True(st.Grant.ValidUntil.Equal(receivedAt.AddDate(0, 0, 180)))
	s.Empty(s.tasks)
	s.Equal(activities.GrantExpired, s.lastGrant().Status)
}

// Withdrawn while the reply is open: the task is projected closed and the request ends.
func (s *shareSuite) TestWithdrawDuringReply() {
	s.setup("ningxia")
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateWithdraw, contract.WithdrawUpdate{Actor: otherDept}, contract.ErrTypeForbidden)
		s.send(contract.UpdateWithdraw, contract.WithdrawUpdate{Actor: contract.Actor{Subject: "bob2", DepartmentID: applicant, Roles: []string{policy.RoleApprover}}}, contract.ErrTypeForbidden)
		s.send(contract.UpdateWithdraw, contract.WithdrawUpdate{Actor: applicantAct, Reason: "no longer needed"}, "")
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionApprove, approver, grantTerms(30)), contract.ErrTypeConflict)
		s.send(contract.UpdateWithdraw, contract.WithdrawUpdate{Actor: applicantAct}, contract.ErrTypeConflict)
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(contract.ShareStatusWithdrawn, st.Status)
	s.Nil(st.Grant)
	s.Equal(activities.TaskClosed, s.lastTask(taskID(contract.StepReply)).Status)
	s.Equal(contract.ShareStatusWithdrawn, s.lastRequest().Status)
	s.Nil(s.lastRequest().DueAt)
	s.Equal([]string{activities.EventSubmitted, activities.EventWithdrawn}, s.requestEvents())
}

// Withdrawn after a refusal, while the applicant could still ask for negotiation.
func (s *shareSuite) TestWithdrawWhileRefused() {
	s.setup("ningxia")
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRefuse, approver, refusal), "")
	})
	s.at("2026-02-16T10:00:00+08:00", func() {
		s.send(contract.UpdateWithdraw, contract.WithdrawUpdate{Actor: applicantAct, Reason: "found another source"}, "")
		s.send(contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: applicantAct}, contract.ErrTypeConflict)
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(contract.ShareStatusWithdrawn, st.Status)
	s.True(s.env.Now().Before(cst("2026-02-17T00:00:00+08:00")), "ended at the withdrawal, not the window's end")
	s.Equal([]string{activities.EventSubmitted, activities.EventRefused, activities.EventWithdrawn}, s.requestEvents())
}

// Withdrawn while the negotiation task is being opened: the task, if projected at all, ends
// closed, and no task is left open.
func (s *shareSuite) TestWithdrawAsNegotiationOpens() {
	s.setup("ningxia")
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRefuse, approver, refusal), "")
	})
	s.at("2026-02-16T10:00:00+08:00", func() {
		s.send(contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: applicantAct}, "")
	})
	s.at("2026-02-16T10:00:01+08:00", func() {
		s.send(contract.UpdateWithdraw, contract.WithdrawUpdate{Actor: applicantAct}, "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(contract.ShareStatusWithdrawn, st.Status)
	last := map[string]activities.ProjectTaskInput{}
	for _, t := range s.tasks {
		if t.Revision > last[t.TaskID].Revision {
			last[t.TaskID] = t
		}
	}
	for id, t := range last {
		s.NotEqual(activities.TaskOpen, t.Status, "task %s left open", id)
	}
	s.Equal(contract.ShareStatusWithdrawn, s.lastRequest().Status)
}

// Withdrawn during negotiation, after the overdue supervision task was opened: both close.
func (s *shareSuite) TestWithdrawDuringNegotiation() {
	s.setup("ningxia")
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRefuse, approver, refusal), "")
	})
	s.at("2026-02-16T10:00:00+08:00", func() {
		s.send(contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: applicantAct}, "")
	})
	s.at("2026-03-10T10:00:00+08:00", func() {
		s.send(contract.UpdateWithdraw, contract.WithdrawUpdate{Actor: applicantAct}, "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(contract.ShareStatusWithdrawn, st.Status)
	s.Equal(activities.TaskClosed, s.lastTask(taskID(contract.StepNegotiate)).Status)
	sup := s.lastTask(supervisionTaskID(taskID(contract.StepNegotiate)))
	s.Equal(activities.TaskClosed, sup.Status)
}

// The authority suspends, resumes and revokes the grant; reasons required, others refused.
func (s *shareSuite) TestGrantSuspendResumeRevoke() {
	s.setup("ningxia")
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateSuspendGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "early"}, contract.ErrTypeConflict)
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionApprove, approver, grantTerms(365)), "")
	})
	s.at("2026-03-02T10:00:00+08:00", func() {
		s.send(contract.UpdateSuspendGrant, contract.GrantActionUpdate{Actor: authorityAct}, contract.ErrTypeInvalid)
		// The authority acts, and under the 条例 the providing department (see
		// TestProviderSuspendsUnderTheRegulation); another department's approver and the
		// authority's head without the authority role do not.
		s.send(contract.UpdateSuspendGrant, contract.GrantActionUpdate{Actor: otherDept, Reason: "misuse"}, contract.ErrTypeForbidden)
		s.send(contract.UpdateSuspendGrant, contract.GrantActionUpdate{Actor: authorityHead, Reason: "misuse"}, contract.ErrTypeForbidden)
		s.send(contract.UpdateResumeGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "fine"}, contract.ErrTypeConflict)
		s.send(contract.UpdateSuspendGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "used beyond scope"}, "")
		s.send(contract.UpdateSuspendGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "again"}, contract.ErrTypeConflict)
	})
	s.at("2026-03-09T10:00:00+08:00", func() {
		s.send(contract.UpdateResumeGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "rectified"}, "")
	})
	s.at("2026-04-01T10:00:00+08:00", func() {
		s.send(contract.UpdateRevokeGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "security risk"}, "")
		s.send(contract.UpdateRevokeGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "again"}, contract.ErrTypeConflict)
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))

	st := s.result()
	s.Equal(activities.GrantRevoked, st.Grant.Status)
	s.Equal("security risk", st.Grant.StatusReason)
	// Administrators find suspended and revoked grants by the request's status.
	s.Equal(contract.ShareStatusRevoked, st.Status)
	s.Equal(contract.ShareStatusRevoked, s.lastRequest().Status)
	s.Equal([]string{contract.ShareStatusPending, contract.ShareStatusGranted, contract.ShareStatusSuspended,
		contract.ShareStatusGranted, contract.ShareStatusRevoked}, s.statuses())
	var got []string
	for _, g := range s.grants {
		got = append(got, g.Status)
	}
	s.Equal([]string{activities.GrantActive, activities.GrantSuspended, activities.GrantActive, activities.GrantRevoked}, got)
	s.Equal([]string{activities.EventSubmitted, activities.EventGranted, activities.EventGrantSuspended,
		activities.EventGrantResumed, activities.EventGrantRevoked}, s.requestEvents())
	for _, e := range s.events {
		if e.Kind == activities.EventGrantSuspended {
			// 宁夏's measures state no power to suspend; the 条例 does, since 2025-08-01.
			s.Equal(false, e.Data["local_default"])
			s.Equal([]any{"《政务数据共享条例》第二十七条第二款"}, e.Data["legal_basis"])
		}
	}
	// The workflow ended at the revocation, not at the end of the validity.
	s.True(s.env.Now().Before(cst("2026-04-02T00:00:00+08:00")), "ended at %s", s.env.Now())
}

// 内乡 第十二条: the authority decides the reply; there is no negotiation step, so a dispute goes
// straight to coordination, and the window is the coordinate step's deadline.
func (s *shareSuite) TestNeixiangAuthorityDecidesAndDisputeGoesToCoordination() {
	s.setup("neixiang")
	in := shareInput(contract.ShareConditional)
	in.DecidingDeptID = authority
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRefuse, approver, refusal), contract.ErrTypeForbidden)
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionRefuse, authorityAct, refusal), "")
	})
	s.at("2026-02-16T10:00:00+08:00", func() {
		s.send(contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: applicantAct, Reason: "dispute"}, "")
	})
	s.at("2026-02-24T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepCoordinate, contract.DecisionGrant, authorityAct, grantTerms(30)), "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, in)

	st := s.result()
	s.Equal("neixiang", st.Jurisdiction)
	s.Equal(contract.StepCoordinate+"/"+contract.DecisionGrant, st.Grant.Basis)
	reply := s.lastTask(taskID(contract.StepReply))
	s.Equal(authority, reply.CandidateDepartmentID)
	s.Equal(policy.RoleAuthority, reply.CandidateRole)
	for _, t := range s.tasks {
		s.NotEqual(contract.StepNegotiate, t.Step)
	}
}

// neixiangGrantedOn13Feb sets up 内乡, where the authority replies (第十二条), and has it approve
// the request on 13 Feb 2026 for 30 days; it returns the input to start the workflow with.
func (s *shareSuite) neixiangGrantedOn13Feb() contract.ShareRequestInput {
	s.setup("neixiang")
	in := shareInput(contract.ShareConditional)
	in.DecidingDeptID = authority
	s.at("2026-02-13T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionApprove, authorityAct, grantTerms(30)), "")
	})
	return in
}

// 内乡 第四十一条: suspending a grant cites the article.
func (s *shareSuite) TestNeixiangSuspensionCitesArticle41() {
	in := s.neixiangGrantedOn13Feb()
	s.at("2026-02-24T10:00:00+08:00", func() {
		s.send(contract.UpdateSuspendGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "security risk"}, "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, in)

	st := s.result()
	s.Equal(activities.GrantExpired, st.Grant.Status, "a suspended grant still expires")
	s.Equal([]string{contract.ShareStatusPending, contract.ShareStatusGranted, contract.ShareStatusSuspended,
		contract.ShareStatusExpired}, s.statuses())
	var cited []any // the activity's input went through JSON
	for _, e := range s.events {
		if e.Kind == activities.EventGrantSuspended {
			cited, _ = e.Data["legal_basis"].([]any)
		}
	}
	// The 条例 first, in force since 2025-08-01; then the profile's own article.
	s.Equal([]any{"《政务数据共享条例》第二十七条第二款", "《内乡县政务信息资源数据共享管理实施办法》第四十一条"}, cited)
}

// 政务数据共享条例 第二十七条第二款: the providing department, as well as the authority, suspends
// the requesting department's sharing when its data is misused, and may end it. Under 内乡, whose
// 第四十一条 gives the power to the authority, the provider's action cites the 条例 alone; an
// approver of another department may not act.
func (s *shareSuite) TestProviderSuspendsUnderTheRegulation() {
	in := s.neixiangGrantedOn13Feb()
	s.at("2026-02-24T10:00:00+08:00", func() {
		s.send(contract.UpdateSuspendGrant, contract.GrantActionUpdate{Actor: otherDept, Reason: "x"}, contract.ErrTypeForbidden)
		s.send(contract.UpdateSuspendGrant, contract.GrantActionUpdate{Actor: applicantAct, Reason: "x"}, contract.ErrTypeForbidden)
		s.send(contract.UpdateSuspendGrant, contract.GrantActionUpdate{Actor: approver, Reason: "passed to a third party"}, "")
	})
	s.at("2026-02-25T10:00:00+08:00", func() {
		s.send(contract.UpdateResumeGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "rectified"}, "")
	})
	s.at("2026-02-26T10:00:00+08:00", func() {
		s.send(contract.UpdateRevokeGrant, contract.GrantActionUpdate{Actor: approver, Reason: "misused again"}, "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, in)

	st := s.result()
	s.Equal(activities.GrantRevoked, st.Grant.Status)
	cited := map[string][]any{} // the activity's input went through JSON
	by := map[string]string{}
	for _, e := range s.events {
		switch e.Kind {
		case activities.EventGrantSuspended, activities.EventGrantResumed, activities.EventGrantRevoked:
			cited[e.Kind], _ = e.Data["legal_basis"].([]any)
			by[e.Kind] = e.Actor
		}
	}
	regulation := "《政务数据共享条例》第二十七条第二款"
	s.Equal([]any{regulation}, cited[activities.EventGrantSuspended], "the provider acts under the 条例 alone")
	s.Equal([]any{regulation, "《内乡县政务信息资源数据共享管理实施办法》第四十一条"}, cited[activities.EventGrantResumed])
	s.Equal([]any{regulation}, cited[activities.EventGrantRevoked])
	s.Equal(approver.Subject, by[activities.EventGrantSuspended])
}

// 政务数据共享条例 第二十七条第二款 gives the power to suspend a department's sharing from
// 2025-08-01 under every profile: a ningxia suspension before that day cites nothing (local
// default: 宁夏's measures state no such power), one on that day cites the 条例. The day is the
// action's, not the request's.
func (s *shareSuite) TestSuspensionCitesTheRegulationFromItsEffectiveDate() {
	s.setup("ningxia")
	start := cst("2025-07-21T10:00:00+08:00")
	s.env.SetStartTime(start)
	at := func(when string, fn func()) { s.env.RegisterDelayedCallback(fn, cst(when).Sub(start)) }
	in := shareInput(contract.ShareConditional)
	in.ReceivedAt = start
	at("2025-07-22T10:00:00+08:00", func() {
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionApprove, approver, grantTerms(365)), "")
	})
	at("2025-07-31T23:00:00+08:00", func() {
		// Before the 条例 the providing department has no power over the grant.
		s.send(contract.UpdateSuspendGrant, contract.GrantActionUpdate{Actor: approver, Reason: "used beyond scope"}, contract.ErrTypeForbidden)
		s.send(contract.UpdateSuspendGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "used beyond scope"}, "")
	})
	at("2025-08-01T00:30:00+08:00", func() {
		s.send(contract.UpdateResumeGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "rectified"}, "")
		s.send(contract.UpdateRevokeGrant, contract.GrantActionUpdate{Actor: authorityAct, Reason: "passed to a third party"}, "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, in)

	s.Equal(activities.GrantRevoked, s.result().Grant.Status)
	byKind := map[string]activities.AppendTimelineInput{}
	for _, e := range s.events {
		byKind[e.Kind] = e
	}
	suspended := byKind[activities.EventGrantSuspended]
	s.Equal(true, suspended.Data["local_default"], "before 2025-08-01 宁夏 states no power to suspend")
	s.Nil(suspended.Data["legal_basis"])
	for _, kind := range []string{activities.EventGrantResumed, activities.EventGrantRevoked} {
		e := byKind[kind]
		s.Equal(false, e.Data["local_default"], kind)
		s.Equal([]any{"《政务数据共享条例》第二十七条第二款"}, e.Data["legal_basis"], kind)
	}
}

// 政务数据共享条例 第二十一条第一款: the provider may extend its reply once, by at most 10 working
// days, with the consent of the same-level data authority — not its own head. The reply
// received 12 Feb 2026 is due 4 March; 10 more working days (5, 6, 9–13, 16–18 March) make it
// 18 March.
func (s *shareSuite) TestReplyExtensionApprovedByTheAuthority() {
	s.setup("ningxia")
	reply := taskID(contract.StepReply)
	s.at("2026-02-25T10:00:00+08:00", func() {
		s.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: reply, Actor: approver, Workdays: 11, Reason: "data volume"}, contract.ErrTypeRuleViolated)
		s.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: reply, Actor: approver, Workdays: 10, Reason: "data volume"}, "")
		s.send(contract.UpdateDecideExtension, contract.DecideExtensionUpdate{TaskID: reply, Actor: contract.Actor{Subject: "dave",
			DepartmentID: provider, Roles: []string{policy.RoleDeptHead}}, Approve: true}, contract.ErrTypeForbidden)
		s.send(contract.UpdateDecideExtension, contract.DecideExtensionUpdate{TaskID: reply, Actor: authorityAct, Approve: true}, "")
	})
	s.at("2026-03-10T10:00:00+08:00", func() {
		due := s.lastTask(reply).DueAt
		s.Require().NotNil(due)
		s.True(due.Equal(cst("2026-03-18T23:59:59+08:00")), "extended reply due %s", due)
		s.False(s.lastTask(reply).Overdue, "past the first deadline, within the extended one")
		s.send(contract.UpdateComplete, decide(contract.StepReply, contract.DecisionApprove, approver, grantTerms(30)), "")
	})
	s.env.ExecuteWorkflow(ShareRequestWorkflow, shareInput(contract.ShareConditional))
	s.Equal(contract.ShareStatusExpired, s.result().Status)
	kinds := map[string]bool{}
	for _, e := range s.events {
		kinds[e.Kind] = true
	}
	s.True(kinds[activities.EventExtensionApproved], "the timeline, which tells the applicant, has the extension")
}
