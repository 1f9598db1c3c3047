package console

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/datashare/datashare/api"
	"github.com/datashare/datashare/internal/auth"
)

// TestShareRequestThroughTheConsole runs a conditional share request through the console
// against the real API, an embedded Temporal server and the worker (ningxia): the task created
// through the API is in the approver's inbox; a refusal without its reason comes back with
// what was typed and the error at the field; a post without the CSRF token is refused and
// changes nothing; the approval through the task page's form grants the request, which the
// applicant's request page shows.
func TestShareRequestThroughTheConsole(t *testing.T) {
	s := newStack(t, "ningxia", true)
	applicantToken := s.token("demo-applicant")
	var created api.ShareRequestStatus
	if code := s.apiCall("POST", "/api/v1/share-requests", applicantToken, map[string]any{
		"resource_id": s.resourceID("NX-SCJG-0002"), "purpose": "社会保险待遇资格认证", "scope": "法定代表人姓名、身份证件号码",
		"requested_validity_days": 365}, &created); code != 201 {
		t.Fatalf("create: %d", code)
	}
	var task api.TaskView
	s.eventually("the reply task in the approver's inbox", func() bool {
		var inbox api.TaskList
		s.apiCall("GET", "/api/v1/tasks?procedure=share", s.token("demo-approver"), nil, &inbox)
		for _, it := range inbox.Items {
			if it.RequestID == created.ID && it.Step == "reply" {
				task = it
				return true
			}
		}
		return false
	})
	taskPage := "/console/tasks/" + url.PathEscape(task.ID)

	approver := s.browser()
	approver.signIn("demo-approver")

	t.Run("inbox shows the task", func(t *testing.T) {
		p := approver.get("/console/")
		if p.Status != 200 {
			t.Fatalf("inbox: %d %s", p.Status, p.Body)
		}
		for _, want := range []string{created.ID, "提供部门答复", `href="` + html.EscapeString(taskPage) + `"`, "有条件共享申请"} {
			if !strings.Contains(p.Body, want) && !strings.Contains(p.Body, strings.ToLower(want)) {
				t.Errorf("inbox lacks %q:\n%s", want, p.Body)
			}
		}
		// Filtered by another procedure, it is not there; by its step, it is.
		if p := approver.get("/console/?procedure=correction"); strings.Contains(p.Body, created.ID) {
			t.Error("the correction filter lists the share task")
		}
		if p := approver.get("/console/?procedure=share&step=reply"); !strings.Contains(p.Body, created.ID) {
			t.Errorf("the reply step filter lacks the task:\n%s", p.Body)
		}
		if p := approver.get("/console/?procedure=share&step=negotiate"); strings.Contains(p.Body, created.ID) {
			t.Error("the negotiate step filter lists the reply task")
		}
	})

	t.Run("task page shows the deadline's basis and the case", func(t *testing.T) {
		p := approver.get(taskPage)
		if p.Status != 200 {
			t.Fatalf("task page: %d %s", p.Status, p.Body)
		}
		for _, want := range []string{"《宁夏回族自治区政务数据资源共享管理办法》第十一条", "社会保险待遇资格认证", "提交：同意", "提交：不同意",
			`<label for="d-refuse-reason_code">`, `<label for="d-approve-validity_days">`, "申请用途不属于使用部门履行职责需要"} {
			if !strings.Contains(p.Body, html.EscapeString(want)) && !strings.Contains(p.Body, want) {
				t.Errorf("task page lacks %q", want)
			}
		}
		// The unescaped form of the id reaches the same task.
		if p := approver.get("/console/tasks/" + task.ID); p.Status != 200 || !strings.Contains(p.Body, created.ID) {
			t.Errorf("unescaped task id: %d", p.Status)
		}
	})

	t.Run("a post without the CSRF token is refused", func(t *testing.T) {
		p := approver.post(taskPage+"/claim", url.Values{})
		if p.Status != http.StatusForbidden {
			t.Fatalf("claim without token: %d", p.Status)
		}
		p = approver.post(taskPage+"/complete", url.Values{"csrf": {"forged"}, "decision": {"approve"},
			"scope": {"x"}, "usage_purpose": {"y"}, "validity_days": {"1"}})
		if p.Status != http.StatusForbidden {
			t.Fatalf("complete with a forged token: %d", p.Status)
		}
		var now api.TaskView
		s.apiCall("GET", "/api/v1/tasks/"+url.PathEscape(task.ID), s.token("demo-approver"), nil, &now)
		if now.Assignee != "" || now.Status != "open" {
			t.Fatalf("the refused posts changed the task: %+v", now)
		}
	})

	t.Run("a refusal without reason shows the form again", func(t *testing.T) {
		p := approver.form(taskPage, taskPage+"/complete", url.Values{"decision": {"refuse"},
			"reason_code": {"outside_duty"}, "legal_basis": {"《宁夏回族自治区政务数据资源共享管理办法》第十一条"},
			"comment": {"请补充说明"}})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("refusal without reason: %d\n%s", p.Status, p.Body)
		}
		for _, want := range []string{
			// What was typed is still there.
			`<option value="outside_duty" selected>`,
			`name="legal_basis" type="text" value="《宁夏回族自治区政务数据资源共享管理办法》第十一条"`,
			">请补充说明</textarea>",
			// The error is at the field, tied to it for assistive technology.
			`id="d-refuse-reason" name="reason" rows="3" required aria-invalid="true" aria-describedby="d-refuse-reason-error"`,
			`<p class="field-error" id="d-refuse-reason-error">`,
		} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("re-rendered form lacks %s", want)
			}
		}
		if strings.Contains(p.Body, `id="d-approve-scope" name="scope" type="text" value="" required aria-invalid`) {
			t.Error("the error shows on another decision's form")
		}
	})

	t.Run("the approval through the form grants the request", func(t *testing.T) {
		p := approver.form(taskPage, taskPage+"/claim", url.Values{})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, taskPage+"?done=claimed") {
			t.Fatalf("claim: %d %q %s", p.Status, p.Location, p.Body)
		}
		p = approver.form(taskPage, taskPage+"/complete", url.Values{"decision": {"approve"}, "scope": {"法定代表人姓名"},
			"usage_purpose": {"社会保险待遇资格认证"}, "validity_days": {"180"}, "conditions": {"仅限本单位使用"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("approve: %d\n%s", p.Status, p.Body)
		}
		after := approver.get(p.Location)
		if !strings.Contains(after.Body, "决定已提交") || !strings.Contains(after.Body, "已办结") {
			t.Errorf("after the decision:\n%s", after.Body)
		}
		// 已办 lists the tasks the approver decided; the department head of the same
		// department, who decided nothing, has none.
		done := approver.get("/console/done")
		if !strings.Contains(done.Body, created.ID) || !strings.Contains(done.Body, "办结于") {
			t.Errorf("done list lacks the decided task:\n%s", done.Body)
		}
		head := s.browser()
		head.signIn("demo-dept-head")
		if p := head.get("/console/done"); p.Status != 200 || strings.Contains(p.Body, created.ID) || !strings.Contains(p.Body, "您还没有办结的待办") {
			t.Errorf("another person's 已办 lists the approver's decision: %d\n%s", p.Status, p.Body)
		}

		applicant := s.browser()
		applicant.signIn("demo-applicant")
		reqPage := "/console/requests/share/" + created.ID
		var body string
		s.eventually("the request page shows the grant", func() bool {
			p := applicant.get(reqPage)
			body = p.Body
			return p.Status == 200 && strings.Contains(body, "已授权") && strings.Contains(body, "仅限本单位使用")
		})
		if !strings.Contains(body, "法定代表人姓名") || !strings.Contains(body, "共享授权") {
			t.Errorf("request page:\n%s", body)
		}
		list := applicant.get("/console/share-requests")
		if !strings.Contains(list.Body, created.ID) || !strings.Contains(list.Body, "已授权") {
			t.Errorf("applicant's list:\n%s", list.Body)
		}
		if g := applicant.get("/console/grants"); !strings.Contains(g.Body, "G-"+created.ID) && !strings.Contains(g.Body, created.ID) {
			t.Errorf("grants:\n%s", g.Body)
		}
		// The applicant was told; the header counts it until it is read.
		notes := applicant.get("/console/notifications")
		if !strings.Contains(notes.Body, `id="unread-count"`) {
			t.Fatalf("no unread count in the header:\n%s", notes.Body)
		}
		id := firstReadButton(t, notes.Body)
		read := applicant.form("/console/notifications", "/console/notifications/"+id+"/read", url.Values{"return": {"/console/notifications"}})
		if read.Status != http.StatusSeeOther || !strings.HasPrefix(read.Location, "/console/notifications") {
			t.Fatalf("mark read: %d %q", read.Status, read.Location)
		}
		var nl api.NotificationList
		s.apiCall("GET", "/api/v1/notifications", applicantToken, nil, &nl)
		for _, n := range nl.Items {
			if strconv.FormatInt(n.ID, 10) == id && !n.Read {
				t.Fatalf("notification %s not read", id)
			}
		}
	})

	t.Run("the authority's supervision board, with its exports", func(t *testing.T) {
		authority := s.browser()
		authority.signIn("demo-authority")
		p := authority.get("/console/board?from=2026-01-01&to=2026-12-31")
		if p.Status != 200 || !strings.Contains(p.Body, "督办看板") || !strings.Contains(p.Body, `id="board-now"`) || !strings.Contains(p.Body, "超期率") {
			t.Fatalf("board page (%d):\n%s", p.Status, p.Body)
		}
		// The request decided above was handled in the period by the providing department.
		if !strings.Contains(p.Body, "2026-01-01 至 2026-12-31") {
			t.Errorf("board page lacks its period:\n%s", p.Body)
		}
		x := authority.get("/console/board/export?format=xlsx&from=2026-01-01&to=2026-12-31")
		if x.Status != 200 || !strings.HasPrefix(x.Body, "PK") || !strings.Contains(x.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("xlsx export: %d %v %q", x.Status, x.Header, x.Body[:min(len(x.Body), 20)])
		}
		c := authority.get("/console/board/export?format=csv&from=2026-01-01&to=2026-12-31")
		if c.Status != 200 || !strings.HasPrefix(c.Body, "\ufeff") || !strings.Contains(c.Body, "超期率") {
			t.Errorf("csv export: %d %q", c.Status, c.Body[:min(len(c.Body), 200)])
		}
		// Only the authority supervises: another user's board is refused by the API, and the
		// page says so.
		approver := s.browser()
		approver.signIn("demo-approver")
		if p := approver.get("/console/board"); p.Status != 403 {
			t.Errorf("an approver's board: %d", p.Status)
		}
		if strings.Contains(approver.get("/console/").Body, "/console/board") {
			t.Error("an approver's navigation offers the board")
		}
	})

	t.Run("admins get a link to the workflow in Temporal UI", func(t *testing.T) {
		admin := s.browser()
		admin.signIn("demo-authority")
		if p := admin.get("/console/requests/share/" + created.ID); strings.Contains(p.Body, "temporal-ui.test") {
			t.Error("a non-admin gets the Temporal UI link")
		}
		s.extra["admin-authority"] = principalOfAdminAuthority()
		admin = s.browser()
		admin.signIn("admin-authority")
		p := admin.get("/console/requests/share/" + created.ID)
		want := "http://temporal-ui.test/namespaces/default/workflows/" + url.PathEscape(created.WorkflowID)
		if !strings.Contains(p.Body, want) {
			t.Errorf("admin's request page lacks %s:\n%s", want, p.Body)
		}
	})

	// docs/api.md, step 4: the authority suspends the grant, with a reason, through the forms on the
	// request's page, and may resume it; the providing department's approver gets the forms too
	// (政务数据共享条例 第二十七条第二款); the requesting department's approver gets none, and a post
	// of its own is refused by the API.
	t.Run("the authority suspends and resumes the grant", func(t *testing.T) {
		reqPage := "/console/requests/share/" + created.ID
		provider := s.browser()
		provider.signIn("demo-approver")
		if p := provider.get(reqPage); p.Status != 200 || !strings.Contains(p.Body, `action="`+reqPage+`/suspend"`) {
			t.Errorf("the providing department's approver has no suspension form (%d):\n%s", p.Status, p.Body)
		}
		requester := s.browser()
		requester.signIn("demo-rst-approver")
		if p := requester.get(reqPage); strings.Contains(p.Body, reqPage+"/suspend") {
			t.Errorf("the requesting department's approver is offered the grant's forms (%d):\n%s", p.Status, p.Body)
		}
		if p := requester.form(reqPage, reqPage+"/suspend", url.Values{"reason": {"自行暂停"}}); p.Status < 400 || p.Status >= 500 {
			t.Fatalf("the requesting department's approver's suspension: %d\n%s", p.Status, p.Body)
		}

		authority := s.browser()
		authority.signIn("demo-authority")
		p := authority.get(reqPage)
		for _, want := range []string{`action="` + reqPage + `/suspend"`, `action="` + reqPage + `/revoke"`,
			`<label for="g-suspend-reason">`, `<label for="g-revoke-reason">`, ">暂停</button>", ">撤销</button>"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("authority's request page lacks %s", want)
			}
		}
		if strings.Contains(p.Body, reqPage+"/resume") {
			t.Error("an active grant offers resume")
		}
		// Without a reason the API refuses it, and its error is at the field.
		p = authority.form(reqPage, reqPage+"/suspend", url.Values{"reason": {"  "}})
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `<p class="field-error" id="g-suspend-reason-error">`) ||
			!strings.Contains(p.Body, `aria-describedby="g-suspend-reason-error"`) {
			t.Fatalf("suspension without reason: %d\n%s", p.Status, p.Body)
		}
		if strings.Contains(p.Body, `id="g-revoke-reason-error"`) {
			t.Error("the error shows on the revoke form too")
		}
		p = authority.form(reqPage, reqPage+"/suspend", url.Values{"reason": {"使用部门超范围使用数据"}})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, reqPage+"?done=grant_suspended") {
			t.Fatalf("suspend: %d %q\n%s", p.Status, p.Location, p.Body)
		}
		after := authority.get(p.Location)
		if !strings.Contains(after.Body, "共享授权已暂停。") || !strings.Contains(after.Body, "已暂停（使用部门超范围使用数据）") ||
			!strings.Contains(after.Body, `action="`+reqPage+`/resume"`) || strings.Contains(after.Body, `action="`+reqPage+`/suspend"`) {
			t.Fatalf("after the suspension:\n%s", after.Body)
		}
		var grant api.GrantList
		s.apiCall("GET", "/api/v1/grants?status=suspended", s.token("demo-authority"), nil, &grant)
		if len(grant.Items) != 1 || grant.Items[0].RequestID != created.ID {
			t.Fatalf("suspended grants: %+v", grant.Items)
		}
		p = authority.form(reqPage, reqPage+"/resume", url.Values{"reason": {"已整改"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("resume: %d\n%s", p.Status, p.Body)
		}
		if after := authority.get(p.Location); !strings.Contains(after.Body, "共享授权已恢复。") || !strings.Contains(after.Body, "有效（已整改）") {
			t.Fatalf("after the resumption:\n%s", after.Body)
		}
	})
}

