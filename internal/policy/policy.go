// Package policy holds the jurisdiction profiles of docs/regulations.md as data: for every
// procedure step, its deadline, who acts, reminders, escalation, extension rule and the article
// of the regulation that imposes it. Five profiles are embedded (ningxia, wuhai, liaoning,
// neixiang, and national: the 政务数据共享条例 alone); a deployment may load its own file of the
// same schema.
//
// Where a regulation is silent the profile says so and a configurable local default fills in,
// marked local_default so that it is never presented as law.
//
// The types below are served by the API as they are, so their JSON tags are the wire contract.
package policy

import (
	"fmt"
	"slices"
	"time"
)

// Role codes: the same as the API's roles (docs/api.md, "Roles and departments").
const (
	RoleApplicant   = "applicant"
	RoleApprover    = "approver"
	RoleDeptHead    = "dept_head"
	RoleAuthority   = "authority"
	RoleTechService = "tech_service"
	RoleCitizen     = "citizen"
	RoleAdmin       = "admin"
)

// Department kinds say which department of a case an actor belongs to.
const (
	// DeptProvider is the providing department of a share request (提供部门).
	DeptProvider = "provider"
	// DeptApplicant is the using department that started the case (使用部门).
	DeptApplicant = "applicant"
	// DeptProducer is the department that produces the data (数据生产部门).
	DeptProducer = "producer"
	// DeptAuthority is the data authority of the jurisdiction (数据主管部门).
	DeptAuthority = "authority"
	// DeptTechService is the technical service unit (技术服务单位).
	DeptTechService = "tech_service"
	// DeptOwn is the department the case is about: a catalog's owner, a department ordered to
	// rectify, a department filing its annual report.
	DeptOwn = "own"
)

// Procedure codes. Workflows implement exactly these, so a profile may not invent others.
const (
	ProcShare                 = "share"                   // 有条件共享申请
	ProcCatalogUpdate         = "catalog_update"          // 目录更新
	ProcCorrection            = "correction"              // 数据校核纠错
	ProcOpenData              = "open_data"               // 有条件开放申请
	ProcOpenCatalogCorrection = "open_catalog_correction" // 开放目录更正
	ProcInterfaceExtension    = "interface_extension"     // 接口延期
	ProcRectification         = "rectification"           // 限期整改
	ProcAnnualReport          = "annual_report"           // 年度报告
)

// Refusal and submission requirements.
const (
	// NeedReasons: a refusal must state its reasons (说明理由).
	NeedReasons = "reasons"
	// NeedBasis: a refusal must give its basis (提供依据).
	NeedBasis = "basis"
	// NeedDescription: a submission must describe the problem (问题描述).
	NeedDescription = "description"
	// NeedEvidence: a submission must carry supporting evidence (佐证材料).
	NeedEvidence = "evidence"
	// NeedPurpose: a request must state the intended use (使用用途).
	NeedPurpose = "purpose"
	// NeedDutyBasis: a share request must state the duty the data is needed for (履职依据),
	// whatever the resource's share type; the API answers one without it with 422 citing the
	// procedure's legal basis. A deployment's setting: no shipped profile asks it of every
	// request (docs/regulations.md), while a request for a resource not for sharing (不予共享)
	// needs one under every profile.
	NeedDutyBasis = "duty_basis"
)

// Record kinds of retention rules.
const (
	// RecordAuditLog is the log of data provided and obtained (日志记录).
	RecordAuditLog = "audit_log"
)

