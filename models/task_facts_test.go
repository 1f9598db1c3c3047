package models_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

// insertRow writes one row in plain SQL, so that the test writes what an older release wrote,
// whatever the models look like now.
func insertRow(t *testing.T, db *gorm.DB, dialect, table string, row map[string]any) {
	t.Helper()
	cols := make([]string, 0, len(row))
	for c := range row {
		cols = append(cols, c)
	}
	slices.Sort(cols)
	quoted := make([]string, len(cols))
	args := make([]any, len(cols))
	for i, c := range cols {
		quoted[i] = `"` + c + `"`
		if dialect == "mysql" {
			quoted[i] = "`" + c + "`"
		}
		args[i] = row[c]
	}
	modelstest.MustExec(t, db, "INSERT INTO "+table+" ("+strings.Join(quoted, ", ")+") VALUES (?"+
		strings.Repeat(", ?", len(cols)-1)+")", args...)
}

// Tasks projected before version 16 get their facts from their requests' rows, procedure by
// procedure, as the projection gives them to new tasks (worker/task_facts.go); a task whose
// request is not in the read model keeps empty facts.
func TestMigrateBackfillsTaskFacts(t *testing.T) {
	forEachEmptyDB(t, func(t *testing.T, db *gorm.DB, dialect string) {
		ctx := context.Background()
		quiet := models.WithLogger(slog.New(slog.DiscardHandler))
		if err := models.MigrateUpTo(ctx, db, dialect, 15, quiet); err != nil {
			t.Fatalf("migrate to version 15: %v", err)
		}
		at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
		ins := func(table string, row map[string]any) { insertRow(t, db, dialect, table, row) }
		for id, name := range map[string]string{"nx-rst": "人社局", "nx-scjg": "市场监管局", "nx-authority": "数据局"} {
			ins("departments", map[string]any{"id": id, "name": name, "kind": "department", "jurisdiction": "ningxia",
				"created_at": at, "updated_at": at})
		}
		common := map[string]any{"status": "open", "current_step": "reply", "workflow_id": "wf", "legal_basis": "[]",
			"revision": 1, "created_at": at, "updated_at": at}
		with := func(extra map[string]any) map[string]any {
			row := map[string]any{}
			for k, v := range common {
				row[k] = v
			}
			for k, v := range extra {
				row[k] = v
			}
			return row
		}
		ins("share_requests", with(map[string]any{"id": "SR-1", "resource_id": 1, "resource_code": "NX-1",
			"resource_name": "市场主体登记基本信息", "applicant_dept_id": "nx-rst", "applicant_subject": "u",
			"provider_dept_id": "nx-scjg", "deciding_dept_id": "nx-scjg", "purpose": "社保参保登记核验", "scope": "全部",
			"duty_basis": "", "requested_validity_days": 365}))
		correction := map[string]any{"resource_id": 1, "resource_code": "NX-1", "resource_name": "市场主体登记基本信息",
			"reporter_dept_id": "nx-rst", "reporter_subject": "u", "provider_dept_id": "nx-scjg", "producer_dept_id": "nx-scjg",
			"attachments": "[]", "evidence_text": "", "citizen_objection": false, "citizen_source": "", "result": "",
			"result_text": "", "disputed": false, "local_default": false}
		c1 := with(correction)
		c1["id"], c1["fields"], c1["description"] = "CR-1", `["企业名称"]`, "名称与营业执照不符"
		ins("corrections", c1)
		c2 := with(correction)
		c2["id"], c2["fields"], c2["description"] = "CR-2", `["企业名称","住所"]`, " "
		ins("corrections", c2)
		ins("open_data_requests", with(map[string]any{"id": "OD-1", "resource_id": 1, "resource_code": "NX-1",
			"resource_name": "市场主体登记基本信息", "open_type": "conditional", "applicant_subject": "citizen-1",
			"provider_dept_id": "nx-scjg", "purpose": "学术研究", "scope": "", "conditions": "", "reason": "",
			"refusal_basis": "", "extension_workdays": 0, "extension_reason": ""}))
		ins("open_catalog_corrections", with(map[string]any{"id": "OC-1", "resource_id": 1, "resource_code": "NX-1",
			"resource_name": "市场主体登记基本信息", "provider_dept_id": "nx-scjg", "citizen_subject": "citizen-1",
			"field": "update_frequency", "current_value": "每年", "proposed_value": "每月", "reason": "实际每月更新",
			"answer": "", "answer_basis": "", "catalog_version": 0, "local_default": false}))
		law := "《宁夏回族自治区优化营商环境条例》（2026年修订）第十二条关于企业开办信息共享的规定"
		ins("catalog_updates", with(map[string]any{"id": "CU-1", "department_id": "nx-scjg", "trigger_kind": "law_revised",
			"law": law, "changed_on": "2026-03-01", "initiator_subject": "u", "ordered_by_authority": false,
			"local_default": false, "responsibility_list_updated": false}))
		rect := with(map[string]any{"id": "RC-1", "department_id": "nx-scjg", "authority_dept_id": "nx-authority",
			"issued_by": "a", "violation_code": "data_not_provided", "violation_title": "未按规定提供共享数据",
			"violation_basis": "[]", "description": "逾期未答复共享申请", "workdays": 10, "consequence_code": "",
			"consequence_title": "", "consequence_basis": "[]", "consequence_local_default": false, "consequence_done": false,
			"linked_task_id": "", "linked_request_id": ""})
		rect["workflow_id"] = "wf-rc"
		ins("rectifications", rect)
		ins("interface_requirements", with(map[string]any{"id": "IR-1", "department_id": "nx-scjg",
			"authority_dept_id": "nx-authority", "requested_by": "a", "description": "企业登记信息查询接口",
			"agreed_due": "2026-04-30", "extension_workdays": 0, "interface_description": "", "documentation": ""}))

		task := func(id, procedure, request string) {
			ins("tasks", map[string]any{"task_id": id, "revision": 1, "kind": "step", "workflow_id": "wf",
				"request_id": request, "procedure": procedure, "step": "reply", "candidate_department_id": "nx-scjg",
				"candidate_role": "approver", "assignee": "", "status": "open", "decisions": "[]", "decision": "",
				"received_at": at, "calendar_version": "v", "provisional": false, "legal_basis": "[]",
				"local_default": false, "overdue": false, "long_overdue": false, "urge_count": 0, "updated_at": at})
		}
		task("t-share", "share", "SR-1")
		task("t-share/supervision", "share", "SR-1")
		task("t-cr1", "correction", "CR-1")
		task("t-cr2", "correction", "CR-2")
		task("t-od", "open_data", "OD-1")
		task("t-oc", "open_catalog_correction", "OC-1")
		task("t-cu", "catalog_update", "CU-1")
		task("t-rc", "rectification", "RC-1")
		task("t-ir", "interface_extension", "IR-1")
		task("t-ar", "annual_report", "AR-2025-nx-rst")
		task("t-ar-gone", "annual_report", "AR-2024-nx-gone")
		task("t-lost", "share", "SR-missing")

		if err := models.Migrate(ctx, db, dialect, quiet); err != nil {
			t.Fatalf("migrate forward: %v", err)
		}
		share := models.TaskFacts{ResourceCode: "NX-1", ResourceName: "市场主体登记基本信息", ApplicantDepartmentID: "nx-rst",
			ApplicantDepartmentName: "人社局", Purpose: "社保参保登记核验", Subject: "市场主体登记基本信息"}
		want := map[string]models.TaskFacts{
			"t-share":             share,
			"t-share/supervision": share,
			"t-cr1": {ResourceCode: "NX-1", ResourceName: "市场主体登记基本信息", ApplicantDepartmentID: "nx-rst",
				ApplicantDepartmentName: "人社局", Purpose: "名称与营业执照不符", Subject: "市场主体登记基本信息"},
			"t-cr2": {ResourceCode: "NX-1", ResourceName: "市场主体登记基本信息", ApplicantDepartmentID: "nx-rst",
				ApplicantDepartmentName: "人社局", Purpose: "字段：企业名称、住所", Subject: "市场主体登记基本信息"},
			"t-od": {ResourceCode: "NX-1", ResourceName: "市场主体登记基本信息", Purpose: "学术研究", Subject: "市场主体登记基本信息"},
			"t-oc": {ResourceCode: "NX-1", ResourceName: "市场主体登记基本信息", Purpose: "实际每月更新", Subject: "市场主体登记基本信息"},
			"t-cu": {ApplicantDepartmentID: "nx-scjg", ApplicantDepartmentName: "市场监管局", Purpose: "法律法规修订：" + law,
				Subject: string([]rune(law)[:40]) + "…"},
			"t-rc": {ApplicantDepartmentID: "nx-scjg", ApplicantDepartmentName: "市场监管局",
				Purpose: "未按规定提供共享数据：逾期未答复共享申请", Subject: "未按规定提供共享数据"},
			"t-ir": {ApplicantDepartmentID: "nx-scjg", ApplicantDepartmentName: "市场监管局", Purpose: "企业登记信息查询接口",
				Subject: "企业登记信息查询接口"},
			"t-ar": {ApplicantDepartmentID: "nx-rst", ApplicantDepartmentName: "人社局", Subject: "2025年度"},
			// A department not in the directory is named by its id.
			"t-ar-gone": {ApplicantDepartmentID: "nx-gone", ApplicantDepartmentName: "nx-gone", Subject: "2024年度"},
			"t-lost":    {},
		}
		st := models.NewStore(db)
		for id, facts := range want {
			got, err := st.GetTask(ctx, id)
			if err != nil {
				t.Fatalf("task %s: %v", id, err)
			}
			if got.TaskFacts != facts {
				t.Errorf("task %s facts = %+v, want %+v", id, got.TaskFacts, facts)
			}
		}
	})
}

