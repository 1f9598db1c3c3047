package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

// Administrative changes land in the audit log as they succeed (a refused one does not); the
// authority and admins read it with filters, and nobody else does.
func TestAuditLogOfAdministrativeChanges(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	var created CatalogResourceView
	ta.expect(ta.do("POST", resourcesPath, ta.providerApprover(), conditionalInput("NX-SCJG-A01")), 201).json(t, &created)
	ta.expect(ta.do("PUT", "/api/v1/users/demo-x", ta.admin(), map[string]any{"name": "新用户", "department_id": models.DemoUsingDeptID, "roles": []string{"applicant"}, "active": true}), 201)
	ta.expect(ta.do("PUT", "/api/v1/users/demo-y", ta.admin(), map[string]any{"name": "坏", "roles": []string{"nonsense"}}), 400)

	var log AuditEventList
	ta.expect(ta.do("GET", "/api/v1/audit-events", ta.authority(), nil), 200).json(t, &log)
	if len(log.Items) != 2 || log.Items[0].Action != "putUser" || log.Items[1].Action != "createCatalogResource" {
		t.Fatalf("audit log = %+v", log.Items)
	}
	user, res := log.Items[0], log.Items[1]
	if user.Actor != "demo-admin" || user.DepartmentID != models.DemoAuthorityID || user.Object != "PUT /api/v1/users/demo-x" || user.HTTPRequestID == "" {
		t.Errorf("putUser event = %+v", user)
	}
	if res.ResourceID == nil || *res.ResourceID != created.ID || res.Actor != "demo-approver" {
		t.Errorf("create event = %+v, want resource %d", res, created.ID)
	}
	ta.expect(ta.do("GET", "/api/v1/audit-events?action=putUser", ta.admin(), nil), 200).json(t, &log)
	if len(log.Items) != 1 {
		t.Errorf("filtered by action: %+v", log.Items)
	}
	ta.expect(ta.do("GET", "/api/v1/audit-events?resource_id="+itoa(created.ID)+"&department="+models.DemoProvidingDeptID, ta.admin(), nil), 200).json(t, &log)
	if len(log.Items) != 1 || log.Items[0].Action != "createCatalogResource" {
		t.Errorf("filtered by resource and department: %+v", log.Items)
	}
	if e := ta.expect(ta.do("GET", "/api/v1/audit-events?from=yesterday", ta.admin(), nil), 400).errorBody(t); e.Fields["from"] == "" {
		t.Errorf("bad from: %+v", e)
	}
	ta.expect(ta.do("GET", "/api/v1/audit-events", ta.applicant(), nil), 403)
	ta.expect(ta.do("GET", "/api/v1/audit-events/export", ta.providerApprover(), nil), 403)

	// The export is CSV with a header row, one line per event.
	r := ta.expect(ta.do("GET", "/api/v1/audit-events/export?from=2020-01-01", ta.authority(), nil), 200)
	body := strings.TrimPrefix(string(r.body), "\uFEFF")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || len(lines) != 3 || !strings.HasPrefix(lines[0], "id,at,actor,department_id,action") ||
		!strings.Contains(lines[1], "putUser") {
		t.Errorf("export = %s %q", r.header.Get("Content-Type"), body)
	}
}

// Data provided and received under a grant are recorded by the two departments (内乡
// 第三十三条), only while the grant is active.
func TestRecordDataAccess(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	st := models.NewStore(db)
	now := time.Now()
	grant := models.Grant{ID: "G-SR-A", RequestID: "SR-A", ResourceID: 2, ConsumerDeptID: models.DemoUsingDeptID,
		ProviderDeptID: models.DemoProvidingDeptID, Scope: "姓名", UsagePurpose: "核验", ValidFrom: now, ValidUntil: now.AddDate(0, 0, 30),
		Status: models.GrantActive, Revision: 1, UpdatedAt: now}
	if _, err := st.UpsertGrant(context.Background(), grant); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/grants/G-SR-A/accesses"
	var provided AuditEventView
	ta.expect(ta.do("POST", path, ta.providerApprover(), map[string]any{"direction": "provided", "records": 120, "note": "接口调用"}), 201).json(t, &provided)
	if provided.ID == 0 || provided.Action != models.AuditDataProvided || provided.ResourceID == nil || *provided.ResourceID != 2 ||
		provided.RequestID != "SR-A" || provided.Details["records"] != float64(120) {
		t.Fatalf("provided = %+v", provided)
	}
	ta.expect(ta.do("POST", path, ta.applicant(), map[string]any{"direction": "received", "records": 120}), 201)
	// The consumer does not record what the provider delivered, nor the other way round.
	ta.expect(ta.do("POST", path, ta.applicant(), map[string]any{"direction": "provided", "records": 1}), 403)
	ta.expect(ta.do("POST", path, ta.token("x", models.DemoProvidingDeptID, auth.RoleApplicant), map[string]any{"direction": "provided", "records": 1}), 403)
	ta.expect(ta.do("POST", path, ta.otherApprover(), map[string]any{"direction": "provided", "records": 1}), 403)
	if e := ta.expect(ta.do("POST", path, ta.providerApprover(), map[string]any{"direction": "sideways"}), 400).errorBody(t); e.Fields["direction"] == "" {
		t.Errorf("bad direction: %+v", e)
	}
	ta.expect(ta.do("POST", "/api/v1/grants/G-NONE/accesses", ta.providerApprover(), map[string]any{"direction": "provided"}), 404)

	grant.Status, grant.Revision = models.GrantSuspended, 2
	if _, err := st.UpsertGrant(context.Background(), grant); err != nil {
		t.Fatal(err)
	}
	if e := ta.expect(ta.do("POST", path, ta.providerApprover(), map[string]any{"direction": "provided", "records": 5}), http.StatusConflict).errorBody(t); !strings.Contains(e.Message, "suspended") {
		t.Errorf("suspended grant: %+v", e)
	}
	var log AuditEventList
	ta.expect(ta.do("GET", "/api/v1/audit-events?resource_id=2", ta.authority(), nil), 200).json(t, &log)
	if len(log.Items) != 2 || log.Items[0].Action != models.AuditDataReceived || log.Items[1].Action != models.AuditDataProvided {
		t.Errorf("log of resource 2 = %+v", log.Items)
	}
}
