package policy

import (
	"slices"
	"testing"
)

// Deadline kinds in the table below.
const (
	statutory = "statutory"     // N working days, stated by the cited article
	localDef  = "local_default" // the text sets no time: the deployment's default
	noneKind  = "none"          // no deadline at all
	annual    = "annual"        // a calendar date every year
	absent    = "absent"        // the profile has no such step
	notApply  = "n/a"           // the procedure does not apply in the jurisdiction
)

// designCell is one cell of the deadline table of docs/regulations.md (and of the obligations beside it) as read in the
// regulation texts: which step, who acts, what deadline, which article.
type designCell struct {
	profile, procedure, step string
	role, dept               string
	kind                     string
	workdays                 int // statutory working days, or the annual month
	articles                 []string
	refusal                  []string
	extension                *Extension
	localStep                bool // the step itself is local practice
}

// deliverCell is the step the national layer adds to every profile's share procedure: the
// 条例's 第二十二条第一款, 20 working days from the consent.
func deliverCell(profile string) designCell {
	return designCell{profile: profile, procedure: ProcShare, step: "deliver", role: RoleApprover, dept: DeptProvider, kind: statutory, workdays: 20, articles: []string{"第二十二条第一款"}}
}

// supplementCell is the other step the national layer adds to every profile's share procedure:
// the 条例's 第二十一条第二款, the requesting department's supplement after the provider's
// notice (补正告知), with no deadline — the 条例 sets none.
func supplementCell(profile string) designCell {
	return designCell{profile: profile, procedure: ProcShare, step: "supplement", role: RoleApplicant, dept: DeptApplicant, kind: noneKind, articles: []string{"第二十一条第二款"}}
}

// governmentCell is the third: the 条例's 第二十八条第二款, the authority's record of its
// government's decision on a dispute coordination did not settle, with no deadline.
func governmentCell(profile string) designCell {
	return designCell{profile: profile, procedure: ProcShare, step: "government_decision", role: RoleAuthority, dept: DeptAuthority, kind: noneKind, articles: []string{"第二十八条第二款"}}
}

