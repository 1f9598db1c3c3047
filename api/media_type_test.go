package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/datashare/datashare/models/modelstest"
)

// Every /api/v1 route refuses a body that is not sent as JSON with 415, whatever the route
// does with bodies, and before anything is read or stored; a JSON body (with or without a
// charset) passes on to the route, and a request without a body needs no Content-Type.
func TestBodiesMustBeJSON(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	routes := []struct {
		method, path, token, body string
	}{
		{"POST", "/api/v1/catalog/resources", ta.providerApprover(), mustJSON(t, conditionalInput("NX-MT-0001"))},
		{"PATCH", "/api/v1/catalog/resources/1", ta.providerApprover(), `{"name":"改名"}`},
		{"POST", "/api/v1/share-requests", ta.applicant(), `{"resource_id":2,"purpose":"p","scope":"s","requested_validity_days":30}`},
		{"PUT", "/api/v1/departments/nx-mt", ta.admin(), `{"name":"部门","kind":"department","jurisdiction":"ningxia"}`},
		{"POST", "/api/v1/tasks/nothing~reply~1/complete", ta.providerApprover(), `{"decision":"approve"}`},
		// A route that takes no body refuses one in another type too.
		{"POST", "/api/v1/tasks/nothing~reply~1/claim", ta.providerApprover(), `claim`},
	}
	refused := []string{"", "text/plain", "text/plain; charset=utf-8", "application/xml", "multipart/form-data; boundary=x",
		"application/x-www-form-urlencoded", "application/json; charset=gbk", "application/jsonx", "application/json;;", "json"}
	accepted := []string{"application/json", "application/json; charset=utf-8", "Application/JSON; Charset=UTF-8"}
	send := func(method, path, token, contentType string, body io.Reader) response {
		t.Helper()
		req := httptest.NewRequest(method, path, body)
		req.Header.Set("Authorization", "Bearer "+token)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		ta.handler.ServeHTTP(rec, req)
		return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	}
	for _, rt := range routes {
		for _, ct := range refused {
			r := send(rt.method, rt.path, rt.token, ct, strings.NewReader(rt.body))
			if r.status != http.StatusUnsupportedMediaType {
				t.Errorf("%s %s as %q: status %d, want 415: %s", rt.method, rt.path, ct, r.status, r.body)
				continue
			}
			if e := r.errorBody(t); e.Code != CodeUnsupportedMediaType || !strings.Contains(e.Message, "application/json") || e.RequestID == "" {
				t.Errorf("%s %s as %q: error %+v", rt.method, rt.path, ct, e)
			}
		}
		// A body of unknown length (chunked) is a body too.
		if r := send(rt.method, rt.path, rt.token, "text/plain", io.MultiReader(strings.NewReader(rt.body))); r.status != http.StatusUnsupportedMediaType {
			t.Errorf("%s %s chunked as text/plain: status %d, want 415", rt.method, rt.path, r.status)
		}
	}
	// Nothing refused was stored.
	ta.expect(ta.do("GET", "/api/v1/departments/nx-mt", ta.admin(), nil), 404)
	var list CatalogResourceList
	ta.expect(ta.do("GET", "/api/v1/catalog/resources?q=NX-MT-0001", ta.providerApprover(), nil), 200).json(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("a refused body created %+v", list.Items)
	}

	for _, rt := range routes {
		for _, ct := range accepted {
			if r := send(rt.method, rt.path, rt.token, ct, strings.NewReader(rt.body)); r.status == http.StatusUnsupportedMediaType || r.status >= 500 {
				t.Errorf("%s %s as %q: status %d: %s", rt.method, rt.path, ct, r.status, r.body)
			}
		}
	}
	ta.expect(ta.do("GET", "/api/v1/departments/nx-mt", ta.admin(), nil), 200)
	ta.expect(ta.do("GET", "/api/v1/catalog/resources?q=NX-MT-0001", ta.providerApprover(), nil), 200).json(t, &list)
	if len(list.Items) != 1 {
		t.Errorf("NX-MT-0001 listed %d times after JSON creates, want once", len(list.Items))
	}

	// Bodiless actions need no Content-Type: a claim, a submit, a notification read.
	for _, path := range []string{"/api/v1/tasks/nothing~reply~1/claim", "/api/v1/catalog/resources/1/submit", "/api/v1/notifications/1/read"} {
		if r := send("POST", path, ta.providerApprover(), "", nil); r.status == http.StatusUnsupportedMediaType || r.status >= 500 {
			t.Errorf("bodiless POST %s: status %d: %s", path, r.status, r.body)
		}
		if r := send("POST", path, ta.providerApprover(), "", http.NoBody); r.status == http.StatusUnsupportedMediaType {
			t.Errorf("POST %s with an empty body: status 415", path)
		}
	}
	// Routes outside /api/v1 are not concerned.
	if r := send("GET", "/healthz", "", "text/plain", strings.NewReader("x")); r.status != http.StatusOK {
		t.Errorf("healthz with a text body: %d", r.status)
	}
}

// The OpenAPI document states the 415 of every operation that takes a body.
func TestOpenAPIDocumentsUnsupportedMediaType(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody *json.RawMessage           `json:"requestBody"`
			Responses   map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
	}
	ta.expect(ta.do("GET", OpenAPIPath, "", nil), 200).json(t, &doc)
	bodies := 0
	for path, ops := range doc.Paths {
		for method, op := range ops {
			_, has415 := op.Responses["415"]
			if (op.RequestBody != nil) != has415 {
				t.Errorf("%s %s: request body %v, 415 documented %v", method, path, op.RequestBody != nil, has415)
			}
			if op.RequestBody != nil {
				bodies++
			}
		}
	}
	if bodies < 20 {
		t.Errorf("only %d operations take a body", bodies)
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
