package worker

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/datashare/datashare/activities"
)

// caseFacts name the case a notification is about, as the read model knows it.
type caseFacts struct {
	// procedure is the profile's name of the procedure, e.g. 有条件共享申请.
	procedure string
	requestID string
	// object is what the case concerns: the catalog resource's name, the violation of a
	// rectification notice, the revised law of a catalog update, the year of a report.
	object string
	// party is the name of the department that brought the case (a share request's using
	// department) or that it concerns (the department ordered to rectify); "" for a citizen's
	// case, whose citizen is never named. partyID is its id.
	party, partyID string
	// resourceCode and resourceName are the catalog resource of a case about one (object is
	// then its name); "" otherwise.
	resourceCode, resourceName string
	// purpose is why the case was raised, as a task shows it (see taskFacts).
	purpose string
	// decider is the name of the department that answers a citizen: the data's producer.
	decider string
	// applicantDeptID is the using department of a share request, told of its decision.
	applicantDeptID string
	// citizen is the subject of the citizen whose open-data request or open-catalog correction
	// it is, told of its answer.
	citizen string
	// extensionReason is why an open-data reply was extended, which the applicant is shown.
	extensionReason string
}

// String is the case as every notification names it: 有条件共享申请 SR-1 「市场主体登记基本信息」
// （自治区人力资源和社会保障厅）.
func (c caseFacts) String() string {
	s := strings.TrimSpace(c.procedure + " " + c.requestID)
	if c.object != "" {
		s += " 「" + clip(c.object, 60) + "」"
	}
	if c.party != "" {
		s += "（" + c.party + "）"
	}
	return s
}

// eventFacts are what a notification says of the event itself.
type eventFacts struct {
	// step is the profile's name of the task's step, e.g. 提供部门答复.
	step string
	// due is the task's deadline (the new one after an extension); nil when it has none.
	due *time.Time
	// note is the event's own words where they are meant for the addressee: an urge, the
	// reason of a transfer, of a refusal or of an extension request.
	note string
	// basis is the legal basis a refusal or disagreement gives.
	basis string
	// conditions are the conditions of use an open-data approval sets.
	conditions string
	// workdays is the length of an extension asked for or granted.
	workdays int
	// until is a grant's end of validity, or the end of a refusal's negotiation window.
	until *time.Time
	// version is the catalog version that carries an open-catalog correction.
	version int
	// missing are the items a supplement notice lists.
	missing []string
}

// chinaTime is UTC+8: deadlines are dates in China (Asia/Shanghai has had no daylight saving
// since 1991), and a fixed zone needs no time-zone database on the host.
var chinaTime = time.FixedZone("CST", 8*60*60)

