package policy

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Limits of values in a profile.
const (
	// maxWorkdays bounds every count of working days: a year.
	maxWorkdays = 365
	// maxReminderBeforeAnnual bounds how early a yearly deadline may be reminded of.
	maxReminderBeforeAnnual = 60
	// maxMonths bounds retention periods (100 years).
	maxMonths = 1200
	// maxExtensions bounds how many extensions a step may allow.
	maxExtensions = 10
)

// stepCodes lists, for every procedure, the step codes the workflows know, in their usual order.
var stepCodes = map[string][]string{
	ProcShare:                 {"reply", "negotiate", "coordinate", "suspend", "deliver", "supplement", "government_decision"},
	ProcCatalogUpdate:         {"update", "review", "report_to_city"},
	ProcCorrection:            {"dispatch", "verify", "correct", "accept", "coordinate"},
	ProcOpenData:              {"reply", "extension"},
	ProcOpenCatalogCorrection: {"reply", "extension", "update_catalog"},
	ProcInterfaceExtension:    {"request", "approve"},
	ProcRectification:         {"rectify", "review", "consequence"},
	ProcAnnualReport:          {"department_report", "summary_report"},
}

// procedureCodes lists every procedure code in the order profiles list them.
var procedureCodes = []string{
	ProcShare, ProcCatalogUpdate, ProcCorrection, ProcOpenData, ProcOpenCatalogCorrection,
	ProcInterfaceExtension, ProcRectification, ProcAnnualReport,
}

// actorDepartments says which department kinds each role can belong to in a case; citizens
// and admins belong to none.
var actorDepartments = map[string][]string{
	RoleApplicant:   {DeptApplicant, DeptOwn},
	RoleApprover:    {DeptProvider, DeptProducer, DeptOwn},
	RoleDeptHead:    {DeptProvider, DeptApplicant, DeptProducer, DeptOwn, DeptAuthority, DeptTechService},
	RoleAuthority:   {DeptAuthority},
	RoleTechService: {DeptTechService},
	RoleCitizen:     {""},
	RoleAdmin:       {""},
}

// ProcedureCodes lists every procedure code, in the order profiles list them.
func ProcedureCodes() []string { return slices.Clone(procedureCodes) }

// StepCodes lists the step codes of a procedure that workflows know, in their usual order.
func StepCodes(procedure string) []string { return slices.Clone(stepCodes[procedure]) }

