package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// nationalTitle is the national regulation of the layer.
const nationalTitle = "政务数据共享条例"

// nationalProfile is the embedded profile of the 条例 alone.
const nationalProfile = "national"

// The layer loads: the 条例 with its issuer, number and effective date, and the bounds on the
// steps it times, each citing it with the number of working days it states.
func TestNationalLayerLoads(t *testing.T) {
	l, err := National()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Documents) != 1 {
		t.Fatalf("documents = %+v", l.Documents)
	}
	d := l.Documents[0]
	if d.Title != nationalTitle || d.Issuer != "国务院" || d.Number != "国务院令第809号" || d.Effective != "2025-08-01" {
		t.Errorf("document = %+v", d)
	}
	want := map[string]string{
		"share/reply":           "《政务数据共享条例》第二十一条第一款",
		"catalog_update/update": "《政务数据共享条例》第十七条第二款",
		"catalog_update/review": "《政务数据共享条例》第十七条第三款",
		"correction/verify":     "《政务数据共享条例》第二十六条第二款",
		// The same paragraph over the whole case: the correction within the 10 days of receipt.
		"correction/correct": "《政务数据共享条例》第二十六条第二款",
	}
	got := map[string]string{}
	for _, b := range l.Bounds {
		key := b.Procedure + "/" + b.Step
		got[key] = b.LegalBasis.String()
		// Every national citation names the 条例, a document of the layer.
		if b.LegalBasis.Document != nationalTitle {
			t.Errorf("%s cites %q, not the 条例", key, b.LegalBasis.Document)
		}
		if wd := map[string]int{"catalog_update/review": 2}[key]; (wd == 0 && b.Workdays != 10) || (wd != 0 && b.Workdays != wd) || b.LegalBasis.Workdays != b.Workdays {
			t.Errorf("%s: %d working days, citation %d", key, b.Workdays, b.LegalBasis.Workdays)
		}
		// The effective date is the document's, as data.
		if b.Effective != "2025-08-01" || b.InForce("2025-07-31") || !b.InForce("2025-08-01") {
			t.Errorf("%s: effective %q", key, b.Effective)
		}
		if (b.From == BoundFromCase) != (key == "correction/correct") {
			t.Errorf("%s: counted from %q", key, b.From)
		}
	}
	if len(got) != len(want) {
		t.Errorf("bounds %v, want %v", got, want)
	}
	for k, c := range want {
		if got[k] != c {
			t.Errorf("%s cites %q, want %q", k, got[k], c)
		}
	}
}

