package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func catalogUpdateInput(changedOn string, resourceIDs ...int64) map[string]any {
	return map[string]any{"trigger": "law_revised", "basis": "《宁夏回族自治区市场主体登记管理条例》修订",
		"changed_on": changedOn, "resource_ids": resourceIDs}
}

// A report is checked before any workflow starts: the trigger, the date, whose department and
// whose resources. Each refusal names the field.
func TestCreateCatalogUpdateRefusesBadInput(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	own := demoResourceID(t, ta, "NX-SCJG-0001")
	others := demoResourceID(t, ta, "NX-RST-0001")
	today := time.Now().In(chinaTime).Format(time.DateOnly)
	tomorrow := time.Now().In(chinaTime).AddDate(0, 0, 1).Format(time.DateOnly)
	with := func(m map[string]any, k string, v any) map[string]any { m[k] = v; return m }

	tests := []struct {
		name   string
		token  string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"unknown trigger", ta.providerApprover(), with(catalogUpdateInput(today), "trigger", "law_changed"), 400, CodeInvalidInput, "trigger"},
		{"no trigger", ta.providerApprover(), with(catalogUpdateInput(today), "trigger", ""), 400, CodeInvalidInput, "trigger"},
		{"blank basis", ta.providerApprover(), with(catalogUpdateInput(today), "basis", "  "), 400, CodeInvalidInput, "basis"},
		{"not a date", ta.providerApprover(), catalogUpdateInput("2026-02-30"), 400, CodeInvalidInput, "changed_on"},
		{"future change", ta.providerApprover(), catalogUpdateInput(tomorrow), 422, CodeRuleViolated, "changed_on"},
		{"another department's resource", ta.providerApprover(), catalogUpdateInput(today, own, others), 422, CodeRuleViolated, "resource_ids"},
		{"no such resource", ta.providerApprover(), catalogUpdateInput(today, 999999), 422, CodeRuleViolated, "resource_ids"},
		{"approver for another department", ta.providerApprover(), with(catalogUpdateInput(today), "department_id", models.DemoUsingDeptID), 403, CodeForbidden, ""},
		{"applicant", ta.applicant(), catalogUpdateInput(today), 403, CodeForbidden, ""},
		{"authority without department", ta.authority(), catalogUpdateInput(today), 400, CodeInvalidInput, "department_id"},
		{"authority, unknown department", ta.authority(), with(catalogUpdateInput(today), "department_id", "nx-nowhere"), 422, CodeRuleViolated, "department_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e struct{ Error Error }
			ta.expect(ta.do("POST", "/api/v1/catalog-updates", tc.token, tc.body), tc.status).json(t, &e)
			if e.Error.Code != tc.code {
				t.Errorf("code = %q, want %q (%s)", e.Error.Code, tc.code, e.Error.Message)
			}
			if _, ok := e.Error.Fields[tc.field]; tc.field != "" && !ok {
				t.Errorf("fields = %v, want %q named", e.Error.Fields, tc.field)
			}
		})
	}
	if n := ta.starter.count(); n != 0 {
		t.Fatalf("%d workflows started for refused reports", n)
	}
}

// Another department cannot submit a department's catalog update, nor read it; an unknown
// update is not found.
func TestCatalogUpdateScoping(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	st := models.NewStore(db)
	due := time.Date(2026, 11, 2, 23, 59, 59, 0, chinaTime) // past: the list shows it overdue
	if _, err := st.UpsertCatalogUpdate(t.Context(), models.CatalogUpdate{ID: "CU-1", DepartmentID: models.DemoProvidingDeptID,
		FormJSON: `{"trigger":"law_revised","basis":"x","changed_on":"2026-11-20"}`, Status: models.CatalogUpdateUpdating, CurrentStep: "update",
		DueAt: &due, WorkflowID: "catalog-update-CU-1", Revision: 1, CreatedAt: due}); err != nil {
		t.Fatal(err)
	}
	submit := map[string]any{"resource_versions": []map[string]any{{"resource_id": 1, "version": 3}}}
	ta.expect(ta.do("POST", "/api/v1/catalog-updates/CU-1/submit", ta.otherApprover(), submit), http.StatusForbidden)
	ta.expect(ta.do("POST", "/api/v1/catalog-updates/CU-1/submit", ta.providerApprover(), map[string]any{"resource_versions": []any{}}), http.StatusBadRequest)
	ta.expect(ta.do("GET", "/api/v1/catalog-updates/CU-1", ta.otherApprover(), nil), http.StatusNotFound)
	ta.expect(ta.do("GET", "/api/v1/catalog-updates/CU-2", ta.providerApprover(), nil), http.StatusNotFound)

	var list CatalogUpdateList
	ta.expect(ta.do("GET", "/api/v1/catalog-updates", ta.otherApprover(), nil), 200).json(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("another department lists %+v", list.Items)
	}
	ta.expect(ta.do("GET", "/api/v1/catalog-updates?overdue=true", ta.authority(), nil), 200).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != "CU-1" || list.Items[0].DueAt == nil || len(list.Items[0].LegalBasis) != 0 {
		t.Fatalf("authority's overdue list = %+v", list.Items)
	}
	ta.expect(ta.do("GET", "/api/v1/catalog-updates?status=nonsense", ta.authority(), nil), 400)
}
