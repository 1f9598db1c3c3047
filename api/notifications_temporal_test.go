package api

import (
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