// Resolve attaches the bounds to every profile's steps, and the 条例 to the profile; a bound
// names a step that every profile has, so none is silently unused.
func TestNationalBoundsAttachedToEveryProfile(t *testing.T) {
	l, err := National()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range EmbeddedIDs() {
		p, err := Select(id, "", LocalDefaults{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.National) != 1 || p.National[0].Title != nationalTitle {
			t.Errorf("%s: national documents %+v", id, p.National)
		}
		bounded := 0
		for _, pr := range p.Procedures {
			for _, s := range pr.Steps {
				if n := len(s.NationalBounds); n > 0 {
					bounded++
					if s.NationalBounds[0].Procedure != pr.Code || s.NationalBounds[0].Step != s.Code {
						t.Errorf("%s %s/%s got the bound of %s/%s", id, pr.Code, s.Code, s.NationalBounds[0].Procedure, s.NationalBounds[0].Step)
					}
				}
			}
		}
		if id == nationalProfile {
			// The national profile's steps cite the bounds' own articles: the bound is the step,
			// and nothing is compared with itself — except a limit over the whole case, counted
			// from the case's receipt, which still bounds the later step that cites it.
			if bounded != 1 {
				t.Errorf("%s: %d steps bounded, want only the correction by the case's limit", id, bounded)
			}
			for _, b := range l.Bounds {
				s, ok := p.Step(b.Procedure, b.Step)
				if !ok || !citesArticle(s.LegalBasis, b.LegalBasis) {
					t.Errorf("%s: %s/%s does not cite the bound %s: %+v", id, b.Procedure, b.Step, b.LegalBasis, s)
				}
				if b.From == BoundFromCase {
					if len(s.NationalBounds) != 1 || !s.Deadline.LocalDefault {
						t.Errorf("%s: %s/%s is not bounded by the case's limit: %+v", id, b.Procedure, b.Step, s)
					}
				} else if s.Deadline.Workdays != b.Workdays {
					t.Errorf("%s: %s/%s does not state the bound %s of %d working days: %+v", id, b.Procedure, b.Step, b.LegalBasis, b.Workdays, s)
				}
			}
			continue
		}
		for _, b := range l.Bounds {
			if s, ok := p.Step(b.Procedure, b.Step); !ok || len(s.NationalBounds) != 1 {
				t.Errorf("%s: bound %s/%s has no step to apply to", id, b.Procedure, b.Step)
			}
		}
		if bounded != len(l.Bounds) {
			t.Errorf("%s: %d steps bounded, the layer has %d bounds", id, bounded, len(l.Bounds))
		}
		// The profile's own citations stay its own: the regional texts' check does not see the 条例.
		for _, pc := range p.Citations() {
			if pc.Citation.Document == nationalTitle {
				t.Errorf("%s %s cites the 条例 among the profile's citations", id, pc.Path)
			}
		}
	}
}

// The 条例's 第二十二条 adds the delivery step to every profile's share procedure, its
// 第二十一条第二款 the supplement after it, and its 第二十八条第二款 the government's decision on a
// dispute coordination did not settle, last, each marked as the 条例's with its date; no other
// procedure gets them.
func TestNationalStepAddedToEveryProfile(t *testing.T) {
	for _, id := range EmbeddedIDs() {
		p, err := Select(id, "", LocalDefaults{})
		if err != nil {
			t.Fatal(err)
		}
		pr, _ := p.Procedure(ProcShare)
		gov := pr.Steps[len(pr.Steps)-1]
		if gov.Code != "government_decision" || gov.AddedBy != nationalTitle || gov.Effective != "2025-08-01" ||
			!gov.Deadline.None || gov.Actor != (Actor{Role: RoleAuthority, Department: DeptAuthority}) ||
			gov.Escalation != nil || len(gov.LegalBasis) != 1 || gov.LegalBasis[0].String() != "《政务数据共享条例》第二十八条第二款" {
			t.Errorf("%s: government decision step %+v", id, gov)
		}
		if _, ok := p.Step(ProcShare, "coordinate"); !ok {
			t.Errorf("%s: a government decision with no coordination before it", id)
		}
		sup := pr.Steps[len(pr.Steps)-2]
		if sup.Code != "supplement" || sup.AddedBy != nationalTitle || sup.Effective != "2025-08-01" ||
			!sup.Deadline.None || sup.Actor != (Actor{Role: RoleApplicant, Department: DeptApplicant}) ||
			sup.Escalation != nil || len(sup.LegalBasis) != 1 || sup.LegalBasis[0].String() != "《政务数据共享条例》第二十一条第二款" {
			t.Errorf("%s: supplement step %+v", id, sup)
		}
		// How the reply resumes is not in the text: a local default, in the layer's data.
		if r := sup.Resumes; r == nil || r.Step != "reply" || r.Clock != ClockRestart || !r.LocalDefault || r.Note == "" {
			t.Errorf("%s: supplement resumes %+v", id, sup.Resumes)
		}
		last := pr.Steps[len(pr.Steps)-3]
		if last.Code != "deliver" || last.AddedBy != nationalTitle || last.Effective != "2025-08-01" ||
			last.Deadline.Workdays != 20 || last.Actor != (Actor{Role: RoleApprover, Department: DeptProvider}) ||
			last.Escalation == nil || last.Escalation.Role != RoleAuthority || len(last.Reminders) == 0 {
			t.Errorf("%s: last share step %+v", id, last)
		}
		if len(last.LegalBasis) != 1 || last.LegalBasis[0].String() != "《政务数据共享条例》第二十二条第一款" || last.LegalBasis[0].Workdays != 20 {
			t.Errorf("%s: deliver cites %+v", id, last.LegalBasis)
		}
		for _, other := range p.Procedures {
			if other.Code == ProcShare {
				continue
			}
			for _, s := range other.Steps {
				if s.AddedBy != "" {
					t.Errorf("%s: %s/%s is added by %s", id, other.Code, s.Code, s.AddedBy)
				}
			}
		}
	}
	// Resolving twice neither duplicates the step nor changes the unresolved profile.
	raw, err := embedded("ningxia")
	if err != nil {
		t.Fatal(err)
	}
	r, err := raw.Resolve(LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.Resolve(LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := raw.Procedure(ProcShare)
	after, _ := again.Procedure(ProcShare)
	if len(after.Steps) != len(before.Steps)+3 {
		t.Errorf("share steps: %d unresolved, %d resolved twice", len(before.Steps), len(after.Steps))
	}
}

// The effective date is data: a bound may carry its own date (an amendment in force later),
// and a layer without a date, with an unknown step or a citation of another number, is refused
// with its path.
func TestParseNational(t *testing.T) {
	base := `documents:
  - {title: 条例, effective: "2025-08-01"}
bounds:
  - procedure: share
    step: reply
    workdays: 10
    legal_basis: {document: 条例, article: 第二十一条, workdays: 10}
  - procedure: catalog_update
    step: update
    workdays: 8
    effective: "2026-01-01"
    legal_basis: {document: 条例, article: 第十七条, workdays: 8}
retention:
  - record: audit_log
    min_months: 36
    legal_basis: {document: 条例, article: 第二十九条}
powers:
  - procedure: share
    power: suspend_grant
    legal_basis: {document: 条例, article: 第二十七条}
`
	l, err := ParseNational([]byte(base), "layer.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if l.Bounds[0].Effective != "2025-08-01" || l.Bounds[1].Effective != "2026-01-01" {
		t.Errorf("effective dates %q, %q", l.Bounds[0].Effective, l.Bounds[1].Effective)
	}
	if len(l.Powers) != 1 || l.Powers[0].Effective != "2025-08-01" {
		t.Errorf("powers %+v: take their document's effective date", l.Powers)
	}
	if len(l.Retention) != 1 || l.Retention[0].Effective != "2025-08-01" {
		t.Errorf("retention %+v: takes its document's effective date", l.Retention)
	}
	p := Profile{ID: "x", Retention: []Retention{{Record: RecordAuditLog, MinMonths: 6, LegalBasis: []Citation{{Document: "办法", Article: "第三十三条"}}}}}
	p.withNational(l)
	if m, basis := p.RetentionFloor(RecordAuditLog, "2025-07-31"); m != 6 || !strings.Contains(basis, "第三十三条") {
		t.Errorf("before the 条例: %d %q", m, basis)
	}
	if m, basis := p.RetentionFloor(RecordAuditLog, "2025-08-01"); m != 36 || !strings.Contains(basis, "第二十九条") {
		t.Errorf("from the 条例: %d %q", m, basis)
	}
	for _, c := range []struct{ name, from, to, want string }{
		{"no date", `effective: "2025-08-01"`, `issuer: x`, "documents[0].effective: required"},
		{"unknown step", "step: reply", "step: answer", "bounds[0].step: procedure share has no step \"answer\""},
		{"other number", "workdays: 8\n    effective", "workdays: 9\n    effective", "bounds[1].legal_basis.workdays: must state the bound's 9 working days"},
		{"other document", "{document: 条例, article: 第二十一条", "{document: 办法, article: 第二十一条", "bounds[0].legal_basis.document"},
		{"unknown field", "    step: reply\n", "    step: reply\n    days: 3\n", "bounds[0].days: unknown field"},
		{"unknown record", "record: audit_log", "record: access_log", "retention[0].record: unknown record"},
		{"no months", "min_months: 36", "min_months: 0", "retention[0].min_months: must be"},
		{"unknown power", "power: suspend_grant", "power: close_case", "powers[0].power: unknown power"},
		{"power of no procedure", "procedure: share\n    power:", "procedure: sharing\n    power:", "powers[0].procedure: unknown procedure \"sharing\""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseNational([]byte(strings.Replace(base, c.from, c.to, 1)), "layer.yaml")
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "layer.yaml: line ") {
				t.Errorf("err = %v, want %q with a line", err, c.want)
			}
		})
	}
}

// nationalText is the 条例's text, beside the repository in shared/ like the regional ones.
const nationalText = "../../../shared/regulations/national-2025-order-809.txt"

// Each article the layer cites exists in the 条例's text, and the cited paragraph states the
// bound's number of working days. Skipped without the text.
func TestNationalCitationsAgainstText(t *testing.T) {
	raw, err := os.ReadFile(nationalText)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("SKIPPED: the 条例's text is not at %s: the national citations are not checked against it", nationalText)
	}
	if err != nil {
		t.Fatal(err)
	}
	s := splitArticles(t, "national", string(raw))
	if !strings.Contains(s.text, normaliseText(nationalTitle)) || !strings.Contains(s.text, "国务院令第809号") {
		t.Fatal("the text is not the 条例 (国务院令第809号)")
	}
	paras := nationalParagraphs(string(raw))
	l, err := National()
	if err != nil {
		t.Fatal(err)
	}
	type cited struct {
		c        Citation
		workdays int
	}
	var all []cited
	for _, b := range l.Bounds {
		all = append(all, cited{b.LegalBasis, b.Workdays})
	}
	for _, ns := range l.Steps {
		if ns.Step.Deadline.None {
			continue // no number to find; the article is checked below
		}
		all = append(all, cited{ns.Step.LegalBasis[0], ns.Step.Deadline.Workdays})
	}
	for _, b := range all {
		c := b.c
		n := chineseToInt(strings.TrimSuffix(strings.TrimPrefix(c.Article, "第"), "条"))
		art, ok := s.articles[n]
		if !ok {
			t.Errorf("%s: the 条例 has no %s", c, c.Article)
			continue
		}
		if c.Paragraph != "" {
			k := chineseToInt(strings.TrimSuffix(strings.TrimPrefix(c.Paragraph, "第"), "款"))
			if k > len(paras[n]) {
				t.Errorf("%s: %s has %d paragraphs", c, c.Article, len(paras[n]))
				continue
			}
			art = paras[n][k-1]
		}
		if !statesNumber(art, b.workdays, "个工作日") {
			t.Errorf("%s does not state %d个工作日: %s", c, b.workdays, art)
		}
	}
	// A step without a deadline cites a paragraph the 条例 has; the supplement's paragraph is
	// the one that orders the notice in one go (一次性告知).
	for _, ns := range l.Steps {
		if !ns.Step.Deadline.None {
			continue
		}
		c := ns.Step.LegalBasis[0]
		n := chineseToInt(strings.TrimSuffix(strings.TrimPrefix(c.Article, "第"), "条"))
		k := chineseToInt(strings.TrimSuffix(strings.TrimPrefix(c.Paragraph, "第"), "款"))
		if k < 1 || k > len(paras[n]) {
			t.Errorf("step %s: the 条例 has no %s", ns.Step.Code, c)
			continue
		}
		if ns.Step.Code == "supplement" && !strings.Contains(paras[n][k-1], "一次性告知") {
			t.Errorf("%s does not order the notice in one go: %s", c, paras[n][k-1])
		}
	}
	// Powers cite an article and paragraph the 条例 has.
	for _, pw := range l.Powers {
		c := pw.LegalBasis
		n := chineseToInt(strings.TrimSuffix(strings.TrimPrefix(c.Article, "第"), "条"))
		k := chineseToInt(strings.TrimSuffix(strings.TrimPrefix(c.Paragraph, "第"), "款"))
		if k < 1 || k > len(paras[n]) {
			t.Errorf("power %s: the 条例 has no %s", pw.Power, c)
		}
	}
	// A keeping period stated in years: the cited paragraph says 不少于 that many 年.
	for _, r := range l.Retention {
		c := r.LegalBasis
		n := chineseToInt(strings.TrimSuffix(strings.TrimPrefix(c.Article, "第"), "条"))
		k := chineseToInt(strings.TrimSuffix(strings.TrimPrefix(c.Paragraph, "第"), "款"))
		if k < 1 || k > len(paras[n]) {
			t.Errorf("%s: the 条例 has no such paragraph", c)
			continue
		}
		if r.MinMonths%12 != 0 || !strings.Contains(paras[n][k-1], fmt.Sprintf("不少于%d年", r.MinMonths/12)) {
			t.Errorf("%s does not state 不少于%d年: %s", c, r.MinMonths/12, paras[n][k-1])
		}
	}
}

