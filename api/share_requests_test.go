package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
	"github.com/datashare/datashare/workflows/contract"
)

// fakeStarter records the workflows the API starts and answers the share request query with
// the first step open, as ShareRequestWorkflow does for a conditional resource. With via set
// it records and forwards to a real client instead.
type fakeStarter struct {
	mu     sync.Mutex
	starts []client.StartWorkflowOptions
	inputs []contract.ShareRequestInput
	err    error // returned by ExecuteWorkflow
	via    WorkflowStarter
}

func (f *fakeStarter) ExecuteWorkflow(ctx context.Context, o client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts = append(f.starts, o)
	if in, ok := args[0].(contract.ShareRequestInput); ok {
		f.inputs = append(f.inputs, in)
	}
	if f.via != nil {
		return f.via.ExecuteWorkflow(ctx, o, wf, args...)
	}
	if f.err != nil {
		return nil, f.err
	}
	return fakeRun{id: o.ID}, nil
}

func (f *fakeStarter) QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error) {
	if f.via != nil {
		return f.via.QueryWorkflow(ctx, workflowID, runID, queryType, args...)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	in := f.inputs[len(f.inputs)-1]
	due := in.ReceivedAt.Add(20 * 24 * time.Hour)
	st := contract.ShareRequestState{Input: in, CaseState: contract.CaseState{Jurisdiction: "ningxia", Status: contract.ShareStatusPending,
		CurrentStep: contract.StepReply, DueAt: &due, LegalBasis: []string{"《宁夏回族自治区政务数据资源共享管理办法》第十四条"}, Revision: 2}}
	return encodedValue{st}, nil
}

// NewWithStartWorkflowOperation and UpdateWithStartWorkflow make fakeStarter an
// UpdateWithStarter. With a via that can, they record and forward. With a via that cannot
// (a starter killed after the start), the start goes through via.ExecuteWorkflow and the
// update gets no answer, as when the workflow does not reply in time. Without via they record
// the start and answer the opened update with what QueryWorkflow answers.
func (f *fakeStarter) NewWithStartWorkflowOperation(o client.StartWorkflowOptions, wf any, args ...any) client.WithStartWorkflowOperation {
	if us, ok := f.via.(UpdateWithStarter); ok {
		f.record(o, args)
		return us.NewWithStartWorkflowOperation(o, wf, args...)
	}
	return &fakeStartOp{o: o, wf: wf, args: args}
}

func (f *fakeStarter) UpdateWithStartWorkflow(ctx context.Context, o client.UpdateWithStartWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	if us, ok := f.via.(UpdateWithStarter); ok {
		return us.UpdateWithStartWorkflow(ctx, o)
	}
	op := o.StartWorkflowOperation.(*fakeStartOp)
	op.run, op.err = f.ExecuteWorkflow(ctx, op.o, op.wf, op.args...)
	if op.err != nil {
		return nil, op.err
	}
	if f.via != nil {
		return nil, errors.New("no answer to the opened update")
	}
	return fakeUpdateHandle{f: f}, nil
}

func (f *fakeStarter) record(o client.StartWorkflowOptions, args []any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts = append(f.starts, o)
	if in, ok := args[0].(contract.ShareRequestInput); ok {
		f.inputs = append(f.inputs, in)
	}
}

// fakeStartOp is the start of an Update-with-Start that fakeStarter carries out itself.
type fakeStartOp struct {
	o    client.StartWorkflowOptions
	wf   any
	args []any
	run  client.WorkflowRun
	err  error
}

func (o *fakeStartOp) Get(context.Context) (client.WorkflowRun, error) { return o.run, o.err }

type fakeUpdateHandle struct {
	client.WorkflowUpdateHandle
	f *fakeStarter
}

func (h fakeUpdateHandle) Get(ctx context.Context, ptr any) error {
	v, err := h.f.QueryWorkflow(ctx, "", "", contract.QueryShareRequest)
	if err != nil {
		return err
	}
	return v.Get(ptr)
}

func (f *fakeStarter) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.starts)
}

