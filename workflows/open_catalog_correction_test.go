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

const (
	openCorrectionID = "OC-1"
	citizenSubject   = "citizen-chen"
)

var (
	openCorrectionWorkflowID = contract.OpenCatalogCorrectionWorkflowID(openCorrectionID)
	// openReceivedAt: Monday 28 Sep 2026, before 国庆 (1–7 Oct off, Saturday 10 Oct worked).
	openReceivedAt = cst("2026-09-28T10:00:00+08:00")
)

// workflowHarness is what the suites of the procedures added here share: the real deadline
// and procedure activities over the embedded calendar and the neixiang profile, mocked
// database writes, and updates whose answers are counted and checked.
type workflowHarness struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env      *testsuite.TestWorkflowEnvironment
	start    time.Time
	mu       sync.Mutex
	sent     int
	answered int
	events   []activities.AppendTimelineInput
	tasks    []activities.ProjectTaskInput
	sa       []temporal.SearchAttributes
	acts     *activities.Activities
}

func (h *workflowHarness) setupEnv(workflowID string, start time.Time) {
	cal, err := calendar.New(calendar.Options{})
	h.Require().NoError(err)
	p, err := policy.Select("neixiang", "", policy.LocalDefaults{})
	h.Require().NoError(err)
	h.events, h.tasks, h.sa, h.sent, h.answered, h.start = nil, nil, nil, 0, 0, start
	h.env = h.NewTestWorkflowEnvironment()
	h.env.SetStartTime(start)
	h.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: workflowID})
	h.acts = &activities.Activities{Calendars: &switchableCalendar{cal: cal}, Policy: p}
	h.env.RegisterActivity(h.acts)
	onWrite(h.env, h.acts.AppendTimeline,
		func(_ context.Context, in activities.AppendTimelineInput) (activities.AppendTimelineResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.events = append(h.events, in)
			return activities.AppendTimelineResult{}, nil
		})
	onWrite(h.env, h.acts.ProjectTask,
		func(_ context.Context, in activities.ProjectTaskInput) (activities.ProjectTaskResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.tasks = append(h.tasks, in)
			return activities.ProjectTaskResult{}, nil
		})
	h.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		h.sa = append(h.sa, args.Get(0).(temporal.SearchAttributes))
	}).Return(nil)
	h.env.OnUpsertMemo(mock.Anything).Return(nil)
}

func (h *workflowHarness) at(when string, fn func()) {
	h.env.RegisterDelayedCallback(fn, cst(when).Sub(h.start))
}

// send sends an update; errType "" expects success, otherwise a rejection of that type, and
// field, when given, the field the rejection names.
func (h *workflowHarness) send(name string, arg any, errType, field string) {
	h.sent++
	h.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
		OnAccept: func() {
			if errType != "" {
				h.Failf("update accepted", "%s %+v: want a rejection of type %s", name, arg, errType)
			}
		},
		OnReject: func(err error) {
			h.answered++
			if errType == "" {
				h.Failf("update rejected", "%s %+v: %v", name, arg, err)
				return
			}
			var appErr *temporal.ApplicationError
			if h.ErrorAs(err, &appErr) {
				h.Equal(errType, appErr.Type(), appErr.Error())
				if field != "" {
					var d contract.RejectionDetails
					h.NoError(appErr.Details(&d))
					h.Equal(field, d.Field, appErr.Error())
				}
			}
		},
		OnComplete: func(_ any, err error) {
			h.answered++
			h.NoError(err, "update %s failed after acceptance", name)
		},
	}, arg)
}

// lastTask is the last projection of a task.
func (h *workflowHarness) lastTask(id string) activities.ProjectTaskInput {
	var last activities.ProjectTaskInput
	for _, t := range h.tasks {
		if t.TaskID == id && t.Revision > last.Revision {
			last = t
		}
	}
	h.Require().NotZero(last.Revision, "task %s projected", id)
	return last
}

