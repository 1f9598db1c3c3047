package api

import (
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/datashare/datashare/models/modelstest"
)

// A bound says what it bounds: characters of text, items of a list, the value of a number.
func TestRuleMessagesNameWhatIsBounded(t *testing.T) {
	type input struct {
		Text    string   `json:"text" binding:"max=3"`
		List    []string `json:"list" binding:"max=1"`
		Records int      `json:"records" binding:"max=1000000000"`
	}
	err := validationError(validate.Struct(input{Text: "abcd", List: []string{"a", "b"}, Records: 2000000000}))
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error = %v", err)
	}
	for field, want := range map[string]string{
		"text":    "must be at most 3 characters",
		"list":    "must have at most 1 items",
		"records": "must be at most 1000000000",
	} {
		if got := e.Fields[field]; got != want {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
}

// No body of any route stores or forwards text with a control character: the field is named,
// at any depth, and nothing is written. Tab and line breaks are allowed only in the fields of
// several lines (text:"multiline"), in lists of them too.
func TestControlCharactersRefusedInEveryBody(t *testing.T) {
	type inner struct {
		Note string `json:"note"`
		Long string `json:"long" text:"multiline"`
	}
	type body struct {
		Name  string            `json:"name"`
		Text  string            `json:"text" text:"multiline"`
		Lines []string          `json:"lines" text:"multiline"`
		Items []inner           `json:"items"`
		Extra map[string]string `json:"extra"`
		Ptr   *string           `json:"ptr" text:"multiline"`
		inner
	}
	tab, nel := "a\tb", "a\u0085b"
	for want, v := range map[string]body{
		"":              {Name: "一行", Text: "第一行\r\n第二行\t制表", Lines: []string{"a\nb"}, Items: []inner{{Note: "ok", Long: "x\ny"}}, Ptr: &tab, inner: inner{Long: "\t"}},
		"name":          {Name: "a\x00b"},
		"text":          {Text: "a\x1b[2Jb"},
		"items[1].note": {Items: []inner{{Note: "ok"}, {Note: "\x1b[31mred"}}},
		"items[0].long": {Items: []inner{{Long: "\x00"}}},
		"extra.k":       {Extra: map[string]string{"k": "\x07"}},
		"note":          {inner: inner{Note: "\x7f"}},
		"ptr":           {Ptr: &nel},
		"lines[1]":      {Lines: []string{"ok", "\x00"}},
	} {
		if got, _ := controlCharacters(reflect.ValueOf(&v), ""); got != want {
			t.Errorf("%+v: field %q, want %q", v, got, want)
		}
	}
	// One-line text refuses tab, line feed, carriage return and the Unicode line separators.
	for _, s := range []string{"a\tb", "a\nb", "a\rb", "a\r\nb", "a\u2028b", "a\u2029b", "a\u0085b"} {
		v := body{Name: s}
		if got, msg := controlCharacters(reflect.ValueOf(&v), ""); got != "name" || !strings.Contains(msg, "one line") {
			t.Errorf("name %q: field %q %q", s, got, msg)
		}
	}

	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	r := ta.do("PUT", "/api/v1/departments/nx-new", ta.admin(), map[string]any{"name": "新部门\u001b[2J", "kind": "department", "jurisdiction": "ningxia"})
	if r.status/100 != 4 || r.errorBody(t).Fields["name"] == "" {
		t.Fatalf("department name with an escape: %d %s", r.status, r.body)
	}
	ta.expect(ta.do("GET", "/api/v1/departments/nx-new", ta.admin(), nil), 404)
	r = ta.do("POST", "/api/v1/share-requests", ta.applicant(), map[string]any{"resource_id": 2, "purpose": "a\u0000b",
		"scope": "s", "duty_basis": "d", "requested_validity_days": 30})
	if r.status/100 != 4 || r.errorBody(t).Fields["purpose"] == "" {
		t.Fatalf("share request purpose with NUL: %d %s", r.status, r.body)
	}
}

// With a metrics token configured, /metrics answers only to it; without one it is open.
func TestMetricsToken(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := NewProbeHandler(nil, reg, "metrics-token-0123456789")
	for auth, want := range map[string]int{"": 401, "Bearer wrong": 401, "Bearer metrics-token-0123456789": 200} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != want {
			t.Errorf("%q: %d, want %d", auth, w.Code, want)
		}
	}
	w := httptest.NewRecorder()
	NewProbeHandler(nil, reg, "").ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != 200 {
		t.Errorf("without a token: %d, want 200", w.Code)
	}
}