type fakeRun struct {
	client.WorkflowRun
	id string
}

func (r fakeRun) GetID() string    { return r.id }
func (r fakeRun) GetRunID() string { return "run-1" }

type encodedValue struct{ v any }

func (e encodedValue) HasValue() bool { return true }
func (e encodedValue) Get(ptr any) error {
	raw, err := json.Marshal(e.v)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, ptr)
}

// demoResourceID finds a demo catalog resource by code.
func demoResourceID(t *testing.T, ta *testAPI, code string) int64 {
	t.Helper()
	var page CatalogResourceList
	ta.expect(ta.do("GET", "/api/v1/catalog/resources?q="+code, ta.authority(), nil), 200).json(t, &page)
	for _, it := range page.Items {
		if it.Code == code {
			return it.ID
		}
	}
	t.Fatalf("no demo resource %s", code)
	return 0
}

func shareInput(resourceID int64) map[string]any {
	return map[string]any{"resource_id": resourceID, "purpose": "核验社保待遇申领人的企业法定代表人身份",
		"scope": "姓名、证件号码", "requested_validity_days": 365}
}

func TestCreateShareRequestStartsTheWorkflow(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	res := demoResourceID(t, ta, "NX-SCJG-0002")
	key := http.Header{HeaderIdempotencyKey: {"sr-create-1"}}
	r := ta.expect(ta.doWithHeader("POST", "/api/v1/share-requests", ta.applicant(), key, shareInput(res)), 201)
	var got ShareRequestStatus
	r.json(t, &got)
	if !strings.HasPrefix(got.ID, "SR-") || got.WorkflowID != contract.ShareRequestWorkflowID(got.ID) || got.Status != "pending" ||
		got.CurrentStep != "reply" || got.DueAt == nil || !strings.HasSuffix(*got.DueAt, "+08:00") || len(got.LegalBasis) != 1 {
		t.Fatalf("created = %+v", got)
	}
	if r.header.Get("Location") != "/api/v1/share-requests/"+got.ID {
		t.Fatalf("Location = %q", r.header.Get("Location"))
	}
	o, in := ta.starter.starts[0], ta.starter.inputs[0]
	if o.ID != got.WorkflowID || o.TaskQueue != contract.DefaultTaskQueue ||
		o.WorkflowIDReusePolicy != enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE || o.Memo[contract.MemoTitle] == nil {
		t.Fatalf("start options = %+v", o)
	}
	if v, _ := o.TypedSearchAttributes.GetKeyword(contract.JurisdictionKey); v != "ningxia" {
		t.Fatalf("jurisdiction search attribute = %q", v)
	}
	if v, _ := o.TypedSearchAttributes.GetKeyword(contract.ApplicantDeptKey); v != models.DemoUsingDeptID {
		t.Fatalf("applicant search attribute = %q", v)
	}
	if in.RequestID != got.ID || in.Applicant.Subject != "demo-applicant" || in.Applicant.DepartmentID != models.DemoUsingDeptID ||
		in.Resource.ShareType != "conditional" || in.DecidingDeptID != models.DemoProvidingDeptID || in.AuthorityDeptID != models.DemoAuthorityID ||
		in.RequestedValidityDays != 365 || in.ReceivedAt.IsZero() {
		t.Fatalf("workflow input = %+v", in)
	}

	// The same key and body: the same request, no second workflow.
	again := ta.expect(ta.doWithHeader("POST", "/api/v1/share-requests", ta.applicant(), key, shareInput(res)), 201)
	var same ShareRequestStatus
	again.json(t, &same)
	if same.ID != got.ID || again.header.Get(HeaderIdempotentReplayed) != "true" || ta.starter.count() != 1 {
		t.Fatalf("repeat = %+v (replayed %q, %d starts)", same, again.header.Get(HeaderIdempotentReplayed), ta.starter.count())
	}
	// Without a key, a second submission is a second request.
	var second ShareRequestStatus
	ta.expect(ta.do("POST", "/api/v1/share-requests", ta.applicant(), shareInput(res)), 201).json(t, &second)
	if second.ID == got.ID || ta.starter.count() != 2 {
		t.Fatalf("second request = %+v", second)
	}
}

