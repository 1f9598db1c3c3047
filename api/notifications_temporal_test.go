package api

import (
	"strings"
	"testing"
)

// TestNotificationsThroughTemporal: a new request's reply task is announced to the providing
// department's approvers; each marks it read on their own; the applicant hears of the grant.
func TestNotificationsThroughTemporal(t *testing.T) {
	s := startShareStack(t)
	ta := s.ta
	var created ShareRequestStatus
	ta.expect(ta.do("POST", "/api/v1/share-requests", ta.applicant(), shareInput(demoResourceID(t, ta, "NX-SCJG-0002"))), 201).json(t, &created)
	var mine NotificationList
	s.eventually(t, "the new task announced", func() bool {
		ta.expect(ta.do("GET", "/api/v1/notifications?unread=true", ta.providerApprover(), nil), 200).json(t, &mine)
		return len(mine.Items) == 1
	})
	n := mine.Items[0]
	if n.Kind != "task_opened" || n.RequestID != created.ID || n.DueAt == nil || mine.Unread != 1 {
		t.Fatalf("notification = %+v (unread %d)", n, mine.Unread)
	}
	// Another department's approver cannot see or mark it.
	ta.expect(ta.do("POST", "/api/v1/notifications/"+itoa(n.ID)+"/read", ta.otherApprover(), nil), 404)
	ta.expect(ta.do("POST", "/api/v1/notifications/"+itoa(n.ID)+"/read", ta.providerApprover(), nil), 200)
	ta.expect(ta.do("GET", "/api/v1/notifications", ta.providerApprover(), nil), 200).json(t, &mine)
	if mine.Unread != 0 || len(mine.Items) != 1 || !mine.Items[0].Read {
		t.Fatalf("after reading: %+v", mine)
	}
	ta.expect(ta.do("GET", "/api/v1/notifications?unread=maybe", ta.providerApprover(), nil), 400)

	task := s.openTask(t, ta.providerApprover(), created.ID, "reply")
	ta.expect(ta.do("POST", taskPath(task.ID)+"/complete", ta.providerApprover(), map[string]any{"decision": "approve",
		"scope": "姓名", "usage_purpose": "核验", "validity_days": 30}), 200)
	var applicant NotificationList
	s.eventually(t, "the applicant told of the grant", func() bool {
		ta.expect(ta.do("GET", "/api/v1/notifications", ta.applicant(), nil), 200).json(t, &applicant)
		for _, x := range applicant.Items {
			if x.Kind == "granted" && x.RequestID == created.ID {
				return true
			}
		}
		return false
	})
}

// TestCitizenNotificationsThroughTemporal: under neixiang the producer's approver is told of a
// citizen's open-data request naming it and its resource; the citizen — addressed by its
// subject, having no department — is told of the approval with its conditions of use and of a
// refusal with its reasons and basis, never of the producer's own comment. Another citizen
// neither lists nor marks them.
func TestCitizenNotificationsThroughTemporal(t *testing.T) {
	s := startStackFor(t, "neixiang")
	ta := s.ta
	who := newNeixiangActors(ta)
	resource := demoResourceID(t, ta, "NEIXIANG-SCJG-0004")
	const name = "「食品生产经营许可及监督检查结果」"
	submit := func() string {
		var created OpenDataRequestStatus
		ta.expect(ta.do("POST", "/api/v1/open-data-requests", who.citizen,
			map[string]any{"resource_id": resource, "purpose": "企业信用研究", "scope": "2025年度"}), 201).json(t, &created)
		return created.ID
	}
	approved, refused := submit(), submit()

	var producer NotificationList
	s.eventually(t, "the producer told of both requests", func() bool {
		ta.expect(ta.do("GET", "/api/v1/notifications", who.approver, nil), 200).json(t, &producer)
		return len(producer.Items) == 2
	})
	for _, n := range producer.Items {
		if n.Kind != "task_opened" || !strings.HasPrefix(n.Text, "新的待办：有条件开放申请 "+n.RequestID+" "+name+"数据生产部门答复开放申请，截止 ") {
			t.Errorf("the producer's notification = %+v", n)
		}
	}

	const note = "内部备注：已电话核实申请人身份"
	ta.expect(ta.do("POST", taskPath(s.openDataTask(t, who.approver, approved, "step").ID)+"/complete", who.approver,
		map[string]any{"decision": "approve", "conditions": "仅限学术研究，不得转让", "comment": note}), 200)
	ta.expect(ta.do("POST", taskPath(s.openDataTask(t, who.approver, refused, "step").ID)+"/complete", who.approver,
		map[string]any{"decision": "refuse", "reason": "涉及经营者未公开信息", "legal_basis": "《中华人民共和国数据安全法》第三十八条"}), 200)

	var mine NotificationList
	s.eventually(t, "the citizen told of both answers", func() bool {
		ta.expect(ta.do("GET", "/api/v1/notifications", who.citizen, nil), 200).json(t, &mine)
		return len(mine.Items) == 2
	})
	texts := map[string]string{}
	for _, n := range mine.Items {
		texts[n.Kind+" "+n.RequestID] = n.Text
		if n.TaskID != "" || n.Procedure != "open_data" {
			t.Errorf("the citizen's notification points to the producer's task: %+v", n)
		}
		if strings.Contains(n.Text, note) || strings.Contains(n.Text, "电话核实") {
			t.Errorf("the producer's comment reached the citizen: %s", n.Text)
		}
	}
	want := map[string]string{
		"open_data_approved " + approved: "开放申请已获同意：有条件开放申请 " + approved + " " + name +
			"。答复部门：内乡县市场监督管理局。使用条件：仅限学术研究，不得转让",
		"open_data_refused " + refused: "开放申请未获同意：有条件开放申请 " + refused + " " + name +
			"。答复部门：内乡县市场监督管理局。理由：涉及经营者未公开信息。依据：《中华人民共和国数据安全法》第三十八条",
	}
	for k, w := range want {
		if texts[k] != w {
			t.Errorf("%s:\n got %q\nwant %q", k, texts[k], w)
		}
	}
	var unread NotificationList
	ta.expect(ta.do("GET", "/api/v1/notifications?unread=true", who.citizen, nil), 200).json(t, &unread)
	if unread.Unread != 2 || len(unread.Items) != 2 {
		t.Errorf("the citizen's unread = %d, %d items", unread.Unread, len(unread.Items))
	}

	// Another citizen: nothing to list, count or mark.
	var other NotificationList
	ta.expect(ta.do("GET", "/api/v1/notifications", who.otherCitizen, nil), 200).json(t, &other)
	if len(other.Items) != 0 || other.Unread != 0 {
		t.Errorf("another citizen sees %+v", other)
	}
	id := itoa(mine.Items[0].ID)
	ta.expect(ta.do("POST", "/api/v1/notifications/"+id+"/read", who.otherCitizen, nil), 404)
	ta.expect(ta.do("POST", "/api/v1/notifications/"+id+"/read", who.citizen, nil), 200)
	ta.expect(ta.do("GET", "/api/v1/notifications?unread=true", who.citizen, nil), 200).json(t, &unread)
	if unread.Unread != 1 || len(unread.Items) != 1 || unread.Items[0].ID == mine.Items[0].ID {
		t.Errorf("after reading one: %+v", unread)
	}
}