// ownEvents are the kinds of the procedure's own timeline events (task id taskID), in order.
func (h *workflowHarness) ownEvents(taskID string) []string {
	var own []activities.AppendTimelineInput
	for _, e := range h.events {
		if e.TaskID == taskID {
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

func (h *workflowHarness) requestExtension(taskID string, actor contract.Actor, workdays int, errType string) {
	h.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: taskID, Actor: actor, Workdays: workdays,
		Reason: "需核实原始登记材料"}, errType, "")
}

func (h *workflowHarness) decideExtension(taskID string, actor contract.Actor, approve bool, reason, errType string) {
	h.send(contract.UpdateDecideExtension, contract.DecideExtensionUpdate{TaskID: taskID, Actor: actor, Approve: approve, Reason: reason}, errType, "")
}

func (h *workflowHarness) dueOf(taskID string) time.Time {
	t := h.lastTask(taskID)
	h.Require().NotNil(t.DueAt, "task %s has a deadline", taskID)
	return *t.DueAt
}

type openCatalogSuite struct {
	workflowHarness
	rows    []activities.ProjectOpenCatalogCorrectionInput
	applied []activities.ApplyOpenCatalogCorrectionInput
	// applyErr is what the catalog answers the approved change; nil writes version 5.
	applyErr error
}

func TestOpenCatalogCorrection(t *testing.T) { suite.Run(t, new(openCatalogSuite)) }

func (s *openCatalogSuite) setup() {
	s.setupEnv(openCorrectionWorkflowID, openReceivedAt)
	s.rows, s.applied, s.applyErr = nil, nil, nil
	s.env.RegisterWorkflow(OpenCatalogCorrectionWorkflow)
	oc := &activities.OpenCatalogActivities{}
	s.env.RegisterActivity(oc)
	onWrite(s.env, oc.ProjectOpenCatalogCorrection,
		func(_ context.Context, in activities.ProjectOpenCatalogCorrectionInput) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.rows = append(s.rows, in)
			return nil
		})
	s.env.OnActivity(oc.ApplyOpenCatalogCorrection, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ApplyOpenCatalogCorrectionInput) (activities.ApplyOpenCatalogCorrectionResult, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.applyErr != nil {
				return activities.ApplyOpenCatalogCorrectionResult{}, s.applyErr
			}
			s.applied = append(s.applied, in)
			return activities.ApplyOpenCatalogCorrectionResult{Version: 5}, nil
		})
}

func openCatalogInput() contract.OpenCatalogCorrectionInput {
	return contract.OpenCatalogCorrectionInput{
		CorrectionID: openCorrectionID,
		Resource: contract.ShareResource{ID: 7, Code: "NEIXIANG-SCJG-0001", Name: "企业登记基本信息",
			ShareType: contract.ShareConditional, ProviderDeptID: provider},
		CitizenSubject: citizenSubject,
		OpenCatalogCorrectionForm: contract.OpenCatalogCorrectionForm{Field: "update_frequency", ProposedValue: "每月",
			Reason: "开放平台实际每月更新"},
		CurrentValue: "每年", ReceivedAt: openReceivedAt, AuthorityDeptID: authority,
	}
}

func ocTaskID(step string) string { return contract.HumanTaskID(openCorrectionWorkflowID, step, 1) }

func (s *openCatalogSuite) decide(step, decision string, actor contract.Actor, fields map[string]any, errType, field string) {
	s.send(contract.UpdateComplete, contract.CompleteUpdate{TaskID: ocTaskID(step), Actor: actor, Decision: decision, Fields: fields}, errType, field)
}

func (s *openCatalogSuite) result() contract.OpenCatalogCorrectionState {
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var st contract.OpenCatalogCorrectionState
	s.Require().NoError(s.env.GetWorkflowResult(&st))
	s.Equal(s.sent, s.answered, "every update was answered")
	slices.SortStableFunc(s.rows, func(a, b activities.ProjectOpenCatalogCorrectionInput) int { return a.Revision - b.Revision })
	return st
}

