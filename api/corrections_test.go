package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func correctionInput(resourceID int64) map[string]any {
	return map[string]any{"resource_id": resourceID, "fields": []string{"注册资本"},
		"description": "注册资本与营业执照记载不一致",
		"evidence":    map[string]any{"attachments": []string{"att-license-001"}, "text": "营业执照副本"}}
}

// A report is checked before any workflow starts: each missing part is a 400 naming its field,
// data the department did not obtain is a 403, a resource that cannot be reported on a 422.
func TestCreateCorrectionRejectsBadReports(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	unconditional := demoResourceID(t, ta, "NX-SCJG-0001")
	conditional := demoResourceID(t, ta, "NX-SCJG-0002")
	own := demoResourceID(t, ta, "NX-RST-0001")

	without := func(key string) map[string]any {
		in := correctionInput(unconditional)
		delete(in, key)
		return in
	}
	blankEvidence := correctionInput(unconditional)
	blankEvidence["evidence"] = map[string]any{"attachments": []string{" "}, "text": " "}
	citizen := correctionInput(unconditional)
	citizen["citizen_objection"] = map[string]any{"source": ""}
	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no fields", without("fields"), "fields"},
		{"no description", without("description"), "description"},
		{"no evidence", without("evidence"), "evidence"},
		{"blank evidence", blankEvidence, "evidence"},
		{"citizen objection without source", citizen, "citizen_objection.source"},
		{"no resource", without("resource_id"), "resource_id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := ta.expect(ta.do("POST", "/api/v1/corrections", ta.applicant(), c.body), 400).errorBody(t)
			if e.Code != CodeInvalidInput || e.Fields[c.field] == "" {
				t.Errorf("error = %+v, want invalid_input naming %s", e, c.field)
			}
		})
	}

	// No grant for a conditionally shared resource: the department never obtained the data.
	e := ta.expect(ta.do("POST", "/api/v1/corrections", ta.applicant(), correctionInput(conditional)), 403).errorBody(t)
	if e.Code != CodeForbidden || !strings.Contains(e.Message, "grant") {
		t.Errorf("no grant: %+v", e)
	}
	// One's own data is corrected at source; an unknown resource cannot be reported on.
	for _, id := range []int64{own, 999999} {
		e := ta.expect(ta.do("POST", "/api/v1/corrections", ta.applicant(), correctionInput(id)), 422).errorBody(t)
		if e.Code != CodeRuleViolated || e.Fields["resource_id"] == "" {
			t.Errorf("resource %d: %+v", id, e)
		}
	}
	// Only a using department's applicant reports.
	ta.expect(ta.do("POST", "/api/v1/corrections", ta.providerApprover(), correctionInput(unconditional)), 403)
	if n := ta.starter.count(); n != 0 {
		t.Errorf("%d workflows started for rejected reports", n)
	}
}