// Profile is one jurisdiction: its regulations and, for every procedure, the steps they impose.
type Profile struct {
	// ID selects the profile (DATASHARE_PROFILE): ningxia, wuhai, liaoning, neixiang, national.
	ID string `json:"id" yaml:"id"`
	// Name is the profile's display name.
	Name string `json:"name" yaml:"name"`
	// Jurisdiction is the administrative area in Chinese, e.g. 宁夏回族自治区.
	Jurisdiction string `json:"jurisdiction" yaml:"jurisdiction"`
	// Documents are the regulations citations point to, by title.
	Documents []Document `json:"documents" yaml:"documents"`
	// Procedures lists every procedure code once; those the regulations do not provide for
	// have Applies false.
	Procedures []Procedure `json:"procedures" yaml:"procedures"`
	// Retention lists minimum keeping periods of records.
	Retention []Retention `json:"retention" yaml:"retention"`
	// CatalogReview is the basis of the authority's review of catalog entries — publishing,
	// returning or retiring what a department submitted — under the profile's measures.
	CatalogReview Rule `json:"catalog_review" yaml:"catalog_review"`
	// RefusalReasons is the catalogue a refusal picks its reason_code from (不予共享理由); a
	// deployment may replace it (DATASHARE_REFUSAL_REASONS_FILE).
	RefusalReasons []RefusalReason `json:"refusal_reasons" yaml:"refusal_reasons"`
	// Violations is the list a rectification notice (限期整改通知) names its violation from:
	// the items of the article that lists what the authority may order corrected. Empty when
	// the rectification procedure does not apply.
	Violations []Violation `json:"violations" yaml:"violations"`
	// Rectification holds the rules of rectification notices: the longest time limit and what
	// follows when it passes; nil when the procedure does not apply.
	Rectification *RectificationRules `json:"rectification,omitempty" yaml:"rectification"`
	// Source is "embedded" or "file"; set on load, not read from the file.
	Source string `json:"source" yaml:"-"`
	// LocalDefaults are the values Resolve filled in; zero until then.
	LocalDefaults *LocalDefaults `json:"local_defaults,omitempty" yaml:"-"`
	// National are the national regulations above the profile (the national layer, not the
	// file), with the dates they took effect; Resolve fills them and each step's
	// NationalBounds.
	National []Document `json:"national,omitempty" yaml:"-"`
	// NationalRetention are the keeping periods of the national layer (RetentionFloor).
	NationalRetention []NationalRetention `json:"national_retention,omitempty" yaml:"-"`
	// NationalPowers are the powers of the national layer over the profile's procedures.
	NationalPowers []NationalPower `json:"national_powers,omitempty" yaml:"-"`
}

// RefusalReason is one entry of the refusal reason catalogue. The regulations require a
// refusal to give its reasons (宁夏 第十一条, 乌海 第九条, 辽宁 第十七条) but list no grounds:
// the catalogue is the deployment's, and cites an article only where one states the ground.
type RefusalReason struct {
	// Code is what a refusal's reason_code names, e.g. outside_duty.
	Code string `json:"code" yaml:"code"`
	// Title in Chinese, e.g. 申请用途不属于履行职责需要.
	Title string `json:"title" yaml:"title"`
	// Note says when the reason applies.
	Note       string     `json:"note,omitempty" yaml:"note"`
	LegalBasis []Citation `json:"legal_basis,omitempty" yaml:"legal_basis"`
}

// Violation is one item of the article a rectification notice rests on, e.g. 辽宁
// 第二十六条（一） 未按照要求制定或者更新政务数据资源目录.
type Violation struct {
	// Code is what a notice's violation names, e.g. catalog_not_maintained.
	Code string `json:"code" yaml:"code"`
	// Title in Chinese, a short paraphrase of the item.
	Title string `json:"title" yaml:"title"`
	Note  string `json:"note,omitempty" yaml:"note"`
	// LegalBasis cites the article down to its item.
	LegalBasis []Citation `json:"legal_basis" yaml:"legal_basis"`
	// NationalBasis is the item of a national regulation that makes the same conduct a
	// violation (政务数据共享条例 第三十九条、第四十条), where the national layer lists it under the
	// same code; a notice cites it after the profile's own. Resolve fills it.
	NationalBasis []Citation `json:"national_basis,omitempty" yaml:"-"`
	// AddedBy is the national regulation that adds the item to the profile's list, which a
	// notice may name from Effective (YYYY-MM-DD, China); empty for the profile's own items.
	AddedBy   string `json:"added_by,omitempty" yaml:"-"`
	Effective string `json:"effective,omitempty" yaml:"-"`
	// Consequence is what follows an order naming the item that is not complied with, where it
	// is not the profile's (Rectification.Consequence): an added item carries its regulation's.
	Consequence *Consequence `json:"consequence,omitempty" yaml:"-"`
}