func TestCreateShareRequestValidates(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	conditional := demoResourceID(t, ta, "NX-SCJG-0002")
	none := demoResourceID(t, ta, "NX-SCJG-0003")
	unpublished := demoResourceID(t, ta, "NX-RST-0001")
	providerApplicant := ta.token("scjg-applicant", models.DemoProvidingDeptID, auth.RoleApplicant)
	cases := []struct {
		name   string
		token  string
		body   any
		status int
		code   string
		field  string
	}{
		{"no purpose", ta.applicant(), withField(shareInput(conditional), "purpose", ""), 400, CodeInvalidInput, "purpose"},
		{"blank scope", ta.applicant(), withField(shareInput(conditional), "scope", "   "), 400, CodeInvalidInput, "scope"},
		{"no resource", ta.applicant(), withField(shareInput(conditional), "resource_id", nil), 400, CodeInvalidInput, "resource_id"},
		{"no validity", ta.applicant(), withField(shareInput(conditional), "requested_validity_days", 0), 400, CodeInvalidInput, "requested_validity_days"},
		{"unknown field", ta.applicant(), withField(shareInput(conditional), "porpuse", "x"), 400, CodeInvalidInput, "porpuse"},
		{"missing resource", ta.applicant(), shareInput(999999), 422, CodeRuleViolated, "resource_id"},
		{"unpublished resource", providerApplicant, shareInput(unpublished), 422, CodeRuleViolated, "resource_id"},
		{"own department", providerApplicant, shareInput(conditional), 422, CodeRuleViolated, "resource_id"},
		{"none without duty basis", ta.applicant(), shareInput(none), 400, CodeInvalidInput, "duty_basis"},
		{"not an applicant", ta.otherApprover(), shareInput(conditional), 403, CodeForbidden, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := ta.expect(ta.do("POST", "/api/v1/share-requests", tc.token, tc.body), tc.status).errorBody(t)
			if e.Code != tc.code || (tc.field != "" && e.Fields[tc.field] == "") {
				t.Fatalf("error = %+v, want %s naming %q", e, tc.code, tc.field)
			}
		})
	}
	if n := ta.starter.count(); n != 0 {
		t.Fatalf("%d workflows started for refused requests", n)
	}
	// With its duty basis, a resource not for sharing may be asked for (negotiation follows).
	ta.expect(ta.do("POST", "/api/v1/share-requests", ta.applicant(), withField(shareInput(none), "duty_basis", "《社会保险法》第八十一条")), 201)
}

// Under a deployment's profile that asks every share request for the duty basis (履职依据,
// submission_requires: [duty_basis]), a request without one — left out or blank — is 422
// rule_violated naming duty_basis and citing the procedure's article, before any workflow
// starts; with one it is made. The shipped profiles ask it only for a resource not for sharing.
func TestProfileMayRequireTheDutyBasis(t *testing.T) {
	policies := testPolicies(t)
	for i, p := range policies {
		if p.ID != "ningxia" {
			continue
		}
		procs := slices.Clone(p.Procedures)
		for j, pr := range procs {
			if pr.Code == policy.ProcShare {
				pr.SubmissionRequires = append(slices.Clone(pr.SubmissionRequires), policy.NeedDutyBasis)
				procs[j] = pr
			}
		}
		policies[i].Procedures = procs
	}
	ta := newTestAPIWith(t, modelstest.NewSQLite(t), "ningxia", policies)
	conditional := demoResourceID(t, ta, "NX-SCJG-0002")
	for _, body := range []map[string]any{shareInput(conditional), withField(shareInput(conditional), "duty_basis", " \n ")} {
		e := ta.expect(ta.do("POST", "/api/v1/share-requests", ta.applicant(), body), 422).errorBody(t)
		if e.Code != CodeRuleViolated || !strings.Contains(e.Fields["duty_basis"], "履职依据") ||
			!strings.Contains(e.Message, "《宁夏回族自治区政务数据资源共享管理办法》第十一条第三款") || !strings.Contains(e.Message, "ningxia") {
			t.Errorf("%v: %+v, want 422 naming duty_basis with the article", body["duty_basis"], e)
		}
	}
	if n := ta.starter.count(); n != 0 {
		t.Fatalf("%d workflows started without a duty basis", n)
	}
	ta.expect(ta.do("POST", "/api/v1/share-requests", ta.applicant(), withField(shareInput(conditional), "duty_basis", "《社会保险法》第八十一条")), 201)

	// The shipped profile does not ask it of a conditional resource.
	plain := newTestAPI(t, modelstest.NewSQLite(t))
	plain.expect(plain.do("POST", "/api/v1/share-requests", plain.applicant(), shareInput(demoResourceID(t, plain, "NX-SCJG-0002"))), 201)
}

