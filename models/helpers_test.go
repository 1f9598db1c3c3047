package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
)

// fixture departments used by the store tests.
const (
	deptA     = "dept-a"
	deptB     = "dept-b"
	authority = "authority"
)

func seedDepartments(t *testing.T, st *models.Store) {
	t.Helper()
	for _, d := range []models.Department{
		{ID: authority, Name: "数据共享主管部门", Kind: models.KindAuthority, Jurisdiction: "ningxia"},
		{ID: deptA, Name: "提供部门甲", Kind: models.KindDepartment, Jurisdiction: "ningxia"},
		{ID: deptB, Name: "使用部门乙", Kind: models.KindDepartment, Jurisdiction: "ningxia"},
	} {
		if err := st.UpsertDepartment(context.Background(), &d); err != nil {
			t.Fatalf("upsert department %s: %v", d.ID, err)
		}
	}
}

// validResource returns valid unconditional content for a resource of dept.
func validResource(code, dept string) *models.CatalogResource {
	return &models.CatalogResource{ResourceContent: models.ResourceContent{
		Code:            code,
		Name:            "资源 " + code,
		Description:     "测试资源",
		Format:          "数据库表",
		ShareType:       models.ShareUnconditional,
		ShareScope:      "全区政务部门",
		UpdateFrequency: "每日",
		Timeliness:      "T+1",
		ProvisionMethod: "接口",
		ProviderDeptID:  dept,
		OpenType:        models.OpenUnconditional,
	}}
}

func newStore(t *testing.T, db *gorm.DB) *models.Store {
	t.Helper()
	st := models.NewStore(db)
	seedDepartments(t, st)
	return st
}

func mustCreate(t *testing.T, st *models.Store, r *models.CatalogResource, actor string) *models.CatalogResource {
	t.Helper()
	if err := st.CreateResource(context.Background(), r, actor); err != nil {
		t.Fatalf("create %s: %v", r.Code, err)
	}
	return r
}

// createInStatus creates a resource and moves it to status through the store.
func createInStatus(t *testing.T, st *models.Store, code, dept string, status models.ResourceStatus) *models.CatalogResource {
	t.Helper()
	ctx := context.Background()
	r := mustCreate(t, st, validResource(code, dept), "u-author")
	steps := map[models.ResourceStatus][]string{
		models.StatusDraft:     nil,
		models.StatusSubmitted: {"submit"},
		models.StatusPublished: {"submit", "publish"},
		models.StatusRetired:   {"submit", "publish", "retire"},
	}[status]
	cur := r
	for _, step := range steps {
		var err error
		switch step {
		case "submit":
			cur, err = st.Submit(ctx, cur.ID, cur.Version, "u-author")
		case "publish":
			cur, err = st.Publish(ctx, cur.ID, cur.Version, "u-authority")
		case "retire":
			cur, err = st.Retire(ctx, cur.ID, cur.Version, "u-authority", "法律修订，资源停止提供")
		}
		if err != nil {
			t.Fatalf("%s %s: %v", step, code, err)
		}
	}
	if cur.Status != status {
		t.Fatalf("%s: status %s, want %s", code, cur.Status, status)
	}
	return cur
}

func wantErr(t *testing.T, err, target error, contains ...string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
	for _, s := range contains {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

func wantFields(t *testing.T, err error, fields ...string) *models.ValidationError {
	t.Helper()
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T), want *models.ValidationError", err, err)
	}
	if !errors.Is(err, models.ErrInvalid) {
		t.Errorf("validation error does not unwrap to ErrInvalid")
	}
	for _, f := range fields {
		if _, ok := ve.Fields[f]; !ok {
			t.Errorf("fields %v lack %q", ve.Fields, f)
		}
	}
	return ve
}
