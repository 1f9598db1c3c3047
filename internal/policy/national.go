package policy

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

// The national layer holds the State Council's regulations that bound every jurisdiction
// profile — since 2025-08-01 the 政务数据共享条例 (国务院令第809号) — as data: for each procedure
// step the regulation times, its working days, its citation and the date from which it
// applies. Resolve attaches the bounds to the steps of every profile, embedded or loaded from
// a file, by procedure and step code; the deadline activity then applies the stricter of the
// two to a task received on or after that date (docs/regulations.md).
//
//go:embed national.yaml
var nationalFile []byte

const nationalName = "embedded national.yaml"

// NationalLayer is the national regulations above the profiles.
type NationalLayer struct {
	// Documents are the national regulations, with the dates they took effect.
	Documents []Document `json:"documents" yaml:"documents"`
	// Bounds are the time limits they set on profile steps.
	Bounds []NationalBound `json:"bounds" yaml:"bounds"`
	// Retention are the keeping periods they set.
	Retention []NationalRetention `json:"retention,omitempty" yaml:"retention"`
	// Powers are the powers they give over a procedure's cases.
	Powers []NationalPower `json:"powers,omitempty" yaml:"powers"`
	// Steps are the steps they add to a procedure, which no profile has.
	Steps []NationalStep `json:"steps,omitempty" yaml:"steps"`
	// ForbiddenRefusalReasons are grounds a refusal may not rest on.
	ForbiddenRefusalReasons []ForbiddenRefusalReason `json:"forbidden_refusal_reasons,omitempty" yaml:"forbidden_refusal_reasons"`
	// Rectification is what they let the same-level authority order corrected (责令改正) and
	// what follows a refusal to correct, for every profile the rectification procedure
	// applies to.
	Rectification *NationalRectification `json:"rectification,omitempty" yaml:"rectification"`
}

// NationalRectification is a national regulation's list of violations an order to correct
// names, with the consequence of not complying (政务数据共享条例 第三十九条、第四十条: 由同级政务数据
// 共享主管部门责令改正；拒不改正或者情节严重的，依法给予处分). Resolve adds each item to the
// profile's list from the regulation's effective date, or, where the profile lists the same
// code, cites it beside the profile's own article.
type NationalRectification struct {
	Violations  []Violation `json:"violations" yaml:"violations"`
	Consequence Consequence `json:"consequence" yaml:"consequence"`
	// Effective is the regulation's date, filled on load.
	Effective string `json:"effective" yaml:"-"`
}

// ForbiddenRefusalReason is a ground a national regulation forbids a refusal to rest on (the
// 条例's 第二十一条第二款: not for incomplete material). A refusal reason catalogue entry whose
// code is one of Codes, or whose title contains one of Titles, is refused.
type ForbiddenRefusalReason struct {
	Codes      []string `json:"codes" yaml:"codes"`
	Titles     []string `json:"titles,omitempty" yaml:"titles"`
	LegalBasis Citation `json:"legal_basis" yaml:"legal_basis"`
	Note       string   `json:"note,omitempty" yaml:"note"`
}

// forbids returns the forbidden ground a catalogue entry rests on, if any.
func (l NationalLayer) forbids(r RefusalReason) (ForbiddenRefusalReason, bool) {
	for _, f := range l.ForbiddenRefusalReasons {
		if slices.Contains(f.Codes, r.Code) || slices.ContainsFunc(f.Titles, func(t string) bool { return strings.Contains(r.Title, t) }) {
			return f, true
		}
	}
	return ForbiddenRefusalReason{}, false
}

// Powers of the national layer.
const (
	// PowerSuspendGrant: suspending, resuming and revoking a share request's grant.
	PowerSuspendGrant = "suspend_grant"
	// PowerReviewCatalog: the authority's publishing, returning and retiring of catalog
	// entries; it belongs to no procedure.
	PowerReviewCatalog = "review_catalog"
)

// NationalPower is a power a national regulation gives over a procedure's cases: an action
// without a task or a time limit, which cites it from its effective date.
type NationalPower struct {
	// Procedure is the procedure whose cases it concerns; empty for PowerReviewCatalog.
	Procedure string `json:"procedure,omitempty" yaml:"procedure"`
	// Power is PowerSuspendGrant or PowerReviewCatalog.
	Power string `json:"power" yaml:"power"`
	// Effective (YYYY-MM-DD, China) is the first day it applies: its document's, filled on load.
	Effective  string   `json:"effective" yaml:"-"`
	LegalBasis Citation `json:"legal_basis" yaml:"legal_basis"`
	Note       string   `json:"note,omitempty" yaml:"note"`
}

