package api

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/datashare/datashare/internal/calsource"
	"github.com/datashare/datashare/internal/devserver"
	"github.com/datashare/datashare/internal/temporalx"
	"github.com/datashare/datashare/internal/testutil"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
	"github.com/datashare/datashare/worker"
	"github.com/datashare/datashare/workflows/contract"
)

// shareStack is the API over a real database, an embedded Temporal server and a worker with
// the production registration under the ningxia profile.
type shareStack struct {
	ta  *testAPI
	tc  client.Client
	ctx context.Context
	db  *gorm.DB // the read model, for tests that seed a state
}

func startShareStack(t *testing.T) shareStack {
	t.Helper()
	return startStackFor(t, "ningxia")
}

// startStackFor is startShareStack under another profile, with its demo data.
func startStackFor(t *testing.T, profileID string) shareStack {
	t.Helper()
	if testing.Short() {
		t.Skip("starts an embedded Temporal server")
	}
	quiet := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	srv, err := devserver.Start(ctx, devserver.Options{DataDir: t.TempDir(), FrontendPort: testutil.FreePort(t), UIPort: -1,
		Logger: quiet, SearchAttributes: contract.SearchAttributes()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	tc, closer, err := temporalx.NewClient(temporalx.Config{Address: srv.FrontendHostPort(), Namespace: "default"}, quiet, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tc.Close(); _ = closer.Close() })

	db := modelstest.NewSQLite(t)
	ta := newTestAPIFor(t, db, profileID)
	ta.updater.via, ta.starter.via = tc, tc
	cal, err := calsource.New(models.NewStore(db), 0, quiet, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	profile := -1
	profiles := testPolicies(t)
	for i, p := range profiles {
		if p.ID == profileID {
			profile = i
		}
	}
	if profile < 0 {
		t.Fatalf("no %s profile", profileID)
	}
	// The API starts workflows on the default queue (Deps.TaskQueue unset).
	w := worker.New(worker.Deps{Client: tc, TaskQueue: contract.DefaultTaskQueue, DB: db, Logger: quiet,
		StopTimeout: time.Second, Calendars: cal, Policy: profiles[profile]})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return shareStack{ta: ta, tc: tc, ctx: ctx, db: db}
}

// eventually polls until ok, as projections follow the workflow asynchronously.
func (s shareStack) eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for !ok() {
		if s.ctx.Err() != nil {
			t.Fatalf("%s never happened", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// openTask waits for the request's open task of the step in the caller's inbox.
func (s shareStack) openTask(t *testing.T, token, requestID, step string) TaskView {
	t.Helper()
	var task TaskView
	s.eventually(t, "the "+step+" task in the inbox", func() bool {
		var inbox TaskList
		s.ta.expect(s.ta.do("GET", "/api/v1/tasks?procedure=share", token, nil), 200).json(t, &inbox)
		for _, it := range inbox.Items {
			if it.RequestID == requestID && it.Step == step && it.Kind == "step" {
				task = it
				return true
			}
		}
		return false
	})
	return task
}

// TestShareRequestThroughTemporal is the happy path of a conditional share request through
// the HTTP API, against an embedded Temporal server and the worker's own registration: the
// applicant submits, the provider's approver finds the task in its inbox and approves, the
// request is granted, and the authority suspends the grant.
func TestShareRequestThroughTemporal(t *testing.T) {
	s := startShareStack(t)
	ta, tc, ctx := s.ta, s.tc, s.ctx
	var created ShareRequestStatus
	ta.expect(ta.do("POST", "/api/v1/share-requests", ta.applicant(), shareInput(demoResourceID(t, ta, "NX-SCJG-0002"))), 201).json(t, &created)
	if created.Status != "pending" || created.CurrentStep != "reply" || created.DueAt == nil || len(created.LegalBasis) == 0 {
		t.Fatalf("created = %+v", created)
	}
	reqPath := "/api/v1/share-requests/" + created.ID

	approver := ta.providerApprover()
	task := s.openTask(t, approver, created.ID, "reply")
	// The item says what the request is about: the projection took it from the request's row,
	// which the workflow projects before the task.
	st := models.NewStore(s.db)
	res, err := st.GetResource(ctx, demoResourceID(t, ta, "NX-SCJG-0002"))
	if err != nil {
		t.Fatal(err)
	}
	using, err := st.GetDepartment(ctx, models.DemoUsingDeptID)
	if err != nil {
		t.Fatal(err)
	}
	if task.ResourceCode != "NX-SCJG-0002" || task.ResourceName != res.Name || task.ApplicantDepartmentID != using.ID ||
		task.ApplicantDepartmentName != using.Name || task.Purpose != shareInput(0)["purpose"] ||
		task.Title != res.Name+" · "+using.Name+" · 有条件共享申请" || task.RemainingWorkdays == nil || task.Light == "" ||
		strings.Contains(task.ID, "/") {
		t.Errorf("reply task = %+v", task)
	}
	approve := map[string]any{"decision": "approve", "scope": "姓名、证件号码", "usage_purpose": "社保待遇资格核验", "validity_days": 180}
	ta.expect(ta.do("POST", taskPath(task.ID)+"/complete", ta.otherApprover(), approve), 404)
	ta.expect(ta.do("POST", taskPath(task.ID)+"/complete", approver, approve), 200)

	// The approve answers once the grant it made is in the read model.
	var detail ShareRequestDetail
	ta.expect(ta.do("GET", reqPath, ta.applicant(), nil), 200).json(t, &detail)
	if detail.Status != "granted" || detail.Grant == nil {
		t.Fatalf("request right after the approve = %s, grant %+v; want granted", detail.Status, detail.Grant)
	}
	if detail.Grant.Scope != "姓名、证件号码" || detail.Grant.Status != "active" {
		t.Fatalf("granted detail = %+v", detail)
	}
	// The consent opens the provider's delivery (政务数据共享条例 第二十二条第一款): 20 working
	// days to share the data by one of the 第二款's ways; the request stays granted.
	deliver := s.openTask(t, approver, created.ID, "deliver")
	if len(deliver.Decisions) != 1 || deliver.Decisions[0].Code != "delivered" ||
		!slices.Equal(deliver.Decisions[0].Choices["method"], []string{"interface", "batch", "file"}) || deliver.DueAt == nil {
		t.Fatalf("deliver task = %+v", deliver)
	}
	ta.expect(ta.do("GET", reqPath, ta.applicant(), nil), 200).json(t, &detail)
	if detail.Status != "granted" || len(detail.OpenTasks) != 1 || detail.OpenTasks[0].Step != "deliver" {
		t.Fatalf("request while the delivery is open = %s, open tasks %+v", detail.Status, detail.OpenTasks)
	}
	delivered := map[string]any{"decision": "delivered", "method": "batch", "reference": "PL-2026-001"}
	ta.expect(ta.do("POST", taskPath(deliver.ID)+"/complete", ta.applicant(), delivered), 404)
	if e := ta.expect(ta.do("POST", taskPath(deliver.ID)+"/complete", approver,
		map[string]any{"decision": "delivered", "method": "batch", "channel": "x"}), 400).errorBody(t); e.Fields["channel"] == "" {
		t.Errorf("unknown field of delivered: %+v", e)
	}
	if e := ta.expect(ta.do("POST", taskPath(deliver.ID)+"/complete", approver,
		map[string]any{"decision": "delivered", "method": "fax"}), 400).errorBody(t); e.Fields["method"] == "" {
		t.Errorf("method outside the choices: %+v", e)
	}
	ta.expect(ta.do("POST", taskPath(deliver.ID)+"/complete", approver, map[string]any{"decision": "delivered"}), 422)
	ta.expect(ta.do("POST", taskPath(deliver.ID)+"/complete", approver, delivered), 200)
	s.eventually(t, "the delivery recorded", func() bool {
		ta.expect(ta.do("GET", reqPath, ta.applicant(), nil), 200).json(t, &detail)
		return len(detail.OpenTasks) == 0 && slices.ContainsFunc(detail.Timeline, func(ev TimelineEventView) bool { return ev.Kind == "data_delivered" })
	})
	if detail.Status != "granted" || detail.CurrentStep != "" || detail.DueAt != nil {
		t.Fatalf("request after the delivery = %+v", detail.ShareRequestView)
	}
	kinds := map[string]bool{}
	for _, ev := range detail.Timeline {
		kinds[ev.Kind] = true
	}
	for _, k := range []string{"submitted", "task_opened", "completed", "granted"} {
		if !kinds[k] {
			t.Errorf("timeline lacks %s: %+v", k, detail.Timeline)
		}
	}
	var grants GrantList
	ta.expect(ta.do("GET", "/api/v1/grants", ta.applicant(), nil), 200).json(t, &grants)
	if len(grants.Items) != 1 || grants.Items[0].ID != detail.Grant.ID {
		t.Fatalf("consumer's grants = %+v", grants)
	}
	// Withdrawing a granted request is a conflict the workflow reports.
	ta.expect(ta.do("POST", reqPath+"/withdraw", ta.applicant(), nil), 409)

	var suspended GrantView
	ta.expect(ta.do("POST", "/api/v1/grants/"+detail.Grant.ID+"/suspend", ta.authority(), map[string]any{"reason": "超出约定用途使用"}), 200).json(t, &suspended)
	if suspended.Status != "suspended" || suspended.StatusReason != "超出约定用途使用" {
		t.Fatalf("suspended = %+v", suspended)
	}
	// Suspending again is a conflict.
	ta.expect(ta.do("POST", "/api/v1/grants/"+detail.Grant.ID+"/suspend", ta.authority(), map[string]any{"reason": "再次"}), 409)
	// 政务数据共享条例 第二十七条第二款: the providing department may suspend, resume and end the
	// sharing of its data too; an approver of another department does not find the grant.
	ta.expect(ta.do("POST", "/api/v1/grants/"+detail.Grant.ID+"/resume", ta.otherApprover(), map[string]any{"reason": "x"}), 404)
	var resumed GrantView
	ta.expect(ta.do("POST", "/api/v1/grants/"+detail.Grant.ID+"/resume", ta.providerApprover(), map[string]any{"reason": "已整改"}), 200).json(t, &resumed)
	if resumed.Status != "active" || resumed.StatusReason != "已整改" {
		t.Fatalf("resumed by the provider = %+v", resumed)
	}

	// The workflow carries the administrators' search attributes and its title from the start.
	desc, err := tc.DescribeWorkflowExecution(ctx, created.WorkflowID, "")
	if err != nil {
		t.Fatal(err)
	}
	attrs := desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()
	for _, k := range []string{contract.ProcedureKey.GetName(), contract.JurisdictionKey.GetName(), contract.ApplicantDeptKey.GetName(),
		contract.ProviderDeptKey.GetName(), contract.StatusKey.GetName()} {
		if attrs[k] == nil {
			t.Errorf("search attribute %s missing: %v", k, attrs)
		}
	}
	if desc.GetWorkflowExecutionInfo().GetMemo().GetFields()[contract.MemoTitle] == nil {
		t.Error("no memo title")
	}

	// A second request, withdrawn while its reply is open: the task closes with it.
	var second ShareRequestStatus
	ta.expect(ta.do("POST", "/api/v1/share-requests", ta.applicant(), shareInput(demoResourceID(t, ta, "NX-SCJG-0002"))), 201).json(t, &second)
	ta.expect(ta.do("POST", "/api/v1/share-requests/"+second.ID+"/withdraw", ta.providerApprover(), nil), 403)
	var withdrawn ShareRequestStatus
	ta.expect(ta.do("POST", "/api/v1/share-requests/"+second.ID+"/withdraw", ta.applicant(), map[string]any{"reason": "已通过其他渠道获取"}), 200).json(t, &withdrawn)
	if withdrawn.Status != "withdrawn" || withdrawn.CurrentStep != "" {
		t.Fatalf("withdrawn = %+v", withdrawn)
	}
	s.eventually(t, "the withdrawn request's task closed", func() bool {
		var d ShareRequestDetail
		ta.expect(ta.do("GET", "/api/v1/share-requests/"+second.ID, ta.applicant(), nil), 200).json(t, &d)
		return d.Status == "withdrawn" && len(d.OpenTasks) == 0
	})
	var mine ShareRequestList
	ta.expect(ta.do("GET", "/api/v1/share-requests?status=withdrawn", ta.applicant(), nil), 200).json(t, &mine)
	if len(mine.Items) != 1 || mine.Items[0].ID != second.ID {
		t.Fatalf("withdrawn list = %+v", mine.Items)
	}
}

// TestShareRefusalThroughNegotiationAndCoordination: the provider refuses, the applicant asks
// for negotiation, the negotiation fails, and the authority's coordination grants.
func TestShareRefusalThroughNegotiationAndCoordination(t *testing.T) {
	s := startShareStack(t)
	ta := s.ta
	var created ShareRequestStatus
	ta.expect(ta.do("POST", "/api/v1/share-requests", ta.applicant(), shareInput(demoResourceID(t, ta, "NX-SCJG-0002"))), 201).json(t, &created)
	path := "/api/v1/share-requests/" + created.ID
	approver := ta.providerApprover()

	// Negotiation is only for a refused request.
	ta.expect(ta.do("POST", path+"/negotiation", ta.applicant(), map[string]any{"reason": "履职必需"}), 409)
	reply := s.openTask(t, approver, created.ID, "reply")
	refuse := map[string]any{"decision": "refuse", "reason_code": "outside_duty", "reason": "申请用途超出法定职责范围", "legal_basis": "《个人信息保护法》第三十四条"}
	// The reason code must come from the profile's catalogue, which the task lists.
	if !slices.Contains(reply.Decisions[1].Choices["reason_code"], "outside_duty") {
		t.Errorf("refuse decision = %+v, want the catalogue's codes", reply.Decisions[1])
	}
	unknown := maps.Clone(refuse)
	unknown["reason_code"] = "dislike"
	if e := ta.expect(ta.do("POST", taskPath(reply.ID)+"/complete", approver, unknown), 400).errorBody(t); e.Fields["reason_code"] == "" {
		t.Errorf("unknown reason code: error %+v does not name reason_code", e)
	}
	ta.expect(ta.do("POST", taskPath(reply.ID)+"/complete", approver, refuse), 200)
	s.eventually(t, "the request refused", func() bool {
		var d ShareRequestDetail
		ta.expect(ta.do("GET", path, ta.applicant(), nil), 200).json(t, &d)
		return d.Status == "refused"
	})
	// Only the applicant asks for negotiation, with a reason.
	ta.expect(ta.do("POST", path+"/negotiation", approver, map[string]any{"reason": "x"}), 403)
	ta.expect(ta.do("POST", path+"/negotiation", ta.applicant(), map[string]any{}), 400)
	ta.expect(ta.do("POST", path+"/negotiation", ta.applicant(), map[string]any{"reason": "社保待遇核验系法定职责"}), 200)
	ta.expect(ta.do("POST", path+"/negotiation", ta.applicant(), map[string]any{"reason": "again"}), 409)

	negotiate := s.openTask(t, approver, created.ID, "negotiate")
	ta.expect(ta.do("POST", taskPath(negotiate.ID)+"/complete", approver, map[string]any{"decision": "fail", "reason": "双方未达成一致"}), 200)
	coordinate := s.openTask(t, ta.authority(), created.ID, "coordinate")
	grant := map[string]any{"decision": "grant", "scope": "姓名", "usage_purpose": "社保待遇资格核验", "validity_days": 90}
	ta.expect(ta.do("POST", taskPath(coordinate.ID)+"/complete", ta.authority(), grant), 200)

	var d ShareRequestDetail
	s.eventually(t, "the request granted by coordination", func() bool {
		ta.expect(ta.do("GET", path, ta.providerApprover(), nil), 200).json(t, &d)
		return d.Status == "granted" && d.Grant != nil
	})
	kinds := map[string]bool{}
	for _, ev := range d.Timeline {
		kinds[ev.Kind] = true
	}
	for _, k := range []string{"refused", "negotiation_requested", "negotiation_failed", "granted"} {
		if !kinds[k] {
			t.Errorf("timeline lacks %s", k)
		}
	}
	if d.Grant.Scope != "姓名" {
		t.Fatalf("grant = %+v", d.Grant)
	}
}

// TestShareNegotiationSharedByBothDepartments: for a resource not for sharing the request goes
// straight to negotiation, one task in both departments' inboxes. The applicant proposes
// terms, which the provider sees on the task and agrees to: the request is granted on them.
func TestShareNegotiationSharedByBothDepartments(t *testing.T) {
	s := startShareStack(t)
	ta := s.ta
	var created ShareRequestStatus
	in := shareInput(demoResourceID(t, ta, "NX-SCJG-0003"))
	in["duty_basis"] = "《社会救助暂行办法》第十一条：低保家庭经济状况核对"
	ta.expect(ta.do("POST", "/api/v1/share-requests", ta.applicant(), in), 201).json(t, &created)
	approver := ta.providerApprover()

	mine := s.openTask(t, ta.applicant(), created.ID, "negotiate")
	theirs := s.openTask(t, approver, created.ID, "negotiate")
	if mine.ID != theirs.ID || theirs.PartnerDepartmentID == "" || theirs.PartnerRole != "applicant" {
		t.Fatalf("applicant's task %+v, provider's %+v: want one shared task", mine, theirs)
	}
	complete := taskPath(mine.ID) + "/complete"
	ta.expect(ta.do("POST", taskPath(mine.ID)+"/claim", approver, nil), 422)
	terms := map[string]any{"decision": "agree", "scope": "企业名称、统一社会信用代码", "usage_purpose": "低保资格核验", "validity_days": 60}
	ta.expect(ta.do("POST", complete, ta.applicant(), terms), 200)
	// The applicant cannot agree with itself.
	ta.expect(ta.do("POST", complete, ta.applicant(), map[string]any{"decision": "agree"}), 409)

	// Read-your-writes: the read right after each 200 shows what the action did — the
	// proposal on the task, then the grant the agreement made (the workflow's next transition).
	var proposed TaskView
	ta.expect(ta.do("GET", taskPath(mine.ID), approver, nil), 200).json(t, &proposed)
	if proposed.Status != "open" || proposed.Proposal == nil || proposed.Proposal.Fields["scope"] != terms["scope"] || proposed.Proposal.DepartmentID == "" {
		t.Fatalf("task right after the proposal = %+v", proposed)
	}
	ta.expect(ta.do("POST", complete, approver, map[string]any{"decision": "agree", "comment": "同意上述方案"}), 200)

	var d ShareRequestDetail
	ta.expect(ta.do("GET", "/api/v1/share-requests/"+created.ID, ta.applicant(), nil), 200).json(t, &d)
	if d.Status != "granted" || d.Grant == nil {
		t.Fatalf("request right after the agreement = %s, grant %+v; want granted", d.Status, d.Grant)
	}
	if d.Grant.Scope != terms["scope"] || d.Grant.UsagePurpose != terms["usage_purpose"] {
		t.Fatalf("grant = %+v, want the proposed terms", d.Grant)
	}
}

// TestCreateAnswersOnceItsTaskIsListed: read-your-writes. Right after each 201 the provider's
// approver finds the new request's task in its inbox and the request shows it open — without
// the wait for the task's projection, some of these reads came before it.
func TestCreateAnswersOnceItsTaskIsListed(t *testing.T) {
	s := startShareStack(t)
	ta := s.ta
	approver := ta.providerApprover()
	rid := demoResourceID(t, ta, "NX-SCJG-0002")
	misses := 0
	for i := range 30 {
		var created ShareRequestStatus
		ta.expect(ta.do("POST", "/api/v1/share-requests", ta.applicant(), shareInput(rid)), 201).json(t, &created)
		var inbox TaskList
		ta.expect(ta.do("GET", "/api/v1/tasks?procedure=share&limit=100", approver, nil), 200).json(t, &inbox)
		found := false
		for _, it := range inbox.Items {
			found = found || it.RequestID == created.ID
		}
		var detail struct {
			OpenTasks []TaskView `json:"open_tasks"`
		}
		ta.expect(ta.do("GET", "/api/v1/share-requests/"+created.ID, ta.applicant(), nil), 200).json(t, &detail)
		if !found || len(detail.OpenTasks) != 1 {
			misses++
			t.Errorf("create %d (%s): task in the inbox %v, open tasks on the request %d", i, created.ID, found, len(detail.OpenTasks))
		}
	}
	if misses > 0 {
		t.Errorf("%d of 30 creates answered before their task was listed", misses)
	}
}

// A field of the applicant's form is declared once, in contract.ShareForm: the create binds
// it, the workflow carries it, the read model keeps it and every view of the request shows
// it. The form here is built from that type's fields, so a field added there is checked with
// no change to this test; text with white space around it comes back trimmed.
func TestShareFormFieldsReachEveryView(t *testing.T) {
	s := startShareStack(t)
	ta := s.ta
	body := map[string]any{"resource_id": demoResourceID(t, ta, "NX-SCJG-0002")}
	var want contract.ShareForm
	fillForm(t, &want, body)
	var created ShareRequestStatus
	ta.expect(ta.do("POST", "/api/v1/share-requests", ta.applicant(), body), 201).json(t, &created)

	var detail ShareRequestDetail
	ta.expect(ta.do("GET", "/api/v1/share-requests/"+created.ID, ta.applicant(), nil), 200).json(t, &detail)
	if detail.ShareForm != want {
		t.Errorf("the request's form = %+v, want %+v", detail.ShareForm, want)
	}
	var list ShareRequestList
	ta.expect(ta.do("GET", "/api/v1/share-requests?limit=100", s.ta.providerApprover(), nil), 200).json(t, &list)
	i := slices.IndexFunc(list.Items, func(v ShareRequestView) bool { return v.ID == created.ID })
	if i < 0 || list.Items[i].ShareForm != want {
		t.Errorf("the provider's list shows the request as %+v, want its form %+v", list.Items, want)
	}
	if task := s.openTask(t, ta.providerApprover(), created.ID, "reply"); task.Purpose != want.Purpose {
		t.Errorf("the reply task's purpose = %q, want %q", task.Purpose, want.Purpose)
	}
}
