package console

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datashare/datashare/api"
)

// newCaseForm opens a procedure's form and posts it with the page's CSRF token and
// Idempotency-Key, as a browser submits it; it returns the answer and the key.
func newCaseForm(t *testing.T, b *browser, formPage, action string, form url.Values) (page, string) {
	t.Helper()
	p := b.get(formPage)
	if p.Status != 200 {
		t.Fatalf("GET %s: %d\n%s", formPage, p.Status, p.Body)
	}
	key := between(p.Body, `name="idem" value="`, `"`)
	if key == "" {
		t.Fatalf("%s has no Idempotency-Key:\n%s", formPage, p.Body)
	}
	form.Set("csrf", csrf(t, p))
	form.Set("idem", key)
	return b.post(action, form), key
}

// createdID is the case id of a create's redirect to its page.
func createdID(t *testing.T, p page, procedure string) string {
	t.Helper()
	prefix := "/console/requests/" + procedure + "/"
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, prefix) {
		t.Fatalf("create %s: %d %q\n%s", procedure, p.Status, p.Location, p.Body)
	}
	u, _ := url.Parse(p.Location)
	return strings.TrimPrefix(u.Path, prefix)
}

// TestCasesThroughTheConsole starts the procedures beyond share requests through the
// console's forms, against the real API, an embedded Temporal server and the worker
// (ningxia): the applicant reports problem data from the catalog's link — a report without
// its description comes back as typed with the error at the field, the same form sent twice
// is one report — and, once the provider answered, disputes without a reason (refused at the
// field) and accepts the result on the case page; the authority issues a rectification notice
// choosing the violation from the API's list; the approver reports a catalog update; each
// list shows its case; the authority's audit log lists the notice's events and exports them.
func TestCasesThroughTheConsole(t *testing.T) {
	s := newStack(t, "ningxia", true)
	rid := strconv.FormatInt(s.resourceID("NX-SCJG-0001"), 10)
	applicant := s.browser()
	applicant.signIn("demo-applicant")

	var correction string
	t.Run("a correction reported from the catalog", func(t *testing.T) {
		cat := applicant.get("/console/catalog?q=NX-SCJG-0001")
		link := "/console/corrections/new?resource_id=" + rid
		if !strings.Contains(cat.Body, `href="`+html.EscapeString(link)+`"`) || !strings.Contains(cat.Body, "报告数据问题") {
			t.Fatalf("the catalog lacks the report link %s:\n%s", link, cat.Body)
		}
		form := applicant.get(link)
		for _, want := range []string{"NX-SCJG-0001", "所报告的数据资源", `<label for="n-fields">`, `<label for="n-description">`,
			`<label for="n-evidence">`, `type="hidden" name="resource_id" value="` + rid + `"`} {
			if !strings.Contains(form.Body, want) {
				t.Errorf("correction form lacks %s", want)
			}
		}
		// Without its description the API refuses the report: the form comes back as typed,
		// the error at the field.
		p, key := newCaseForm(t, applicant, link, "/console/corrections", url.Values{"resource_id": {rid},
			"fields": {"注册资本、成立日期"}, "description": {" "}, "evidence": {"营业执照副本"}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("report without description: %d\n%s", p.Status, p.Body)
		}
		for _, want := range []string{
			`value="注册资本、成立日期"`, ">营业执照副本</textarea>",
			`id="n-description" name="description" rows="3" required aria-invalid="true" aria-describedby="n-description-error"`,
			`<p class="field-error" id="n-description-error">请填写此项。`,
			`name="idem" value="` + key + `"`,
		} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("refused report lacks %s:\n%s", want, p.Body)
			}
		}
		full := url.Values{"csrf": {csrf(t, p)}, "idem": {key}, "resource_id": {rid}, "fields": {"注册资本、成立日期"},
			"description": {"注册资本与营业执照记载不一致"}, "evidence": {"营业执照副本"}}
		correction = createdID(t, applicant.post("/console/corrections", full), "correction")
		// Sent again (a double click), the same key is the same report.
		if again := createdID(t, applicant.post("/console/corrections", full), "correction"); again != correction {
			t.Fatalf("the same form sent twice made %s and %s", correction, again)
		}
		page := applicant.get("/console/requests/correction/" + correction + "?done=correction_reported")
		if !strings.Contains(page.Body, "问题数据已报告。") || !strings.Contains(page.Body, "注册资本与营业执照记载不一致") ||
			!strings.Contains(page.Body, "报告部门") {
			t.Errorf("the correction's page:\n%s", page.Body)
		}
		list := applicant.get("/console/corrections")
		if !strings.Contains(list.Body, `href="/console/requests/correction/`+correction+`"`) || !strings.Contains(list.Body, `href="/console/corrections"`) {
			t.Errorf("the applicant's corrections lack %s or the navigation entry:\n%s", correction, list.Body)
		}
		var listed api.CorrectionList
		s.apiCall("GET", "/api/v1/corrections", s.token("demo-applicant"), nil, &listed)
		if len(listed.Items) != 1 {
			t.Fatalf("corrections: %+v", listed.Items)
		}
	})

	t.Run("the reporter disputes without reason, then accepts the result", func(t *testing.T) {
		if correction == "" {
			t.Skip("no correction")
		}
		var verify api.TaskView
		s.eventually("the verify task", func() bool {
			var inbox api.TaskList
			s.apiCall("GET", "/api/v1/tasks?procedure=correction", s.token("demo-approver"), nil, &inbox)
			for _, it := range inbox.Items {
				if it.RequestID == correction && it.Step == "verify" {
					verify = it
					return true
				}
			}
			return false
		})
		if code := s.apiCall("POST", "/api/v1/tasks/"+url.PathEscape(verify.ID)+"/complete", s.token("demo-approver"),
			map[string]any{"decision": "rejected", "reason": "与登记机关原始档案一致"}, nil); code != 200 {
			t.Fatalf("verify: %d", code)
		}
		casePage := "/console/requests/correction/" + correction
		var body string
		s.eventually("the answer forms on the case page", func() bool {
			body = applicant.get(casePage).Body
			return strings.Contains(body, `action="`+casePage+`/accept"`)
		})
		for _, want := range []string{`action="` + casePage + `/dispute"`, "接受结果", "提出异议", `<label for="a-dispute-reason">`,
			"与登记机关原始档案一致", "数据无误"} {
			if !strings.Contains(body, want) {
				t.Errorf("case page lacks %s", want)
			}
		}
		// Another department's user gets no answer forms.
		approver := s.browser()
		approver.signIn("demo-approver")
		if p := approver.get(casePage); strings.Contains(p.Body, casePage+"/accept") {
			t.Error("the provider's approver is offered the reporter's answer")
		}
		p := applicant.form(casePage, casePage+"/dispute", url.Values{"reason": {""}})
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `<p class="field-error" id="a-dispute-reason-error">`) {
			t.Fatalf("dispute without reason: %d\n%s", p.Status, p.Body)
		}
		p = applicant.form(casePage, casePage+"/accept", url.Values{"comment": {"已核对"}})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, casePage+"?done=result_accepted") {
			t.Fatalf("accept: %d %q\n%s", p.Status, p.Location, p.Body)
		}
		s.eventually("the correction accepted", func() bool {
			var c api.CorrectionDetail
			s.apiCall("GET", "/api/v1/corrections/"+correction, s.token("demo-applicant"), nil, &c)
			return c.Status == "accepted"
		})
		if after := applicant.get(casePage); !strings.Contains(after.Body, "已接受") || strings.Contains(after.Body, casePage+"/accept") {
			t.Errorf("after the acceptance:\n%s", after.Body)
		}
	})

	authority := s.browser()
	authority.signIn("demo-authority")
	var notice string
	t.Run("a rectification notice issued with the violation chosen from the list", func(t *testing.T) {
		var violations api.ViolationList
		s.apiCall("GET", "/api/v1/violations", s.token("demo-authority"), nil, &violations)
		if len(violations.Items) == 0 {
			t.Fatal("no violations")
		}
		v := violations.Items[0]
		list := authority.get("/console/rectifications")
		if !strings.Contains(list.Body, `href="/console/rectifications/new"`) {
			t.Fatalf("the authority's list lacks the new-notice button:\n%s", list.Body)
		}
		// ningxia has neither interface delivery nor open-catalog corrections (内乡 only).
		if strings.Contains(list.Body, `href="/console/interface-requirements"`) || strings.Contains(list.Body, `href="/console/open-catalog-corrections"`) {
			t.Errorf("ningxia's navigation offers 内乡's procedures:\n%s", list.Body)
		}
		form := authority.get("/console/rectifications/new")
		for _, want := range []string{`<label for="n-violation">`, `<option value="` + v.Code + `">` + html.EscapeString(v.Title),
			`<label for="n-department_id">`, `<option value="nx-scjg">`, `<label for="n-workdays">`} {
			if !strings.Contains(form.Body, want) {
				t.Errorf("notice form lacks %s:\n%s", want, form.Body)
			}
		}
		// No violation chosen: the API names the field; the rest stays as typed.
		p, _ := newCaseForm(t, authority, "/console/rectifications/new", "/console/rectifications", url.Values{
			"department_id": {"nx-scjg"}, "violation": {""}, "description": {"2026年第三季度目录未按要求更新"}, "workdays": {"5"}})
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `<p class="field-error" id="n-violation-error">`) ||
			!strings.Contains(p.Body, `<option value="nx-scjg" selected>`) || !strings.Contains(p.Body, ">2026年第三季度目录未按要求更新</textarea>") ||
			!strings.Contains(p.Body, `value="5"`) {
			t.Fatalf("notice without violation: %d\n%s", p.Status, p.Body)
		}
		p, _ = newCaseForm(t, authority, "/console/rectifications/new", "/console/rectifications", url.Values{
			"department_id": {"nx-scjg"}, "violation": {v.Code}, "description": {"2026年第三季度目录未按要求更新"}, "workdays": {"5"}})
		notice = createdID(t, p, "rectification")
		if after := authority.get(p.Location); !strings.Contains(after.Body, "整改通知已下达。") || !strings.Contains(after.Body, html.EscapeString(v.Title)) {
			t.Errorf("the notice's page:\n%s", after.Body)
		}
		// The department ordered sees it in its list.
		head := s.browser()
		head.signIn("demo-dept-head")
		if l := head.get("/console/rectifications"); !strings.Contains(l.Body, notice) || strings.Contains(l.Body, `href="/console/rectifications/new"`) {
			t.Errorf("the head's list (%s, without the new-notice button):\n%s", notice, l.Body)
		}
	})

	t.Run("a catalog update reported by the approver", func(t *testing.T) {
		approver := s.browser()
		approver.signIn("demo-approver")
		form := approver.get("/console/catalog-updates/new")
		if strings.Contains(form.Body, `id="n-department_id"`) || !strings.Contains(form.Body, `type="date"`) ||
			!strings.Contains(form.Body, `<option value="law_revised">法律法规修订</option>`) {
			t.Fatalf("the approver's catalog update form:\n%s", form.Body)
		}
		changed := time.Now().In(chinaTime).AddDate(0, 0, -2).Format(time.DateOnly)
		p, _ := newCaseForm(t, approver, "/console/catalog-updates/new", "/console/catalog-updates", url.Values{
			"trigger": {"law_revised"}, "basis": {"《宁夏回族自治区市场主体登记管理条例》修订"}, "changed_on": {changed}, "resource_ids": {rid}})
		update := createdID(t, p, "catalog_update")
		if l := approver.get("/console/catalog-updates"); !strings.Contains(l.Body, update) || !strings.Contains(l.Body, "法律法规修订") {
			t.Errorf("the approver's catalog updates lack %s:\n%s", update, l.Body)
		}
		// The authority sees every department's.
		if l := authority.get("/console/catalog-updates?status=updating"); !strings.Contains(l.Body, update) {
			t.Errorf("the authority's catalog updates lack %s:\n%s", update, l.Body)
		}
	})

	t.Run("the audit log lists the notice and exports it", func(t *testing.T) {
		if notice == "" {
			t.Skip("no notice")
		}
		var body string
		s.eventually("the notice in the audit log", func() bool {
			p := authority.get("/console/audit?department=nx-authority")
			body = p.Body
			return p.Status == 200 && strings.Contains(body, notice)
		})
		if !strings.Contains(body, `href="/console/requests/rectification/`+notice+`"`) || !strings.Contains(body, `<option value="nx-authority" selected>`) {
			t.Errorf("audit page:\n%s", body)
		}
		csvLink := "/console/audit/export?department=nx-authority"
		if !strings.Contains(body, `href="`+html.EscapeString(csvLink)+`"`) {
			t.Errorf("audit page lacks the export %s", csvLink)
		}
		x := authority.get(csvLink)
		if x.Status != 200 || !strings.HasPrefix(x.Body, "\ufeff") || !strings.Contains(x.Body, notice) ||
			!strings.Contains(x.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("export: %d %v\n%s", x.Status, x.Header, x.Body)
		}
		// A malformed date is the API's error at its field.
		if p := authority.get("/console/audit?from=2026-13-40"); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `id="f-from-error"`) {
			t.Errorf("malformed from: %d\n%s", p.Status, p.Body)
		}
		// Only the authority and admins read the log.
		if p := applicant.get("/console/audit"); p.Status != http.StatusForbidden {
			t.Errorf("an applicant's audit log: %d", p.Status)
		}
		if strings.Contains(applicant.get("/console/").Body, `href="/console/audit"`) {
			t.Error("an applicant's navigation offers the audit log")
		}
	})

	t.Run("the authority opens a year's annual reports from the board", func(t *testing.T) {
		if b := authority.get("/console/board"); !strings.Contains(b.Body, `href="/console/annual-reports/new"`) {
			t.Fatalf("the board lacks the annual-report link:\n%s", b.Body)
		}
		year := strconv.Itoa(time.Now().In(chinaTime).Year() - 1)
		p, _ := newCaseForm(t, authority, "/console/annual-reports/new", "/console/annual-reports", url.Values{"year": {year}})
		if p.Status != http.StatusSeeOther || p.Location != "/console/?done=annual_round_opened" {
			t.Fatalf("open the round: %d %q\n%s", p.Status, p.Location, p.Body)
		}
		// Opened once: the API's conflict is shown above the form, the year kept.
		p, _ = newCaseForm(t, authority, "/console/annual-reports/new", "/console/annual-reports", url.Values{"year": {year}})
		if p.Status != http.StatusConflict || !strings.Contains(p.Body, `class="alert"`) || !strings.Contains(p.Body, `value="`+year+`"`) {
			t.Fatalf("the round again: %d\n%s", p.Status, p.Body)
		}
	})
}