// noticeText is the one line a notification of kind says to its addressee: a title, the case
// and — for a task — its step and deadline, then what the addressee must know of the event.
// kind is a timeline kind, or a side task's kind (supervision, extension). A citizen is told
// what its case's answer says to it, never the producer's own comments.
func noticeText(kind string, to audience, c caseFacts, e eventFacts) string {
	about := c.String()
	step := about
	if e.step != "" {
		if !strings.HasSuffix(about, "）") && !strings.HasSuffix(about, "」") {
			step += " "
		}
		step += e.step
	}
	var s sentence
	task := func(title string) {
		s.head(title, step)
		s.due(e.due)
	}
	switch kind {
	case activities.EventTaskOpened:
		task("新的待办")
	case activities.EventReminded:
		task("待办即将到期")
	case activities.EventOverdue:
		task("待办已逾期")
	case activities.EventLongOverdue:
		task("待办严重逾期")
	case activities.EventUrged:
		task("收到催办")
		s.detail("催办意见", e.note)
	case activities.EventTransferred:
		task("待办已转交给您")
		s.detail("转交说明", e.note)
	case activities.EventProposed:
		task("对方提出协商方案，待您确认")
		s.detail("说明", e.note)
	case activities.TaskKindSupervision:
		s.head("新的督办任务", step)
		s.due(e.due)
		s.clause("已逾期")
	case activities.TaskKindExtension:
		s.head("延期申请待审批", step)
		s.extension("申请延长", e.workdays)
		s.detail("理由", e.note)
	case activities.EventExtensionApproved:
		if to == toCitizen {
			s.head("答复期限已延长", about)
			s.extension("延长", e.workdays)
			s.due(e.due)
			s.detail("延期理由", c.extensionReason)
			break
		}
		s.head("延期申请已批准", step)
		s.extension("延长", e.workdays)
		s.due(e.due)
	case activities.EventExtensionRefused:
		task("延期申请未获批准")
		s.detail("理由", e.note)
	case activities.EventGranted:
		s.head("申请已获批准", about)
		if e.until != nil {
			s.clause("有效期至 " + date(*e.until))
		}
	case activities.EventRefused:
		s.head("申请被拒绝，可在期限内申请协商", about)
		if e.until != nil {
			s.clause("协商申请截止 " + date(*e.until))
		}
		s.detail("理由", e.note)
		s.detail("依据", e.basis)
	case activities.EventSupplementRequested:
		s.head("申请材料需补正", about)
		s.detail("需补充的材料", strings.Join(e.missing, "；"))
		s.detail("说明", e.note)
		s.detail("依据", e.basis)
	case activities.EventRefusalFinal:
		s.head("申请最终未获批准", about)
		s.detail("理由", e.note)
	case activities.EventDataOpened:
		s.head("数据已开放", about)
		s.detail("提供部门", c.decider)
	case activities.EventOpenDataApproved:
		s.head("开放申请已获同意", about)
		s.detail("答复部门", c.decider)
		s.detail("使用条件", e.conditions)
	case activities.EventOpenDataRefused:
		s.head("开放申请未获同意", about)
		s.detail("答复部门", c.decider)
		s.detail("理由", e.note)
		s.detail("依据", e.basis)
	case activities.EventOpenCatalogAgreed:
		s.head("更正申请已获同意", about)
		s.detail("答复部门", c.decider)
	case activities.EventOpenCatalogDisagreed:
		s.head("更正申请未获同意", about)
		s.detail("答复部门", c.decider)
		s.detail("理由", e.note)
		s.detail("依据", e.basis)
	case activities.EventOpenCatalogUpdated:
		s.head("开放目录已更正", about)
		if e.version > 0 {
			s.clause(fmt.Sprintf("见目录第 %d 版", e.version))
		}
	case activities.EventOpenCatalogUpdateRejected:
		s.head("开放目录未予变更", about)
		s.detail("理由", e.note)
	case activities.EventOpenCatalogUpdateFailed:
		// The catalog's refusal is a technical message, not an answer to the citizen.
		s.head("开放目录未能按更正内容变更", about)
	default:
		s.head("通知", step)
	}
	return s.String()
}

// sentence builds a notification's one line: 「title：about，clause。label：detail」.
type sentence struct{ b strings.Builder }

func (s *sentence) head(title, about string) { s.b.WriteString(title + "：" + about) }

func (s *sentence) clause(text string) { s.b.WriteString("，" + text) }

func (s *sentence) due(t *time.Time) {
	if t != nil && !t.IsZero() {
		s.clause("截止 " + date(*t))
	}
}

func (s *sentence) extension(verb string, workdays int) {
	if workdays > 0 {
		s.clause(fmt.Sprintf("%s %d 个工作日", verb, workdays))
	}
}

// detail adds a labelled part, clipped: the notification points to the case, where the full
// text is.
func (s *sentence) detail(label, value string) {
	if v := clip(value, 200); v != "" {
		s.b.WriteString("。" + label + "：" + v)
	}
}

func (s *sentence) String() string { return s.b.String() }

// date is the day of t in China, as deadlines are stated.
func date(t time.Time) string { return t.In(chinaTime).Format(time.DateOnly) }

// clip makes s one line of at most n characters, marking a cut with an ellipsis.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
