package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// Procedures takes one case of every procedure of the neixiang profile through the stack's
// API to an end, one subtest each, and checks each case where operators find it: its workflow
// in Temporal visibility by the custom search attributes, and its rows in the read model. Steps
// are taken by the demo users whose role the profile names for them, found in their inboxes;
// creates and decisions alternate between API1 and API2, so two API processes serve one case.
// Every run creates new cases, so it may run again on the same stack.
func Procedures(t *testing.T, s Stack) {
	r := newRun(t, s)
	t.Run("share", r.share)
	t.Run("correction", r.correction)
	t.Run("catalog_update", r.catalogUpdate)
	t.Run("open_data", r.openData)
	t.Run("open_catalog_correction", r.openCatalogCorrection)
	t.Run("interface_extension", r.interfaceExtension)
	t.Run("rectification", r.rectification)
	t.Run("annual_report", r.annualReport)
}

// run is one Procedures run: the stack, the demo users' tokens and the departments the
// deployment places them in.
type run struct {
	s     Stack
	store *models.Store
	tok   map[string]string // by demo user id
	// Departments of the demo users, as the deployment answers /me.
	using, providing, authority, tech string
}

func newRun(t *testing.T, s Stack) *run {
	t.Helper()
	if s.API1 == "" || s.API2 == "" || s.Temporal == nil || s.DB == nil {
		t.Fatalf("stack incomplete: API1 %q, API2 %q, Temporal set %v, DB set %v", s.API1, s.API2, s.Temporal != nil, s.DB != nil)
	}
	r := &run{s: s, store: models.NewStore(s.DB), tok: map[string]string{}}
	for _, u := range []string{UserApplicant, UserRSTApprover, UserApprover, UserDeptHead, UserAuthority, UserTech, UserCitizen} {
		r.tok[u] = s.token(t, u)
	}
	// The profile in force decides every step; the scenarios follow neixiang's.
	var pols struct {
		Active string `json:"active"`
	}
	Expect(t, Request{Method: "GET", URL: APIPath(s.API1, "/policies"), Token: r.tok[UserApplicant]}, 200).Decode(t, &pols)
	if pols.Active != Jurisdiction {
		t.Fatalf("the profile in force at %s is %q, not %s (start the stack with DATASHARE_PROFILE=%s)", s.API1, pols.Active, Jurisdiction, Jurisdiction)
	}
	r.using = r.deptOf(t, s.API1, UserApplicant)
	r.providing = r.deptOf(t, s.API2, UserApprover)
	r.authority = r.deptOf(t, s.API1, UserAuthority)
	r.tech = r.deptOf(t, s.API2, UserTech)
	return r
}

func (r *run) deptOf(t *testing.T, base, user string) string {
	t.Helper()
	me := WhoAmI(t, base, r.tok[user])
	if me.DepartmentID == "" {
		t.Fatalf("%s has no department at %s: %+v", user, base, me)
	}
	return me.DepartmentID
}

// create sends a create through base with a fresh Idempotency-Key and returns the new case;
// its status must be wantStatus and its workflow id workflowID(id).
func (r *run) create(t *testing.T, base, user, path string, body map[string]any, wantStatus string, workflowID func(string) string) CaseStatus {
	t.Helper()
	var st CaseStatus
	resp := Expect(t, Request{Method: "POST", URL: APIPath(base, path), Token: r.tok[user], Body: body,
		IdempotencyKey: "e2e-" + strings.Trim(path, "/") + "-" + nonce()}, 201)
	resp.Decode(t, &st)
	if st.ID == "" || st.WorkflowID != workflowID(st.ID) || st.Status != wantStatus {
		t.Fatalf("create: want status %q and workflow %q: %s", wantStatus, workflowID(st.ID), resp)
	}
	return st
}

// waitStatus waits until the case at path, read through base as user, has status want, and
// returns the last answer.
func (r *run) waitStatus(t *testing.T, base, user, path, want string) *Response {
	t.Helper()
	var last *Response
	WaitFor(t, Timeout, func() error {
		last = Expect(t, Request{Method: "GET", URL: APIPath(base, path), Token: r.tok[user]}, 200)
		if got := last.Str("status"); got != want {
			return fmt.Errorf("%s is %q, want %q: %s", path, got, want, last)
		}
		return nil
	})
	return last
}