// TestNeixiangCaseForms: under neixiang a citizen applies to correct the open catalog from
// its entry's link, and the authority requires an interface; a form the API refuses comes back
// as typed with the error at the field. The lists are in the navigation of those who may read
// them: the citizen's own corrections, the authority's interface requirements, not an
// applicant's. (The forms' refusals come before any workflow starts: no Temporal needed.)
func TestNeixiangCaseForms(t *testing.T) {
	s := newStack(t, "neixiang", false)
	rid := strconv.FormatInt(s.resourceID("NEIXIANG-SCJG-0001"), 10)

	citizen := s.browser()
	citizen.signIn("demo-citizen")
	cat := citizen.get("/console/catalog?q=NEIXIANG-SCJG-0001")
	link := "/console/open-catalog-corrections/new?resource_id=" + rid
	if !strings.Contains(cat.Body, `href="`+html.EscapeString(link)+`"`) || !strings.Contains(cat.Body, `href="/console/open-catalog-corrections"`) ||
		!strings.Contains(cat.Body, "我的目录更正") {
		t.Fatalf("the citizen's open catalog lacks the correction link or the list:\n%s", cat.Body)
	}
	p, _ := newCaseForm(t, citizen, link, "/console/open-catalog-corrections", url.Values{"resource_id": {rid},
		"field": {"update_frequency"}, "proposed_value": {""}, "reason": {"开放平台数据实际每日更新"}})
	for _, want := range []string{`<option value="update_frequency" selected>更新频率</option>`, ">开放平台数据实际每日更新</textarea>",
		`<p class="field-error" id="n-proposed_value-error">请填写此项。`, "所更正的目录条目"} {
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, want) {
			t.Errorf("correction without proposed value (%d) lacks %s:\n%s", p.Status, want, p.Body)
		}
	}
	if l := citizen.get("/console/open-catalog-corrections"); l.Status != 200 || !strings.Contains(l.Body, "<h1>我的目录更正</h1>") {
		t.Errorf("the citizen's list: %d\n%s", l.Status, l.Body)
	}

	authority := s.browser()
	authority.signIn("demo-authority")
	list := authority.get("/console/interface-requirements")
	if list.Status != 200 || !strings.Contains(list.Body, `href="/console/interface-requirements/new"`) {
		t.Fatalf("the authority's interface requirements: %d\n%s", list.Status, list.Body)
	}
	p, _ = newCaseForm(t, authority, "/console/interface-requirements/new", "/console/interface-requirements", url.Values{
		"department_id": {"neixiang-scjg"}, "description": {"市场主体登记信息查询接口"}, "agreed_due": {""}})
	for _, want := range []string{`<option value="neixiang-scjg" selected>`, ">市场主体登记信息查询接口</textarea>",
		`type="date" value="" required aria-invalid="true" aria-describedby="n-agreed_due-hint n-agreed_due-error"`} {
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, want) {
			t.Errorf("requirement without date (%d) lacks %s:\n%s", p.Status, want, p.Body)
		}
	}

	applicant := s.browser()
	applicant.signIn("demo-applicant")
	home := applicant.get("/console/")
	if strings.Contains(home.Body, `href="/console/interface-requirements"`) || strings.Contains(home.Body, `href="/console/open-catalog-corrections"`) {
		t.Errorf("an applicant's navigation offers interface requirements or open-catalog corrections:\n%s", home.Body)
	}
	if !strings.Contains(home.Body, `href="/console/corrections"`) || strings.Contains(home.Body, `href="/console/catalog-updates" aria-current`) {
		t.Errorf("an applicant's navigation:\n%s", home.Body)
	}
}
