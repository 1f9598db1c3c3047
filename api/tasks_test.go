package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
	"github.com/datashare/datashare/workflows/contract"
)

// fakeUpdater records the Updates the API sends and answers each with reject's error (nil:
// accepted). Rejections go through the SDK's failure conversion, as they do over the wire.
// With via set it records and forwards to a real client instead.
type fakeUpdater struct {
	mu     sync.Mutex
	calls  []client.UpdateWorkflowOptions
	reject error // returned by the handle
	start  error // returned by UpdateWorkflow itself (workflow not found, ...)
	via    WorkflowUpdater
}

func (f *fakeUpdater) UpdateWorkflow(ctx context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, o)
	if f.via != nil {
		return f.via.UpdateWorkflow(ctx, o)
	}
	if f.start != nil {
		return nil, f.start
	}
	err := f.reject
	if err != nil {
		fc := temporal.GetDefaultFailureConverter()
		err = fc.FailureToError(fc.ErrorToFailure(err))
	}
	return fakeHandle{o: o, err: err}, nil
}

func (f *fakeUpdater) last(t *testing.T) client.UpdateWorkflowOptions {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		t.Fatal("no update was sent")
	}
	return f.calls[len(f.calls)-1]
}

func (f *fakeUpdater) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

type fakeHandle struct {
	o   client.UpdateWorkflowOptions
	err error
}

func (h fakeHandle) WorkflowID() string             { return h.o.WorkflowID }
func (h fakeHandle) RunID() string                  { return "" }
func (h fakeHandle) UpdateID() string               { return h.o.UpdateID }
func (h fakeHandle) Get(context.Context, any) error { return h.err }

var cst = time.FixedZone("CST", 8*3600)

// seedTask stores a task of the providing department's approvers, due on the given day of
// March 2026 (0: no deadline), edited by edit.
func seedTask(t *testing.T, db *gorm.DB, id string, day int, edit func(*models.Task)) models.Task {
	t.Helper()
	tk := models.Task{
		TaskID: id, Revision: 1, Kind: "step", WorkflowID: "share-request/" + id, RequestID: "R-" + id,
		Procedure: "share", Step: "provider_reply", CandidateDepartmentID: models.DemoProvidingDeptID,
		CandidateRole: "approver", Status: "open", CalendarVersion: "cal-7",
		DecisionsJSON:  `[{"code":"approve","required_fields":["scope","usage_purpose","validity_days"]},{"code":"refuse","required_fields":["reason_code","reason","legal_basis"],"choices":{"reason_code":["outside_duty","other"]}}]`,
		LegalBasisJSON: `["《宁夏回族自治区政务数据资源共享管理办法》第十五条"]`,
		ReceivedAt:     time.Date(2026, 2, 12, 10, 0, 0, 0, cst), UpdatedAt: time.Date(2026, 2, 12, 10, 0, 0, 0, cst),
	}
	if day > 0 {
		due := time.Date(2026, 3, day, 23, 59, 59, 0, cst)
		tk.DueAt = &due
	}
	if edit != nil {
		edit(&tk)
	}
	if _, err := models.NewStore(db).UpsertTask(context.Background(), tk); err != nil {
		t.Fatalf("seed task %s: %v", id, err)
	}
	return tk
}

func taskPath(id string, action ...string) string {
	p := "/api/v1/tasks/" + url.PathEscape(id)
	for _, a := range action {
		p += "/" + a
	}
	return p
}

func listIDs(l TaskList) []string {
	out := make([]string, len(l.Items))
	for i, it := range l.Items {
		out[i] = it.ID
	}
	return out
}