// noCitizenInSearchAttributes: a citizen's subject never goes into search attributes, and the
// applicant department stays unset (citizens have none).
func (s *openCatalogSuite) noCitizenInSearchAttributes() {
	s.Require().NotEmpty(s.sa)
	for _, attrs := range s.sa {
		for key, v := range attrs.GetUntypedValues() {
			s.NotEqual(citizenSubject, v, "search attribute %s", key.GetName())
		}
		_, has := attrs.GetKeyword(contract.ApplicantDeptKey)
		s.False(has, "no applicant department for a citizen")
	}
	proc, _ := s.sa[0].GetKeyword(contract.ProcedureKey)
	prov, _ := s.sa[0].GetKeyword(contract.ProviderDeptKey)
	juris, _ := s.sa[0].GetKeyword(contract.JurisdictionKey)
	s.Equal([]string{policy.ProcOpenCatalogCorrection, provider, "neixiang"}, []string{proc, prov, juris})
}

// Received Monday 28 Sep 2026, the producer answers within 10 WD (第四十五条第三款): 29, 30 Sep,
// then 国庆 (1–7 Oct), 8, 9, 10 (make-up Saturday), 12, 13, 14, 15, 16 Oct — due Friday 16 Oct.
// Its approver asks for 10 more; 11 are refused, and so is a second request while the first
// waits. The head of the producing department consents: 19–23 and 26–30 Oct, due Friday 30
// Oct, and no further extension. The producer agrees; the authority approves the change, which
// writes a new catalog version.
func (s *openCatalogSuite) TestExtendedAgreedCatalogUpdated() {
	s.setup()
	reply := ocTaskID(contract.StepReply)
	s.at("2026-09-28T11:00:00+08:00", func() {
		s.True(s.dueOf(reply).Equal(cst("2026-10-16T23:59:59+08:00")), "reply due %s", s.dueOf(reply))
		t := s.lastTask(reply)
		s.Equal(provider, t.CandidateDepartmentID)
		s.Contains(t.LegalBasis, "《内乡县政务信息资源数据共享管理实施办法》第四十五条第三款")
		s.True(slices.ContainsFunc(t.Decisions, func(d activities.DecisionOption) bool { return d.Code == contract.DecisionRequestExtension }))
		row := s.rows[len(s.rows)-1]
		s.Equal(contract.OpenCatalogStatusReplying, row.Status)
		s.Equal(citizenSubject, row.CitizenSubject)
		s.requestExtension(reply, approver, 11, contract.ErrTypeRuleViolated)
		s.requestExtension(reply, approver, 10, "")
		s.requestExtension(reply, approver, 3, contract.ErrTypeConflict)
		// Only the head of the producing department consents (第四十五条第三款).
		s.decideExtension(reply, approver, true, "", contract.ErrTypeForbidden)
		s.decideExtension(reply, authorityAct, true, "", contract.ErrTypeForbidden)
	})
	s.at("2026-09-29T09:00:00+08:00", func() {
		s.decideExtension(reply, deptHead, true, "", "")
	})
	s.at("2026-09-29T10:00:00+08:00", func() {
		s.True(s.dueOf(reply).Equal(cst("2026-10-30T23:59:59+08:00")), "extended reply due %s", s.dueOf(reply))
		s.True(s.rows[len(s.rows)-1].DueAt.Equal(cst("2026-10-30T23:59:59+08:00")), "the application shows the new deadline")
		s.requestExtension(reply, approver, 1, contract.ErrTypeConflict)
	})
	s.at("2026-10-28T10:00:00+08:00", func() {
		s.decide(contract.StepReply, contract.DecisionAgree, otherDept, nil, contract.ErrTypeForbidden, "")
		s.decide(contract.StepReply, contract.DecisionAgree, approver, nil, "", "")
	})
	s.at("2026-10-28T11:00:00+08:00", func() {
		// 第四十五条第三款: the producer asks the city authority and records its change; the
		// county authority has no part in it.
		upd := s.lastTask(ocTaskID(contract.StepUpdateCatalog))
		s.Equal(provider, upd.CandidateDepartmentID)
		s.Equal(policy.RoleApprover, upd.CandidateRole)
		s.True(upd.LocalDefault, "no article sets a time for changing the open catalog")
		s.decide(contract.StepUpdateCatalog, contract.DecisionApprove, authorityAct, nil, contract.ErrTypeForbidden, "")
		s.decide(contract.StepUpdateCatalog, contract.DecisionRejectUpdate, approver, nil, contract.ErrTypeRuleViolated, "reason")
		s.decide(contract.StepUpdateCatalog, contract.DecisionApprove, approver, nil, "", "")
	})
	s.env.ExecuteWorkflow(OpenCatalogCorrectionWorkflow, openCatalogInput())
	st := s.result()
	s.Equal(contract.OpenCatalogStatusUpdated, st.Status)
	s.True(st.Final)
	s.Equal(5, st.CatalogVersion)
	s.Equal([]activities.ApplyOpenCatalogCorrectionInput{{CorrectionID: openCorrectionID, ResourceID: 7, Field: "update_frequency",
		ProposedValue: "每月", Actor: approver.Subject}}, s.applied)
	last := s.rows[len(s.rows)-1]
	s.Equal(5, last.CatalogVersion)
	s.NotNil(last.ClosedAt)
	s.Nil(last.DueAt)
	s.Equal([]string{activities.EventOpenCatalogCorrectionFiled, activities.EventOpenCatalogAgreed, activities.EventOpenCatalogUpdated},
		s.ownEvents(openCorrectionWorkflowID+"/open-catalog-correction"))
	s.noCitizenInSearchAttributes()
	// The reminders were re-armed on the moved deadline: 3 WD before Friday 30 Oct is Tuesday
	// 27 Oct (28, 29 being the other two); none fell on the old deadline of 16 Oct.
	var reminded []time.Time
	for _, e := range s.events {
		if e.TaskID == reply && e.Kind == activities.EventReminded {
			reminded = append(reminded, e.At)
			due, _ := time.Parse(time.RFC3339, e.Data["due_at"].(string))
			s.True(cst("2026-10-30T23:59:59+08:00").Equal(due), "reminded of %v", e.Data["due_at"])
		}
	}
	s.Require().Len(reminded, 1, "one reminder point before the agreement of 28 Oct")
	s.True(reminded[0].Equal(cst("2026-10-27T09:00:00+08:00")), "reminded at %s", reminded[0])
}