var (
	roleOrder       = []string{RoleApplicant, RoleApprover, RoleDeptHead, RoleAuthority, RoleTechService, RoleCitizen, RoleAdmin}
	deptOrder       = []string{DeptProvider, DeptApplicant, DeptProducer, DeptAuthority, DeptTechService, DeptOwn}
	refusalNeeds    = []string{NeedReasons, NeedBasis}
	submissionNeeds = []string{NeedDescription, NeedEvidence, NeedPurpose, NeedDutyBasis}
	extApprovers    = []string{RoleDeptHead, RoleAuthority}
	recordKinds     = []string{RecordAuditLog}

	idRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{1,31}$`)
	// reasonCodeRe is the form of a refusal reason code.
	reasonCodeRe = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)
	// Chinese ordinal numbers as the regulations write them: 第十一条, 第三款, （二）.
	articleRe   = regexp.MustCompile(`^第[一二三四五六七八九十百零]+条$`)
	paragraphRe = regexp.MustCompile(`^第[一二三四五六七八九十]+款$`)
	itemRe      = regexp.MustCompile(`^（[一二三四五六七八九十]+）$`)
)

// validate checks a profile as written in a file. present tells whether the file spelled out a
// path, so that an explicit zero is refused where absence means "use the default".
func validate(p Profile, present func(string) bool) []issue {
	v := validator{present: present, docs: map[string]bool{}}
	v.profile(p)
	return v.issues
}

type validator struct {
	present func(string) bool
	docs    map[string]bool
	issues  []issue
}

func (v *validator) add(path, format string, args ...any) {
	v.issues = append(v.issues, issuef(path, format, args...))
}

func (v *validator) required(path, value string) {
	if strings.TrimSpace(value) == "" {
		v.add(path, "required")
	}
}

func (v *validator) profile(p Profile) {
	if !idRe.MatchString(p.ID) {
		v.add("id", "must be 2-32 lower-case letters, digits, '-' or '_', starting with a letter; got %q", p.ID)
	}
	v.required("name", p.Name)
	v.required("jurisdiction", p.Jurisdiction)

	if len(p.Documents) == 0 {
		v.add("documents", "at least one document is required: citations name it by title")
	}
	for i, d := range p.Documents {
		v.document(fmt.Sprintf("documents[%d]", i), d)
	}

	seen := map[string]bool{}
	for i, pr := range p.Procedures {
		path := fmt.Sprintf("procedures[%d]", i)
		if _, known := stepCodes[pr.Code]; !known {
			v.add(path+".code", "unknown procedure %q (one of %s)", pr.Code, strings.Join(procedureCodes, ", "))
			continue
		}
		if seen[pr.Code] {
			v.add(path+".code", "procedure %q is listed twice", pr.Code)
			continue
		}
		seen[pr.Code] = true
		v.procedure(path, pr)
	}
	for _, code := range procedureCodes {
		if !seen[code] {
			v.add("procedures", "procedure %q is missing: list every procedure, with applies: false where the regulations do not provide for it", code)
		}
	}

	v.refusalReasons("refusal_reasons", p.RefusalReasons)
	v.rectification(p)

	if v.present("catalog_review") {
		v.rule("catalog_review", p.CatalogReview)
	}

	seenRecords := map[string]bool{}
	for i, r := range p.Retention {
		path := fmt.Sprintf("retention[%d]", i)
		if !slices.Contains(recordKinds, r.Record) {
			v.add(path+".record", "unknown record %q (one of %s)", r.Record, strings.Join(recordKinds, ", "))
		} else if seenRecords[r.Record] {
			v.add(path+".record", "record %q is listed twice", r.Record)
		}
		seenRecords[r.Record] = true
		v.retention(path, r)
	}
}

// refusalReasons checks the catalogue: at least one reason, codes well-formed and unique.
func (v *validator) refusalReasons(path string, rs []RefusalReason) {
	if len(rs) == 0 {
		v.add(path, "at least one refusal reason is required: a refusal must name one")
	}
	seen := map[string]bool{}
	for i, r := range rs {
		rp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case !reasonCodeRe.MatchString(r.Code):
			v.add(rp+".code", "must be 2-40 lower-case letters, digits or '_', starting with a letter; got %q", r.Code)
		case seen[r.Code]:
			v.add(rp+".code", "reason %q is listed twice", r.Code)
		}
		seen[r.Code] = true
		v.required(rp+".title", r.Title)
		v.citations(rp+".legal_basis", r.LegalBasis)
		if f, ok := v.forbidden(r); ok {
			v.add(rp, "reason %q rests on a ground %s forbids a refusal to rest on: %s", r.Code, f.LegalBasis, strings.Join(strings.Fields(f.Note), " "))
		}
	}
}

// forbidden reports whether a refusal reason rests on a ground the embedded national layer
// forbids; a layer that does not load forbids nothing here (Resolve reports it).
func (v *validator) forbidden(r RefusalReason) (ForbiddenRefusalReason, bool) {
	l, err := nationalOnce()
	if err != nil {
		return ForbiddenRefusalReason{}, false
	}
	return l.forbids(r)
}

// rectification checks the violation list and the rules of notices: both present exactly
// when the rectification procedure applies, codes well-formed and unique, every violation
// cited, and a consequence that cites its article or says it is local practice.
func (v *validator) rectification(p Profile) {
	pr, _ := p.Procedure(ProcRectification)
	if !pr.Applies {
		if len(p.Violations) > 0 || p.Rectification != nil {
			v.add("violations", "the rectification procedure does not apply: leave out violations and rectification")
		}
		return
	}
	if len(p.Violations) == 0 {
		v.add("violations", "at least one violation is required: a rectification notice names one")
	}
	seen := map[string]bool{}
	for i, vi := range p.Violations {
		vp := fmt.Sprintf("violations[%d]", i)
		switch {
		case !reasonCodeRe.MatchString(vi.Code):
			v.add(vp+".code", "must be 2-40 lower-case letters, digits or '_', starting with a letter; got %q", vi.Code)
		case seen[vi.Code]:
			v.add(vp+".code", "violation %q is listed twice", vi.Code)
		}
		seen[vi.Code] = true
		v.required(vp+".title", vi.Title)
		if len(vi.LegalBasis) == 0 {
			v.add(vp+".legal_basis", "at least one citation is required: the article (and item) that makes it a violation")
		}
		v.citations(vp+".legal_basis", vi.LegalBasis)
	}
	r := p.Rectification
	if r == nil {
		v.add("rectification", "required when the rectification procedure applies: max_workdays and consequence")
		return
	}
	if r.MaxWorkdays < 1 || r.MaxWorkdays > maxWorkdays {
		v.add("rectification.max_workdays", "must be 1..%d, got %d", maxWorkdays, r.MaxWorkdays)
	}
	c := r.Consequence
	if !reasonCodeRe.MatchString(c.Code) {
		v.add("rectification.consequence.code", "must be 2-40 lower-case letters, digits or '_', starting with a letter; got %q", c.Code)
	}
	v.required("rectification.consequence.title", c.Title)
	if c.LocalDefault {
		v.required("rectification.consequence.note", c.Note)
	} else if len(c.LegalBasis) == 0 {
		v.add("rectification.consequence.legal_basis", "at least one citation is required (or local_default: true with a note)")
	}
	v.citations("rectification.consequence.legal_basis", c.LegalBasis)
}

func (v *validator) document(path string, d Document) {
	v.required(path+".title", d.Title)
	if v.docs[d.Title] {
		v.add(path+".title", "document %q is listed twice", d.Title)
	}
	v.docs[d.Title] = true
	if v.present(path+".year") && (d.Year < 1949 || d.Year > 2100) {
		v.add(path+".year", "must be a year between 1949 and 2100, got %d", d.Year)
	}
	for _, f := range []struct{ key, value string }{{"published", d.Published}, {"effective", d.Effective}} {
		if f.value == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, f.value); err != nil {
			v.add(path+"."+f.key, "must be a date YYYY-MM-DD, got %q", f.value)
		}
	}
}

func (v *validator) procedure(path string, pr Procedure) {
	v.required(path+".name", pr.Name)
	if !pr.Applies {
		if len(pr.Steps) > 0 {
			v.add(path+".steps", "a procedure with applies: false has no steps")
		}
		if strings.TrimSpace(pr.Note) == "" {
			v.add(path+".note", "required when applies is false: say what the regulations provide instead")
		}
		v.citations(path+".legal_basis", pr.LegalBasis)
		return
	}
	if len(pr.Steps) == 0 {
		v.add(path+".steps", "at least one step is required (or applies: false)")
	}
	if pr.Initiator != nil {
		v.actor(path+".initiator", *pr.Initiator)
	}
	v.codes(path+".submission_requires", pr.SubmissionRequires, submissionNeeds)
	if i := slices.Index(pr.SubmissionRequires, NeedDutyBasis); i >= 0 && pr.Code != ProcShare {
		v.add(fmt.Sprintf("%s.submission_requires[%d]", path, i), "%s is asked of share requests only", NeedDutyBasis)
	}
	v.citations(path+".legal_basis", pr.LegalBasis)

	seen := map[string]bool{}
	for j, s := range pr.Steps {
		sp := fmt.Sprintf("%s.steps[%d]", path, j)
		if !slices.Contains(stepCodes[pr.Code], s.Code) {
			v.add(sp+".code", "unknown step %q of procedure %s (one of %s)", s.Code, pr.Code, strings.Join(stepCodes[pr.Code], ", "))
		} else if seen[s.Code] {
			v.add(sp+".code", "step %q is listed twice", s.Code)
		}
		seen[s.Code] = true
		v.step(sp, s)
	}
}

func (v *validator) step(path string, s Step) {
	v.required(path+".name", s.Name)
	v.actor(path+".actor", s.Actor)
	v.deadline(path+".deadline", s.Deadline)
	v.reminders(path+".reminders", s.Reminders, s.Deadline)
	if s.Escalation != nil {
		v.escalation(path+".escalation", *s.Escalation, s.Deadline)
	}
	if s.Extension != nil {
		v.extension(path+".extension", *s.Extension, s)
	}
	v.codes(path+".refusal_requires", s.RefusalRequires, refusalNeeds)
	if s.DepartmentTransfer && s.Actor.Role != RoleAuthority && (s.Escalation == nil || s.Escalation.Role != RoleAuthority) {
		v.add(path+".department_transfer", "only a step the authority acts on or supervises can be transferred to another department, not one of %s escalated to nobody", s.Actor.Role)
	}
	v.citations(path+".legal_basis", s.LegalBasis)

	switch {
	case s.LocalDefault:
		if strings.TrimSpace(s.Note) == "" {
			v.add(path+".note", "required for a local_default step: say that the regulation is silent")
		}
		if s.Deadline.Statutory() {
			v.add(path+".deadline", "a local_default step cannot have a statutory deadline: use local_default or none")
		}
	case len(s.LegalBasis) == 0:
		v.add(path+".legal_basis", "at least one citation is required (or mark the step local_default: true with a note saying the regulation is silent)")
	}
	if s.Deadline.Statutory() && !cites(s.LegalBasis, s.Deadline.Workdays) {
		v.add(path+".deadline.workdays", "%d working days is not stated by any legal_basis entry: add workdays: %d to the article that sets it, or make the deadline local_default",
			s.Deadline.Workdays, s.Deadline.Workdays)
	}
}

// cites reports whether a citation states the number of working days.
func cites(cs []Citation, workdays int) bool {
	return slices.ContainsFunc(cs, func(c Citation) bool { return c.Workdays == workdays })
}

// citesExtension reports whether a citation states workdays as the longest extension.
func citesExtension(cs []Citation, workdays int) bool {
	return slices.ContainsFunc(cs, func(c Citation) bool { return c.ExtensionWorkdays == workdays })
}

func (v *validator) actor(path string, a Actor) {
	depts, ok := actorDepartments[a.Role]
	if !ok {
		v.add(path+".role", "unknown role %q (one of %s)", a.Role, strings.Join(roleOrder, ", "))
		return
	}
	if a.Department != "" && !slices.Contains(deptOrder, a.Department) {
		v.add(path+".department", "unknown department kind %q (one of %s)", a.Department, strings.Join(deptOrder, ", "))
		return
	}
	if !slices.Contains(depts, a.Department) {
		if depts[0] == "" {
			v.add(path+".department", "a %s belongs to no department; leave department out", a.Role)
		} else {
			v.add(path+".department", "a %s acts for the %s department, not %q", a.Role, strings.Join(depts, " or "), a.Department)
		}
	}
}

func (v *validator) deadline(path string, d Deadline) {
	kinds := 0
	if d.Workdays != 0 || v.present(path+".workdays") {
		if d.Workdays < 1 || d.Workdays > maxWorkdays {
			v.add(path+".workdays", "must be 1..%d, got %d", maxWorkdays, d.Workdays)
		}
		if !d.LocalDefault {
			kinds++
		}
	}
	if d.LocalDefault {
		kinds++
		if strings.TrimSpace(d.Note) == "" {
			v.add(path+".note", "required for a local_default deadline: say which article is silent on time")
		}
	}
	if d.None {
		kinds++
		if strings.TrimSpace(d.Note) == "" {
			v.add(path+".note", "required for a step without deadline: say why")
		}
	}
	if d.Annual != nil {
		kinds++
		v.annual(path+".annual", *d.Annual)
	}
	if d.SetByOrder && !d.LocalDefault {
		v.add(path+".set_by_order", "goes with local_default: the default applies when the order fixes no time limit")
	}
	switch {
	case kinds == 0:
		v.add(path, "give exactly one of workdays, local_default, none or annual")
	case kinds > 1:
		v.add(path, "workdays, local_default, none and annual exclude each other (local_default may carry its own workdays)")
	}
}

func (v *validator) annual(path string, a AnnualDate) {
	if a.Month < 1 || a.Month > 12 {
		v.add(path+".month", "must be 1..12, got %d", a.Month)
		return
	}
	switch {
	case a.EndOfMonth && (a.Day != 0 || v.present(path+".day")):
		v.add(path, "day and end_of_month exclude each other")
	case a.EndOfMonth:
	default:
		// February's last day depends on the year: use end_of_month for 月底.
		last := time.Date(2023, time.Month(a.Month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		if a.Day < 1 || a.Day > last {
			v.add(path+".day", "must be 1..%d for month %d (or end_of_month: true), got %d", last, a.Month, a.Day)
		}
	}
}

func (v *validator) reminders(path string, points []int, d Deadline) {
	if d.None && len(points) > 0 {
		v.add(path, "a step without deadline has no reminders")
		return
	}
	limit := d.Workdays // 0 for a local default still to be filled: checked on Resolve
	seen := map[int]bool{}
	for i, r := range points {
		rp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case r < 0:
			v.add(rp, "must be 0 or more working days before the deadline, got %d", r)
		case seen[r]:
			v.add(rp, "point %d is listed twice", r)
		case d.Annual != nil && r > maxReminderBeforeAnnual:
			v.add(rp, "point %d is too early: at most %d working days before a yearly date", r, maxReminderBeforeAnnual)
		case d.Annual == nil && limit > 0 && r >= limit:
			v.add(rp, "point %d is not before the deadline of %d working days: must be 0..%d", r, limit, limit-1)
		}
		seen[r] = true
	}
}

func (v *validator) escalation(path string, e Escalation, d Deadline) {
	if d.None {
		v.add(path, "a step without deadline cannot be overdue: remove the escalation")
	}
	v.actor(path, Actor{Role: e.Role, Department: e.Department})
	if v.present(path+".long_overdue_after_workdays") && (e.LongOverdueAfterWorkdays < 1 || e.LongOverdueAfterWorkdays > maxWorkdays) {
		v.add(path+".long_overdue_after_workdays", "must be 1..%d, got %d", maxWorkdays, e.LongOverdueAfterWorkdays)
	}
	v.citations(path+".legal_basis", e.LegalBasis)
}

func (v *validator) extension(path string, e Extension, s Step) {
	if s.Deadline.None || s.Deadline.Annual != nil {
		v.add(path, "only a deadline in working days can be extended")
	}
	if e.MaxWorkdays < 1 || e.MaxWorkdays > maxWorkdays {
		v.add(path+".max_workdays", "must be 1..%d, got %d", maxWorkdays, e.MaxWorkdays)
	}
	if !slices.Contains(extApprovers, e.Approver) {
		v.add(path+".approver", "must be %s, got %q", strings.Join(extApprovers, " or "), e.Approver)
	}
	if e.MaxCount < 1 || e.MaxCount > maxExtensions {
		v.add(path+".max_count", "must be 1..%d, got %d", maxExtensions, e.MaxCount)
	}
	switch {
	case e.LocalDefault:
		if strings.TrimSpace(e.Note) == "" {
			v.add(path+".note", "required for a local_default extension: say that the regulation is silent")
		}
	case e.MaxWorkdays > 0 && !cites(s.LegalBasis, e.MaxWorkdays) && !citesExtension(s.LegalBasis, e.MaxWorkdays):
		v.add(path+".max_workdays", "%d working days is not stated by any legal_basis entry of the step: cite the article, or mark the extension local_default", e.MaxWorkdays)
	}
}

// rule checks a power or duty: cited, or a local default saying why.
func (v *validator) rule(path string, r Rule) {
	v.citations(path+".legal_basis", r.LegalBasis)
	switch {
	case r.LocalDefault && strings.TrimSpace(r.Note) == "":
		v.add(path+".note", "required for a local_default rule: say that the regulation is silent")
	case !r.LocalDefault && len(r.LegalBasis) == 0:
		v.add(path+".legal_basis", "at least one citation is required (or local_default: true with a note)")
	}
}

func (v *validator) retention(path string, r Retention) {
	if r.MinMonths != 0 || v.present(path+".min_months") || !r.LocalDefault {
		if r.MinMonths < 1 || r.MinMonths > maxMonths {
			v.add(path+".min_months", "must be 1..%d, got %d", maxMonths, r.MinMonths)
		}
	}
	v.citations(path+".legal_basis", r.LegalBasis)
	if r.LocalDefault {
		if strings.TrimSpace(r.Note) == "" {
			v.add(path+".note", "required for a local_default retention: say that the regulation is silent")
		}
		return
	}
	if len(r.LegalBasis) == 0 {
		v.add(path+".legal_basis", "at least one citation is required (or local_default: true with a note)")
	} else if r.MinMonths > 0 && !slices.ContainsFunc(r.LegalBasis, func(c Citation) bool { return c.Months == r.MinMonths }) {
		v.add(path+".min_months", "%d months is not stated by any legal_basis entry: add months: %d to the article that sets it", r.MinMonths, r.MinMonths)
	}
}

func (v *validator) citations(path string, cs []Citation) {
	for i, c := range cs {
		cp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case strings.TrimSpace(c.Document) == "":
			v.add(cp+".document", "required: the title of one of the profile's documents")
		case !v.docs[c.Document]:
			v.add(cp+".document", "%q is not one of the profile's documents (%s)", c.Document, strings.Join(sortedKeys(v.docs), ", "))
		}
		if !articleRe.MatchString(c.Article) {
			v.add(cp+".article", "must be an article number such as 第十一条, got %q", c.Article)
		}
		if c.Paragraph != "" && !paragraphRe.MatchString(c.Paragraph) {
			v.add(cp+".paragraph", "must be a paragraph number such as 第三款, got %q", c.Paragraph)
		}
		if c.Item != "" && !itemRe.MatchString(c.Item) {
			v.add(cp+".item", "must be an item number such as （二） (full-width brackets), got %q", c.Item)
		}
		if c.Workdays < 0 || c.Workdays > maxWorkdays || (c.Workdays == 0 && v.present(cp+".workdays")) {
			v.add(cp+".workdays", "must be 1..%d (the number the article states), got %d", maxWorkdays, c.Workdays)
		}
		if c.Months < 0 || c.Months > maxMonths || (c.Months == 0 && v.present(cp+".months")) {
			v.add(cp+".months", "must be 1..%d (the number the article states), got %d", maxMonths, c.Months)
		}
	}
}

func (v *validator) codes(path string, got, allowed []string) {
	seen := map[string]bool{}
	for i, c := range got {
		cp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case !slices.Contains(allowed, c):
			v.add(cp, "unknown value %q (one of %s)", c, strings.Join(allowed, ", "))
		case seen[c]:
			v.add(cp, "%q is listed twice", c)
		}
		seen[c] = true
	}
}

// normalise puts a valid profile into the shape the API serves: reminders latest-first, and
// empty lists rather than null.
func normalise(p *Profile) {
	if p.Retention == nil {
		p.Retention = []Retention{}
	}
	if p.Violations == nil {
		p.Violations = []Violation{}
	}
	for i := range p.Procedures {
		pr := &p.Procedures[i]
		if pr.Steps == nil {
			pr.Steps = []Step{}
		}
		for j := range pr.Steps {
			s := &pr.Steps[j]
			sort.Sort(sort.Reverse(sort.IntSlice(s.Reminders)))
			if s.LegalBasis == nil {
				s.LegalBasis = []Citation{}
			}
		}
	}
}