func TestTaskInboxScopingAndFilters(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		seedTask(t, db, "wf-1/provider_reply/1", 10, nil)
		seedTask(t, db, "wf-2/provider_reply/1", 5, func(tk *models.Task) { tk.Overdue = true; tk.UrgeCount = 2 })
		seedTask(t, db, "wf-3/provider_reply/1", 0, func(tk *models.Task) { tk.LocalDefault = true; tk.LegalBasisJSON = "[]" })
		seedTask(t, db, "wf-4/provider_reply/1", 3, func(tk *models.Task) {
			tk.Status, tk.Decision, tk.DecidedBy = "completed", "approve", "demo-approver"
		})
		// Decided by a colleague of the same department: completed in the pool, not the
		// approver's 已办.
		seedTask(t, db, "wf-9/negotiation/1", 4, func(tk *models.Task) {
			tk.Status, tk.Step, tk.Decision, tk.DecidedBy = "completed", "negotiation", "agree", "colleague"
		})
		seedTask(t, db, "wf-5/catalog/1", 7, func(tk *models.Task) { tk.Procedure = "catalog_update" })
		// Another department's pool, one of its tasks transferred to demo-approver by name.
		seedTask(t, db, "wf-6/provider_reply/1", 1, func(tk *models.Task) { tk.CandidateDepartmentID = models.DemoUsingDeptID })
		seedTask(t, db, "wf-7/provider_reply/1", 8, func(tk *models.Task) {
			tk.CandidateDepartmentID = models.DemoUsingDeptID
			tk.Assignee = "demo-approver"
		})
		// The department head's task of the providing department.
		seedTask(t, db, "wf-8/extension/1", 2, func(tk *models.Task) { tk.CandidateRole = "dept_head"; tk.Kind = "extension" })

		get := func(query, token string) TaskList {
			t.Helper()
			var l TaskList
			ta.expect(ta.do("GET", "/api/v1/tasks"+query, token, nil), 200).json(t, &l)
			return l
		}
		approver := ta.providerApprover()
		cases := []struct {
			query, token string
			want         []string
		}{
			{"", approver, []string{"wf-2~provider_reply~1", "wf-5~catalog~1", "wf-7~provider_reply~1", "wf-1~provider_reply~1", "wf-3~provider_reply~1"}},
			{"?status=all", approver, []string{"wf-4~provider_reply~1", "wf-9~negotiation~1", "wf-2~provider_reply~1", "wf-5~catalog~1", "wf-7~provider_reply~1", "wf-1~provider_reply~1", "wf-3~provider_reply~1"}},
			{"?status=completed", approver, []string{"wf-4~provider_reply~1", "wf-9~negotiation~1"}},
			{"?status=completed&step=negotiation", approver, []string{"wf-9~negotiation~1"}},
			{"?step=negotiation", approver, []string{}},
			// 已办: what the caller decided, whatever status is asked.
			{"?decided_by=me", approver, []string{"wf-4~provider_reply~1"}},
			{"?decided_by=me&status=open", approver, []string{"wf-4~provider_reply~1"}},
			{"?decided_by=demo-approver&step=negotiation", approver, []string{}},
			{"?decided_by=me", ta.otherApprover(), []string{}},
			{"?procedure=catalog_update", approver, []string{"wf-5~catalog~1"}},
			{"?overdue=true", approver, []string{"wf-2~provider_reply~1"}},
			{"?due_before=2026-03-08", approver, []string{"wf-2~provider_reply~1", "wf-5~catalog~1"}},
			{"?due_before=" + url.QueryEscape("2026-03-08T00:00:00+08:00") + "&overdue=false", approver, []string{"wf-5~catalog~1"}},
			// Another department's approver never sees the providing department's pool.
			{"?status=all", ta.otherApprover(), []string{"wf-6~provider_reply~1", "wf-7~provider_reply~1"}},
			{"", ta.token("demo-dept-head", models.DemoProvidingDeptID, auth.RoleDeptHead), []string{"wf-8~extension~1"}},
			{"", ta.applicant(), []string{}},
			{"", ta.authority(), []string{}},
		}
		for _, tc := range cases {
			l := get(tc.query, tc.token)
			if got := listIDs(l); !slices.Equal(got, tc.want) || l.Total != int64(len(tc.want)) {
				t.Errorf("GET %s: %v (total %d), want %v", tc.query, got, l.Total, tc.want)
			}
		}

		// What an item shows.
		l := get("?status=all", approver)
		byID := map[string]TaskView{}
		for _, it := range l.Items {
			byID[it.ID] = it
		}
		overdue := byID["wf-2~provider_reply~1"]
		if overdue.DueAt == nil || *overdue.DueAt != "2026-03-05T23:59:59+08:00" || !overdue.Overdue || overdue.UrgeCount != 2 ||
			overdue.CalendarVersion != "cal-7" || len(overdue.LegalBasis) != 1 || overdue.LocalDefault || overdue.DeadlineNote != "" ||
			overdue.RequestID != "R-wf-2/provider_reply/1" || overdue.CandidateDepartmentID != models.DemoProvidingDeptID ||
			overdue.CandidateRole != "approver" || overdue.Step != "provider_reply" || overdue.Status != "open" {
			t.Errorf("overdue item = %+v", overdue)
		}
		if len(overdue.Decisions) != 2 || overdue.Decisions[1].Code != "refuse" || !slices.Equal(overdue.Decisions[1].RequiredFields, []string{"reason_code", "reason", "legal_basis"}) ||
			!slices.Equal(overdue.Decisions[1].Choices["reason_code"], []string{"outside_duty", "other"}) {
			t.Errorf("decisions = %+v", overdue.Decisions)
		}
		local := byID["wf-3~provider_reply~1"]
		if local.DueAt != nil || !local.LocalDefault || local.DeadlineNote != "local default, no statutory deadline" || local.LegalBasis == nil {
			t.Errorf("local default item = %+v", local)
		}
		if mine := byID["wf-7~provider_reply~1"]; mine.Assignee != "demo-approver" {
			t.Errorf("assigned item = %+v", mine)
		}

		// Pages of two: same order, total on every page.
		var walked []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			p := get("?status=all&limit=2&cursor="+cursor, approver)
			if p.Total != 7 {
				t.Fatalf("page total %d, want 7", p.Total)
			}
			walked = append(walked, listIDs(p)...)
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		if !slices.Equal(walked, cases[1].want) {
			t.Fatalf("paged %v, want %v", walked, cases[1].want)
		}

		// Bad filters name their parameter.
		for q, field := range map[string]string{"decided_by=colleague": "decided_by", "status=pending": "status", "overdue=maybe": "overdue", "due_before=soon": "due_before", "limit=0": "limit", "limit=101": "limit", "cursor=bm90LWEtY3Vyc29y": "cursor"} {
			r := ta.do("GET", "/api/v1/tasks?"+q, approver, nil)
			if r.status != 400 {
				t.Fatalf("%s: status %d", q, r.status)
			}
			if e := r.errorBody(t); e.Fields[field] == "" {
				t.Fatalf("%s: error does not name %s: %+v", q, field, e)
			}
		}
	})
}

