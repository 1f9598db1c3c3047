package api

import (
	"strings"
	"testing"
	"time"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func TestPolicies(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	var list PolicyList
	ta.expect(ta.do("GET", "/api/v1/policies", ta.applicant(), nil), 200).json(t, &list)
	if list.Active != "ningxia" || len(list.Items) != 5 {
		t.Fatalf("policies = %+v", list)
	}
	actives := 0
	for _, p := range list.Items {
		if p.Active {
			actives++
			if p.ID != "ningxia" {
				t.Fatalf("%s marked active", p.ID)
			}
		}
	}
	if actives != 1 {
		t.Fatalf("%d profiles marked active", actives)
	}
	ta.expect(ta.do("GET", "/api/v1/policies", "", nil), 401)
	ta.expect(ta.do("GET", "/api/v1/policies/beijing", ta.applicant(), nil), 404)

	// 宁夏: a conditional-share request is answered in 10 working days, 第十一条.
	var nx struct {
		ID       string `json:"id"`
		Active   bool   `json:"active"`
		National []struct {
			Title     string `json:"title"`
			Number    string `json:"number"`
			Effective string `json:"effective"`
		} `json:"national"`
		Procedures []struct {
			Code  string `json:"code"`
			Steps []struct {
				Code     string `json:"code"`
				Deadline struct {
					Workdays     int  `json:"workdays"`
					LocalDefault bool `json:"local_default"`
				} `json:"deadline"`
				LegalBasis []struct {
					Document string `json:"document"`
					Article  string `json:"article"`
				} `json:"legal_basis"`
				NationalBounds []struct {
					Workdays   int    `json:"workdays"`
					Effective  string `json:"effective"`
					From       string `json:"from"`
					LegalBasis struct {
						Document  string `json:"document"`
						Article   string `json:"article"`
						Paragraph string `json:"paragraph"`
					} `json:"legal_basis"`
				} `json:"national_bounds"`
			} `json:"steps"`
		} `json:"procedures"`
	}
	ta.expect(ta.do("GET", "/api/v1/policies/ningxia", ta.applicant(), nil), 200).json(t, &nx)
	found, bounded := false, 0
	for _, p := range nx.Procedures {
		for _, s := range p.Steps {
			// The 条例 bounds 宁夏's catalog update (15 WD) to 10 WD for cases received from its
			// effective date on (第十七条第二款); the view shows the bound and the date.
			if len(s.NationalBounds) > 0 {
				bounded++
			}
			if p.Code == "catalog_update" && s.Code == "update" {
				if len(s.NationalBounds) != 1 || s.NationalBounds[0].Workdays != 10 || s.NationalBounds[0].Effective != "2025-08-01" ||
					s.NationalBounds[0].LegalBasis.Document != "政务数据共享条例" || s.NationalBounds[0].LegalBasis.Article+s.NationalBounds[0].LegalBasis.Paragraph != "第十七条第二款" {
					t.Fatalf("ningxia catalog_update.update national bounds = %+v", s.NationalBounds)
				}
			}
			// The same 条例 holds a correction to 10 WD from the receipt of the report
			// (第二十六条第二款): a limit over the case, shown as counted from it.
			if p.Code == "correction" && s.Code == "correct" && (len(s.NationalBounds) != 1 || s.NationalBounds[0].From != "case" ||
				s.NationalBounds[0].Workdays != 10 || s.NationalBounds[0].LegalBasis.Article+s.NationalBounds[0].LegalBasis.Paragraph != "第二十六条第二款") {
				t.Fatalf("ningxia correction.correct national bounds = %+v", s.NationalBounds)
			}
			if p.Code == "share" && s.Code == "reply" {
				found = true
				if s.Deadline.Workdays != 10 || s.Deadline.LocalDefault || len(s.LegalBasis) == 0 || s.LegalBasis[0].Article != "第十一条" {
					t.Fatalf("ningxia share.reply = %+v", s)
				}
			}
			if p.Code == "share" && s.Code == "coordinate" && (!s.Deadline.LocalDefault || s.Deadline.Workdays != 10) {
				t.Fatalf("ningxia share.coordinate must be the local default of 10 working days: %+v", s)
			}
		}
	}
	if bounded != 5 || len(nx.National) != 1 || nx.National[0].Title != "政务数据共享条例" || nx.National[0].Number != "国务院令第809号" || nx.National[0].Effective != "2025-08-01" {
		t.Fatalf("ningxia: %d steps bounded, national documents %+v", bounded, nx.National)
	}
	if !found || !nx.Active || nx.ID != "ningxia" {
		t.Fatalf("ningxia profile = %+v", nx)
	}
}

// A procedure the profile in force does not provide for is refused with
// procedure_not_in_profile, naming the profile.
func TestProcedureInProfile(t *testing.T) {
	profiles := testPolicies(t)
	byID := map[string]policy.Profile{}
	for _, p := range profiles {
		byID[p.ID] = p
	}
	if err := procedureInProfile(byID["neixiang"], policy.ProcOpenData); err != nil {
		t.Errorf("neixiang open data: %v", err)
	}
	err := procedureInProfile(byID["ningxia"], policy.ProcOpenData)
	if err == nil || err.Status != 422 || err.Code != CodeProcedureNotInProfile || !strings.Contains(err.Message, "ningxia") {
		t.Fatalf("ningxia open data: %+v", err)
	}
	if err := procedureInProfile(byID["ningxia"], "nonsense"); err == nil || err.Code != CodeProcedureNotInProfile {
		t.Errorf("unknown procedure: %+v", err)
	}
}

// Under the national profile (the 政务数据共享条例 alone) the procedures the 条例 does not provide
// for are refused with procedure_not_in_profile naming it, and the profile's reply step is the
// 条例's own: no bound compared with itself, the delivery step after it.
func TestNationalProfileServesTheRegulationsProcedures(t *testing.T) {
	ta := newTestAPIFor(t, modelstest.NewSQLite(t), "national")
	_, _, authority, _, _ := models.DemoDepartmentIDs("national")
	citizen := ta.token("demo-citizen", "", auth.RoleCitizen)
	agreed := time.Now().In(chinaTime).AddDate(0, 0, 7).Format(time.DateOnly)
	for _, c := range []struct {
		path, token string
		body        map[string]any
	}{
		{"/api/v1/open-data-requests", citizen, map[string]any{"resource_id": demoResourceID(t, ta, "NATIONAL-SCJG-0004"), "purpose": "研究", "scope": "2025年"}},
		{"/api/v1/open-catalog-corrections", citizen,
			map[string]any{"resource_id": 1, "field": "name", "proposed_value": "新名称", "reason": "名称有误"}},
		{"/api/v1/interface-requirements", ta.token("demo-authority", authority, auth.RoleAuthority),
			map[string]any{"department_id": "national-scjg", "description": "查询接口", "agreed_due": agreed}},
	} {
		e := ta.expect(ta.do("POST", c.path, c.token, c.body), 422).errorBody(t)
		if e.Code != CodeProcedureNotInProfile || !strings.Contains(e.Message, "national") {
			t.Errorf("%s: %+v, want procedure_not_in_profile naming national", c.path, e)
		}
	}
	if n := ta.starter.count(); n != 0 {
		t.Errorf("%d workflows started", n)
	}
	var p policy.Profile
	ta.expect(ta.do("GET", "/api/v1/policies/national", ta.applicant(), nil), 200).json(t, &p)
	pr, ok := p.Procedure(policy.ProcShare)
	if !ok || !pr.Applies || len(pr.Steps) == 0 {
		t.Fatalf("national share procedure = %+v", pr)
	}
	reply, deliver, supplement, government := pr.Steps[0], pr.Steps[len(pr.Steps)-3], pr.Steps[len(pr.Steps)-2], pr.Steps[len(pr.Steps)-1]
	if reply.Code != "reply" || reply.Deadline.Workdays != 10 || len(reply.NationalBounds) != 0 || reply.Extension == nil || reply.Extension.MaxWorkdays != 10 {
		t.Errorf("national reply = %+v", reply)
	}
	if deliver.Code != "deliver" || deliver.AddedBy != "政务数据共享条例" {
		t.Errorf("national delivery step = %+v", deliver)
	}
	// The supplement of 第二十一条第二款, with how the reply resumes: a local default, marked.
	if supplement.Code != "supplement" || supplement.AddedBy != "政务数据共享条例" || supplement.Resumes == nil ||
		supplement.Resumes.Clock != policy.ClockRestart || !supplement.Resumes.LocalDefault {
		t.Errorf("national supplement step = %+v", supplement)
	}
	// The government's decision on a dispute coordination did not settle (第二十八条第二款).
	if government.Code != "government_decision" || government.AddedBy != "政务数据共享条例" || !government.Deadline.None {
		t.Errorf("national government decision step = %+v", government)
	}
}
