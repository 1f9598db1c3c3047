package worker

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
	"github.com/datashare/datashare/workflows/contract"
)

// The rule of who hears of what: the task's people of its events, the supervising authority
// of an overdue task, the using department of a share request's decision, the citizen of the
// answer to its own case — and nobody of a comment or of another procedure's decision kinds.
func TestAudienceOf(t *testing.T) {
	for _, c := range []struct {
		kind, procedure string
		want            audience
	}{
		{activities.EventTaskOpened, "share", toTaskPeople},
		{activities.EventReminded, "correction", toTaskPeople},
		{activities.EventUrged, "open_data", toTaskPeople},
		{activities.EventProposed, "share", toTaskPeople},
		{activities.EventOverdue, "share", toTaskPeople | toSupervisor},
		{activities.EventLongOverdue, "open_data", toTaskPeople | toSupervisor},
		{activities.EventTransferred, "share", toTransferee},
		{activities.EventExtensionRefused, "open_data", toTaskPeople},
		{activities.EventExtensionApproved, "share", toTaskPeople | toApplicantDept},
		{activities.EventExtensionApproved, "catalog_update", toTaskPeople},
		{activities.EventExtensionApproved, "open_data", toTaskPeople | toCitizen},
		{activities.EventExtensionApproved, "open_catalog_correction", toTaskPeople | toCitizen},
		{activities.EventGranted, "share", toApplicantDept},
		{activities.EventRefused, "share", toApplicantDept},
		{activities.EventRefusalFinal, "share", toApplicantDept},
		{activities.EventSupplementRequested, "share", toApplicantDept},
		{activities.EventGranted, "correction", 0},
		{activities.EventDataOpened, "open_data", toCitizen},
		{activities.EventOpenDataApproved, "open_data", toCitizen},
		{activities.EventOpenDataRefused, "open_data", toCitizen},
		{activities.EventOpenDataApproved, "share", 0},
		{activities.EventOpenCatalogAgreed, "open_catalog_correction", toCitizen},
		{activities.EventOpenCatalogDisagreed, "open_catalog_correction", toCitizen},
		{activities.EventOpenCatalogUpdated, "open_catalog_correction", toCitizen},
		{activities.EventOpenCatalogUpdateRejected, "open_catalog_correction", toCitizen},
		{activities.EventOpenCatalogUpdateFailed, "open_catalog_correction", toCitizen},
		{activities.EventCommented, "open_data", 0},
		{activities.EventCompleted, "open_data", 0},
		{activities.EventSubmitted, "open_data", 0},
		{activities.EventWithdrawn, "open_data", 0},
		{activities.EventExtensionAsked, "open_data", 0}, // the approval task announces it
	} {
		if got := audienceOf(c.kind, c.procedure); got != c.want {
			t.Errorf("audienceOf(%s, %s) = %b, want %b", c.kind, c.procedure, got, c.want)
		}
	}
}

// notifyFixture is a read model under neixiang with a share request, a citizen's open-data
// request and open-catalog correction, and the share request's reply task.
type notifyFixture struct {
	a   *activities.Activities
	st  *models.Store
	ctx context.Context
	seq int
}

const (
	fixtureResource = "市场主体登记基本信息"
	fixtureOpenData = "食品生产经营许可及监督检查结果"
)

