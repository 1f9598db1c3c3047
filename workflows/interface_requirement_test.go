package workflows

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/suite"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

const requirementID = "IR-1"

var (
	requirementWorkflowID = contract.InterfaceRequirementWorkflowID(requirementID)
	// requirementAt: Monday 21 Sep 2026; the interface is agreed for Wednesday 30 Sep, the eve
	// of 国庆 (1–7 Oct off, Saturday 10 Oct worked).
	requirementAt = cst("2026-09-21T10:00:00+08:00")
)

type interfaceSuite struct {
	workflowHarness
	rows []activities.ProjectInterfaceRequirementInput
}

func TestInterfaceRequirement(t *testing.T) { suite.Run(t, new(interfaceSuite)) }

func (s *interfaceSuite) setup() {
	s.setupEnv(requirementWorkflowID, requirementAt)
	s.rows = nil
	s.env.RegisterWorkflow(InterfaceRequirementWorkflow)
	ir := &activities.InterfaceActivities{}
	s.env.RegisterActivity(ir)
	onWrite(s.env, ir.ProjectInterfaceRequirement,
		func(_ context.Context, in activities.ProjectInterfaceRequirementInput) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.rows = append(s.rows, in)
			return nil
		})
}

func interfaceInput() contract.InterfaceRequirementInput {
	return contract.InterfaceRequirementInput{RequirementID: requirementID, DepartmentID: provider, AuthorityDeptID: authority,
		InterfaceRequirementForm: contract.InterfaceRequirementForm{Description: "企业登记信息按统一社会信用代码查询接口",
			AgreedDue: "2026-09-30"}, RequestedBy: authorityAct.Subject, ReceivedAt: requirementAt}
}

var requestTask = contract.HumanTaskID(requirementWorkflowID, contract.StepInterfaceRequest, 1)

func (s *interfaceSuite) deliver(actor contract.Actor, fields map[string]any, errType, field string) {
	s.send(contract.UpdateComplete, contract.CompleteUpdate{TaskID: requestTask, Actor: actor, Decision: contract.DecisionDelivered,
		Fields: fields}, errType, field)
}

func (s *interfaceSuite) result() contract.InterfaceRequirementState {
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var st contract.InterfaceRequirementState
	s.Require().NoError(s.env.GetWorkflowResult(&st))
	s.Equal(s.sent, s.answered, "every update was answered")
	slices.SortStableFunc(s.rows, func(a, b activities.ProjectInterfaceRequirementInput) int { return a.Revision - b.Revision })
	return st
}

var delivery = map[string]any{"interface_description": "GET /corp/{uscc}，返回登记基本信息", "documentation": "doc://scjg/corp-api-v1.pdf"}