// step finds the open task of a case in user's inbox at base and decides it there.
func (r *run) step(t *testing.T, base, user string, m TaskMatch, body map[string]any) Task {
	t.Helper()
	task := FindTask(t, base, r.tok[user], m)
	done := CompleteTask(t, base, r.tok[user], task.ID, body)
	if done.Status != "completed" {
		t.Fatalf("task %s after %v: status %q, want completed", task.ID, body["decision"], done.Status)
	}
	return task
}

// row waits until the read model's row id, read by get, has the status want, and returns it:
// the API read the same database, but a row is what an operator queries, so it is checked
// there too.
func row[T, K any](t *testing.T, what string, id K, get func(context.Context, K) (*T, error), status func(*T) string, want string) *T {
	t.Helper()
	var got *T
	WaitFor(t, Timeout, func() error {
		v, err := get(context.Background(), id)
		if err != nil {
			return fmt.Errorf("read model: %s %v: %w", what, id, err)
		}
		if s := status(v); s != want {
			return fmt.Errorf("read model: %s %v has status %q, want %q", what, id, s, want)
		}
		got = v
		return nil
	})
	return got
}

// taskRow checks a decided task's row in the read model. taskID is as the API shows it, every
// "/" of the stored id written "~".
func (r *run) taskRow(t *testing.T, taskID, decision string) {
	t.Helper()
	stored := strings.ReplaceAll(taskID, "~", "/")
	task := row(t, "task", stored, r.store.GetTask, func(v *models.Task) string { return v.Status }, "completed")
	if task.Decision != decision {
		t.Errorf("read model: task %s decision %q, want %q", taskID, task.Decision, decision)
	}
}

// share: the applicant asks through API1 for a conditionally shared resource; the deciding
// party (under neixiang the data authority, 第十二条) finds the reply task in its inbox through
// API2 and approves there. The request ends granted with an active grant; its workflow runs on
// while the grant lives (it may be suspended or revoked), so it is found running. The
// providing department's approver then records the delivery of the data (第二十二条 of the 条例).
func (r *run) share(t *testing.T) {
	res := ResourceByCode(t, r.s.API1, r.tok[UserApplicant], ResourceConditional)
	created := CreateShareRequest(t, r.s.API1, r.tok[UserApplicant], res.ID, "e2e-share-"+nonce())
	if created.Status != contract.ShareStatusPending {
		t.Fatalf("share request %s created %q, want %q", created.ID, created.Status, contract.ShareStatusPending)
	}
	sr := GetShareRequest(t, r.s.API2, r.tok[UserAuthority], created.ID)
	if sr.DecidingDeptID != r.authority {
		t.Fatalf("share request %s: deciding department %q, want the authority %q (内乡 第十二条)", created.ID, sr.DecidingDeptID, r.authority)
	}
	task := ApproveShareRequest(t, r.s.API2, r.tok[UserAuthority], created.ID)

	sr = WaitShareGranted(t, r.s.API1, r.tok[UserApplicant], created.ID)
	FindWorkflow(t, r.s.Temporal, created.WorkflowID, Attrs{Procedure: policy.ProcShare, Status: contract.ShareStatusGranted,
		ApplicantDept: r.using, ProviderDept: r.providing})
	row(t, "share request", created.ID, r.store.GetShareRequest, func(v *models.ShareRequest) string { return v.Status }, models.ShareRequestGranted)
	g := row(t, "grant of share request", created.ID, r.store.GetGrantByRequest, func(v *models.Grant) string { return v.Status }, models.GrantActive)
	if g.ID != sr.Grant.ID || g.ConsumerDeptID != r.using {
		t.Errorf("read model: grant %s for %s, want %s for %s", g.ID, g.ConsumerDeptID, sr.Grant.ID, r.using)
	}
	r.taskRow(t, task.ID, contract.DecisionApprove)

	// The consent opens the providing department's delivery (政务数据共享条例 第二十二条第一款):
	// its approver records through API1 that the data was shared, by interface.
	m := TaskMatch{Procedure: policy.ProcShare, RequestID: created.ID, Kind: "step", Step: contract.StepDeliver}
	deliver := r.step(t, r.s.API1, UserApprover, m, map[string]any{"decision": contract.DecisionDelivered,
		"method": "interface", "reference": "e2e-interface"})
	if deliver.CandidateDepartmentID != r.providing {
		t.Errorf("share request %s: deliver task offered to %q, want the providing department %q", created.ID, deliver.CandidateDepartmentID, r.providing)
	}
	r.taskRow(t, deliver.ID, contract.DecisionDelivered)
}

