package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models"
)

// TestRectificationFromSupervisionThroughTemporal issues a notice in one action from the
// supervision task (督办) of an overdue share request, against an embedded Temporal server
// and the worker's own registration (ningxia). The overdue state is seeded in the read model
// (an overdue reply task and its open supervision task, as the human-task step projects them)
// rather than driven through ten working days of a real request: the one action reads only
// the read model. The notice reaches the department's approvers and head, the share
// request's timeline records it, the head reports, and the authority accepts.
func TestRectificationFromSupervisionThroughTemporal(t *testing.T) {
	s := startShareStack(t)
	ta := s.ta
	sup := seedOverdueShareTask(t, s.db, "SR-77")
	body := map[string]any{"violation": "data_not_provided", "description": "逾期未答复共享申请", "workdays": 5}
	ta.expect(ta.do("POST", taskPath(sup, "rectification"), ta.providerApprover(), body), 403)
	e := ta.expect(ta.do("POST", taskPath(sup, "rectification"), ta.authority(), map[string]any{"violation": "nope", "description": "x", "workdays": 5}), 400).errorBody(t)
	if _, ok := e.Fields["violation"]; !ok {
		t.Fatalf("error %+v does not name violation", e)
	}

	var created RectificationStatus
	ta.expect(ta.do("POST", taskPath(sup, "rectification"), ta.authority(), body), 201).json(t, &created)
	if created.Status != "issued" || created.CurrentStep != "rectify" || created.DueAt == nil ||
		created.LinkedTaskID != "share-request-SR-77~reply~1" || created.LinkedRequestID != "SR-77" ||
		created.WorkflowID != "rectification-"+created.ID {
		t.Fatalf("created = %+v", created)
	}
	if len(created.LegalBasis) == 0 || created.Violation.LegalBasis[0] != "《宁夏回族自治区政务数据资源共享管理办法》第二十三条（二）" {
		t.Errorf("created cites %v, violation %v", created.LegalBasis, created.Violation.LegalBasis)
	}
	// One notice per overdue task.
	ta.expect(ta.do("POST", taskPath(sup, "rectification"), ta.authority(), body), 409)

	// The notice is on the supervised request's timeline.
	s.eventually(t, "the notice on the share request's timeline", func() bool {
		events, err := models.NewStore(s.db).ListTimeline(context.Background(), "SR-77")
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range events {
			if ev.Kind == "rectification_linked" && ev.TaskID == "share-request-SR-77/reply/1" {
				return true
			}
		}
		return false
	})

	// The department's approver and head both have it in their inbox.
	head := ta.token("demo-dept-head", models.DemoProvidingDeptID, auth.RoleDeptHead)
	var task TaskView
	for _, tok := range []string{ta.providerApprover(), head} {
		s.eventually(t, "the rectify task in the inbox", func() bool {
			var inbox TaskList
			ta.expect(ta.do("GET", "/api/v1/tasks?procedure=rectification", tok, nil), 200).json(t, &inbox)
			for _, it := range inbox.Items {
				if it.RequestID == created.ID && it.Step == "rectify" {
					task = it
					return true
				}
			}
			return false
		})
	}
	// 宁夏 第二十三条 provides sanctions, not a rectification period: the notice's limit is
	// local practice and the task says so.
	if task.DueAt == nil || *task.DueAt != *created.DueAt || !task.LocalDefault {
		t.Errorf("task due %v local default %v, notice due %v", task.DueAt, task.LocalDefault, *created.DueAt)
	}
	// Another department neither sees the notice nor acts on it.
	path := "/api/v1/rectifications/" + created.ID
	ta.expect(ta.do("GET", path, ta.otherApprover(), nil), 404)
	report := map[string]any{"decision": "done", "report": "已答复全部积压申请", "evidence": "答复记录截图"}
	ta.expect(ta.do("POST", taskPath(task.ID, "complete"), ta.otherApprover(), report), 404)
	ta.expect(ta.do("POST", taskPath(task.ID, "complete"), head, report), 200)

	var review TaskView
	s.eventually(t, "the review task in the authority's inbox", func() bool {
		var inbox TaskList
		ta.expect(ta.do("GET", "/api/v1/tasks?procedure=rectification", ta.authority(), nil), 200).json(t, &inbox)
		for _, it := range inbox.Items {
			if it.RequestID == created.ID && it.Step == "review" {
				review = it
				return true
			}
		}
		return false
	})
	ta.expect(ta.do("POST", taskPath(review.ID, "complete"), ta.authority(), map[string]any{"decision": "accept"}), 200)

	var detail RectificationDetail
	s.eventually(t, "the notice rectified", func() bool {
		ta.expect(ta.do("GET", path, ta.providerApprover(), nil), 200).json(t, &detail)
		return detail.Status == "rectified"
	})
	kinds := map[string]bool{}
	for _, ev := range detail.Timeline {
		kinds[ev.Kind] = true
	}
	for _, k := range []string{"rectification_issued", "rectification_reported", "rectified"} {
		if !kinds[k] {
			t.Errorf("timeline lacks %s: %+v", k, detail.Timeline)
		}
	}
	if detail.Consequence.RecordedAt != nil || detail.LinkedTaskID != "share-request-SR-77~reply~1" {
		t.Errorf("detail = %+v", detail.RectificationView)
	}
	var mine RectificationList
	ta.expect(ta.do("GET", "/api/v1/rectifications?status=rectified", ta.providerApprover(), nil), 200).json(t, &mine)
	if len(mine.Items) != 1 || mine.Items[0].ID != created.ID {
		t.Errorf("department's list = %+v", mine.Items)
	}
	// A notice issued directly, with an Idempotency-Key: the repeat answers the same notice.
	key := http.Header{"Idempotency-Key": []string{"rn-key-1"}}
	direct := map[string]any{"department_id": models.DemoProvidingDeptID, "violation": "catalog_not_maintained",
		"description": "目录未按规定更新", "workdays": 10}
	var first, again RectificationStatus
	ta.expect(ta.doWithHeader("POST", "/api/v1/rectifications", ta.authority(), key, direct), 201).json(t, &first)
	ta.expect(ta.doWithHeader("POST", "/api/v1/rectifications", ta.authority(), key, direct), 201).json(t, &again)
	if first.ID == "" || again.ID != first.ID || first.DueAt == nil || first.LinkedTaskID != "" {
		t.Errorf("idempotent create: %+v then %+v", first, again)
	}
	// 宁夏 第二十三条（一） and 政务数据共享条例 第三十九条（一） make the same conduct a violation: the
	// notice cites both, and 宁夏's consequence follows.
	if got := first.Violation.LegalBasis; len(got) != 2 || got[0] != "《宁夏回族自治区政务数据资源共享管理办法》第二十三条（一）" ||
		got[1] != "《政务数据共享条例》第三十九条（一）" || len(first.Consequence.LegalBasis) != 1 ||
		first.Consequence.LegalBasis[0] != "《宁夏回族自治区政务数据资源共享管理办法》第二十三条" {
		t.Errorf("catalog notice cites %v, consequence %+v", got, first.Consequence)
	}
	// An item only the 条例 lists (第三十九条（四）: a reply or sharing late without good reason)
	// is the authority's order to correct under it (责令改正), with its consequence.
	var late RectificationStatus
	ta.expect(ta.do("POST", "/api/v1/rectifications", ta.authority(), map[string]any{"department_id": models.DemoProvidingDeptID,
		"violation": "reply_or_sharing_late", "description": "共享申请逾期未答复", "workdays": 5}), 201).json(t, &late)
	if got := late.Violation.LegalBasis; len(got) != 1 || got[0] != "《政务数据共享条例》第三十九条（四）" ||
		late.Consequence.Code != "refer_for_sanctions" || len(late.Consequence.LegalBasis) != 2 || late.DueAt == nil {
		t.Errorf("条例 notice = %+v", late)
	}
	var stored RectificationDetail
	ta.expect(ta.do("GET", "/api/v1/rectifications/"+late.ID, ta.providerApprover(), nil), 200).json(t, &stored)
	if stored.Violation.Code != "reply_or_sharing_late" || stored.Consequence.Code != "refer_for_sanctions" {
		t.Errorf("stored notice = %+v", stored.RectificationView)
	}

	var others RectificationList
	ta.expect(ta.do("GET", "/api/v1/rectifications", ta.otherApprover(), nil), 200).json(t, &others)
	if len(others.Items) != 0 {
		t.Errorf("another department lists %+v", others.Items)
	}
}

