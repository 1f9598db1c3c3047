package api

import (
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func policeDept() map[string]any {
	return map[string]any{"name": "自治区公安厅", "kind": "department", "parent_id": models.DemoAuthorityID, "jurisdiction": models.DemoJurisdiction}
}

func staff(dept string, roles ...string) map[string]any {
	return map[string]any{"name": "张三（公安厅经办人）", "department_id": dept, "roles": roles}
}

func TestAdminPutsDepartments(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		var created, read DepartmentView
		ta.expect(ta.do("PUT", "/api/v1/departments/nx-gat", ta.admin(), policeDept()), 201).json(t, &created)
		want := DepartmentView{ID: "nx-gat", Name: "自治区公安厅", Kind: "department", ParentID: models.DemoAuthorityID, Jurisdiction: models.DemoJurisdiction}
		if created != want {
			t.Fatalf("created = %+v, want %+v", created, want)
		}
		ta.expect(ta.do("GET", "/api/v1/departments/nx-gat", ta.applicant(), nil), 200).json(t, &read)
		if read != want {
			t.Fatalf("read back = %+v, want %+v", read, want)
		}

		// PUT replaces: a left-out parent is no parent.
		replacement := withField(policeDept(), "name", "自治区公安厅（改）")
		delete(replacement, "parent_id")
		var replaced, readReplaced DepartmentView
		ta.expect(ta.do("PUT", "/api/v1/departments/nx-gat", ta.admin(), replacement), 200).json(t, &replaced)
		ta.expect(ta.do("GET", "/api/v1/departments/nx-gat", ta.applicant(), nil), 200).json(t, &readReplaced)
		if replaced.Name != "自治区公安厅（改）" || replaced.ParentID != "" || readReplaced != replaced {
			t.Fatalf("replaced = %+v, read back %+v", replaced, readReplaced)
		}

		ta.expect(ta.do("PUT", "/api/v1/departments/nx-gat", ta.authority(), policeDept()), 403)

		cases := []struct {
			name, path string
			body       map[string]any
			field      string
		}{
			{"id against the models rules", "/api/v1/departments/bad%20id", policeDept(), "id"},
			{"unknown parent", "/api/v1/departments/nx-gat", withField(policeDept(), "parent_id", "nx-nowhere"), "parent_id"},
			{"own parent", "/api/v1/departments/nx-gat", withField(policeDept(), "parent_id", "nx-gat"), "parent_id"},
			{"unknown kind", "/api/v1/departments/nx-gat", withField(policeDept(), "kind", "bureau"), "kind"},
			{"no jurisdiction", "/api/v1/departments/nx-gat", withField(policeDept(), "jurisdiction", ""), "jurisdiction"},
		}
		for _, tc := range cases {
			e := ta.expect(ta.do("PUT", tc.path, ta.admin(), tc.body), 400).errorBody(t)
			if e.Code != CodeInvalidInput || e.Fields[tc.field] == "" {
				t.Errorf("%s: error does not name %s: %+v", tc.name, tc.field, e)
			}
		}
		// The refused PUTs left the department as it was.
		var after DepartmentView
		ta.expect(ta.do("GET", "/api/v1/departments/nx-gat", ta.applicant(), nil), 200).json(t, &after)
		if after != replaced {
			t.Fatalf("after refused PUTs = %+v, want %+v", after, replaced)
		}
	})
}

