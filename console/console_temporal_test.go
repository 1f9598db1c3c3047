package console

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/datashare/datashare/api"
)

// TestShareRequestThroughTheConsole runs a conditional share request through the console
// against the real API, an embedded Temporal server and the worker (ningxia): the task created
// through the API is in the approver's inbox; a refusal without its reason comes back with
// what was typed and the error at the field; a post without the CSRF token is refused and
// changes nothing; the approval through the task page's form decides the task, which the
// approver's done list shows.
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
			`>《宁夏回族自治区政务数据资源共享管理办法》第十一条</textarea>`,
			">请补充说明</textarea>",
			// The error is at the field, tied to it for assistive technology.
			`id="d-refuse-reason" name="reason" rows="3" required aria-invalid="true" aria-describedby="d-refuse-reason-error"`,
			`<p class="field-error" id="d-refuse-reason-error">`,
		} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("re-rendered form lacks %s", want)
			}
		}
		if strings.Contains(p.Body, `id="d-approve-scope" name="scope" rows="3" required aria-invalid`) {
			t.Error("the error shows on another decision's form")
		}
	})

	t.Run("the approval through the form decides the task", func(t *testing.T) {
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
		done := approver.get("/console/done")
		if !strings.Contains(done.Body, created.ID) || !strings.Contains(done.Body, "我办理") {
			t.Errorf("done list lacks the decided task:\n%s", done.Body)
		}
	})
}
