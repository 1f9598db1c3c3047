package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEmbeddedProfilesParseAndValidate(t *testing.T) {
	ps, err := Embedded()
	if err != nil {
		t.Fatalf("Embedded: %v", err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
		if p.Source != SourceEmbedded {
			t.Errorf("%s: source = %q", p.ID, p.Source)
		}
		for _, code := range ProcedureCodes() {
			if _, ok := p.Procedure(code); !ok {
				t.Errorf("%s: procedure %s missing", p.ID, code)
			}
		}
		if _, err := p.Resolve(LocalDefaults{}); err != nil {
			t.Errorf("%s: resolve with built-in defaults: %v", p.ID, err)
		}
	}
	if !slices.Equal(ids, []string{"ningxia", "wuhai", "liaoning", "neixiang", "national"}) {
		t.Fatalf("ids = %v", ids)
	}
	// A profile file dropped into the folder without being listed would never be served.
	files, err := fs.Glob(profileFiles, "profiles/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(embeddedIDs) {
		t.Errorf("embedded files %v, listed ids %v", files, embeddedIDs)
	}
}

func TestJSONViewIsSnakeCase(t *testing.T) {
	p, err := Select("neixiang", "", LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{
		`"id":"neixiang"`, `"jurisdiction":"内乡县"`, `"source":"embedded"`, `"local_defaults":{"workdays":10`,
		`"applies":true`, `"long_overdue_after_workdays":5`, `"max_workdays":10`, `"approver":"dept_head"`,
		`"max_count":1`, `"refusal_requires":["reasons","basis"]`, `"submission_requires":["description","evidence"]`,
		`"legal_basis":[{"document":"内乡县政务信息资源数据共享管理实施办法","article":"第四十六条","paragraph":"第二款","workdays":10}]`,
		`"annual":{"month":2,"end_of_month":true}`, `"local_default":true`, `"min_months":6`, `"months":6`,
	} {
		if !strings.Contains(string(data), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
	if strings.Contains(string(data), "null") {
		t.Errorf("resolved JSON has null lists or objects: %s", data)
	}
	var back Profile
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	s, _ := back.Step(ProcOpenData, "reply")
	if s.Extension == nil || s.Extension.MaxWorkdays != 10 || s.Deadline.Workdays != 10 {
		t.Errorf("round trip lost the open-data reply: %+v", s)
	}
}

func TestSelectEmbedded(t *testing.T) {
	p, err := Select("liaoning", "", LocalDefaults{Workdays: 10})
	if err != nil {
		t.Fatal(err)
	}
	s, ok := p.Step(ProcShare, "reply")
	if !ok || s.Deadline.Workdays != 5 || s.Deadline.LocalDefault {
		t.Fatalf("liaoning share.reply = %+v, %v", s.Deadline, ok)
	}
	if _, ok := p.Step(ProcOpenData, "reply"); ok {
		t.Error("open_data does not apply in liaoning, Step must say so")
	}
	if _, err := Select("beijing", "", LocalDefaults{}); err == nil || !strings.Contains(err.Error(), "ningxia, wuhai, liaoning, neixiang, national") {
		t.Errorf("unknown id: %v", err)
	}
}

func TestLocalDefaultIsFilledAndMarked(t *testing.T) {
	raw, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	nx := raw[3]
	if s, _ := nx.Step(ProcShare, "reply"); s.Deadline.Workdays != 0 || !s.Deadline.LocalDefault {
		t.Fatalf("unresolved neixiang share.reply must carry no number yet: %+v", s.Deadline)
	}

	p, err := Select("neixiang", "", LocalDefaults{Workdays: 7, LongOverdueAfterWorkdays: 3})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := p.Step(ProcShare, "reply")
	if s.Deadline.Workdays != 7 || !s.Deadline.LocalDefault || s.Deadline.Statutory() || s.Deadline.Note == "" {
		t.Errorf("share.reply deadline = %+v, want 7 WD marked local_default with a note", s.Deadline)
	}
	if !slices.Equal(s.Reminders, []int{2, 0}) {
		t.Errorf("share.reply reminders = %v, want the default [2 0]", s.Reminders)
	}
	if s.Escalation.LongOverdueAfterWorkdays != 5 {
		t.Errorf("an explicit long_overdue must win over the default: %d", s.Escalation.LongOverdueAfterWorkdays)
	}
	// Statutory deadlines are not touched by the deployment's default.
	if u, _ := p.Step(ProcCatalogUpdate, "update"); u.Deadline.Workdays != 5 || u.Deadline.LocalDefault {
		t.Errorf("catalog_update.update = %+v", u.Deadline)
	}
	if p.LocalDefaults == nil || p.LocalDefaults.Workdays != 7 || p.LocalDefaults.AuditLogRetentionMonths != 6 {
		t.Errorf("applied defaults = %+v", p.LocalDefaults)
	}
	// Resolving works on a copy.
	if s, _ := nx.Step(ProcShare, "reply"); s.Deadline.Workdays != 0 || s.Reminders != nil {
		t.Errorf("Resolve changed the original: %+v", s)
	}

	// Default reminder points that do not fit a short local default are left out.
	p1, err := Select("neixiang", "", LocalDefaults{Workdays: 1})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := p1.Step(ProcShare, "reply"); !slices.Equal(s.Reminders, []int{0}) {
		t.Errorf("reminders with a 1-day default = %v", s.Reminders)
	}
	// Retention where the text is silent.
	w, err := Select("wuhai", "", LocalDefaults{AuditLogRetentionMonths: 12})
	if err != nil {
		t.Fatal(err)
	}
	if r := w.Retention[0]; r.MinMonths != 12 || !r.LocalDefault {
		t.Errorf("wuhai retention = %+v", r)
	}
	if _, err := Select("wuhai", "", LocalDefaults{Workdays: 400}); err == nil || !strings.Contains(err.Error(), "workdays must be 1..365") {
		t.Errorf("bad local default: %v", err)
	}
}

func TestAnnualDate(t *testing.T) {
	feb := AnnualDate{Month: 2, EndOfMonth: true}
	for year, want := range map[int]int{2024: 29, 2025: 28, 2100: 28} {
		if m, d := feb.In(year); m != 2 || d != want {
			t.Errorf("end of February %d = %v %d", year, m, d)
		}
	}
	if m, d := (AnnualDate{Month: 1, Day: 31}).In(2026); m != 1 || d != 31 {
		t.Errorf("Jan 31 = %v %d", m, d)
	}
	if feb.String() != "每年2月底前" {
		t.Errorf("String = %q", feb.String())
	}
}

func TestCitationString(t *testing.T) {
	c := Citation{Document: "宁夏回族自治区政务数据资源共享管理办法", Article: "第十一条", Paragraph: "第三款"}
	if got := c.String(); got != "《宁夏回族自治区政务数据资源共享管理办法》第十一条第三款" {
		t.Errorf("String = %q", got)
	}
}

// testProfile is a small valid profile that the malformed cases below break one way each.
const testProfile = `id: testland
name: Test
jurisdiction: 测试县
documents:
  - title: 测试办法
procedures:
  - code: share
    name: 有条件共享申请
    steps:
      - code: reply
        name: 答复
        actor: {role: approver, department: provider}
        deadline: {workdays: 5}
        reminders: [2, 0]
        escalation: {role: authority, department: authority, long_overdue_after_workdays: 5}
        extension: {max_workdays: 5, approver: dept_head}
        refusal_requires: [reasons]
        legal_basis:
          - {document: 测试办法, article: 第九条, paragraph: 第三款, workdays: 5}
      - code: coordinate
        name: 协调
        actor: {role: authority, department: authority}
        deadline: {local_default: true, note: 第十条 sets no time}
        reminders: [3]
        legal_basis:
          - {document: 测试办法, article: 第十条}
  - {code: catalog_update, name: 目录更新, applies: false, note: n/a}
  - {code: correction, name: 纠错, applies: false, note: n/a}
  - {code: open_data, name: 开放, applies: false, note: n/a}
  - {code: open_catalog_correction, name: 开放目录更正, applies: false, note: n/a}
  - {code: interface_extension, name: 接口延期, applies: false, note: n/a}
  - {code: rectification, name: 整改, applies: false, note: n/a}
  - {code: annual_report, name: 年度报告, applies: false, note: n/a}
retention:
  - {record: audit_log, local_default: true, note: silent}
refusal_reasons:
  - {code: outside_duty, title: 不属于履职需要, legal_basis: [{document: 测试办法, article: 第十一条}]}
  - {code: other, title: 其他}
`

// A deployment's profile may ask every share request for the duty basis (履职依据).
func TestShareMayRequireDutyBasis(t *testing.T) {
	text := strings.Replace(testProfile, "    name: 有条件共享申请\n", "    name: 有条件共享申请\n    submission_requires: [duty_basis, purpose]\n", 1)
	p, err := Parse([]byte(text), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if pr, _ := p.Procedure(ProcShare); !slices.Equal(pr.SubmissionRequires, []string{NeedDutyBasis, NeedPurpose}) {
		t.Errorf("submission_requires = %v", pr.SubmissionRequires)
	}
	// No shipped profile does: the four texts do not ask every request for one.
	embedded, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range embedded {
		if pr, _ := p.Procedure(ProcShare); slices.Contains(pr.SubmissionRequires, NeedDutyBasis) {
			t.Errorf("%s asks every share request for the duty basis", p.ID)
		}
	}
}

func TestTestProfileIsValid(t *testing.T) {
	p, err := Parse([]byte(testProfile), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := p.Step(ProcShare, "reply")
	if s.Extension.MaxCount != 1 {
		t.Errorf("max_count defaults to 1, got %d", s.Extension.MaxCount)
	}
	if pr, _ := p.Procedure(ProcShare); !pr.Applies {
		t.Error("applies defaults to true")
	}
}

// TestMalformedFilesNameFileLineAndPath: every way of breaking a file stops the load with an
// error that names the file, the line and the path of the problem.
func TestMalformedFilesNameFileLineAndPath(t *testing.T) {
	cases := []struct {
		name     string
		old, new string
		// marker is a text on the line the error must name.
		marker string
		path   string
		msg    string
	}{
		{"bad YAML", "        name: 答复\n", "        name: 答复: oops: x\n", "答复: oops", "procedures[0].steps[0].code", "invalid YAML"},
		{"unknown field", "        reminders: [2, 0]\n", "        reminders: [2, 0]\n        remind_me: yes\n", "remind_me", "procedures[0].steps[0].remind_me", `unknown field "remind_me"`},
		{"unknown nested field", "approver: dept_head}", "approver: dept_head, days: 3}", "days: 3", "procedures[0].steps[0].extension.days", "allowed here: approver"},
		{"bad role", "{role: approver, department: provider}", "{role: boss, department: provider}", "role: boss", "procedures[0].steps[0].actor.role", `unknown role "boss"`},
		{"workdays 0", "deadline: {workdays: 5}", "deadline: {workdays: 0}", "workdays: 0}", "procedures[0].steps[0].deadline.workdays", "must be 1..365"},
		{"workdays not a number", "deadline: {workdays: 5}", "deadline: {workdays: ten}", "workdays: ten", "procedures[0].steps[0].deadline.workdays", "cannot unmarshal"},
		{"missing citation", "        legal_basis:\n          - {document: 测试办法, article: 第十条}\n", "        legal_basis: []\n", "legal_basis: []", "procedures[0].steps[1].legal_basis", "at least one citation"},
		{"citation of an unknown document", "{document: 测试办法, article: 第十条}", "{document: 别的办法, article: 第十条}", "别的办法", "procedures[0].steps[1].legal_basis[0].document", "not one of the profile's documents"},
		{"article not in Chinese", "article: 第十条}", "article: Art. 10}", "Art. 10", "procedures[0].steps[1].legal_basis[0].article", "such as 第十一条"},
		{"deadline not cited", "deadline: {workdays: 5}", "deadline: {workdays: 7}", "workdays: 7", "procedures[0].steps[0].deadline.workdays", "not stated by any legal_basis"},
		{"deadline kinds exclusive", "deadline: {workdays: 5}", "deadline: {workdays: 5, none: true, note: x}", "none: true", "procedures[0].steps[0].deadline", "exclude each other"},
		{"no deadline kind", "deadline: {workdays: 5}", "deadline: {note: x}", "deadline: {note", "procedures[0].steps[0].deadline", "exactly one of"},
		{"reminder not before deadline", "reminders: [2, 0]", "reminders: [5, 0]", "reminders: [5", "procedures[0].steps[0].reminders[0]", "not before the deadline of 5"},
		{"bad extension approver", "approver: dept_head}", "approver: mayor}", "approver: mayor", "procedures[0].steps[0].extension.approver", "dept_head or authority"},
		{"department of the wrong kind", "{role: authority, department: authority}\n        deadline: {local", "{role: authority, department: provider}\n        deadline: {local", "department: provider}\n        deadline: {local", "procedures[0].steps[1].actor.department", "acts for the authority department"},
		{"local default without note", "deadline: {local_default: true, note: 第十条 sets no time}", "deadline: {local_default: true}", "local_default: true}", "procedures[0].steps[1].deadline.note", "say which article is silent"},
		{"unknown step", "      - code: coordinate\n", "      - code: coordinat\n", "code: coordinat", "procedures[0].steps[1].code", `unknown step "coordinat"`},
		{"missing procedure", "  - {code: rectification, name: 整改, applies: false, note: n/a}\n", "", "procedures:", "procedures", `procedure "rectification" is missing`},
		{"inapplicable without note", "{code: open_data, name: 开放, applies: false, note: n/a}", "{code: open_data, name: 开放, applies: false}", "code: open_data", "procedures[3].note", "required when applies is false"},
		{"annual day beyond the month", "  - {code: annual_report, name: 年度报告, applies: false, note: n/a}\n",
			"  - code: annual_report\n    name: 年度报告\n    steps:\n      - code: department_report\n        name: 报告\n        actor: {role: approver, department: own}\n        deadline: {annual: {month: 2, day: 30}}\n        legal_basis: [{document: 测试办法, article: 第六十条}]\n",
			"day: 30", "procedures[7].steps[0].deadline.annual.day", "must be 1..28 for month 2"},
		{"retention months not cited", "  - {record: audit_log, local_default: true, note: silent}", "  - {record: audit_log, min_months: 6, legal_basis: [{document: 测试办法, article: 第三十三条}]}", "min_months: 6", "retention[0].min_months", "6 months is not stated"},
		{"bad id", "id: testland", "id: Test Land", "id: Test", "id", "lower-case"},
		{"department transfer on a step the authority neither acts on nor supervises", "        escalation: {role: authority, department: authority, long_overdue_after_workdays: 5}\n", "        department_transfer: true\n", "department_transfer: true", "procedures[0].steps[0].department_transfer", "only a step the authority acts on or supervises"},
		{"refusal reason twice", "  - {code: other, title: 其他}", "  - {code: outside_duty, title: 其他}", "code: outside_duty, title: 其他", "refusal_reasons[1].code", "listed twice"},
		{"set_by_order without local default", "deadline: {workdays: 5}", "deadline: {workdays: 5, set_by_order: true}", "set_by_order: true", "procedures[0].steps[0].deadline.set_by_order", "goes with local_default"},
		{"violations without rectification", "retention:\n", "violations:\n  - {code: late, title: 迟延, legal_basis: [{document: 测试办法, article: 第二十条, item: （一）}]}\nretention:\n", "violations:", "violations", "does not apply"},
		{"duty basis asked outside the share procedure", "  - {code: catalog_update, name: 目录更新, applies: false, note: n/a}\n",
			"  - code: catalog_update\n    name: 目录更新\n    submission_requires: [duty_basis]\n    steps:\n      - code: update\n        name: 更新\n        actor: {role: approver, department: own}\n        deadline: {local_default: true, note: 第八条 sets no time}\n        legal_basis: [{document: 测试办法, article: 第八条}]\n",
			"submission_requires: [duty_basis]", "procedures[1].submission_requires[0]", "share requests only"},
		{"unknown submission need", "    name: 有条件共享申请\n", "    name: 有条件共享申请\n    submission_requires: [duty]\n", "[duty]", "procedures[0].submission_requires[0]", `unknown value "duty"`},
		{"refusal reason cites an unknown document", "document: 测试办法, article: 第十一条}", "document: 别的办法, article: 第十一条}", "别的办法", "refusal_reasons[0].legal_basis[0].document", "not one of the profile's documents"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(testProfile, tc.old) {
				t.Fatalf("test case does not apply: %q not in the test profile", tc.old)
			}
			text := strings.Replace(testProfile, tc.old, tc.new, 1)
			_, err := Parse([]byte(text), "custom/neverland.yaml")
			if err == nil {
				t.Fatal("no error")
			}
			line := lineOf(t, text, tc.marker)
			want := fmt.Sprintf("policy file custom/neverland.yaml: line %d: %s: ", line, tc.path)
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error\n  %v\nwant it to contain\n  %s…%s", err, want, tc.msg)
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.File != "custom/neverland.yaml" || pe.Line == 0 {
				t.Errorf("error is not a located *policy.Error: %#v", err)
			}
		})
	}
}

func lineOf(t *testing.T, text, marker string) int {
	t.Helper()
	i := strings.Index(text, marker)
	if i < 0 {
		t.Fatalf("marker %q not in text", marker)
	}
	return strings.Count(text[:i], "\n") + 1
}

func TestWholeFileProblems(t *testing.T) {
	for name, tc := range map[string]struct{ text, want string }{
		"empty":           {"", "policy file x.yaml: empty file"},
		"not a mapping":   {"- a\n- b\n", "policy file x.yaml: line 1: expected a mapping"},
		"two documents":   {testProfile + "---\nid: other\n", fmt.Sprintf("policy file x.yaml: line %d: more than one YAML document", strings.Count(testProfile, "\n")+1)},
		"many problems":   {strings.ReplaceAll(testProfile, "applies: false, note: n/a", "applies: false"), "procedures[1].note: required"},
		"tab indentation": {"id: x\n\tname: y\n", "policy file x.yaml: line 2: id: invalid YAML after this key"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.text), "x.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSelectCustomFile(t *testing.T) {
	dir := t.TempDir()
	custom := strings.NewReplacer("id: testland", "id: yinchuan", "        reminders: [3]\n", "").Replace(testProfile)
	path := filepath.Join(dir, "yinchuan.yaml")
	if err := os.WriteFile(path, []byte(custom), 0o600); err != nil {
		t.Fatal(err)
	}
	// The file names its own profile; the embedded id is not consulted.
	p, err := Select("ningxia", path, LocalDefaults{Workdays: 4})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "yinchuan" || p.Source != SourceFile {
		t.Fatalf("selected %q from %q", p.ID, p.Source)
	}
	s, ok := p.Step(ProcShare, "coordinate")
	if !ok || s.Deadline.Workdays != 4 || !s.Deadline.LocalDefault || !slices.Equal(s.Reminders, []int{2, 0}) {
		t.Errorf("coordinate = %+v", s)
	}

	// A file whose own reminder point does not fit the deployment's default is refused at start.
	tight := strings.Replace(testProfile, "reminders: [3]", "reminders: [8]", 1)
	if err := os.WriteFile(path, []byte(tight), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Select("", path, LocalDefaults{Workdays: 5})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "procedures[0].steps[1].reminders: point 8 is not before the local-default deadline of 5") {
		t.Errorf("error = %v", err)
	}

	if _, err := Select("", filepath.Join(dir, "missing.yaml"), LocalDefaults{}); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(testProfile, "role: approver", "role: boss", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Select("", bad, LocalDefaults{}); err == nil || !strings.Contains(err.Error(), bad+": line 12: procedures[0].steps[0].actor.role") {
		t.Errorf("bad file: %v", err)
	}
}

// A deployment replaces the refusal reason catalogue with its own file; the file is checked as
// strictly as a profile, its citations against the profile's documents.
func TestLoadRefusalReasons(t *testing.T) {
	p, err := Parse([]byte(testProfile), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.yaml", "refusal_reasons:\n  - {code: audit_pending, title: 审计未完成}\n  - {code: other, title: 其他, legal_basis: [{document: 测试办法, article: 第九条}]}\n")
	got, err := LoadRefusalReasons(p, good)
	if err != nil {
		t.Fatal(err)
	}
	if codes := got.RefusalReasonCodes(); !slices.Equal(codes, []string{"audit_pending", "other"}) {
		t.Errorf("codes = %v", codes)
	}
	if codes := p.RefusalReasonCodes(); !slices.Equal(codes, []string{"outside_duty", "other"}) {
		t.Errorf("the original profile changed: %v", codes)
	}

	for name, tc := range map[string]struct{ text, want string }{
		"unknown field":    {"refusal_reasons:\n  - {code: x1, title: t, why: no}\n", "why"},
		"missing title":    {"refusal_reasons:\n  - {code: x1}\n", "refusal_reasons[0].title"},
		"empty catalogue":  {"refusal_reasons: []\n", "at least one refusal reason"},
		"unknown document": {"refusal_reasons:\n  - {code: x1, title: t, legal_basis: [{document: 别的办法, article: 第一条}]}\n", "refusal_reasons[0].legal_basis[0].document"},
		// 政务数据共享条例 第二十一条第二款: incomplete material is told at once, never refused.
		"incomplete material code":  {"refusal_reasons:\n  - {code: other, title: 其他}\n  - {code: incomplete_material, title: 材料}\n", "refusal_reasons[1]: reason \"incomplete_material\" rests on a ground 《政务数据共享条例》第二十一条第二款"},
		"incomplete material title": {"refusal_reasons:\n  - {code: papers, title: 申请材料不全}\n", "第二十一条第二款"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadRefusalReasons(p, write(strings.ReplaceAll(name, " ", "_")+".yaml", tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// TestViolationListsFollowTheirArticles checks each profile's violation list against the
// article it rests on: every item of 辽宁 第二十六条 (一)–(七), 乌海 第二十条 (一)–(四), 内乡
// 第六十七条 (一)–(六) and 宁夏 第二十三条 (一)–(五) once, in order, and a consequence that cites
// the same article.
func TestViolationListsFollowTheirArticles(t *testing.T) {
	want := map[string]struct {
		article string
		items   int
		local   bool
	}{
		"liaoning": {"第二十六条", 7, false}, "wuhai": {"第二十条", 4, true},
		"neixiang": {"第六十七条", 6, false}, "ningxia": {"第二十三条", 5, true},
	}
	profiles, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	items := []string{"（一）", "（二）", "（三）", "（四）", "（五）", "（六）", "（七）"}
	for _, p := range profiles {
		w, ok := want[p.ID]
		if !ok {
			continue
		}
		if len(p.Violations) != w.items {
			t.Errorf("%s: %d violations, want %d (one per item of %s)", p.ID, len(p.Violations), w.items, w.article)
			continue
		}
		for i, v := range p.Violations {
			if len(v.LegalBasis) != 1 || v.LegalBasis[0].Article != w.article || v.LegalBasis[0].Item != items[i] {
				t.Errorf("%s: violation %s cites %v, want %s%s", p.ID, v.Code, v.LegalBasis, w.article, items[i])
			}
		}
		r := p.Rectification
		if r == nil || r.MaxWorkdays < 1 {
			t.Errorf("%s: no rectification rules", p.ID)
			continue
		}
		c := r.Consequence
		if c.LocalDefault != w.local || len(c.LegalBasis) == 0 || c.LegalBasis[0].Article != w.article {
			t.Errorf("%s: consequence %+v, want local_default %v citing %s", p.ID, c, w.local, w.article)
		}
		if _, ok := p.Violation(p.Violations[0].Code); !ok {
			t.Errorf("%s: Violation(%s) not found", p.ID, p.Violations[0].Code)
		}
	}
}

// Steps no regional text provides are marked local practice, never presented as law: the
// review of a rectification report (乌海 第二十条, 辽宁 第二十六条 and 内乡 第六十七条 order a
// correction within a time limit and provide no review; 宁夏 already marked it), and 乌海's
// coordination of a refused share request (its measures set no dispute procedure, as for the
// negotiation before it).
func TestStepsNoTextProvidesAreLocalPractice(t *testing.T) {
	cases := []struct{ profile, procedure, step string }{
		{"ningxia", ProcRectification, "review"},
		{"wuhai", ProcRectification, "review"},
		{"liaoning", ProcRectification, "review"},
		{"neixiang", ProcRectification, "review"},
		{"wuhai", ProcShare, "negotiate"},
		{"wuhai", ProcShare, "coordinate"},
		// 宁夏 第八条第二款 is the government's supervision of catalog updates, not an approval
		// by the authority.
		{"ningxia", ProcCatalogUpdate, "review"},
		// 乌海 第七条 gives the review of a catalog to each department; the centre compiles.
		{"wuhai", ProcCatalogUpdate, "review"},
	}
	for _, c := range cases {
		p, err := Select(c.profile, "", LocalDefaults{})
		if err != nil {
			t.Fatal(err)
		}
		s, ok := p.Step(c.procedure, c.step)
		if !ok {
			t.Fatalf("%s: no %s/%s step", c.profile, c.procedure, c.step)
		}
		if !s.LocalDefault || !strings.Contains(s.Note, "local practice") {
			t.Errorf("%s %s/%s: local_default %v, note %q; want it marked local practice", c.profile, c.procedure, c.step, s.LocalDefault, s.Note)
		}
	}
}

// 辽宁's refusal reason for data not for sharing quotes 第十二条第二款 as it reads —
// 法律、法规、规章依据或者国家和省有关规定 — not a paraphrase narrowing it to 行政法规.
func TestLiaoningNotSharedByLawQuotesItsArticle(t *testing.T) {
	p, err := Select("liaoning", "", LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.RefusalReasons {
		if r.Code != "not_shared_by_law" {
			continue
		}
		if !strings.Contains(r.Title, "法律、法规、规章依据或者国家和省有关规定") {
			t.Errorf("title %q does not quote 第十二条第二款", r.Title)
		}
		if len(r.LegalBasis) != 1 || r.LegalBasis[0].Article != "第十二条" || r.LegalBasis[0].Paragraph != "第二款" {
			t.Errorf("legal basis %+v, want 第十二条第二款", r.LegalBasis)
		}
		return
	}
	t.Fatal("no not_shared_by_law reason")
}

// 内乡's interface delivery: the 5 working days of 第十三条第二款 cap the extension; the
// request step's own deadline is agreed between the departments (a local default without an
// agreement), so its citation states the 5 days as the extension's, never as a deadline.
func TestNeixiangInterfaceFiveDaysAreTheExtensionCap(t *testing.T) {
	p, err := Select("neixiang", "", LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	s, ok := p.Step(ProcInterfaceExtension, "request")
	if !ok {
		t.Fatal("no interface request step")
	}
	capped := false
	for _, c := range s.LegalBasis {
		if c.Workdays != 0 {
			t.Errorf("the request step cites %s%s with %d working days as a deadline", c.Article, c.Paragraph, c.Workdays)
		}
		capped = capped || (c.Article == "第十三条" && c.Paragraph == "第二款" && c.ExtensionWorkdays == 5)
	}
	if !capped || s.Extension == nil || s.Extension.MaxWorkdays != 5 || !s.Deadline.LocalDefault {
		t.Errorf("request step: citations %+v, extension %+v, deadline local default %v; want 第十三条第二款 capping a 5-day extension of an agreed deadline",
			s.LegalBasis, s.Extension, s.Deadline.LocalDefault)
	}
}

// An extension's cap may be cited as extension_workdays; a deadline only as workdays.
func TestExtensionWorkdaysNeverSupportADeadline(t *testing.T) {
	cs := []Citation{{Document: "d", Article: "第一条", ExtensionWorkdays: 5}}
	if cites(cs, 5) || !citesExtension(cs, 5) {
		t.Error("extension_workdays must support an extension cap only")
	}
}

// 内乡 requires the reasons of a refusal for open data (第四十五条、第四十六条), not for a share
// request (第十二条 has no such rule): the profile asks them only where its text does.
func TestNeixiangRefusalReasonsOnlyWhereTheTextAsks(t *testing.T) {
	p, err := Select("neixiang", "", LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		procedure, step string
		want            []string
	}{
		{ProcShare, "reply", nil},
		{ProcOpenData, "reply", []string{NeedReasons, NeedBasis}},
		{ProcOpenCatalogCorrection, "reply", []string{NeedReasons, NeedBasis}},
	} {
		s, ok := p.Step(c.procedure, c.step)
		if !ok {
			t.Fatalf("no %s/%s step", c.procedure, c.step)
		}
		if !slices.Equal(s.RefusalRequires, c.want) {
			t.Errorf("%s/%s refusal_requires = %v, want %v", c.procedure, c.step, s.RefusalRequires, c.want)
		}
	}
}