// nationalParagraphs cuts the 条例's articles into paragraphs. The text comes from a PDF:
// lines break mid-sentence and blank lines stand even inside a paragraph, so a paragraph ends
// at a line that ends a sentence (。；：), blank lines or not.
func nationalParagraphs(raw string) map[int][]string {
	out := map[int][]string{}
	current, open := 0, false
	for _, line := range strings.Split(raw, "\n") {
		if chapterHead.MatchString(line) {
			continue
		}
		if m := articleHead.FindStringSubmatch(line); m != nil {
			current, open = chineseToInt(m[1]), false
		}
		l := normaliseText(line)
		if current == 0 || l == "" {
			continue
		}
		if open {
			out[current][len(out[current])-1] += l
		} else {
			out[current] = append(out[current], l)
		}
		r, _ := utf8.DecodeLastRuneInString(l)
		open = !strings.ContainsRune("。；：", r)
	}
	return out
}

// TestCatalogReviewBasisPerProfileAndDay: the authority's review of catalog entries rests on
// 辽宁 第十条 and 内乡 第十八条 under those profiles, on no article under 宁夏 and 乌海 (local
// practice), and from 2025-08-01 on 政务数据共享条例 第十六条第一款 under every profile.
func TestCatalogReviewBasisPerProfileAndDay(t *testing.T) {
	const national = "《政务数据共享条例》第十六条第一款"
	own := map[string][]string{
		"ningxia": nil, "wuhai": nil,
		"liaoning": {"《辽宁省政务数据资源共享管理办法》第十条"},
		"neixiang": {"《内乡县政务信息资源数据共享管理实施办法》第十八条"},
		// The national profile cites the same article; it is listed once.
		"national": {national},
	}
	for id, articles := range own {
		p, err := Select(id, "", LocalDefaults{})
		if err != nil {
			t.Fatal(err)
		}
		before, local := p.CatalogReviewBasis("2025-07-31")
		if !slices.Equal(before, articles) || local != (articles == nil) {
			t.Errorf("%s before the 条例: %q, local default %v", id, before, local)
		}
		if local && p.CatalogReview.Note == "" {
			t.Errorf("%s: a local-practice review says why", id)
		}
		after, local := p.CatalogReviewBasis("2025-08-01")
		want := append([]string{national}, articles...)
		if id == nationalProfile {
			want = articles
		}
		if !slices.Equal(after, want) || local {
			t.Errorf("%s from the 条例: %q, local default %v; want %q", id, after, local, want)
		}
	}
}

