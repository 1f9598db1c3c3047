package console

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/datashare/datashare/api"
)

// TestShareRequestThroughTheConsole runs a conditional share request through the console
// against the real API, an embedded Temporal server and the worker (ningxia): the task created
// through the API is in the approver's inbox.
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
}
