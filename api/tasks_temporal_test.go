package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/calsource"
	"github.com/datashare/datashare/internal/devserver"
	"github.com/datashare/datashare/internal/temporalx"
	"github.com/datashare/datashare/internal/testutil"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
	"github.com/datashare/datashare/worker"
	"github.com/datashare/datashare/workflows"
	"github.com/datashare/datashare/workflows/contract"
)

// humanTaskTestWorkflow is the smallest procedure: one human task, its outcome the result.
func humanTaskTestWorkflow(ctx workflow.Context, spec workflows.TaskSpec) (contract.TaskOutcome, error) {
	return workflows.RunHumanTask(ctx, spec)
}

// TestTaskActionsThroughTemporal drives a real human task through the HTTP API: an embedded
// Temporal server, the worker's own registration (projection into the test database), and
// the router sending real Updates.
func TestTaskActionsThroughTemporal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded Temporal server")
	}
	quiet := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{DataDir: t.TempDir(), FrontendPort: testutil.FreePort(t), UIPort: -1, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	tc, closer, err := temporalx.NewClient(temporalx.Config{Address: srv.FrontendHostPort(), Namespace: "default"}, quiet, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	defer tc.Close()

	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	ta.updater.via = tc
	cal, err := calsource.New(models.NewStore(db), 0, quiet, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	profiles := testPolicies(t)
	idx := -1
	for i, p := range profiles {
		if p.ID == "ningxia" {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatal("no ningxia profile")
	}
	const queue = "api-task-test"
	w := worker.New(worker.Deps{Client: tc, TaskQueue: queue, DB: db, Logger: quiet, StopTimeout: time.Second, Calendars: cal, Policy: profiles[idx]})
	w.RegisterWorkflowWithOptions(humanTaskTestWorkflow, workflow.RegisterOptions{Name: "ApiTestHumanTask"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	// The spec as JSON: the API's tests, like the API, stay clear of the activities package.
	const wfID = "api-test/R1"
	taskID := contract.HumanTaskID(wfID, "reply", 1)
	raw, err := json.Marshal(map[string]any{
		"task_id": taskID, "request_id": "R1", "procedure": "share", "step": "reply",
		"candidate": map[string]string{"department_id": models.DemoProvidingDeptID, "role": "approver"},
		"watchers":  []map[string]string{{"department_id": models.DemoUsingDeptID, "role": "applicant"}},
		"decisions": []map[string]any{
			{"code": "approve", "required_fields": []string{"scope", "usage_purpose", "validity_days"}},
			{"code": "refuse", "required_fields": []string{"reason_code", "reason", "legal_basis"}},
		},
		"received_at": time.Now().UTC(),
		"departments": map[string]string{"provider": models.DemoProvidingDeptID, "applicant": models.DemoUsingDeptID, "authority": models.DemoAuthorityID},
	})
	if err != nil {
		t.Fatal(err)
	}
	var spec workflows.TaskSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wfID, TaskQueue: queue}, "ApiTestHumanTask", spec)
	if err != nil {
		t.Fatal(err)
	}
	// The task reaches the inbox once the workflow has projected it and recorded its opening
	// (waiting for both keeps the timeline's order fixed).
	store := models.NewStore(db)
	for {
		_, err := store.GetTask(ctx, taskID)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			t.Fatal(err)
		}
		events, lerr := store.ListTaskTimeline(ctx, taskID)
		if lerr != nil {
			t.Fatal(lerr)
		}
		if err == nil && len(events) > 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the task was never projected")
		}
		time.Sleep(100 * time.Millisecond)
	}
	approver := ta.providerApprover()
	var inbox TaskList
	ta.expect(ta.do("GET", "/api/v1/tasks", approver, nil), 200).json(t, &inbox)
	// Approve, refuse, and the extension the 条例 allows the reply (第二十一条第一款).
	if len(inbox.Items) != 1 || inbox.Items[0].ID != publicTaskID(taskID) || inbox.Items[0].DueAt == nil || len(inbox.Items[0].Decisions) != 3 ||
		inbox.Items[0].Decisions[2].Code != "request_extension" {
		t.Fatalf("inbox = %+v", inbox)
	}

	path := taskPath(taskID)
	approve := map[string]any{"decision": "approve", "scope": "企业名称", "usage_purpose": "信用监管", "validity_days": 365}
	// Another department's approver may not decide, and learns no more than its read tells
	// it: there is no such task (404 for both).
	ta.expect(ta.do("GET", path, ta.otherApprover(), nil), 404)
	if e := ta.expect(ta.do("POST", path+"/complete", ta.otherApprover(), approve), 404).errorBody(t); e.Code != CodeNotFound {
		t.Fatalf("wrong department: %+v", e)
	}
	var claimed TaskView
	ta.expect(ta.do("POST", path+"/claim", approver, nil), 200).json(t, &claimed)
	if claimed.Assignee != "demo-approver" {
		t.Fatalf("claimed = %+v", claimed)
	}
	// Someone else of the department cannot claim it again, nor decide it.
	colleague := ta.token("demo-approver-2", models.DemoProvidingDeptID, auth.RoleApprover)
	ta.expect(ta.do("POST", path+"/claim", colleague, nil), 409)
	// Nor give it back for the one who claimed it: the workflow's check, not the API's.
	if e := ta.expect(ta.do("POST", path+"/unclaim", colleague, map[string]any{}), 403).errorBody(t); e.Code != CodeForbidden {
		t.Fatalf("unclaim by a colleague: %+v", e)
	}
	// The one who claimed it gives it back; then the colleague may claim it, and the first
	// approver may no longer decide it until the colleague gives it back in turn.
	var back TaskView
	ta.expect(ta.do("POST", path+"/unclaim", approver, map[string]any{}), 200).json(t, &back)
	if back.Assignee != "" {
		t.Fatalf("given back = %+v", back)
	}
	ta.expect(ta.do("POST", path+"/claim", colleague, nil), 200).json(t, &claimed)
	if claimed.Assignee != "demo-approver-2" {
		t.Fatalf("claimed by the colleague = %+v", claimed)
	}
	ta.expect(ta.do("POST", path+"/complete", approver, approve), 409)
	ta.expect(ta.do("POST", path+"/unclaim", colleague, map[string]any{}), 200)
	// A decision without what it requires is refused as a rule, naming the field; a refusal
	// without its reason is the regulation's case (reasons required, 宁夏 第十一条).
	if e := ta.expect(ta.do("POST", path+"/complete", approver, map[string]any{"decision": "approve", "scope": "x", "usage_purpose": "y"}), 422).errorBody(t); e.Code != CodeRuleViolated || e.Fields["validity_days"] == "" {
		t.Fatalf("missing field: %+v", e)
	}
	if e := ta.expect(ta.do("POST", path+"/complete", approver, map[string]any{"decision": "refuse", "reason_code": "R01", "legal_basis": "第十一条"}), 422).errorBody(t); e.Fields["reason"] == "" {
		t.Fatalf("refusal without reason: %+v", e)
	}
	ta.expect(ta.do("POST", path+"/comments", ta.applicant(), map[string]any{"text": "请尽快办理"}), 200)
	var done TaskView
	ta.expect(ta.do("POST", path+"/complete", approver, approve), 200).json(t, &done)
	if done.Status != "completed" || done.Decision != "approve" {
		t.Fatalf("completed = %+v", done)
	}
	// Deciding again is a conflict, whether the workflow still runs or has finished.
	if e := ta.expect(ta.do("POST", path+"/complete", approver, approve), 409).errorBody(t); e.Code != CodeConflict && e.Code != CodeInvalidState {
		t.Fatalf("second complete: %+v", e)
	}
	var out contract.TaskOutcome
	if err := run.Get(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if out.Decision != "approve" || out.DecidedBy.Subject != "demo-approver" || out.Fields["usage_purpose"] != "信用监管" {
		t.Fatalf("outcome = %+v", out)
	}
	// After the workflow ended, an action is invalid_state.
	if e := ta.expect(ta.do("POST", path+"/comments", approver, map[string]any{"text": "x"}), 409).errorBody(t); e.Code != CodeInvalidState {
		t.Fatalf("action on a finished workflow: %+v", e)
	}
	var detail TaskDetail
	ta.expect(ta.do("GET", path, approver, nil), 200).json(t, &detail)
	var kinds []string
	for _, ev := range detail.Timeline {
		kinds = append(kinds, ev.Kind)
	}
	want := []string{"task_opened", "claimed", "unclaimed", "claimed", "unclaimed", "commented", "completed"}
	if len(kinds) != len(want) {
		t.Fatalf("timeline kinds = %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("timeline kinds = %v, want %v", kinds, want)
		}
	}
}
