package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
	"github.com/datashare/datashare/workflows/contract"
)

// shareFacts are a share request's facts as the projection stores them on its tasks.
var shareFacts = models.TaskFacts{ResourceCode: "NX-SCJG-0001", ResourceName: "市场主体登记基本信息",
	ApplicantDepartmentID: models.DemoUsingDeptID, ApplicantDepartmentName: "人社局",
	Purpose: "核验社保待遇申领人的企业法定代表人身份", Subject: "市场主体登记基本信息"}

// An inbox item says what the task is about, so the approver needs no second call: the
// resource, the applicant department, the purpose, and a title in the profile's words; side
// tasks share their request's facts and say what they are; a procedure without a resource or
// an applicant department leaves them empty. The detail says the same.
func TestTaskItemsSayWhatTheyAreAbout(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		seedTask(t, db, "share-request-SR-1/reply/1", 10, func(tk *models.Task) { tk.TaskFacts = shareFacts })
		parent := "share-request-SR-1/reply/1"
		seedTask(t, db, parent+"/extension/1", 0, func(tk *models.Task) {
			tk.Kind, tk.ParentTaskID, tk.CandidateRole, tk.TaskFacts = "extension", &parent, "approver", shareFacts
		})
		seedTask(t, db, parent+"/supervision", 0, func(tk *models.Task) {
			tk.Kind, tk.ParentTaskID, tk.TaskFacts = "supervision", &parent, shareFacts
			tk.CandidateDepartmentID, tk.CandidateRole = models.DemoAuthorityID, "authority"
		})
		seedTask(t, db, "rectification-RC-1/rectify/1", 12, func(tk *models.Task) {
			tk.Procedure, tk.Step = "rectification", "rectify"
			tk.TaskFacts = models.TaskFacts{ApplicantDepartmentID: models.DemoProvidingDeptID, ApplicantDepartmentName: "市场监管局",
				Purpose: "未按规定提供共享数据：逾期未答复共享申请", Subject: "未按规定提供共享数据"}
		})
		seedTask(t, db, "open-data-OD-1/reply/1", 11, func(tk *models.Task) {
			tk.Procedure = "open_data"
			tk.TaskFacts = models.TaskFacts{ResourceCode: "NX-SCJG-0001", ResourceName: "市场主体登记基本信息",
				Purpose: "学术研究", Subject: "市场主体登记基本信息"}
		})
		seedTask(t, db, "annual-report-2025-nx-scjg/department_report/1", 0, func(tk *models.Task) {
			tk.Procedure, tk.Step = "annual_report", "department_report"
			tk.TaskFacts = models.TaskFacts{ApplicantDepartmentID: models.DemoProvidingDeptID, ApplicantDepartmentName: "市场监管局", Subject: "2025年度"}
		})
		seedTask(t, db, "share-request-SR-0/reply/1", 13, nil) // projected before its request

		var inbox TaskList
		ta.expect(ta.do("GET", "/api/v1/tasks", ta.providerApprover(), nil), 200).json(t, &inbox)
		byID := map[string]TaskView{}
		for _, it := range inbox.Items {
			byID[it.ID] = it
		}
		type about struct{ title, code, name, dept, deptName, purpose string }
		share := about{"市场主体登记基本信息 · 人社局 · 有条件共享申请", "NX-SCJG-0001", "市场主体登记基本信息",
			models.DemoUsingDeptID, "人社局", "核验社保待遇申领人的企业法定代表人身份"}
		want := map[string]about{
			"share-request-SR-1~reply~1":             share,
			"share-request-SR-1~reply~1~extension~1": {"延期审批：" + share.title, share.code, share.name, share.dept, share.deptName, share.purpose},
			"rectification-RC-1~rectify~1": {"未按规定提供共享数据 · 市场监管局 · 限期整改", "", "", models.DemoProvidingDeptID, "市场监管局",
				"未按规定提供共享数据：逾期未答复共享申请"},
			"open-data-OD-1~reply~1": {"市场主体登记基本信息 · 有条件开放申请", "NX-SCJG-0001", "市场主体登记基本信息", "", "", "学术研究"},
			"annual-report-2025-nx-scjg~department_report~1": {"2025年度 · 市场监管局 · " + procedureName(t, "annual_report"), "", "",
				models.DemoProvidingDeptID, "市场监管局", ""},
			"share-request-SR-0~reply~1": {"有条件共享申请", "", "", "", "", ""},
		}
		if len(inbox.Items) != len(want) {
			t.Fatalf("inbox = %v, want %d items", listIDs(inbox), len(want))
		}
		for id, w := range want {
			it, ok := byID[id]
			if !ok {
				t.Errorf("%s not in the inbox %v", id, listIDs(inbox))
				continue
			}
			got := about{it.Title, it.ResourceCode, it.ResourceName, it.ApplicantDepartmentID, it.ApplicantDepartmentName, it.Purpose}
			if got != w {
				t.Errorf("%s is about %+v, want %+v", id, got, w)
			}
		}
		// Every member is there, empty or not, so a list reads them without guessing.
		r := ta.do("GET", "/api/v1/tasks", ta.providerApprover(), nil)
		var raw struct{ Items []map[string]json.RawMessage }
		r.json(t, &raw)
		for _, k := range []string{"title", "resource_code", "resource_name", "applicant_department_id", "applicant_department_name",
			"purpose", "remaining_workdays", "light"} {
			for _, it := range raw.Items {
				if _, ok := it[k]; !ok {
					t.Errorf("item lacks %s: %s", k, r.body)
				}
			}
		}

		var sup TaskDetail
		ta.expect(ta.do("GET", "/api/v1/tasks/share-request-SR-1~reply~1~supervision", ta.authority(), nil), 200).json(t, &sup)
		if sup.Title != "督办："+share.title || sup.ResourceName != share.name || sup.Purpose != share.purpose ||
			sup.ParentTaskID != "share-request-SR-1~reply~1" {
			t.Errorf("supervision detail = %+v", sup.TaskView)
		}
		var detail TaskDetail
		ta.expect(ta.do("GET", "/api/v1/tasks/share-request-SR-1~reply~1", ta.providerApprover(), nil), 200).json(t, &detail)
		if detail.Title != share.title || detail.ApplicantDepartmentName != "人社局" || detail.ResourceCode != "NX-SCJG-0001" {
			t.Errorf("detail = %+v", detail.TaskView)
		}
	})
}

