package api

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/calsource"
	"github.com/datashare/datashare/internal/devserver"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/internal/temporalx"
	"github.com/datashare/datashare/internal/testutil"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
	"github.com/datashare/datashare/worker"
	"github.com/datashare/datashare/workflows/contract"
)

// startNeixiangStack is startShareStack under the neixiang profile, the only one with open
// data: its demo data, the router with neixiang in force and a worker with that profile.
func startNeixiangStack(t *testing.T) shareStack {
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
	if _, err := models.SeedDemoProfile(ctx, db, "neixiang"); err != nil {
		t.Fatal(err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ta := &testAPI{t: t, signer: auth.NewDevSigner(key), updater: &fakeUpdater{via: tc}, starter: &fakeStarter{via: tc}}
	store := models.NewStore(db)
	cal, err := calsource.New(store, 0, quiet, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	profiles := testPolicies(t)
	i := slices.IndexFunc(profiles, func(p policy.Profile) bool { return p.ID == "neixiang" })
	if i < 0 {
		t.Fatal("no neixiang profile")
	}
	engine, err := NewRouter(Deps{
		Logger: quiet, Verifier: ta.signer, Catalog: store, Departments: store, Directory: store, Idempotency: store,
		Registry: prometheus.NewRegistry(), Calendar: cal, CalendarData: store, Policies: profiles, ActivePolicy: "neixiang",
		Tasks: store, Workflows: ta.updater, ShareRequests: store, Starter: ta.starter, CatalogUpdates: store, Audit: store,
		Rectifications: store, Corrections: store, OpenData: store,
	})
	if err != nil {
		t.Fatal(err)
	}
	ta.engine, ta.handler = engine, engine
	w := worker.New(worker.Deps{Client: tc, TaskQueue: contract.DefaultTaskQueue, DB: db, Logger: quiet,
		StopTimeout: time.Second, Calendars: cal, Policy: profiles[i]})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return shareStack{ta: ta, tc: tc, ctx: ctx, db: db}
}

// openDataTask waits for a task of the request in the caller's inbox: the step's own task, or
// the extension approval (kind extension).
func (s shareStack) openDataTask(t *testing.T, token, requestID, kind string) TaskView {
	t.Helper()
	var task TaskView
	s.eventually(t, "the "+kind+" task in the inbox", func() bool {
		var inbox TaskList
		s.ta.expect(s.ta.do("GET", "/api/v1/tasks?procedure=open_data", token, nil), 200).json(t, &inbox)
		for _, it := range inbox.Items {
			if it.RequestID == requestID && it.Kind == kind {
				task = it
				return true
			}
		}
		return false
	})
	return task
}

func mustTime(t *testing.T, s *string) time.Time {
	t.Helper()
	if s == nil {
		t.Fatal("no time")
	}
	v, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestOpenDataThroughTemporal walks a citizen's requests through the HTTP API under neixiang,
// against an embedded Temporal server and the worker's registration: a conditional request is
// due 10 WD after receipt (第四十六条第二款); the producer's approver asks for 5 WD more (11 is
// refused), the department head approves, and the citizen sees the deadline moved by exactly
// 5 WD from the original one and the reason; a second extension is a conflict; an approval
// needs its conditions of use. Another citizen cannot see the request, nor the inbox. An
// unconditional resource is opened at once (第三款); a resource not open is refused at
// submission naming its open type.
func TestOpenDataThroughTemporal(t *testing.T) {
	s := startNeixiangStack(t)
	ta := s.ta
	citizen := ta.token("demo-citizen", "", auth.RoleCitizen)
	otherCitizen := ta.token("citizen-li", "", auth.RoleCitizen)
	approver := ta.token("demo-approver", "neixiang-scjg", auth.RoleApprover)
	head := ta.token("demo-dept-head", "neixiang-scjg", auth.RoleDeptHead)
	authority := ta.token("demo-authority", "neixiang-authority", auth.RoleAuthority)
	resource := func(code string) int64 {
		var page CatalogResourceList
		ta.expect(ta.do("GET", "/api/v1/catalog/resources?q="+code, authority, nil), 200).json(t, &page)
		for _, it := range page.Items {
			if it.Code == code {
				return it.ID
			}
		}
		t.Fatalf("no demo resource %s", code)
		return 0
	}
	cal, err := calendar.New(calendar.Options{})
	if err != nil {
		t.Fatal(err)
	}

	body := map[string]any{"resource_id": resource("NEIXIANG-SCJG-0004"), "purpose": "企业信用研究", "scope": "2025年度年报"}
	key := http.Header{HeaderIdempotencyKey: {"od-create-1"}}
	var created OpenDataRequestStatus
	ta.expect(ta.doWithHeader("POST", "/api/v1/open-data-requests", citizen, key, body), 201).json(t, &created)
	if !strings.HasPrefix(created.ID, "OD-") || created.WorkflowID != contract.OpenDataRequestWorkflowID(created.ID) ||
		created.Status != "pending" || created.CurrentStep != "reply" || created.OpenType != "conditional" ||
		!slices.Contains(created.LegalBasis, "《内乡县政务信息资源数据共享管理实施办法》第四十六条第二款") {
		t.Fatalf("created = %+v", created)
	}
	var again OpenDataRequestStatus
	ta.expect(ta.doWithHeader("POST", "/api/v1/open-data-requests", citizen, key, body), 201).json(t, &again)
	if again.ID != created.ID {
		t.Errorf("the same Idempotency-Key started a second request: %s, %s", again.ID, created.ID)
	}
	path := "/api/v1/open-data-requests/" + created.ID
	var detail OpenDataRequestDetail
	ta.expect(ta.do("GET", path, citizen, nil), 200).json(t, &detail)
	firstDue, err := cal.Due(mustTime(t, &detail.CreatedAt), 10)
	if err != nil {
		t.Fatal(err)
	}
	if due := mustTime(t, created.DueAt); !due.Equal(firstDue.Due) {
		t.Fatalf("due %s, want 10 WD after %s: %s", due, detail.CreatedAt, firstDue.Due)
	}

	// Citizen isolation: another citizen's request does not exist for it, nor does the inbox.
	ta.expect(ta.do("GET", path, otherCitizen, nil), 404)
	var others OpenDataRequestList
	ta.expect(ta.do("GET", "/api/v1/open-data-requests", otherCitizen, nil), 200).json(t, &others)
	if len(others.Items) != 0 {
		t.Errorf("another citizen lists %+v", others.Items)
	}
	ta.expect(ta.do("GET", "/api/v1/tasks", citizen, nil), 403)
	var producerList OpenDataRequestList
	ta.expect(ta.do("GET", "/api/v1/open-data-requests", approver, nil), 200).json(t, &producerList)
	if len(producerList.Items) != 1 || producerList.Items[0].ID != created.ID {
		t.Errorf("the producer's list = %+v", producerList.Items)
	}

	reply := s.openDataTask(t, approver, created.ID, "step")
	// The citizen can neither read nor decide the producer's task: it is not found for it.
	ta.expect(ta.do("GET", taskPath(reply.ID), citizen, nil), 404)
	ta.expect(ta.do("POST", taskPath(reply.ID)+"/complete", citizen, map[string]any{"decision": "approve", "conditions": "自批"}), 404)
	// A note between the producer's staff stays out of the citizen's timeline.
	ta.expect(ta.do("POST", taskPath(reply.ID)+"/comments", approver, map[string]any{"text": "请核对年报脱敏规则"}), 200)
	commented := func(token string) bool {
		var d OpenDataRequestDetail
		ta.expect(ta.do("GET", path, token, nil), 200).json(t, &d)
		return slices.ContainsFunc(d.Timeline, func(e TimelineEventView) bool { return e.Kind == "commented" })
	}
	s.eventually(t, "the comment in the producer's timeline", func() bool { return commented(approver) })
	if commented(citizen) {
		t.Error("the citizen sees the producer's internal note")
	}
	if !slices.ContainsFunc(reply.Decisions, func(d DecisionView) bool { return d.Code == contract.DecisionRequestExtension }) {
		t.Fatalf("the reply offers no extension: %+v", reply.Decisions)
	}
	ta.expect(ta.do("POST", taskPath(reply.ID)+"/complete", approver, map[string]any{"decision": "request_extension", "workdays": 11, "reason": "数据量大"}), 422)
	reason := "需调取2025年度全部年报并脱敏"
	ta.expect(ta.do("POST", taskPath(reply.ID)+"/complete", approver, map[string]any{"decision": "request_extension", "workdays": 5, "reason": reason}), 200)
	ext := s.openDataTask(t, head, created.ID, "extension")
	ta.expect(ta.do("POST", taskPath(ext.ID)+"/complete", approver, map[string]any{"decision": "approve_extension"}), 404)
	ta.expect(ta.do("POST", taskPath(ext.ID)+"/complete", head, map[string]any{"decision": "approve_extension"}), 200)

	moved, err := cal.Due(firstDue.Due, 5)
	if err != nil {
		t.Fatal(err)
	}
	s.eventually(t, "the moved deadline on the request", func() bool {
		ta.expect(ta.do("GET", path, citizen, nil), 200).json(t, &detail)
		return detail.Extension != nil
	})
	if due := mustTime(t, detail.DueAt); !due.Equal(moved.Due) || !mustTime(t, detail.OriginalDueAt).Equal(firstDue.Due) ||
		detail.Extension.Workdays != 5 || detail.Extension.Reason != reason {
		t.Fatalf("after the extension: due %v original %v extension %+v; want due %s", *detail.DueAt, *detail.OriginalDueAt, detail.Extension, moved.Due)
	}
	kinds := map[string]bool{}
	for _, ev := range detail.Timeline {
		kinds[ev.Kind] = true
	}
	if !kinds["extension_requested"] || !kinds["extension_approved"] || !kinds["submitted"] {
		t.Errorf("the citizen's timeline lacks the extension: %v", kinds)
	}
	// The one extension is spent.
	if e := ta.expect(ta.do("POST", taskPath(reply.ID)+"/complete", approver, map[string]any{"decision": "request_extension", "workdays": 1, "reason": "再延"}), 409).errorBody(t); e.Code == "" {
		t.Fatal("no error code")
	}
	e := ta.expect(ta.do("POST", taskPath(reply.ID)+"/complete", approver, map[string]any{"decision": "approve"}), 422).errorBody(t)
	if e.Fields["conditions"] == "" {
		t.Errorf("approval without conditions: %+v", e)
	}
	e = ta.expect(ta.do("POST", taskPath(reply.ID)+"/complete", approver, map[string]any{"decision": "refuse", "reason": "涉及商业秘密"}), 422).errorBody(t)
	if e.Fields["legal_basis"] == "" {
		t.Errorf("refusal without basis: %+v", e)
	}
	ta.expect(ta.do("POST", taskPath(reply.ID)+"/complete", approver, map[string]any{"decision": "approve", "conditions": "仅限学术研究，不得转让", "comment": "内部备注：已与法规科核对"}), 200)
	s.eventually(t, "the request approved", func() bool {
		ta.expect(ta.do("GET", path, citizen, nil), 200).json(t, &detail)
		return detail.Status == "approved"
	})
	// The producer's comment on its decision is a note between departments: the citizen sees
	// the decision and its conditions, not the note; the producer sees it.
	if raw := string(ta.expect(ta.do("GET", path, citizen, nil), 200).body); strings.Contains(raw, "内部备注") {
		t.Errorf("the citizen's detail shows the producer's comment: %s", raw)
	}
	if raw := string(ta.expect(ta.do("GET", path, approver, nil), 200).body); !strings.Contains(raw, "内部备注") {
		t.Errorf("the producer's detail lacks its comment: %s", raw)
	}
	if detail.Conditions != "仅限学术研究，不得转让" || detail.DueAt != nil || detail.ClosedAt == nil || len(detail.OpenTasks) != 0 {
		t.Errorf("approved detail = %+v", detail)
	}

	// The audit log (内乡 第三十三条) has the decisions, with the resource, from the timeline.
	s.eventually(t, "the decisions in the audit log", func() bool {
		var audit AuditEventList
		ta.expect(ta.do("GET", "/api/v1/audit-events?resource_id="+itoa(resource("NEIXIANG-SCJG-0004")), authority, nil), 200).json(t, &audit)
		actions := map[string]bool{}
		for _, ev := range audit.Items {
			if ev.RequestID == created.ID {
				actions[ev.Action] = true
			}
		}
		return actions["submitted"] && actions["open_data_approved"] && actions["extension_approved"]
	})

	// Unconditionally open: opened at once after the identity check.
	var opened OpenDataRequestStatus
	ta.expect(ta.do("POST", "/api/v1/open-data-requests", citizen, map[string]any{"resource_id": resource("NEIXIANG-SCJG-0001")}), 201).json(t, &opened)
	if opened.Status != "opened" || opened.DueAt != nil ||
		!slices.Equal(opened.LegalBasis, []string{"《内乡县政务信息资源数据共享管理实施办法》第四十六条第三款"}) {
		t.Errorf("unconditional = %+v", opened)
	}
	s.eventually(t, "the opening in the audit log", func() bool {
		var audit AuditEventList
		ta.expect(ta.do("GET", "/api/v1/audit-events?action=data_opened", authority, nil), 200).json(t, &audit)
		return len(audit.Items) == 1 && audit.Items[0].RequestID == opened.ID && audit.Items[0].Actor == "demo-citizen" &&
			audit.Items[0].ResourceID != nil && *audit.Items[0].ResourceID == resource("NEIXIANG-SCJG-0001")
	})
	// Not open: refused at submission, naming the open type; nothing started.
	e = ta.expect(ta.do("POST", "/api/v1/open-data-requests", citizen, map[string]any{"resource_id": resource("NEIXIANG-SCJG-0002")}), 422).errorBody(t)
	if e.Code != CodeRuleViolated || e.Fields["open_type"] != "none" || e.Fields["resource_id"] == "" {
		t.Errorf("not open: %+v", e)
	}
	// Withdrawn (撤回) before the reply, by the applicant only; the producer's task closes.
	var second OpenDataRequestStatus
	ta.expect(ta.do("POST", "/api/v1/open-data-requests", citizen, body), 201).json(t, &second)
	withdrawPath := "/api/v1/open-data-requests/" + second.ID + "/withdraw"
	ta.expect(ta.do("POST", withdrawPath, otherCitizen, map[string]any{"reason": "x"}), 404)
	ta.expect(ta.do("POST", withdrawPath, approver, map[string]any{"reason": "x"}), 403)
	var withdrawn OpenDataRequestStatus
	ta.expect(ta.do("POST", withdrawPath, citizen, map[string]any{"reason": "已从其他渠道获取"}), 200).json(t, &withdrawn)
	if withdrawn.Status != "withdrawn" || withdrawn.DueAt != nil {
		t.Errorf("withdrawn = %+v", withdrawn)
	}
	s.eventually(t, "the withdrawal projected", func() bool {
		var d OpenDataRequestDetail
		ta.expect(ta.do("GET", "/api/v1/open-data-requests/"+second.ID, citizen, nil), 200).json(t, &d)
		return d.Status == "withdrawn" && len(d.OpenTasks) == 0
	})
	ta.expect(ta.do("POST", withdrawPath, citizen, map[string]any{}), 409)

	var mine OpenDataRequestList
	ta.expect(ta.do("GET", "/api/v1/open-data-requests", citizen, nil), 200).json(t, &mine)
	if len(mine.Items) != 3 {
		t.Errorf("the citizen's list = %+v", mine.Items)
	}
}