// correction (数据校核纠错, 内乡 第六十四、六十五条): the using department reports wrong data of an
// unconditionally shared resource; the technical service unit dispatches it to the producing
// department, which confirms and corrects; the reporter accepts. Ends accepted, closed.
func (r *run) correction(t *testing.T) {
	res := ResourceByCode(t, r.s.API1, r.tok[UserApplicant], ResourceUnconditional)
	c := r.create(t, r.s.API1, UserApplicant, "/corrections", map[string]any{
		"resource_id": res.ID, "fields": []string{"注册资本"}, "description": "注册资本与营业执照记载不一致",
		"evidence": map[string]any{"attachments": []string{"att-license-e2e"}, "text": "营业执照副本"},
	}, contract.CorrectionStatusDispatching, contract.CorrectionWorkflowID)
	m := TaskMatch{Procedure: policy.ProcCorrection, RequestID: c.ID, Kind: "step"}

	m.Step = contract.StepDispatch
	dispatch := r.step(t, r.s.API2, UserTech, m, map[string]any{"decision": contract.DecisionDispatch, "department_id": r.providing})
	if dispatch.CandidateDepartmentID != r.tech {
		t.Errorf("correction %s: dispatch task offered to %q, want the technical service unit %q (内乡 第六十五条)", c.ID, dispatch.CandidateDepartmentID, r.tech)
	}
	m.Step = contract.StepVerify
	r.step(t, r.s.API2, UserApprover, m, map[string]any{"decision": contract.DecisionConfirmed, "finding": "注册资本录入错误"})
	m.Step = contract.StepCorrect
	r.step(t, r.s.API1, UserApprover, m, map[string]any{"decision": contract.DecisionCorrected, "corrected": "注册资本更正为500万元"})
	// The reporter answers through the correction's own route, once its answer task is open.
	m.Step = contract.StepAccept
	FindTask(t, r.s.API2, r.tok[UserApplicant], m)
	Expect(t, Request{Method: "POST", URL: APIPath(r.s.API2, "/corrections/"+c.ID+"/accept"), Token: r.tok[UserApplicant],
		Body: map[string]any{"comment": "已核对"}}, 200)

	r.waitStatus(t, r.s.API1, UserApplicant, "/corrections/"+c.ID, contract.CorrectionStatusAccepted)
	FindWorkflow(t, r.s.Temporal, c.WorkflowID, Attrs{Procedure: policy.ProcCorrection, Status: contract.CorrectionStatusAccepted,
		ApplicantDept: r.using, ProviderDept: r.providing, Completed: true})
	got := row(t, "correction", c.ID, r.store.GetCorrection, func(v *models.Correction) string { return v.Status }, contract.CorrectionStatusAccepted)
	if got.ClosedAt == nil || got.Result != contract.CorrectionResultConfirmed {
		t.Errorf("read model: correction %s closed at %v, result %q; want closed, %q", c.ID, got.ClosedAt, got.Result, contract.CorrectionResultConfirmed)
	}
	r.taskRow(t, dispatch.ID, contract.DecisionDispatch)
}