var designTable = []designCell{
	deliverCell("ningxia"), deliverCell("wuhai"), deliverCell("liaoning"), deliverCell("neixiang"), deliverCell("national"),
	supplementCell("ningxia"), supplementCell("wuhai"), supplementCell("liaoning"), supplementCell("neixiang"), supplementCell("national"),
	governmentCell("ningxia"), governmentCell("wuhai"), governmentCell("liaoning"), governmentCell("neixiang"), governmentCell("national"),
	// 宁夏回族自治区政务数据资源共享管理办法
	{profile: "ningxia", procedure: ProcShare, step: "reply", role: RoleApprover, dept: DeptProvider, kind: statutory, workdays: 10, articles: []string{"第十一条第三款"}, refusal: []string{NeedReasons}},
	// The negotiation is in the fourth paragraph of 第十一条, not the third
	// (the third is the ten-day reply), as the paragraph check of the seeds test confirms.
	{profile: "ningxia", procedure: ProcShare, step: "negotiate", role: RoleApplicant, dept: DeptApplicant, kind: localDef, articles: []string{"第十一条第四款"}},
	{profile: "ningxia", procedure: ProcShare, step: "coordinate", role: RoleAuthority, dept: DeptAuthority, kind: localDef, articles: []string{"第十一条第四款"}},
	{profile: "ningxia", procedure: ProcShare, step: "suspend", kind: absent},
	{profile: "ningxia", procedure: ProcCatalogUpdate, step: "update", role: RoleApprover, dept: DeptOwn, kind: statutory, workdays: 15, articles: []string{"第八条第一款"}},
	{profile: "ningxia", procedure: ProcCatalogUpdate, step: "review", role: RoleAuthority, dept: DeptAuthority, kind: localDef, articles: []string{"第四条第二款"}, localStep: true},
	{profile: "ningxia", procedure: ProcCatalogUpdate, step: "report_to_city", kind: absent},
	{profile: "ningxia", procedure: ProcCorrection, step: "verify", role: RoleApprover, dept: DeptProvider, kind: localDef, articles: []string{"第十五条"}},
	{profile: "ningxia", procedure: ProcCorrection, step: "correct", role: RoleApprover, dept: DeptProvider, kind: localDef, articles: []string{"第十三条"}},
	{profile: "ningxia", procedure: ProcCorrection, step: "dispatch", kind: absent},
	{profile: "ningxia", procedure: ProcCorrection, step: "accept", role: RoleApplicant, dept: DeptApplicant, kind: localDef, localStep: true},
	{profile: "ningxia", procedure: ProcCorrection, step: "coordinate", role: RoleAuthority, dept: DeptAuthority, kind: localDef, localStep: true},
	{profile: "ningxia", procedure: ProcOpenData, kind: notApply},
	{profile: "ningxia", procedure: ProcOpenCatalogCorrection, kind: notApply},
	{profile: "ningxia", procedure: ProcInterfaceExtension, kind: notApply},
	{profile: "ningxia", procedure: ProcRectification, step: "rectify", role: RoleApprover, dept: DeptOwn, kind: localDef, articles: []string{"第二十三条"}},
	{profile: "ningxia", procedure: ProcRectification, step: "review", role: RoleAuthority, dept: DeptAuthority, kind: noneKind, articles: []string{"第四条第二款"}, localStep: true},
	{profile: "ningxia", procedure: ProcRectification, step: "consequence", role: RoleAuthority, dept: DeptAuthority, kind: noneKind, articles: []string{"第二十三条"}, localStep: true},
	{profile: "ningxia", procedure: ProcAnnualReport, step: "department_report", role: RoleApprover, dept: DeptOwn, kind: annual, workdays: 1, articles: []string{"第十七条第二款"}},
	{profile: "ningxia", procedure: ProcAnnualReport, step: "summary_report", role: RoleAuthority, dept: DeptAuthority, kind: noneKind, articles: []string{"第十七条第二款"}},

	// 乌海市政务信息资源共享管理办法
	{profile: "wuhai", procedure: ProcShare, step: "reply", role: RoleApprover, dept: DeptProvider, kind: statutory, workdays: 5, articles: []string{"第九条第三款", "第九条第四款"}, refusal: []string{NeedReasons}},
	{profile: "wuhai", procedure: ProcShare, step: "negotiate", role: RoleApplicant, dept: DeptApplicant, kind: localDef, localStep: true},
	{profile: "wuhai", procedure: ProcShare, step: "coordinate", role: RoleAuthority, dept: DeptAuthority, kind: localDef, articles: []string{"第四条第一款"}, localStep: true},
	{profile: "wuhai", procedure: ProcShare, step: "suspend", kind: absent},
	{profile: "wuhai", procedure: ProcCatalogUpdate, step: "update", role: RoleApprover, dept: DeptOwn, kind: statutory, workdays: 15, articles: []string{"第七条第一款"}},
	{profile: "wuhai", procedure: ProcCatalogUpdate, step: "review", role: RoleAuthority, dept: DeptAuthority, kind: localDef, articles: []string{"第七条第二款"}, localStep: true},
	{profile: "wuhai", procedure: ProcCatalogUpdate, step: "report_to_city", kind: absent},
	{profile: "wuhai", procedure: ProcCorrection, step: "verify", role: RoleApprover, dept: DeptProvider, kind: localDef, articles: []string{"第十二条"}},
	{profile: "wuhai", procedure: ProcCorrection, step: "correct", role: RoleApprover, dept: DeptProvider, kind: localDef, articles: []string{"第十条"}},
	{profile: "wuhai", procedure: ProcCorrection, step: "dispatch", kind: absent},
	{profile: "wuhai", procedure: ProcCorrection, step: "accept", role: RoleApplicant, dept: DeptApplicant, kind: localDef, localStep: true},
	{profile: "wuhai", procedure: ProcCorrection, step: "coordinate", role: RoleAuthority, dept: DeptAuthority, kind: localDef, localStep: true},
	{profile: "wuhai", procedure: ProcOpenData, kind: notApply},
	{profile: "wuhai", procedure: ProcOpenCatalogCorrection, kind: notApply},
	{profile: "wuhai", procedure: ProcInterfaceExtension, kind: notApply},
	{profile: "wuhai", procedure: ProcRectification, step: "rectify", role: RoleApprover, dept: DeptOwn, kind: localDef, articles: []string{"第二十条"}},
	{profile: "wuhai", procedure: ProcRectification, step: "review", role: RoleAuthority, dept: DeptAuthority, kind: noneKind, articles: []string{"第二十条"}, localStep: true},
	{profile: "wuhai", procedure: ProcRectification, step: "consequence", role: RoleAuthority, dept: DeptAuthority, kind: noneKind, articles: []string{"第二十条"}, localStep: true},
	{profile: "wuhai", procedure: ProcAnnualReport, kind: notApply},

	// 辽宁省政务数据资源共享管理办法
	{profile: "liaoning", procedure: ProcShare, step: "reply", role: RoleApprover, dept: DeptProvider, kind: statutory, workdays: 5, articles: []string{"第十七条第二款"}, refusal: []string{NeedReasons}},
	{profile: "liaoning", procedure: ProcShare, step: "negotiate", kind: absent},
	{profile: "liaoning", procedure: ProcShare, step: "coordinate", role: RoleAuthority, dept: DeptAuthority, kind: localDef, articles: []string{"第十七条第三款"}},
	{profile: "liaoning", procedure: ProcCatalogUpdate, step: "update", role: RoleApprover, dept: DeptOwn, kind: statutory, workdays: 10, articles: []string{"第九条第二款"}},
	{profile: "liaoning", procedure: ProcCatalogUpdate, step: "review", role: RoleAuthority, dept: DeptAuthority, kind: localDef, articles: []string{"第十条"}},
	{profile: "liaoning", procedure: ProcCorrection, step: "verify", role: RoleApprover, dept: DeptProvider, kind: statutory, workdays: 5, articles: []string{"第十八条第一款"}},
	{profile: "liaoning", procedure: ProcCorrection, step: "correct", role: RoleApprover, dept: DeptProvider, kind: localDef, articles: []string{"第十八条第一款"}},
	{profile: "liaoning", procedure: ProcCorrection, step: "accept", role: RoleApplicant, dept: DeptApplicant, kind: localDef, localStep: true},
	{profile: "liaoning", procedure: ProcCorrection, step: "coordinate", role: RoleAuthority, dept: DeptAuthority, kind: localDef, articles: []string{"第十七条第三款"}},
	{profile: "liaoning", procedure: ProcOpenData, kind: notApply},
	{profile: "liaoning", procedure: ProcOpenCatalogCorrection, kind: notApply},
	{profile: "liaoning", procedure: ProcInterfaceExtension, kind: notApply},
	{profile: "liaoning", procedure: ProcRectification, step: "rectify", role: RoleApprover, dept: DeptOwn, kind: localDef, articles: []string{"第二十六条"}},
	{profile: "liaoning", procedure: ProcRectification, step: "review", role: RoleAuthority, dept: DeptAuthority, kind: noneKind, articles: []string{"第二十六条"}, localStep: true},
	{profile: "liaoning", procedure: ProcRectification, step: "consequence", role: RoleAuthority, dept: DeptAuthority, kind: noneKind, articles: []string{"第二十六条"}},
	{profile: "liaoning", procedure: ProcAnnualReport, kind: notApply},

	// 内乡县政务信息资源数据共享管理实施办法
	{profile: "neixiang", procedure: ProcShare, step: "reply", role: RoleAuthority, dept: DeptAuthority, kind: localDef, articles: []string{"第十二条"}},
	{profile: "neixiang", procedure: ProcShare, step: "negotiate", kind: absent},
	{profile: "neixiang", procedure: ProcShare, step: "coordinate", role: RoleAuthority, dept: DeptAuthority, kind: localDef, articles: []string{"第四十条"}},
	{profile: "neixiang", procedure: ProcShare, step: "suspend", role: RoleAuthority, dept: DeptAuthority, kind: noneKind, articles: []string{"第四十一条"}},
	{profile: "neixiang", procedure: ProcCatalogUpdate, step: "update", role: RoleApprover, dept: DeptOwn, kind: statutory, workdays: 5, articles: []string{"第二十二条"}},
	{profile: "neixiang", procedure: ProcCatalogUpdate, step: "review", role: RoleAuthority, dept: DeptAuthority, kind: statutory, workdays: 5, articles: []string{"第二十二条"}},
	{profile: "neixiang", procedure: ProcCatalogUpdate, step: "report_to_city", role: RoleAuthority, dept: DeptAuthority, kind: statutory, workdays: 5, articles: []string{"第二十三条"}},
	{profile: "neixiang", procedure: ProcCorrection, step: "dispatch", role: RoleTechService, dept: DeptTechService, kind: localDef, articles: []string{"第六十五条"}},
	{profile: "neixiang", procedure: ProcCorrection, step: "verify", role: RoleApprover, dept: DeptProducer, kind: statutory, workdays: 5, articles: []string{"第六十五条"}},
	{profile: "neixiang", procedure: ProcCorrection, step: "correct", role: RoleApprover, dept: DeptProducer, kind: statutory, workdays: 10, articles: []string{"第六十五条"}},
	{profile: "neixiang", procedure: ProcCorrection, step: "accept", role: RoleApplicant, dept: DeptApplicant, kind: localDef, localStep: true},
	{profile: "neixiang", procedure: ProcCorrection, step: "coordinate", role: RoleAuthority, dept: DeptAuthority, kind: localDef, articles: []string{"第四十条"}},
	{profile: "neixiang", procedure: ProcOpenData, step: "reply", role: RoleApprover, dept: DeptProducer, kind: statutory, workdays: 10, articles: []string{"第四十六条第二款"},
		refusal: []string{NeedReasons, NeedBasis}, extension: &Extension{MaxWorkdays: 10, Approver: RoleDeptHead, MaxCount: 1}},
	{profile: "neixiang", procedure: ProcOpenData, step: "extension", role: RoleDeptHead, dept: DeptProducer, kind: noneKind, articles: []string{"第四十六条第二款"}},
	{profile: "neixiang", procedure: ProcOpenCatalogCorrection, step: "reply", role: RoleApprover, dept: DeptProducer, kind: statutory, workdays: 10, articles: []string{"第四十五条第三款"},
		refusal: []string{NeedReasons, NeedBasis}, extension: &Extension{MaxWorkdays: 10, Approver: RoleDeptHead, MaxCount: 1}},
	{profile: "neixiang", procedure: ProcOpenCatalogCorrection, step: "extension", role: RoleDeptHead, dept: DeptProducer, kind: noneKind, articles: []string{"第四十五条第三款"}},
	{profile: "neixiang", procedure: ProcOpenCatalogCorrection, step: "update_catalog", role: RoleApprover, dept: DeptProducer, kind: localDef, articles: []string{"第四十五条第三款"}},
	{profile: "neixiang", procedure: ProcInterfaceExtension, step: "request", role: RoleApprover, dept: DeptProducer, kind: localDef, articles: []string{"第十三条第二款"},
		extension: &Extension{MaxWorkdays: 5, Approver: RoleAuthority, MaxCount: 1}},
	{profile: "neixiang", procedure: ProcInterfaceExtension, step: "approve", role: RoleAuthority, dept: DeptAuthority, kind: localDef, articles: []string{"第十三条第二款"}},
	{profile: "neixiang", procedure: ProcRectification, step: "rectify", role: RoleApprover, dept: DeptOwn, kind: localDef, articles: []string{"第六十七条"}},
	{profile: "neixiang", procedure: ProcRectification, step: "review", role: RoleAuthority, dept: DeptAuthority, kind: noneKind, articles: []string{"第六十七条"}, localStep: true},
	{profile: "neixiang", procedure: ProcRectification, step: "consequence", role: RoleAuthority, dept: DeptAuthority, kind: noneKind, articles: []string{"第六十七条"}},
	{profile: "neixiang", procedure: ProcAnnualReport, step: "department_report", role: RoleApprover, dept: DeptOwn, kind: annual, workdays: 1, articles: []string{"第六十条"}},
	{profile: "neixiang", procedure: ProcAnnualReport, step: "summary_report", role: RoleAuthority, dept: DeptAuthority, kind: annual, workdays: 2, articles: []string{"第六十条"}},

	// 政务数据共享条例 alone (the national profile)
	{profile: "national", procedure: ProcShare, step: "reply", role: RoleApprover, dept: DeptProvider, kind: statutory, workdays: 10, articles: []string{"第二十一条第一款", "第二十一条第二款"},
		refusal: []string{NeedReasons}, extension: &Extension{MaxWorkdays: 10, Approver: RoleAuthority, MaxCount: 1}},
	{profile: "national", procedure: ProcShare, step: "negotiate", role: RoleApplicant, dept: DeptApplicant, kind: localDef, articles: []string{"第二十八条第二款"}},
	{profile: "national", procedure: ProcShare, step: "coordinate", role: RoleAuthority, dept: DeptAuthority, kind: localDef, articles: []string{"第二十八条第二款"}},
	{profile: "national", procedure: ProcShare, step: "suspend", kind: absent},
	{profile: "national", procedure: ProcCatalogUpdate, step: "update", role: RoleApprover, dept: DeptOwn, kind: statutory, workdays: 10, articles: []string{"第十七条第二款"},
		extension: &Extension{MaxWorkdays: 5, Approver: RoleAuthority, MaxCount: 1}},
	{profile: "national", procedure: ProcCatalogUpdate, step: "review", role: RoleAuthority, dept: DeptAuthority, kind: statutory, workdays: 2, articles: []string{"第十七条第三款", "第十六条第一款"}},
	{profile: "national", procedure: ProcCatalogUpdate, step: "report_to_city", kind: absent},
	{profile: "national", procedure: ProcCorrection, step: "dispatch", kind: absent},
	{profile: "national", procedure: ProcCorrection, step: "verify", role: RoleApprover, dept: DeptProvider, kind: statutory, workdays: 10, articles: []string{"第二十六条第二款"}},
	{profile: "national", procedure: ProcCorrection, step: "correct", role: RoleApprover, dept: DeptProvider, kind: localDef, articles: []string{"第二十六条第二款"}},
	{profile: "national", procedure: ProcCorrection, step: "accept", role: RoleApplicant, dept: DeptApplicant, kind: localDef, localStep: true},
	{profile: "national", procedure: ProcCorrection, step: "coordinate", role: RoleAuthority, dept: DeptAuthority, kind: localDef, articles: []string{"第二十八条第二款"}},
	{profile: "national", procedure: ProcOpenData, kind: notApply},
	{profile: "national", procedure: ProcOpenCatalogCorrection, kind: notApply},
	{profile: "national", procedure: ProcInterfaceExtension, kind: notApply},
	{profile: "national", procedure: ProcRectification, step: "rectify", role: RoleApprover, dept: DeptOwn, kind: localDef, articles: []string{"第三十九条", "第四十条"}},
	{profile: "national", procedure: ProcRectification, step: "review", role: RoleAuthority, dept: DeptAuthority, kind: noneKind, articles: []string{"第二十九条第一款"}, localStep: true},
	{profile: "national", procedure: ProcRectification, step: "consequence", role: RoleAuthority, dept: DeptAuthority, kind: noneKind, articles: []string{"第三十九条", "第四十条"}},
	{profile: "national", procedure: ProcAnnualReport, kind: notApply},
}

