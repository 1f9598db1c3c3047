package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// catalogUpdateTask waits for the update's open task of the step in the caller's inbox.
func (s shareStack) catalogUpdateTask(t *testing.T, token, updateID, step string) TaskView {
	t.Helper()
	var task TaskView
	s.eventually(t, "the "+step+" task in the inbox", func() bool {
		var inbox TaskList
		s.ta.expect(s.ta.do("GET", "/api/v1/tasks?procedure=catalog_update", token, nil), 200).json(t, &inbox)
		for _, it := range inbox.Items {
			if it.RequestID == updateID && it.Step == step && it.Kind == "step" {
				task = it
				return true
			}
		}
		return false
	})
	return task
}

// TestCatalogUpdateThroughTemporal is a self-reported catalog update under the ningxia profile
// from event to published revisions, against an embedded Temporal server and the worker's own
// registration: the approver reports a law revised today (due 10 WD later: the 条例 第十七条第二款,
// in force since 2025-08-01, is stricter than 宁夏 第八条's 15), revises a
// published resource and drafts a new one, submits both as one update (another department
// is refused), and the authority approves: both are published at once.
func TestCatalogUpdateThroughTemporal(t *testing.T) {
	s := startShareStack(t)
	ta, tc, ctx := s.ta, s.tc, s.ctx
	approver := ta.providerApprover()
	published := demoResourceID(t, ta, "NX-SCJG-0001")
	today := time.Now().In(chinaTime).Format(time.DateOnly)

	var created CatalogUpdateStatus
	ta.expect(ta.doWithHeader("POST", "/api/v1/catalog-updates", approver, http.Header{HeaderIdempotencyKey: {"cu-1"}},
		catalogUpdateInput(today, published)), 201).json(t, &created)
	want := ta.due(t, today, 10).Due
	if created.Status != "updating" || created.CurrentStep != "update" || created.DueAt == nil || *created.DueAt != want ||
		created.Overdue || created.WorkflowID != contract.CatalogUpdateWorkflowID(created.ID) ||
		len(created.LegalBasis) != 3 || created.LegalBasis[0] != "《政务数据共享条例》第十七条第二款" || !strings.Contains(created.LegalBasis[1], "第八条") ||
		!strings.Contains(created.LegalBasis[2], "从严适用") {
		t.Fatalf("created = %+v, want due %s citing 第十七条第二款, compared with 第八条", created, want)
	}
	// The same key answers the same update.
	var again CatalogUpdateStatus
	ta.expect(ta.doWithHeader("POST", "/api/v1/catalog-updates", approver, http.Header{HeaderIdempotencyKey: {"cu-1"}},
		catalogUpdateInput(today, published)), 201).json(t, &again)
	if again.ID != created.ID {
		t.Fatalf("repeat with the same key made %s, want %s", again.ID, created.ID)
	}

	// A revision of the published resource: others still see the published content.
	var rev CatalogResourceView
	ta.expect(ta.do("POST", "/api/v1/catalog/resources/"+strconv.FormatInt(published, 10)+"/revise", approver, nil), 200).json(t, &rev)
	ta.expect(ta.do("PATCH", "/api/v1/catalog/resources/"+strconv.FormatInt(published, 10), approver, map[string]any{"name": "市场主体登记信息（修订）"}), 200).json(t, &rev)
	if rev.RevisionStatus != "draft" || rev.Revision == nil || rev.Revision.Name != "市场主体登记信息（修订）" || rev.Status != "published" {
		t.Fatalf("revision = %+v", rev)
	}
	var seen CatalogResourceView
	ta.expect(ta.do("GET", "/api/v1/catalog/resources/"+strconv.FormatInt(published, 10), ta.otherApprover(), nil), 200).json(t, &seen)
	if seen.Revision != nil || seen.Name == "市场主体登记信息（修订）" {
		t.Fatalf("another department sees the revision: %+v", seen)
	}
	var draft CatalogResourceView
	newRes := map[string]any{"code": "NX-SCJG-0099", "name": "个体工商户登记信息", "format": "数据库表", "share_type": "unconditional",
		"share_scope": "全区政务部门", "update_frequency": "每日", "provision_method": "接口", "open_type": "none",
		"legal_basis": "《个体工商户条例》"}
	ta.expect(ta.do("POST", "/api/v1/catalog/resources", approver, newRes), 201).json(t, &draft)

	submit := map[string]any{"resource_versions": []map[string]any{
		{"resource_id": published, "version": rev.Version}, {"resource_id": draft.ID, "version": draft.Version}}}
	path := "/api/v1/catalog-updates/" + created.ID
	s.catalogUpdateTask(t, approver, created.ID, "update")
	ta.expect(ta.do("POST", path+"/submit", ta.otherApprover(), submit), http.StatusForbidden)
	stale := map[string]any{"resource_versions": []map[string]any{{"resource_id": draft.ID, "version": draft.Version + 1}}}
	ta.expect(ta.do("POST", path+"/submit", approver, stale), http.StatusConflict)
	ta.expect(ta.do("POST", path+"/submit", approver, submit), 200)

	review := s.catalogUpdateTask(t, ta.authority(), created.ID, "review")
	// 宁夏 sets no time for the review; since 2025-08-01 the 条例 does — 2 working days from the
	// receipt of the updated catalog (第十七条第三款) — which replaces the local default.
	if review.LocalDefault || len(review.LegalBasis) == 0 || review.LegalBasis[0] != "《政务数据共享条例》第十七条第三款" {
		t.Fatalf("review = %+v, want the 条例's deadline", review)
	}
	ta.expect(ta.do("POST", taskPath(review.ID)+"/complete", approver, map[string]any{"decision": "approve"}), http.StatusNotFound)
	ta.expect(ta.do("POST", taskPath(review.ID)+"/complete", ta.authority(), map[string]any{"decision": "approve"}), 200)

	var detail CatalogUpdateDetail
	s.eventually(t, "the update published", func() bool {
		ta.expect(ta.do("GET", path, approver, nil), 200).json(t, &detail)
		return detail.Status == "published"
	})
	if len(detail.OpenTasks) != 0 || len(detail.Resources) != 2 || detail.Resources[0].PublishedAt == nil || detail.ClosedAt == nil {
		t.Fatalf("published detail = %+v", detail)
	}
	kinds := map[string]bool{}
	for _, ev := range detail.Timeline {
		kinds[ev.Kind] = true
	}
	for _, k := range []string{"catalog_update_opened", "task_opened", "completed", "catalog_submitted", "catalog_published"} {
		if !kinds[k] {
			t.Errorf("timeline lacks %s: %+v", k, detail.Timeline)
		}
	}
	ta.expect(ta.do("GET", "/api/v1/catalog/resources/"+strconv.FormatInt(published, 10), ta.otherApprover(), nil), 200).json(t, &seen)
	if seen.Name != "市场主体登记信息（修订）" || seen.Status != "published" {
		t.Errorf("published revision = %+v", seen)
	}
	ta.expect(ta.do("GET", "/api/v1/catalog/resources/"+strconv.FormatInt(draft.ID, 10), ta.otherApprover(), nil), 200).json(t, &seen)
	if seen.Status != "published" {
		t.Errorf("new resource = %+v", seen)
	}

	// Temporal UI finds it by its search attributes.
	desc, err := tc.DescribeWorkflowExecution(ctx, created.WorkflowID, "")
	if err != nil {
		t.Fatal(err)
	}
	fields := desc.WorkflowExecutionInfo.GetSearchAttributes().GetIndexedFields()
	for _, k := range []string{contract.ProcedureKey.GetName(), contract.JurisdictionKey.GetName(), contract.ProviderDeptKey.GetName(), contract.StatusKey.GetName()} {
		if fields[k] == nil {
			t.Errorf("search attribute %s missing: %v", k, fields)
		}
	}
	var st contract.CatalogUpdateState
	if err := tc.GetWorkflow(ctx, created.WorkflowID, "").Get(ctx, &st); err != nil || st.Status != contract.CatalogUpdatePublished {
		t.Fatalf("workflow result = %+v, %v", st, err)
	}
}

