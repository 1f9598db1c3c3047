package api

import (
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

// seedOverdueShareTask stores an overdue reply task of a share request and the authority's
// open supervision task of it (督办), as the human-task step projects them, and returns the
// supervision task's id.
func seedOverdueShareTask(t *testing.T, db *gorm.DB, requestID string) string {
	t.Helper()
	id := "share-request-" + requestID + "/reply/1"
	seedTask(t, db, id, 2, func(tk *models.Task) {
		tk.WorkflowID, tk.RequestID, tk.Step, tk.Overdue = "share-request-"+requestID, requestID, "reply", true
	})
	supID := id + "/supervision"
	seedTask(t, db, supID, 0, func(tk *models.Task) {
		parent := id
		tk.Kind, tk.ParentTaskID, tk.WorkflowID, tk.RequestID, tk.Step = "supervision", &parent, "share-request-"+requestID, requestID, "reply"
		tk.CandidateDepartmentID, tk.CandidateRole, tk.Overdue, tk.DecisionsJSON = models.DemoAuthorityID, "authority", true, "[]"
	})
	return supID
}

func rectificationBody(violation string, workdays int) map[string]any {
	return map[string]any{"department_id": models.DemoProvidingDeptID, "violation": violation,
		"description": "目录三个月未更新", "workdays": workdays}
}

// Only the authority issues notices; bad input is refused before anything starts, naming the
// field; a supervision task is required for the one-action issue.
func TestRectificationValidation(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		head := ta.token("demo-dept-head", models.DemoProvidingDeptID, auth.RoleDeptHead)
		for _, tok := range []string{ta.applicant(), ta.providerApprover(), head} {
			ta.expect(ta.do("POST", "/api/v1/rectifications", tok, rectificationBody("catalog_not_maintained", 5)), 403)
		}
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{rectificationBody("no_such_violation", 5), "violation"},
			{rectificationBody("catalog_not_maintained", 0), "workdays"},
			{rectificationBody("catalog_not_maintained", 61), "workdays"},
			{map[string]any{"department_id": "nx-nowhere", "violation": "catalog_not_maintained", "description": "x", "workdays": 5}, "department_id"},
			{map[string]any{"violation": "catalog_not_maintained", "description": "x", "workdays": 5}, "department_id"},
			{map[string]any{"department_id": models.DemoProvidingDeptID, "violation": "catalog_not_maintained", "description": "  ", "workdays": 5}, "description"},
			{map[string]any{"violation": "catalog_not_maintained", "description": "x", "workdays": 5, "supervision_task_id": "nope"}, "supervision_task_id"},
		} {
			e := ta.expect(ta.do("POST", "/api/v1/rectifications", ta.authority(), tc.body), 400).errorBody(t)
			if _, ok := e.Fields[tc.field]; !ok {
				t.Errorf("%v: error %+v does not name %s", tc.body, e, tc.field)
			}
		}
		// 宁夏 lists 第二十三条 (一)–(五); liaoning's 第二十六条（六） code is not among them.
		e := ta.expect(ta.do("POST", "/api/v1/rectifications", ta.authority(), rectificationBody("dereliction", 5)), 400).errorBody(t)
		if !strings.Contains(e.Fields["violation"], "catalog_not_maintained") {
			t.Errorf("the violation error lists the profile's codes: %+v", e)
		}

		sup := seedOverdueShareTask(t, db, "SR-9")
		body := map[string]any{"violation": "catalog_not_maintained", "description": "逾期未答复", "workdays": 5}
		ta.expect(ta.do("POST", taskPath(sup, "rectification"), ta.providerApprover(), body), 403)
		ta.expect(ta.do("POST", taskPath("no/such/task", "rectification"), ta.authority(), body), 404)
		ta.expect(ta.do("POST", taskPath("share-request-SR-9/reply/1", "rectification"), ta.authority(), body), 409)
		seedTask(t, db, sup, 0, func(tk *models.Task) {
			parent := "share-request-SR-9/reply/1"
			tk.Revision, tk.Kind, tk.ParentTaskID, tk.Status = 2, "supervision", &parent, "closed"
		})
		ta.expect(ta.do("POST", taskPath(sup, "rectification"), ta.authority(), body), 409)
		if n := ta.starter.count(); n != 0 {
			t.Errorf("%d workflows started for refused notices", n)
		}
	})
}

// The violation list of the profile in force, with its articles, and the consequence.
func TestRectificationViolationList(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	var l ViolationList
	ta.expect(ta.do("GET", "/api/v1/violations", ta.providerApprover(), nil), 200).json(t, &l)
	// 宁夏 第二十三条（一）–（五）, then the items of 政务数据共享条例 第三十九条、第四十条 宁夏 does not
	// list under the same code (all but the catalog, 第三十九条（一）).
	if l.Profile != "ningxia" || len(l.Items) != 5+15 || l.MaxWorkdays != 60 {
		t.Fatalf("violations = %+v", l)
	}
	if got := l.Items[0].LegalBasis; len(got) != 2 || got[0] != "《宁夏回族自治区政务数据资源共享管理办法》第二十三条（一）" ||
		got[1] != "《政务数据共享条例》第三十九条（一）" || l.Items[0].AddedBy != "" || l.Items[0].Consequence != nil {
		t.Errorf("first violation cites %v", got)
	}
	added := l.Items[5]
	if added.Code != "conditions_added" || added.AddedBy != "政务数据共享条例" || added.Effective != "2025-08-01" ||
		len(added.LegalBasis) != 1 || added.LegalBasis[0] != "《政务数据共享条例》第三十九条（二）" ||
		added.Consequence == nil || added.Consequence.Code != "refer_for_sanctions" {
		t.Errorf("first item the 条例 adds = %+v", added)
	}
	if !l.Consequence.LocalDefault || len(l.Consequence.LegalBasis) == 0 {
		t.Errorf("ningxia's consequence is local practice citing 第二十三条: %+v", l.Consequence)
	}
	var p PolicyView
	ta.expect(ta.do("GET", "/api/v1/policies/liaoning", ta.providerApprover(), nil), 200).json(t, &p)
	if len(p.Violations) != 7+15 || p.Rectification == nil || p.Rectification.Consequence.Title != "通报批评" {
		t.Errorf("liaoning profile: violations %d, rectification %+v", len(p.Violations), p.Rectification)
	}
}

// An item the 条例 adds cannot be named in a notice issued before it took effect, on the day in
// China (2025-08-01 00:00 +08:00 is 2025-07-31 16:00 UTC); the profile's own items always can.
func TestViolationNameableFromTheRegulationsDate(t *testing.T) {
	var p policy.Profile
	for _, x := range testPolicies(t) {
		if x.ID == "ningxia" {
			p = x
		}
	}
	added, ok := p.Violation("reply_or_sharing_late")
	own, ok2 := p.Violation("data_not_provided")
	if !ok || !ok2 {
		t.Fatal("ningxia lacks the violations")
	}
	before, from := time.Date(2025, 7, 31, 15, 59, 59, 0, time.UTC), time.Date(2025, 7, 31, 16, 0, 0, 0, time.UTC)
	var apiErr *Error
	if err := nameable(added, before); !errors.As(err, &apiErr) || apiErr.Status != 400 || !strings.Contains(apiErr.Fields["violation"], "2025-08-01") {
		t.Errorf("before the 条例: %v", err)
	}
	if err := nameable(added, from); err != nil {
		t.Errorf("from the 条例's day: %v", err)
	}
	if err := nameable(own, before); err != nil {
		t.Errorf("宁夏's own item: %v", err)
	}
}
