package policy

import (
	"embed"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sources of a profile.
const (
	SourceEmbedded = "embedded"
	SourceFile     = "file"
)

//go:embed profiles/*.yaml
var profileFiles embed.FS

// embeddedIDs is the order of the columns of the table in docs/regulations.md: the four
// regional profiles, then the national one (the 政务数据共享条例 alone).
var embeddedIDs = []string{"ningxia", "wuhai", "liaoning", "neixiang", "national"}

// EmbeddedIDs lists the ids of the shipped profiles.
func EmbeddedIDs() []string { return slices.Clone(embeddedIDs) }

// Embedded parses and validates the shipped profiles, unresolved: local-default deadlines
// carry no number until Resolve.
func Embedded() ([]Profile, error) {
	out := make([]Profile, 0, len(embeddedIDs))
	for _, id := range embeddedIDs {
		p, err := embedded(id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func embedded(id string) (Profile, error) {
	name := "profiles/" + id + ".yaml"
	data, err := profileFiles.ReadFile(name)
	if err != nil {
		return Profile{}, fmt.Errorf("embedded policy %s: %w", name, err)
	}
	p, err := Parse(data, "embedded "+name)
	if err != nil {
		return Profile{}, err
	}
	if p.ID != id {
		return Profile{}, &Error{File: "embedded " + name, Path: "id", Msg: fmt.Sprintf("is %q, but the file is named for %q", p.ID, id)}
	}
	p.Source = SourceEmbedded
	return p, nil
}

// Select returns the deployment's profile, resolved with its local defaults. With customFile
// empty it is the embedded profile id; otherwise it is the file, whose own id names it and id
// is not consulted (the file replaces the choice among the embedded ones).
func Select(id, customFile string, defaults LocalDefaults) (Profile, error) {
	var (
		p   Profile
		err error
	)
	if customFile == "" {
		if !slices.Contains(embeddedIDs, id) {
			return Profile{}, fmt.Errorf("unknown jurisdiction profile %q: the embedded ones are %s (or load a file)", id, strings.Join(embeddedIDs, ", "))
		}
		p, err = embedded(id)
	} else {
		p, err = LoadFile(customFile)
	}
	if err != nil {
		return Profile{}, err
	}
	r, err := p.Resolve(defaults)
	if err != nil && customFile != "" {
		return Profile{}, fmt.Errorf("policy file %s: %w", customFile, err)
	}
	return r, err
}

// LocalDefaults are the deployment's values where a regulation sets none. They are shown to
// users as local defaults, never as law. A zero field takes the built-in value.
type LocalDefaults struct {
	// Workdays is the deadline of a step whose regulation sets no time limit (e.g. 10).
	Workdays int `json:"workdays"`
	// Reminders are the reminder points of steps whose profile gives none; points not before
	// the step's deadline are left out. A non-nil empty list means no reminders.
	Reminders []int `json:"reminders"`
	// LongOverdueAfterWorkdays is used where an escalation gives none.
	LongOverdueAfterWorkdays int `json:"long_overdue_after_workdays"`
	// AuditLogRetentionMonths is the minimum keeping of audit logs where a regulation sets none.
	AuditLogRetentionMonths int `json:"audit_log_retention_months"`
}

// BuiltinLocalDefaults are the values a deployment gets unless it configures its own: ten
// working days is the longest statutory reply time in the four texts (宁夏 第十一条), six months
// is the one retention period they set (内乡 第三十三条).
func BuiltinLocalDefaults() LocalDefaults {
	return LocalDefaults{Workdays: 10, Reminders: []int{2, 0}, LongOverdueAfterWorkdays: 5, AuditLogRetentionMonths: 6}
}

func (d LocalDefaults) withBuiltins() LocalDefaults {
	b := BuiltinLocalDefaults()
	if d.Workdays == 0 {
		d.Workdays = b.Workdays
	}
	if d.Reminders == nil {
		d.Reminders = b.Reminders
	}
	if d.LongOverdueAfterWorkdays == 0 {
		d.LongOverdueAfterWorkdays = b.LongOverdueAfterWorkdays
	}
	if d.AuditLogRetentionMonths == 0 {
		d.AuditLogRetentionMonths = b.AuditLogRetentionMonths
	}
	d.Reminders = slices.Clone(d.Reminders)
	slices.Sort(d.Reminders)
	slices.Reverse(d.Reminders)
	return d
}

func (d LocalDefaults) validate() error {
	var errs []error
	if d.Workdays < 1 || d.Workdays > maxWorkdays {
		errs = append(errs, fmt.Errorf("local default workdays must be 1..%d, got %d", maxWorkdays, d.Workdays))
	}
	for _, r := range d.Reminders {
		if r < 0 || r > maxWorkdays {
			errs = append(errs, fmt.Errorf("local default reminder point must be 0..%d, got %d", maxWorkdays, r))
		}
	}
	if d.LongOverdueAfterWorkdays < 1 || d.LongOverdueAfterWorkdays > maxWorkdays {
		errs = append(errs, fmt.Errorf("local default long_overdue_after_workdays must be 1..%d, got %d", maxWorkdays, d.LongOverdueAfterWorkdays))
	}
	if d.AuditLogRetentionMonths < 1 || d.AuditLogRetentionMonths > maxMonths {
		errs = append(errs, fmt.Errorf("local default audit log retention must be 1..%d months, got %d", maxMonths, d.AuditLogRetentionMonths))
	}
	return errors.Join(errs...)
}

// Resolve returns a copy of the profile with the local defaults filled in: local-default
// deadlines get their number (still marked local_default), steps without reminder points get
// the default ones, escalations their long-overdue threshold, local-default retention its
// months; every step the national layer bounds gets its bounds (NationalBounds), and every
// procedure the steps the national layer adds to it (Step.AddedBy). The receiver is not
// changed.
func (p Profile) Resolve(defaults LocalDefaults) (Profile, error) {
	d := defaults.withBuiltins()
	if err := d.validate(); err != nil {
		return Profile{}, fmt.Errorf("policy %s: %w", p.ID, err)
	}
	national, err := National()
	if err != nil {
		return Profile{}, err
	}
	r := p.clone()
	r.withNational(national)
	var errs []error
	if len(r.CatalogReview.LegalBasis) == 0 && !r.CatalogReview.LocalDefault {
		// A file that says nothing of it: the review is the deployment's practice.
		r.CatalogReview = Rule{LocalDefault: true,
			Note: "The profile cites no article for the authority's review of catalog entries: local practice."}
	}
	for i := range r.Procedures {
		r.Procedures[i].ProductRules = productRules(r.Procedures[i])
		for j := range r.Procedures[i].Steps {
			s := &r.Procedures[i].Steps[j]
			path := fmt.Sprintf("procedures[%d].steps[%d]", i, j)
			if err := s.resolve(d); err != nil {
				errs = append(errs, fmt.Errorf("policy %s: %s.%w", p.ID, path, err))
			}
		}
	}
	for i := range r.Retention {
		if r.Retention[i].LocalDefault && r.Retention[i].MinMonths == 0 {
			r.Retention[i].MinMonths = d.AuditLogRetentionMonths
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Profile{}, err
	}
	r.LocalDefaults = &d
	return r, nil
}

func (s *Step) resolve(d LocalDefaults) error {
	if s.Deadline.LocalDefault && s.Deadline.Workdays == 0 {
		s.Deadline.Workdays = d.Workdays
	}
	if s.Escalation != nil && s.Escalation.LongOverdueAfterWorkdays == 0 {
		s.Escalation.LongOverdueAfterWorkdays = d.LongOverdueAfterWorkdays
	}
	switch {
	case s.Deadline.None:
		s.Reminders = []int{}
	case s.Reminders == nil:
		s.Reminders = []int{}
		for _, r := range d.Reminders {
			if s.Deadline.Annual != nil || r < s.Deadline.Workdays {
				s.Reminders = append(s.Reminders, r)
			}
		}
	case s.Deadline.Annual == nil:
		// The file's own points were checked against statutory deadlines on load; a local
		// default is known only now.
		for _, r := range s.Reminders {
			if r >= s.Deadline.Workdays {
				return fmt.Errorf("reminders: point %d is not before the local-default deadline of %d working days; lower the point or raise the local default", r, s.Deadline.Workdays)
			}
		}
	}
	return nil
}

// clone copies everything Resolve may change, so that resolving never alters the original.
func (p Profile) clone() Profile {
	c := p
	c.Documents = slices.Clone(p.Documents)
	c.National = slices.Clone(p.National)
	c.NationalRetention = slices.Clone(p.NationalRetention)
	c.NationalPowers = slices.Clone(p.NationalPowers)
	c.Retention = slices.Clone(p.Retention)
	c.RefusalReasons = slices.Clone(p.RefusalReasons)
	c.Violations = slices.Clone(p.Violations)
	if p.Rectification != nil {
		r := *p.Rectification
		c.Rectification = &r
	}
	c.Procedures = slices.Clone(p.Procedures)
	for i := range c.Procedures {
		pr := &c.Procedures[i]
		pr.Steps = slices.Clone(pr.Steps)
		for j := range pr.Steps {
			pr.Steps[j] = pr.Steps[j].clone()
		}
	}
	return c
}

// clone copies everything of a step Resolve may change.
func (s Step) clone() Step {
	s.Reminders = slices.Clone(s.Reminders)
	s.NationalBounds = slices.Clone(s.NationalBounds)
	if s.Escalation != nil {
		e := *s.Escalation
		s.Escalation = &e
	}
	if s.Extension != nil {
		e := *s.Extension
		s.Extension = &e
	}
	if s.Resumes != nil {
		r := *s.Resumes
		s.Resumes = &r
	}
	return s
}