// procedureName is the procedure's name in the ningxia profile.
func procedureName(t *testing.T, code string) string {
	t.Helper()
	for _, p := range testPolicies(t) {
		if p.ID == "ningxia" {
			if proc, ok := p.Procedure(code); ok {
				return proc.Name
			}
		}
	}
	t.Fatalf("ningxia has no %s", code)
	return ""
}

// The countdown counts China's working days at the request's clock, across National Day 2026
// (1–7 October off, Sunday 20 September and Saturday 10 October make-up working days): the
// current day is not counted, 0 on the due date, negative once overdue — at least -1, also
// on the holiday right after a deadline — and the light turns yellow 2 working days before
// the due date, red past it. Tasks without a deadline, and decided ones, have neither.
func TestTaskCountdownAcrossNationalDay(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, cst)
	}
	due := func(month time.Month, day int) func(*models.Task) {
		return func(tk *models.Task) {
			d := time.Date(2026, month, day, 23, 59, 59, 0, cst)
			tk.DueAt = &d
		}
	}
	seedTask(t, db, "wf-oct12/reply/1", 0, due(time.October, 12)) // Monday after the holiday
	seedTask(t, db, "wf-sep30/reply/1", 0, due(time.September, 30))
	seedTask(t, db, "wf-none/reply/1", 0, nil)
	seedTask(t, db, "wf-done/reply/1", 0, func(tk *models.Task) {
		due(time.October, 12)(tk)
		tk.Status, tk.Decision = "completed", "approve"
	})
	type count struct {
		remaining any // int, or nil for null
		light     string
	}
	cases := []struct {
		now          time.Time
		oct12, sep30 count
	}{
		// 8, 9, 10 (make-up Saturday) and 12 October: 4 where weekdays alone would count 8.
		{at(time.September, 30, 10), count{4, "green"}, count{0, "yellow"}},
		// During the holiday nothing is used up, and the task due on 30 September is late.
		{at(time.October, 1, 9), count{4, "green"}, count{-1, "red"}},
		{at(time.October, 7, 18), count{4, "green"}, count{-1, "red"}},
		{at(time.October, 8, 10), count{3, "green"}, count{-1, "red"}},
		// Friday 9 October: the make-up Saturday and Monday remain.
		{at(time.October, 9, 10), count{2, "yellow"}, count{-2, "red"}},
		{at(time.October, 10, 10), count{1, "yellow"}, count{-3, "red"}},
		{at(time.October, 11, 10), count{1, "yellow"}, count{-3, "red"}},
		{at(time.October, 12, 23), count{0, "yellow"}, count{-4, "red"}},
		{at(time.October, 13, 0), count{-1, "red"}, count{-5, "red"}},
	}
	for _, tc := range cases {
		ta.now = tc.now.UTC() // the zone of the clock does not matter
		var l TaskList
		ta.expect(ta.do("GET", "/api/v1/tasks?status=all", ta.providerApprover(), nil), 200).json(t, &l)
		got := map[string]count{}
		for _, it := range l.Items {
			c := count{light: it.Light}
			if it.RemainingWorkdays != nil {
				c.remaining = *it.RemainingWorkdays
			}
			got[it.ID] = c
		}
		want := map[string]count{"wf-oct12~reply~1": tc.oct12, "wf-sep30~reply~1": tc.sep30,
			"wf-none~reply~1": {nil, ""}, "wf-done~reply~1": {nil, ""}}
		for id, w := range want {
			if got[id] != w {
				t.Errorf("at %s: %s counts %v, want %v", tc.now.Format(time.DateTime), id, got[id], w)
			}
		}
		// The detail counts alike.
		var d TaskDetail
		ta.expect(ta.do("GET", "/api/v1/tasks/wf-oct12~reply~1", ta.providerApprover(), nil), 200).json(t, &d)
		if c := (count{light: d.Light}); d.RemainingWorkdays == nil || *d.RemainingWorkdays != tc.oct12.remaining || c.light != tc.oct12.light {
			t.Errorf("at %s: detail counts %v %q, want %v", tc.now.Format(time.DateTime), d.RemainingWorkdays, d.Light, tc.oct12)
		}
	}
	// Null, not absent, without a deadline.
	var raw struct{ Items []map[string]json.RawMessage }
	ta.expect(ta.do("GET", "/api/v1/tasks?procedure=share", ta.providerApprover(), nil), 200).json(t, &raw)
	for _, it := range raw.Items {
		if string(it["id"]) == `"wf-none~reply~1"` && (string(it["remaining_workdays"]) != "null" || string(it["light"]) != `""`) {
			t.Errorf("no deadline: %v", it)
		}
	}
}