// seedShareRequest stores a request of the demo applicant for the provider's resource, with an
// open reply task, a timeline event and, when granted, a grant.
func seedShareRequest(t *testing.T, st *models.Store, id, status string) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 2, 12, 10, 0, 0, 0, chinaTime)
	due := now.Add(20 * 24 * time.Hour)
	wid := contract.ShareRequestWorkflowID(id)
	if _, err := st.UpsertShareRequest(ctx, models.ShareRequest{
		ID: id, ResourceID: 2, ResourceCode: "NX-SCJG-0002", ResourceName: "市场主体法定代表人及出资人身份信息",
		ApplicantDeptID: models.DemoUsingDeptID, ApplicantSubject: "demo-applicant", ProviderDeptID: models.DemoProvidingDeptID,
		DecidingDeptID: models.DemoProvidingDeptID, FormJSON: `{"purpose":"核验","scope":"姓名","requested_validity_days":365}`,
		Status: status, CurrentStep: "reply", DueAt: &due, WorkflowID: wid, Revision: 1, CreatedAt: now, UpdatedAt: now,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertTask(ctx, models.Task{TaskID: contract.HumanTaskID(wid, "reply", 1), Revision: 1, Kind: "step",
		WorkflowID: wid, RequestID: id, Procedure: "share", Step: "reply", CandidateDepartmentID: models.DemoProvidingDeptID,
		CandidateRole: "approver", Status: "open", ReceivedAt: now, DueAt: &due, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AppendTimelineEvent(ctx, models.TimelineEvent{EventID: wid + "/request#1", Seq: 1, TaskID: wid + "/request",
		WorkflowID: wid, RequestID: id, Procedure: "share", Kind: "submitted", At: now, Actor: "demo-applicant",
		DepartmentID: models.DemoUsingDeptID, Text: "核验"}); err != nil {
		t.Fatal(err)
	}
	if status == models.ShareRequestGranted {
		if _, err := st.UpsertGrant(ctx, models.Grant{ID: "G-" + id, RequestID: id, ResourceID: 2, ConsumerDeptID: models.DemoUsingDeptID,
			ProviderDeptID: models.DemoProvidingDeptID, Scope: "姓名", UsagePurpose: "核验", ValidFrom: now,
			ValidUntil: now.AddDate(1, 0, 0), Status: models.GrantActive, Revision: 1, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestShareRequestReadsAreScoped(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	seedShareRequest(t, models.NewStore(db), "SR-1", models.ShareRequestPending)
	outsider := ta.token("tech", models.DemoTechServiceID, auth.RoleApplicant)
	for name, tc := range map[string]struct {
		token string
		want  int
	}{
		"applicant": {ta.applicant(), 1}, "provider": {ta.providerApprover(), 1},
		"authority": {ta.authority(), 1}, "outsider": {outsider, 0},
	} {
		var page ShareRequestList
		ta.expect(ta.do("GET", "/api/v1/share-requests", tc.token, nil), 200).json(t, &page)
		if len(page.Items) != tc.want {
			t.Errorf("%s sees %d requests, want %d", name, len(page.Items), tc.want)
		}
	}
	var page ShareRequestList
	ta.expect(ta.do("GET", "/api/v1/share-requests?status=pending&resource_id=2&overdue=true", ta.applicant(), nil), 200).json(t, &page)
	if len(page.Items) != 1 || !page.Items[0].Overdue {
		t.Fatalf("filtered = %+v", page.Items)
	}
	ta.expect(ta.do("GET", "/api/v1/share-requests?status=granted", ta.applicant(), nil), 200).json(t, &page)
	if len(page.Items) != 0 {
		t.Fatalf("status filter leaked %+v", page.Items)
	}
	for q, field := range map[string]string{"status=open": "status", "overdue=maybe": "overdue", "resource_id=x": "resource_id", "cursor=zzz": "cursor"} {
		if e := ta.expect(ta.do("GET", "/api/v1/share-requests?"+q, ta.applicant(), nil), 400).errorBody(t); e.Fields[field] == "" {
			t.Errorf("%s: %+v", q, e)
		}
	}

	var d ShareRequestDetail
	ta.expect(ta.do("GET", "/api/v1/share-requests/SR-1", ta.providerApprover(), nil), 200).json(t, &d)
	if d.ID != "SR-1" || len(d.Timeline) != 1 || d.Timeline[0].Kind != "submitted" || len(d.OpenTasks) != 1 || d.OpenTasks[0].Step != "reply" || d.Grant != nil {
		t.Fatalf("detail = %+v", d)
	}
	ta.expect(ta.do("GET", "/api/v1/share-requests/SR-1", outsider, nil), 404)
	ta.expect(ta.do("GET", "/api/v1/share-requests/SR-nope", ta.authority(), nil), 404)
}

func TestShareRequestActionsSendUpdates(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	seedShareRequest(t, models.NewStore(db), "SR-1", models.ShareRequestPending)
	wid := contract.ShareRequestWorkflowID("SR-1")

	ta.expect(ta.do("POST", "/api/v1/share-requests/SR-1/withdraw", ta.applicant(), map[string]any{"reason": "不再需要"}), 200)
	u := ta.updater.last(t)
	w, ok := u.Args[0].(contract.WithdrawUpdate)
	if u.WorkflowID != wid || u.UpdateName != contract.UpdateWithdraw || !ok || w.Actor.Subject != "demo-applicant" || w.Reason != "不再需要" {
		t.Fatalf("withdraw sent %+v", u)
	}
	// The body is optional.
	ta.expect(ta.do("POST", "/api/v1/share-requests/SR-1/withdraw", ta.applicant(), nil), 200)

	ta.expect(ta.do("POST", "/api/v1/share-requests/SR-1/urge", ta.applicant(), map[string]any{"text": "请尽快答复"}), 200)
	u = ta.updater.last(t)
	urge, ok := u.Args[0].(contract.UrgeUpdate)
	if u.UpdateName != contract.UpdateUrge || !ok || urge.TaskID != contract.HumanTaskID(wid, "reply", 1) || urge.Text != "请尽快答复" {
		t.Fatalf("urge sent %+v", u)
	}

	if e := ta.expect(ta.do("POST", "/api/v1/share-requests/SR-1/negotiation", ta.applicant(), map[string]any{}), 400).errorBody(t); e.Fields["reason"] == "" {
		t.Fatalf("negotiation without reason: %+v", e)
	}
	ta.expect(ta.do("POST", "/api/v1/share-requests/SR-1/negotiation", ta.applicant(), map[string]any{"reason": "履职必需"}), 200)
	if u = ta.updater.last(t); u.UpdateName != contract.UpdateNegotiation {
		t.Fatalf("negotiation sent %+v", u)
	}

	// The workflow's rejections map as the task API maps them.
	for typ, status := range map[string]int{contract.ErrTypeForbidden: 403, contract.ErrTypeConflict: 409, contract.ErrTypeRuleViolated: 422} {
		ta.updater.reject = temporal.NewApplicationError("no", typ)
		ta.expect(ta.do("POST", "/api/v1/share-requests/SR-1/withdraw", ta.applicant(), nil), status)
	}
	ta.updater.reject = nil
	// An applicant of another department does not even see the request.
	sent := ta.updater.count()
	ta.expect(ta.do("POST", "/api/v1/share-requests/SR-1/withdraw", ta.token("tech", models.DemoTechServiceID, auth.RoleApplicant), nil), 404)
	// The provider is no applicant.
	ta.expect(ta.do("POST", "/api/v1/share-requests/SR-1/withdraw", ta.providerApprover(), nil), 403)
	if ta.updater.count() != sent {
		t.Fatal("an update was sent for a refused caller")
	}
}

func TestGrantsAreScopedAndActedOnByTheAuthority(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	seedShareRequest(t, models.NewStore(db), "SR-1", models.ShareRequestGranted)
	outsider := ta.token("tech", models.DemoTechServiceID, auth.RoleApplicant)
	for name, tc := range map[string]struct {
		token string
		want  int
	}{
		"consumer": {ta.applicant(), 1}, "provider": {ta.providerApprover(), 1},
		"authority": {ta.authority(), 1}, "outsider": {outsider, 0},
	} {
		var page GrantList
		ta.expect(ta.do("GET", "/api/v1/grants", tc.token, nil), 200).json(t, &page)
		if len(page.Items) != tc.want {
			t.Errorf("%s sees %d grants, want %d", name, len(page.Items), tc.want)
		}
	}
	var d ShareRequestDetail
	ta.expect(ta.do("GET", "/api/v1/share-requests/SR-1", ta.applicant(), nil), 200).json(t, &d)
	if d.Grant == nil || d.Grant.ID != "G-SR-1" {
		t.Fatalf("detail grant = %+v", d.Grant)
	}

	if e := ta.expect(ta.do("POST", "/api/v1/grants/G-SR-1/suspend", ta.authority(), map[string]any{}), 400).errorBody(t); e.Fields["reason"] == "" {
		t.Fatalf("suspend without reason: %+v", e)
	}
	var g GrantView
	ta.expect(ta.do("POST", "/api/v1/grants/G-SR-1/suspend", ta.authority(), map[string]any{"reason": "超范围使用"}), 200).json(t, &g)
	u := ta.updater.last(t)
	a, ok := u.Args[0].(contract.GrantActionUpdate)
	if u.WorkflowID != contract.ShareRequestWorkflowID("SR-1") || u.UpdateName != contract.UpdateSuspendGrant || !ok ||
		a.Reason != "超范围使用" || a.Actor.DepartmentID != models.DemoAuthorityID || g.ID != "G-SR-1" {
		t.Fatalf("suspend sent %+v, answered %+v", u, g)
	}
	ta.expect(ta.do("POST", "/api/v1/grants/G-SR-1/resume", ta.authority(), map[string]any{"reason": "已整改"}), 200)
	if u := ta.updater.last(t); u.UpdateName != contract.UpdateResumeGrant {
		t.Fatalf("resume sent %+v", u)
	}
	// An approver reaches only its own department's grants (the workflow then checks the 条例's
	// power, 政务数据共享条例 第二十七条第二款); an applicant none.
	ta.expect(ta.do("POST", "/api/v1/grants/G-SR-1/revoke", ta.otherApprover(), map[string]any{"reason": "x"}), 404)
	ta.expect(ta.do("POST", "/api/v1/grants/G-SR-1/revoke", ta.applicant(), map[string]any{"reason": "x"}), 403)
	ta.expect(ta.do("POST", "/api/v1/grants/G-SR-1/revoke", ta.providerApprover(), map[string]any{"reason": "x"}), 200)
	if u := ta.updater.last(t); u.UpdateName != contract.UpdateRevokeGrant || u.Args[0].(contract.GrantActionUpdate).Actor.DepartmentID != models.DemoProvidingDeptID {
		t.Fatalf("revoke sent %+v", u)
	}
	ta.expect(ta.do("POST", "/api/v1/grants/G-nope/revoke", ta.authority(), map[string]any{"reason": "x"}), 404)
}