// Basis is every citation of the violation: the profile's, then the national regulation's.
func (v Violation) Basis() []Citation {
	return append(slices.Clone(v.LegalBasis), v.NationalBasis...)
}

// RectificationRules are the rules of rectification notices (限期整改).
type RectificationRules struct {
	// MaxWorkdays is the longest time limit a notice may give, in working days. No regulation
	// sets one (the notice fixes the limit): a product setting that keeps typos out.
	MaxWorkdays int `json:"max_workdays" yaml:"max_workdays"`
	// Consequence is what the authority does when the time limit passes uncorrected.
	Consequence Consequence `json:"consequence" yaml:"consequence"`
}

// Consequence is what follows a rectification not done in time: 辽宁 circulated criticism
// (通报批评, 第二十六条), 内乡 a report to the county government and its supervision (上报县级政府
// 纳入督查督办, 第六十七条).
type Consequence struct {
	// Code names the consequence, e.g. circulated_criticism.
	Code string `json:"code" yaml:"code"`
	// Title in Chinese, e.g. 通报批评.
	Title string `json:"title" yaml:"title"`
	// LocalDefault: the regulation does not tie this consequence to a missed time limit; the
	// deployment applies it as local practice, and Note says so.
	LocalDefault bool       `json:"local_default,omitempty" yaml:"local_default"`
	LegalBasis   []Citation `json:"legal_basis,omitempty" yaml:"legal_basis"`
	Note         string     `json:"note,omitempty" yaml:"note"`
}

// Violation returns the violation with the code.
func (p Profile) Violation(code string) (Violation, bool) {
	for _, v := range p.Violations {
		if v.Code == code {
			return v, true
		}
	}
	return Violation{}, false
}

// Document is one regulation, as far as its text identifies itself.
type Document struct {
	// Title in Chinese, as citations name it.
	Title string `json:"title" yaml:"title"`
	// Issuer is who issued or published it, when the text says.
	Issuer string `json:"issuer,omitempty" yaml:"issuer"`
	// Number is the document number (文号 / 令号), when the text gives one.
	Number string `json:"number,omitempty" yaml:"number"`
	// Year of promulgation, when the text gives it.
	Year int `json:"year,omitempty" yaml:"year"`
	// Published is the promulgation date (YYYY-MM-DD), when the text gives it.
	Published string `json:"published,omitempty" yaml:"published"`
	// Effective is the date it took effect (YYYY-MM-DD), when the text gives it.
	Effective string `json:"effective,omitempty" yaml:"effective"`
	// Note says what the text does not tell, or where an accompanying interpretation is.
	Note string `json:"note,omitempty" yaml:"note"`
}

// Citation points to an article of a document. The project cites; it does not copy text.
type Citation struct {
	// Document is the title of one of the profile's documents.
	Document string `json:"document" yaml:"document"`
	// Article such as 第十一条.
	Article string `json:"article" yaml:"article"`
	// Paragraph such as 第三款, when the article has several.
	Paragraph string `json:"paragraph,omitempty" yaml:"paragraph"`
	// Item such as （二）, when the citation is to one item of a list.
	Item string `json:"item,omitempty" yaml:"item"`
	// Workdays is the number of working days the article states, when it states one.
	Workdays int `json:"workdays,omitempty" yaml:"workdays"`
	// ExtensionWorkdays is the longest extension, in working days, the article allows, when
	// that is the number it states (not a deadline of the step): it supports the step's
	// extension rule and never its deadline.
	ExtensionWorkdays int `json:"extension_workdays,omitempty" yaml:"extension_workdays"`
	// Months is the number of months the article states, when it states one.
	Months int `json:"months,omitempty" yaml:"months"`
}

// String renders the citation the way Chinese documents cite: 《标题》第十一条第三款（二）.
func (c Citation) String() string {
	return "《" + c.Document + "》" + c.Article + c.Paragraph + c.Item
}

