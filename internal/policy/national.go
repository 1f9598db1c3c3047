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
	// Steps are the steps they add to a procedure, which no profile has.
	Steps []NationalStep `json:"steps,omitempty" yaml:"steps"`
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
	Note       string   `json:"note,omitempty" yaml:"note"`
}

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
	c := NationalLayer{Documents: slices.Clone(l.Documents), Bounds: slices.Clone(l.Bounds), Steps: slices.Clone(l.Steps)}
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
	}
}

// withNational attaches the national layer's bounds to the profile's steps and appends the
// steps it adds to the procedures that apply. A profile step of the same code gives way to the
// national one, which ranks above it.
func (p *Profile) withNational(l NationalLayer) {
	p.National = slices.Clone(l.Documents)
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
			s.NationalBounds = l.BoundsFor(pr.Code, s.Code)
		}
	}
}