// TestNationalProfileAgainstText checks the national profile against the 条例's text, as the
// regional profiles are checked against theirs: every article it cites (the layer's delivery
// step included) exists, with the cited paragraph and item; every number of working days a
// citation states is in the cited paragraph, and a keeping period in months is the years the
// paragraph states. Conversely every "N个工作日" of the 条例 is cited with its number, except
// the 1 working day of 第二十一条第一款 for unconditionally shared data, which datashare grants at
// once without a reply task. Skipped without the text.
func TestNationalProfileAgainstText(t *testing.T) {
	raw, err := os.ReadFile(nationalText)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("SKIPPED: the 条例's text is not at %s: the national profile's citations are not checked against it", nationalText)
	}
	if err != nil {
		t.Fatal(err)
	}
	s := splitArticles(t, "national", string(raw))
	paras := nationalParagraphs(string(raw))
	p, err := Select(nationalProfile, "", LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Documents) != 1 || p.Documents[0].Title != nationalTitle {
		t.Fatalf("documents = %+v, want the 条例 alone", p.Documents)
	}
	placed := p.Citations()
	for i, pr := range p.Procedures {
		for j, st := range pr.Steps {
			if st.AddedBy == "" {
				continue // in Citations already
			}
			for k, c := range st.LegalBasis {
				placed = append(placed, PlacedCitation{Path: fmt.Sprintf("procedures[%d].steps[%d].legal_basis[%d]", i, j, k), Citation: c})
			}
		}
	}
	number := func(s, prefix, suffix string) int {
		return chineseToInt(strings.TrimSuffix(strings.TrimPrefix(s, prefix), suffix))
	}
	for _, pc := range placed {
		c := pc.Citation
		if c.Document != nationalTitle {
			t.Errorf("%s: cites %q, not the 条例", pc.Path, c.Document)
			continue
		}
		n := number(c.Article, "第", "条")
		art, ok := s.articles[n]
		if !ok {
			t.Errorf("%s: %s: the 条例 has no %s", pc.Path, c, c.Article)
			continue
		}
		if c.Paragraph != "" {
			k := number(c.Paragraph, "第", "款")
			if k < 1 || k > len(paras[n]) {
				t.Errorf("%s: %s: %s has %d paragraphs", pc.Path, c, c.Article, len(paras[n]))
				continue
			}
			art = paras[n][k-1]
		}
		if c.Item != "" && !strings.Contains(art, c.Item) {
			t.Errorf("%s: %s: %s has no item %s", pc.Path, c, c.Article, c.Item)
		}
		for _, wd := range []int{c.Workdays, c.ExtensionWorkdays} {
			if wd > 0 && !statesNumber(art, wd, "个工作日") {
				t.Errorf("%s: %s does not state %d个工作日: %s", pc.Path, c, wd, art)
			}
		}
		if c.Months > 0 && (c.Months%12 != 0 || !strings.Contains(art, fmt.Sprintf("不少于%d年", c.Months/12))) {
			t.Errorf("%s: %s does not state 不少于%d年 (%d months): %s", pc.Path, c, c.Months/12, c.Months, art)
		}
	}
	// Every statutory deadline of a step is a number its citations state (the validator checks
	// that); here, conversely, every number the 条例 states is cited.
	re := regexp.MustCompile(`(\d+|[一二三四五六七八九十]+)个工作日`)
	for n, art := range s.articles {
		for _, m := range re.FindAllStringSubmatch(art, -1) {
			wd, err := strconv.Atoi(m[1])
			if err != nil {
				wd = chineseToInt(m[1])
			}
			if n == 21 && wd == 1 {
				continue // unconditionally shared data: granted at once, no reply task
			}
			found := slices.ContainsFunc(placed, func(pc PlacedCitation) bool {
				return number(pc.Citation.Article, "第", "条") == n && (pc.Citation.Workdays == wd || pc.Citation.ExtensionWorkdays == wd)
			})
			if !found {
				t.Errorf("the 条例's 第%s条 states %d个工作日, which no citation of the national profile carries", intToChinese(n), wd)
			}
		}
	}
}

