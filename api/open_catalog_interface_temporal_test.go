package api

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// neixiangActors are the demo principals of the neixiang profile.
type neixiangActors struct {
	citizen, otherCitizen, approver, deptHead, authority, otherApprover string
	producer, authorityDept                                             string
}

func newNeixiangActors(ta *testAPI) neixiangActors {
	using, providing, authority, _, _ := models.DemoDepartmentIDs("neixiang")
	return neixiangActors{
		citizen:       ta.token("demo-citizen", "", auth.RoleCitizen),
		otherCitizen:  ta.token("citizen-2", "", auth.RoleCitizen),
		approver:      ta.token("demo-approver", providing, auth.RoleApprover),
		deptHead:      ta.token("demo-dept-head", providing, auth.RoleDeptHead),
		authority:     ta.token("demo-authority", authority, auth.RoleAuthority),
		otherApprover: ta.token("demo-rst-approver", using, auth.RoleApprover),
		producer:      providing, authorityDept: authority,
	}
}

// inboxTask waits for the open task of the request, step and kind in the caller's inbox.
func (s shareStack) inboxTask(t *testing.T, token, procedure, requestID, step, kind string) TaskView {
	t.Helper()
	var task TaskView
	s.eventually(t, procedure+" "+step+" "+kind+" task in the inbox", func() bool {
		var inbox TaskList
		s.ta.expect(s.ta.do("GET", "/api/v1/tasks?procedure="+procedure, token, nil), 200).json(t, &inbox)
		for _, it := range inbox.Items {
			if it.RequestID == requestID && it.Step == step && it.Kind == kind {
				task = it
				return true
			}
		}
		return false
	})
	return task
}

// dueAfter is the end of the n-th working day after from, by the API's own calendar route.
func (s shareStack) dueAfter(t *testing.T, from string, n int) string {
	t.Helper()
	var d calendar.DueResult
	s.ta.expect(s.ta.do("GET", "/api/v1/calendar/due?from="+from+"&workdays="+itoa(int64(n)), "", nil), 200).json(t, &d)
	return formatTime(d.Due)
}

