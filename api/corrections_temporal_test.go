package api

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/datashare/datashare/workflows/contract"
)

// correctionTask waits for the correction's open task of the step in the caller's inbox.
func (s shareStack) correctionTask(t *testing.T, token, correctionID, step string) TaskView {
	t.Helper()
	var task TaskView
	s.eventually(t, "the correction's "+step+" task in the inbox", func() bool {
		var inbox TaskList
		s.ta.expect(s.ta.do("GET", "/api/v1/tasks?procedure=correction", token, nil), 200).json(t, &inbox)
		for _, it := range inbox.Items {
			if it.RequestID == correctionID && it.Step == step && it.Kind == "step" {
				task = it
				return true
			}
		}
		return false
	})
	return task
}

// resourceFlag reads the catalog's "under verification" flag of a resource.
func (s shareStack) resourceFlag(t *testing.T, id int64) CatalogResourceView {
	t.Helper()
	var v CatalogResourceView
	s.ta.expect(s.ta.do("GET", "/api/v1/catalog/resources/"+itoa(id), s.ta.applicant(), nil), 200).json(t, &v)
	return v
}

// TestCorrectionThroughTemporal runs data corrections through the HTTP API against an
// embedded Temporal server and the worker's registration, under the ningxia profile: a report
// on data the department has no grant for is refused, and allowed once a share request
// granted it; the provider confirms and corrects while another department cannot verify; the
// reporter accepts. A second report is rejected, disputed once and upheld by the authority.
// The catalog flags the resource while any correction is open.
func TestCorrectionThroughTemporal(t *testing.T) {
	s := startShareStack(t)
	ta := s.ta
	conditional := demoResourceID(t, ta, "NX-SCJG-0002")
	unconditional := demoResourceID(t, ta, "NX-SCJG-0001")

	// Without a grant the department never obtained the data.
	ta.expect(ta.do("POST", "/api/v1/corrections", ta.applicant(), correctionInput(conditional)), 403)
	var share ShareRequestStatus
	ta.expect(ta.do("POST", "/api/v1/share-requests", ta.applicant(), shareInput(conditional)), 201).json(t, &share)
	reply := s.openTask(t, ta.providerApprover(), share.ID, "reply")
	ta.expect(ta.do("POST", taskPath(reply.ID)+"/complete", ta.providerApprover(), map[string]any{"decision": "approve",
		"scope": "姓名、证件号码", "usage_purpose": "社保待遇资格核验", "validity_days": 180}), 200)
	s.eventually(t, "the grant", func() bool {
		var grants GrantList
		ta.expect(ta.do("GET", "/api/v1/grants?status=active", ta.applicant(), nil), 200).json(t, &grants)
		return len(grants.Items) == 1
	})

	if v := s.resourceFlag(t, conditional); v.UnderVerification {
		t.Fatalf("flag before the report: %+v", v)
	}
	report := correctionInput(conditional)
	report["citizen_objection"] = map[string]any{"source": "窗口受理 2026-0042"}
	key := http.Header{HeaderIdempotencyKey: {"dc-create-1"}}
	var created CorrectionStatus
	ta.expect(ta.doWithHeader("POST", "/api/v1/corrections", ta.applicant(), key, report), 201).json(t, &created)
	if !strings.HasPrefix(created.ID, "DC-") || created.WorkflowID != contract.CorrectionWorkflowID(created.ID) ||
		// 宁夏 第十五条 sets no time; the 条例 第二十六条第二款 does (10 WD), so the deadline is law.
		created.Status != "verifying" || created.CurrentStep != "verify" || created.DueAt == nil || created.LocalDefault ||
		created.LegalBasis[0] != "《政务数据共享条例》第二十六条第二款" ||
		!slices.Contains(created.LegalBasis, "《宁夏回族自治区政务数据资源共享管理办法》第十五条") {
		t.Fatalf("created = %+v", created)
	}
	var again CorrectionStatus
	ta.expect(ta.doWithHeader("POST", "/api/v1/corrections", ta.applicant(), key, report), 201).json(t, &again)
	if again.ID != created.ID {
		t.Errorf("the same Idempotency-Key started a second correction: %s, %s", again.ID, created.ID)
	}
	s.eventually(t, "the flag on", func() bool { return s.resourceFlag(t, conditional).UnderVerification })
	// Administrators find it in Temporal UI by procedure, reporter and provider.
	desc, err := s.tc.DescribeWorkflowExecution(s.ctx, created.WorkflowID, "")
	if err != nil {
		t.Fatal(err)
	}
	attrs := desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()
	for k, want := range map[string]string{contract.ProcedureKey.GetName(): `"correction"`, contract.JurisdictionKey.GetName(): `"ningxia"`,
		contract.ApplicantDeptKey.GetName(): `"nx-rst"`, contract.ProviderDeptKey.GetName(): `"nx-scjg"`} {
		if got := string(attrs[k].GetData()); got != want {
			t.Errorf("search attribute %s = %s, want %s", k, got, want)
		}
	}
	if attrs[contract.DueAtKey.GetName()] == nil || desc.GetWorkflowExecutionInfo().GetMemo().GetFields()[contract.MemoTitle] == nil {
		t.Errorf("due time or title missing: %v", attrs)
	}
	if rule := s.resourceFlag(t, conditional).VerificationRule; !strings.Contains(rule, "第十五条") {
		t.Errorf("verification rule = %q", rule)
	}

	verify := s.correctionTask(t, ta.providerApprover(), created.ID, "verify")
	if verify.DueAt == nil || verify.LocalDefault {
		t.Errorf("verify task = %+v: want the 条例's statutory deadline, not a local default", verify)
	}
	confirm := map[string]any{"decision": "confirmed", "finding": "注册资本录入错误"}
	ta.expect(ta.do("POST", taskPath(verify.ID)+"/complete", ta.otherApprover(), confirm), 404)
	e := ta.expect(ta.do("POST", taskPath(verify.ID)+"/complete", ta.providerApprover(), map[string]any{"decision": "confirmed"}), 422).errorBody(t)
	if e.Fields["finding"] == "" {
		t.Errorf("a confirmation without its finding: %+v", e)
	}
	ta.expect(ta.do("POST", taskPath(verify.ID)+"/complete", ta.providerApprover(), confirm), 200)
	ta.expect(ta.do("POST", taskPath(verify.ID)+"/complete", ta.providerApprover(), confirm), 409)
	correct := s.correctionTask(t, ta.providerApprover(), created.ID, "correct")
	ta.expect(ta.do("POST", taskPath(correct.ID)+"/complete", ta.providerApprover(), map[string]any{"decision": "corrected", "corrected": "注册资本更正为500万元"}), 200)

	s.correctionTask(t, ta.applicant(), created.ID, "accept")
	ta.expect(ta.do("POST", "/api/v1/corrections/"+created.ID+"/accept", ta.providerApprover(), nil), 403)
	ta.expect(ta.do("POST", "/api/v1/corrections/"+created.ID+"/accept", ta.applicant(), map[string]any{"comment": "已核对"}), 200)
	var detail CorrectionDetail
	s.eventually(t, "the correction accepted", func() bool {
		ta.expect(ta.do("GET", "/api/v1/corrections/"+created.ID, ta.applicant(), nil), 200).json(t, &detail)
		return detail.Status == "accepted" && detail.ClosedAt != nil
	})
	if detail.Result != "confirmed" || detail.ResultText != "注册资本更正为500万元" || detail.CitizenObjection == nil ||
		len(detail.OpenTasks) != 0 || detail.DueAt != nil {
		t.Errorf("accepted detail = %+v", detail)
	}
	kinds := map[string]bool{}
	for _, ev := range detail.Timeline {
		kinds[ev.Kind] = true
	}
	for _, k := range []string{"correction_reported", "verified", "data_corrected", "result_accepted"} {
		if !kinds[k] {
			t.Errorf("timeline lacks %s", k)
		}
	}
	s.eventually(t, "the flag off", func() bool { return !s.resourceFlag(t, conditional).UnderVerification })

	// A second report, on the unconditional resource (no grant needed): rejected, disputed
	// once, upheld by the authority's coordination.
	var second CorrectionStatus
	ta.expect(ta.do("POST", "/api/v1/corrections", ta.applicant(), correctionInput(unconditional)), 201).json(t, &second)
	verify = s.correctionTask(t, ta.providerApprover(), second.ID, "verify")
	ta.expect(ta.do("POST", taskPath(verify.ID)+"/complete", ta.providerApprover(), map[string]any{"decision": "rejected", "reason": "与登记档案一致"}), 200)
	s.correctionTask(t, ta.applicant(), second.ID, "accept")
	ta.expect(ta.do("POST", "/api/v1/corrections/"+second.ID+"/dispute", ta.applicant(), map[string]any{"reason": "营业执照与数据不符"}), 200)
	e = ta.expect(ta.do("POST", "/api/v1/corrections/"+second.ID+"/dispute", ta.applicant(), map[string]any{"reason": "再次"}), 409).errorBody(t)
	if !strings.Contains(e.Message, "at most once") {
		t.Errorf("second dispute: %+v", e)
	}
	if v := s.resourceFlag(t, unconditional); !v.UnderVerification {
		t.Errorf("no flag while the dispute is coordinated: %+v", v)
	}
	coordinate := s.correctionTask(t, ta.authority(), second.ID, "coordinate")
	ta.expect(ta.do("POST", taskPath(coordinate.ID)+"/complete", ta.authority(), map[string]any{"decision": "uphold", "reason": "以登记机关档案为准"}), 200)
	s.eventually(t, "the dispute upheld", func() bool {
		var d CorrectionDetail
		ta.expect(ta.do("GET", "/api/v1/corrections/"+second.ID, ta.applicant(), nil), 200).json(t, &d)
		return d.Status == "upheld" && d.Disputed && d.Result == "rejected"
	})
	s.eventually(t, "the flag off again", func() bool { return !s.resourceFlag(t, unconditional).UnderVerification })

	var list CorrectionList
	ta.expect(ta.do("GET", "/api/v1/corrections", ta.providerApprover(), nil), 200).json(t, &list)
	// Ids sort by the second of the report, so two of the same second come in either order.
	if len(list.Items) != 2 || (list.Items[0].ID != second.ID && list.Items[1].ID != second.ID) {
		t.Errorf("provider's corrections = %+v", list)
	}
}
