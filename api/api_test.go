package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/calsource"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func init() { gin.SetMode(gin.TestMode) }

// testAPI is the real router over a real database, with tokens signed by a test key.
type testAPI struct {
	t       testing.TB
	handler http.Handler
	signer  *auth.DevSigner
	engine  *gin.Engine
	tempErr error // what the fake Temporal probe answers
	updater *fakeUpdater
	starter *fakeStarter
	now     time.Time // the API's clock; zero: testNow
}

// clock is the API's clock in tests (Deps.Now).
func (ta *testAPI) clock() time.Time {
	if ta.now.IsZero() {
		return testNow
	}
	return ta.now
}

// testPolicies are the embedded profiles, resolved with the built-in local defaults.
func testPolicies(t testing.TB) []policy.Profile {
	t.Helper()
	embedded, err := policy.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]policy.Profile, len(embedded))
	for i, p := range embedded {
		if out[i], err = p.Resolve(policy.BuiltinLocalDefaults()); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// testNow is the API's clock in tests: late November 2026, when the 2027 schedule is missing.
var testNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func newTestAPI(t testing.TB, db *gorm.DB) *testAPI {
	t.Helper()
	return newTestAPIFor(t, db, "ningxia")
}

// newTestAPIFor is newTestAPI under another profile, with that profile's demo data.
func newTestAPIFor(t testing.TB, db *gorm.DB, profile string) *testAPI {
	t.Helper()
	return newTestAPIWith(t, db, profile, testPolicies(t))
}

// newTestAPIWith is newTestAPIFor with the given resolved profiles, a deployment's own among
// them.
func newTestAPIWith(t testing.TB, db *gorm.DB, profile string, policies []policy.Profile) *testAPI {
	t.Helper()
	return newTestAPIDeps(t, db, profile, policies, nil)
}

// newTestAPIDeps is newTestAPIWith with the router's dependencies changed by edit first (nil:
// as they are).
func newTestAPIDeps(t testing.TB, db *gorm.DB, profile string, policies []policy.Profile, edit func(*Deps)) *testAPI {
	t.Helper()
	if _, err := models.SeedDemoProfile(context.Background(), db, profile); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ta := &testAPI{t: t, signer: auth.NewDevSigner(key), updater: &fakeUpdater{}, starter: &fakeStarter{}}
	store := models.NewStore(db)
	reg := prometheus.NewRegistry()
	// TTL 0: every request sees the database's latest calendar revision.
	cal, err := calsource.New(store, 0, slog.New(slog.DiscardHandler), reg)
	if err != nil {
		t.Fatal(err)
	}
	deps := Deps{
		Logger:      slog.New(slog.DiscardHandler),
		Verifier:    ta.signer,
		Catalog:     store,
		Departments: store,
		Directory:   store,
		Idempotency: store,
		Checks: []Check{
			{Name: "database", Probe: func(ctx context.Context) error { return models.Ping(ctx, db) }},
			{Name: "temporal", Probe: func(context.Context) error { return ta.tempErr }},
		},
		Registry:      reg,
		MaxBodyBytes:  4096,
		Calendar:      cal,
		CalendarData:  store,
		Now:           ta.clock,
		Policies:      policies,
		ActivePolicy:  profile,
		Tasks:         store,
		Workflows:     ta.updater,
		ShareRequests: store,
		Starter:       ta.starter,
		// Catalog updates read the same store.
		CatalogUpdates: store,
		Audit:          store,
		AnnualReports:  store,
		Notifications:  store,
		Rectifications: store,
		Corrections:    store,
		// Open-catalog corrections and interface requirements read the same store.
		OpenCatalogCorrections: store,
		InterfaceRequirements:  store,
		OpenData:               store,
		Supervision:            store,
	}
	if edit != nil {
		edit(&deps)
	}
	engine, err := NewRouter(deps)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	ta.engine, ta.handler = engine, engine
	return ta
}

// token signs a token for a principal.
func (ta *testAPI) token(sub, dept string, roles ...auth.Role) string {
	ta.t.Helper()
	tok, err := ta.signer.Sign(auth.Principal{Subject: sub, Name: sub, DepartmentID: dept, Roles: roles}, time.Hour)
	if err != nil {
		ta.t.Fatal(err)
	}
	return tok
}

// Demo principals, as models.SeedDemo creates them.
func (ta *testAPI) providerApprover() string {
	return ta.token("demo-approver", models.DemoProvidingDeptID, auth.RoleApprover)
}
func (ta *testAPI) otherApprover() string {
	return ta.token("demo-rst-approver", models.DemoUsingDeptID, auth.RoleApprover)
}
func (ta *testAPI) authority() string {
	return ta.token("demo-authority", models.DemoAuthorityID, auth.RoleAuthority)
}
func (ta *testAPI) applicant() string {
	return ta.token("demo-applicant", models.DemoUsingDeptID, auth.RoleApplicant)
}
func (ta *testAPI) admin() string {
	return ta.token("demo-admin", models.DemoAuthorityID, auth.RoleAdmin)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r response) errorBody(t testing.TB) ErrorDetail {
	t.Helper()
	var e ErrorBody
	r.json(t, &e)
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not an error envelope: %s", r.body)
	}
	return e.Error
}