// TestEveryDesignCellIsInItsProfile checks the resolved profiles against the table of
// The deadline table of docs/regulations.md, cell by cell.
func TestEveryDesignCellIsInItsProfile(t *testing.T) {
	const localWorkdays = 9 // not a number any text states, so a leak would show
	profiles := map[string]Profile{}
	for _, id := range EmbeddedIDs() {
		p, err := Select(id, "", LocalDefaults{Workdays: localWorkdays})
		if err != nil {
			t.Fatal(err)
		}
		profiles[id] = p
	}
	covered := map[string]bool{}
	for _, c := range designTable {
		name := c.profile + "/" + c.procedure + "/" + c.step
		t.Run(name, func(t *testing.T) {
			p := profiles[c.profile]
			pr, ok := p.Procedure(c.procedure)
			if !ok {
				t.Fatal("procedure missing")
			}
			if c.kind == notApply {
				if pr.Applies || len(pr.Steps) > 0 || pr.Note == "" {
					t.Errorf("want applies: false with a note, got applies=%v steps=%d", pr.Applies, len(pr.Steps))
				}
				covered[c.profile+"/"+c.procedure] = true
				return
			}
			s, ok := p.Step(c.procedure, c.step)
			if c.kind == absent {
				if ok {
					t.Errorf("step must be absent, got %+v", s)
				}
				return
			}
			if !ok {
				t.Fatal("step missing")
			}
			covered[name] = true
			if s.Actor.Role != c.role || s.Actor.Department != c.dept {
				t.Errorf("actor = %+v, want %s of %s", s.Actor, c.role, c.dept)
			}
			d := s.Deadline
			switch c.kind {
			case statutory:
				if !d.Statutory() || d.Workdays != c.workdays {
					t.Errorf("deadline = %+v, want %d statutory working days", d, c.workdays)
				}
			case localDef:
				if !d.LocalDefault || d.Workdays != localWorkdays || d.Note == "" {
					t.Errorf("deadline = %+v, want the local default %d with a note", d, localWorkdays)
				}
			case noneKind:
				if !d.None || d.Note == "" || len(s.Reminders) > 0 || s.Escalation != nil {
					t.Errorf("deadline = %+v reminders %v escalation %v, want none with a note", d, s.Reminders, s.Escalation)
				}
			case annual:
				if d.Annual == nil || d.Annual.Month != c.workdays || !d.Annual.EndOfMonth {
					t.Errorf("deadline = %+v, want the end of month %d", d, c.workdays)
				}
			}
			if c.kind != noneKind && (s.Escalation == nil || s.Escalation.LongOverdueAfterWorkdays < 1 || len(s.Reminders) == 0) {
				t.Errorf("a step with a deadline needs reminders and an escalation: %v %+v", s.Reminders, s.Escalation)
			}
			if s.LocalDefault != c.localStep {
				t.Errorf("step local_default = %v, want %v", s.LocalDefault, c.localStep)
			}
			var cited []string
			for _, lb := range s.LegalBasis {
				cited = append(cited, lb.Article+lb.Paragraph)
			}
			for _, a := range c.articles {
				if !slices.Contains(cited, a) {
					t.Errorf("legal basis %v lacks %s", cited, a)
				}
			}
			if !slices.Equal(s.RefusalRequires, c.refusal) {
				t.Errorf("refusal_requires = %v, want %v", s.RefusalRequires, c.refusal)
			}
			switch {
			case c.extension == nil && s.Extension != nil:
				t.Errorf("extension = %+v, want none", s.Extension)
			case c.extension != nil && (s.Extension == nil || withoutNote(*s.Extension) != *c.extension):
				t.Errorf("extension = %+v, want %+v", s.Extension, c.extension)
			}
		})
	}
	// Every step of every profile is in the table, so nothing escapes review.
	for id, p := range profiles {
		for _, pr := range p.Procedures {
			if !pr.Applies && !covered[id+"/"+pr.Code] {
				t.Errorf("%s/%s (not applicable) is not in the table", id, pr.Code)
			}
			for _, s := range pr.Steps {
				if !covered[id+"/"+pr.Code+"/"+s.Code] {
					t.Errorf("%s/%s/%s is not in the table", id, pr.Code, s.Code)
				}
			}
		}
	}
}