// NationalRetention is a keeping period a national regulation sets for a kind of record.
type NationalRetention struct {
	// Record is what is kept (RecordAuditLog).
	Record    string `json:"record" yaml:"record"`
	MinMonths int    `json:"min_months" yaml:"min_months"`
	// Effective (YYYY-MM-DD, China) is the first day it applies: its document's, filled on load.
	Effective  string   `json:"effective" yaml:"-"`
	LegalBasis Citation `json:"legal_basis" yaml:"legal_basis"`
	Note       string   `json:"note,omitempty" yaml:"note"`
}

// NationalStep is a step a national regulation adds to a procedure of every profile (the
// 条例's 第二十二条: the providing department shares the data after consenting). Resolve
// appends it to the procedure's steps, marked with its document (Step.AddedBy) and the date
// from which it applies (Step.Effective): a case received before that date does without it.
type NationalStep struct {
	Procedure string `json:"procedure" yaml:"procedure"`
	// Effective (YYYY-MM-DD, China) is the first day of receipt of a case the step applies to:
	// in the file, only when it differs from the date of the document the step cites first,
	// which fills it on load.
	Effective string `json:"effective" yaml:"effective"`
	// Step is the step as a profile would write it; its first citation names the document.
	Step Step `json:"step" yaml:"step"`
	// Resumes, for a step that interrupts another (the supplement of 第二十一条第二款 interrupts
	// the reply), says how the interrupted step's time limit runs once the step is done.
	Resumes *Resumption `json:"resumes,omitempty" yaml:"resumes"`
}

// Clocks of a Resumption.
const (
	// ClockRestart: the interrupted step's working days count afresh from the day the
	// interrupting step is done (the supplement received).
	ClockRestart = "restart"
	// ClockContinue: the interrupted step keeps counting from its original receipt.
	ClockContinue = "continue"
)

// Resumption is how a step interrupted by a national step resumes: which step, and from when
// its time limit counts. Where the regulation is silent it is local practice (LocalDefault),
// and Note says so.
type Resumption struct {
	Step         string `json:"step" yaml:"step"`
	Clock        string `json:"clock" yaml:"clock"`
	LocalDefault bool   `json:"local_default,omitempty" yaml:"local_default"`
	Note         string `json:"note,omitempty" yaml:"note"`
}

// NationalBound is the time limit a national regulation sets on one procedure step.
type NationalBound struct {
	Procedure string `json:"procedure" yaml:"procedure"`
	Step      string `json:"step" yaml:"step"`
	// Workdays is the regulation's time limit in working days; the citation states it too.
	Workdays int `json:"workdays" yaml:"workdays"`
	// Effective (YYYY-MM-DD, China) is the first day of receipt the bound applies to: in the
	// file, only when it differs from the document's date, which fills it on load.
	Effective string `json:"effective" yaml:"effective"`
	// LegalBasis is the article that sets the limit.
	LegalBasis Citation `json:"legal_basis" yaml:"legal_basis"`
	// From is where the working days count from: "" the task's receipt, like the profile's own
	// deadline; BoundFromCase the receipt of the case's application, so that the limit holds
	// over the case across its steps (政务数据共享条例 第二十六条第二款: verify, correct and report
	// back within 10 working days of receiving the application, where a profile splits this
	// into a verification and a correction task). A case bound applies to a task only when the
	// workflow says which receipt the case counts from.
	From string `json:"from,omitempty" yaml:"from"`
	// Extension is the extension the regulation allows beyond the limit, where it allows one:
	// it applies to a task the bound applies to whose profile step has no extension rule of its
	// own. Its MaxWorkdays is the number the citation states as extension_workdays.
	Extension *Extension `json:"extension,omitempty" yaml:"extension"`
	Note      string     `json:"note,omitempty" yaml:"note"`
}

// BoundFromCase is NationalBound.From for a limit over the whole case.
const BoundFromCase = "case"

// InForce reports whether the bound applies to a task received on day (YYYY-MM-DD, China).
func (b NationalBound) InForce(day string) bool {
	return b.Effective != "" && day >= b.Effective
}