// TestRectificationFromARealOverdueCatalogUpdate drives the whole chain on real workflows, no
// seeded state: the authority orders a catalog update for a change two months back, which is
// overdue at once (its 15 working days have passed), so the human-task step opens the
// authority's supervision task (督办); from it the authority issues a rectification in one
// action, to the department of the overdue update, and the update's timeline records it.
func TestRectificationFromARealOverdueCatalogUpdate(t *testing.T) {
	s := startShareStack(t)
	ta := s.ta
	changed := time.Now().In(chinaTime).AddDate(0, -2, 0).Format(time.DateOnly)
	order := catalogUpdateInput(changed)
	order["department_id"], order["trigger"] = models.DemoProvidingDeptID, "duties_changed"
	var update CatalogUpdateStatus
	ta.expect(ta.do("POST", "/api/v1/catalog-updates", ta.authority(), order), 201).json(t, &update)

	var sup TaskView
	s.eventually(t, "the supervision task of the overdue update", func() bool {
		var inbox TaskList
		ta.expect(ta.do("GET", "/api/v1/tasks?procedure=catalog_update", ta.authority(), nil), 200).json(t, &inbox)
		for _, it := range inbox.Items {
			if it.RequestID == update.ID && it.Kind == "supervision" {
				sup = it
				return true
			}
		}
		return false
	})
	var created RectificationStatus
	ta.expect(ta.do("POST", taskPath(sup.ID, "rectification"), ta.authority(),
		map[string]any{"violation": "catalog_not_maintained", "description": "职责调整后逾期未更新目录", "workdays": 3}), 201).json(t, &created)
	if created.LinkedTaskID != sup.ParentTaskID || created.LinkedRequestID != update.ID || created.DueAt == nil {
		t.Fatalf("created = %+v, want linked to %s of %s", created, sup.ParentTaskID, update.ID)
	}
	var r RectificationDetail
	ta.expect(ta.do("GET", "/api/v1/rectifications/"+created.ID, ta.providerApprover(), nil), 200).json(t, &r)
	if r.DepartmentID != models.DemoProvidingDeptID || r.Violation.Code != "catalog_not_maintained" {
		t.Fatalf("rectification = %+v", r.RectificationView)
	}
	s.eventually(t, "the notice on the catalog update's timeline", func() bool {
		var d CatalogUpdateDetail
		ta.expect(ta.do("GET", "/api/v1/catalog-updates/"+update.ID, ta.authority(), nil), 200).json(t, &d)
		for _, ev := range d.Timeline {
			if ev.Kind == "rectification_linked" && ev.Data["rectification_id"] == created.ID {
				return true
			}
		}
		return false
	})
}