// Actor says who acts: a role, and which of the case's departments it belongs to.
type Actor struct {
	Role string `json:"role" yaml:"role"`
	// Department is one of the Dept* kinds; empty only for citizens and admins.
	Department string `json:"department,omitempty" yaml:"department"`
}

// Procedure is one kind of case (share request, correction, ...) in this jurisdiction.
type Procedure struct {
	Code string `json:"code" yaml:"code"`
	// Name in Chinese, e.g. 有条件共享申请.
	Name string `json:"name" yaml:"name"`
	// Applies is false where the jurisdiction's regulations do not provide for the procedure.
	// In a file it defaults to true.
	Applies bool `json:"applies" yaml:"applies"`
	// Note explains what the regulations say, or why the procedure does not apply.
	Note string `json:"note,omitempty" yaml:"note"`
	// Initiator is who starts a case; absent for procedures the calendar starts.
	Initiator *Actor `json:"initiator,omitempty" yaml:"initiator"`
	// SubmissionRequires lists what the starting submission must contain (Need* codes).
	SubmissionRequires []string `json:"submission_requires,omitempty" yaml:"submission_requires"`
	// LegalBasis of the procedure as a whole: who may start it and with what.
	LegalBasis []Citation `json:"legal_basis,omitempty" yaml:"legal_basis"`
	// Steps in the order a case usually meets them.
	Steps []Step `json:"steps" yaml:"steps"`
	// ProductRules are the rules of the product the procedure's cases follow beyond the
	// texts; Resolve derives them from the steps (a file cannot set them).
	ProductRules []ProductRule `json:"product_rules,omitempty" yaml:"-"`
}

// Step is one human task of a procedure.
type Step struct {
	Code string `json:"code" yaml:"code"`
	// Name in Chinese, e.g. 提供部门答复.
	Name  string `json:"name" yaml:"name"`
	Actor Actor  `json:"actor" yaml:"actor"`
	// Deadline of the task, counted from its start (or a calendar date for annual reports).
	Deadline Deadline `json:"deadline" yaml:"deadline"`
	// Reminders are points before the deadline, in working days: [2, 0] reminds two working
	// days before and on the due day. Product settings, not law.
	Reminders []int `json:"reminders" yaml:"reminders"`
	// Escalation is who is told when the task is overdue; absent when there is no deadline.
	Escalation *Escalation `json:"escalation,omitempty" yaml:"escalation"`
	// Extension is how far and by whom the deadline may be extended; absent when it may not.
	Extension *Extension `json:"extension,omitempty" yaml:"extension"`
	// RefusalRequires lists what a refusal must carry (NeedReasons, NeedBasis).
	RefusalRequires []string `json:"refusal_requires,omitempty" yaml:"refusal_requires"`
	// DepartmentTransfer lets the data authority transfer the step's task to another department
	// (转办): one it holds, or one it supervises once overdue (督办). A deployment's setting: no
	// shipped profile grants it, since none of the four texts provides for handing a decision
	// to another department.
	DepartmentTransfer bool `json:"department_transfer,omitempty" yaml:"department_transfer"`
	// LegalBasis are the articles that impose the step, its actor and its deadline.
	LegalBasis []Citation `json:"legal_basis" yaml:"legal_basis"`
	// LocalDefault marks a step the regulations do not provide for at all: the deployment runs
	// it as local practice. Note then says that the regulation is silent.
	LocalDefault bool   `json:"local_default,omitempty" yaml:"local_default"`
	Note         string `json:"note,omitempty" yaml:"note"`
	// NationalBounds are the time limits the national layer sets on this step, each with the
	// date from which it applies; filled by Resolve, never read from a profile file. A task
	// received on or after that date gets the stricter of the step's deadline and the bound.
	NationalBounds []NationalBound `json:"national_bounds,omitempty" yaml:"-"`
	// AddedBy is the title of the national regulation that adds the step to the procedure,
	// and Effective (YYYY-MM-DD, China) the first day of receipt of a case it applies to;
	// both filled by Resolve for the national layer's steps, never read from a profile file.
	AddedBy   string `json:"added_by,omitempty" yaml:"-"`
	Effective string `json:"effective,omitempty" yaml:"-"`
	// Resumes is how the step it interrupts resumes once it is done (NationalStep.Resumes);
	// filled by Resolve for the national layer's steps, never read from a profile file.
	Resumes *Resumption `json:"resumes,omitempty" yaml:"-"`
}