// National returns the embedded national layer, parsed and validated once.
func National() (NationalLayer, error) {
	l, err := nationalOnce()
	if err != nil {
		return NationalLayer{}, err
	}
	return l.clone(), nil
}

var nationalOnce = sync.OnceValues(func() (NationalLayer, error) {
	return ParseNational(nationalFile, nationalName)
})

func (l NationalLayer) clone() NationalLayer {
	c := NationalLayer{Documents: slices.Clone(l.Documents), Bounds: slices.Clone(l.Bounds), Retention: slices.Clone(l.Retention),
		Powers: slices.Clone(l.Powers), Steps: slices.Clone(l.Steps), ForbiddenRefusalReasons: slices.Clone(l.ForbiddenRefusalReasons)}
	if r := l.Rectification; r != nil {
		rc := *r
		rc.Violations = slices.Clone(r.Violations)
		c.Rectification = &rc
	}
	for i := range c.Steps {
		c.Steps[i].Step = c.Steps[i].Step.clone()
	}
	return c
}

// BoundsFor lists the bounds of a step, in the file's order.
func (l NationalLayer) BoundsFor(procedure, step string) []NationalBound {
	var out []NationalBound
	for _, b := range l.Bounds {
		if b.Procedure == procedure && b.Step == step {
			out = append(out, b)
		}
	}
	return out
}

// ParseNational decodes and validates a national layer; name is used in errors. Unknown fields
// are refused and problems are located by line and path, as in a profile.
func ParseNational(data []byte, name string) (NationalLayer, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return NationalLayer{}, syntaxError(data, name, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return NationalLayer{}, &Error{File: name, Msg: "expected a mapping with documents and bounds"}
	}
	idx := newNodeIndex(root.Content[0])
	if issues := unknownFields(root.Content[0], reflect.TypeOf(NationalLayer{}), ""); len(issues) > 0 {
		return NationalLayer{}, idx.errors(name, issues)
	}
	var l NationalLayer
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		return NationalLayer{}, idx.decodeError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return NationalLayer{}, &Error{File: name, Msg: "more than one YAML document"}
	}
	v := validator{present: idx.has, docs: map[string]bool{}}
	v.national(l)
	if len(v.issues) > 0 {
		return NationalLayer{}, idx.errors(name, v.issues)
	}
	for i := range l.Retention {
		r := &l.Retention[i]
		r.Effective = l.effective(r.LegalBasis.Document)
	}
	for i := range l.Powers {
		pw := &l.Powers[i]
		pw.Effective = l.effective(pw.LegalBasis.Document)
	}
	if r := l.Rectification; r != nil && len(r.Violations) > 0 && len(r.Violations[0].LegalBasis) > 0 {
		r.Effective = l.effective(r.Violations[0].LegalBasis[0].Document)
	}
	for i := range l.Bounds {
		b := &l.Bounds[i]
		if b.Effective == "" {
			for _, d := range l.Documents {
				if d.Title == b.LegalBasis.Document {
					b.Effective = d.Effective
				}
			}
		}
	}
	for i := range l.Steps {
		ns := &l.Steps[i]
		if ns.Effective == "" {
			for _, d := range l.Documents {
				if d.Title == ns.Step.LegalBasis[0].Document {
					ns.Effective = d.Effective
				}
			}
		}
		s := &ns.Step
		s.AddedBy, s.Effective = s.LegalBasis[0].Document, ns.Effective
		if ns.Resumes != nil {
			r := *ns.Resumes
			s.Resumes = &r
		}
		sort.Sort(sort.Reverse(sort.IntSlice(s.Reminders)))
	}
	return l, nil
}

