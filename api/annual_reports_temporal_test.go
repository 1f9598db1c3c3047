package api

import (
	"strings"
	"testing"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// TestAnnualReportRoundThroughTemporal: the authority opens the 2025 round on demand (宁夏
// 第十七条); every department gets its report task with prefilled figures, due at the end of
// January 2026 — a Saturday, so at the end of Monday 2 February, the task saying why (already
// past, so overdue) — and submits it through the task API.
func TestAnnualReportRoundThroughTemporal(t *testing.T) {
	s := startShareStack(t)
	ta := s.ta
	ta.expect(ta.do("POST", "/api/v1/annual-reports", ta.applicant(), map[string]any{"year": 2025}), 403)
	if e := ta.expect(ta.do("POST", "/api/v1/annual-reports", ta.authority(), map[string]any{"year": 2999}), 400).errorBody(t); e.Fields["year"] == "" {
		t.Fatalf("future year: %+v", e)
	}
	var round AnnualReportRoundView
	ta.expect(ta.do("POST", "/api/v1/annual-reports", ta.authority(), map[string]any{"year": 2025}), 201).json(t, &round)
	want := []string{contract.AnnualReportWorkflowID(2025, models.DemoUsingDeptID), contract.AnnualReportWorkflowID(2025, models.DemoProvidingDeptID),
		contract.AnnualReportWorkflowID(2025, models.DemoAuthorityID)}
	if round.Year != 2025 || len(round.Opened) != 3 || round.Opened[0] != want[0] || round.Opened[1] != want[1] || round.Opened[2] != want[2] {
		t.Fatalf("round = %+v, want %v", round, want)
	}
	ta.expect(ta.do("POST", "/api/v1/annual-reports", ta.authority(), map[string]any{"year": 2025}), 409)

	var year AnnualReportYear
	s.eventually(t, "three reports projected with their deadlines", func() bool {
		ta.expect(ta.do("GET", "/api/v1/annual-reports/2025", ta.authority(), nil), 200).json(t, &year)
		if len(year.Items) != 3 {
			return false
		}
		for _, v := range year.Items {
			if v.Step == contract.StepDepartmentReport && v.DueAt == nil {
				return false
			}
		}
		return true
	})
	var own AnnualReportYear
	ta.expect(ta.do("GET", "/api/v1/annual-reports/2025", ta.providerApprover(), nil), 200).json(t, &own)
	if len(own.Items) != 1 {
		t.Fatalf("the provider's own reports = %+v", own.Items)
	}
	report := own.Items[0]
	if report.DepartmentID != models.DemoProvidingDeptID || *report.DueAt != "2026-02-02T23:59:59+08:00" || !report.Overdue ||
		len(report.LegalBasis) < 2 || !strings.Contains(report.LegalBasis[len(report.LegalBasis)-1], "顺延至 2026-02-02") || report.Figures["requests_received"] == nil {
		t.Fatalf("report = %+v", report)
	}
	// The report row and its task are projected by separate activities: wait for the task the
	// test acts on, not only for the report.
	s.eventually(t, "the report's task readable by its department", func() bool {
		return ta.do("GET", taskPath(report.TaskID), ta.providerApprover(), nil).status == 200
	})
	ta.expect(ta.do("POST", taskPath(report.TaskID)+"/complete", ta.providerApprover(), map[string]any{"decision": "submit"}), 422)
	ta.expect(ta.do("POST", taskPath(report.TaskID)+"/complete", ta.providerApprover(), map[string]any{"decision": "submit", "report": "2025年度共享情况"}), 200)
	s.eventually(t, "the report submitted", func() bool {
		ta.expect(ta.do("GET", "/api/v1/annual-reports/2025", ta.providerApprover(), nil), 200).json(t, &own)
		return len(own.Items) == 1 && own.Items[0].Status == contract.AnnualReportSubmitted && own.Items[0].Report == "2025年度共享情况"
	})
	var all AnnualReportList
	ta.expect(ta.do("GET", "/api/v1/annual-reports", ta.authority(), nil), 200).json(t, &all)
	if len(all.Items) != 3 {
		t.Errorf("all reports = %d", len(all.Items))
	}
}