func TestAdminPutsUsers(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		admin := ta.admin()
		ta.expect(ta.do("PUT", "/api/v1/departments/nx-gat", admin, policeDept()), 201)

		var created, read UserView
		ta.expect(ta.do("PUT", "/api/v1/users/gat-zhang", admin, staff("nx-gat", "applicant")), 201).json(t, &created)
		if created.ID != "gat-zhang" || created.DepartmentID != "nx-gat" || !slices.Equal(created.Roles, []string{"applicant"}) ||
			!created.Active || !strings.HasSuffix(created.CreatedAt, "+08:00") {
			t.Fatalf("created = %+v", created)
		}
		ta.expect(ta.do("GET", "/api/v1/users/gat-zhang", admin, nil), 200).json(t, &read)
		if !equalUsers(read, created) {
			t.Fatalf("read back = %+v, want %+v", read, created)
		}

		// PUT replaces the roles; the new set is what GET shows.
		ta.expect(ta.do("PUT", "/api/v1/users/gat-zhang", admin, staff("nx-gat", "approver", "applicant")), 200)
		ta.expect(ta.do("GET", "/api/v1/users/gat-zhang", admin, nil), 200).json(t, &read)
		if !slices.Equal(read.Roles, []string{"applicant", "approver"}) || read.CreatedAt != created.CreatedAt {
			t.Fatalf("after replacing roles = %+v", read)
		}

		// Deactivated, a user stays so when a later PUT leaves active out.
		ta.expect(ta.do("PUT", "/api/v1/users/gat-zhang", admin, withField(staff("nx-gat", "approver"), "active", false)), 200).json(t, &read)
		if read.Active {
			t.Fatalf("deactivated = %+v", read)
		}
		ta.expect(ta.do("PUT", "/api/v1/users/gat-zhang", admin, withField(staff("nx-gat", "approver"), "name", "张三")), 200)
		ta.expect(ta.do("GET", "/api/v1/users/gat-zhang", admin, nil), 200).json(t, &read)
		if read.Active || read.Name != "张三" {
			t.Fatalf("renamed while deactivated = %+v, want still inactive", read)
		}
		ta.expect(ta.do("PUT", "/api/v1/users/gat-zhang", admin, withField(staff("nx-gat", "approver"), "active", true)), 200).json(t, &read)
		if !read.Active {
			t.Fatalf("reactivated = %+v", read)
		}

		// A citizen belongs to no department.
		var citizen UserView
		ta.expect(ta.do("PUT", "/api/v1/users/citizen-chen", admin, map[string]any{"name": "陈静", "roles": []string{"citizen"}}), 201).json(t, &citizen)
		if citizen.DepartmentID != "" || !citizen.Active {
			t.Fatalf("citizen = %+v", citizen)
		}

		// Lists are ordered by id, and the department filter keeps only its users.
		ta.expect(ta.do("PUT", "/api/v1/users/gat-li", admin, staff("nx-gat", "dept_head")), 201)
		var list UserList
		ta.expect(ta.do("GET", "/api/v1/users?department=nx-gat", admin, nil), 200).json(t, &list)
		if ids := userIDs(list); !slices.Equal(ids, []string{"gat-li", "gat-zhang"}) {
			t.Fatalf("users of nx-gat = %v", ids)
		}
		ta.expect(ta.do("GET", "/api/v1/users", admin, nil), 200).json(t, &list)
		ids := userIDs(list)
		if len(ids) != len(models.DemoUsers())+3 || !slices.IsSorted(ids) || !slices.Contains(ids, "citizen-chen") {
			t.Fatalf("all users = %v", ids)
		}

		// A user reads itself, and no one else; listing is for admins.
		self := ta.token("gat-zhang", "nx-gat", auth.RoleApprover)
		ta.expect(ta.do("GET", "/api/v1/users/gat-zhang", self, nil), 200).json(t, &read)
		if read.ID != "gat-zhang" {
			t.Fatalf("self read = %+v", read)
		}
		for _, path := range []string{"/api/v1/users/gat-li", "/api/v1/users/demo-admin", "/api/v1/users"} {
			if e := ta.expect(ta.do("GET", path, self, nil), 403).errorBody(t); e.Code != CodeForbidden {
				t.Fatalf("GET %s as another user: %+v", path, e)
			}
		}
		// Reading itself does not extend to changing itself.
		ta.expect(ta.do("PUT", "/api/v1/users/gat-zhang", self, staff("nx-gat", "admin")), 403)
		if e := ta.expect(ta.do("GET", "/api/v1/users/gat-nobody", admin, nil), 404).errorBody(t); e.Code != CodeNotFound {
			t.Fatalf("missing user: %+v", e)
		}
	})
}