// TestOpenCatalogCorrectionThroughTemporal: under neixiang a citizen applies to correct the
// open catalog of an unconditionally open resource; the producer's disagreement without a
// basis is refused naming legal_basis; it agrees; the authority approves, and the resource's
// new catalog version carries the proposed value. Another citizen sees nothing of it.
func TestOpenCatalogCorrectionThroughTemporal(t *testing.T) {
	s := startStackFor(t, "neixiang")
	ta := s.ta
	who := newNeixiangActors(ta)
	open := demoResourceID(t, ta, "NEIXIANG-SCJG-0001")
	closed := demoResourceID(t, ta, "NEIXIANG-SCJG-0002")

	body := map[string]any{"resource_id": open, "field": "update_frequency", "proposed_value": "每日", "reason": "开放平台数据实际每日更新"}
	ta.expect(ta.do("POST", "/api/v1/open-catalog-corrections", who.approver, body), 403)
	e := ta.expect(ta.do("POST", "/api/v1/open-catalog-corrections", who.citizen,
		map[string]any{"resource_id": open, "field": "code", "proposed_value": "X", "reason": "r"}), 400).errorBody(t)
	if e.Fields["field"] == "" {
		t.Errorf("a field outside the open catalog: %+v", e)
	}
	e = ta.expect(ta.do("POST", "/api/v1/open-catalog-corrections", who.citizen,
		map[string]any{"resource_id": closed, "field": "name", "proposed_value": "X", "reason": "r"}), 422).errorBody(t)
	if e.Fields["resource_id"] == "" {
		t.Errorf("a resource not in the open catalog: %+v", e)
	}

	key := http.Header{HeaderIdempotencyKey: {"oc-create-1"}}
	var created OpenCatalogCorrectionStatus
	ta.expect(ta.doWithHeader("POST", "/api/v1/open-catalog-corrections", who.citizen, key, body), 201).json(t, &created)
	if !strings.HasPrefix(created.ID, "OC-") || created.WorkflowID != contract.OpenCatalogCorrectionWorkflowID(created.ID) ||
		created.Status != "replying" || created.CurrentStep != "reply" || created.DueAt == nil || created.LocalDefault ||
		!slices.Contains(created.LegalBasis, "《内乡县政务信息资源数据共享管理实施办法》第四十五条第三款") {
		t.Fatalf("created = %+v", created)
	}
	// 10 WD from the day of receipt (第四十五条第三款).
	today := time.Now().In(chinaTime).Format(time.DateOnly)
	if want := s.dueAfter(t, today, 10); *created.DueAt != want {
		t.Errorf("reply due %s, want %s", *created.DueAt, want)
	}
	var again OpenCatalogCorrectionStatus
	ta.expect(ta.doWithHeader("POST", "/api/v1/open-catalog-corrections", who.citizen, key, body), 201).json(t, &again)
	if again.ID != created.ID {
		t.Errorf("the same Idempotency-Key started a second application: %s, %s", again.ID, created.ID)
	}
	// No personal data in the search attributes.
	desc, err := s.tc.DescribeWorkflowExecution(s.ctx, created.WorkflowID, "")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields() {
		if strings.Contains(string(v.GetData()), "demo-citizen") {
			t.Errorf("search attribute %s carries the citizen: %s", k, v.GetData())
		}
	}

	// Isolation: another citizen neither reads nor lists it; the producer and authority do.
	path := "/api/v1/open-catalog-corrections/" + created.ID
	ta.expect(ta.do("GET", path, who.otherCitizen, nil), 404)
	ta.expect(ta.do("GET", path, who.otherApprover, nil), 404)
	var list OpenCatalogCorrectionList
	s.eventually(t, "the citizen's list", func() bool {
		ta.expect(ta.do("GET", "/api/v1/open-catalog-corrections", who.citizen, nil), 200).json(t, &list)
		return len(list.Items) == 1
	})
	ta.expect(ta.do("GET", "/api/v1/open-catalog-corrections", who.otherCitizen, nil), 200).json(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("another citizen lists %+v", list.Items)
	}
	// A citizen acts on no task (whether its inbox answers 403 is item 1's, elsewhere).
	var inbox TaskList
	if r := ta.do("GET", "/api/v1/tasks", who.citizen, nil); r.status == 200 {
		r.json(t, &inbox)
		if len(inbox.Items) != 0 {
			t.Errorf("the citizen's inbox = %+v", inbox.Items)
		}
	}

	reply := s.inboxTask(t, who.approver, "open_catalog_correction", created.ID, "reply", "step")
	e = ta.expect(ta.do("POST", taskPath(reply.ID)+"/complete", who.approver,
		map[string]any{"decision": "disagree", "reason": "按年度更新"}), 422).errorBody(t)
	if e.Fields["legal_basis"] == "" {
		t.Errorf("a disagreement without its basis: %+v", e)
	}
	ta.expect(ta.do("POST", taskPath(reply.ID)+"/complete", who.otherApprover, map[string]any{"decision": "agree"}), 404)
	ta.expect(ta.do("POST", taskPath(reply.ID)+"/complete", who.approver, map[string]any{"decision": "agree"}), 200)

	// The producer asks the city authority and records its change (第四十五条第三款); the county
	// authority has no part in it.
	update := s.inboxTask(t, who.approver, "open_catalog_correction", created.ID, "update_catalog", "step")
	if r := ta.do("POST", taskPath(update.ID)+"/complete", who.authority, map[string]any{"decision": "approve"}); r.status < 400 || r.status >= 500 {
		t.Errorf("the county authority recorded the city's change: %d", r.status)
	}
	ta.expect(ta.do("POST", taskPath(update.ID)+"/complete", who.approver, map[string]any{"decision": "reject"}), 422)
	ta.expect(ta.do("POST", taskPath(update.ID)+"/complete", who.approver, map[string]any{"decision": "approve"}), 200)

	var detail OpenCatalogCorrectionDetail
	s.eventually(t, "the catalog updated", func() bool {
		ta.expect(ta.do("GET", path, who.citizen, nil), 200).json(t, &detail)
		return detail.Status == "catalog_updated" && detail.ClosedAt != nil
	})
	if detail.CatalogVersion == 0 || detail.CurrentValue == "每日" || len(detail.OpenTasks) != 0 {
		t.Errorf("detail = %+v", detail.OpenCatalogCorrectionView)
	}
	kinds := map[string]bool{}
	for _, ev := range detail.Timeline {
		kinds[ev.Kind] = true
	}
	for _, k := range []string{"open_catalog_correction_filed", "open_catalog_agreed", "open_catalog_updated"} {
		if !kinds[k] {
			t.Errorf("timeline lacks %s", k)
		}
	}
	var res CatalogResourceView
	ta.expect(ta.do("GET", "/api/v1/catalog/resources/"+itoa(open), who.citizen, nil), 200).json(t, &res)
	if res.UpdateFrequency != "每日" || res.Version != detail.CatalogVersion {
		t.Errorf("resource after the change: frequency %q version %d, want 每日 at version %d", res.UpdateFrequency, res.Version, detail.CatalogVersion)
	}
}