func (ta *testAPI) do(method, path, token string, body any) response {
	ta.t.Helper()
	return ta.doWithHeader(method, path, token, nil, body)
}

// doWithHeader is do with extra request headers.
func (ta *testAPI) doWithHeader(method, path, token string, header http.Header, body any) response {
	ta.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			ta.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	ta.handler.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func (ta *testAPI) expect(r response, status int) response {
	ta.t.Helper()
	if r.status != status {
		ta.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

func conditionalInput(code string) map[string]any {
	return map[string]any{
		"code": code, "name": "企业年报信息", "format": "数据库表", "share_type": "conditional",
		"share_scope": "自治区各政务部门", "share_conditions": "用于企业信用监管",
		"update_frequency": "每年", "timeliness": "次年6月30日前", "provision_method": "接口",
		"open_type": "none", "legal_basis": "《企业信息公示暂行条例》第八条",
	}
}

func TestMeAndDepartments(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	var me MeView
	ta.expect(ta.do("GET", "/api/v1/me", ta.applicant(), nil), 200).json(t, &me)
	if me.Subject != "demo-applicant" || me.DepartmentID != models.DemoUsingDeptID || me.DepartmentName == "" || len(me.Roles) != 1 || me.Roles[0] != auth.RoleApplicant {
		t.Fatalf("me = %+v", me)
	}
	var citizen MeView
	ta.expect(ta.do("GET", "/api/v1/me", ta.token("demo-citizen", "", auth.RoleCitizen), nil), 200).json(t, &citizen)
	if citizen.DepartmentID != "" || citizen.Roles[0] != auth.RoleCitizen {
		t.Fatalf("citizen me = %+v", citizen)
	}
	var deps DepartmentList
	ta.expect(ta.do("GET", "/api/v1/departments", ta.applicant(), nil), 200).json(t, &deps)
	if len(deps.Items) != 4 {
		t.Fatalf("departments = %+v, want the 4 demo departments", deps.Items)
	}
	ta.expect(ta.do("GET", "/api/v1/departments/nx-nowhere", ta.applicant(), nil), 404)
}

// TestCatalogReviewCycle is the check: a conditional resource without a legal basis is
// refused naming the field; another department's approver cannot edit; the authority's publish
// bumps the version and the history shows every version.
func TestCatalogReviewCycle(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		owner := ta.providerApprover()

		noBasis := conditionalInput("NX-SCJG-T01")
		delete(noBasis, "legal_basis")
		e := ta.expect(ta.do("POST", "/api/v1/catalog/resources", owner, noBasis), 400).errorBody(t)
		if e.Code != CodeInvalidInput || e.Fields["legal_basis"] == "" || !strings.Contains(e.Message, "legal_basis") {
			t.Fatalf("missing legal basis: %+v", e)
		}

		var created CatalogResourceView
		r := ta.expect(ta.do("POST", "/api/v1/catalog/resources", owner, conditionalInput("NX-SCJG-T01")), 201)
		r.json(t, &created)
		if created.Status != "draft" || created.Version != 1 || created.ProviderDeptID != models.DemoProvidingDeptID || !strings.HasSuffix(created.CreatedAt, "+08:00") {
			t.Fatalf("created = %+v", created)
		}
		if r.header.Get("Location") == "" {
			t.Fatal("no Location header")
		}
		path := "/api/v1/catalog/resources/" + itoa(created.ID)

		// Duplicate code.
		if e := ta.expect(ta.do("POST", "/api/v1/catalog/resources", owner, conditionalInput("NX-SCJG-T01")), 409).errorBody(t); e.Code != CodeConflict {
			t.Fatalf("duplicate code: %+v", e)
		}
		// Another department's approver: cannot create for the provider, cannot edit or submit.
		other := ta.otherApprover()
		foreign := conditionalInput("NX-SCJG-T02")
		foreign["provider_dept_id"] = models.DemoProvidingDeptID
		ta.expect(ta.do("POST", "/api/v1/catalog/resources", other, foreign), 403)
		ta.expect(ta.do("PATCH", path, other, map[string]any{"name": "篡改"}), 403)
		ta.expect(ta.do("POST", path+"/submit", other, nil), 403)
		// ...and does not even see the draft.
		ta.expect(ta.do("GET", path, other, nil), 404)
		// An applicant of the owning department is not an approver.
		ta.expect(ta.do("PATCH", path, ta.token("x", models.DemoProvidingDeptID, auth.RoleApplicant), map[string]any{"name": "x"}), 403)

		// Clearing the legal basis of a conditional draft is refused too.
		if e := ta.expect(ta.do("PATCH", path, owner, map[string]any{"legal_basis": ""}), 400).errorBody(t); e.Fields["legal_basis"] == "" {
			t.Fatalf("patch clearing legal basis: %+v", e)
		}
		var updated CatalogResourceView
		ta.expect(ta.do("PATCH", path, owner, map[string]any{"name": "企业年度报告信息", "version": 1}), 200).json(t, &updated)
		if updated.Version != 2 || updated.Name != "企业年度报告信息" {
			t.Fatalf("updated = %+v", updated)
		}
		// A stale version loses.
		if e := ta.expect(ta.do("PATCH", path, owner, map[string]any{"name": "x", "version": 1}), 409).errorBody(t); e.Code != CodeConflict {
			t.Fatalf("stale version: %+v", e)
		}
		// Publishing a draft is not allowed; only the authority publishes.
		if e := ta.expect(ta.do("POST", path+"/publish", ta.authority(), nil), 409).errorBody(t); e.Code != CodeInvalidState {
			t.Fatalf("publish draft: %+v", e)
		}
		ta.expect(ta.do("POST", path+"/publish", owner, nil), 403)

		var submitted, published CatalogResourceView
		ta.expect(ta.do("POST", path+"/submit", owner, nil), 200).json(t, &submitted)
		if submitted.Status != "submitted" || submitted.Version != 3 || submitted.SubmittedAt == nil {
			t.Fatalf("submitted = %+v", submitted)
		}
		// Drafts cannot be edited once submitted.
		ta.expect(ta.do("PATCH", path, owner, map[string]any{"name": "x"}), 409)
		// The authority may read and publish it.
		ta.expect(ta.do("GET", path, ta.authority(), nil), 200)
		ta.expect(ta.do("POST", path+"/publish", ta.authority(), map[string]any{"version": 3}), 200).json(t, &published)
		if published.Status != "published" || published.Version != 4 || published.PublishedAt == nil {
			t.Fatalf("published = %+v", published)
		}

		var hist CatalogVersionList
		ta.expect(ta.do("GET", path+"/versions", owner, nil), 200).json(t, &hist)
		if len(hist.Items) != 4 {
			t.Fatalf("history has %d versions, want 4: %+v", len(hist.Items), hist.Items)
		}
		wantActions := []string{"created", "updated", "submitted", "published"}
		for i, v := range hist.Items {
			if v.Version != i+1 || v.Action != wantActions[i] {
				t.Fatalf("version %d = %+v", i+1, v)
			}
		}
		if hist.Items[0].Content.Name != "企业年报信息" || hist.Items[3].Content.Name != "企业年度报告信息" {
			t.Fatalf("history did not keep the previous content: %+v", hist.Items)
		}
		// Now every department may read it; a citizen sees only the open catalog, and this
		// resource is not open (open_type none).
		ta.expect(ta.do("GET", path, other, nil), 200)
		ta.expect(ta.do("GET", path, ta.token("demo-citizen", "", auth.RoleCitizen), nil), 404)

		// Return needs a reason, and only from submitted.
		if e := ta.expect(ta.do("POST", path+"/return", ta.authority(), map[string]any{}), 400).errorBody(t); e.Fields["reason"] == "" {
			t.Fatalf("return without reason: %+v", e)
		}
		ta.expect(ta.do("POST", path+"/return", ta.authority(), map[string]any{"reason": "字段不全"}), 409)
		var retired CatalogResourceView
		ta.expect(ta.do("POST", path+"/retire", ta.authority(), map[string]any{"reason": "数据已停止采集"}), 200).json(t, &retired)
		if retired.Status != "retired" || retired.Version != 5 {
			t.Fatalf("retired = %+v", retired)
		}
	})
}

func TestCatalogReturnToDepartment(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	owner := ta.providerApprover()
	var c CatalogResourceView
	ta.expect(ta.do("POST", "/api/v1/catalog/resources", owner, conditionalInput("NX-SCJG-R01")), 201).json(t, &c)
	path := "/api/v1/catalog/resources/" + itoa(c.ID)
	ta.expect(ta.do("POST", path+"/submit", owner, map[string]any{}), 200)
	var returned CatalogResourceView
	ta.expect(ta.do("POST", path+"/return", ta.authority(), map[string]any{"reason": "共享条件不明确"}), 200).json(t, &returned)
	if returned.Status != "draft" || returned.ReturnReason != "共享条件不明确" {
		t.Fatalf("returned = %+v", returned)
	}
	// The department can edit and resubmit it.
	ta.expect(ta.do("PATCH", path, owner, map[string]any{"share_conditions": "仅用于企业信用监管，不得转授"}), 200)
	ta.expect(ta.do("POST", path+"/submit", owner, nil), 200)
}

// TestCatalogReviewCitesItsBasis: the authority's publish and return answer with what they rest
// on. 宁夏's measures give the authority no review of catalog entries, so before 2025-08-01 it
// was local practice; since then 政务数据共享条例 第十六条第一款 gives it. The owner's submit
// says nothing of it.
func TestCatalogReviewCitesItsBasis(t *testing.T) {
	for _, c := range []struct {
		day   string
		basis []string
		local bool
	}{
		{"2026-12-07T10:00:00+08:00", []string{"《政务数据共享条例》第十六条第一款"}, false},
		{"2025-07-31T23:00:00+08:00", nil, true},
	} {
		t.Run(c.day, func(t *testing.T) {
			at, err := time.Parse(time.RFC3339, c.day)
			if err != nil {
				t.Fatal(err)
			}
			ta := newTestAPIDeps(t, modelstest.NewSQLite(t), "ningxia", testPolicies(t), func(d *Deps) { d.Now = func() time.Time { return at } })
			owner := ta.providerApprover()
			bodies := map[string]map[string]any{"publish": {}, "return": {"reason": "共享条件不明确"}}
			for i, action := range []string{"publish", "return"} {
				var r CatalogResourceView
				ta.expect(ta.do("POST", "/api/v1/catalog/resources", owner, conditionalInput(fmt.Sprintf("NX-SCJG-V%02d", i))), 201).json(t, &r)
				path := "/api/v1/catalog/resources/" + itoa(r.ID)
				var submitted CatalogResourceView
				ta.expect(ta.do("POST", path+"/submit", owner, map[string]any{}), 200).json(t, &submitted)
				if submitted.ReviewBasis != nil || submitted.ReviewLocalDefault {
					t.Errorf("the owner's submit answers a review basis: %+v", submitted)
				}
				var reviewed CatalogResourceView
				ta.expect(ta.do("POST", path+"/"+action, ta.authority(), bodies[action]), 200).json(t, &reviewed)
				if !slices.Equal(reviewed.ReviewBasis, c.basis) || reviewed.ReviewLocalDefault != c.local {
					t.Errorf("%s on %s: review_basis %q, local default %v; want %q, %v", action, c.day,
						reviewed.ReviewBasis, reviewed.ReviewLocalDefault, c.basis, c.local)
				}
			}
		})
	}
}

func TestCatalogListFiltersAndPages(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		owner := ta.providerApprover()
		for i := 0; i < 5; i++ {
			ta.expect(ta.do("POST", "/api/v1/catalog/resources", owner, conditionalInput("NX-SCJG-L0"+itoa(int64(i)))), 201)
		}
		// The owner sees its five drafts; another department sees none of them.
		var page CatalogResourceList
		ta.expect(ta.do("GET", "/api/v1/catalog/resources?status=draft&department=nx-scjg", owner, nil), 200).json(t, &page)
		if len(page.Items) != 5 {
			t.Fatalf("owner drafts = %d, want 5", len(page.Items))
		}
		ta.expect(ta.do("GET", "/api/v1/catalog/resources?status=draft&department=nx-scjg", ta.otherApprover(), nil), 200).json(t, &page)
		if len(page.Items) != 0 {
			t.Fatalf("other department sees %d drafts", len(page.Items))
		}
		// Pages of two, in id order, without repeats.
		seen := map[int64]bool{}
		var last int64
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			var p CatalogResourceList
			ta.expect(ta.do("GET", "/api/v1/catalog/resources?status=draft&limit=2&cursor="+cursor, owner, nil), 200).json(t, &p)
			for _, it := range p.Items {
				if seen[it.ID] || it.ID <= last {
					t.Fatalf("page order broken at %d", it.ID)
				}
				seen[it.ID], last = true, it.ID
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		if len(seen) != 5 {
			t.Fatalf("paged through %d resources, want 5", len(seen))
		}
		// Filters on the published demo catalog.
		ta.expect(ta.do("GET", "/api/v1/catalog/resources?share_type=unconditional&status=published", ta.applicant(), nil), 200).json(t, &page)
		if len(page.Items) == 0 {
			t.Fatal("no unconditional published resource in the demo catalog")
		}
		for _, it := range page.Items {
			if it.ShareType != "unconditional" || it.Status != "published" {
				t.Fatalf("filter leaked %+v", it)
			}
		}
		// Bad filters name their parameter.
		for q, field := range map[string]string{"share_type=some": "share_type", "status=open": "status", "limit=0": "limit", "limit=abc": "limit", "open_type=x": "open_type", "cursor=bm90LWEtY3Vyc29y": "cursor",
			"q=" + strings.Repeat("x", 50000): "q", "q=a%00b": "q"} {
			r := ta.do("GET", "/api/v1/catalog/resources?"+q, owner, nil)
			if r.status != 400 {
				t.Fatalf("%s: status %d", q, r.status)
			}
			if e := r.errorBody(t); field != "" && e.Fields[field] == "" {
				t.Fatalf("%s: error does not name %s: %+v", q, field, e)
			}
		}
	})
}