func TestUserInputIsChecked(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		cases := []struct {
			name  string
			body  any
			field string
		}{
			{"unknown role", staff(models.DemoUsingDeptID, "applicant", "superuser"), "roles"},
			{"roles null", staff(models.DemoUsingDeptID), "roles"},
			{"no role", withField(staff(models.DemoUsingDeptID), "roles", []string{}), "roles"},
			{"roles left out", map[string]any{"name": "x", "department_id": models.DemoUsingDeptID}, "roles"},
			{"citizen and staff", staff("", "citizen", "applicant"), "roles"},
			{"unknown department", staff("nx-nowhere", "applicant"), "department_id"},
			{"malformed department", staff("有 空格", "applicant"), "department_id"},
			{"citizen with department", staff(models.DemoUsingDeptID, "citizen"), "department_id"},
			{"staff without department", staff("", "approver"), "department_id"},
			{"no name", withField(staff(models.DemoUsingDeptID, "applicant"), "name", " "), "name"},
			{"misspelt field", withField(staff(models.DemoUsingDeptID, "applicant"), "activ", false), "activ"},
			{"active not a bool", withField(staff(models.DemoUsingDeptID, "applicant"), "active", "yes"), "active"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				e := ta.expect(ta.do("PUT", "/api/v1/users/rst-new", ta.admin(), tc.body), 400).errorBody(t)
				if e.Code != CodeInvalidInput || e.Fields[tc.field] == "" || !strings.Contains(e.Message, tc.field) {
					t.Fatalf("error does not name %s: %+v", tc.field, e)
				}
			})
		}
		ta.expect(ta.do("GET", "/api/v1/users/rst-new", ta.admin(), nil), 404)
	})
}

func TestAdminCannotLockThemselvesOut(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		admin := ta.admin() // demo-admin, an admin of the authority in the demo users
		self := staff(models.DemoAuthorityID, "admin")

		for name, tc := range map[string]struct {
			body    map[string]any
			message string
		}{
			"drop own admin role": {staff(models.DemoAuthorityID, "authority"), "admin role"},
			"deactivate self":     {withField(self, "active", false), "deactivate"},
		} {
			e := ta.expect(ta.do("PUT", "/api/v1/users/demo-admin", admin, tc.body), 422).errorBody(t)
			if e.Code != CodeRuleViolated || !strings.Contains(e.Message, tc.message) {
				t.Errorf("%s: %+v", name, e)
			}
		}
		// Bad input is reported as such before the rule is looked at.
		if e := ta.expect(ta.do("PUT", "/api/v1/users/demo-admin", admin, staff(models.DemoAuthorityID, "superuser")), 400).errorBody(t); e.Fields["roles"] == "" {
			t.Errorf("bad roles for self: %+v", e)
		}
		var read UserView
		ta.expect(ta.do("GET", "/api/v1/users/demo-admin", admin, nil), 200).json(t, &read)
		if !slices.Equal(read.Roles, []string{"admin"}) || !read.Active {
			t.Fatalf("refused changes went through: %+v", read)
		}

		// Keeping the admin role, an admin may change its own record...
		ta.expect(ta.do("PUT", "/api/v1/users/demo-admin", admin, staff(models.DemoAuthorityID, "admin", "authority")), 200).json(t, &read)
		if !slices.Equal(read.Roles, []string{"admin", "authority"}) || !read.Active {
			t.Fatalf("own change = %+v", read)
		}
		// ...and another admin may take the role away.
		other := ta.token("ops-admin", models.DemoAuthorityID, auth.RoleAdmin)
		ta.expect(ta.do("PUT", "/api/v1/users/demo-admin", other, withField(staff(models.DemoAuthorityID, "authority"), "active", false)), 200).json(t, &read)
		if !slices.Equal(read.Roles, []string{"authority"}) || read.Active {
			t.Fatalf("changed by another admin = %+v", read)
		}
	})
}

// equalUsers compares views, whose Roles slice makes them incomparable with ==.
func equalUsers(a, b UserView) bool {
	return slices.Equal(a.Roles, b.Roles) && a.ID == b.ID && a.Name == b.Name && a.DepartmentID == b.DepartmentID &&
		a.Active == b.Active && a.CreatedAt == b.CreatedAt && a.UpdatedAt == b.UpdatedAt
}

func userIDs(l UserList) []string {
	ids := make([]string, len(l.Items))
	for i, u := range l.Items {
		ids[i] = u.ID
	}
	return ids
}