func TestTaskDetailVisibility(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	tk := seedTask(t, db, "share-request/R9/provider_reply/1", 5, func(tk *models.Task) { tk.Assignee = "demo-approver" })
	st := models.NewStore(db)
	for i, kind := range []string{"task_opened", "claimed"} {
		_, err := st.AppendTimelineEvent(context.Background(), models.TimelineEvent{
			EventID: fmt.Sprintf("%s#%d", tk.TaskID, i+1), Seq: i + 1, TaskID: tk.TaskID, WorkflowID: tk.WorkflowID,
			RequestID: tk.RequestID, Procedure: "share", Step: tk.Step, Kind: kind,
			At: time.Date(2026, 2, 12, 10, i, 0, 0, cst), Actor: map[bool]string{true: "demo-approver"}[i == 1],
			DepartmentID: models.DemoProvidingDeptID, DataJSON: `{"due_at":"2026-03-05T23:59:59+08:00"}`,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// A supervision task of the authority shows its parent's record.
	parent := tk.TaskID
	seedTask(t, db, tk.TaskID+"/supervision", 0, func(s *models.Task) {
		s.Kind, s.ParentTaskID, s.CandidateDepartmentID, s.CandidateRole = "supervision", &parent, models.DemoAuthorityID, "authority"
	})

	for name, tc := range map[string]struct {
		token  string
		id     string
		status int
		events int
	}{
		"candidate":                 {ta.token("li", models.DemoProvidingDeptID, auth.RoleApprover), tk.TaskID, 200, 2},
		"authority":                 {ta.authority(), tk.TaskID, 200, 2},
		"assignee of another dept":  {ta.token("demo-approver", models.DemoUsingDeptID, auth.RoleApplicant), tk.TaskID, 200, 2},
		"outsider approver":         {ta.otherApprover(), tk.TaskID, 404, 0},
		"same dept, wrong role":     {ta.token("x", models.DemoProvidingDeptID, auth.RoleApplicant), tk.TaskID, 404, 0},
		"citizen":                   {ta.token("demo-citizen", "", auth.RoleCitizen), tk.TaskID, 404, 0},
		"missing":                   {ta.authority(), "share-request/none/provider_reply/1", 404, 0},
		"supervision, parent's log": {ta.authority(), tk.TaskID + "/supervision", 200, 2},
	} {
		r := ta.do("GET", taskPath(tc.id), tc.token, nil)
		if r.status != tc.status {
			t.Errorf("%s: status %d, want %d: %s", name, r.status, tc.status, r.body)
			continue
		}
		if tc.status != 200 {
			if e := r.errorBody(t); e.Code != CodeNotFound {
				t.Errorf("%s: %+v", name, e)
			}
			continue
		}
		var d TaskDetail
		r.json(t, &d)
		if d.ID != publicTaskID(tc.id) || len(d.Timeline) != tc.events {
			t.Errorf("%s: detail = %+v", name, d)
			continue
		}
		if ev := d.Timeline[1]; ev.Kind != "claimed" || ev.Actor != "demo-approver" || ev.At != "2026-02-12T10:01:00+08:00" || ev.Data["due_at"] == nil {
			t.Errorf("%s: event = %+v", name, ev)
		}
	}
}

func TestTaskActionsSendUpdatesWithTheTokensActor(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	tk := seedTask(t, db, "share-request/R1/provider_reply/1", 5, nil)
	approver := ta.token("demo-approver", models.DemoProvidingDeptID, auth.RoleApprover, auth.RoleDeptHead)
	wantActor := contract.Actor{Subject: "demo-approver", DepartmentID: models.DemoProvidingDeptID, Roles: []string{"approver", "dept_head"}}

	check := func(path string, body any, name string, want any) {
		t.Helper()
		var v TaskView
		ta.expect(ta.do("POST", path, approver, body), 200).json(t, &v)
		if v.ID == "" || !strings.HasPrefix(v.ID, publicTaskID(tk.TaskID)) {
			t.Fatalf("%s answered %+v", path, v)
		}
		o := ta.updater.last(t)
		if o.WorkflowID != tk.WorkflowID || o.UpdateName != name || o.WaitForStage != client.WorkflowUpdateStageCompleted || len(o.Args) != 1 {
			t.Fatalf("%s sent %+v", path, o)
		}
		got, _ := json.Marshal(o.Args[0])
		exp, _ := json.Marshal(want)
		if string(got) != string(exp) {
			t.Fatalf("%s payload %s, want %s", path, got, exp)
		}
	}
	check(taskPath(tk.TaskID, "claim"), nil, contract.UpdateClaim, contract.ClaimUpdate{TaskID: tk.TaskID, Actor: wantActor})
	check(taskPath(tk.TaskID, "unclaim"), map[string]any{}, contract.UpdateUnclaim, contract.UnclaimUpdate{TaskID: tk.TaskID, Actor: wantActor})
	check(taskPath(tk.TaskID, "comments"), map[string]any{"text": "请补充用途说明"}, contract.UpdateComment,
		contract.CommentUpdate{TaskID: tk.TaskID, Actor: wantActor, Text: "请补充用途说明"})
	check(taskPath(tk.TaskID, "transfer"), map[string]any{"to_subject": "demo-dept-head", "reason": "请领导审批"}, contract.UpdateTransfer,
		contract.TransferUpdate{TaskID: tk.TaskID, Actor: wantActor, ToSubject: "demo-dept-head", Reason: "请领导审批"})
	check(taskPath(tk.TaskID, "transfer"), map[string]any{"to_department": models.DemoUsingDeptID}, contract.UpdateTransfer,
		contract.TransferUpdate{TaskID: tk.TaskID, Actor: wantActor, ToDepartmentID: models.DemoUsingDeptID})
	// The decision's fields travel flat in the body and as Fields in the update; an actor in
	// the body is just another field, never the actor.
	check(taskPath(tk.TaskID, "complete"), map[string]any{
		"decision": "approve", "scope": "企业名称、统一社会信用代码", "usage_purpose": "信用监管", "validity_days": 365, "comment": "同意",
	}, contract.UpdateComplete, contract.CompleteUpdate{TaskID: tk.TaskID, Actor: wantActor, Decision: "approve", Comment: "同意",
		Fields: map[string]any{"scope": "企业名称、统一社会信用代码", "usage_purpose": "信用监管", "validity_days": 365}})

	// An extension approval is decided on the task it extends.
	parent := tk.TaskID
	ext := seedTask(t, db, tk.TaskID+"/extension/1", 0, func(e *models.Task) {
		e.Kind, e.ParentTaskID, e.CandidateRole, e.WorkflowID = "extension", &parent, "dept_head", tk.WorkflowID
		e.DecisionsJSON = `[{"code":"approve","required_fields":[]},{"code":"refuse","required_fields":["reason"]}]`
	})
	check(taskPath(ext.TaskID, "complete"), map[string]any{"decision": "refuse", "reason": "理由不充分"}, contract.UpdateDecideExtension,
		contract.DecideExtensionUpdate{TaskID: tk.TaskID, Actor: wantActor, Reason: "理由不充分"})
	check(taskPath(ext.TaskID, "complete"), map[string]any{"decision": "approve"}, contract.UpdateDecideExtension,
		contract.DecideExtensionUpdate{TaskID: tk.TaskID, Actor: wantActor, Approve: true})
	check(taskPath(ext.TaskID, "complete"), map[string]any{"decision": "approve_extension"}, contract.UpdateDecideExtension,
		contract.DecideExtensionUpdate{TaskID: tk.TaskID, Actor: wantActor, Approve: true})
	check(taskPath(ext.TaskID, "complete"), map[string]any{"decision": "refuse_extension", "reason": "数据量不大"}, contract.UpdateDecideExtension,
		contract.DecideExtensionUpdate{TaskID: tk.TaskID, Actor: wantActor, Reason: "数据量不大"})
	// An extension is asked for on the task itself (延期申请).
	check(taskPath(tk.TaskID, "complete"), map[string]any{"decision": "request_extension", "workdays": 5, "reason": "数据量大"}, contract.UpdateRequestExtension,
		contract.RequestExtensionUpdate{TaskID: tk.TaskID, Actor: wantActor, Workdays: 5, Reason: "数据量大"})
	for _, bad := range []map[string]any{
		{"decision": "request_extension", "reason": "数据量大"},
		{"decision": "request_extension", "workdays": "five", "reason": "数据量大"},
		{"decision": "request_extension", "workdays": 2.5, "reason": "数据量大"},
		{"decision": "request_extension", "workdays": 5},
	} {
		if e := ta.expect(ta.do("POST", taskPath(tk.TaskID, "complete"), approver, bad), 400).errorBody(t); e.Fields["workdays"] == "" && e.Fields["reason"] == "" {
			t.Errorf("%v: %+v", bad, e)
		}
	}

	// Input the API itself refuses never reaches the workflow.
	sent := ta.updater.count()
	for _, tc := range []struct {
		path  string
		body  any
		field string
	}{
		{taskPath(tk.TaskID, "comments"), map[string]any{"text": ""}, "text"},
		{taskPath(tk.TaskID, "comments"), map[string]any{"txt": "x"}, "txt"},
		{taskPath(tk.TaskID, "transfer"), map[string]any{}, "to_subject"},
		{taskPath(tk.TaskID, "transfer"), map[string]any{"to_subject": "nobody"}, "to_subject"},
		{taskPath(tk.TaskID, "transfer"), map[string]any{"to_subject": "demo-applicant"}, "to_subject"}, // another department's user
		{taskPath(tk.TaskID, "transfer"), map[string]any{"to_department": "nx-nowhere"}, "to_department"},
		{taskPath(tk.TaskID, "complete"), map[string]any{"scope": "x"}, "decision"},
		{taskPath(tk.TaskID, "complete"), map[string]any{"decision": 7}, "decision"},
		{taskPath(tk.TaskID, "complete"), map[string]any{"decision": "approve\x00"}, "decision"},
		{taskPath(tk.TaskID, "complete"), map[string]any{"decision": "\x1b[31mapprove"}, "decision"},
		{taskPath(tk.TaskID, "complete"), map[string]any{"decision": strings.Repeat("a", 65)}, "decision"},
		{taskPath(tk.TaskID, "complete"), map[string]any{"decision": "approve", "": "x"}, "(empty)"},
		{taskPath(tk.TaskID, "complete"), map[string]any{"decision": "approve", "Scope\x1b": "x"}, "Scope\ufffd"},
		{taskPath(tk.TaskID, "complete"), `[1]`, ""},
		{taskPath(tk.TaskID, "complete"), "", ""},
		{taskPath(tk.TaskID+"/extension/1", "complete"), map[string]any{"decision": "maybe"}, "decision"},
	} {
		r := ta.do("POST", tc.path, approver, tc.body)
		if r.status != 400 {
			t.Fatalf("%s %v: status %d: %s", tc.path, tc.body, r.status, r.body)
		}
		if e := r.errorBody(t); tc.field != "" && e.Fields[tc.field] == "" {
			t.Fatalf("%s %v: error does not name %s: %+v", tc.path, tc.body, tc.field, e)
		}
	}
	ta.expect(ta.do("POST", taskPath("share-request/none/provider_reply/1", "claim"), approver, nil), 404)
	// An unescaped id is not a task route.
	ta.expect(ta.do("POST", "/api/v1/tasks/"+tk.TaskID+"/claim", approver, nil), 404)
	if n := ta.updater.count(); n != sent {
		t.Fatalf("%d updates sent for refused input", n-sent)
	}
}

func TestTaskActionRejectionsMapToStatuses(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	tk := seedTask(t, db, "share-request/R2/provider_reply/1", 5, nil)
	reject := func(typ, msg string, details ...any) error { return temporal.NewApplicationError(msg, typ, details...) }
	cases := []struct {
		name          string
		reject, start error
		status        int
		code, field   string
	}{
		{"invalid field", reject(contract.ErrTypeInvalid, "decision refuse requires reason", contract.RejectionDetails{Field: "reason"}), nil, 400, CodeInvalidInput, "reason"},
		{"invalid", reject(contract.ErrTypeInvalid, "bad"), nil, 400, CodeInvalidInput, ""},
		{"forbidden", reject(contract.ErrTypeForbidden, "only the approver role of department nx-scjg may decide this task"), nil, 403, CodeForbidden, ""},
		{"conflict", reject(contract.ErrTypeConflict, "task is already decided"), nil, 409, CodeConflict, ""},
		{"rule violated", reject(contract.ErrTypeRuleViolated, "already urged today"), nil, 422, CodeRuleViolated, ""},
		{"no longer the open task", reject(contract.ErrTypeNotFound, "task is not open in this workflow"), nil, 409, CodeConflict, ""},
		{"no handler", errors.New("unknown update complete. KnownUpdates=[]"), nil, 409, CodeInvalidState, ""},
		{"workflow gone", nil, serviceerror.NewNotFound("workflow execution already completed"), 409, CodeInvalidState, ""},
		{"temporal down", nil, serviceerror.NewUnavailable("connection refused"), 503, CodeUnavailable, ""},
		{"handler failed", reject("", "activity failed"), nil, 500, CodeInternal, ""},
	}
	for _, tc := range cases {
		ta.updater.reject, ta.updater.start = tc.reject, tc.start
		r := ta.do("POST", taskPath(tk.TaskID, "complete"), ta.providerApprover(), map[string]any{"decision": "refuse", "reason_code": "R1"})
		if r.status != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, r.status, tc.status, r.body)
			continue
		}
		e := r.errorBody(t)
		if e.Code != tc.code || (tc.field != "" && e.Fields[tc.field] == "") || strings.Contains(e.Message, "KnownUpdates") {
			t.Errorf("%s: error = %+v", tc.name, e)
		}
		if tc.status < 500 && tc.reject != nil && tc.name != "no handler" {
			var ae *temporal.ApplicationError
			if errors.As(tc.reject, &ae) && !strings.Contains(e.Message, ae.Message()) {
				t.Errorf("%s: message %q does not carry the workflow's %q", tc.name, e.Message, ae.Message())
			}
		}
	}
}

// A decision's fields are typed and bounded before anything reaches the workflow: numbers in
// text fields, objects, text for a number, a number too large to decode, 100 KB, NUL and
// escape sequences are refused at the field; the workflow gets no Update.
func TestDecisionFieldsAreTypedAndBounded(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	tk := seedTask(t, db, "share-request/R1/provider_reply/1", 5, nil)
	approver := ta.providerApprover()
	path := taskPath(tk.TaskID, "complete")
	ok := `"decision":"approve","scope":"法定代表人姓名","usage_purpose":"社保资格认证","validity_days":30`
	for body, field := range map[string]string{
		`{` + ok + `,"conditions":5}`:                                                                               "conditions",
		`{` + ok + `,"conditions":{"$ne":1}}`:                                                                       "conditions",
		`{` + ok + `,"conditions":null}`:                                                                            "conditions",
		`{"decision":"approve","scope":"a","usage_purpose":"b","validity_days":"30"}`:                               "validity_days",
		`{"decision":"approve","scope":"a","usage_purpose":"b","validity_days":1e400}`:                              "validity_days",
		`{"decision":"approve","scope":"a","usage_purpose":"b","validity_days":` + strings.Repeat("9", 3000) + `}`:  "validity_days",
		`{"decision":"approve","scope":"a","usage_purpose":"b","validity_days":0}`:                                  "validity_days",
		`{"decision":"approve","scope":"` + strings.Repeat("a", 2001) + `","usage_purpose":"b","validity_days":30}`: "scope",
		`{"decision":"approve","scope":"a\u0000b","usage_purpose":"b","validity_days":30}`:                          "scope",
		`{"decision":"refuse","reason_code":"other","reason":"\u001b[31mred","legal_basis":"x"}`:                    "reason",
	} {
		r := ta.do("POST", path, approver, body)
		if r.status/100 != 4 || r.errorBody(t).Fields[field] == "" {
			t.Errorf("%.80s: %d %s, want a 4xx naming %s", body, r.status, r.body, field)
		}
	}
	if n := ta.updater.count(); n != 0 {
		t.Fatalf("%d updates reached the workflow", n)
	}
	// Line breaks and tabs are text of several lines: conditions, reasons, comments, reports.
	ta.expect(ta.do("POST", path, approver, `{`+ok+`,"conditions":"一、仅限本单位使用；\n二、不得转授。\t"}`), 200)
	ta.expect(ta.do("POST", path, approver, `{"decision":"refuse","reason_code":"other","reason":"一、……\r\n二、……","legal_basis":"《条例》第八条","comment":"第一行\n第二行"}`), 200)
	// One-line fields refuse them, before any update is sent.
	before := ta.updater.count()
	for body, field := range map[string]string{
		`{"decision":"approve","scope":"法定代表人姓名\n身份证件号码","usage_purpose":"b","validity_days":30}`:        "scope",
		`{"decision":"approve","scope":"a","usage_purpose":"社保\t认证","validity_days":30}`:                 "usage_purpose",
		`{"decision":"refuse","reason_code":"other\n","reason":"r","legal_basis":"x"}`:                   "reason_code",
		`{"decision":"refuse","reason_code":"other","reason":"r","legal_basis":"《条例》\r\n第八条"}`:           "legal_basis",
		`{"decision":"reported","reference":"宁数发〔2026〕\n1号"}`:                                            "reference",
		`{"decision":"dispatch","department_id":"nx-scjg\t"}`:                                            "department_id",
		`{"decision":"approve","scope":"a","usage_purpose":"b","validity_days":30,"comment":"a\u0000b"}`: "comment",
	} {
		r := ta.do("POST", path, approver, body)
		if r.status != 400 || r.errorBody(t).Fields[field] == "" {
			t.Errorf("%.80s: %d %s, want 400 naming %s", body, r.status, r.body, field)
		}
	}
	if n := ta.updater.count(); n != before {
		t.Fatalf("%d updates with a multi-line one-line field reached the workflow", n-before)
	}
}

// A decision takes the fields its task lists as required (and chooses among), and the
// optional fields documented per procedure and decision (decision_fields.go); any other
// field is refused with 400 naming each, before the workflow sees it.
func TestUnknownDecisionFieldsAreRefused(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	tk := seedTask(t, db, "share-request/R1/reply/1", 5, func(tk *models.Task) { tk.Procedure = "share" })
	parent := tk.TaskID
	ext := seedTask(t, db, tk.TaskID+"/extension/1", 0, func(e *models.Task) {
		e.Kind, e.ParentTaskID, e.WorkflowID = "extension", &parent, tk.WorkflowID
		e.DecisionsJSON = `[{"code":"approve_extension","required_fields":[]},{"code":"refuse_extension","required_fields":["reason"]}]`
	})
	other := seedTask(t, db, "correction/DC1/accept/1", 5, func(c *models.Task) {
		c.Procedure, c.DecisionsJSON = "correction", `[{"code":"accept","required_fields":[]},{"code":"dispute","required_fields":["reason"]}]`
	})
	approver := ta.providerApprover()
	grant := map[string]any{"decision": "approve", "scope": "法定代表人姓名", "usage_purpose": "社保资格认证", "validity_days": 30}

	for _, tc := range []struct {
		name    string
		task    string
		body    map[string]any
		unknown []string
	}{
		{"a typo of a required field", tk.TaskID, map[string]any{"decision": "approve", "scope": "a", "usage_purpose": "b", "validty_days": 30}, []string{"validty_days"}},
		{"fields of another decision", tk.TaskID, plus(grant, "reason_code", "other", "legal_basis", "x"), []string{"legal_basis", "reason_code"}},
		{"an actor in the body", tk.TaskID, plus(grant, "actor", map[string]any{"subject": "someone-else"}), []string{"actor"}},
		{"conditions are a grant's, not a refusal's", tk.TaskID, map[string]any{"decision": "refuse", "reason_code": "other", "reason": "r", "legal_basis": "x", "conditions": "c"}, []string{"conditions"}},
		{"conditions are the share procedure's", other.TaskID, map[string]any{"decision": "accept", "conditions": "c"}, []string{"conditions"}},
		{"an extension request takes workdays and reason", tk.TaskID, map[string]any{"decision": "request_extension", "workdays": 5, "reason": "r", "due_date": "2026-04-01"}, []string{"due_date"}},
		{"an extension approval takes a reason only", ext.TaskID, map[string]any{"decision": "approve", "reason": "r", "workdays": 3}, []string{"workdays"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := ta.updater.count()
			e := ta.expect(ta.do("POST", taskPath(tc.task, "complete"), approver, tc.body), 400).errorBody(t)
			if e.Code != CodeInvalidInput || len(e.Fields) != len(tc.unknown) {
				t.Fatalf("error = %+v, want %v named", e, tc.unknown)
			}
			for _, f := range tc.unknown {
				if !strings.Contains(e.Fields[f], "is not a field of decision") || !strings.Contains(e.Message, f) {
					t.Errorf("%s: %q in %+v", f, e.Fields[f], e)
				}
			}
			if n := ta.updater.count(); n != before {
				t.Fatalf("%d updates reached the workflow", n-before)
			}
		})
	}

	// A decision the task does not list is refused naming decision and the task's decisions.
	if e := ta.expect(ta.do("POST", taskPath(tk.TaskID, "complete"), approver, map[string]any{"decision": "uphold", "reason": "r"}), 400).errorBody(t); !strings.Contains(e.Fields["decision"], "approve, refuse") {
		t.Errorf("unlisted decision: %+v", e)
	}

	// What the decisions take is accepted: required fields, the grant's optional conditions, a
	// refusal's choice, an extension request whatever the list says (the workflow answers why
	// not), an extension approval with or without a reason, under either code.
	for _, ok := range []struct {
		task string
		body map[string]any
	}{
		{tk.TaskID, plus(grant, "comment", "同意")},
		{tk.TaskID, plus(grant, "conditions", "仅限本单位使用")},
		{tk.TaskID, map[string]any{"decision": "refuse", "reason_code": "other", "reason": "r", "legal_basis": "x"}},
		{tk.TaskID, map[string]any{"decision": "request_extension", "workdays": 5, "reason": "数据量大"}},
		{ext.TaskID, map[string]any{"decision": "approve_extension", "reason": "理由充分"}},
		{ext.TaskID, map[string]any{"decision": "refuse", "reason": "理由不充分"}},
		{other.TaskID, map[string]any{"decision": "accept", "comment": "无异议"}},
	} {
		ta.expect(ta.do("POST", taskPath(ok.task, "complete"), approver, ok.body), 200)
	}

	// The task lists each decision's optional fields, so a form needs no table of its own.
	var v TaskDetail
	ta.expect(ta.do("GET", taskPath(tk.TaskID), approver, nil), 200).json(t, &v)
	for _, d := range v.Decisions {
		want := map[string][]string{"approve": {"conditions"}}[d.Code]
		if !slices.Equal(d.OptionalFields, want) {
			t.Errorf("%s: optional_fields = %v, want %v", d.Code, d.OptionalFields, want)
		}
	}
	ta.expect(ta.do("GET", taskPath(ext.TaskID), approver, nil), 200).json(t, &v)
	if len(v.Decisions) != 2 || !slices.Equal(v.Decisions[0].OptionalFields, []string{"reason"}) || v.Decisions[1].OptionalFields != nil {
		t.Errorf("extension decisions = %+v", v.Decisions)
	}
}

// plus is a copy of m with the pairs k, v of kv added.
func plus(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m)+len(kv)/2)
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// A supervision task (督办) is the authority's follow-up of an overdue task: its comment and
// urge act on the task it supervises, and the answer is that task; it is not claimed,
// transferred or decided (422 naming the task supervised, nothing sent). An extension
// approval is only decided. Each task lists the actions it takes.
func TestSupervisionTaskActionsActOnTheTaskSupervised(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	tk := seedTask(t, db, "share-request/R1/reply/1", 5, func(tk *models.Task) { tk.Overdue = true })
	parent := tk.TaskID
	sup := seedTask(t, db, parent+"/supervision", 0, func(s *models.Task) {
		s.Kind, s.ParentTaskID, s.WorkflowID, s.DecisionsJSON = "supervision", &parent, tk.WorkflowID, "[]"
		s.CandidateDepartmentID, s.CandidateRole, s.Overdue = models.DemoAuthorityID, "authority", true
	})
	ext := seedTask(t, db, parent+"/extension/1", 0, func(e *models.Task) {
		e.Kind, e.ParentTaskID, e.WorkflowID, e.CandidateRole = "extension", &parent, tk.WorkflowID, "dept_head"
		e.DecisionsJSON = `[{"code":"approve_extension","required_fields":[]},{"code":"refuse_extension","required_fields":["reason"]}]`
	})
	authority := ta.authority()
	wantActor := contract.Actor{Subject: "demo-authority", DepartmentID: models.DemoAuthorityID, Roles: []string{"authority"}}

	sent := func(path string, body any, name string, want any) {
		t.Helper()
		var v TaskView
		ta.expect(ta.do("POST", path, authority, body), 200).json(t, &v)
		if v.ID != publicTaskID(parent) {
			t.Errorf("%s answered task %s, want the task supervised %s", path, v.ID, publicTaskID(parent))
		}
		o := ta.updater.last(t)
		got, _ := json.Marshal(o.Args[0])
		exp, _ := json.Marshal(want)
		if o.WorkflowID != tk.WorkflowID || o.UpdateName != name || string(got) != string(exp) {
			t.Errorf("%s sent %s %s to %s, want %s %s", path, o.UpdateName, got, o.WorkflowID, name, exp)
		}
	}
	sent(taskPath(sup.TaskID, "comments"), map[string]any{"text": "已逾期，请说明原因"}, contract.UpdateComment,
		contract.CommentUpdate{TaskID: parent, Actor: wantActor, Text: "已逾期，请说明原因"})
	sent(taskPath(sup.TaskID, "urge"), map[string]any{"text": " 请于本周内答复 "}, contract.UpdateUrge,
		contract.UrgeUpdate{TaskID: parent, Actor: wantActor, Text: "请于本周内答复"})
	sent("/api/v1/tasks/"+publicTaskID(sup.TaskID)+"/urge", nil, contract.UpdateUrge, contract.UrgeUpdate{TaskID: parent, Actor: wantActor})
	// The task route urges a step task itself, as its request's urge does.
	sent(taskPath(parent, "urge"), map[string]any{"text": "请尽快办理"}, contract.UpdateUrge,
		contract.UrgeUpdate{TaskID: parent, Actor: wantActor, Text: "请尽快办理"})

	before := ta.updater.count()
	for _, tc := range []struct {
		task, action string
		body         any
	}{
		{sup.TaskID, "claim", nil},
		{sup.TaskID, "unclaim", map[string]any{}},
		{sup.TaskID, "transfer", map[string]any{"to_department": models.DemoUsingDeptID}},
		{sup.TaskID, "complete", map[string]any{"decision": "approve"}},
		{ext.TaskID, "claim", nil},
		{ext.TaskID, "comments", map[string]any{"text": "x"}},
		{ext.TaskID, "urge", nil},
		{ext.TaskID, "transfer", map[string]any{"to_subject": "demo-approver"}},
	} {
		e := ta.expect(ta.do("POST", taskPath(tc.task, tc.action), authority, tc.body), 422).errorBody(t)
		if e.Code != CodeRuleViolated || !strings.Contains(e.Message, "of overdue task "+publicTaskID(parent)) && !strings.Contains(e.Message, "of task "+publicTaskID(parent)) {
			t.Errorf("%s %s: %+v", tc.task, tc.action, e)
		}
		if tc.task == sup.TaskID && !strings.Contains(e.Message, "supervision task (督办)") {
			t.Errorf("%s %s: %q does not say what supervision is for", tc.task, tc.action, e.Message)
		}
	}
	// A stranger learns no more than a read would tell it.
	ta.expect(ta.do("POST", taskPath(sup.TaskID, "claim"), ta.otherApprover(), nil), 404)
	if n := ta.updater.count(); n != before {
		t.Fatalf("%d updates sent for actions the task's kind does not take", n-before)
	}

	actions := func(id string) []string {
		var v TaskDetail
		ta.expect(ta.do("GET", taskPath(id), authority, nil), 200).json(t, &v)
		return v.Actions
	}
	for id, want := range map[string][]string{
		parent:     {"claim", "unclaim", "transfer", "comment", "urge", "complete"},
		sup.TaskID: {"comment", "urge", "rectification"},
		ext.TaskID: {"complete"},
	} {
		if got := actions(id); !slices.Equal(got, want) {
			t.Errorf("%s: actions = %v, want %v", id, got, want)
		}
	}
	seedTask(t, db, sup.TaskID, 0, func(s *models.Task) {
		s.Revision, s.Kind, s.ParentTaskID, s.WorkflowID, s.Status = 2, "supervision", &parent, tk.WorkflowID, "closed"
		s.CandidateDepartmentID, s.CandidateRole = models.DemoAuthorityID, "authority"
	})
	if got := actions(sup.TaskID); got == nil || len(got) != 0 {
		t.Errorf("closed supervision task: actions = %#v, want []", got)
	}
}
