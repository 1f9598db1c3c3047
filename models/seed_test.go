package models_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func TestSeedDemoOnce(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		created, err := models.SeedDemo(ctx, db)
		if err != nil || !created {
			t.Fatalf("first seed = %v, %v; want created", created, err)
		}
		count := func() (n [3]int) {
			deps, _ := st.ListDepartments(ctx)
			users, _ := st.ListUsers(ctx, "")
			res, _, _ := st.ListResources(ctx, models.ResourceFilter{Viewer: models.Viewer{SeesAll: true}})
			return [3]int{len(deps), len(users), len(res)}
		}
		first := count()
		if first != [3]int{4, len(models.DemoUsers()), 5} {
			t.Errorf("after seeding: departments, users, resources = %v", first)
		}

		created, err = models.SeedDemo(ctx, db)
		if err != nil || created {
			t.Fatalf("second seed = %v, %v; want nothing created", created, err)
		}
		if again := count(); again != first {
			t.Errorf("second seed changed counts %v to %v", first, again)
		}

		authority, err := st.GetDepartment(ctx, models.DemoAuthorityID)
		if err != nil || authority.Kind != models.KindAuthority || authority.Jurisdiction != "ningxia" {
			t.Errorf("authority = %+v, %v", authority, err)
		}
		citizen, err := st.GetUser(ctx, "demo-citizen")
		if err != nil || citizen.DepartmentID != nil || !citizen.HasRole(models.RoleCitizen) {
			t.Errorf("demo-citizen = %+v, %v", citizen, err)
		}

		// The providing department publishes resources of every share type, with history.
		published, _, err := st.ListResources(ctx, models.ResourceFilter{
			ProviderDeptID: models.DemoProvidingDeptID, Status: models.StatusPublished, Viewer: models.Viewer{SeesAll: true}})
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, r := range published {
			types = append(types, string(r.ShareType))
			if r.ShareType != models.ShareUnconditional && r.LegalBasis == "" {
				t.Errorf("%s (%s) has no legal basis", r.Code, r.ShareType)
			}
			if len(r.Validate()) > 0 {
				t.Errorf("%s invalid: %v", r.Code, r.Validate())
			}
			versions, err := st.ListResourceVersions(ctx, r.ID)
			if err != nil || len(versions) != 3 || versions[2].Actor != "demo-authority" {
				t.Errorf("%s history = %d revisions, %v", r.Code, len(versions), err)
			}
		}
		slices.Sort(types)
		if !slices.Equal(types, []string{"conditional", "none", "unconditional", "unconditional"}) {
			t.Errorf("published share types = %v", types)
		}
		own, _, _ := st.ListResources(ctx, models.ResourceFilter{ProviderDeptID: models.DemoUsingDeptID, Viewer: models.Viewer{SeesAll: true}})
		if len(own) != 1 {
			t.Errorf("using department has %d resources, want 1", len(own))
		}
	})
}

func TestDemoUsers(t *testing.T) {
	users := models.DemoUsers()
	want := map[string]string{
		"demo-applicant": models.RoleApplicant, "demo-approver": models.RoleApprover,
		"demo-dept-head": models.RoleDeptHead, "demo-authority": models.RoleAuthority,
		"demo-tech": models.RoleTechService, "demo-citizen": models.RoleCitizen,
		"demo-admin": models.RoleAdmin, "demo-rst-approver": models.RoleApprover,
	}
	if len(users) != len(want) {
		t.Errorf("%d demo users, want %d", len(users), len(want))
	}
	for _, u := range users {
		role, ok := want[u.ID]
		if !ok || !u.HasRole(role) {
			t.Errorf("demo user %s has roles %v, want %s", u.ID, u.Roles, role)
		}
		if f := u.Validate(); len(f) > 0 {
			t.Errorf("demo user %s invalid: %v", u.ID, f)
		}
	}
	// Approvers of different departments, for the cross-department denial demo.
	dept := func(id string) string {
		i := slices.IndexFunc(users, func(u models.User) bool { return u.ID == id })
		return *users[i].DepartmentID
	}
	if dept("demo-approver") != models.DemoProvidingDeptID || dept("demo-rst-approver") != models.DemoUsingDeptID {
		t.Error("demo approvers are not in the providing and using departments")
	}
	// Callers may modify the result without changing the next call's.
	*users[0].DepartmentID = "changed"
	if *models.DemoUsers()[0].DepartmentID == "changed" {
		t.Error("DemoUsers shares state between calls")
	}
}