// catalogUpdate (目录更新, 内乡 第二十二、二十三条): the providing department's approver reports a
// revised regulation, registers a new draft resource for it and submits the update; the
// authority approves it with the responsibility list (责任清单) and reports the change to the
// city. Ends published, and the draft is in the published catalog.
func (r *run) catalogUpdate(t *testing.T) {
	n := nonce()
	var draft Resource
	Expect(t, Request{Method: "POST", URL: APIPath(r.s.API1, "/catalog/resources"), Token: r.tok[UserApprover], IdempotencyKey: "e2e-resource-" + n,
		Body: map[string]any{
			"code": "NEIXIANG-SCJG-E2E-" + n, "name": "个体工商户登记信息（修订后条例新增）", "format": "结构化数据（数据库表）",
			"share_type": "unconditional", "share_scope": "本行政区域各级政务部门", "update_frequency": "实时",
			"timeliness": "登记办结后 1 个工作日内", "provision_method": "共享平台数据接口", "open_type": "unconditional",
		}}, 201).Decode(t, &draft)
	// The change took effect yesterday (China): never in the future, however the clocks of this
	// machine and the server differ by a few minutes around midnight.
	u := r.create(t, r.s.API1, UserApprover, "/catalog-updates", map[string]any{
		"trigger": contract.TriggerLawRevised, "basis": "《内乡县市场主体登记管理办法》修订", "changed_on": chinaDate(-1),
		"resource_ids": []int64{draft.ID},
	}, contract.CatalogUpdateUpdating, contract.CatalogUpdateWorkflowID)
	m := TaskMatch{Procedure: policy.ProcCatalogUpdate, RequestID: u.ID, Kind: "step"}

	// The update task must be open before the submission, which is its decision.
	m.Step = contract.StepUpdate
	update := FindTask(t, r.s.API2, r.tok[UserApprover], m)
	Expect(t, Request{Method: "POST", URL: APIPath(r.s.API2, "/catalog-updates/"+u.ID+"/submit"), Token: r.tok[UserApprover],
		Body: map[string]any{"resource_versions": []map[string]any{{"resource_id": draft.ID, "version": draft.Version}}}}, 200)
	m.Step = contract.StepReview
	r.step(t, r.s.API2, UserAuthority, m, map[string]any{"decision": contract.DecisionApprove,
		contract.FieldResponsibilityList: "市场监管局责任清单增加个体工商户登记信息"})
	m.Step = contract.StepReportToCity
	r.step(t, r.s.API1, UserAuthority, m, map[string]any{"decision": contract.DecisionReported,
		contract.FieldReference: "内数据备〔" + chinaDate(0)[:4] + "〕E2E 号"})

	r.waitStatus(t, r.s.API1, UserApprover, "/catalog-updates/"+u.ID, contract.CatalogUpdatePublished)
	var pub Resource
	Expect(t, Request{Method: "GET", URL: APIPath(r.s.API2, fmt.Sprintf("/catalog/resources/%d", draft.ID)), Token: r.tok[UserApplicant]}, 200).Decode(t, &pub)
	if pub.Status != string(models.StatusPublished) {
		t.Errorf("resource %s after the update: status %q, want published", draft.Code, pub.Status)
	}
	FindWorkflow(t, r.s.Temporal, u.WorkflowID, Attrs{Procedure: policy.ProcCatalogUpdate, Status: contract.CatalogUpdatePublished,
		ProviderDept: r.providing, Completed: true})
	row(t, "catalog update", u.ID, r.store.GetCatalogUpdate, func(v *models.CatalogUpdate) string { return v.Status }, contract.CatalogUpdatePublished)
	row(t, "catalog resource", draft.ID, r.store.GetResource, func(v *models.CatalogResource) string { return string(v.Status) }, string(models.StatusPublished))
	r.taskRow(t, update.ID, contract.DecisionSubmit)
}

// openData (有条件开放申请, 内乡 第四十六条第二款): a citizen asks for conditionally open data; the
// producing department's approver approves with conditions of use. Ends approved; the
// workflow carries no applicant department (a citizen has none, and nothing personal goes into
// search attributes).
func (r *run) openData(t *testing.T) {
	res := ResourceByCode(t, r.s.API1, r.tok[UserCitizen], ResourceOpenConditional)
	if res.OpenType != contract.OpenConditional {
		t.Fatalf("resource %s: open type %q, want %q", res.Code, res.OpenType, contract.OpenConditional)
	}
	od := r.create(t, r.s.API1, UserCitizen, "/open-data-requests", map[string]any{
		"resource_id": res.ID, "purpose": "企业信用研究", "scope": "上一年度检查结果",
	}, contract.OpenDataStatusPending, contract.OpenDataRequestWorkflowID)
	reply := r.step(t, r.s.API2, UserApprover, TaskMatch{Procedure: policy.ProcOpenData, RequestID: od.ID, Step: contract.StepReply, Kind: "step"},
		map[string]any{"decision": contract.DecisionApprove, contract.FieldConditions: "仅限学术研究，不得转让；注明数据来源"})

	r.waitStatus(t, r.s.API1, UserCitizen, "/open-data-requests/"+od.ID, contract.OpenDataStatusApproved)
	FindWorkflow(t, r.s.Temporal, od.WorkflowID, Attrs{Procedure: policy.ProcOpenData, Status: contract.OpenDataStatusApproved,
		ProviderDept: res.ProviderDeptID, NoApplicantDept: true, Completed: true})
	row(t, "open-data request", od.ID, r.store.GetOpenDataRequest, func(v *models.OpenDataRequest) string { return v.Status }, contract.OpenDataStatusApproved)
	r.taskRow(t, reply.ID, contract.DecisionApprove)
}