// Task ids reach clients URL-safe (/ written ~) wherever they appear — items, parents,
// timeline events and their data, notifications, annual reports, the audit log — and every
// route taking one accepts both forms, the new one unescaped; an unknown id is 404 in both.
func TestTaskIDsAreURLSafe(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	const internal = "share-request-SR-1/reply/1"
	const public = "share-request-SR-1~reply~1"
	tk := seedTask(t, db, internal, 10, func(tk *models.Task) { tk.WorkflowID = "share-request-SR-1" })
	parent := internal
	seedTask(t, db, internal+"/supervision", 0, func(s *models.Task) {
		s.Kind, s.ParentTaskID, s.WorkflowID = "supervision", &parent, tk.WorkflowID
		s.CandidateDepartmentID, s.CandidateRole = models.DemoAuthorityID, "authority"
	})
	st := models.NewStore(db)
	ctx := context.Background()
	if _, err := st.AppendTimelineEvent(ctx, models.TimelineEvent{EventID: internal + "#1", Seq: 1, TaskID: internal,
		WorkflowID: tk.WorkflowID, RequestID: tk.RequestID, Procedure: "share", Step: tk.Step, Kind: "rectification_linked",
		At: time.Date(2026, 3, 2, 10, 0, 0, 0, cst), DataJSON: `{"linked_task_id":"` + internal + `","rectification_id":"RC-1"}`}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AppendNotification(ctx, models.Notification{EventKey: internal + "#1/x", At: time.Date(2026, 3, 2, 10, 0, 0, 0, cst),
		DepartmentID: models.DemoProvidingDeptID, Role: "approver", Kind: "reminded", Procedure: "share", Step: tk.Step,
		TaskID: internal, RequestID: tk.RequestID, Text: "待办即将到期"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AppendAuditEvent(ctx, &models.AuditEvent{EventKey: internal + "#2", At: time.Date(2026, 3, 2, 11, 0, 0, 0, cst),
		Actor: "demo-approver", DepartmentID: models.DemoProvidingDeptID, Action: "completed", Procedure: "share",
		RequestID: tk.RequestID, Object: internal, DetailsJSON: "{}"}); err != nil {
		t.Fatal(err)
	}
	approver := ta.providerApprover()

	var inbox TaskList
	ta.expect(ta.do("GET", "/api/v1/tasks", approver, nil), 200).json(t, &inbox)
	if len(inbox.Items) != 1 || inbox.Items[0].ID != public || url.PathEscape(public) != public {
		t.Fatalf("inbox ids = %v, want %s, which needs no escaping", listIDs(inbox), public)
	}
	for _, path := range []string{"/api/v1/tasks/" + public, "/api/v1/tasks/share-request-SR-1%2Freply%2F1"} {
		var d TaskDetail
		ta.expect(ta.do("GET", path, approver, nil), 200).json(t, &d)
		if d.ID != public || len(d.Timeline) != 1 || d.Timeline[0].ID != public+"#1" || d.Timeline[0].Data["linked_task_id"] != public ||
			d.Timeline[0].Data["rectification_id"] != "RC-1" {
			t.Errorf("GET %s = %+v", path, d)
		}
	}
	var sup TaskDetail
	ta.expect(ta.do("GET", "/api/v1/tasks/"+public+"~supervision", ta.authority(), nil), 200).json(t, &sup)
	if sup.ID != public+"~supervision" || sup.ParentTaskID != public {
		t.Errorf("supervision = %+v", sup.TaskView)
	}
	// Both forms act on the same task; the workflow gets the internal id.
	for _, path := range []string{"/api/v1/tasks/" + public + "/claim", "/api/v1/tasks/share-request-SR-1%2Freply%2F1/claim"} {
		var v TaskView
		ta.expect(ta.do("POST", path, approver, nil), 200).json(t, &v)
		o := ta.updater.last(t)
		if u, ok := o.Args[0].(contract.ClaimUpdate); v.ID != public || o.WorkflowID != tk.WorkflowID || !ok || u.TaskID != internal {
			t.Errorf("POST %s answered %s, sent %+v", path, v.ID, o)
		}
	}
	// A refusal names the task as the client sees it.
	ta.updater.reject = fmt.Errorf("unknown update complete")
	if e := ta.expect(ta.do("POST", "/api/v1/tasks/"+public+"/comments", approver, map[string]any{"text": "x"}), 409).errorBody(t); e.Message != "task "+public+" takes no actions now" {
		t.Errorf("refusal: %+v", e)
	}
	ta.updater.reject = nil
	for _, path := range []string{"/api/v1/tasks/share-request-SR-404~reply~1", "/api/v1/tasks/share-request-SR-404%2Freply%2F1"} {
		for _, method := range []string{"GET", "POST"} {
			p := path
			if method == "POST" {
				p += "/claim"
			}
			if e := ta.expect(ta.do(method, p, approver, nil), 404).errorBody(t); e.Code != CodeNotFound {
				t.Errorf("%s %s: %+v", method, p, e)
			}
		}
	}

	var notes NotificationList
	ta.expect(ta.do("GET", "/api/v1/notifications", approver, nil), 200).json(t, &notes)
	if len(notes.Items) != 1 || notes.Items[0].TaskID != public {
		t.Errorf("notifications = %+v", notes)
	}
	var audit AuditEventList
	ta.expect(ta.do("GET", "/api/v1/audit-events?action=completed", ta.authority(), nil), 200).json(t, &audit)
	if len(audit.Items) != 1 || audit.Items[0].Object != public {
		t.Errorf("audit = %+v", audit)
	}

	// A notice is issued from a supervision task named in either form: here the overdue task
	// itself, which is not one (409), not an unknown id (404, 400).
	body := map[string]any{"violation": "data_not_provided", "description": "逾期未答复", "workdays": 5}
	ta.expect(ta.do("POST", "/api/v1/tasks/"+public+"/rectification", ta.authority(), body), 409)
	ta.expect(ta.do("POST", "/api/v1/tasks/no~such~task/rectification", ta.authority(), body), 404)
	body["supervision_task_id"] = public
	ta.expect(ta.do("POST", "/api/v1/rectifications", ta.authority(), body), 409)
	body["supervision_task_id"] = "no~such~task"
	if e := ta.expect(ta.do("POST", "/api/v1/rectifications", ta.authority(), body), 400).errorBody(t); e.Fields["supervision_task_id"] == "" {
		t.Errorf("unknown supervision task: %+v", e)
	}
}