func TestOtherObligations(t *testing.T) {
	for _, id := range EmbeddedIDs() {
		p, err := Select(id, "", LocalDefaults{AuditLogRetentionMonths: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Retention) != 1 || p.Retention[0].Record != RecordAuditLog {
			t.Fatalf("%s: retention = %+v", id, p.Retention)
		}
		r := p.Retention[0]
		if id == "neixiang" {
			if r.LocalDefault || r.MinMonths != 6 || len(r.LegalBasis) != 1 || r.LegalBasis[0].Article != "第三十三条" {
				t.Errorf("neixiang audit log retention = %+v, want 6 months under 第三十三条", r)
			}
			continue
		}
		if id == nationalProfile {
			if r.LocalDefault || r.MinMonths != 36 || len(r.LegalBasis) != 1 || r.LegalBasis[0].String() != "《政务数据共享条例》第二十九条第二款" {
				t.Errorf("national audit log retention = %+v, want 36 months under 第二十九条第二款", r)
			}
			continue
		}
		if !r.LocalDefault || r.MinMonths != 3 || r.Note == "" {
			t.Errorf("%s: retention = %+v, want the local default with a note", id, r)
		}
	}
	// Conditions of submissions where the texts set them.
	nx, _ := Select("neixiang", "", LocalDefaults{})
	if pr, _ := nx.Procedure(ProcCorrection); !slices.Equal(pr.SubmissionRequires, []string{NeedDescription, NeedEvidence}) || pr.LegalBasis[0].Article != "第六十四条" {
		t.Errorf("neixiang correction submission = %v %v", pr.SubmissionRequires, pr.LegalBasis)
	}
	if pr, _ := nx.Procedure(ProcOpenData); pr.Initiator == nil || pr.Initiator.Role != RoleCitizen || pr.Initiator.Department != "" {
		t.Errorf("neixiang open_data initiator = %+v", pr.Initiator)
	}
}

// withoutNote is the extension rule without its explanation, which the table does not repeat.
func withoutNote(e Extension) Extension {
	e.Note = ""
	return e
}