// openCatalogCorrection (开放目录更正, 内乡 第四十五条): a citizen applies to correct a field of an
// open-catalog entry; the producer agrees, asks the city authority and records its change. Ends
// catalog_updated, and the entry says the proposed value.
func (r *run) openCatalogCorrection(t *testing.T) {
	res := ResourceByCode(t, r.s.API1, r.tok[UserCitizen], ResourceUnconditional)
	// The proposal must differ from what the catalog says; alternating two values lets every
	// run propose a change.
	proposed := "每日"
	if res.UpdateFrequency == proposed {
		proposed = "实时"
	}
	oc := r.create(t, r.s.API1, UserCitizen, "/open-catalog-corrections", map[string]any{
		"resource_id": res.ID, "field": "update_frequency", "proposed_value": proposed, "reason": "开放平台数据实际更新频率与目录不符",
	}, contract.OpenCatalogStatusReplying, contract.OpenCatalogCorrectionWorkflowID)
	m := TaskMatch{Procedure: policy.ProcOpenCatalogCorrection, RequestID: oc.ID, Kind: "step"}
	m.Step = contract.StepReply
	reply := r.step(t, r.s.API2, UserApprover, m, map[string]any{"decision": contract.DecisionAgree})
	// The producer asks the city authority to change the open catalog and records the change
	// (第四十五条第三款).
	m.Step = contract.StepUpdateCatalog
	r.step(t, r.s.API2, UserApprover, m, map[string]any{"decision": contract.DecisionApprove})

	r.waitStatus(t, r.s.API1, UserCitizen, "/open-catalog-corrections/"+oc.ID, contract.OpenCatalogStatusUpdated)
	after := ResourceByCode(t, r.s.API1, r.tok[UserCitizen], ResourceUnconditional)
	if after.UpdateFrequency != proposed {
		t.Errorf("resource %s after the correction: update_frequency %q, want %q", res.Code, after.UpdateFrequency, proposed)
	}
	FindWorkflow(t, r.s.Temporal, oc.WorkflowID, Attrs{Procedure: policy.ProcOpenCatalogCorrection, Status: contract.OpenCatalogStatusUpdated,
		ProviderDept: res.ProviderDeptID, NoApplicantDept: true, Completed: true})
	row(t, "open-catalog correction", oc.ID, r.store.GetOpenCatalogCorrection, func(v *models.OpenCatalogCorrection) string { return v.Status }, contract.OpenCatalogStatusUpdated)
	r.taskRow(t, reply.ID, contract.DecisionAgree)
}

// interfaceExtension (接口延期, 内乡 第十三条第二款): the authority requires a service interface by
// an agreed date; the producing department applies for 5 more working days, the authority
// approves, and the department delivers. Ends delivered.
func (r *run) interfaceExtension(t *testing.T) {
	ir := r.create(t, r.s.API1, UserAuthority, "/interface-requirements", map[string]any{
		"department_id": r.providing, "description": "市场主体登记信息查询接口", "agreed_due": chinaDate(7),
	}, contract.InterfaceStatusRequired, contract.InterfaceRequirementWorkflowID)
	m := TaskMatch{Procedure: policy.ProcInterfaceExtension, RequestID: ir.ID}

	m.Step, m.Kind = contract.StepInterfaceRequest, "step"
	request := FindTask(t, r.s.API2, r.tok[UserApprover], m)
	Expect(t, Request{Method: "POST", URL: TaskPath(r.s.API2, request.ID, "complete"), Token: r.tok[UserApprover],
		Body: map[string]any{"decision": contract.DecisionRequestExtension, "workdays": 5, "reason": "联调环境未就绪"}}, 200)
	ext := FindTask(t, r.s.API1, r.tok[UserAuthority], TaskMatch{Procedure: policy.ProcInterfaceExtension, RequestID: ir.ID, Kind: "extension"})
	if ext.ParentTaskID != request.ID {
		t.Errorf("extension task %s is about %q, want %q", ext.ID, ext.ParentTaskID, request.ID)
	}
	CompleteTask(t, r.s.API1, r.tok[UserAuthority], ext.ID, map[string]any{"decision": contract.DecisionApproveExtension})
	// The request task stays open through the extension, with the new deadline.
	r.step(t, r.s.API1, UserApprover, m, map[string]any{"decision": contract.DecisionDelivered,
		"interface_description": "GET /corp/{uscc}", "documentation": "doc://scjg/corp-api.pdf"})

	r.waitStatus(t, r.s.API2, UserAuthority, "/interface-requirements/"+ir.ID, contract.InterfaceStatusDelivered)
	FindWorkflow(t, r.s.Temporal, ir.WorkflowID, Attrs{Procedure: policy.ProcInterfaceExtension, Status: contract.InterfaceStatusDelivered,
		ApplicantDept: r.authority, ProviderDept: r.providing, Completed: true})
	row(t, "interface requirement", ir.ID, r.store.GetInterfaceRequirement, func(v *models.InterfaceRequirement) string { return v.Status }, contract.InterfaceStatusDelivered)
	r.taskRow(t, request.ID, contract.DecisionDelivered)
}