func (v *validator) national(l NationalLayer) {
	if len(l.Documents) == 0 {
		v.add("documents", "at least one document is required: bounds cite it by title")
	}
	for i, d := range l.Documents {
		path := fmt.Sprintf("documents[%d]", i)
		v.document(path, d)
		// The date a bound starts to apply is data: a national document without one could
		// never apply, or would apply to every case ever received.
		if d.Effective == "" {
			v.add(path+".effective", "required: the date (YYYY-MM-DD) from which its bounds apply")
		}
	}
	for i, pw := range l.Powers {
		path := fmt.Sprintf("powers[%d]", i)
		switch pw.Power {
		case PowerSuspendGrant:
			if _, known := stepCodes[pw.Procedure]; !known {
				v.add(path+".procedure", "unknown procedure %q (one of %s)", pw.Procedure, strings.Join(procedureCodes, ", "))
			}
		case PowerReviewCatalog:
			if pw.Procedure != "" {
				v.add(path+".procedure", "the catalog's review belongs to no procedure")
			}
		default:
			v.add(path+".power", "unknown power %q (one of %s, %s)", pw.Power, PowerSuspendGrant, PowerReviewCatalog)
		}
		v.singleCitation(path+".legal_basis", pw.LegalBasis)
	}
	if r := l.Rectification; r != nil {
		if len(r.Violations) == 0 {
			v.add("rectification.violations", "at least one violation is required")
		}
		seen := map[string]bool{}
		for i, vi := range r.Violations {
			vp := fmt.Sprintf("rectification.violations[%d]", i)
			if !reasonCodeRe.MatchString(vi.Code) || seen[vi.Code] {
				v.add(vp+".code", "must be a unique code of 2-40 lower-case letters, digits or '_', got %q", vi.Code)
			}
			seen[vi.Code] = true
			v.required(vp+".title", vi.Title)
			if len(vi.LegalBasis) != 1 {
				v.add(vp+".legal_basis", "exactly one citation: the article and item")
				continue
			}
			v.singleCitation(vp+".legal_basis[0]", vi.LegalBasis[0])
			if vi.LegalBasis[0].Document != r.Violations[0].LegalBasis[0].Document {
				v.add(vp+".legal_basis[0].document", "every item cites the same regulation, whose date they apply from")
			}
		}
		v.required("rectification.consequence.code", r.Consequence.Code)
		v.required("rectification.consequence.title", r.Consequence.Title)
		if len(r.Consequence.LegalBasis) == 0 {
			v.add("rectification.consequence.legal_basis", "at least one citation is required")
		}
	}
	for i, f := range l.ForbiddenRefusalReasons {
		path := fmt.Sprintf("forbidden_refusal_reasons[%d]", i)
		if len(f.Codes) == 0 {
			v.add(path+".codes", "at least one code is required")
		}
		v.singleCitation(path+".legal_basis", f.LegalBasis)
	}
	for i, r := range l.Retention {
		path := fmt.Sprintf("retention[%d]", i)
		if r.Record != RecordAuditLog {
			v.add(path+".record", "unknown record %q (one of %s)", r.Record, RecordAuditLog)
		}
		if r.MinMonths < 1 || r.MinMonths > maxMonths {
			v.add(path+".min_months", "must be 1..%d, got %d", maxMonths, r.MinMonths)
		}
		v.singleCitation(path+".legal_basis", r.LegalBasis)
	}
	seen := map[string]bool{}
	for i, b := range l.Bounds {
		path := fmt.Sprintf("bounds[%d]", i)
		steps, known := stepCodes[b.Procedure]
		switch {
		case !known:
			v.add(path+".procedure", "unknown procedure %q (one of %s)", b.Procedure, strings.Join(procedureCodes, ", "))
		case !slices.Contains(steps, b.Step):
			v.add(path+".step", "procedure %s has no step %q (one of %s)", b.Procedure, b.Step, strings.Join(steps, ", "))
		}
		if b.Workdays < 1 || b.Workdays > maxWorkdays {
			v.add(path+".workdays", "must be 1..%d, got %d", maxWorkdays, b.Workdays)
		}
		if b.Effective != "" {
			if _, err := time.Parse(time.DateOnly, b.Effective); err != nil {
				v.add(path+".effective", "must be a date YYYY-MM-DD, got %q", b.Effective)
			}
		}
		if b.From != "" && b.From != BoundFromCase {
			v.add(path+".from", "must be empty (the task's receipt) or %q (the case's), got %q", BoundFromCase, b.From)
		}
		key := b.Procedure + "/" + b.Step + "/" + b.LegalBasis.Document
		if seen[key] {
			v.add(path, "%s/%s is bounded twice by %q", b.Procedure, b.Step, b.LegalBasis.Document)
		}
		seen[key] = true
		v.citations(path+".legal_basis", []Citation{b.LegalBasis})
		// citations() locates problems at legal_basis[0]; the field is a single citation.
		for j := range v.issues {
			v.issues[j].path = strings.Replace(v.issues[j].path, path+".legal_basis[0]", path+".legal_basis", 1)
		}
		if b.LegalBasis.Workdays != b.Workdays {
			v.add(path+".legal_basis.workdays", "must state the bound's %d working days (the number the article states), got %d", b.Workdays, b.LegalBasis.Workdays)
		}
		if x := b.Extension; x != nil {
			switch {
			case x.MaxWorkdays < 1 || x.MaxWorkdays > maxWorkdays:
				v.add(path+".extension.max_workdays", "must be 1..%d, got %d", maxWorkdays, x.MaxWorkdays)
			case x.MaxWorkdays != b.LegalBasis.ExtensionWorkdays:
				v.add(path+".extension.max_workdays", "must be the %d working days the citation states as extension_workdays, got %d", b.LegalBasis.ExtensionWorkdays, x.MaxWorkdays)
			}
			if x.Approver != RoleAuthority && x.Approver != RoleDeptHead {
				v.add(path+".extension.approver", "must be %s or %s, got %q", RoleAuthority, RoleDeptHead, x.Approver)
			}
			if x.MaxCount < 1 || x.MaxCount > maxExtensions {
				v.add(path+".extension.max_count", "must be 1..%d, got %d", maxExtensions, x.MaxCount)
			}
		}
	}
	added := map[string]bool{}
	for i, ns := range l.Steps {
		path := fmt.Sprintf("steps[%d]", i)
		steps, known := stepCodes[ns.Procedure]
		switch {
		case !known:
			v.add(path+".procedure", "unknown procedure %q (one of %s)", ns.Procedure, strings.Join(procedureCodes, ", "))
		case !slices.Contains(steps, ns.Step.Code):
			v.add(path+".step.code", "unknown step %q of procedure %s (one of %s)", ns.Step.Code, ns.Procedure, strings.Join(steps, ", "))
		case added[ns.Procedure+"/"+ns.Step.Code]:
			v.add(path+".step.code", "step %s/%s is added twice", ns.Procedure, ns.Step.Code)
		}
		added[ns.Procedure+"/"+ns.Step.Code] = true
		if ns.Effective != "" {
			if _, err := time.Parse(time.DateOnly, ns.Effective); err != nil {
				v.add(path+".effective", "must be a date YYYY-MM-DD, got %q", ns.Effective)
			}
		}
		// A step a regulation adds is the regulation's: never local practice, and cited.
		if ns.Step.LocalDefault || ns.Step.Deadline.LocalDefault {
			v.add(path+".step", "a step a national regulation adds is not local_default")
		}
		if len(ns.Step.LegalBasis) == 0 {
			v.add(path+".step.legal_basis", "at least one citation is required: the article that adds the step")
		}
		v.step(path+".step", ns.Step)
		if r := ns.Resumes; r != nil {
			if known && !slices.Contains(steps, r.Step) {
				v.add(path+".resumes.step", "procedure %s has no step %q", ns.Procedure, r.Step)
			}
			if r.Clock != ClockRestart && r.Clock != ClockContinue {
				v.add(path+".resumes.clock", "must be %s or %s, got %q", ClockRestart, ClockContinue, r.Clock)
			}
			if r.LocalDefault && strings.TrimSpace(r.Note) == "" {
				v.add(path+".resumes.note", "required for a local_default resumption: say that the regulation is silent")
			}
		}
	}
}

