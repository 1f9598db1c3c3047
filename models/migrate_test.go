package models_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func forEachEmptyDB(t *testing.T, fn func(t *testing.T, db *gorm.DB, dialect string)) {
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			fn(t, modelstest.NewEmpty(t, dialect), dialect)
		})
	}
}

func TestMigrateEmptyDatabase(t *testing.T) {
	forEachEmptyDB(t, func(t *testing.T, db *gorm.DB, dialect string) {
		ctx := context.Background()
		before, err := models.MigrationStatus(ctx, db, dialect)
		if err != nil {
			t.Fatalf("status before: %v", err)
		}
		if len(before) != 1 || before[0].Applied {
			t.Fatalf("status before migrating = %+v, want one pending migration", before)
		}
		if db.Migrator().HasTable("catalog_resources") {
			t.Fatal("catalog_resources exists before migrating")
		}

		start := time.Now().Add(-time.Minute)
		if err := models.Migrate(ctx, db, dialect); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		after, err := models.MigrationStatus(ctx, db, dialect)
		if err != nil {
			t.Fatalf("status after: %v", err)
		}
		if len(after) != 1 {
			t.Fatalf("status = %+v, want 1 migration", after)
		}
		m := after[0]
		if m.Version != 1 || m.Source != "00001_init.sql" || !m.Applied {
			t.Errorf("status = %+v, want version 1, 00001_init.sql, applied", m)
		}
		if m.AppliedAt.Before(start) || m.AppliedAt.After(time.Now().Add(time.Minute)) {
			t.Errorf("applied at %v, want about now", m.AppliedAt)
		}

		columns := map[string][]string{
			"departments": {"id", "name", "kind", "parent_id", "jurisdiction", "created_at", "updated_at"},
			"users":       {"id", "name", "department_id", "roles", "active", "created_at", "updated_at"},
			"catalog_resources": {"id", "code", "name", "description", "format", "share_type", "share_scope",
				"share_conditions", "update_frequency", "timeliness", "provision_method", "provider_dept_id",
				"open_type", "open_conditions", "legal_basis", "status", "version", "return_reason",
				"created_by", "updated_by", "created_at", "updated_at", "submitted_at", "published_at"},
			"catalog_resource_versions": {"id", "resource_id", "version", "action", "status", "snapshot",
				"actor", "reason", "created_at"},
		}
		for table, cols := range columns {
			types, err := db.Migrator().ColumnTypes(table)
			if err != nil {
				t.Fatalf("columns of %s: %v", table, err)
			}
			var got []string
			for _, ct := range types {
				got = append(got, ct.Name())
			}
			slices.Sort(got)
			want := slices.Clone(cols)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("columns of %s = %v, want %v", table, got, want)
			}
		}

		indexes := []struct {
			table, name string
			unique      bool
			columns     []string
		}{
			{"catalog_resources", "uq_catalog_resources_code", true, []string{"code"}},
			{"catalog_resource_versions", "uq_catalog_resource_versions_resource_version", true, []string{"resource_id", "version"}},
			{"catalog_resources", "idx_catalog_resources_provider", false, []string{"provider_dept_id", "id"}},
			{"catalog_resources", "idx_catalog_resources_status", false, []string{"status", "id"}},
			{"catalog_resources", "idx_catalog_resources_share_type", false, []string{"share_type", "id"}},
			{"catalog_resources", "idx_catalog_resources_open_type", false, []string{"open_type", "id"}},
			{"users", "idx_users_department_id", false, []string{"department_id"}},
		}
		for _, want := range indexes {
			all, err := db.Migrator().GetIndexes(want.table)
			if err != nil {
				t.Fatalf("indexes of %s: %v", want.table, err)
			}
			i := slices.IndexFunc(all, func(ix gorm.Index) bool { return ix.Name() == want.name })
			if i < 0 {
				t.Errorf("index %s missing on %s", want.name, want.table)
				continue
			}
			unique, _ := all[i].Unique()
			if unique != want.unique || !slices.Equal(all[i].Columns(), want.columns) {
				t.Errorf("index %s: unique=%v columns=%v, want unique=%v columns=%v",
					want.name, unique, all[i].Columns(), want.unique, want.columns)
			}
		}
	})
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	forEachEmptyDB(t, func(t *testing.T, db *gorm.DB, dialect string) {
		ctx := context.Background()
		if err := models.Migrate(ctx, db, dialect); err != nil {
			t.Fatalf("first migrate: %v", err)
		}
		st := newStore(t, db)
		mustCreate(t, st, validResource("KEEP-1", deptA), "u1")
		first, err := models.MigrationStatus(ctx, db, dialect)
		if err != nil {
			t.Fatal(err)
		}
		var rowsBefore int64
		db.Table("goose_db_version").Count(&rowsBefore)

		if err := models.Migrate(ctx, db, dialect); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		second, err := models.MigrationStatus(ctx, db, dialect)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(first, second) {
			t.Errorf("status changed: %+v then %+v", first, second)
		}
		var rowsAfter int64
		db.Table("goose_db_version").Count(&rowsAfter)
		if rowsAfter != rowsBefore {
			t.Errorf("version table rows %d then %d", rowsBefore, rowsAfter)
		}
		if _, err := st.GetResource(ctx, 1); err != nil {
			t.Errorf("data lost by second migrate: %v", err)
		}
	})
}

func TestMigrateRejectsWrongDialect(t *testing.T) {
	db := modelstest.NewEmpty(t, models.DialectSQLite)
	ctx := context.Background()
	for _, dialect := range []string{models.DialectMySQL, "postgres", ""} {
		if err := models.Migrate(ctx, db, dialect); err == nil {
			t.Errorf("Migrate(sqlite db, %q) succeeded", dialect)
		}
		if _, err := models.MigrationStatus(ctx, db, dialect); err == nil {
			t.Errorf("MigrationStatus(sqlite db, %q) succeeded", dialect)
		}
	}
	if db.Migrator().HasTable("departments") {
		t.Error("a rejected Migrate created tables")
	}
}

// Replicas starting together all call Migrate; the MySQL named lock lets one apply it.
func TestMigrateConcurrentMySQL(t *testing.T) {
	db := modelstest.NewEmpty(t, models.DialectMySQL)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = models.Migrate(ctx, db, models.DialectMySQL) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrate %d: %v", i, err)
		}
	}
	status, err := models.MigrationStatus(ctx, db, models.DialectMySQL)
	if err != nil || len(status) != 1 || !status[0].Applied {
		t.Fatalf("status = %+v, %v", status, err)
	}
}