// 政务数据共享条例 第三十九条、第四十条 let the same-level authority order a department to correct:
// every profile the rectification procedure applies to can name the 条例's items from
// 2025-08-01 — under the code a profile already lists for the same conduct, beside its own
// article; otherwise as an item of its own, with the 条例's consequence. The national profile's
// list is the layer's, unchanged.
func TestNationalViolationsInEveryProfile(t *testing.T) {
	l, err := National()
	if err != nil {
		t.Fatal(err)
	}
	if l.Rectification == nil || len(l.Rectification.Violations) != 16 || l.Rectification.Effective != "2025-08-01" {
		t.Fatalf("layer rectification %+v", l.Rectification)
	}
	nat, err := Select(nationalProfile, "", LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	if len(nat.Violations) != len(l.Rectification.Violations) {
		t.Fatalf("national profile: %d violations, the layer %d", len(nat.Violations), len(l.Rectification.Violations))
	}
	for i, v := range nat.Violations {
		lv := l.Rectification.Violations[i]
		if v.Code != lv.Code || v.Title != lv.Title || v.LegalBasis[0].String() != lv.LegalBasis[0].String() ||
			v.AddedBy != "" || len(v.NationalBasis) != 0 || v.Consequence != nil {
			t.Errorf("national profile item %d = %+v, layer %+v", i, v, lv)
		}
	}
	if c := nat.Rectification.Consequence; c.Code != l.Rectification.Consequence.Code || c.Title != l.Rectification.Consequence.Title {
		t.Errorf("national profile consequence %+v, layer %+v", c, l.Rectification.Consequence)
	}

	for _, c := range []struct {
		profile, shared, own string
	}{
		// 宁夏 第二十三条（一） and 辽宁 第二十六条（一）: the catalog, as 第三十九条（一）.
		{"ningxia", "catalog_not_maintained", "《宁夏回族自治区政务数据资源共享管理办法》第二十三条（一）"},
		{"liaoning", "catalog_not_maintained", "《辽宁省政务数据资源共享管理办法》第二十六条（一）"},
		// 内乡 第六十七条（二）: repeated collection, as 第四十条（一）.
		{"neixiang", "duplicate_collection", "《内乡县政务信息资源数据共享管理实施办法》第六十七条（二）"},
		{"wuhai", "", ""},
	} {
		p, err := Select(c.profile, "", LocalDefaults{})
		if err != nil {
			t.Fatal(err)
		}
		own, added := 0, 0
		for _, v := range p.Violations {
			if v.AddedBy == "" {
				own++
				if v.Code == c.shared {
					basis := v.Basis()
					if len(basis) != 2 || basis[0].String() != c.own || basis[1].Document != nationalTitle {
						t.Errorf("%s %s cites %v", c.profile, v.Code, basis)
					}
				} else if len(v.NationalBasis) != 0 {
					t.Errorf("%s %s cites the 条例: %v", c.profile, v.Code, v.NationalBasis)
				}
				continue
			}
			added++
			if v.AddedBy != nationalTitle || v.Effective != "2025-08-01" || v.Consequence == nil ||
				v.Consequence.Code != "refer_for_sanctions" || len(v.LegalBasis) != 1 || v.LegalBasis[0].Document != nationalTitle {
				t.Errorf("%s: added item %+v", c.profile, v)
			}
		}
		wantAdded := 16
		if c.shared != "" {
			wantAdded = 15
		}
		if added != wantAdded || own == 0 {
			t.Errorf("%s: %d items of its own, %d added by the 条例, want %d", c.profile, own, added, wantAdded)
		}
		if _, ok := p.Violation("reply_or_sharing_late"); !ok {
			t.Errorf("%s: 第三十九条（四） cannot be named", c.profile)
		}
		// The profile's citations, which the regional texts are checked against, stay its own.
		for _, pc := range p.Citations() {
			if pc.Citation.Document == nationalTitle {
				t.Errorf("%s %s cites the 条例 among the profile's citations", c.profile, pc.Path)
			}
		}
	}
}
