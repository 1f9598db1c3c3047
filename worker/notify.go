package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// Notifications (通知) are derived from what the workflows record, so every procedure, and
// every execution already running, gets them without a change to workflow code: a task opened
// or handed over, a reminder, an overdue notice, an urge, a proposal, an extension decided, a
// decision on a request — and, for a citizen, the answer to its open-data request or
// open-catalog correction. Their text names the case from the read model (noticeText).

// audience is a set of those a timeline event is told to.
type audience uint8

const (
	// toTaskPeople: those who act on the task — its assignee when claimed, else its candidate
	// role, and the partner of a shared task; of a proposal, the other side only.
	toTaskPeople audience = 1 << iota
	// toSupervisor: the authority supervising an overdue task (督办).
	toSupervisor
	// toTransferee: the person or department a task was handed over to.
	toTransferee
	// toApplicantDept: the using department of a share request.
	toApplicantDept
	// toCitizen: the citizen whose open-data request or open-catalog correction it is. A
	// citizen has no department, so it is addressed by its subject.
	toCitizen
)

// citizenProcedures are the procedures a citizen starts.
var citizenProcedures = map[string]bool{policy.ProcOpenData: true, policy.ProcOpenCatalogCorrection: true}

// audienceOf is the rule of who is told of an event of kind in procedure; 0 is nobody.
func audienceOf(kind, procedure string) audience {
	switch kind {
	case activities.EventTaskOpened, activities.EventReminded, activities.EventUrged, activities.EventProposed,
		activities.EventExtensionRefused:
		return toTaskPeople
	case activities.EventOverdue, activities.EventLongOverdue:
		return toTaskPeople | toSupervisor
	case activities.EventTransferred:
		return toTransferee
	case activities.EventExtensionApproved:
		// The citizen waits for the reply whose deadline moved.
		if citizenProcedures[procedure] {
			return toTaskPeople | toCitizen
		}
		// The requesting department is told of an extended reply (政务数据共享条例 第二十一条
		// 第一款: 并告知政务数据需求部门).
		if procedure == policy.ProcShare {
			return toTaskPeople | toApplicantDept
		}
		return toTaskPeople
	case activities.EventGranted, activities.EventRefused, activities.EventRefusalFinal,
		activities.EventSupplementRequested:
		// The supplement notice (政务数据共享条例 第二十一条第二款: 一次性告知) tells the using
		// department every missing item; its supplement task opens beside it.
		if procedure == policy.ProcShare {
			return toApplicantDept
		}
	case activities.EventDataOpened, activities.EventOpenDataApproved, activities.EventOpenDataRefused:
		if procedure == policy.ProcOpenData {
			return toCitizen
		}
	case activities.EventOpenCatalogAgreed, activities.EventOpenCatalogDisagreed, activities.EventOpenCatalogUpdated,
		activities.EventOpenCatalogUpdateRejected, activities.EventOpenCatalogUpdateFailed:
		if procedure == policy.ProcOpenCatalogCorrection {
			return toCitizen
		}
	}
	return 0
}

// recipient is a department's role, or a person.
type recipient struct {
	dept, role, subject string
	to                  audience // which audience it belongs to: the text depends on it
}

// notifySideTask tells the candidate of a newly opened supervision or extension task, once.
func (p projection) notifySideTask(ctx context.Context, in activities.ProjectTaskInput) error {
	if (in.Kind != activities.TaskKindSupervision && in.Kind != activities.TaskKindExtension) ||
		in.Status != activities.TaskOpen || in.CandidateDepartmentID == "" {
		return nil
	}
	c, err := p.caseOf(ctx, in.Procedure, in.RequestID)
	if err != nil {
		return err
	}
	e := eventFacts{step: p.stepName(in.Procedure, in.Step)}
	if in.ParentTaskID != "" {
		parent, err := p.store.GetTask(ctx, in.ParentTaskID)
		switch {
		case err == nil:
			e.due = parent.DueAt
		case !errors.Is(err, models.ErrNotFound):
			return err
		}
	}
	if in.Kind == activities.TaskKindExtension {
		if e.workdays, e.note, err = p.extensionAsked(ctx, in.RequestID, in.ParentTaskID); err != nil {
			return err
		}
	}
	_, err = p.store.AppendNotification(ctx, models.Notification{EventKey: "opened>" + in.TaskID, At: in.UpdatedAt,
		DepartmentID: in.CandidateDepartmentID, Role: in.CandidateRole, Kind: in.Kind, Procedure: in.Procedure, Step: in.Step,
		TaskID: in.TaskID, RequestID: in.RequestID, Text: noticeText(in.Kind, toTaskPeople, c, e), DueAt: in.DueAt})
	return rejected(err)
}