// Department and user ids match directoryIDPattern and never read as a path step; a
// department's jurisdiction is one of the profiles. Each refusal is 400 naming the field, and
// nothing is stored. The demo ids (nx-rst, demo-applicant, …) and ids of every profile's demo
// set pass.
func TestDirectoryIDsAndJurisdictions(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	admin := ta.admin()
	badIDs := []string{
		"..", ".", "...", "a..b", "nx..gat", ".hidden", "-dash", "_under", "a%2Fb", "a%2F..%2Fb", "%2E%2E",
		"有中文", "a%20b", "a%3Ab", "user@example.gov.cn", "a%09b", "a%0Ab", strings.Repeat("a", 65),
	}
	for _, id := range badIDs {
		for _, tc := range []struct {
			kind string
			body map[string]any
		}{{"departments", policeDept()}, {"users", staff(models.DemoUsingDeptID, "applicant")}} {
			r := ta.do("PUT", "/api/v1/"+tc.kind+"/"+id, admin, tc.body)
			if r.status != 400 {
				t.Errorf("PUT %s/%s: status %d, want 400: %s", tc.kind, id, r.status, r.body)
				continue
			}
			if e := r.errorBody(t); e.Code != CodeInvalidInput || e.Fields["id"] == "" {
				t.Errorf("PUT %s/%s: error does not name id: %+v", tc.kind, id, e)
			}
		}
	}
	var deps DepartmentList
	ta.expect(ta.do("GET", "/api/v1/departments", admin, nil), 200).json(t, &deps)
	if len(deps.Items) != 4 {
		t.Errorf("departments after refused PUTs: %+v", deps.Items)
	}
	var users UserList
	ta.expect(ta.do("GET", "/api/v1/users", admin, nil), 200).json(t, &users)
	if len(users.Items) != len(models.DemoUsers()) {
		t.Errorf("users after refused PUTs: %d, want the %d demo users", len(users.Items), len(models.DemoUsers()))
	}

	// Good ids: the longest, dots, dashes and underscores inside, and every demo id.
	good := []string{"a", "7", "nx-gat", "gat.zhang_01", "A-b.C_d", strings.Repeat("z", 64)}
	for _, profile := range []string{"ningxia", "wuhai", "liaoning", "neixiang", "national"} {
		for _, d := range models.DemoDepartmentsFor(profile) {
			good = append(good, d.ID)
		}
	}
	for _, u := range models.DemoUsers() {
		good = append(good, u.ID)
	}
	for _, id := range good {
		if !directoryID.MatchString(id) || checkDirectoryID(id) != nil {
			t.Errorf("id %q is refused", id)
		}
	}
	ta.expect(ta.do("PUT", "/api/v1/departments/"+strings.Repeat("z", 64), admin, policeDept()), 201)
	ta.expect(ta.do("PUT", "/api/v1/users/gat.zhang_01", admin, staff(models.DemoUsingDeptID, "applicant")), 201)

	// Jurisdictions: the profile ids only.
	for _, j := range []string{"neixiang", "wuhai", "liaoning", "ningxia", "national"} {
		ta.expect(ta.do("PUT", "/api/v1/departments/dep-"+j, admin, withField(policeDept(), "jurisdiction", j)), 201)
	}
	for _, j := range []string{"宁夏回族自治区", "Ningxia", "beijing", "ningxia ", " "} {
		e := ta.expect(ta.do("PUT", "/api/v1/departments/dep-x", admin, withField(policeDept(), "jurisdiction", j)), 400).errorBody(t)
		if e.Code != CodeInvalidInput || !strings.Contains(e.Fields["jurisdiction"], "neixiang") {
			t.Errorf("jurisdiction %q: %+v", j, e)
		}
	}
	ta.expect(ta.do("GET", "/api/v1/departments/dep-x", admin, nil), 404)
}

// The OpenAPI document states the pattern of the ids the PUTs take.
func TestOpenAPIStatesDirectoryIDPattern(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string `json:"name"`
				Schema struct {
					Pattern string `json:"pattern"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	ta.expect(ta.do("GET", OpenAPIPath, "", nil), 200).json(t, &doc)
	for _, path := range []string{"/api/v1/departments/{id}", "/api/v1/users/{id}"} {
		params := doc.Paths[path]["put"].Parameters
		if len(params) != 1 || params[0].Name != "id" || params[0].Schema.Pattern != directoryIDPattern {
			t.Errorf("PUT %s parameters = %+v", path, params)
		}
	}
}

// A profile loaded from a file names a jurisdiction beside the shipped ones.
func TestKnownJurisdictionsIncludeLoadedProfiles(t *testing.T) {
	profiles := testPolicies(t)
	custom := profiles[0]
	custom.ID = "yinchuan"
	got := knownJurisdictions(append(profiles, custom))
	if !slices.Equal(got, []string{"liaoning", "national", "neixiang", "ningxia", "wuhai", "yinchuan"}) {
		t.Errorf("known jurisdictions = %v", got)
	}
}
