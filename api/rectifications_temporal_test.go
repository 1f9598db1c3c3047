package api

import (
	"context"
	"net/http"
	"testing"

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
		created.LinkedTaskID != "share-request-SR-77/reply/1" || created.LinkedRequestID != "SR-77" ||
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
	ta.expect(ta.do("POST", taskPath(task.ID, "complete"), ta.otherApprover(), report), 403)
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
	if detail.Consequence.RecordedAt != nil || detail.LinkedTaskID != "share-request-SR-77/reply/1" {
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

	var others RectificationList
	ta.expect(ta.do("GET", "/api/v1/rectifications", ta.otherApprover(), nil), 200).json(t, &others)
	if len(others.Items) != 0 {
		t.Errorf("another department lists %+v", others.Items)
	}
}