// extensionAsked is the length and reason of the last extension asked for on task.
func (p projection) extensionAsked(ctx context.Context, requestID, taskID string) (workdays int, reason string, err error) {
	events, err := p.store.ListTimeline(ctx, requestID)
	if err != nil {
		return 0, "", err
	}
	for i := len(events) - 1; i >= 0; i-- {
		ev := events[i]
		if ev.Kind != activities.EventExtensionAsked || ev.TaskID != taskID {
			continue
		}
		var data map[string]any
		_ = json.Unmarshal([]byte(ev.DataJSON), &data) // without it the text names no length
		return dataInt(data, "workdays"), ev.Text, nil
	}
	return 0, "", nil
}

// notify writes the notifications a timeline event calls for.
func (p projection) notify(ctx context.Context, in activities.AppendTimelineInput) error {
	to := audienceOf(in.Kind, in.Procedure)
	if to == 0 {
		return nil
	}
	var task *models.Task
	if to&(toTaskPeople|toTransferee) != 0 {
		t, err := p.store.GetTask(ctx, in.TaskID)
		switch {
		case err == nil:
			task = t
		case !errors.Is(err, models.ErrNotFound):
			return err
		default: // not projected: nobody acts on it yet
			if to &^= toTaskPeople | toSupervisor; to == 0 {
				return nil
			}
		}
	}
	c, err := p.caseOf(ctx, in.Procedure, in.RequestID)
	if err != nil {
		return err
	}
	var rs []recipient
	if to&toTaskPeople != 0 && task != nil {
		rs = append(rs, taskParties(task, in)...)
	}
	if to&toSupervisor != 0 {
		s, err := p.store.GetTask(ctx, in.TaskID+"/supervision")
		switch {
		case err == nil:
			rs = append(rs, recipient{dept: s.CandidateDepartmentID, role: s.CandidateRole, to: toSupervisor})
		case !errors.Is(err, models.ErrNotFound):
			return err
		}
	}
	if to&toTransferee != 0 {
		subject, _ := in.Data["to_subject"].(string)
		dept, _ := in.Data["to_department_id"].(string)
		switch {
		case subject != "":
			rs = append(rs, recipient{subject: subject, to: toTransferee})
		case dept != "" && task != nil:
			rs = append(rs, recipient{dept: dept, role: task.CandidateRole, to: toTransferee})
		}
	}
	if to&toApplicantDept != 0 && c.applicantDeptID != "" {
		rs = append(rs, recipient{dept: c.applicantDeptID, role: models.RoleApplicant, to: toApplicantDept})
	}
	if to&toCitizen != 0 && c.citizen != "" {
		rs = append(rs, recipient{subject: c.citizen, to: toCitizen})
	}
	e := eventFacts{step: p.stepName(in.Procedure, in.Step), note: in.Text, basis: dataString(in.Data, "legal_basis"),
		conditions: dataString(in.Data, "conditions"), workdays: dataInt(in.Data, "workdays"), version: dataInt(in.Data, "version")}
	if task != nil {
		e.due = task.DueAt
	}
	if e.due == nil {
		e.due = dataTime(in.Data, "due_at")
	}
	switch in.Kind {
	case activities.EventGranted:
		e.until = dataTime(in.Data, "valid_until")
	case activities.EventRefused:
		e.until = dataTime(in.Data, "negotiation_until")
	case activities.EventSupplementRequested:
		e.missing = dataStrings(in.Data, contract.FieldMissing)
		e.basis = strings.Join(dataStrings(in.Data, "legal_basis"), "；")
	}
	for i, r := range rs {
		n := models.Notification{EventKey: fmt.Sprintf("%s>%d", in.EventID, i), At: in.At, DepartmentID: r.dept, Role: r.role,
			Subject: r.subject, Kind: in.Kind, Procedure: in.Procedure, Step: in.Step, TaskID: in.TaskID, RequestID: in.RequestID,
			Text: noticeText(in.Kind, r.to, c, e)}
		switch {
		case r.to == toCitizen:
			// A citizen acts on no task and may not read the producer's: it follows its case.
			n.TaskID = ""
		case task != nil:
			n.DueAt = task.DueAt
		}
		if _, err := p.store.AppendNotification(ctx, n); err != nil {
			return rejected(err)
		}
	}
	return nil
}