// firstReadButton is the id of the first notification with a mark-read button.
func firstReadButton(t *testing.T, body string) string {
	t.Helper()
	const prefix = `action="/console/notifications/`
	i := strings.Index(body, prefix)
	if i < 0 {
		t.Fatalf("no mark-read button:\n%s", body)
	}
	rest := body[i+len(prefix):]
	return rest[:strings.Index(rest, "/")]
}

// TestCitizenSeesOnlyOwnRequests: under neixiang two citizens ask for open data through the
// console; each sees its own request and not the other's, and withdraws its own.
func TestCitizenSeesOnlyOwnRequests(t *testing.T) {
	s := newStack(t, "neixiang", true)
	s.extra["citizen-2"] = citizen("citizen-2", "刘洋（公民）")
	rid := strconv.FormatInt(s.resourceID("NEIXIANG-SCJG-0004"), 10)

	ask := func(b *browser, purpose string) string {
		t.Helper()
		newPage := "/console/open-data/new?resource_id=" + rid
		p := b.get(newPage)
		if p.Status != 200 || !strings.Contains(p.Body, "NEIXIANG-SCJG-0004") {
			t.Fatalf("new open-data request: %d\n%s", p.Status, p.Body)
		}
		idem := between(p.Body, `name="idem" value="`, `"`)
		p = b.post("/console/open-data", url.Values{"csrf": {csrf(t, p)}, "idem": {idem}, "resource_id": {rid},
			"purpose": {purpose}, "scope": {"2025年度年报"}})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/console/requests/open_data/") {
			t.Fatalf("submit: %d %q\n%s", p.Status, p.Location, p.Body)
		}
		u, _ := url.Parse(p.Location)
		return strings.TrimPrefix(u.Path, "/console/requests/open_data/")
	}
	a, b := s.browser(), s.browser()
	a.signIn("demo-citizen")
	b.signIn("citizen-2")
	mine, theirs := ask(a, "企业信用研究"), ask(b, "学术研究")

	// A citizen's home is its requests: it has no inbox.
	if p := a.get("/console/"); p.Status != http.StatusSeeOther || p.Location != "/console/open-data" {
		t.Fatalf("citizen's inbox: %d %q", p.Status, p.Location)
	}
	list := a.get("/console/open-data")
	if list.Status != 200 || !strings.Contains(list.Body, mine) || strings.Contains(list.Body, theirs) {
		t.Fatalf("citizen's list (mine %s, theirs %s):\n%s", mine, theirs, list.Body)
	}
	if p := a.get("/console/requests/open_data/" + theirs); p.Status != http.StatusNotFound {
		t.Fatalf("another citizen's request: %d", p.Status)
	}
	own := a.get("/console/requests/open_data/" + mine)
	if own.Status != 200 || !strings.Contains(own.Body, "企业信用研究") || !strings.Contains(own.Body, "第四十六条") {
		t.Fatalf("own request:\n%s", own.Body)
	}
	w := a.form("/console/requests/open_data/"+mine, "/console/requests/open_data/"+mine+"/withdraw", url.Values{"reason": {"不再需要"}})
	if w.Status != http.StatusSeeOther {
		t.Fatalf("withdraw: %d\n%s", w.Status, w.Body)
	}
	if p := a.get(w.Location); !strings.Contains(p.Body, "已撤回") {
		t.Fatalf("after withdrawal:\n%s", p.Body)
	}
	// The other citizen cannot withdraw it either: the API says the request is not there.
	if p := b.form("/console/open-data", "/console/requests/open_data/"+mine+"/withdraw", url.Values{}); p.Status != http.StatusNotFound {
		t.Fatalf("withdrawing another's request: %d", p.Status)
	}
	// A citizen sees the open catalog, with the request link.
	if p := a.get("/console/catalog?q=NEIXIANG-SCJG-0004"); !strings.Contains(p.Body, "申请开放数据") {
		t.Fatalf("open catalog:\n%s", p.Body)
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	return s[:strings.Index(s, to)]
}

func citizen(id, name string) auth.Principal {
	return auth.Principal{Subject: id, Name: name, Roles: []auth.Role{auth.RoleCitizen}}
}

// principalOfAdminAuthority is an admin who is also of the authority, so it may read every
// request (a bare admin reads its department's only).
func principalOfAdminAuthority() auth.Principal {
	return auth.Principal{Subject: "admin-authority", Name: "平台管理员（主管部门）", DepartmentID: "nx-authority",
		Roles: []auth.Role{auth.RoleAdmin, auth.RoleAuthority}}
}
