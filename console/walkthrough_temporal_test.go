package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/datashare/datashare/api"
)

// taskOf waits until user's inbox (through the API) holds a task of the request that ok
// accepts, and returns it.
func (s *stack) taskOf(t *testing.T, user, requestID string, ok func(api.TaskView) bool) api.TaskView {
	t.Helper()
	var found api.TaskView
	s.eventually("a task of "+requestID+" in "+user+"'s inbox", func() bool {
		var inbox api.TaskList
		s.apiCall("GET", "/api/v1/tasks?limit=100", s.token(user), nil, &inbox)
		for _, it := range inbox.Items {
			if it.RequestID == requestID && ok(it) {
				found = it
				return true
			}
		}
		return false
	})
	return found
}

// TestOpenDataWalkThroughTheConsole is the open-data walk-through of docs/api.md done in the
// console only (内乡): the citizen finds the conditionally open resource in the open catalog and
// asks for it; the producer's approver asks for an extension (11 working days is refused at
// the field, 5 goes through); the department head approves it from its inbox; the citizen's
// page shows the new deadline, the original one and the reason; a second extension is no
// longer offered, a refusal without its basis is refused at the field, and the approval with
// conditions reaches the citizen's page and notifications; unconditionally open data is
// opened at once, data not open is refused at the form; the authority finds the decisions in
// the audit log.
func TestOpenDataWalkThroughTheConsole(t *testing.T) {
	s := newStack(t, "neixiang", true)
	citizen := s.browser()
	citizen.signIn("demo-citizen")

	// 1. The open catalog, the request.
	rid := strconv.FormatInt(s.resourceID("NEIXIANG-SCJG-0004"), 10)
	cat := citizen.get("/console/catalog?q=NEIXIANG-SCJG-0004")
	newPage := "/console/open-data/new?resource_id=" + rid
	if cat.Status != 200 || !strings.Contains(cat.Body, "NEIXIANG-SCJG-0004") || !strings.Contains(cat.Body, `href="`+strings.ReplaceAll(newPage, "&", "&amp;")+`"`) {
		t.Fatalf("open catalog: %d\n%s", cat.Status, cat.Body)
	}
	p := citizen.form(newPage, "/console/open-data", url.Values{"resource_id": {rid}, "purpose": {"企业信用研究"}, "scope": {"2025年度年报"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/console/requests/open_data/") {
		t.Fatalf("open-data request: %d %q\n%s", p.Status, p.Location, p.Body)
	}
	u, _ := url.Parse(p.Location)
	reqPage := u.Path
	id := strings.TrimPrefix(reqPage, "/console/requests/open_data/")
	if pg := citizen.get(reqPage); !strings.Contains(pg.Body, "第四十六条第二款") || !strings.Contains(pg.Body, "待答复") {
		t.Fatalf("the citizen's request page:\n%s", pg.Body)
	}

	// 2. The approver asks for more time.
	reply := s.taskOf(t, "demo-approver", id, func(v api.TaskView) bool { return v.Kind == "step" })
	taskPage := "/console/tasks/" + url.PathEscape(reply.ID)
	approver := s.browser()
	approver.signIn("demo-approver")
	if tp := approver.get(taskPage); !strings.Contains(tp.Body, `value="request_extension"`) {
		t.Fatalf("the reply task offers no extension:\n%s", tp.Body)
	}
	if tp := approver.get(taskPage); strings.Contains(tp.Body, `action="`+taskPage+`/claim"`) {
		approver.form(taskPage, taskPage+"/claim", url.Values{})
	}
	p = approver.form(taskPage, taskPage+"/complete", url.Values{"decision": {"request_extension"}, "workdays": {"11"}, "reason": {"需调取2025年度全部年报并脱敏"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="d-request_extension-workdays-error">延期最多 10 个工作日。`) ||
		!strings.Contains(p.Body, "需调取2025年度全部年报并脱敏") {
		t.Fatalf("an 11-day extension: %d, want 422 with the error at workdays and the reason kept\n%s", p.Status, p.Body)
	}
	p = approver.form(taskPage, taskPage+"/complete", url.Values{"decision": {"request_extension"}, "workdays": {"5"}, "reason": {"需调取2025年度全部年报并脱敏"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("a 5-day extension: %d\n%s", p.Status, p.Body)
	}

	// 3. The department head approves it from its inbox.
	ext := s.taskOf(t, "demo-dept-head", id, func(v api.TaskView) bool { return v.Kind == "extension" && v.Status == "open" })
	head := s.browser()
	head.signIn("demo-dept-head")
	if inbox := head.get("/console/"); !strings.Contains(inbox.Body, id) || !strings.Contains(inbox.Body, "延期审批") {
		t.Fatalf("the head's inbox lacks the extension:\n%s", inbox.Body)
	}
	extPage := "/console/tasks/" + url.PathEscape(ext.ID)
	if p := head.form(extPage, extPage+"/complete", url.Values{"decision": {"approve_extension"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("approve the extension: %d\n%s", p.Status, p.Body)
	}

	// 4. The citizen sees the new deadline, the original one and the reason.
	var detail struct {
		DueAt         *string `json:"due_at"`
		OriginalDueAt *string `json:"original_due_at"`
	}
	s.eventually("the extended deadline", func() bool {
		s.apiCall("GET", "/api/v1/open-data-requests/"+id, s.token("demo-citizen"), nil, &detail)
		return detail.DueAt != nil && detail.OriginalDueAt != nil && *detail.DueAt != *detail.OriginalDueAt
	})
	pg := citizen.get(reqPage)
	for _, want := range []string{(*detail.DueAt)[:10], (*detail.OriginalDueAt)[:10], "需调取2025年度全部年报并脱敏"} {
		if !strings.Contains(pg.Body, want) {
			t.Errorf("the citizen's page lacks %q:\n%s", want, pg.Body)
		}
	}

	// 5. No second extension; a refusal needs its basis; the approval with conditions.
	var tp page
	s.eventually("the reply task without the extension", func() bool {
		tp = approver.get(taskPage)
		return tp.Status == 200 && !strings.Contains(tp.Body, `value="request_extension"`)
	})
	p = approver.form(taskPage, taskPage+"/complete", url.Values{"decision": {"refuse"}, "reason": {"涉及商业秘密"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="d-refuse-legal_basis-error"`) || !strings.Contains(p.Body, "涉及商业秘密") {
		t.Fatalf("a refusal without its basis: %d\n%s", p.Status, p.Body)
	}
	p = approver.form(taskPage, taskPage+"/complete", url.Values{"decision": {"approve"}, "conditions": {"仅限学术研究，不得转让；注明数据来源"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", p.Status, p.Body)
	}
	s.eventually("the citizen's page shows the approval", func() bool {
		pg := citizen.get(reqPage)
		return strings.Contains(pg.Body, "已同意") && strings.Contains(pg.Body, "仅限学术研究，不得转让；注明数据来源")
	})
	s.eventually("the citizen is notified", func() bool {
		return strings.Contains(citizen.get("/console/notifications").Body, id)
	})

	// 6. Open data is opened at once; data not open is refused at the form.
	open := strconv.FormatInt(s.resourceID("NEIXIANG-SCJG-0001"), 10)
	p = citizen.form("/console/open-data/new?resource_id="+open, "/console/open-data", url.Values{"resource_id": {open}, "purpose": {"查询企业登记信息"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("unconditionally open: %d\n%s", p.Status, p.Body)
	}
	// The request's row follows the workflow's decision by a projection of its own.
	openedPage := p.Location
	s.eventually("the opened request's page", func() bool {
		pg := citizen.get(openedPage)
		return strings.Contains(pg.Body, "已开放") && strings.Contains(pg.Body, "第四十六条第三款")
	})
	closed := strconv.FormatInt(s.resourceID("NEIXIANG-SCJG-0002"), 10)
	p = citizen.form("/console/open-data/new?resource_id="+closed, "/console/open-data", url.Values{"resource_id": {closed}, "purpose": {"查询"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "不予开放") {
		t.Errorf("not-open data: %d, want 422 naming 不予开放\n%s", p.Status, p.Body)
	}

	// The authority finds the decisions in the audit log.
	authority := s.browser()
	authority.signIn("demo-authority")
	s.eventually("the audit log lists the request", func() bool {
		return strings.Contains(authority.get("/console/audit").Body, id)
	})
}

// TestShareRefusalAndNegotiationThroughTheConsole is the refusal path of docs/api.md in the console
// only (宁夏): the applicant asks; the provider's approver refuses with a reason from the
// profile's catalogue; the applicant asks for negotiation on the request's page; the
// negotiation task is in both departments' inboxes; the approver proposes terms, the applicant
// accepts them, and the request is granted on those terms.
func TestShareRefusalAndNegotiationThroughTheConsole(t *testing.T) {
	s := newStack(t, "ningxia", true)
	applicant := s.browser()
	applicant.signIn("demo-applicant")
	rid := strconv.FormatInt(s.resourceID("NX-SCJG-0002"), 10)
	p := applicant.form("/console/share-requests/new?resource_id="+rid, "/console/share-requests", url.Values{
		"resource_id": {rid}, "purpose": {"社会保险待遇资格认证"}, "scope": {"法定代表人姓名、身份证件号码"},
		"duty_basis": {"《社会保险法》第八十一条"}, "requested_validity_days": {"365"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/console/requests/share/") {
		t.Fatalf("share request: %d %q\n%s", p.Status, p.Location, p.Body)
	}
	u, _ := url.Parse(p.Location)
	reqPage := u.Path
	id := strings.TrimPrefix(reqPage, "/console/requests/share/")

	// The provider's approver refuses, the reason code chosen from the catalogue.
	reply := s.taskOf(t, "demo-approver", id, func(v api.TaskView) bool { return v.Step == "reply" })
	replyPage := "/console/tasks/" + url.PathEscape(reply.ID)
	approver := s.browser()
	approver.signIn("demo-approver")
	if tp := approver.get(replyPage); !strings.Contains(tp.Body, `<option value="outside_duty"`) {
		t.Fatalf("the refusal's reason codes are not a choice:\n%s", tp.Body)
	}
	approver.form(replyPage, replyPage+"/claim", url.Values{})
	p = approver.form(replyPage, replyPage+"/complete", url.Values{"decision": {"refuse"}, "reason_code": {"outside_duty"},
		"reason": {"不属于申请部门履职需要"}, "legal_basis": {"《宁夏回族自治区政务数据资源共享管理办法》第十一条"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("refuse: %d\n%s", p.Status, p.Body)
	}

	// The applicant asks for negotiation on the request's page.
	var pg page
	s.eventually("the refusal on the applicant's page, with the negotiation form", func() bool {
		pg = applicant.get(reqPage)
		return strings.Contains(pg.Body, "已拒绝") && strings.Contains(pg.Body, `action="`+reqPage+`/negotiation"`)
	})
	p = applicant.form(reqPage, reqPage+"/negotiation", url.Values{"reason": {"该数据为社保资格认证法定所需"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("ask for negotiation: %d\n%s", p.Status, p.Body)
	}

	// One task in both departments' inboxes; the approver proposes, the applicant accepts.
	neg := s.taskOf(t, "demo-approver", id, func(v api.TaskView) bool { return v.Step == "negotiate" && v.Status == "open" })
	s.taskOf(t, "demo-applicant", id, func(v api.TaskView) bool { return v.ID == neg.ID })
	negPage := "/console/tasks/" + url.PathEscape(neg.ID)
	if inbox := applicant.get("/console/"); !strings.Contains(inbox.Body, id) {
		t.Fatalf("the applicant's inbox lacks the negotiation:\n%s", inbox.Body)
	}
	p = approver.form(negPage, negPage+"/complete", url.Values{"decision": {"agree"}, "scope": {"法定代表人姓名"},
		"usage_purpose": {"社会保险待遇资格认证"}, "validity_days": {"90"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("propose: %d\n%s", p.Status, p.Body)
	}
	s.eventually("the proposal on the applicant's task page", func() bool {
		pg = applicant.get(negPage)
		return strings.Contains(pg.Body, `action="`+negPage+`/accept"`)
	})
	if !strings.Contains(pg.Body, "法定代表人姓名") {
		t.Errorf("the proposal's terms are not shown:\n%s", pg.Body)
	}
	if p := applicant.form(negPage, negPage+"/accept", url.Values{"decision": {"agree"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("accept: %d\n%s", p.Status, p.Body)
	}
	s.eventually("the request granted", func() bool {
		pg = applicant.get(reqPage)
		return strings.Contains(pg.Body, "已授权")
	})
	// On the agreed terms: the agreed scope, not the one asked for.
	var detail api.ShareRequestDetail
	s.apiCall("GET", "/api/v1/share-requests/"+id, s.token("demo-applicant"), nil, &detail)
	if detail.Grant == nil || detail.Grant.Scope != "法定代表人姓名" {
		t.Errorf("grant = %+v, want the agreed scope", detail.Grant)
	}
	if grants := applicant.get("/console/grants"); !strings.Contains(grants.Body, id) {
		t.Errorf("the grant is not listed:\n%s", grants.Body)
	}
}
