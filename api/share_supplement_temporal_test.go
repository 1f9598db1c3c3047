package api

import (
	"slices"
	"strings"
	"testing"
)

// TestShareSupplementNoticeThroughTemporal: the supplement notice of 政务数据共享条例 第二十一条
// 第二款 through the task completion route. The provider's reply lists request_supplement with
// its list of missing items; a malformed list is refused with 400 naming missing; the notice
// opens the applicant's supplement task, which needs the supplement (422 without); the resumed
// reply refuses a second notice with 409 naming the decision, and approves.
func TestShareSupplementNoticeThroughTemporal(t *testing.T) {
	s := startShareStack(t)
	ta := s.ta
	var created ShareRequestStatus
	ta.expect(ta.do("POST", "/api/v1/share-requests", ta.applicant(), shareInput(demoResourceID(t, ta, "NX-SCJG-0002"))), 201).json(t, &created)
	path := "/api/v1/share-requests/" + created.ID
	approver := ta.providerApprover()

	reply := s.openTask(t, approver, created.ID, "reply")
	i := slices.IndexFunc(reply.Decisions, func(d DecisionView) bool { return d.Code == "request_supplement" })
	if i < 0 || !slices.Equal(reply.Decisions[i].RequiredFields, []string{"missing"}) {
		t.Fatalf("reply decisions = %+v, want request_supplement requiring missing", reply.Decisions)
	}
	complete := taskPath(reply.ID) + "/complete"
	for _, bad := range []map[string]any{
		{"decision": "request_supplement", "missing": "营业执照"},
		{"decision": "request_supplement", "missing": []any{}},
		{"decision": "request_supplement", "missing": []any{"营业执照\n副本"}},
		{"decision": "request_supplement", "missing": []any{strings.Repeat("材", 201)}},
		{"decision": "request_supplement", "missing": []any{3}},
	} {
		if e := ta.expect(ta.do("POST", complete, approver, bad), 400).errorBody(t); e.Fields["missing"] == "" {
			t.Errorf("%v: error %+v does not name missing", bad["missing"], e)
		}
	}
	many := make([]any, 21)
	for j := range many {
		many[j] = "材料" + string(rune('A'+j))
	}
	ta.expect(ta.do("POST", complete, approver, map[string]any{"decision": "request_supplement", "missing": many}), 400)
	if e := ta.expect(ta.do("POST", complete, approver, map[string]any{"decision": "request_supplement", "missing": []any{"x"}, "reason": "y"}), 400).errorBody(t); e.Fields["reason"] == "" {
		t.Errorf("unknown field of request_supplement: %+v", e)
	}
	ta.expect(ta.do("POST", complete, approver, map[string]any{"decision": "request_supplement"}), 422)
	notice := map[string]any{"decision": "request_supplement", "missing": []any{"营业执照副本（加盖公章）", "数据安全保障承诺书"}}
	ta.expect(ta.do("POST", complete, approver, notice), 200)

	supplement := s.openTask(t, ta.applicant(), created.ID, "supplement")
	if len(supplement.Decisions) != 1 || supplement.Decisions[0].Code != "supplemented" ||
		!slices.Equal(supplement.Decisions[0].RequiredFields, []string{"supplement"}) || supplement.DueAt != nil {
		t.Fatalf("supplement task = %+v", supplement)
	}
	var d ShareRequestDetail
	ta.expect(ta.do("GET", path, ta.applicant(), nil), 200).json(t, &d)
	if d.Status != "pending" || d.CurrentStep != "supplement" || d.DueAt != nil {
		t.Errorf("request while the supplement is open = %+v", d.ShareRequestView)
	}
	done := taskPath(supplement.ID) + "/complete"
	ta.expect(ta.do("POST", done, approver, map[string]any{"decision": "supplemented", "supplement": "x"}), 404)
	ta.expect(ta.do("POST", done, ta.applicant(), map[string]any{"decision": "supplemented"}), 422)
	ta.expect(ta.do("POST", done, ta.applicant(), map[string]any{"decision": "supplemented",
		"supplement": "已补充营业执照副本及数据安全保障承诺书。\n附件2份。"}), 200)

	resumed := s.openTask(t, approver, created.ID, "reply")
	if resumed.ID == reply.ID || slices.ContainsFunc(resumed.Decisions, func(d DecisionView) bool { return d.Code == "request_supplement" }) {
		t.Fatalf("resumed reply = %+v, want a new task without the notice", resumed)
	}
	again := taskPath(resumed.ID) + "/complete"
	e := ta.expect(ta.do("POST", again, approver, map[string]any{"decision": "request_supplement", "missing": []any{"法定代表人身份证明"}}), 409).errorBody(t)
	if e.Fields["decision"] == "" || !strings.Contains(e.Message, "request_supplement") {
		t.Errorf("second notice: %+v, want 409 naming the decision", e)
	}
	ta.expect(ta.do("POST", again, approver, map[string]any{"decision": "approve", "scope": "姓名", "usage_purpose": "社保待遇资格核验", "validity_days": 90}), 200)

	s.eventually(t, "the request granted after the supplement", func() bool {
		ta.expect(ta.do("GET", path, ta.applicant(), nil), 200).json(t, &d)
		return d.Status == "granted"
	})
	kinds := map[string]bool{}
	for _, ev := range d.Timeline {
		kinds[ev.Kind] = true
	}
	for _, k := range []string{"supplement_requested", "supplemented", "granted"} {
		if !kinds[k] {
			t.Errorf("timeline lacks %s", k)
		}
	}
}