// taskParties are who acts on a task: its assignee when claimed, else its candidate role, and
// the partner of a shared task — except the party that caused the event (a proposal goes to
// the other side only).
func taskParties(t *models.Task, in activities.AppendTimelineInput) []recipient {
	var out []recipient
	if t.Assignee != "" {
		out = append(out, recipient{subject: t.Assignee, to: toTaskPeople})
	} else if t.CandidateDepartmentID != "" {
		out = append(out, recipient{dept: t.CandidateDepartmentID, role: t.CandidateRole, to: toTaskPeople})
	}
	if t.PartnerDepartmentID != "" {
		out = append(out, recipient{dept: t.PartnerDepartmentID, role: t.PartnerRole, to: toTaskPeople})
	}
	if in.Kind != activities.EventProposed {
		return out
	}
	var others []recipient
	for _, r := range out {
		if r.dept != in.DepartmentID {
			others = append(others, r)
		}
	}
	return others
}

// procedureNames name the procedures whose profile does not: every profile names those it has.
var procedureNames = map[string]string{
	policy.ProcShare: "有条件共享申请", policy.ProcCatalogUpdate: "目录更新", policy.ProcCorrection: "数据校核纠错",
	policy.ProcOpenData: "有条件开放申请", policy.ProcOpenCatalogCorrection: "开放目录更正",
	policy.ProcInterfaceExtension: "接口延期", policy.ProcRectification: "限期整改", policy.ProcAnnualReport: "年度报告",
}

func (p projection) procedureName(code string) string {
	if pr, ok := p.policy.Procedure(code); ok && pr.Name != "" {
		return pr.Name
	}
	if n, ok := procedureNames[code]; ok {
		return n
	}
	return code
}

// stepName is the profile's name of a step, or its code where the profile has none.
func (p projection) stepName(procedure, step string) string {
	if s, ok := p.policy.Step(procedure, step); ok && s.Name != "" {
		return s.Name
	}
	return step
}

