package api

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models/modelstest"
)

// A principal holding only the citizen role (公民、法人和其他组织) never sees a department's inbox
// or lists: 403 from the route's roles. A citizen who is also staff of a department keeps them.
func TestCitizenIsolationFromDepartmentLists(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		citizen := ta.token("demo-citizen", "", auth.RoleCitizen)
		for _, path := range []string{"/api/v1/tasks", "/api/v1/share-requests", "/api/v1/grants", "/api/v1/catalog-updates",
			"/api/v1/corrections", "/api/v1/rectifications"} {
			if e := ta.expect(ta.do("GET", path, citizen, nil), 403).errorBody(t); e.Code != CodeForbidden {
				t.Errorf("%s: %+v", path, e)
			}
		}
		staff := ta.token("demo-applicant", "nx-rsj", auth.RoleApplicant, auth.RoleCitizen)
		ta.expect(ta.do("GET", "/api/v1/tasks", staff, nil), 200)
		// The citizen's own list is open to it, and empty.
		var own OpenDataRequestList
		ta.expect(ta.do("GET", "/api/v1/open-data-requests", citizen, nil), 200).json(t, &own)
		if len(own.Items) != 0 {
			t.Errorf("own list = %+v", own)
		}
	})
}

// A citizen sees the open catalog only: published resources open unconditionally or on
// conditions. A resource that is not open is not found, in the list, its detail and its
// versions; departments still see it.
func TestCitizenSeesOpenCatalogOnly(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		citizen := ta.token("demo-citizen", "", auth.RoleCitizen)
		notOpen := demoResourceID(t, ta, "NX-SCJG-0002")
		open := demoResourceID(t, ta, "NX-SCJG-0001")
		conditional := demoResourceID(t, ta, "NX-SCJG-0004")
		var page CatalogResourceList
		ta.expect(ta.do("GET", "/api/v1/catalog/resources?limit=100", citizen, nil), 200).json(t, &page)
		var ids []int64
		for _, it := range page.Items {
			if it.Status != "published" || (it.OpenType != "unconditional" && it.OpenType != "conditional") {
				t.Errorf("a citizen listed %s (%s, open type %s)", it.Code, it.Status, it.OpenType)
			}
			ids = append(ids, it.ID)
		}
		if len(ids) != 2 || ids[0] != open || ids[1] != conditional {
			t.Errorf("open catalog ids = %v, want [%d %d]", ids, open, conditional)
		}
		path := "/api/v1/catalog/resources/" + itoa(notOpen)
		ta.expect(ta.do("GET", path, citizen, nil), 404)
		ta.expect(ta.do("GET", path+"/versions", citizen, nil), 404)
		ta.expect(ta.do("GET", "/api/v1/catalog/resources/"+itoa(open), citizen, nil), 200)
		ta.expect(ta.do("GET", path, ta.applicant(), nil), 200)
	})
}

// Under ningxia, whose measures do not provide for open data (第二十四条), a request is refused
// with procedure_not_in_profile naming the profile; only citizens submit at all.
func TestOpenDataNotInNingxiaProfile(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		body := map[string]any{"resource_id": demoResourceID(t, ta, "NX-SCJG-0004"), "purpose": "研究", "scope": "2025年"}
		e := ta.expect(ta.do("POST", "/api/v1/open-data-requests", ta.token("demo-citizen", "", auth.RoleCitizen), body), 422).errorBody(t)
		if e.Code != CodeProcedureNotInProfile || !strings.Contains(e.Message, "ningxia") {
			t.Errorf("ningxia: %+v", e)
		}
		ta.expect(ta.do("POST", "/api/v1/open-data-requests", ta.applicant(), body), 403)
		if len(ta.starter.starts) != 0 {
			t.Errorf("a workflow was started: %+v", ta.starter.starts)
		}
	})
}