// TestRoleMatrix walks every route: without a token 401, with a bad token 401, and for each
// role that the route does not admit, 403.
func TestRoleMatrix(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	for _, rt := range routes(Deps{}) {
		path := strings.ReplaceAll(rt.path, ":id", "1")
		name := rt.method + " " + rt.path
		if rt.public {
			if r := ta.do(rt.method, path, "", nil); r.status == 401 || r.status == 403 {
				t.Errorf("%s: public route answered %d", name, r.status)
			}
			continue
		}
		if r := ta.do(rt.method, path, "", nil); r.status != 401 || r.errorBody(t).Code != CodeUnauthenticated || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s without token: %d %s", name, r.status, r.body)
		}
		if r := ta.do(rt.method, path, "not-a-jwt", nil); r.status != 401 {
			t.Errorf("%s with bad token: %d", name, r.status)
		}
		for _, role := range auth.AllRoles {
			tok := ta.token("matrix-"+string(role), models.DemoProvidingDeptID, role)
			r := ta.do(rt.method, path, tok, map[string]any{})
			admitted := rt.roles == nil
			for _, ok := range rt.roles {
				admitted = admitted || ok == role
			}
			if !admitted && r.status != 403 {
				t.Errorf("%s as %s: %d, want 403", name, role, r.status)
			}
			if admitted && (r.status == 401 || (r.status == 403 && rt.roles == nil)) {
				t.Errorf("%s as %s: %d, want admitted", name, role, r.status)
			}
			if rt.self {
				// The principal the :id names is admitted whatever its roles.
				sub := "matrix-self-" + string(role)
				tok := ta.token(sub, models.DemoProvidingDeptID, role)
				if r := ta.do(rt.method, strings.ReplaceAll(rt.path, ":id", sub), tok, map[string]any{}); r.status == 401 || r.status == 403 {
					t.Errorf("%s as %s on its own id: %d, want admitted", name, role, r.status)
				}
			}
		}
	}
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	r := ta.expect(ta.do("GET", OpenAPIPath, "", nil), 200)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r.json(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	served := map[string]bool{}
	for _, ri := range ta.engine.Routes() {
		if ri.Path == "/metrics" || ri.Path == OpenAPIPath {
			continue
		}
		served[ri.Method+" "+openAPIPath(ri.Path)] = true
	}
	for k := range served {
		if !documented[k] {
			t.Errorf("route %s is not in the OpenAPI document", k)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("OpenAPI documents %s, which is not served", k)
		}
	}
}