// TestInterfaceRequirementThroughTemporal: the authority requires an interface by an agreed
// date; an extension of 6 WD is refused (422, 第十三条第二款); 5 are approved and count beyond
// the agreed date; the department delivers. A requirement run overdue is supervised, and the
// authority issues a rectification from the supervision task.
func TestInterfaceRequirementThroughTemporal(t *testing.T) {
	s := startStackFor(t, "neixiang")
	ta := s.ta
	who := newNeixiangActors(ta)
	agreed := time.Now().In(chinaTime).AddDate(0, 0, 7).Format(time.DateOnly)
	body := map[string]any{"department_id": who.producer, "description": "市场主体登记信息查询接口", "agreed_due": agreed}

	ta.expect(ta.do("POST", "/api/v1/interface-requirements", who.approver, body), 403)
	e := ta.expect(ta.do("POST", "/api/v1/interface-requirements", who.authority,
		map[string]any{"department_id": who.producer, "description": "x", "agreed_due": "2020-01-01"}), 422).errorBody(t)
	if e.Fields["agreed_due"] == "" {
		t.Errorf("an agreed date in the past: %+v", e)
	}
	ta.expect(ta.do("POST", "/api/v1/interface-requirements", who.authority,
		map[string]any{"department_id": who.producer, "description": "x", "agreed_due": "next week"}), 400)
	ta.expect(ta.do("POST", "/api/v1/interface-requirements", who.authority,
		map[string]any{"department_id": "nope", "description": "x", "agreed_due": agreed}), 400)

	key := http.Header{HeaderIdempotencyKey: {"ir-create-1"}}
	var created InterfaceRequirementStatus
	ta.expect(ta.doWithHeader("POST", "/api/v1/interface-requirements", who.authority, key, body), 201).json(t, &created)
	if !strings.HasPrefix(created.ID, "IR-") || created.WorkflowID != contract.InterfaceRequirementWorkflowID(created.ID) ||
		created.Status != "required" || created.CurrentStep != "request" || created.DueAt == nil ||
		*created.DueAt != agreed+"T23:59:59+08:00" {
		t.Fatalf("created = %+v, want due at the end of %s", created, agreed)
	}

	task := s.inboxTask(t, who.approver, "interface_extension", created.ID, "request", "step")
	if !slices.ContainsFunc(task.Decisions, func(d DecisionView) bool { return d.Code == "request_extension" }) {
		t.Errorf("task decisions = %+v, want request_extension", task.Decisions)
	}
	ta.expect(ta.do("POST", taskPath(task.ID)+"/complete", who.approver,
		map[string]any{"decision": "request_extension", "workdays": 6, "reason": "联调环境未就绪"}), 422)
	ta.expect(ta.do("POST", taskPath(task.ID)+"/complete", who.approver,
		map[string]any{"decision": "request_extension", "workdays": 5, "reason": "联调环境未就绪"}), 200)
	ta.expect(ta.do("POST", taskPath(task.ID)+"/complete", who.approver,
		map[string]any{"decision": "request_extension", "workdays": 2, "reason": "再延"}), 409)
	ext := s.inboxTask(t, who.authority, "interface_extension", created.ID, "request", "extension")
	ta.expect(ta.do("POST", taskPath(ext.ID)+"/complete", who.deptHead, map[string]any{"decision": "approve_extension"}), 404)
	ta.expect(ta.do("POST", taskPath(ext.ID)+"/complete", who.authority, map[string]any{"decision": "approve_extension"}), 200)

	want := s.dueAfter(t, agreed, 5) // 5 WD beyond the agreed date
	path := "/api/v1/interface-requirements/" + created.ID
	var detail InterfaceRequirementDetail
	s.eventually(t, "the extended deadline", func() bool {
		ta.expect(ta.do("GET", path, who.approver, nil), 200).json(t, &detail)
		return detail.DueAt != nil && *detail.DueAt == want
	})
	if detail.ExtensionWorkdays != 5 {
		t.Errorf("extension workdays = %d", detail.ExtensionWorkdays)
	}
	ta.expect(ta.do("GET", path, who.otherApprover, nil), 404)
	e = ta.expect(ta.do("POST", taskPath(task.ID)+"/complete", who.approver,
		map[string]any{"decision": "delivered", "interface_description": "GET /corp/{uscc}"}), 422).errorBody(t)
	if e.Fields["documentation"] == "" {
		t.Errorf("a delivery without documentation: %+v", e)
	}
	ta.expect(ta.do("POST", taskPath(task.ID)+"/complete", who.approver,
		map[string]any{"decision": "delivered", "interface_description": "GET /corp/{uscc}", "documentation": "doc://scjg/corp-api.pdf"}), 200)
	s.eventually(t, "delivered", func() bool {
		ta.expect(ta.do("GET", path, who.authority, nil), 200).json(t, &detail)
		return detail.Status == "delivered" && detail.ClosedAt != nil
	})

	// A requirement whose agreed date has passed (started directly: the API refuses a past
	// date) is overdue at once, and the authority supervises it.
	late := "IR-LATE-1"
	yesterday := time.Now().In(chinaTime).AddDate(0, 0, -1).Format(time.DateOnly)
	if _, err := s.tc.ExecuteWorkflow(s.ctx, client.StartWorkflowOptions{ID: contract.InterfaceRequirementWorkflowID(late),
		TaskQueue: contract.DefaultTaskQueue}, contract.InterfaceRequirementWorkflowType, contract.InterfaceRequirementInput{
		RequirementID: late, DepartmentID: who.producer, AuthorityDeptID: who.authorityDept,
		InterfaceRequirementForm: contract.InterfaceRequirementForm{Description: "信用信息查询接口", AgreedDue: yesterday},
		RequestedBy:              "demo-authority", ReceivedAt: time.Now().Add(-72 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	sup := s.inboxTask(t, who.authority, "interface_extension", late, "request", "supervision")
	var violations ViolationList
	ta.expect(ta.do("GET", "/api/v1/violations", who.authority, nil), 200).json(t, &violations)
	if len(violations.Items) == 0 {
		t.Fatal("no violations in the neixiang profile")
	}
	rect := map[string]any{"violation": violations.Items[0].Code, "description": "服务接口逾期未提供", "workdays": 5}
	ta.expect(ta.do("POST", taskPath(sup.ID, "rectification"), who.approver, rect), 403)
	var issued RectificationStatus
	ta.expect(ta.do("POST", taskPath(sup.ID, "rectification"), who.authority, rect), 201).json(t, &issued)
	var r RectificationDetail
	ta.expect(ta.do("GET", "/api/v1/rectifications/"+issued.ID, who.approver, nil), 200).json(t, &r)
	if r.DepartmentID != who.producer || r.LinkedRequestID != late {
		t.Errorf("rectification = %+v, want the producer ordered, linked to %s", r.RectificationView, late)
	}
}