// The authority orders a department to update after a change two months ago: the 10 working
// days (the 条例 第十七条第二款, stricter than 宁夏's 15) have passed, so the answer says overdue
// and the authority's supervision task (督办) opens at once.
func TestCatalogUpdateOrderedLateIsOverdue(t *testing.T) {
	s := startShareStack(t)
	ta := s.ta
	changed := time.Now().In(chinaTime).AddDate(0, -2, 0).Format(time.DateOnly)
	body := catalogUpdateInput(changed)
	body["department_id"] = models.DemoProvidingDeptID
	body["trigger"] = "duties_changed"
	var created CatalogUpdateStatus
	ta.expect(ta.do("POST", "/api/v1/catalog-updates", ta.authority(), body), 201).json(t, &created)
	if !created.Overdue || created.DueAt == nil || *created.DueAt != ta.due(t, changed, 10).Due {
		t.Fatalf("created = %+v, want overdue, due 10 WD after %s", created, changed)
	}
	var sup TaskView
	s.eventually(t, "the supervision task", func() bool {
		var inbox TaskList
		ta.expect(ta.do("GET", "/api/v1/tasks?procedure=catalog_update", ta.authority(), nil), 200).json(t, &inbox)
		for _, it := range inbox.Items {
			if it.RequestID == created.ID && it.Kind == "supervision" {
				sup = it
				return true
			}
		}
		return false
	})
	var detail CatalogUpdateDetail
	ta.expect(ta.do("GET", "/api/v1/catalog-updates/"+created.ID, ta.providerApprover(), nil), 200).json(t, &detail)
	if !detail.OrderedByAuthority || detail.DepartmentID != models.DemoProvidingDeptID || !detail.Overdue {
		t.Fatalf("detail = %+v", detail.CatalogUpdateView)
	}

	// From the supervision task the authority urges and comments on the overdue task; it does
	// not claim or decide the supervision task.
	if !slices.Equal(sup.Actions, []string{"comment", "urge", "rectification"}) {
		t.Errorf("supervision task actions = %v", sup.Actions)
	}
	for _, action := range []string{"claim", "complete"} {
		e := ta.expect(ta.do("POST", taskPath(sup.ID, action), ta.authority(), map[string]any{"decision": "submit"}), 422).errorBody(t)
		if e.Code != CodeRuleViolated || !strings.Contains(e.Message, sup.ParentTaskID) {
			t.Errorf("%s on the supervision task: %+v", action, e)
		}
	}
	var urged TaskView
	ta.expect(ta.do("POST", taskPath(sup.ID, "urge"), ta.authority(), map[string]any{"text": "请于三个工作日内提交"}), 200).json(t, &urged)
	if urged.ID != sup.ParentTaskID || urged.UrgeCount != 1 {
		t.Errorf("urged = %+v, want the overdue task urged once", urged)
	}
	ta.expect(ta.do("POST", taskPath(sup.ID, "urge"), ta.authority(), nil), 422) // once per working day
	ta.expect(ta.do("POST", taskPath(sup.ID, "comments"), ta.authority(), map[string]any{"text": "请说明逾期原因"}), 200)
	var overdue TaskDetail
	ta.expect(ta.do("GET", taskPath(sup.ParentTaskID), ta.providerApprover(), nil), 200).json(t, &overdue)
	kinds := map[string]string{}
	for _, e := range overdue.Timeline {
		kinds[e.Kind] = e.Text
	}
	if kinds["urged"] != "请于三个工作日内提交" || kinds["commented"] != "请说明逾期原因" {
		t.Errorf("the overdue task's record = %+v", overdue.Timeline)
	}
}