func newNotifyFixture(t *testing.T) *notifyFixture {
	t.Helper()
	db := modelstest.NewSQLite(t)
	ctx := context.Background()
	if _, err := models.SeedDemoProfile(ctx, db, "neixiang"); err != nil {
		t.Fatal(err)
	}
	prof, err := policy.Select("neixiang", "", policy.BuiltinLocalDefaults())
	if err != nil {
		t.Fatal(err)
	}
	st := models.NewStore(db)
	f := &notifyFixture{a: &activities.Activities{Store: projection{store: st, policy: prof}}, st: st, ctx: ctx}
	at := cst("2026-12-07T09:00:00+08:00")
	if err := (shareProjection{store: st}).SaveShareRequest(ctx, activities.ProjectShareRequestInput{
		ID: "SR-7", Revision: 1, WorkflowID: "share-request-SR-7", ResourceID: 1, ResourceCode: "NEIXIANG-SCJG-0001",
		ResourceName: fixtureResource, ApplicantDeptID: "neixiang-rsj", ApplicantSubject: "demo-applicant",
		ProviderDeptID: "neixiang-scjg", DecidingDeptID: "neixiang-authority",
		Form: map[string]any{"purpose": "p", "scope": "s", "requested_validity_days": 30}, Status: "pending", CurrentStep: "reply", CreatedAt: at, UpdatedAt: at,
	}); err != nil {
		t.Fatal(err)
	}
	if err := (openDataProjection{store: st}).SaveOpenDataRequest(ctx, activities.ProjectOpenDataRequestInput{
		ID: "OD-7", Revision: 1, WorkflowID: "open-data-OD-7", ResourceID: 4, ResourceCode: "NEIXIANG-SCJG-0004",
		ResourceName: fixtureOpenData, OpenType: "conditional", ApplicantSubject: "demo-citizen", ProviderDeptID: "neixiang-scjg",
		Status: "pending", CurrentStep: "reply", ExtensionWorkdays: 5, ExtensionReason: "需调取全部年报并脱敏",
		CreatedAt: at, UpdatedAt: at,
	}); err != nil {
		t.Fatal(err)
	}
	if err := (openCatalogProjection{store: st}).SaveOpenCatalogCorrection(ctx, activities.ProjectOpenCatalogCorrectionInput{
		ID: "OC-7", Revision: 1, WorkflowID: "open-catalog-correction-OC-7", ResourceID: 1, ResourceCode: "NEIXIANG-SCJG-0001",
		ResourceName: fixtureResource, ProviderDeptID: "neixiang-scjg", CitizenSubject: "citizen-zhou",
		Form:         contract.OpenCatalogCorrectionForm{Field: "update_frequency", ProposedValue: "每日", Reason: "r"},
		CurrentValue: "实时", Status: "replying", CurrentStep: "reply", CreatedAt: at, UpdatedAt: at,
	}); err != nil {
		t.Fatal(err)
	}
	due := cst("2026-12-21T23:59:59+08:00")
	task := activities.ProjectTaskInput{
		TaskID: "share-request-SR-7/reply/1", Revision: 1, Kind: activities.TaskKindStep, WorkflowID: "share-request-SR-7",
		RequestID: "SR-7", Procedure: "share", Step: "reply", CandidateDepartmentID: "neixiang-authority", CandidateRole: "authority",
		Status: activities.TaskOpen, ReceivedAt: at, DueAt: &due, UpdatedAt: at,
	}
	if _, err := f.a.ProjectTask(ctx, task); err != nil {
		t.Fatal(err)
	}
	return f
}

// event appends a timeline event of a case's task and returns its id.
func (f *notifyFixture) event(t *testing.T, procedure, requestID, taskID, kind, text string, data map[string]any) string {
	t.Helper()
	f.seq++
	in := activities.AppendTimelineInput{EventID: fmt.Sprintf("%s#%d", taskID, f.seq), Seq: f.seq, TaskID: taskID,
		WorkflowID: procedure + "-" + requestID, RequestID: requestID, Procedure: procedure, Step: "reply", Kind: kind,
		At: cst("2026-12-08T10:00:00+08:00"), Actor: "someone", DepartmentID: "neixiang-scjg", Text: text, Data: data}
	if _, err := f.a.AppendTimeline(f.ctx, in); err != nil {
		t.Fatal(err)
	}
	return in.EventID
}