// 不同意更正的，应当说明理由，并提供依据 (第四十五条第三款): a disagreement with reasons but no basis
// is refused naming legal_basis; with both it closes the application.
func (s *openCatalogSuite) TestDisagreeNeedsReasonAndBasis() {
	s.setup()
	s.at("2026-09-30T10:00:00+08:00", func() {
		s.decide(contract.StepReply, contract.DecisionDisagree, approver, map[string]any{"reason": "目录按年度更新"},
			contract.ErrTypeRuleViolated, "legal_basis")
		s.decide(contract.StepReply, contract.DecisionDisagree, approver, map[string]any{"reason": "目录按年度更新", "legal_basis": "  "},
			contract.ErrTypeRuleViolated, "legal_basis")
		s.decide(contract.StepReply, contract.DecisionDisagree, approver, map[string]any{"legal_basis": "《企业信息公示暂行条例》第八条"},
			contract.ErrTypeRuleViolated, "reason")
		s.decide(contract.StepReply, contract.DecisionDisagree, approver,
			map[string]any{"reason": "企业年报每年公示一次", "legal_basis": "《企业信息公示暂行条例》第八条"}, "", "")
	})
	s.env.ExecuteWorkflow(OpenCatalogCorrectionWorkflow, openCatalogInput())
	st := s.result()
	s.Equal(contract.OpenCatalogStatusDisagreed, st.Status)
	s.Equal("企业年报每年公示一次", st.Answer)
	s.Equal("《企业信息公示暂行条例》第八条", st.AnswerBasis)
	s.Empty(s.applied, "a disagreement never touches the catalog")
	last := s.rows[len(s.rows)-1]
	s.Equal("《企业信息公示暂行条例》第八条", last.AnswerBasis)
	s.NotNil(last.ClosedAt)
	s.noCitizenInSearchAttributes()
}

