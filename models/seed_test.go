package models_test

import (
	"context"
	"slices"
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
		if first != [3]int{4, len(models.DemoUsers()), 4} {
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

		// The providing department publishes one resource of each share type, with history.
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
		if !slices.Equal(types, []string{"conditional", "none", "unconditional"}) {
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
		if len(res) != 4 {
			t.Errorf("%d demo resources, want 4", len(res))
		}
	})
}
