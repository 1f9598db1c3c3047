package api

import (
	"net/http/httptest"
	"reflect"
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

// No body of any route stores or forwards text with a control character other than tab and
// line breaks: the field is named, at any depth, and nothing is written.
func TestControlCharactersRefusedInEveryBody(t *testing.T) {
	type inner struct {
		Note string `json:"note"`
	}
	type body struct {
		Name  string            `json:"name"`
		Items []inner           `json:"items"`
		Extra map[string]string `json:"extra"`
		inner
	}
	for want, v := range map[string]body{
		"":              {Name: "第一行\n第二行\t制表", Items: []inner{{Note: "ok"}}},
		"name":          {Name: "a\x00b"},
		"items[1].note": {Items: []inner{{Note: "ok"}, {Note: "\x1b[31mred"}}},
		"extra.k":       {Extra: map[string]string{"k": "\x07"}},
		"note":          {inner: inner{Note: "\x7f"}},
	} {
		if got, _ := controlCharacters(reflect.ValueOf(&v), ""); got != want {
			t.Errorf("%+v: field %q, want %q", v, got, want)
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
