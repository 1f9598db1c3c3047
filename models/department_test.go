package models_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func ptr[T any](v T) *T { return &v }

func TestUpsertDepartment(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		parent := models.Department{ID: "nx-authority", Name: "主管部门", Kind: models.KindAuthority, Jurisdiction: "ningxia"}
		if err := st.UpsertDepartment(ctx, &parent); err != nil {
			t.Fatal(err)
		}
		d := models.Department{ID: "nx-tech", Name: "技术服务单位", Kind: models.KindTechService, ParentID: ptr("nx-authority"), Jurisdiction: "ningxia"}
		if err := st.UpsertDepartment(ctx, &d); err != nil {
			t.Fatal(err)
		}
		created := d.CreatedAt
		if created.IsZero() || created.Location() != time.UTC {
			t.Errorf("created_at = %v, want a UTC time", created)
		}
		time.Sleep(2 * time.Millisecond)
		d2 := models.Department{ID: "nx-tech", Name: "新名称", Kind: models.KindTechService, Jurisdiction: "ningxia"}
		if err := st.UpsertDepartment(ctx, &d2); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetDepartment(ctx, "nx-tech")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "新名称" || got.ParentID != nil || !got.CreatedAt.Equal(created) || !got.UpdatedAt.After(created) {
			t.Errorf("after update: %+v (created %v)", got, created)
		}
		if *got != d2 {
			t.Errorf("upsert returned %+v, stored %+v", d2, *got)
		}

		bad := models.Department{ID: "x", Name: "孤儿", Kind: models.KindDepartment, ParentID: ptr("missing"), Jurisdiction: "ningxia"}
		wantFields(t, st.UpsertDepartment(ctx, &bad), "parent_id")
		wantFields(t, st.UpsertDepartment(ctx, &models.Department{ID: "bad id", Kind: "ministry"}), "id", "name", "kind", "jurisdiction")

		list, err := st.ListDepartments(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range list {
			ids = append(ids, d.ID)
		}
		if !slices.Equal(ids, []string{"nx-authority", "nx-tech"}) {
			t.Errorf("departments = %v", ids)
		}
	})
}

func TestUpsertUser(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		u := models.User{ID: "oidc|42", Name: "审核员", DepartmentID: ptr(deptA),
			Roles: []string{models.RoleApprover, models.RoleApplicant, models.RoleApprover}, Active: false}
		if err := st.UpsertUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetUser(ctx, "oidc|42")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Roles, []string{"applicant", "approver"}) || got.Active || *got.DepartmentID != deptA {
			t.Errorf("stored user = %+v, want roles [applicant approver], inactive, %s", got, deptA)
		}
		if !got.HasRole(models.RoleApprover) || got.HasRole(models.RoleAdmin) {
			t.Errorf("HasRole wrong for %v", got.Roles)
		}

		u.Active = true
		u.Roles = []string{models.RoleDeptHead}
		if err := st.UpsertUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.GetUser(ctx, "oidc|42"); !got.Active || !slices.Equal(got.Roles, []string{"dept_head"}) {
			t.Errorf("after update = %+v", got)
		}

		citizen := models.User{ID: "c1", Name: "公民", Roles: []string{models.RoleCitizen}, Active: true}
		if err := st.UpsertUser(ctx, &citizen); err != nil {
			t.Fatalf("citizen without department: %v", err)
		}
		tests := []struct {
			name  string
			user  models.User
			field string
		}{
			{"citizen with department", models.User{ID: "c2", Name: "公民", DepartmentID: ptr(deptA), Roles: []string{models.RoleCitizen}}, "department_id"},
			{"staff without department", models.User{ID: "s1", Name: "员工", Roles: []string{models.RoleApprover}}, "department_id"},
			{"unknown role", models.User{ID: "s2", Name: "员工", DepartmentID: ptr(deptA), Roles: []string{"root"}}, "roles"},
			{"no role", models.User{ID: "s3", Name: "员工", DepartmentID: ptr(deptA)}, "roles"},
			{"unknown department", models.User{ID: "s4", Name: "员工", DepartmentID: ptr("nowhere"), Roles: []string{models.RoleApplicant}}, "department_id"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantFields(t, st.UpsertUser(ctx, &tc.user), tc.field)
				if _, err := st.GetUser(ctx, tc.user.ID); err == nil {
					t.Error("invalid user stored")
				}
			})
		}

		inA, err := st.ListUsers(ctx, deptA)
		if err != nil || len(inA) != 1 || inA[0].ID != "oidc|42" {
			t.Errorf("users of %s = %+v, %v", deptA, inA, err)
		}
		everyone, _ := st.ListUsers(ctx, "")
		if len(everyone) != 2 {
			t.Errorf("all users = %d, want 2", len(everyone))
		}
	})
}
