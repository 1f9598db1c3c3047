package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"gorm.io/gorm"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
	"github.com/datashare/datashare/workflows/contract"
)

// TestBadInputNeverServerError sends every operation of the OpenAPI document, generated in
// process from the route table, a deterministic set of bad requests derived from its schema:
// bodies (not JSON, truncated, the wrong JSON type, each property with the wrong type, huge,
// with NUL, escape sequences or line breaks, absurd numbers, unknown members, deep nesting),
// path parameters (traversal, NUL, 10 000 characters, SQL text, not a number), query strings
// (garbage, huge, negative, bad cursors, repeated) and headers (wrong Content-Type, bad
// Idempotency-Key, other Authorization schemes, no token and forged tokens). Every answer must
// be below 500, one of the statuses the operation documents (or 413 and, to a body sent
// without JSON, 415: docs/api.md), and a 4xx must be the error envelope with a code. Input
// that can never be right (a malformed body, a mistyped member, NUL in a path) must be
// refused with a 4xx. It runs under the default profile and under neixiang, whose procedures
// (open data, open-catalog corrections, interface requirements) ningxia lacks, on SQLite and,
// with DATASHARE_TEST_MYSQL_DSN, on MySQL. Workflows are started by zeroStarter, which opens
// their first step at once: the test is of the edge, not of the procedures.
//
// Run it alone: go test -run TestBadInputNeverServerError -v ./api/ (docs/testing.md).
func TestBadInputNeverServerError(t *testing.T) {
	raw, err := openAPIDocument(routes(Deps{}), "")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	ops := badInputOperations(doc)
	if len(ops) != len(routes(Deps{})) {
		t.Fatalf("the document has %d operations, the route table %d", len(ops), len(routes(Deps{})))
	}
	for _, dialect := range modelstest.Dialects() {
		for _, profile := range []string{models.DemoJurisdiction, "neixiang"} {
			t.Run(dialect+"/"+profile, func(t *testing.T) { badInputRun(t, ops, modelstest.New(t, dialect), profile) })
		}
	}
}

// badInputRun sends every operation its cases under one profile, over a database of its own.
func badInputRun(t *testing.T, ops []badInputOp, db *gorm.DB, profile string) {
	fx := newBadInputFixture(t, db, profile)
	sent, statuses := 0, map[int]int{}
	for _, op := range ops {
		cases := fx.cases(op)
		sent += len(cases)
		var failures []string
		for _, bc := range cases {
			status, msg := fx.check(op, bc)
			statuses[status]++
			if msg != "" {
				failures = append(failures, msg)
			}
		}
		if len(failures) > 0 {
			shown := failures[:min(len(failures), 6)]
			t.Errorf("%s %s (%s): %d of %d bad requests answered wrongly:\n  %s",
				op.method, op.path, op.id, len(failures), len(cases), strings.Join(shown, "\n  "))
		}
	}
	t.Logf("%s: %d requests over %d operations; answers by status: %v", profile, sent, len(ops), statuses)
}

// badInputMaxBody is the default of DATASHARE_MAX_BODY_BYTES (internal/config).
const badInputMaxBody = 1 << 20

// badInputSeed fixes the choice of cases, so a failure reproduces.
const badInputSeed = 20260301

// maxCasesPerOperation caps the generated requests of one operation (the auth and header
// cases are always sent; the others are sampled with badInputSeed).
const maxCasesPerOperation = 600

type badInputOp struct {
	id, method, path string // path in OpenAPI form: /tasks/{id}
	public           bool
	roles            []auth.Role
	pathParams       []string
	query            []string
	idempotent       bool
	body             *openapi3.Schema // nil: the operation takes no body
	documented       map[int]bool
}