// singleCitation checks a field that holds one citation, locating problems at the field.
func (v *validator) singleCitation(path string, c Citation) {
	n := len(v.issues)
	v.citations(path, []Citation{c})
	for j := n; j < len(v.issues); j++ {
		v.issues[j].path = strings.Replace(v.issues[j].path, path+"[0]", path, 1)
	}
}

// effective is the effective date of the layer's document with the title.
func (l NationalLayer) effective(title string) string {
	for _, d := range l.Documents {
		if d.Title == title {
			return d.Effective
		}
	}
	return ""
}

// withNational attaches the national layer's bounds to the profile's steps, its keeping
// periods and powers to the profile, and appends the steps it adds to the procedures that
// apply. A profile step of the same code gives way to the national one, which ranks above it.
func (p *Profile) withNational(l NationalLayer) {
	p.National = slices.Clone(l.Documents)
	p.NationalRetention = slices.Clone(l.Retention)
	p.NationalPowers = slices.Clone(l.Powers)
	p.withNationalViolations(l.Rectification)
	for i := range p.Procedures {
		pr := &p.Procedures[i]
		for _, ns := range l.Steps {
			if ns.Procedure != pr.Code || !pr.Applies {
				continue
			}
			pr.Steps = slices.DeleteFunc(pr.Steps, func(s Step) bool { return s.Code == ns.Step.Code })
			pr.Steps = append(pr.Steps, ns.Step.clone())
		}
		for j := range pr.Steps {
			s := &pr.Steps[j]
			s.NationalBounds = nil
			for _, b := range l.BoundsFor(pr.Code, s.Code) {
				// A step that cites the bound's own article is the bound: there is nothing
				// to compare (the national profile's steps). A bound over the case is
				// counted from elsewhere, so it still bounds a step that cites it.
				if b.From == BoundFromCase || !citesArticle(s.LegalBasis, b.LegalBasis) {
					s.NationalBounds = append(s.NationalBounds, b)
				}
			}
		}
	}
}