// Deadline is exactly one of: a statutory number of working days, a local default (filled
// from LocalDefaults.Workdays unless the file gives its own number), no deadline, or a yearly
// calendar date.
type Deadline struct {
	// Workdays is the number of working days (工作日); with LocalDefault it is the local value.
	Workdays int `json:"workdays,omitempty" yaml:"workdays"`
	// LocalDefault: the regulation sets no time limit; the deployment's default applies and is
	// shown as "local default, no statutory deadline".
	LocalDefault bool `json:"local_default,omitempty" yaml:"local_default"`
	// None: the task has no deadline at all.
	None bool `json:"none,omitempty" yaml:"none"`
	// SetByOrder: the regulation lets the authority's order fix the time limit (责令限期改正);
	// a limit the order gives is then the article's, not a local default, which applies only
	// when the order gives none. With local_default only.
	SetByOrder bool `json:"set_by_order,omitempty" yaml:"set_by_order"`
	// Annual is a calendar date every year (annual reports), not a count of working days.
	Annual *AnnualDate `json:"annual,omitempty" yaml:"annual"`
	// Note says why: which article is silent, who fixes the actual time.
	Note string `json:"note,omitempty" yaml:"note"`
}

// Statutory reports whether the deadline is a number of working days set by a regulation.
func (d Deadline) Statutory() bool {
	return d.Workdays > 0 && !d.LocalDefault
}

// AnnualDate is a yearly due date: a fixed day of a month, or the end of a month (月底), which
// for February depends on the year.
type AnnualDate struct {
	Month      int  `json:"month" yaml:"month"`
	Day        int  `json:"day,omitempty" yaml:"day"`
	EndOfMonth bool `json:"end_of_month,omitempty" yaml:"end_of_month"`
}

// In returns the due date in the given year.
func (a AnnualDate) In(year int) (time.Month, int) {
	if a.EndOfMonth {
		// Day 0 of the next month is the last day of this one, leap years included.
		last := time.Date(year, time.Month(a.Month)+1, 0, 0, 0, 0, 0, time.UTC)
		return last.Month(), last.Day()
	}
	return time.Month(a.Month), a.Day
}

// String renders the date the way the regulations phrase it.
func (a AnnualDate) String() string {
	if a.EndOfMonth {
		return fmt.Sprintf("每年%d月底前", a.Month)
	}
	return fmt.Sprintf("每年%d月%d日前", a.Month, a.Day)
}

// Escalation says who is told when a task is overdue (督办).
type Escalation struct {
	Role       string `json:"role" yaml:"role"`
	Department string `json:"department" yaml:"department"`
	// LongOverdueAfterWorkdays: this many working days after the deadline the task counts as
	// long overdue (for reports and a second escalation). A product setting.
	LongOverdueAfterWorkdays int `json:"long_overdue_after_workdays" yaml:"long_overdue_after_workdays"`
	// LegalBasis is the article that gives the target its supervising power, if any.
	LegalBasis []Citation `json:"legal_basis,omitempty" yaml:"legal_basis"`
	Note       string     `json:"note,omitempty" yaml:"note"`
}

// Extension is the rule for extending a deadline (延期).
type Extension struct {
	// MaxWorkdays is the longest extension in working days.
	MaxWorkdays int `json:"max_workdays" yaml:"max_workdays"`
	// Approver is dept_head (of the acting department) or authority.
	Approver string `json:"approver" yaml:"approver"`
	// MaxCount is how many extensions a task may get.
	MaxCount int `json:"max_count" yaml:"max_count"`
	// LocalDefault marks a rule the regulations do not state; Note then says so.
	LocalDefault bool   `json:"local_default,omitempty" yaml:"local_default"`
	Note         string `json:"note,omitempty" yaml:"note"`
}