func TestBadInputGetsEnvelope(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	owner := ta.providerApprover()
	cases := []struct {
		name   string
		method string
		path   string
		body   any
		status int
		code   string
		field  string
	}{
		{"malformed JSON", "POST", "/api/v1/catalog/resources", `{"code":`, 400, CodeInvalidJSON, ""},
		{"empty body", "POST", "/api/v1/catalog/resources", "", 400, CodeInvalidJSON, ""},
		{"array body", "POST", "/api/v1/catalog/resources", `[1]`, 400, CodeInvalidJSON, ""},
		{"stray bracket after the body", "POST", "/api/v1/catalog/resources", mustJSON(t, conditionalInput("NX-B1")) + "}", 400, CodeInvalidJSON, ""},
		{"unknown field", "POST", "/api/v1/catalog/resources", `{"code":"A1","nmae":"x"}`, 400, CodeInvalidInput, "nmae"},
		{"unknown field with an escape", "POST", "/api/v1/catalog/resources", `{"code":"A1","n\u001bme":"x"}`, 400, CodeInvalidInput, "n\ufffdme"},
		{"wrong type", "POST", "/api/v1/catalog/resources", `{"code":7}`, 400, CodeInvalidInput, "code"},
		{"bad enum", "POST", "/api/v1/catalog/resources", withField(conditionalInput("NX-B1"), "share_type", "sometimes"), 400, CodeInvalidInput, "share_type"},
		{"bad code", "POST", "/api/v1/catalog/resources", withField(conditionalInput("NX-B1"), "code", "有 空格"), 400, CodeInvalidInput, "code"},
		{"missing name", "POST", "/api/v1/catalog/resources", withField(conditionalInput("NX-B1"), "name", ""), 400, CodeInvalidInput, "name"},
		{"too large", "POST", "/api/v1/catalog/resources", withField(conditionalInput("NX-B1"), "description", strings.Repeat("数", 2000)), 413, CodeBodyTooLarge, ""},
		{"bad id", "GET", "/api/v1/catalog/resources/abc", nil, 400, CodeInvalidInput, "id"},
		{"instant before year 1000", "GET", "/api/v1/tasks?due_before=0000-01-01", nil, 400, CodeInvalidInput, "due_before"},
		{"instant after year 9999", "GET", "/api/v1/tasks?due_before=9999-12-31T23:59:59-12:00", nil, 400, CodeInvalidInput, "due_before"},
		{"missing resource", "GET", "/api/v1/catalog/resources/999999", nil, 404, CodeNotFound, ""},
		{"unknown route", "GET", "/api/v1/nothing", nil, 404, CodeRouteNotFound, ""},
		{"wrong method", "DELETE", "/api/v1/catalog/resources", nil, 405, CodeMethodNotAllowed, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ta.do(tc.method, tc.path, owner, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			e := r.errorBody(t)
			if e.Code != tc.code || e.RequestID == "" {
				t.Fatalf("error = %+v, want code %s with request id", e, tc.code)
			}
			if tc.field != "" && e.Fields[tc.field] == "" {
				t.Fatalf("error does not name field %s: %+v", tc.field, e)
			}
			if r.header.Get(HeaderRequestID) != e.RequestID {
				t.Fatalf("request id header %q != body %q", r.header.Get(HeaderRequestID), e.RequestID)
			}
		})
	}
}