// withNationalViolations adds the national regulation's violations to the list of a profile
// the rectification procedure applies to: an item whose code the profile lists cites the
// regulation's item beside its own (unless it cites it already: the national profile); any
// other is added, nameable from the regulation's date, with the regulation's consequence.
func (p *Profile) withNationalViolations(r *NationalRectification) {
	if pr, ok := p.Procedure(ProcRectification); r == nil || !ok || !pr.Applies {
		return
	}
	p.Violations = slices.Clone(p.Violations)
	for _, nv := range r.Violations {
		if i := slices.IndexFunc(p.Violations, func(v Violation) bool { return v.Code == nv.Code }); i >= 0 {
			own := &p.Violations[i]
			own.NationalBasis = nil
			if !slices.ContainsFunc(own.LegalBasis, func(c Citation) bool { return c.String() == nv.LegalBasis[0].String() }) {
				own.NationalBasis = slices.Clone(nv.LegalBasis)
			}
			continue
		}
		c := r.Consequence
		c.LegalBasis = slices.Clone(c.LegalBasis)
		nv.LegalBasis = slices.Clone(nv.LegalBasis)
		nv.AddedBy, nv.Effective, nv.Consequence = nv.LegalBasis[0].Document, r.Effective, &c
		p.Violations = append(p.Violations, nv)
	}
}

// RetentionFloor is the shortest keeping period of the record on day (YYYY-MM-DD, China): the
// longer of the profile's and those of the national regulations in force that day, with the
// citation of the one that sets it ("" for a local default or the product's floor).
func (p Profile) RetentionFloor(record, day string) (months int, basis string) {
	for _, r := range p.Retention {
		if r.Record == record && r.MinMonths > months {
			months, basis = r.MinMonths, ""
			if !r.LocalDefault && len(r.LegalBasis) > 0 {
				basis = r.LegalBasis[0].String()
			}
		}
	}
	for _, r := range p.NationalRetention {
		if r.Record == record && r.Effective != "" && day >= r.Effective && r.MinMonths > months {
			months, basis = r.MinMonths, r.LegalBasis.String()
		}
	}
	return months, basis
}

// CatalogReviewBasis is what the authority's publishing, returning or retiring of a catalog
// entry rests on, on day (YYYY-MM-DD, China): the national regulations' review power in force
// that day first, then the profile's own articles; local is true when neither gives it, and
// the profile's note then says why.
func (p Profile) CatalogReviewBasis(day string) (basis []string, local bool) {
	for _, pw := range p.NationalPowers {
		if pw.Power == PowerReviewCatalog && pw.Effective != "" && day >= pw.Effective {
			basis = append(basis, pw.LegalBasis.String())
		}
	}
	for _, c := range p.CatalogReview.LegalBasis {
		if !slices.Contains(basis, c.String()) { // the national profile cites the same article
			basis = append(basis, c.String())
		}
	}
	return basis, len(basis) == 0
}

// citesArticle reports whether the citations include c's document, article and paragraph.
func citesArticle(cs []Citation, c Citation) bool {
	return slices.ContainsFunc(cs, func(x Citation) bool {
		return x.Document == c.Document && x.Article == c.Article && x.Paragraph == c.Paragraph
	})
}