// The task is due at the end of the agreed date, 30 Sep. A written request for 6 more working
// days is refused (at most 5, 第十三条第二款); 5 are approved by the authority and count beyond
// the agreed date across 国庆: 8, 9, 10 (make-up Saturday), 12, 13 Oct — due Tuesday 13 Oct at
// 24:00. A second request is refused; the delivery needs its description and documentation.
func (s *interfaceSuite) TestExtensionApprovedAcrossNationalDay() {
	s.setup()
	s.at("2026-09-21T11:00:00+08:00", func() {
		s.True(s.dueOf(requestTask).Equal(cst("2026-09-30T23:59:59+08:00")), "due %s", s.dueOf(requestTask))
		t := s.lastTask(requestTask)
		s.Equal(provider, t.CandidateDepartmentID)
		s.False(t.LocalDefault, "the agreed date is not the local default")
		s.Contains(t.LegalBasis, "《内乡县政务信息资源数据共享管理实施办法》第十三条第二款")
		row := s.rows[len(s.rows)-1]
		s.Equal(contract.InterfaceStatusRequired, row.Status)
		form, err := json.Marshal(row.Form)
		s.Require().NoError(err)
		s.JSONEq(`{"description":"企业登记信息按统一社会信用代码查询接口","agreed_due":"2026-09-30"}`, string(form),
			"the form is written whole")
		s.requestExtension(requestTask, approver, 6, contract.ErrTypeRuleViolated)
		s.requestExtension(requestTask, otherDept, 5, contract.ErrTypeForbidden)
		s.requestExtension(requestTask, approver, 5, "")
	})
	s.at("2026-09-22T10:00:00+08:00", func() {
		// The authority, not the department's head, approves (第十三条第二款).
		s.decideExtension(requestTask, deptHead, true, "", contract.ErrTypeForbidden)
		s.decideExtension(requestTask, authorityAct, true, "", "")
	})
	s.at("2026-09-22T11:00:00+08:00", func() {
		s.True(s.dueOf(requestTask).Equal(cst("2026-10-13T23:59:59+08:00")), "extended due %s", s.dueOf(requestTask))
		row := s.rows[len(s.rows)-1]
		s.True(row.DueAt.Equal(cst("2026-10-13T23:59:59+08:00")))
		s.Equal(5, row.ExtensionWorkdays)
		s.requestExtension(requestTask, approver, 1, contract.ErrTypeConflict)
	})
	s.at("2026-10-12T15:00:00+08:00", func() {
		s.deliver(approver, map[string]any{"interface_description": "GET /corp/{uscc}"}, contract.ErrTypeRuleViolated, "documentation")
		s.deliver(approver, delivery, "", "")
	})
	s.env.ExecuteWorkflow(InterfaceRequirementWorkflow, interfaceInput())
	st := s.result()
	s.Equal(contract.InterfaceStatusDelivered, st.Status)
	s.Equal("doc://scjg/corp-api-v1.pdf", st.Documentation)
	s.False(st.Decisions[0].Overdue)
	last := s.rows[len(s.rows)-1]
	s.Equal(contract.InterfaceStatusDelivered, last.Status)
	s.Equal("GET /corp/{uscc}，返回登记基本信息", last.InterfaceDescription)
	s.NotNil(last.ClosedAt)
	s.Equal([]string{activities.EventInterfaceRequired, activities.EventInterfaceDelivered}, s.ownEvents(requirementWorkflowID+"/interface-requirement"))
	proc, _ := s.sa[0].GetKeyword(contract.ProcedureKey)
	prov, _ := s.sa[0].GetKeyword(contract.ProviderDeptKey)
	s.Equal([]string{policy.ProcInterfaceExtension, provider}, []string{proc, prov})
}

// Refused, the extension leaves the agreed date; at 24:00 on 30 Sep the task is overdue and
// the authority's supervision task opens, from which a rectification notice can be issued
// (the API's route, tested there). The late delivery closes the supervision.
func (s *interfaceSuite) TestExtensionRefusedOverdueSupervised() {
	s.setup()
	s.at("2026-09-29T10:00:00+08:00", func() {
		s.requestExtension(requestTask, approver, 3, "")
	})
	s.at("2026-09-29T11:00:00+08:00", func() {
		s.decideExtension(requestTask, authorityAct, false, "协商时间已充分", "")
	})
	s.at("2026-09-30T23:00:00+08:00", func() {
		s.False(s.lastTask(requestTask).Overdue)
		s.True(s.dueOf(requestTask).Equal(cst("2026-09-30T23:59:59+08:00")), "a refused extension moves nothing")
	})
	s.at("2026-10-01T00:00:30+08:00", func() {
		s.True(s.lastTask(requestTask).Overdue)
		sup := s.lastTask(supervisionTaskID(requestTask))
		s.Equal(activities.TaskOpen, sup.Status)
		s.Equal(authority, sup.CandidateDepartmentID)
		s.Equal(policy.RoleAuthority, sup.CandidateRole)
		s.Contains(sup.LegalBasis, "《内乡县政务信息资源数据共享管理实施办法》第六十七条")
	})
	s.at("2026-10-08T10:00:00+08:00", func() {
		s.deliver(approver, delivery, "", "")
	})
	s.env.ExecuteWorkflow(InterfaceRequirementWorkflow, interfaceInput())
	st := s.result()
	s.Equal(contract.InterfaceStatusDelivered, st.Status)
	s.True(st.Decisions[0].Overdue, "delivered after the agreed date")
	s.Equal(activities.TaskClosed, s.lastTask(supervisionTaskID(requestTask)).Status)
}
