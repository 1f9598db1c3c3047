package worker

import (
	"context"
	"strings"
	"testing"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
)

// A projected task carries what it is about, read from its request whatever the procedure:
// its supervision task too; a request not in the read model yet gives no facts, and the
// task's next projection fills them.
func TestProjectTaskCarriesItsRequestsFacts(t *testing.T) {
	a, st, _ := newProjectionActivities(t)
	ctx := context.Background()
	at := cst("2026-02-12T10:00:00+08:00")
	for id, name := range map[string]string{"dept-a": "市场监管局", "dept-b": "人社局"} {
		if err := st.UpsertDepartment(ctx, &models.Department{ID: id, Name: name, Kind: models.KindDepartment, Jurisdiction: "ningxia"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.ProjectTask(ctx, projectInput(1, activities.TaskOpen)); err != nil { // before its request
		t.Fatal(err)
	}
	if got, err := st.GetTask(ctx, "share-request/R1/reply/1"); err != nil || got.TaskFacts != (models.TaskFacts{}) {
		t.Fatalf("facts before the request = %+v, %v", got, err)
	}
	share := shareRequestInput(1, "pending")
	share.ID = "R1"
	if err := (shareProjection{store: st}).SaveShareRequest(ctx, share); err != nil {
		t.Fatal(err)
	}
	mustUpsert := func(what string, _ bool, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	applied, err := st.UpsertCorrection(ctx, models.Correction{ID: "CR-1", Revision: 1, ResourceID: 7, ResourceCode: "NX-1",
		ResourceName: "企业年报信息", ReporterDeptID: "dept-b", ProviderDeptID: "dept-a", FormJSON: `{"fields":["企业名称","住所"],"description":"","evidence":{"attachments":[],"text":""}}`,
		LegalBasisJSON: "[]", Status: "verifying", WorkflowID: "correction-CR-1", CreatedAt: at, UpdatedAt: at})
	mustUpsert("correction", applied, err)
	law := strings.Repeat("《数据条例》", 10)
	applied, err = st.UpsertCatalogUpdate(ctx, models.CatalogUpdate{ID: "CU-1", Revision: 1, DepartmentID: "dept-a",
		FormJSON: `{"trigger":"duties_changed","basis":"` + law + `","changed_on":"2026-02-01"}`, Status: "updating", LegalBasisJSON: "[]",
		WorkflowID: "catalog-update-CU-1", CreatedAt: at, UpdatedAt: at})
	mustUpsert("catalog update", applied, err)
	applied, err = st.UpsertRectification(ctx, models.Rectification{ID: "RC-1", Revision: 1, WorkflowID: "rectification-RC-1",
		DepartmentID: "dept-a", AuthorityDeptID: "dept-z", ViolationCode: "data_not_provided", ViolationTitle: "未按规定提供共享数据",
		ViolationBasisJSON: "[]", FormJSON: `{"description":"逾期未答复"}`, Workdays: 10, LegalBasisJSON: "[]", ConsequenceBasisJSON: "[]",
		Status: "issued", CreatedAt: at, UpdatedAt: at})
	mustUpsert("rectification", applied, err)

	project := func(taskID, procedure, requestID string, rev int) {
		t.Helper()
		in := projectInput(rev, activities.TaskOpen)
		in.TaskID, in.Procedure, in.RequestID = taskID, procedure, requestID
		if _, err := a.ProjectTask(ctx, in); err != nil {
			t.Fatalf("project %s: %v", taskID, err)
		}
	}
	project("share-request/R1/reply/1", "share", "R1", 2)
	project("share-request/R1/reply/1/supervision", "share", "R1", 1)
	project("correction-CR-1/verify/1", "correction", "CR-1", 1)
	project("catalog-update-CU-1/update/1", "catalog_update", "CU-1", 1)
	project("rectification-RC-1/rectify/1", "rectification", "RC-1", 1)
	project("annual-report-2025-dept-b/department_report/1", "annual_report", "AR-2025-dept-b", 1)
	project("open-data-OD-9/reply/1", "open_data", "OD-9", 1)

	share1 := models.TaskFacts{ResourceCode: "NX-1", ResourceName: "企业年报信息", ApplicantDepartmentID: "dept-b",
		ApplicantDepartmentName: "人社局", Purpose: "信用监管", Subject: "企业年报信息"}
	for id, want := range map[string]models.TaskFacts{
		"share-request/R1/reply/1":             share1,
		"share-request/R1/reply/1/supervision": share1,
		"correction-CR-1/verify/1": {ResourceCode: "NX-1", ResourceName: "企业年报信息", ApplicantDepartmentID: "dept-b",
			ApplicantDepartmentName: "人社局", Purpose: "字段：企业名称、住所", Subject: "企业年报信息"},
		"catalog-update-CU-1/update/1": {ApplicantDepartmentID: "dept-a", ApplicantDepartmentName: "市场监管局",
			Purpose: "行政管理职能变化：" + law, Subject: string([]rune(law)[:40]) + "…"},
		"rectification-RC-1/rectify/1": {ApplicantDepartmentID: "dept-a", ApplicantDepartmentName: "市场监管局",
			Purpose: "未按规定提供共享数据：逾期未答复", Subject: "未按规定提供共享数据"},
		"annual-report-2025-dept-b/department_report/1": {ApplicantDepartmentID: "dept-b", ApplicantDepartmentName: "人社局", Subject: "2025年度"},
		"open-data-OD-9/reply/1":                        {},
	} {
		got, err := st.GetTask(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.TaskFacts != want {
			t.Errorf("%s: facts = %+v, want %+v", id, got.TaskFacts, want)
		}
	}
}