// Names, codes, ids, scopes and sources are one line: a tab or a line break in them is 400
// naming the field, and nothing is created; the long text of purposes, descriptions, duty
// bases and evidence keeps its lines (a console's text areas send them).
func TestOneLineFieldsRefuseTabsAndLineBreaks(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	share := demoResourceID(t, ta, "NX-SCJG-0002")
	unconditional := demoResourceID(t, ta, "NX-SCJG-0001")
	cases := []struct {
		method, path, token string
		body                map[string]any
		field               string
	}{
		{"POST", "/api/v1/share-requests", ta.applicant(), withField(shareInput(share), "scope", "姓名\n证件号码"), "scope"},
		{"POST", "/api/v1/catalog/resources", ta.providerApprover(), withField(conditionalInput("NX-SCJG-T90"), "name", "企业\t年报"), "name"},
		{"POST", "/api/v1/catalog/resources", ta.providerApprover(), withField(conditionalInput("NX-SCJG-T91"), "update_frequency", "每年\r\n"), "update_frequency"},
		{"POST", "/api/v1/corrections", ta.applicant(), withField(correctionInput(unconditional), "fields", []string{"注册资本", "成立\n日期"}), "fields[1]"},
		{"POST", "/api/v1/corrections", ta.applicant(), withField(correctionInput(unconditional), "citizen_objection", map[string]any{"source": "窗口\t0042"}), "citizen_objection.source"},
		{"PUT", "/api/v1/departments/nx-tab", ta.admin(), map[string]any{"name": "部门\n名称", "kind": "department", "jurisdiction": "ningxia"}, "name"},
		{"PUT", "/api/v1/users/u-tab", ta.admin(), map[string]any{"name": "张\t三", "department_id": "nx-rst", "roles": []string{"applicant"}}, "name"},
		{"PUT", "/api/v1/calendar/overrides/2030-03-04", ta.admin(), map[string]any{"kind": "holiday", "name": "假日", "source": "宁政办发\n〔2026〕1号"}, "source"},
	}
	for _, tc := range cases {
		e := ta.expect(ta.do(tc.method, tc.path, tc.token, tc.body), 400).errorBody(t)
		if e.Code != CodeInvalidInput || !strings.Contains(e.Fields[tc.field], "one line") {
			t.Errorf("%s %s: %+v, want 400 naming %s", tc.method, tc.path, e, tc.field)
		}
	}
	if n := ta.starter.count(); n != 0 {
		t.Errorf("%d workflows started for refused bodies", n)
	}
	var list CatalogResourceList
	ta.expect(ta.do("GET", "/api/v1/catalog/resources?q=NX-SCJG-T9", ta.providerApprover(), nil), 200).json(t, &list)
	ta.expect(ta.do("GET", "/api/v1/departments/nx-tab", ta.admin(), nil), 404)
	ta.expect(ta.do("GET", "/api/v1/users/u-tab", ta.admin(), nil), 404)
	if len(list.Items) != 0 {
		t.Errorf("created %+v", list.Items)
	}

	// Text of several lines.
	multi := withField(withField(shareInput(share), "purpose", "一、核验身份；\r\n二、发放待遇。"), "duty_basis", "《社会保险法》\n第八十一条")
	ta.expect(ta.do("POST", "/api/v1/share-requests", ta.applicant(), multi), 201)
	resource := withField(withField(conditionalInput("NX-SCJG-T92"), "description", "第一段。\n\n第二段：\t字段说明"), "share_conditions", "一、……\n二、……")
	ta.expect(ta.do("POST", "/api/v1/catalog/resources", ta.providerApprover(), resource), 201)
	report := withField(correctionInput(unconditional), "description", "注册资本与营业执照记载不一致：\n执照 500 万元，共享数据 50 万元")
	report["evidence"] = map[string]any{"attachments": []string{"att-1"}, "text": "营业执照副本\n第 2 页"}
	ta.expect(ta.do("POST", "/api/v1/corrections", ta.applicant(), report), 201)
}