// The catalog shows a resource with an open correction as under verification, with the rule
// that business goes on and its article (宁夏 第十五条), and drops the flag once it is closed.
// Corrections are visible to their departments and the authority only.
func TestCorrectionFlagAndScoping(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	st := models.NewStore(db)
	ctx := context.Background()
	res := demoResourceID(t, ta, "NX-SCJG-0001")
	path := "/api/v1/catalog/resources/" + itoa(res)

	var view CatalogResourceView
	ta.expect(ta.do("GET", path, ta.applicant(), nil), 200).json(t, &view)
	if view.UnderVerification || view.VerificationRule != "" {
		t.Fatalf("flag before any correction: %+v", view)
	}

	created := time.Date(2026, 2, 12, 10, 0, 0, 0, chinaTime)
	due := created.AddDate(0, 0, 20)
	row := models.Correction{ID: "DC-20260212100000-aa", ResourceID: res, ResourceCode: "NX-SCJG-0001", ResourceName: "企业登记信息",
		ReporterDeptID: models.DemoUsingDeptID, ReporterSubject: "demo-applicant", ProviderDeptID: models.DemoProvidingDeptID,
		ProducerDeptID: models.DemoProvidingDeptID, FormJSON: `{"fields":["注册资本"],"description":"不一致","evidence":{"attachments":["att-1"],"text":""}}`,
		Status: models.CorrectionVerifying, CurrentStep: "verify", DueAt: &due, LocalDefault: true,
		LegalBasisJSON: `["《宁夏回族自治区政务数据资源共享管理办法》第十五条"]`, WorkflowID: "correction-DC-20260212100000-aa",
		Revision: 1, CreatedAt: created, UpdatedAt: created}
	if _, err := st.UpsertCorrection(ctx, row); err != nil {
		t.Fatal(err)
	}
	ta.expect(ta.do("GET", path, ta.applicant(), nil), 200).json(t, &view)
	if !view.UnderVerification || !strings.Contains(view.VerificationRule, "第十五条") {
		t.Fatalf("flag with an open correction: %+v", view)
	}
	var page CatalogResourceList
	ta.expect(ta.do("GET", "/api/v1/catalog/resources?q=NX-SCJG", ta.applicant(), nil), 200).json(t, &page)
	flagged := map[string]bool{}
	for _, it := range page.Items {
		flagged[it.Code] = it.UnderVerification
	}
	if !flagged["NX-SCJG-0001"] || flagged["NX-SCJG-0002"] {
		t.Errorf("list flags = %v", flagged)
	}

	// Scoping: the reporter, the provider and the authority see it; another department does not.
	var list CorrectionList
	ta.expect(ta.do("GET", "/api/v1/corrections?status=verifying", ta.providerApprover(), nil), 200).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != row.ID || !list.Items[0].LocalDefault || list.Items[0].Evidence.Attachments[0] != "att-1" {
		t.Fatalf("provider's list = %+v", list)
	}
	ta.expect(ta.do("GET", "/api/v1/corrections/"+row.ID, ta.authority(), nil), 200)
	outsider := ta.token("x-approver", "nx-other", "approver")
	ta.expect(ta.do("GET", "/api/v1/corrections/"+row.ID, outsider, nil), 404)
	ta.expect(ta.do("GET", "/api/v1/corrections", outsider, nil), 200).json(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("outsider's list = %+v", list)
	}
	ta.expect(ta.do("GET", "/api/v1/corrections?status=nope", ta.authority(), nil), 400)
	// No result is waiting for the reporter: nothing to accept or dispute.
	ta.expect(ta.do("POST", "/api/v1/corrections/"+row.ID+"/dispute", ta.applicant(), map[string]any{"reason": "x"}), 409)
	ta.expect(ta.do("POST", "/api/v1/corrections/"+row.ID+"/dispute", ta.applicant(), map[string]any{}), 400)

	closed := row
	closed.Revision, closed.Status, closed.CurrentStep, closed.DueAt = 2, models.CorrectionAccepted, "", nil
	at := created.AddDate(0, 0, 3)
	closed.ClosedAt = &at
	if _, err := st.UpsertCorrection(ctx, closed); err != nil {
		t.Fatal(err)
	}
	view = CatalogResourceView{}
	ta.expect(ta.do("GET", path, ta.applicant(), nil), 200).json(t, &view)
	if view.UnderVerification || view.VerificationRule != "" {
		t.Fatalf("flag after the correction closed: %+v", view)
	}
}

// A profile that does not define the correction procedure answers 422
// procedure_not_in_profile, naming the profile, before anything else is looked up.
func TestCreateCorrectionOutsideTheProfile(t *testing.T) {
	var profile policy.Profile
	for _, p := range testPolicies(t) {
		if p.ID == "wuhai" {
			profile = p
		}
	}
	procs := slices.Clone(profile.Procedures)
	for i := range procs {
		if procs[i].Code == policy.ProcCorrection {
			procs[i].Applies, procs[i].Steps = false, nil
		}
	}
	profile.Procedures = procs
	h := correctionHandlers{profile: profile, now: time.Now}
	r := gin.New()
	r.POST("/corrections", func(c *gin.Context) {
		c.Set(ctxPrincipal, auth.Principal{Subject: "demo-applicant", DepartmentID: models.DemoUsingDeptID, Roles: []auth.Role{auth.RoleApplicant}})
	}, h.create)
	body, _ := json.Marshal(correctionInput(1))
	w := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/corrections", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	r.ServeHTTP(w, req)
	var e ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != 422 || e.Error.Code != CodeProcedureNotInProfile || !strings.Contains(e.Error.Message, "wuhai") {
		t.Errorf("answer %d %s", w.Code, w.Body.String())
	}
}

// The rule shown beside a resource under verification cites the profile's own article where its
// measures state it (宁夏 第十五条, 辽宁 第十八条第三款), and elsewhere is a local default that
// names no other jurisdiction's measures — a 乌海, 内乡 or national deployment is not told 宁夏's.
func TestVerificationRuleNamesOnlyItsOwnMeasures(t *testing.T) {
	for _, p := range testPolicies(t) {
		rule := verificationRule(p)
		switch p.ID {
		case "ningxia", "liaoning":
			if !strings.Contains(rule, "《"+p.Documents[0].Title+"》") || strings.Contains(rule, "local default") {
				t.Errorf("%s: %q", p.ID, rule)
			}
		default:
			if !strings.Contains(rule, "local default") || strings.ContainsAny(rule, "宁辽《") {
				t.Errorf("%s: %q", p.ID, rule)
			}
		}
	}
}
