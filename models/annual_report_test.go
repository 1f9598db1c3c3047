package models_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

// A year's figures come from the read model within China's calendar year: a request received
// at 23:30 on 31 December 2025 (China) belongs to 2025 though it is 2025-12-31T15:30Z; one at
// 00:30 on 1 January 2026 to 2026.
func TestReportCounts(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		if _, err := models.SeedDemo(ctx, db); err != nil {
			t.Fatal(err)
		}
		cst := time.FixedZone("CST", 8*3600)
		for i, at := range []time.Time{time.Date(2025, 12, 31, 23, 30, 0, 0, cst), time.Date(2026, 1, 1, 0, 30, 0, 0, cst), time.Date(2025, 6, 1, 9, 0, 0, 0, cst)} {
			id := []string{"SR-A", "SR-B", "SR-C"}[i]
			if _, err := st.UpsertShareRequest(ctx, models.ShareRequest{ID: id, Revision: 1, WorkflowID: "wf-" + id, ResourceID: 2,
				ResourceCode: "NX-SCJG-0002", ResourceName: "x", ApplicantDeptID: models.DemoUsingDeptID, ApplicantSubject: "u",
				ProviderDeptID: models.DemoProvidingDeptID, DecidingDeptID: models.DemoProvidingDeptID, FormJSON: `{"purpose":"p"}`,
				Status: "pending", CreatedAt: at, UpdatedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		due := time.Date(2025, 6, 13, 23, 59, 59, 0, cst)
		reply := inboxTask("wf-SR-C/reply/1", 0)
		reply.CandidateDepartmentID, reply.Status, reply.ReceivedAt, reply.UpdatedAt, reply.DueAt, reply.Overdue =
			models.DemoProvidingDeptID, "completed", time.Date(2025, 6, 1, 9, 0, 0, 0, cst), time.Date(2025, 6, 16, 9, 0, 0, 0, cst), &due, true
		if _, err := st.UpsertTask(ctx, reply); err != nil {
			t.Fatal(err)
		}
		c, err := st.ReportCounts(ctx, 2025, models.DemoProvidingDeptID, cst)
		if err != nil {
			t.Fatal(err)
		}
		if c.RequestsReceived != 2 || len(c.Answers) != 1 || c.TasksOverdue != 1 || !c.Answers[0].DecidedAt.Equal(reply.UpdatedAt) {
			t.Errorf("2025 counts = %+v", c)
		}
		if c, _ := st.ReportCounts(ctx, 2026, "", cst); c.RequestsReceived != 1 || len(c.Answers) != 0 {
			t.Errorf("2026 counts of every department = %+v", c)
		}
		if c, _ := st.ReportCounts(ctx, 2025, models.DemoUsingDeptID, cst); c.RequestsReceived != 0 {
			t.Errorf("the using department received %d", c.RequestsReceived)
		}
		deps, authority, err := st.ReportingDepartments(ctx, "ningxia")
		if err != nil || authority != models.DemoAuthorityID || len(deps) != 2 {
			t.Errorf("reporting departments = %v, %q, %v", deps, authority, err)
		}
	})
}