// caseOf names the case of a notification from the read model. A case not projected yet is
// named by its procedure and id alone.
func (p projection) caseOf(ctx context.Context, procedure, requestID string) (caseFacts, error) {
	c := caseFacts{procedure: p.procedureName(procedure), requestID: requestID}
	if requestID == "" {
		return c, nil
	}
	var err error
	var deciderID string
	switch procedure {
	case policy.ProcShare:
		var r *models.ShareRequest
		if r, err = p.store.GetShareRequest(ctx, requestID); err == nil {
			c.object, c.partyID, c.applicantDeptID = r.ResourceName, r.ApplicantDeptID, r.ApplicantDeptID
			var form contract.ShareForm
			if err = json.Unmarshal([]byte(r.FormJSON), &form); err != nil {
				return c, fmt.Errorf("share request %s: form: %w", requestID, err)
			}
			c.resourceCode, c.resourceName, c.purpose = r.ResourceCode, r.ResourceName, form.Purpose
		}
	case policy.ProcCorrection:
		var r *models.Correction
		if r, err = p.store.GetCorrection(ctx, requestID); err == nil {
			var form contract.CorrectionForm
			if err = json.Unmarshal([]byte(r.FormJSON), &form); err != nil {
				return c, fmt.Errorf("correction %s: form: %w", requestID, err)
			}
			c.object, c.partyID = r.ResourceName, r.ReporterDeptID
			c.resourceCode, c.resourceName, c.purpose = r.ResourceCode, r.ResourceName, correctionProblem(form)
		}
	case policy.ProcOpenData:
		var r *models.OpenDataRequest
		if r, err = p.store.GetOpenDataRequest(ctx, requestID); err == nil {
			c.object, c.citizen, deciderID, c.extensionReason = r.ResourceName, r.ApplicantSubject, r.ProviderDeptID, r.ExtensionReason
			var form contract.OpenDataForm
			if err = json.Unmarshal([]byte(r.FormJSON), &form); err != nil {
				return c, fmt.Errorf("open-data request %s: form: %w", requestID, err)
			}
			c.resourceCode, c.resourceName, c.purpose = r.ResourceCode, r.ResourceName, form.Purpose
		}
	case policy.ProcOpenCatalogCorrection:
		// The citizen's reason; the field and the values are on the correction.
		var r *models.OpenCatalogCorrection
		if r, err = p.store.GetOpenCatalogCorrection(ctx, requestID); err == nil {
			var form contract.OpenCatalogCorrectionForm
			if err = json.Unmarshal([]byte(r.FormJSON), &form); err != nil {
				return c, fmt.Errorf("open-catalog correction %s: form: %w", requestID, err)
			}
			c.object, c.citizen, deciderID = r.ResourceName, r.CitizenSubject, r.ProviderDeptID
			c.resourceCode, c.resourceName, c.purpose = r.ResourceCode, r.ResourceName, form.Reason
		}
	case policy.ProcCatalogUpdate:
		// An update spans several resources: it is about the law or decision that triggered it.
		var r *models.CatalogUpdate
		if r, err = p.store.GetCatalogUpdate(ctx, requestID); err == nil {
			var form contract.CatalogUpdateForm
			if err = json.Unmarshal([]byte(r.FormJSON), &form); err != nil {
				return c, fmt.Errorf("catalog update %s: form: %w", requestID, err)
			}
			c.object, c.partyID, c.purpose = form.Basis, r.DepartmentID, form.Basis
			if name := triggerNames[form.Trigger]; name != "" {
				c.purpose = name + "：" + form.Basis
			}
		}
	case policy.ProcRectification:
		// The ordered department reports its rectification, which the authority reviews.
		var r *models.Rectification
		if r, err = p.store.GetRectification(ctx, requestID); err == nil {
			var form contract.RectificationForm
			if err = json.Unmarshal([]byte(r.FormJSON), &form); err != nil {
				return c, fmt.Errorf("rectification %s: form: %w", requestID, err)
			}
			c.object, c.partyID, c.purpose = r.ViolationTitle, r.DepartmentID, r.ViolationTitle
			if strings.TrimSpace(form.Description) != "" {
				c.purpose += "：" + form.Description
			}
		}
	case policy.ProcInterfaceExtension:
		// The department delivers the interface, or applies for more time.
		var r *models.InterfaceRequirement
		if r, err = p.store.GetInterfaceRequirement(ctx, requestID); err == nil {
			var form contract.InterfaceRequirementForm
			if err = json.Unmarshal([]byte(r.FormJSON), &form); err != nil {
				return c, fmt.Errorf("interface requirement %s: form: %w", requestID, err)
			}
			c.object, c.partyID, c.purpose = form.Description, r.DepartmentID, form.Description
		}
	case policy.ProcAnnualReport:
		// AR-<year>-<department>: the id says all there is to name. A report has no purpose
		// of its own: the regulation requires it every year.
		if year, dept, ok := strings.Cut(strings.TrimPrefix(requestID, "AR-"), "-"); ok && strings.HasPrefix(requestID, "AR-") {
			c.object, c.partyID = year+"年度", dept
		}
	}
	switch {
	case errors.Is(err, models.ErrNotFound):
		return c, nil
	case err != nil:
		return caseFacts{}, err
	}
	if c.party, err = p.departmentName(ctx, c.partyID); err != nil {
		return caseFacts{}, err
	}
	if c.decider, err = p.departmentName(ctx, deciderID); err != nil {
		return caseFacts{}, err
	}
	return c, nil
}

// departmentName is the department's name, or its id when it is not in the directory.
func (p projection) departmentName(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	d, err := p.store.GetDepartment(ctx, id)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return id, nil
	case err != nil:
		return "", err
	}
	return d.Name, nil
}

// dataString is a text of an event's data; "" when absent or not text.
func dataString(data map[string]any, key string) string {
	s, _ := data[key].(string)
	return s
}

// dataStrings is a list of text of an event's data: []any after JSON, []string when called
// directly; items that are not text are left out.
func dataStrings(data map[string]any, key string) []string {
	switch v := data[key].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// dataInt is a number of an event's data: float64 after JSON, an integer when called directly.
func dataInt(data map[string]any, key string) int {
	switch v := data[key].(type) {
	case float64:
		return int(v)
	case int:
		return v
	case int64:
		return int(v)
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}

// dataTime is an instant of an event's data: RFC 3339 text after JSON, a time when called
// directly; nil when absent.
func dataTime(data map[string]any, key string) *time.Time {
	switch v := data[key].(type) {
	case time.Time:
		if !v.IsZero() {
			return &v
		}
	case *time.Time:
		if v != nil && !v.IsZero() {
			return v
		}
	case string:
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil && !t.IsZero() {
			return &t
		}
	}
	return nil
}