func TestRequestIDIsKeptOrMade(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set(HeaderRequestID, "gw-abc.123")
	rec := httptest.NewRecorder()
	ta.handler.ServeHTTP(rec, req)
	if got := rec.Header().Get(HeaderRequestID); got != "gw-abc.123" {
		t.Fatalf("kept request id = %q", got)
	}
	req = httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set(HeaderRequestID, "bad id\nwith newline")
	rec = httptest.NewRecorder()
	ta.handler.ServeHTTP(rec, req)
	if got := rec.Header().Get(HeaderRequestID); len(got) != 24 {
		t.Fatalf("made request id = %q", got)
	}
}

func TestReadyzReportsDependencies(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	var h HealthView
	ta.expect(ta.do("GET", "/readyz", "", nil), 200).json(t, &h)
	if h.Checks["database"] != "ok" || h.Checks["temporal"] != "ok" {
		t.Fatalf("readyz = %+v", h)
	}
	ta.tempErr = errors.New("connection refused")
	ta.expect(ta.do("GET", "/readyz", "", nil), 503).json(t, &h)
	if h.Status != "unavailable" || !strings.Contains(h.Checks["temporal"], "connection refused") {
		t.Fatalf("readyz with Temporal down = %+v", h)
	}
	ta.expect(ta.do("GET", "/healthz", "", nil), 200)
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	ta.do("GET", "/api/v1/catalog/resources/1", ta.applicant(), nil)
	r := ta.expect(ta.do("GET", "/metrics", "", nil), 200)
	if !strings.Contains(string(r.body), `datashare_http_requests_total{method="GET",route="/api/v1/catalog/resources/:id",status="200"}`) {
		t.Fatalf("metrics lack the route series:\n%s", r.body)
	}
}

func withField(m map[string]any, k string, v any) map[string]any {
	m[k] = v
	return m
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