// The facts travel with every projection: a newer revision replaces them, an older one does
// not, on both dialects.
func TestUpsertTaskStoresFacts(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		first := taskAt(1, "open")
		first.TaskFacts = models.TaskFacts{ResourceCode: "NX-1", ResourceName: "市场主体登记基本信息",
			ApplicantDepartmentID: "nx-rst", ApplicantDepartmentName: "人社局", Purpose: strings.Repeat("用途", 1000),
			Subject: "市场主体登记基本信息"}
		if _, err := st.UpsertTask(ctx, first); err != nil {
			t.Fatal(err)
		}
		second := taskAt(2, "open")
		second.TaskFacts = first.TaskFacts
		second.ApplicantDepartmentName = "人力资源和社会保障厅"
		if _, err := st.UpsertTask(ctx, second); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpsertTask(ctx, first); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetTask(ctx, first.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if got.TaskFacts != second.TaskFacts {
			t.Errorf("facts = %+v, want %+v", got.TaskFacts, second.TaskFacts)
		}
		items, _, _, err := st.ListInbox(ctx, models.InboxFilter{DepartmentID: deptA, Roles: []string{"approver"}})
		if err != nil || len(items) != 1 || items[0].TaskFacts != second.TaskFacts {
			t.Errorf("inbox = %+v, %v", items, err)
		}

		long := taskAt(3, "open")
		long.Subject = strings.Repeat("长", models.MaxTaskSubject+1)
		_, err = st.UpsertTask(ctx, long)
		wantFields(t, err, "subject")
	})
}