// Rule is a power or a duty the profile's measures give, or do not (LocalDefault, with a
// Note saying so).
type Rule struct {
	LegalBasis   []Citation `json:"legal_basis,omitempty" yaml:"legal_basis"`
	LocalDefault bool       `json:"local_default,omitempty" yaml:"local_default"`
	Note         string     `json:"note,omitempty" yaml:"note"`
}

// Retention is a minimum keeping period of a kind of record.
type Retention struct {
	// Record is what is kept (RecordAuditLog).
	Record string `json:"record" yaml:"record"`
	// MinMonths is the shortest keeping period; with LocalDefault it is filled from
	// LocalDefaults.AuditLogRetentionMonths unless the file gives its own.
	MinMonths    int        `json:"min_months" yaml:"min_months"`
	LocalDefault bool       `json:"local_default,omitempty" yaml:"local_default"`
	LegalBasis   []Citation `json:"legal_basis,omitempty" yaml:"legal_basis"`
	Note         string     `json:"note,omitempty" yaml:"note"`
}

// Procedure returns the procedure with the code, whether or not it applies.
func (p Profile) Procedure(code string) (Procedure, bool) {
	for _, pr := range p.Procedures {
		if pr.Code == code {
			return pr, true
		}
	}
	return Procedure{}, false
}

// Step returns a step of a procedure that applies in this jurisdiction.
func (p Profile) Step(procedure, step string) (Step, bool) {
	pr, ok := p.Procedure(procedure)
	if !ok || !pr.Applies {
		return Step{}, false
	}
	for _, s := range pr.Steps {
		if s.Code == step {
			return s, true
		}
	}
	return Step{}, false
}

// Document returns the document with the title.
func (p Profile) Document(title string) (Document, bool) {
	for _, d := range p.Documents {
		if d.Title == title {
			return d, true
		}
	}
	return Document{}, false
}

// Citations returns every citation of the profile with the path where it appears, for checks
// against the regulation texts: the profile's own, not those of the steps the national layer
// adds (Step.AddedBy), which cite the national regulation.
func (p Profile) Citations() []PlacedCitation {
	var out []PlacedCitation
	add := func(path string, cs []Citation) {
		for i, c := range cs {
			out = append(out, PlacedCitation{Path: fmt.Sprintf("%s.legal_basis[%d]", path, i), Citation: c})
		}
	}
	for i, pr := range p.Procedures {
		pp := fmt.Sprintf("procedures[%d]", i)
		add(pp, pr.LegalBasis)
		for j, s := range pr.Steps {
			if s.AddedBy != "" {
				continue // the national layer's step cites the national regulation
			}
			sp := fmt.Sprintf("%s.steps[%d]", pp, j)
			add(sp, s.LegalBasis)
			if s.Escalation != nil {
				add(sp+".escalation", s.Escalation.LegalBasis)
			}
		}
	}
	add("catalog_review", p.CatalogReview.LegalBasis)
	for i, r := range p.Retention {
		add(fmt.Sprintf("retention[%d]", i), r.LegalBasis)
	}
	for i, r := range p.RefusalReasons {
		add(fmt.Sprintf("refusal_reasons[%d]", i), r.LegalBasis)
	}
	for i, v := range p.Violations {
		if v.AddedBy == "" { // the national layer's items are its own citations
			add(fmt.Sprintf("violations[%d]", i), v.LegalBasis)
		}
	}
	if r := p.Rectification; r != nil {
		add("rectification.consequence", r.Consequence.LegalBasis)
	}
	return out
}

// RefusalReasonCodes lists the codes of the refusal reason catalogue, in its order.
func (p Profile) RefusalReasonCodes() []string {
	out := make([]string, 0, len(p.RefusalReasons))
	for _, r := range p.RefusalReasons {
		out = append(out, r.Code)
	}
	return out
}

// PlacedCitation is a citation and where in the profile it is.
type PlacedCitation struct {
	Path     string
	Citation Citation
}