// Replicas starting together may all seed; exactly one creates the data.
func TestSeedDemoConcurrent(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		const n = 3
		var wg sync.WaitGroup
		created := make([]bool, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { created[i], errs[i] = models.SeedDemo(context.Background(), db) })
		}
		wg.Wait()
		creators := 0
		for i := range n {
			if errs[i] != nil {
				t.Errorf("seed %d: %v", i, errs[i])
			}
			if created[i] {
				creators++
			}
		}
		if creators != 1 {
			t.Errorf("%d seeds report created, want 1", creators)
		}
		res, _, _ := models.NewStore(db).ListResources(context.Background(), models.ResourceFilter{Viewer: models.Viewer{SeesAll: true}})
		if len(res) != 5 {
			t.Errorf("%d demo resources, want 5", len(res))
		}
	})
}

// A data folder started under another profile gets that profile's demo departments and
// catalog as well, once, and the demo users move to its departments (their tokens follow).
func TestSeedDemoProfiles(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		if _, err := models.SeedDemo(ctx, db); err != nil {
			t.Fatal(err)
		}
		created, err := models.SeedDemoProfile(ctx, db, "neixiang")
		if err != nil || !created {
			t.Fatalf("neixiang seed = %v, %v", created, err)
		}
		using, providing, authority, _, _ := models.DemoDepartmentIDs("neixiang")
		auth, err := st.GetDepartment(ctx, authority)
		if err != nil || auth.Jurisdiction != "neixiang" || auth.Name != "内乡县政务服务和大数据管理局" {
			t.Fatalf("neixiang authority = %+v, %v", auth, err)
		}
		approver, _ := st.GetUser(ctx, "demo-approver")
		applicant, _ := st.GetUser(ctx, "demo-applicant")
		if *approver.DepartmentID != providing || *applicant.DepartmentID != using {
			t.Errorf("demo users in %s and %s, want the neixiang departments", *approver.DepartmentID, *applicant.DepartmentID)
		}
		res, _, _ := st.ListResources(ctx, models.ResourceFilter{ProviderDeptID: providing, Status: models.StatusPublished, Viewer: models.Viewer{SeesAll: true}})
		var open []string
		for _, r := range res {
			open = append(open, r.Code+":"+string(r.OpenType))
		}
		slices.Sort(open)
		want := []string{"NEIXIANG-SCJG-0001:unconditional", "NEIXIANG-SCJG-0002:none", "NEIXIANG-SCJG-0003:none", "NEIXIANG-SCJG-0004:conditional"}
		if !slices.Equal(open, want) {
			t.Errorf("neixiang published resources = %v, want %v", open, want)
		}
		if created, err := models.SeedDemoProfile(ctx, db, "neixiang"); err != nil || created {
			t.Errorf("second neixiang seed = %v, %v; want nothing created", created, err)
		}
		// Back to ningxia: nothing new, the users move back.
		if created, err := models.SeedDemo(ctx, db); err != nil || created {
			t.Errorf("ningxia again = %v, %v", created, err)
		}
		approver, _ = st.GetUser(ctx, "demo-approver")
		if *approver.DepartmentID != models.DemoProvidingDeptID {
			t.Errorf("demo-approver in %s after ningxia again", *approver.DepartmentID)
		}
		if _, err := models.SeedDemoProfile(ctx, db, "beijing"); err == nil {
			t.Error("an unknown profile was seeded")
		}
	})
}

// The national profile (the 政务数据共享条例 alone) has a demo set of one level: a city's
// 政务数据共享主管部门 and departments, named generically.
func TestSeedNationalDemo(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		if !slices.Contains(models.DemoProfiles(), "national") {
			t.Fatalf("demo profiles %v lack national", models.DemoProfiles())
		}
		created, err := models.SeedDemoProfile(ctx, db, "national")
		if err != nil || !created {
			t.Fatalf("national seed = %v, %v", created, err)
		}
		using, providing, authority, _, _ := models.DemoDepartmentIDs("national")
		auth, err := st.GetDepartment(ctx, authority)
		if err != nil || auth.Jurisdiction != "national" || auth.Kind != models.KindAuthority || auth.Name != "某市政务服务和数据管理局" {
			t.Fatalf("national authority = %+v, %v", auth, err)
		}
		applicant, _ := st.GetUser(ctx, "demo-applicant")
		approver, _ := st.GetUser(ctx, "demo-approver")
		if *applicant.DepartmentID != using || *approver.DepartmentID != providing {
			t.Errorf("demo users in %s and %s, want the national departments", *applicant.DepartmentID, *approver.DepartmentID)
		}
		res, _, _ := st.ListResources(ctx, models.ResourceFilter{ProviderDeptID: providing, Status: models.StatusPublished, Viewer: models.Viewer{SeesAll: true}})
		if len(res) != 4 || !strings.HasPrefix(res[0].Code, "NATIONAL-SCJG-") {
			t.Errorf("national published resources = %d %+v", len(res), res)
		}
	})
}
