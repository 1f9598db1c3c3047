package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func rectificationAt(id string, rev int, status string) models.Rectification {
	issued := time.Date(2026, 9, 29, 10, 0, 0, 0, cstZone)
	due := time.Date(2026, 10, 12, 23, 59, 59, 0, cstZone)
	return models.Rectification{
		ID: id, WorkflowID: "rectification-" + id, DepartmentID: deptA, AuthorityDeptID: deptB, IssuedBy: "carol",
		ViolationCode: "catalog_not_maintained", ViolationTitle: "未按照要求制定或者更新政务数据资源目录",
		ViolationBasisJSON: `["《辽宁省政务数据资源共享管理办法》第二十六条（一）"]`, FormJSON: `{"description":"目录未更新"}`, Workdays: 5,
		DueAt: &due, Status: status, CurrentStep: "rectify", ConsequenceCode: "circulated_criticism", ConsequenceTitle: "通报批评",
		LinkedTaskID: "share-request-SR-1/reply/1", LinkedRequestID: "SR-1", Revision: rev, CreatedAt: issued,
		UpdatedAt: issued.Add(time.Duration(rev) * time.Minute),
	}
}

// The projection keeps the highest revision; the deadline activity reads the notice's time
// limit by workflow; lists are scoped to the department and filter by status, overdue and
// the linked task.
func TestRectificationProjectionAndList(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		for _, s := range []struct {
			rev     int
			status  string
			applied bool
		}{{2, models.RectificationIssued, true}, {2, models.RectificationReported, false}, {1, models.RectificationRectified, false},
			{3, models.RectificationOverdue, true}} {
			applied, err := st.UpsertRectification(ctx, rectificationAt("RN-1", s.rev, s.status))
			if err != nil || applied != s.applied {
				t.Fatalf("revision %d %s: applied %v, %v; want %v", s.rev, s.status, applied, err, s.applied)
			}
		}
		got, err := st.GetRectification(ctx, "RN-1")
		if err != nil || got.Revision != 3 || got.Status != models.RectificationOverdue || got.LegalBasisJSON != "[]" {
			t.Fatalf("stored = %+v, %v", got, err)
		}
		if n, found, err := st.RectificationWorkdays(ctx, "rectification-RN-1"); err != nil || !found || n != 5 {
			t.Errorf("workdays = %d, %v, %v", n, found, err)
		}
		if _, found, err := st.RectificationWorkdays(ctx, "rectification-nope"); err != nil || found {
			t.Errorf("unknown workflow found = %v, %v", found, err)
		}
		bad := rectificationAt("RN-2", 1, "lost")
		if _, err := st.UpsertRectification(ctx, bad); !errors.Is(err, models.ErrInvalid) {
			t.Errorf("unknown status: %v", err)
		}
		done := rectificationAt("RN-3", 1, models.RectificationRectified)
		done.DepartmentID = deptB
		if _, err := st.UpsertRectification(ctx, done); err != nil {
			t.Fatal(err)
		}

		after := time.Date(2026, 10, 20, 0, 0, 0, 0, cstZone)
		yes, no := true, false
		for _, tc := range []struct {
			name string
			f    models.RectificationFilter
			want []string
		}{
			{"authority", models.RectificationFilter{SeesAll: true}, []string{"RN-3", "RN-1"}},
			{"own department", models.RectificationFilter{DepartmentID: deptA}, []string{"RN-1"}},
			{"no department", models.RectificationFilter{}, nil},
			{"status", models.RectificationFilter{SeesAll: true, Status: models.RectificationRectified}, []string{"RN-3"}},
			{"overdue", models.RectificationFilter{SeesAll: true, Overdue: &yes, Now: after}, []string{"RN-1"}},
			{"not overdue", models.RectificationFilter{SeesAll: true, Overdue: &no, Now: after}, []string{"RN-3"}},
			{"linked", models.RectificationFilter{SeesAll: true, LinkedTaskID: "share-request-SR-1/reply/1", Department: deptA}, []string{"RN-1"}},
		} {
			items, _, err := st.ListRectifications(ctx, tc.f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var ids []string
			for _, r := range items {
				ids = append(ids, r.ID)
			}
			if len(ids) != len(tc.want) || (len(ids) > 0 && ids[0] != tc.want[0]) {
				t.Errorf("%s: %v, want %v", tc.name, ids, tc.want)
			}
		}
		page, next, err := st.ListRectifications(ctx, models.RectificationFilter{SeesAll: true, Limit: 1})
		if err != nil || len(page) != 1 || next == "" {
			t.Fatalf("first page %v %q %v", page, next, err)
		}
		rest, _, err := st.ListRectifications(ctx, models.RectificationFilter{SeesAll: true, Limit: 1, Cursor: next})
		if err != nil || len(rest) != 1 || rest[0].ID != "RN-1" {
			t.Errorf("second page %v %v", rest, err)
		}
		if _, _, err := st.ListRectifications(ctx, models.RectificationFilter{SeesAll: true, Status: "lost"}); !errors.Is(err, models.ErrInvalid) {
			t.Errorf("bad status filter: %v", err)
		}
	})
}