// all is every stored notification, oldest first.
func (f *notifyFixture) all(t *testing.T) []models.Notification {
	t.Helper()
	var out []models.Notification
	for _, who := range []models.NotificationFilter{
		{DepartmentID: "neixiang-authority", Roles: []string{"authority", "dept_head"}, Subject: "x"},
		{DepartmentID: "neixiang-rsj", Roles: []string{"applicant"}, Subject: "x"},
		{DepartmentID: "neixiang-scjg", Roles: []string{"approver", "dept_head"}, Subject: "x"},
		{Subject: "demo-approver"}, {Subject: "demo-citizen"}, {Subject: "citizen-zhou"},
	} {
		who.Limit = 100
		items, _, _, err := f.st.ListNotifications(f.ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range items {
			out = append(out, n.Notification)
		}
	}
	slices.SortFunc(out, func(a, b models.Notification) int { return int(a.ID - b.ID) })
	return slices.CompactFunc(out, func(a, b models.Notification) bool { return a.ID == b.ID })
}

// Every kind of notification names its case — the procedure as the profile names it, the
// request's id and the resource — and the task's step and deadline where there is a task.
func TestNotificationTextsNameTheCase(t *testing.T) {
	f := newNotifyFixture(t)
	ctx := f.ctx
	task := "share-request-SR-7/reply/1"
	// Side tasks: the supervision of the overdue reply, and the approval of an extension.
	sup := activities.ProjectTaskInput{TaskID: task + "/supervision", Revision: 2, Kind: activities.TaskKindSupervision,
		ParentTaskID: task, WorkflowID: "share-request-SR-7", RequestID: "SR-7", Procedure: "share", Step: "reply",
		CandidateDepartmentID: "neixiang-authority", CandidateRole: "authority", Status: activities.TaskOpen,
		ReceivedAt: cst("2026-12-22T00:00:00+08:00"), UpdatedAt: cst("2026-12-22T00:00:00+08:00")}
	f.event(t, "share", "SR-7", task, activities.EventExtensionAsked, "需会同生产部门核实", map[string]any{"workdays": 5})
	ext := sup
	ext.TaskID, ext.Kind, ext.CandidateDepartmentID, ext.CandidateRole = task+"/extension/1", activities.TaskKindExtension, "neixiang-authority", "dept_head"
	for _, in := range []activities.ProjectTaskInput{sup, ext} {
		if _, err := f.a.ProjectTask(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	share := []struct {
		kind, text string
		data       map[string]any
	}{
		{activities.EventTaskOpened, "", nil},
		{activities.EventReminded, "", map[string]any{"workdays_before": 2}},
		{activities.EventOverdue, "", nil},
		{activities.EventLongOverdue, "", nil},
		{activities.EventUrged, "请尽快答复", nil},
		{activities.EventTransferred, "由专人办理", map[string]any{"to_subject": "demo-approver"}},
		{activities.EventProposed, "按姓名核验", nil},
		{activities.EventExtensionApproved, "", map[string]any{"workdays": 5.0, "due_at": "2026-12-28T23:59:59+08:00"}},
		{activities.EventExtensionRefused, "材料已齐备", nil},
		{activities.EventGranted, "", map[string]any{"valid_until": "2027-01-07T10:00:00+08:00"}},
		{activities.EventRefused, "超出履职需要", map[string]any{"legal_basis": "第十二条", "negotiation_until": "2026-12-15T23:59:59+08:00"}},
		{activities.EventRefusalFinal, "协调未果", nil},
		{activities.EventSupplementRequested, "", map[string]any{"missing": []any{"营业执照副本", "数据安全保障承诺书"},
			"legal_basis": []any{"《政务数据共享条例》第二十一条第二款"}}},
	}
	for _, e := range share {
		f.event(t, "share", "SR-7", task, e.kind, e.text, e.data)
	}
	od, oc := "open-data-OD-7/request", "open-catalog-correction-OC-7/open-catalog-correction"
	f.event(t, "open_data", "OD-7", od, activities.EventDataOpened, "", nil)
	f.event(t, "open_data", "OD-7", od, activities.EventOpenDataApproved, "内部：负责人口头同意", map[string]any{"conditions": "仅限学术研究"})
	f.event(t, "open_data", "OD-7", od, activities.EventOpenDataRefused, "涉及商业秘密", map[string]any{"legal_basis": "《数据安全法》第三十八条"})
	for _, k := range []string{activities.EventOpenCatalogAgreed, activities.EventOpenCatalogDisagreed, activities.EventOpenCatalogUpdated,
		activities.EventOpenCatalogUpdateRejected, activities.EventOpenCatalogUpdateFailed} {
		f.event(t, "open_catalog_correction", "OC-7", oc, k, "理由"+k, map[string]any{"legal_basis": "第四十五条", "version": 3.0})
	}

	got := map[string]bool{}
	for _, n := range f.all(t) {
		got[n.Kind] = true
		if !strings.Contains(n.Text, n.RequestID) || !strings.Contains(n.Text, "「") || strings.HasSuffix(n.Text, "：") {
			t.Errorf("%s to %s%s: %q does not name its case", n.Kind, n.DepartmentID, n.Subject, n.Text)
		}
		name := fixtureResource
		if n.RequestID == "OD-7" {
			name = fixtureOpenData
		}
		if !strings.Contains(n.Text, "「"+name+"」") {
			t.Errorf("%s: %q does not name the resource %s", n.Kind, n.Text, name)
		}
	}
	for _, k := range []string{activities.TaskKindSupervision, activities.TaskKindExtension, activities.EventDataOpened,
		activities.EventOpenDataApproved, activities.EventOpenDataRefused, activities.EventOpenCatalogAgreed,
		activities.EventOpenCatalogDisagreed, activities.EventOpenCatalogUpdated, activities.EventOpenCatalogUpdateRejected,
		activities.EventOpenCatalogUpdateFailed} {
		if !got[k] {
			t.Errorf("no %s notification", k)
		}
	}
	for _, e := range share {
		if !got[e.kind] {
			t.Errorf("no %s notification", e.kind)
		}
	}

	// The texts in full, as docs/api.md shows them.
	const (
		sr = "数据共享应用申请 SR-7 「市场主体登记基本信息」（内乡县人力资源和社会保障局）"
		st = sr + "数据主管部门审查并作出是否共享的决定"
	)
	want := map[string]string{
		activities.EventTaskOpened:        "新的待办：" + st + "，截止 2026-12-21",
		activities.EventReminded:          "待办即将到期：" + st + "，截止 2026-12-21",
		activities.EventOverdue:           "待办已逾期：" + st + "，截止 2026-12-21",
		activities.EventUrged:             "收到催办：" + st + "，截止 2026-12-21。催办意见：请尽快答复",
		activities.EventTransferred:       "待办已转交给您：" + st + "，截止 2026-12-21。转交说明：由专人办理",
		activities.EventProposed:          "对方提出协商方案，待您确认：" + st + "，截止 2026-12-21。说明：按姓名核验",
		activities.TaskKindSupervision:    "新的督办任务：" + st + "，截止 2026-12-21，已逾期",
		activities.TaskKindExtension:      "延期申请待审批：" + st + "，申请延长 5 个工作日。理由：需会同生产部门核实",
		activities.EventExtensionApproved: "延期申请已批准：" + st + "，延长 5 个工作日，截止 2026-12-21",
		activities.EventExtensionRefused:  "延期申请未获批准：" + st + "，截止 2026-12-21。理由：材料已齐备",
		activities.EventGranted:           "申请已获批准：" + sr + "，有效期至 2027-01-07",
		activities.EventRefused:           "申请被拒绝，可在期限内申请协商：" + sr + "，协商申请截止 2026-12-15。理由：超出履职需要。依据：第十二条",
		activities.EventRefusalFinal:      "申请最终未获批准：" + sr + "。理由：协调未果",
		activities.EventSupplementRequested: "申请材料需补正：" + sr + "。需补充的材料：营业执照副本；数据安全保障承诺书。" +
			"依据：《政务数据共享条例》第二十一条第二款",
		activities.EventDataOpened:         "数据已开放：有条件开放申请 OD-7 「食品生产经营许可及监督检查结果」。提供部门：内乡县市场监督管理局",
		activities.EventOpenDataApproved:   "开放申请已获同意：有条件开放申请 OD-7 「食品生产经营许可及监督检查结果」。答复部门：内乡县市场监督管理局。使用条件：仅限学术研究",
		activities.EventOpenDataRefused:    "开放申请未获同意：有条件开放申请 OD-7 「食品生产经营许可及监督检查结果」。答复部门：内乡县市场监督管理局。理由：涉及商业秘密。依据：《数据安全法》第三十八条",
		activities.EventOpenCatalogUpdated: "开放目录已更正：开放目录更正申请 OC-7 「市场主体登记基本信息」，见目录第 3 版",
		activities.EventOpenCatalogDisagreed: "更正申请未获同意：开放目录更正申请 OC-7 「市场主体登记基本信息」。答复部门：内乡县市场监督管理局。" +
			"理由：理由open_catalog_disagreed。依据：第四十五条",
	}
	for _, n := range f.all(t) {
		if w, ok := want[n.Kind]; ok && n.Text != w {
			t.Errorf("%s to %s%s:\n got %s\nwant %s", n.Kind, n.DepartmentID, n.Subject, n.Text, w)
		}
	}
}

// The citizen hears of the answer to its own open-data request and open-catalog correction,
// by its subject; another citizen hears nothing, and the producer's own comment on its
// approval stays out of the citizen's text.
func TestCitizenNotifications(t *testing.T) {
	f := newNotifyFixture(t)
	od, oc := "open-data-OD-7/request", "open-catalog-correction-OC-7/open-catalog-correction"
	f.event(t, "open_data", "OD-7", od, activities.EventOpenDataApproved, "内部备注：已电话核实申请人", map[string]any{"conditions": "仅限学术研究"})
	f.event(t, "open_data", "OD-7", od, activities.EventOpenDataRefused, "涉及商业秘密", map[string]any{"legal_basis": "第四十六条"})
	f.event(t, "open_data", "OD-7", od, activities.EventExtensionApproved, "负责人同意", map[string]any{"workdays": 5.0, "due_at": "2026-12-28T23:59:59+08:00"})
	f.event(t, "open_catalog_correction", "OC-7", oc, activities.EventOpenCatalogAgreed, "内部备注：同意", nil)
	list := func(subject string) []string {
		items, _, unread, err := f.st.ListNotifications(f.ctx, models.NotificationFilter{Subject: subject})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range items {
			if n.DepartmentID != "" || n.Role != "" || n.TaskID != "" {
				t.Errorf("a citizen's notification addressed to a department or pointing to a task: %+v", n)
			}
			out = append(out, n.Kind+" "+n.Text)
		}
		if int(unread) != len(out) {
			t.Errorf("%s: unread %d of %d", subject, unread, len(out))
		}
		return out
	}
	mine := list("demo-citizen")
	want := []string{
		"extension_approved 答复期限已延长：有条件开放申请 OD-7 「食品生产经营许可及监督检查结果」，延长 5 个工作日，截止 2026-12-28。延期理由：需调取全部年报并脱敏",
		"open_data_refused 开放申请未获同意：有条件开放申请 OD-7 「食品生产经营许可及监督检查结果」。答复部门：内乡县市场监督管理局。理由：涉及商业秘密。依据：第四十六条",
		"open_data_approved 开放申请已获同意：有条件开放申请 OD-7 「食品生产经营许可及监督检查结果」。答复部门：内乡县市场监督管理局。使用条件：仅限学术研究",
	}
	if !slices.Equal(mine, want) {
		t.Errorf("the applicant's notifications:\n got %q\nwant %q", mine, want)
	}
	if other := list("citizen-zhou"); len(other) != 1 || !strings.HasPrefix(other[0], "open_catalog_agreed 更正申请已获同意：开放目录更正申请 OC-7") {
		t.Errorf("the other citizen's notifications = %q, want its own correction's only", other)
	}
	for _, n := range append(mine, list("citizen-zhou")...) {
		if strings.Contains(n, "内部备注") || strings.Contains(n, "负责人同意") {
			t.Errorf("a producer's note in a citizen's notification: %s", n)
		}
	}
	if got := list("citizen-li"); len(got) != 0 {
		t.Errorf("a third citizen is told %q", got)
	}
}

// The other procedures are named from their rows too: a correction by its resource and the
// reporting department, a rectification by its violation, a catalog update by its law, an
// interface requirement by its description, an annual report by its year; a case not
// projected yet by its procedure and id alone.
func TestCaseOfEveryProcedure(t *testing.T) {
	f := newNotifyFixture(t)
	ctx, st := f.ctx, f.st
	at := cst("2026-12-07T09:00:00+08:00")
	if _, err := st.UpsertCorrection(ctx, models.Correction{ID: "CR-1", Revision: 1, WorkflowID: "correction-CR-1",
		ResourceName: fixtureResource, ReporterDeptID: "neixiang-rsj", ProviderDeptID: "neixiang-scjg",
		Status: models.CorrectionVerifying, CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertRectification(ctx, models.Rectification{ID: "RC-1", Revision: 1, WorkflowID: "rectification-RC-1",
		DepartmentID: "neixiang-scjg", AuthorityDeptID: "neixiang-authority", ViolationCode: "catalog_not_maintained",
		ViolationTitle: "未按照要求编制或者更新目录", Status: models.RectificationIssued, Workdays: 5, CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertCatalogUpdate(ctx, models.CatalogUpdate{ID: "CU-1", Revision: 1, WorkflowID: "catalog-update-CU-1",
		DepartmentID: "neixiang-scjg", FormJSON: `{"trigger":"law_revised","basis":"《食品安全法》修正","changed_on":"2026-12-01"}`,
		Status: models.CatalogUpdateUpdating, CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertInterfaceRequirement(ctx, models.InterfaceRequirement{ID: "IR-1", Revision: 1, WorkflowID: "interface-IR-1",
		DepartmentID: "neixiang-scjg", AuthorityDeptID: "neixiang-authority",
		FormJSON: `{"description":"市场主体登记信息核验接口","agreed_due":"2026-12-31"}`, Status: models.InterfaceRequired, CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	p := f.a.Store.(projection)
	for _, c := range []struct{ procedure, id, want string }{
		{"correction", "CR-1", "数据纠错 CR-1 「市场主体登记基本信息」（内乡县人力资源和社会保障局）"},
		{"rectification", "RC-1", "通知整改 RC-1 「未按照要求编制或者更新目录」（内乡县市场监督管理局）"},
		{"catalog_update", "CU-1", "目录更新 CU-1 「《食品安全法》修正」（内乡县市场监督管理局）"},
		{"interface_extension", "IR-1", "服务接口延期提供 IR-1 「市场主体登记信息核验接口」（内乡县市场监督管理局）"},
		{"annual_report", "AR-2026-neixiang-scjg", "年度政务数据管理情况报告 AR-2026-neixiang-scjg 「2026年度」（内乡县市场监督管理局）"},
		{"share", "SR-404", "数据共享应用申请 SR-404"},
	} {
		got, err := p.caseOf(ctx, c.procedure, c.id)
		if err != nil || got.String() != c.want {
			t.Errorf("caseOf(%s, %s) = %q, %v; want %q", c.procedure, c.id, got.String(), err, c.want)
		}
	}
}
