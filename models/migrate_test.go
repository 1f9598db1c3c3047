package models_test

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

// wantMigrations lists every migration file, in version order.
var wantMigrations = []string{"00001_init.sql", "00002_idempotency_keys.sql", "00003_calendar.sql",
	"00004_tasks_timeline.sql", "00005_share_requests.sql", "00006_task_partner.sql", "00007_catalog_updates.sql",
	"00008_corrections.sql", "00009_rectifications.sql", "00010_audit_events.sql",
	"00011_open_data_requests.sql", "00012_open_catalog_interfaces.sql", "00014_annual_reports.sql", "00015_notifications.sql",
	"00016_task_facts.sql", "00017_task_decided_by.sql", "00018_deployment_profile.sql", "00019_task_inbox_order.sql",
	"00020_share_request_form.sql", "00021_open_data_form.sql", "00022_catalog_update_form.sql",
	"00023_rectification_form.sql", "00024_interface_requirement_form.sql",
	"00025_open_catalog_correction_form.sql", "00026_correction_form.sql"}

// migrationVersion is the version a file name starts with: versions may skip a number
// reserved by a change on another branch.
func migrationVersion(file string) int64 {
	v, err := strconv.ParseInt(file[:5], 10, 64)
	if err != nil {
		panic(err)
	}
	return v
}

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
		if len(before) != len(wantMigrations) || slices.ContainsFunc(before, func(m models.MigrationState) bool { return m.Applied }) {
			t.Fatalf("status before migrating = %+v, want %d pending migrations", before, len(wantMigrations))
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
		if len(after) != len(wantMigrations) {
			t.Fatalf("status = %+v, want %d migrations", after, len(wantMigrations))
		}
		for i, m := range after {
			if m.Version != migrationVersion(wantMigrations[i]) || m.Source != wantMigrations[i] || !m.Applied {
				t.Errorf("status[%d] = %+v, want version %d, %s, applied", i, m, migrationVersion(wantMigrations[i]), wantMigrations[i])
			}
			if m.AppliedAt.Before(start) || m.AppliedAt.After(time.Now().Add(time.Minute)) {
				t.Errorf("%s applied at %v, want about now", m.Source, m.AppliedAt)
			}
		}

		columns := map[string][]string{
			"departments": {"id", "name", "kind", "parent_id", "jurisdiction", "created_at", "updated_at"},
			"users":       {"id", "name", "department_id", "roles", "active", "created_at", "updated_at"},
			"catalog_resources": {"id", "code", "name", "description", "format", "share_type", "share_scope",
				"share_conditions", "update_frequency", "timeliness", "provision_method", "provider_dept_id",
				"open_type", "open_conditions", "legal_basis", "status", "version", "return_reason",
				"created_by", "updated_by", "created_at", "updated_at", "submitted_at", "published_at",
				"revision_status", "revision_content"},
			"catalog_resource_versions": {"id", "resource_id", "version", "action", "status", "snapshot",
				"actor", "reason", "created_at"},
			"idempotency_keys": {"subject", "idem_key", "method", "route", "request_hash", "status",
				"response_body", "created_at"},
			"calendar_overrides": {"day", "workday", "name", "source", "updated_by", "updated_at"},
			"calendar_years":     {"year", "source", "days", "loaded_by", "loaded_at"},
			"calendar_state":     {"id", "revision", "updated_at"},
			"calendar_changes":   {"revision", "action", "subject", "detail", "actor", "created_at"},
			"tasks": {"task_id", "revision", "kind", "parent_task_id", "workflow_id", "request_id",
				"procedure", "step", "candidate_department_id", "candidate_role", "assignee", "status",
				"decisions", "decision", "decided_by", "received_at", "due_at", "calendar_version", "provisional",
				"legal_basis", "local_default", "overdue", "long_overdue", "last_urged_at", "urge_count",
				"updated_at", "partner_department_id", "partner_role", "proposal", "resource_code",
				"resource_name", "applicant_department_id", "applicant_department_name", "purpose", "subject", "due_sort"},
			"timeline_events": {"event_id", "seq", "task_id", "workflow_id", "request_id", "procedure",
				"step", "kind", "at", "actor", "department_id", "text", "data", "created_at"},
			"share_requests": {"id", "resource_id", "resource_code", "resource_name", "applicant_dept_id",
				"applicant_subject", "provider_dept_id", "deciding_dept_id", "form",
				"status", "current_step", "due_at", "workflow_id", "legal_basis",
				"revision", "created_at", "updated_at", "closed_at"},
			"grants": {"id", "request_id", "resource_id", "consumer_dept_id", "provider_dept_id", "scope",
				"usage_purpose", "conditions", "valid_from", "valid_until", "status", "status_reason",
				"revision", "updated_at"},
			"catalog_updates": {"id", "department_id", "form", "initiator_subject",
				"ordered_by_authority", "status", "current_step", "due_at", "legal_basis", "local_default",
				"responsibility_list_updated", "workflow_id", "revision", "created_at", "updated_at", "closed_at"},
			"catalog_update_resources": {"catalog_update_id", "round", "resource_id", "version", "created_at",
				"published_at", "returned_at"},
			"rectifications": {"id", "workflow_id", "department_id", "authority_dept_id", "issued_by",
				"violation_code", "violation_title", "violation_basis", "form", "workdays", "due_at",
				"legal_basis", "status", "current_step", "consequence_code", "consequence_title",
				"consequence_basis", "consequence_local_default", "consequence_recorded_at", "consequence_done",
				"linked_task_id", "linked_request_id", "revision", "created_at", "updated_at", "closed_at"},
			"corrections": {"id", "resource_id", "resource_code", "resource_name", "reporter_dept_id",
				"reporter_subject", "provider_dept_id", "producer_dept_id", "form", "status", "current_step", "result",
				"result_text", "disputed", "due_at", "local_default", "workflow_id", "legal_basis", "revision", "created_at",
				"updated_at", "closed_at"},
			"open_catalog_corrections": {"id", "workflow_id", "resource_id", "resource_code", "resource_name",
				"provider_dept_id", "citizen_subject", "form", "current_value", "status",
				"current_step", "answer", "answer_basis", "catalog_version", "due_at", "local_default", "legal_basis",
				"revision", "created_at", "updated_at", "closed_at"},
			"interface_requirements": {"id", "workflow_id", "department_id", "authority_dept_id", "requested_by",
				"form", "status", "current_step", "due_at", "extension_workdays",
				"interface_description", "documentation", "legal_basis", "revision", "created_at", "updated_at", "closed_at"},
			"open_data_requests": {"id", "resource_id", "resource_code", "resource_name", "open_type",
				"applicant_subject", "provider_dept_id", "form", "status", "current_step", "conditions",
				"reason", "refusal_basis", "extension_workdays", "extension_reason", "original_due_at", "due_at",
				"workflow_id", "legal_basis", "revision", "created_at", "updated_at", "closed_at"},
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

		primaryKeys := map[string][]string{
			"idempotency_keys": {"idem_key", "subject"},
			"tasks":            {"task_id"},
			"timeline_events":  {"event_id"},
			"share_requests":   {"id"},
			"grants":           {"id"},
			"catalog_updates":  {"id"},
			// One link per resource and submission round of an update.
			"catalog_update_resources": {"catalog_update_id", "resource_id", "round"},
			"rectifications":           {"id"},
			"corrections":              {"id"},
			"open_catalog_corrections": {"id"},
			"interface_requirements":   {"id"},
			"open_data_requests":       {"id"},
		}
		for table, want := range primaryKeys {
			var primary []string
			types, err := db.Migrator().ColumnTypes(table)
			if err != nil {
				t.Fatal(err)
			}
			for _, ct := range types {
				if pk, ok := ct.PrimaryKey(); ok && pk {
					primary = append(primary, ct.Name())
				}
			}
			slices.Sort(primary)
			if !slices.Equal(primary, want) {
				t.Errorf("primary key of %s = %v, want %v", table, primary, want)
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
			{"idempotency_keys", "idx_idempotency_keys_created_at", false, []string{"created_at"}},
			// The inbox's three ways in, each in the inbox order (due_sort, task_id), then what
			// the count of the inbox reads, so that it reads the indexes only.
			{"tasks", "idx_tasks_candidate_queue", false, []string{"candidate_department_id", "status", "due_sort", "task_id", "candidate_role"}},
			{"tasks", "idx_tasks_partner_queue", false, []string{"partner_department_id", "status", "due_sort", "task_id", "partner_role",
				"candidate_department_id", "candidate_role"}},
			{"tasks", "idx_tasks_assignee_queue", false, []string{"assignee", "status", "due_sort", "task_id",
				"candidate_department_id", "candidate_role", "partner_department_id", "partner_role"}},
			{"tasks", "idx_tasks_request_id", false, []string{"request_id"}},
			{"tasks", "idx_tasks_workflow_id", false, []string{"workflow_id"}},
			{"timeline_events", "idx_timeline_events_request", false, []string{"request_id", "at", "seq"}},
			{"timeline_events", "idx_timeline_events_task", false, []string{"task_id", "seq"}},
			{"share_requests", "idx_share_requests_applicant", false, []string{"applicant_dept_id", "status", "id"}},
			{"share_requests", "idx_share_requests_provider", false, []string{"provider_dept_id", "status", "id"}},
			{"share_requests", "idx_share_requests_resource", false, []string{"resource_id"}},
			{"grants", "uq_grants_request_id", true, []string{"request_id"}},
			{"grants", "idx_grants_consumer", false, []string{"consumer_dept_id", "status", "id"}},
			{"grants", "idx_grants_provider", false, []string{"provider_dept_id", "status", "id"}},
			{"rectifications", "idx_rectifications_department", false, []string{"department_id", "status", "id"}},
			{"rectifications", "uq_rectifications_workflow_id", true, []string{"workflow_id"}},
			{"rectifications", "idx_rectifications_linked_task", false, []string{"linked_task_id"}},
			{"corrections", "idx_corrections_reporter", false, []string{"reporter_dept_id", "status", "id"}},
			{"corrections", "idx_corrections_provider", false, []string{"provider_dept_id", "status", "id"}},
			{"corrections", "idx_corrections_producer", false, []string{"producer_dept_id", "status", "id"}},
			{"corrections", "idx_corrections_resource_open", false, []string{"resource_id", "closed_at"}},
			{"open_catalog_corrections", "idx_open_catalog_corrections_citizen", false, []string{"citizen_subject", "id"}},
			{"open_catalog_corrections", "idx_open_catalog_corrections_provider", false, []string{"provider_dept_id", "status", "id"}},
			{"interface_requirements", "idx_interface_requirements_department", false, []string{"department_id", "status", "id"}},
			{"open_data_requests", "idx_open_data_applicant", false, []string{"applicant_subject", "status", "id"}},
			{"open_data_requests", "idx_open_data_provider", false, []string{"provider_dept_id", "status", "id"}},
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

// A database of the first release, holding data, is migrated to the latest schema without
// losing or changing a row, and the current code works on both the old rows and the new table.
func TestMigrateForwardFromVersion1(t *testing.T) {
	forEachEmptyDB(t, func(t *testing.T, db *gorm.DB, dialect string) {
		ctx := context.Background()
		quiet := models.WithLogger(slog.New(slog.DiscardHandler))
		if err := models.MigrateUpTo(ctx, db, dialect, 1, quiet); err != nil {
			t.Fatalf("migrate to version 1: %v", err)
		}
		status, err := models.MigrationStatus(ctx, db, dialect)
		if err != nil || len(status) != len(wantMigrations) || !status[0].Applied || status[1].Applied {
			t.Fatalf("status at version 1 = %+v, %v", status, err)
		}
		if db.Migrator().HasTable("idempotency_keys") {
			t.Fatal("idempotency_keys exists at version 1")
		}

		// Rows as the first release wrote them, in plain SQL, so that later changes to the
		// models cannot make this test write in the new shape.
		at := time.Date(2024, 3, 1, 2, 3, 4, 567891000, time.UTC)
		modelstest.MustExec(t, db, `INSERT INTO departments (id, name, kind, parent_id, jurisdiction, created_at, updated_at)
			VALUES (?, ?, ?, NULL, ?, ?, ?)`, "nx-old", "宁夏老部门", "department", "ningxia", at, at)
		modelstest.MustExec(t, db, `INSERT INTO users (id, name, department_id, roles, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, "u-old", "老用户", "nx-old", "applicant,approver", true, at, at)
		modelstest.MustExec(t, db, `INSERT INTO catalog_resources (id, code, name, description, format, share_type,
			share_scope, share_conditions, update_frequency, timeliness, provision_method, provider_dept_id,
			open_type, open_conditions, legal_basis, status, version, return_reason, created_by, updated_by,
			created_at, updated_at, submitted_at, published_at)
			VALUES (7, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, 1, '', ?, ?, ?, ?, NULL, NULL)`,
			"NX-OLD-1", "企业年报信息", "数据库表", "conditional", "自治区各政务部门", "用于企业信用监管",
			"每年", "次年6月30日前", "接口", "nx-old", "none", "《企业信息公示暂行条例》第八条", "draft",
			"u-old", "u-old", at, at)
		snapshot := `{"code":"NX-OLD-1","name":"企业年报信息","description":"","format":"数据库表",` +
			`"share_type":"conditional","share_scope":"自治区各政务部门","share_conditions":"用于企业信用监管",` +
			`"update_frequency":"每年","timeliness":"次年6月30日前","provision_method":"接口",` +
			`"provider_dept_id":"nx-old","open_type":"none","open_conditions":"","legal_basis":"《企业信息公示暂行条例》第八条"}`
		modelstest.MustExec(t, db, `INSERT INTO catalog_resource_versions (resource_id, version, action, status, snapshot, actor, reason, created_at)
			VALUES (7, 1, 'created', 'draft', ?, 'u-old', '', ?)`, snapshot, at)

		if err := models.Migrate(ctx, db, dialect, quiet); err != nil {
			t.Fatalf("migrate forward: %v", err)
		}
		status, err = models.MigrationStatus(ctx, db, dialect)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range status {
			if !m.Applied {
				t.Errorf("%s not applied by the forward migration", m.Source)
			}
		}

		st := models.NewStore(db)
		d, err := st.GetDepartment(ctx, "nx-old")
		if err != nil || d.Name != "宁夏老部门" || d.Kind != models.KindDepartment || d.ParentID != nil || !d.CreatedAt.Equal(at) {
			t.Errorf("department after migrating = %+v, %v", d, err)
		}
		u, err := st.GetUser(ctx, "u-old")
		if err != nil || u.Name != "老用户" || u.DepartmentID == nil || *u.DepartmentID != "nx-old" ||
			!slices.Equal(u.Roles, models.RoleList{"applicant", "approver"}) || !u.Active || !u.UpdatedAt.Equal(at) {
			t.Errorf("user after migrating = %+v, %v", u, err)
		}
		r, err := st.GetResource(ctx, 7)
		if err != nil {
			t.Fatalf("resource after migrating: %v", err)
		}
		if r.Code != "NX-OLD-1" || r.Name != "企业年报信息" || r.LegalBasis != "《企业信息公示暂行条例》第八条" ||
			r.ShareType != models.ShareConditional || r.Status != models.StatusDraft || r.Version != 1 ||
			!r.CreatedAt.Equal(at) || r.SubmittedAt != nil {
			t.Errorf("resource after migrating = %+v", r)
		}
		versions, err := st.ListResourceVersions(ctx, 7)
		if err != nil || len(versions) != 1 {
			t.Fatalf("versions after migrating = %+v, %v", versions, err)
		}
		if c, err := versions[0].Content(); err != nil || c != r.ResourceContent || versions[0].Action != models.ActionCreated {
			t.Errorf("version 1 after migrating = %+v (%+v, %v), want the resource's content", versions[0], c, err)
		}

		// The old draft goes on with the current code.
		edited, err := st.UpdateDraft(ctx, 7, 1, func(r *models.CatalogResource) { r.Name = "企业年度报告信息" }, "u-old")
		if err != nil || edited.Version != 2 {
			t.Errorf("edit old draft = %+v, %v", edited, err)
		}
		// And the new table works on the migrated database.
		rec := &models.IdempotencyRecord{Subject: "u-old", Key: "k-1", Method: "POST",
			Route: "/api/v1/catalog/resources", RequestHash: strings.Repeat("ab", 32), Status: 201, Body: `{"id":7}`}
		if err := st.SaveIdempotencyRecord(ctx, rec); err != nil {
			t.Fatalf("save idempotency record after migrating: %v", err)
		}
		got, err := st.GetIdempotencyRecord(ctx, "u-old", "k-1")
		if err != nil || !sameRecord(got, rec) {
			t.Errorf("idempotency record = %+v, %v, want %+v", got, err, rec)
		}
		// So do the task projection tables.
		task := models.Task{TaskID: "wf/reply/1", Revision: 1, WorkflowID: "wf", RequestID: "R-old",
			Status: "open", ReceivedAt: at}
		if applied, err := st.UpsertTask(ctx, task); err != nil || !applied {
			t.Errorf("upsert task after migrating = %v, %v", applied, err)
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
	if err != nil || len(status) != len(wantMigrations) {
		t.Fatalf("status = %+v, %v", status, err)
	}
	for _, m := range status {
		if !m.Applied {
			t.Errorf("%s not applied", m.Source)
		}
	}
}