func badInputOperations(doc *openapi3.T) []badInputOp {
	var out []badInputOp
	for _, p := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(p)
		for method, op := range item.Operations() {
			o := badInputOp{id: op.OperationID, method: method, path: p, public: op.Security == nil, documented: map[int]bool{}}
			if names, ok := op.Extensions["x-roles"].([]any); ok {
				for _, n := range names {
					o.roles = append(o.roles, auth.Role(fmt.Sprint(n)))
				}
			}
			for _, pr := range op.Parameters {
				switch pr.Value.In {
				case openapi3.ParameterInPath:
					o.pathParams = append(o.pathParams, pr.Value.Name)
				case openapi3.ParameterInQuery:
					o.query = append(o.query, pr.Value.Name)
				case openapi3.ParameterInHeader:
					o.idempotent = o.idempotent || pr.Value.Name == HeaderIdempotencyKey
				}
			}
			if op.RequestBody != nil {
				o.body = op.RequestBody.Value.Content.Get(mediaJSON).Schema.Value
			}
			for code := range op.Responses.Map() {
				n, err := strconv.Atoi(code)
				if err == nil {
					o.documented[n] = true
				}
			}
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// badCase is one generated request.
type badCase struct {
	name   string
	path   string // escaped, with the query
	header http.Header
	body   []byte // nil: none
	chunk  bool   // send the body without a Content-Length
	token  string // "" with noAuth: no Authorization header
	noAuth bool
	// refuse: the request can never be right, so the answer must be a 4xx.
	refuse bool
}

// badInputFixture is a test API under one profile with the cases' valid values: existing
// ids for the path parameters, well-formed bodies that the generated mutations spoil.
type badInputFixture struct {
	ta        *testAPI
	providing string // the demo providing department
	tokens    map[auth.Role]string
	forged    []namedToken
	odd       []namedToken          // well signed, granting nothing
	params    map[string]string     // "opID:param" or ":param" → a valid value
	queries   map[string]url.Values // opID → the query a well-formed request sends
	// queryForms are other well-formed queries of a list, whose parameters are spoiled too.
	queryForms map[string][]url.Values
	bodies     map[string]map[string]any
	rng        *mrand.Rand
}

type namedToken struct{ name, token string }

func newBadInputFixture(t *testing.T, db *gorm.DB, profile string) *badInputFixture {
	t.Helper()
	// Bodies up to the production default reach the handlers: a huge text is refused by its
	// field's rule or the database, not by the size limit.
	ta := newTestAPIDeps(t, db, profile, testPolicies(t), func(d *Deps) { d.MaxBodyBytes = badInputMaxBody })
	using, providing, authority, tech, ok := models.DemoDepartmentIDs(profile)
	if !ok {
		t.Fatalf("no demo set for %s", profile)
	}
	fx := &badInputFixture{ta: ta, providing: providing, rng: mrand.New(mrand.NewPCG(badInputSeed, uint64(len(profile))))}
	fx.tokens = map[auth.Role]string{
		auth.RoleApplicant:   ta.token("demo-applicant", using, auth.RoleApplicant),
		auth.RoleApprover:    ta.token("demo-approver", providing, auth.RoleApprover),
		auth.RoleDeptHead:    ta.token("demo-dept-head", providing, auth.RoleDeptHead),
		auth.RoleAuthority:   ta.token("demo-authority", authority, auth.RoleAuthority),
		auth.RoleTechService: ta.token("demo-tech", tech, auth.RoleTechService),
		auth.RoleCitizen:     ta.token("demo-citizen", "", auth.RoleCitizen),
		auth.RoleAdmin:       ta.token("demo-admin", authority, auth.RoleAdmin),
	}
	fx.forged, fx.odd = forgedTokens(t, ta, providing)
	// Workflows start and answer with their zero state: the test is of the edge.
	ta.starter.via = zeroStarter{store: models.NewStore(db)}

	// Resources: a published conditional one of the providing department (asked for, reported
	// on, updated) and one of the open catalog (neixiang's open-data procedures).
	var page CatalogResourceList
	ta.expect(ta.do("GET", "/api/v1/catalog/resources?status=published&limit=100", fx.tokens[auth.RoleAuthority], nil), 200).json(t, &page)
	var shared, open int64
	var others []int64 // further published resources of the providing department
	for _, r := range page.Items {
		switch {
		case shared == 0 && r.ProviderDeptID == providing && r.ShareType == "conditional":
			shared = r.ID
		case r.ProviderDeptID == providing:
			others = append(others, r.ID)
		}
		if open == 0 && r.OpenType != "none" {
			open = r.ID
		}
	}
	if shared == 0 {
		t.Fatalf("%s: no published conditional resource of %s in the demo catalog", profile, providing)
	}
	if open == 0 {
		open = shared
	}
	// Each catalog transition acts on a resource of its own in the state it needs: drafts for
	// the edits and the submit, submitted drafts for publish and return, published resources
	// for revise and retire.
	catalogOps := map[string]int64{}
	for i, op := range []string{"getCatalogResource", "updateCatalogResource", "submitCatalogResource", "publishCatalogResource", "returnCatalogResource"} {
		var draft CatalogResourceView
		ta.expect(ta.do("POST", "/api/v1/catalog/resources", fx.tokens[auth.RoleApprover], fx.catalogInput(fmt.Sprintf("BADIN-D%d", i))), 201).json(t, &draft)
		if op == "publishCatalogResource" || op == "returnCatalogResource" {
			ta.expect(ta.do("POST", fmt.Sprintf("/api/v1/catalog/resources/%d/submit", draft.ID), fx.tokens[auth.RoleApprover], nil), 200)
		}
		catalogOps[op] = draft.ID
	}
	catalogOps["listCatalogResourceVersions"] = catalogOps["getCatalogResource"]
	for i, op := range []string{"reviseCatalogResource", "retireCatalogResource"} {
		catalogOps[op] = shared
		if i < len(others) {
			catalogOps[op] = others[i]
		}
	}

	// A granted share request with its grant, an open step task of the providing department's
	// approvers, and an overdue step with its supervision task.
	st := models.NewStore(db)
	ctx := context.Background()
	now := time.Date(2026, 2, 12, 10, 0, 0, 0, chinaTime)
	due := now.Add(20 * 24 * time.Hour)
	const requestID = "SR-BADINPUT-1"
	wid := contract.ShareRequestWorkflowID(requestID)
	taskID := contract.HumanTaskID(wid, "reply", 1)
	if _, err := st.UpsertShareRequest(ctx, models.ShareRequest{ID: requestID, ResourceID: shared, ResourceCode: "X", ResourceName: "X",
		ApplicantDeptID: using, ApplicantSubject: "demo-applicant", ProviderDeptID: providing, DecidingDeptID: providing,
		FormJSON: `{"purpose":"核验","scope":"姓名","requested_validity_days":365}`, Status: models.ShareRequestGranted, CurrentStep: "reply",
		DueAt: &due, WorkflowID: wid, Revision: 1, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertGrant(ctx, models.Grant{ID: "G-" + requestID, RequestID: requestID, ResourceID: shared, ConsumerDeptID: using,
		ProviderDeptID: providing, Scope: "姓名", UsagePurpose: "核验", ValidFrom: now, ValidUntil: now.AddDate(1, 0, 0),
		Status: models.GrantActive, Revision: 1, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertTask(ctx, models.Task{TaskID: taskID, Revision: 1, Kind: "step", WorkflowID: wid, RequestID: requestID,
		Procedure: "share", Step: "reply", CandidateDepartmentID: providing, CandidateRole: "approver", Status: "open",
		DecisionsJSON: `[{"code":"approve","required_fields":["scope","usage_purpose","validity_days"]},{"code":"refuse","required_fields":["reason_code","reason","legal_basis"]}]`,
		ReceivedAt:    now, DueAt: &due, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	supervision := taskID + "/supervision"
	if _, err := st.UpsertTask(ctx, models.Task{TaskID: supervision, Revision: 1, Kind: "supervision", ParentTaskID: &taskID,
		WorkflowID: wid, RequestID: requestID, Procedure: "share", Step: "reply", CandidateDepartmentID: authority,
		CandidateRole: "authority", Status: "open", Overdue: true, DecisionsJSON: "[]", ReceivedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	// A catalog update of the providing department and a citizen's open-data request, each
	// with its open task: their actions load them before they read the body.
	const updateID, openDataID = "CU-BADINPUT-1", "OD-BADINPUT-1"
	if _, err := st.UpsertCatalogUpdate(ctx, models.CatalogUpdate{ID: updateID, DepartmentID: providing,
		FormJSON: `{"trigger":"law_revised","basis":"条例","changed_on":"2026-01-05"}`, InitiatorSubject: "demo-approver", Status: "updating", CurrentStep: "update",
		DueAt: &due, WorkflowID: "catalog-update-" + updateID, Revision: 1, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertTask(ctx, models.Task{TaskID: "catalog-update-" + updateID + "/update/1", Revision: 1, Kind: "step",
		WorkflowID: "catalog-update-" + updateID, RequestID: updateID, Procedure: "catalog_update", Step: contract.StepUpdate,
		CandidateDepartmentID: providing, CandidateRole: "approver", Status: "open", ReceivedAt: now, DueAt: &due, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertOpenDataRequest(ctx, models.OpenDataRequest{ID: openDataID, ResourceID: open, ResourceCode: "X",
		ResourceName: "X", OpenType: "conditional", ApplicantSubject: "demo-citizen", ProviderDeptID: providing,
		FormJSON: `{"purpose":"研究","scope":"全部"}`, Status: "pending", CurrentStep: "reply", DueAt: &due, WorkflowID: "open-data-" + openDataID, Revision: 1,
		CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	violation := "catalog_not_updated"
	var vl ViolationList
	if r := ta.do("GET", "/api/v1/violations", fx.tokens[auth.RoleAuthority], nil); r.status == 200 {
		r.json(t, &vl)
		if len(vl.Items) > 0 {
			violation = vl.Items[0].Code
		}
	}

	fx.params = map[string]string{
		":id":                                  "BADINPUT-NONE",
		":year":                                "2025",
		":date":                                "2026-10-09",
		"loadCalendarYear:year":                "2027",
		"getDepartment:id":                     providing,
		"putDepartment:id":                     "badinput-dept",
		"getUser:id":                           "demo-approver",
		"putUser:id":                           "badinput-user",
		"getPolicy:id":                         profile,
		"readNotification:id":                  "1",
		"getShareRequest:id":                   requestID,
		"withdrawShareRequest:id":              requestID,
		"urgeShareRequest:id":                  requestID,
		"askShareNegotiation:id":               requestID,
		"recordDataAccess:id":                  "G-" + requestID,
		"suspendGrant:id":                      "G-" + requestID,
		"resumeGrant:id":                       "G-" + requestID,
		"revokeGrant:id":                       "G-" + requestID,
		"issueRectificationFromSupervision:id": publicTaskID(supervision),
		"getCatalogUpdate:id":                  updateID,
		"submitCatalogUpdate:id":               updateID,
		"getOpenDataRequest:id":                openDataID,
		"withdrawOpenDataRequest:id":           openDataID,
	}
	for _, op := range []string{"getTask", "claimTask", "unclaimTask", "transferTask", "commentTask", "completeTask"} {
		fx.params[op+":id"] = publicTaskID(taskID)
	}
	for op, id := range catalogOps {
		fx.params[op+":id"] = strconv.FormatInt(id, 10)
	}
	fx.queries = map[string]url.Values{
		"calendarDue":  {"from": {"2026-03-02"}, "workdays": {"5"}},
		"calendarDays": {"from": {"2026-03-01"}, "to": {"2026-03-31"}},
	}
	// The 已办 list reads its own cursor.
	fx.queryForms = map[string][]url.Values{"listTasks": {{"decided_by": {"me"}}}}

	reason := map[string]any{"reason": "理由说明"}
	fx.bodies = map[string]map[string]any{
		"createCatalogResource":  fx.catalogInput("BADIN-NEW"),
		"updateCatalogResource":  {"name": "企业年度报告信息", "version": 1},
		"submitCatalogResource":  {"version": 1},
		"publishCatalogResource": {},
		"reviseCatalogResource":  {},
		"returnCatalogResource":  reason,
		"retireCatalogResource":  reason,
		"putDepartment":          {"name": "公安厅", "kind": "department", "parent_id": authority, "jurisdiction": profile},
		"putUser":                {"name": "张三", "department_id": providing, "roles": []string{"approver"}, "active": true},
		"putCalendarOverride":    {"kind": "holiday", "name": "地方补充假日", "source": "政府通知〔2026〕1号"},
		"loadCalendarYear": {"source": "国务院办公厅关于2027年部分节假日安排的通知",
			"days": []any{map[string]any{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}}},
		"openAnnualReportRound":             {"year": 2025},
		"recordDataAccess":                  {"direction": "provided", "records": 10, "note": "接口调用"},
		"createCorrection":                  correctionInput(shared),
		"acceptCorrectionResult":            {"comment": "认可"},
		"disputeCorrectionResult":           reason,
		"createOpenCatalogCorrection":       {"resource_id": open, "field": "name", "proposed_value": "新名称", "reason": "名称有误"},
		"createInterfaceRequirement":        {"department_id": providing, "agreed_due": "2027-06-30", "description": "提供查询接口"},
		"createOpenDataRequest":             {"resource_id": open, "purpose": "学术研究", "scope": "全部字段"},
		"withdrawOpenDataRequest":           reason,
		"suspendGrant":                      reason,
		"resumeGrant":                       reason,
		"revokeGrant":                       reason,
		"createShareRequest":                shareInput(shared),
		"withdrawShareRequest":              reason,
		"urgeShareRequest":                  {"text": "请尽快办理"},
		"askShareNegotiation":               reason,
		"createRectification":               {"department_id": providing, "violation": violation, "description": "目录三个月未更新", "workdays": 10},
		"issueRectificationFromSupervision": {"violation": violation, "description": "逾期未答复", "workdays": 10},
		"createCatalogUpdate":               catalogUpdateInput("2026-01-05", shared),
		"submitCatalogUpdate":               {"resource_versions": []any{map[string]any{"resource_id": catalogOps["getCatalogResource"], "version": 1}}, "comment": "已更新"},
		"commentTask":                       {"text": "请补充材料"},
		"transferTask":                      {"to_subject": "demo-dept-head", "reason": "请领导审批"},
		"completeTask":                      {"decision": "approve", "scope": "姓名", "usage_purpose": "核验", "validity_days": 365},
	}
	return fx
}

func (fx *badInputFixture) catalogInput(code string) map[string]any {
	in := conditionalInput(code)
	in["provider_dept_id"] = fx.providing
	return in
}

// forgedTokens are tokens the API must refuse with 401: signed by another key, expired, with
// alg none, HS256 keyed with nothing, garbage, truncated or huge. The odd ones are well signed
// with claims that grant nothing (no role, an unknown one): they authenticate, and a route for
// roles refuses them.
func forgedTokens(t *testing.T, ta *testAPI, dept string) (forged, odd []namedToken) {
	t.Helper()
	p := auth.Principal{Subject: "demo-approver", Name: "x", DepartmentID: dept, Roles: []auth.Role{auth.RoleApprover}}
	_, other, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	wrongKey, err := auth.NewDevSigner(other).Sign(p, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := ta.signer.Sign(p, -time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	valid := ta.token("demo-approver", dept, auth.RoleApprover)
	head, payload, _ := strings.Cut(valid, ".")
	payload, _, _ = strings.Cut(payload, ".")
	b64 := base64.RawURLEncoding.EncodeToString
	none := b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + payload + "."
	hs := b64([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + payload + "." + b64(make([]byte, 32))
	noRoles, err := ta.signer.Sign(auth.Principal{Subject: "badinput-nobody", DepartmentID: dept}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	badRole := ta.token("badinput-nobody", dept, auth.Role("superuser"))
	return []namedToken{
		{"signed by another key", wrongKey},
		{"expired", expired},
		{"alg none", none},
		{"alg none without a dot", strings.TrimSuffix(none, ".")},
		{"HS256 with an empty key", hs},
		{"header of another token", head + "." + payload + ".AAAA"},
		{"truncated signature", valid[:len(valid)-6]},
		{"garbage", "not-a-jwt"},
		{"three garbage parts", "a.b.c"},
		{"huge", strings.Repeat("A", 20000)},
	}, []namedToken{{"signed, without roles", noRoles}, {"signed, with an unknown role", badRole}}
}

// principal is the token of the caller an operation is sent as: of the first role it
// admits, or an approver of the providing department when any principal may call it.
func (fx *badInputFixture) principal(op badInputOp) string {
	if len(op.roles) > 0 {
		return fx.tokens[op.roles[0]]
	}
	return fx.tokens[auth.RoleApprover]
}

func (fx *badInputFixture) param(op badInputOp, name string) string {
	if v, ok := fx.params[op.id+":"+name]; ok {
		return v
	}
	return fx.params[":"+name]
}

// target builds the escaped path with the path parameters valid, except name set to raw
// (already escaped) when name is not "".
func (fx *badInputFixture) target(op badInputOp, name, raw string) string {
	p := op.path
	for _, n := range op.pathParams {
		v := url.PathEscape(fx.param(op, n))
		if n == name {
			v = raw
		}
		p = strings.ReplaceAll(p, "{"+n+"}", v)
	}
	return p
}

// baseBody is a well-formed body of the operation: the fixture's, or one generated from the
// schema.
func (fx *badInputFixture) baseBody(op badInputOp) map[string]any {
	if b, ok := fx.bodies[op.id]; ok {
		return deepCopy(b).(map[string]any)
	}
	v, _ := exampleOf(op.body, 0).(map[string]any)
	if v == nil {
		v = map[string]any{}
	}
	return v
}

func exampleOf(s *openapi3.Schema, depth int) any {
	if s == nil || depth > 4 {
		return nil
	}
	switch {
	case s.Type.Is(openapi3.TypeObject):
		m := map[string]any{}
		for name, p := range s.Properties {
			m[name] = exampleOf(p.Value, depth+1)
		}
		return m
	case s.Type.Is(openapi3.TypeArray):
		if s.Items == nil {
			return []any{}
		}
		return []any{exampleOf(s.Items.Value, depth+1)}
	case s.Type.Is(openapi3.TypeString):
		switch s.Format {
		case "date":
			return "2026-03-02"
		case "date-time":
			return "2026-03-02T10:00:00+08:00"
		}
		return "测试"
	case s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
		return 1
	case s.Type.Is(openapi3.TypeBoolean):
		return true
	}
	return nil
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	case []string:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = e
		}
		return s
	case []int64:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = e
		}
		return s
	}
	return v
}

// member is a place in a body: its path of keys and indexes, and its schema.
type member struct {
	path   []any
	schema *openapi3.Schema
}

func (m member) String() string {
	var b strings.Builder
	for i, p := range m.path {
		switch k := p.(type) {
		case string:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(k)
		case int:
			fmt.Fprintf(&b, "[%d]", k)
		}
	}
	return b.String()
}

// members lists every property of the schema, nested objects and the objects of lists
// (at index 0) included, in name order.
func members(s *openapi3.Schema, prefix []any, depth int) []member {
	if s == nil || depth > 3 {
		return nil
	}
	var out []member
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ps := s.Properties[n].Value
		path := append(slices.Clone(prefix), n)
		out = append(out, member{path: path, schema: ps})
		switch {
		case ps.Type.Is(openapi3.TypeObject):
			out = append(out, members(ps, path, depth+1)...)
		case ps.Type.Is(openapi3.TypeArray) && ps.Items != nil && ps.Items.Value.Type.Is(openapi3.TypeObject):
			out = append(out, members(ps.Items.Value, append(slices.Clone(path), 0), depth+1)...)
		}
	}
	return out
}

// setAt sets the member at path in root, making the objects and lists on the way.
func setAt(root map[string]any, path []any, v any) {
	var cur any = root
	for i, p := range path {
		last := i == len(path)-1
		switch k := p.(type) {
		case string:
			m := cur.(map[string]any)
			if last {
				m[k] = v
				return
			}
			next := m[k]
			if _, isInt := path[i+1].(int); isInt {
				if _, ok := next.([]any); !ok {
					next = []any{}
				}
			} else if _, ok := next.(map[string]any); !ok {
				next = map[string]any{}
			}
			m[k] = next
			cur = next
		case int:
			s := cur.([]any)
			for len(s) <= k {
				s = append(s, map[string]any{})
			}
			// Lists are values: write the grown list back into its parent.
			setAt(root, path[:i], s)
			if last {
				s[k] = v
				return
			}
			if _, ok := s[k].(map[string]any); !ok {
				s[k] = map[string]any{}
			}
			cur = s[k]
		}
	}
}

// rawJSON is a body member written as is: numbers JSON cannot hold in float64, escapes.
type rawJSON = json.RawMessage

// Placeholder text that encodeBody turns into bytes json.Marshal would not write.
const invalidUTF8Mark = "\u0001INVALID-UTF8\u0001"

func encodeBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	mark, _ := json.Marshal(invalidUTF8Mark)
	return bytes.ReplaceAll(b, mark, []byte("\"a\xff\xfe\xc0b\""))
}

// badValue is one wrong value of a member; refuse says it can never be accepted.
type badValue struct {
	name   string
	value  any
	refuse bool
}

func badValuesFor(s *openapi3.Schema) []badValue {
	huge := strings.Repeat("x", 100000)
	texts := []badValue{
		{"NUL", "a\x00b", true},
		{"ESC sequence", "\x1b[31mred\x1b[0m", true},
		{"CR-LF", "line\r\nline", false},
		{"line separator", "a\u2028b", false},
		{"lone surrogate", rawJSON(`"\ud800"`), false},
		{"invalid UTF-8", invalidUTF8Mark, false},
		{"100 000 characters", huge, true},
		{"3 000 characters", strings.Repeat("y", 3000), false},
		{"empty", "", false},
		{"blank", "   ", false},
		{"SQL", "' OR '1'='1'; DROP TABLE tasks; --", false},
		{"path traversal", "../../../../etc/passwd", false},
		{"markup", "<script>alert(1)</script>", false},
		{"no such date", "2026-02-30", false},
		{"year 0", "0000-01-01", false},
		{"year 9999", "9999-12-31", false},
		{"far instant", "9999-12-31T23:59:59+14:00", false},
	}
	numbers := []badValue{
		{"1e400", rawJSON("1e400"), true},
		{"5 000 digits", rawJSON(strings.Repeat("9", 5000)), true},
		{"3 000 digits", rawJSON(strings.Repeat("9", 3000)), true},
		{"2^63", rawJSON("9223372036854775808"), true},
		{"-2^63-1", rawJSON("-9223372036854775809"), true},
		{"negative", -1, false},
		{"zero", 0, false},
		{"fraction", rawJSON("1.5"), s.Type.Is(openapi3.TypeInteger)},
		{"exponent", rawJSON("1e3"), false},
		{"2^31", rawJSON("2147483648"), false},
		{"2^53+1", rawJSON("9007199254740993"), false},
		{"max int64", rawJSON("9223372036854775807"), false},
		{"min int64", rawJSON("-9223372036854775808"), false},
	}
	// Just past the bounds of the fields' rules and columns, in characters of three bytes.
	for _, n := range []int{65, 129, 256, 501, 2001, 4001, 20001} {
		texts = append(texts, badValue{fmt.Sprintf("%d CJK characters", n), strings.Repeat("数", n), false})
	}
	var out []badValue
	switch {
	case s.Type.Is(openapi3.TypeString):
		out = append(out, badValue{"number instead of text", 12345, true}, badValue{"boolean instead of text", true, true},
			badValue{"object instead of text", map[string]any{"a": 1}, true}, badValue{"list instead of text", []any{"x"}, true})
		out = append(out, texts...)
	case s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
		out = append(out, badValue{"text instead of a number", "12", true}, badValue{"boolean instead of a number", true, true},
			badValue{"object instead of a number", map[string]any{}, true})
		out = append(out, numbers...)
	case s.Type.Is(openapi3.TypeBoolean):
		out = append(out, badValue{"text instead of a boolean", "true", true}, badValue{"number instead of a boolean", 1, true})
	case s.Type.Is(openapi3.TypeArray):
		out = append(out, badValue{"text instead of a list", "x", true}, badValue{"object instead of a list", map[string]any{}, true},
			badValue{"list of null", []any{nil}, false}, badValue{"list of 1 000", slices.Repeat([]any{0}, 1000), false},
			badValue{"nested lists", rawJSON(strings.Repeat("[", 1500) + strings.Repeat("]", 1500)), false})
	case s.Type.Is(openapi3.TypeObject):
		out = append(out, badValue{"text instead of an object", "x", true}, badValue{"list instead of an object", []any{}, true})
	}
	return append(out, badValue{"null", nil, false})
}

// cases generates the operation's bad requests: auth and header cases always, the others
// sampled down to maxCasesPerOperation.
func (fx *badInputFixture) cases(op badInputOp) []badCase {
	tok := fx.principal(op)
	bare := fx.target(op, "", "")
	// withQueryOn is the request target with the query form, name set to raw (escaped)
	// instead when name is not "".
	withQueryOn := func(form url.Values, name string, raw ...string) string {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(form)) {
			if k != name {
				parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(form.Get(k)))
			}
		}
		for _, r := range raw {
			parts = append(parts, name+"="+r)
		}
		if len(parts) == 0 {
			return bare
		}
		return bare + "?" + strings.Join(parts, "&")
	}
	path := withQueryOn(fx.queries[op.id], "")
	var base []byte
	if op.body != nil {
		base = encodeBody(fx.baseBody(op))
	}
	jsonHeader := func() http.Header { return http.Header{"Content-Type": {mediaJSON}} }
	mk := func(name, path string, body []byte, refuse bool) badCase {
		h := http.Header{}
		if body != nil {
			h = jsonHeader()
		}
		return badCase{name: name, path: path, header: h, body: body, token: tok, refuse: refuse}
	}

	// Always: the well-formed request, no token, forged tokens, headers.
	fixed := []badCase{mk("well-formed", path, base, false)}
	if !op.public {
		c := mk("no token", path, base, true)
		c.noAuth = true
		fixed = append(fixed, c)
		for _, f := range fx.forged {
			c := mk("forged token: "+f.name, path, base, true)
			c.token = f.token
			fixed = append(fixed, c)
		}
		for _, f := range fx.odd {
			c := mk("token "+f.name, path, base, len(op.roles) > 0)
			c.token = f.token
			fixed = append(fixed, c)
		}
		for _, h := range []string{"Basic ZGVtbzpkZW1v", "Bearer", "Bearer ", "Token " + tok, "Bearer a b", "Bearer\t" + tok + "x", "Negotiate YII="} {
			c := mk("Authorization: "+h, path, base, true)
			c.noAuth = true
			c.header.Set("Authorization", h)
			fixed = append(fixed, c)
		}
		c = mk("Authorization twice", path, base, false)
		c.noAuth = true
		c.header["Authorization"] = []string{"Bearer " + tok, "Bearer garbage"}
		fixed = append(fixed, c)
	}
	sample := base
	if sample == nil {
		sample = []byte(`{}`)
	}
	if strings.HasPrefix(op.path, "/api/v1/") {
		for _, ct := range []string{"text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
			"application/json; charset=iso-8859-1", "application/json;;", "application/jsonx", "json", strings.Repeat("a", 10000) + "/json", ""} {
			c := mk("Content-Type: "+ct[:min(len(ct), 40)], path, sample, true)
			c.header = http.Header{}
			if ct != "" {
				c.header.Set("Content-Type", ct)
			}
			fixed = append(fixed, c)
		}
	}
	for _, h := range []struct{ name, key, value string }{
		{"X-Request-ID huge", HeaderRequestID, strings.Repeat("r", 10000)},
		{"X-Request-ID escape", HeaderRequestID, "\x1b[31m"},
		{"Accept XML", "Accept", "application/xml"},
	} {
		c := mk(h.name, path, base, false)
		c.header.Set(h.key, h.value)
		fixed = append(fixed, c)
	}
	if op.idempotent {
		for _, k := range []struct {
			name   string
			values []string
			refuse bool
		}{
			{"10 000 characters", []string{strings.Repeat("k", 10000)}, true},
			{"129 characters", []string{strings.Repeat("k", 129)}, true},
			{"not ASCII", []string{"ключ-1"}, true},
			{"escape", []string{"a\x1b[31mb"}, true},
			{"sent twice", []string{"k1", "k2"}, true},
			{"empty", []string{""}, false},
		} {
			c := mk("Idempotency-Key "+k.name, path, base, k.refuse)
			c.header[HeaderIdempotencyKey] = k.values
			fixed = append(fixed, c)
		}
	}

	var sampled []badCase
	// Path and query cases go round the roles the operation admits (any role when it admits
	// every principal); body cases are sent as the principal of baseBody.
	admitted := op.roles
	if len(admitted) == 0 {
		admitted = auth.AllRoles
	}
	turn := 0
	asNext := func(c badCase) badCase {
		role := admitted[turn%len(admitted)]
		turn++
		c.name += " as " + string(role)
		c.token = fx.tokens[role]
		return c
	}
	// Path parameters.
	for _, n := range op.pathParams {
		for _, v := range []struct {
			name, raw string
			refuse    bool
		}{
			{"traversal", "..%2F..%2F..%2Fetc%2Fpasswd", true},
			{"dot dot", "..", false},
			{"NUL", "a%00b", true},
			{"ESC", "%1B%5B31m", true},
			{"CR-LF", "a%0D%0Ab", true},
			{"10 000 characters", strings.Repeat("a", 10000), true},
			{"SQL", url.PathEscape("1' OR '1'='1"), true},
			{"SQL comment", url.PathEscape("1;DROP TABLE tasks--"), true},
			{"negative", "-1", false},
			{"zero", "0", false},
			{"not a number", "abc", false},
			{"huge number", "99999999999999999999999", false},
			{"2^31", "2147483648", false},
			{"max int64", "9223372036854775807", false},
			{"min int64", "-9223372036854775808", false},
			{"year 9999", "9999", false},
			{"no such date", "2026-02-30", false},
			{"year 0 date", "0000-01-01", false},
			{"year 9999 date", "9999-12-31", false},
			{"exponent", "1e3", false},
			{"unicode", url.PathEscape("中文"), false},
			{"tilde", "~", false},
			{"blank", "%20", false},
			{"percent", "%25", false},
		} {
			sampled = append(sampled, asNext(mk("path "+n+": "+v.name, fx.target(op, n, v.raw), base, v.refuse)))
		}
	}
	// Query parameters, on the well-formed query and on the other forms of the list.
	for _, form := range append([]url.Values{fx.queries[op.id]}, fx.queryForms[op.id]...) {
		fx.queryCases(op, form, withQueryOn, func(c badCase) { sampled = append(sampled, asNext(c)) }, mk, base)
	}
	// Bodies.
	if op.body != nil {
		half := base[:len(base)/2]
		for _, b := range []struct {
			name   string
			body   string
			refuse bool
		}{
			{"not JSON", "hello", true},
			{"XML", "<request/>", true},
			{"empty", "", false},
			{"open brace", "{", true},
			{"truncated", string(half), true},
			{"array", "[]", true},
			{"array of the body", "[" + string(base) + "]", true},
			{"number", "42", true},
			{"string", `"text"`, true},
			{"true", "true", true},
			{"null", "null", false},
			{"two objects", string(base) + string(base), true},
			{"trailing garbage", string(base) + "}", true},
			{"BOM", "\ufeff" + string(base), true},
			{"deep objects", strings.Repeat(`{"a":`, 600) + "1" + strings.Repeat("}", 600), true},
			{"deep lists", strings.Repeat("[", 2000) + strings.Repeat("]", 2000), true},
			{"100 000 spaces", string(base) + strings.Repeat(" ", 100000), false},
		} {
			sampled = append(sampled, mk("body: "+b.name, path, []byte(b.body), b.refuse))
		}
		tooLarge := []byte(`{"a":"` + strings.Repeat("x", 2*badInputMaxBody) + `"}`)
		sampled = append(sampled, mk("body: 2 MiB", path, tooLarge, true))
		c := mk("body: 2 MiB chunked", path, tooLarge, true)
		c.chunk = true
		sampled = append(sampled, c)
		c = mk("body: chunked 100 000 bytes", path, []byte(`{"a":"`+strings.Repeat("x", 100000)+`"}`), true)
		c.chunk = true
		sampled = append(sampled, c)
		for _, extra := range []struct {
			name  string
			key   string
			value any
		}{
			{"unknown member", "nmae", map[string]any{"x": 1}},
			{"__proto__", "__proto__", map[string]any{"admin": true}},
			{"deep unknown member", "deep", rawJSON(strings.Repeat(`{"a":`, 500) + "1" + strings.Repeat("}", 500))},
		} {
			m := fx.baseBody(op)
			m[extra.key] = extra.value
			sampled = append(sampled, mk("body: "+extra.name, path, encodeBody(m), true))
		}
		mems := members(op.body, nil, 0)
		// Members the schema does not list but the well-formed body sends (the fields of a
		// decision) are spoiled too, by the type of their value.
		for _, k := range slices.Sorted(maps.Keys(fx.baseBody(op))) {
			if _, listed := op.body.Properties[k]; listed {
				continue
			}
			switch fx.baseBody(op)[k].(type) {
			case string:
				mems = append(mems, member{path: []any{k}, schema: openapi3.NewStringSchema()})
			case int, int64, float64:
				mems = append(mems, member{path: []any{k}, schema: openapi3.NewIntegerSchema()})
			}
		}
		for _, mem := range mems {
			for _, bv := range badValuesFor(mem.schema) {
				m := fx.baseBody(op)
				setAt(m, mem.path, bv.value)
				sampled = append(sampled, mk("body "+mem.String()+": "+bv.name, path, encodeBody(m), bv.refuse))
			}
		}
	} else if op.method != http.MethodGet {
		sampled = append(sampled, mk("unexpected body", path, []byte(`{"x":`), false))
	}
	if n := maxCasesPerOperation - len(fixed); len(sampled) > n {
		fx.rng.Shuffle(len(sampled), func(i, j int) { sampled[i], sampled[j] = sampled[j], sampled[i] })
		sampled = sampled[:max(n, 0)]
	}
	return append(fixed, sampled...)
}

// queryCases spoils each documented query parameter of the operation in turn, the others as
// form has them, and passes each case to add.
func (fx *badInputFixture) queryCases(op badInputOp, form url.Values, target func(url.Values, string, ...string) string,
	add func(badCase), mk func(name, path string, body []byte, refuse bool) badCase, base []byte) {
	for _, q := range op.query {
		for _, v := range []struct{ name, raw string }{
			{"garbage", url.QueryEscape(`x'"<>;`)},
			{"100 000 characters", strings.Repeat("q", 100000)},
			{"negative", "-1"},
			{"zero", "0"},
			{"1e400", "1e400"},
			{"huge number", "99999999999999999999"},
			{"2^31", "2147483648"},
			{"max int64", "9223372036854775807"},
			{"min int64", "-9223372036854775808"},
			{"no such date", "2026-02-30"},
			{"year 0 date", "0000-01-01"},
			{"year 9999 date", "9999-12-31"},
			{"far instant", url.QueryEscape("9999-12-31T23:59:59+14:00")},
			{"ancient instant", url.QueryEscape("0001-01-01T00:00:00-12:00")},
			{"bad cursor", "bm90LWEtY3Vyc29y"},
			{"cursor of another list", base64.RawURLEncoding.EncodeToString([]byte("t1:n|x"))},
			{"cursor past year 9999", base64.RawURLEncoding.EncodeToString([]byte("t1:9223372036854775807|x"))},
			{"cursor before year 1", base64.RawURLEncoding.EncodeToString([]byte("d1:-9223372036854775808|x"))},
			{"not base64", "%21%21%21"},
			{"NUL", "a%00b"},
			{"ESC", "%1B%5B31m"},
			{"CR-LF", "a%0D%0Ab"},
			{"empty", ""},
			{"yes", "yes"},
			{"date far away", "99999-01-01"},
			{"SQL", url.QueryEscape("' OR 1=1 --")},
		} {
			add(mk("query "+q+": "+v.name, target(form, q, v.raw), base, false))
		}
		add(mk("query "+q+": repeated", target(form, q, "1", "2"), base, false))
	}
}

// check sends one case and says what is wrong with the answer, "" when nothing is.
func (fx *badInputFixture) check(op badInputOp, bc badCase) (status int, msg string) {
	repro := func(format string, args ...any) string {
		body := ""
		if bc.body != nil {
			body = fmt.Sprintf(" body %q", truncate(string(bc.body), 80))
		}
		return fmt.Sprintf("[%s] %s %s%s: %s", bc.name, op.method, truncate(bc.path, 120), body, fmt.Sprintf(format, args...))
	}
	var rd io.Reader
	if bc.body != nil {
		rd = bytes.NewReader(bc.body)
	}
	req := httptest.NewRequest(op.method, bc.path, rd)
	if bc.chunk {
		req.ContentLength = -1
		req.Body = io.NopCloser(bytes.NewReader(bc.body))
	}
	if !bc.noAuth && bc.token != "" && !op.public {
		req.Header.Set("Authorization", "Bearer "+bc.token)
	}
	for k, vs := range bc.header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			status, msg = 0, repro("panic escaped the router: %v", p)
		}
	}()
	fx.ta.handler.ServeHTTP(rec, req)

	status = rec.Code
	switch {
	case status >= 500:
		return status, repro("status %d: %s", status, truncate(rec.Body.String(), 200))
	case !fx.allowed(op, bc, status):
		return status, repro("status %d is not documented for the operation: %s", status, truncate(rec.Body.String(), 200))
	case bc.refuse && status < 400:
		return status, repro("status %d, want a 4xx refusal", status)
	}
	if status >= 400 {
		var e ErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			return status, repro("status %d without the error envelope: %s", status, truncate(rec.Body.String(), 200))
		}
	}
	return status, ""
}

// allowed says whether the operation may answer status: what its OpenAPI entry documents,
// and the answers docs/api.md gives any request (413 to a body too large, 415 to a body sent
// as anything but JSON).
func (fx *badInputFixture) allowed(op badInputOp, bc badCase, status int) bool {
	switch {
	case op.documented[status]:
		return true
	case status == http.StatusRequestEntityTooLarge:
		return bc.body != nil
	case status == http.StatusUnsupportedMediaType:
		return bc.body != nil && strings.HasPrefix(op.path, "/api/v1/")
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("…(%d bytes)", len(s))
}

// zeroStarter starts every workflow as if its first step opened at once: the step's task is
// in the read model, and the opened update, the result and the queries answer with a state
// whose step is open with a deadline. Creates run through to their answer without Temporal.
type zeroStarter struct{ store *models.Store }

func (z zeroStarter) ExecuteWorkflow(ctx context.Context, o client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
	return zeroRun{id: o.ID}, z.open(ctx, o.ID)
}

func (zeroStarter) QueryWorkflow(context.Context, string, string, string, ...any) (converter.EncodedValue, error) {
	return zeroValue{}, nil
}

func (z zeroStarter) NewWithStartWorkflowOperation(o client.StartWorkflowOptions, _ any, _ ...any) client.WithStartWorkflowOperation {
	op := &fakeStartOp{o: o, run: zeroRun{id: o.ID}}
	op.err = z.open(context.Background(), o.ID)
	return op
}

func (zeroStarter) UpdateWithStartWorkflow(_ context.Context, o client.UpdateWithStartWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	if err := o.StartWorkflowOperation.(*fakeStartOp).err; err != nil {
		return nil, err
	}
	return zeroHandle{}, nil
}

// open puts the first step's task of the workflow in the read model.
func (z zeroStarter) open(ctx context.Context, workflowID string) error {
	now := time.Now()
	_, err := z.store.UpsertTask(ctx, models.Task{TaskID: workflowID + "/step/1", Revision: 1, Kind: "step", WorkflowID: workflowID,
		RequestID: workflowID, Procedure: "share", Step: "step", Status: "open", ReceivedAt: now, UpdatedAt: now})
	return err
}

// openState fills the state a handler decodes: a current step with a deadline, past the
// first revision.
func openState(ptr any) {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	v = v.Elem()
	if f := v.FieldByName("CurrentStep"); f.IsValid() && f.Kind() == reflect.String {
		f.SetString("step")
	}
	if f := v.FieldByName("DueAt"); f.IsValid() && f.Type() == reflect.TypeOf(&time.Time{}) {
		due := time.Now().Add(240 * time.Hour)
		f.Set(reflect.ValueOf(&due))
	}
	if f := v.FieldByName("Revision"); f.IsValid() && f.CanInt() {
		f.SetInt(2)
	}
}

type zeroRun struct {
	client.WorkflowRun
	id string
}

func (r zeroRun) GetID() string                      { return r.id }
func (r zeroRun) GetRunID() string                   { return "run-0" }
func (r zeroRun) Get(_ context.Context, v any) error { openState(v); return nil }

type zeroValue struct{}

func (zeroValue) HasValue() bool  { return true }
func (zeroValue) Get(v any) error { openState(v); return nil }

type zeroHandle struct{ client.WorkflowUpdateHandle }

func (zeroHandle) Get(_ context.Context, v any) error { openState(v); return nil }