// rectification (限期整改, 内乡 第六十七条): the authority orders the providing department to
// correct a violation of the profile's list within 5 working days; the department's head
// reports it done, and the authority accepts. Ends rectified.
func (r *run) rectification(t *testing.T) {
	var vs struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
	}
	Expect(t, Request{Method: "GET", URL: APIPath(r.s.API2, "/violations"), Token: r.tok[UserAuthority]}, 200).Decode(t, &vs)
	if len(vs.Items) == 0 {
		t.Fatalf("the %s profile lists no violations", Jurisdiction)
	}
	rn := r.create(t, r.s.API1, UserAuthority, "/rectifications", map[string]any{
		"department_id": r.providing, "violation": vs.Items[0].Code, "description": "目录未按要求更新", "workdays": 5,
	}, contract.RectificationIssued, contract.RectificationWorkflowID)
	m := TaskMatch{Procedure: policy.ProcRectification, RequestID: rn.ID, Kind: "step"}
	m.Step = contract.StepRectify
	rectify := r.step(t, r.s.API2, UserDeptHead, m, map[string]any{"decision": contract.DecisionDone,
		"report": "目录已更新并重新发布", "evidence": "目录发布记录截图"})
	m.Step = contract.StepReview
	r.step(t, r.s.API1, UserAuthority, m, map[string]any{"decision": contract.DecisionAccept})

	r.waitStatus(t, r.s.API2, UserApprover, "/rectifications/"+rn.ID, contract.RectificationRectified)
	FindWorkflow(t, r.s.Temporal, rn.WorkflowID, Attrs{Procedure: policy.ProcRectification, Status: contract.RectificationRectified,
		ApplicantDept: r.authority, ProviderDept: r.providing, Completed: true})
	row(t, "rectification", rn.ID, r.store.GetRectification, func(v *models.Rectification) string { return v.Status }, contract.RectificationRectified)
	r.taskRow(t, rectify.ID, contract.DecisionDone)
}