// A refused extension leaves the deadline of 16 Oct; the reply then runs overdue and the
// authority's supervision task opens (督办). Agreed late, the authority refuses the change of
// the catalog with a reason.
func (s *openCatalogSuite) TestExtensionRefusedOverdueUpdateRejected() {
	s.setup()
	reply := ocTaskID(contract.StepReply)
	s.at("2026-10-09T10:00:00+08:00", func() {
		s.requestExtension(reply, approver, 5, "")
	})
	s.at("2026-10-09T11:00:00+08:00", func() {
		s.decideExtension(reply, deptHead, false, "", contract.ErrTypeInvalid)
		s.decideExtension(reply, deptHead, false, "材料已齐备，应按期答复", "")
	})
	s.at("2026-10-09T12:00:00+08:00", func() {
		s.True(s.dueOf(reply).Equal(cst("2026-10-16T23:59:59+08:00")), "a refused extension moves nothing: %s", s.dueOf(reply))
		ext := s.lastTask(reply + "/extension/1")
		s.Equal(activities.TaskCompleted, ext.Status)
		s.Equal(policy.RoleDeptHead, ext.CandidateRole)
	})
	s.at("2026-10-17T09:00:00+08:00", func() {
		sup := s.lastTask(supervisionTaskID(reply))
		s.Equal(activities.TaskOpen, sup.Status)
		s.Equal(authority, sup.CandidateDepartmentID)
		s.True(s.lastTask(reply).Overdue)
		s.decide(contract.StepReply, contract.DecisionAgree, approver, nil, "", "")
	})
	s.at("2026-10-17T10:00:00+08:00", func() {
		s.Equal(activities.TaskClosed, s.lastTask(supervisionTaskID(reply)).Status)
		s.decide(contract.StepUpdateCatalog, contract.DecisionRejectUpdate, approver, map[string]any{"reason": "该字段由市级平台统一维护"}, "", "")
	})
	s.env.ExecuteWorkflow(OpenCatalogCorrectionWorkflow, openCatalogInput())
	st := s.result()
	s.Equal(contract.OpenCatalogStatusRejected, st.Status)
	s.Empty(s.applied)
	s.True(st.Decisions[0].Overdue, "the reply came after its deadline")
	s.Equal([]string{activities.EventOpenCatalogCorrectionFiled, activities.EventOpenCatalogAgreed, activities.EventOpenCatalogUpdateRejected},
		s.ownEvents(openCorrectionWorkflowID+"/open-catalog-correction"))
}

// The authority approves, but the catalog refuses the value for good (the resource was retired
// meanwhile): the application closes as update_failed with the reason on its timeline instead
// of failing the workflow.
func (s *openCatalogSuite) TestCatalogRefusesApprovedChange() {
	s.setup()
	s.applyErr = temporal.NewNonRetryableApplicationError("catalog resource 7 is retired, not published", activities.ErrTypeInvalid, nil)
	s.at("2026-09-29T10:00:00+08:00", func() {
		s.decide(contract.StepReply, contract.DecisionAgree, approver, nil, "", "")
	})
	s.at("2026-09-29T11:00:00+08:00", func() {
		s.decide(contract.StepUpdateCatalog, contract.DecisionApprove, approver, nil, "", "")
	})
	s.env.ExecuteWorkflow(OpenCatalogCorrectionWorkflow, openCatalogInput())
	st := s.result()
	s.Equal(contract.OpenCatalogStatusUpdateFailed, st.Status)
	s.Zero(st.CatalogVersion)
	s.Equal([]string{activities.EventOpenCatalogCorrectionFiled, activities.EventOpenCatalogAgreed, activities.EventOpenCatalogUpdateFailed},
		s.ownEvents(openCorrectionWorkflowID+"/open-catalog-correction"))
	s.NotNil(s.rows[len(s.rows)-1].ClosedAt)
}