// annualReport (年度报告, 内乡 第六十条): the authority opens a past year's round on demand; each
// department's approver submits its report and the authority its summary. A year's round opens
// once, so the newest past year not opened on demand yet is taken. A report the Schedule
// opened earlier may be submitted already; a report of a department no demo user acts for
// (one an administrator added) is only asserted open.
func (r *run) annualReport(t *testing.T) {
	year, opened := r.openRound(t)
	// Who submits: the approvers of the two demo departments, the authority its summary.
	submitters := map[string]string{r.using: UserRSTApprover, r.providing: UserApprover, r.authority: UserAuthority}
	reports := r.annualReports(t, year, len(opened))
	want := map[string]string{} // department → the status its report must end in
	n := 0
	for _, rep := range reports {
		user, ok := submitters[rep.DepartmentID]
		switch {
		case rep.Status == contract.AnnualReportSubmitted:
			want[rep.DepartmentID] = contract.AnnualReportSubmitted
			continue
		case !ok:
			want[rep.DepartmentID] = contract.AnnualReportOpen
			continue
		}
		step := contract.StepDepartmentReport
		if rep.DepartmentID == r.authority {
			step = contract.StepSummaryReport
		}
		if rep.Step != step {
			t.Errorf("annual report %d of %s: step %q, want %q", year, rep.DepartmentID, rep.Step, step)
		}
		base := r.s.API2
		if n%2 == 1 {
			base = r.s.API1
		}
		n++
		task := r.step(t, base, user, TaskMatch{Procedure: policy.ProcAnnualReport, RequestID: fmt.Sprintf("AR-%d-%s", year, rep.DepartmentID), Step: step, Kind: "step"},
			map[string]any{"decision": contract.DecisionSubmitReport, "report": fmt.Sprintf("%d年度政务数据管理情况：见附件（e2e）", year)})
		if task.ID != rep.TaskID {
			t.Errorf("annual report %d of %s: inbox task %s, report names %s", year, rep.DepartmentID, task.ID, rep.TaskID)
		}
		want[rep.DepartmentID] = contract.AnnualReportSubmitted
		r.taskRow(t, task.ID, contract.DecisionSubmitReport)
	}
	for _, d := range []string{r.using, r.providing, r.authority} {
		if want[d] != contract.AnnualReportSubmitted {
			t.Errorf("the %d round has no report of %s to submit (reports %+v)", year, d, reports)
		}
	}

	WaitFor(t, Timeout, func() error {
		for _, rep := range r.annualReports(t, year, len(reports)) {
			if rep.Status != want[rep.DepartmentID] {
				return fmt.Errorf("annual report %d of %s is %q, want %q", year, rep.DepartmentID, rep.Status, want[rep.DepartmentID])
			}
		}
		return nil
	})
	rows, err := r.store.ListAnnualReports(context.Background(), year, "")
	if err != nil {
		t.Fatalf("read model: annual reports of %d: %v", year, err)
	}
	for dept, status := range want {
		a := Attrs{Procedure: policy.ProcAnnualReport, Status: status, ProviderDept: dept}
		if status == contract.AnnualReportSubmitted {
			a.Completed = true
		}
		FindWorkflow(t, r.s.Temporal, contract.AnnualReportWorkflowID(year, dept), a)
		if !slices.ContainsFunc(rows, func(ar models.AnnualReport) bool { return ar.DepartmentID == dept && ar.Status == status }) {
			t.Errorf("read model: no annual report %d of %s with status %q in %+v", year, dept, status, rows)
		}
	}
}

// AnnualReport is the part of an annual report the driver uses.
type AnnualReport struct {
	DepartmentID string `json:"department_id"`
	Step         string `json:"step"`
	Status       string `json:"status"`
	WorkflowID   string `json:"workflow_id"`
	TaskID       string `json:"task_id"`
}

// annualReports waits until the authority sees at least n reports of the year (each appears
// once its workflow projected it) and returns them.
func (r *run) annualReports(t *testing.T, year, n int) []AnnualReport {
	t.Helper()
	var y struct {
		Items []AnnualReport `json:"items"`
	}
	WaitFor(t, Timeout, func() error {
		Expect(t, Request{Method: "GET", URL: APIPath(r.s.API1, fmt.Sprintf("/annual-reports/%d", year)), Token: r.tok[UserAuthority]}, 200).Decode(t, &y)
		if len(y.Items) < n {
			return fmt.Errorf("annual reports of %d: %d listed, want %d: %+v", year, len(y.Items), n, y.Items)
		}
		return nil
	})
	return y.Items
}

// openRound opens the round of the newest past year whose round was not opened on demand yet
// (409 for those that were) and returns the year and the report workflows it opened or found
// opened by the Schedule.
func (r *run) openRound(t *testing.T) (int, []string) {
	t.Helper()
	last := time.Now().In(china).Year() - 1
	for year := last; year >= 2000; year-- {
		resp := Send(t, Request{Method: "POST", URL: APIPath(r.s.API1, "/annual-reports"), Token: r.tok[UserAuthority],
			Body: map[string]any{"year": year}, IdempotencyKey: fmt.Sprintf("e2e-annual-%d-%s", year, nonce())})
		switch resp.Status {
		case 201:
			var round struct {
				Opened  []string `json:"opened"`
				Skipped []string `json:"skipped"`
			}
			resp.Decode(t, &round)
			return year, append(round.Opened, round.Skipped...)
		case 409:
			continue
		default:
			t.Fatalf("open the annual report round of %d: %s", year, resp)
		}
	}
	t.Fatalf("every past year's annual report round, %d back to 2000, is already open", last)
	return 0, nil
}
