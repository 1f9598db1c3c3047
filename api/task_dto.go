package api

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/datashare/datashare/models"
)

// localDefaultNote is shown with a deadline that no regulation sets (docs/regulations.md).
const localDefaultNote = "local default, no statutory deadline"

// DecisionView is one decision a task allows and the fields /complete needs with it, so a UI
// can render the form.
type DecisionView struct {
	Code           string   `json:"code"`
	RequiredFields []string `json:"required_fields"`
	// OptionalFields are the fields the decision takes without requiring them, e.g. a grant's
	// conditions of use; /complete refuses any field neither list (nor Choices) names.
	OptionalFields []string `json:"optional_fields,omitempty"`
	// Choices lists the values a field may take: a refusal's reason_code comes from the
	// refusal reason catalogue (GET /api/v1/policy, refusal_reasons, has their titles).
	Choices map[string][]string `json:"choices,omitempty"`
}

// TaskView is a human task (待办) as the inbox shows it.
type TaskView struct {
	// ID is the task's id in its URL-safe form: the internal id with every "/" written "~",
	// e.g. share-request-SR-20260312093000-1a2b3c4d5e~reply~1, so that it goes into a path as
	// it is. Task ids never hold "~" otherwise, so the form is unambiguous; every route taking a
	// task id also accepts the older form with slashes, escaped as %2F.
	ID   string `json:"id"`
	Kind string `json:"kind"` // step, supervision (督办) or extension (延期审批)
	// ParentTaskID is the task a supervision or extension task is about (URL-safe, as ID).
	ParentTaskID string `json:"parent_task_id,omitempty"`
	// Title is one line a list can show: what the task is about, the applicant department and
	// the procedure in the words of the profile in force, those known, e.g.
	// 「市场主体登记基本信息 · 人社局 · 有条件共享申请」; a supervision task starts 「督办：」, an
	// extension approval 「延期审批：」.
	Title string `json:"title"`
	// ResourceCode and ResourceName are the catalog resource the request is about, as named
	// when it was made: share requests, corrections, open-data requests and open-catalog
	// corrections. "" for catalog updates (several resources), rectifications, interface
	// requirements and annual reports.
	ResourceCode string `json:"resource_code"`
	ResourceName string `json:"resource_name"`
	// ApplicantDepartmentID and ApplicantDepartmentName are the department whose submission
	// the procedure decides on: a share request's applicant, a correction's reporter, the
	// department updating its catalog, the department ordered to rectify (it reports its
	// rectification), the department required to deliver an interface (it may apply for more
	// time), the department filing an annual report. "" for a citizen's request (open data,
	// open-catalog correction). The name is the directory's when the task was last projected,
	// or the id when the directory lacks the department.
	ApplicantDepartmentID   string `json:"applicant_department_id"`
	ApplicantDepartmentName string `json:"applicant_department_name"`
	// Purpose is why the matter was raised: a share or open-data request's stated purpose, a
	// correction's description (or, without one, the fields it names), a catalog update's
	// trigger and law, an open-catalog correction's reason, a rectification's violation and
	// description, the interface an interface requirement asks for. "" for annual reports,
	// which the regulation requires every year.
	Purpose               string `json:"purpose"`
	RequestID             string `json:"request_id"`
	Procedure             string `json:"procedure"`
	Step                  string `json:"step"`
	CandidateDepartmentID string `json:"candidate_department_id"`
	CandidateRole         string `json:"candidate_role"`
	// PartnerDepartmentID and PartnerRole: the second department of a task shared by two
	// (协商), which acts on it as the candidate does.
	PartnerDepartmentID string `json:"partner_department_id,omitempty"`
	PartnerRole         string `json:"partner_role,omitempty"`
	// Proposal is the terms one department of a shared task proposed for a decision that
	// needs both; the other agrees by completing the same decision without fields.
	Proposal *ProposalView `json:"proposal,omitempty"`
	// Assignee is the subject that claimed the task; absent while unclaimed.
	Assignee string `json:"assignee,omitempty"`
	Status   string `json:"status"` // open, completed, closed
	// Decision is how a completed task was decided.
	Decision string `json:"decision,omitempty"`
	// DecidedBy is the subject that gave the decision.
	DecidedBy  string  `json:"decided_by,omitempty"`
	ReceivedAt string  `json:"received_at"`
	DueAt      *string `json:"due_at"` // null: no deadline
	// CalendarVersion is the working-day calendar the deadline was computed with; Provisional
	// marks a deadline past the published holiday schedule.
	CalendarVersion string   `json:"calendar_version,omitempty"`
	Provisional     bool     `json:"provisional"`
	LegalBasis      []string `json:"legal_basis"`
	// LocalDefault: no regulation sets this deadline; DeadlineNote then says so in words.
	LocalDefault bool   `json:"local_default"`
	DeadlineNote string `json:"deadline_note,omitempty"`
	// RemainingWorkdays counts, at the time of the request, the working days of China's
	// calendar (Asia/Shanghai, holidays and make-up working days included) after today up to
	// and including the due date; today is not counted, as the deadline rules do not count
	// the day of receipt, and a task is due at the end of its due date. So it is 0 on the due
	// date itself, 1 the working day before, and 4 on Wednesday 30 September 2026 for a task
	// due Monday 12 October (8, 9, 10 — a make-up Saturday — and 12 October; 1–7 October are
	// National Day). Once the deadline has passed it is negative: minus the working days
	// after the due date up to and including today, and at least -1, also on the days off
	// right after the deadline. null for a task without a deadline or no longer open.
	// Computed on every read, never stored.
	RemainingWorkdays *int `json:"remaining_workdays"`
	// Light is the traffic light of an open task with a deadline: red when overdue (remaining
	// below 0), yellow within 2 working days of the due date (0 to 2 remaining), green
	// otherwise; "" without a deadline or when the task is no longer open. Overdue is the
	// workflow's own mark, set when its timer fires, so for a moment after a deadline it may
	// still be false while the light is red.
	Light       string         `json:"light"`
	Overdue     bool           `json:"overdue"`
	LongOverdue bool           `json:"long_overdue"`
	UrgeCount   int            `json:"urge_count"`
	LastUrgedAt *string        `json:"last_urged_at,omitempty"`
	Decisions   []DecisionView `json:"decisions"`
	// Actions are what the open task takes (POST /api/v1/tasks/{id}/<action>), by its kind;
	// whether the caller may take one is the workflow's check. A step task: claim, unclaim,
	// transfer, comment, urge, complete. A supervision task (督办): comment and urge, which
	// act on the task it supervises, and rectification (a notice issued from it); claim,
	// unclaim, transfer and complete answer 422. An extension approval (延期审批): complete.
	// Empty once the task is no longer open.
	Actions   []string `json:"actions"`
	UpdatedAt string   `json:"updated_at"`
}

// ProposalView is a pending proposal on a shared task.
type ProposalView struct {
	Decision     string         `json:"decision"`
	Fields       map[string]any `json:"fields"`
	By           string         `json:"by"`
	DepartmentID string         `json:"department_id"`
	At           string         `json:"at"`
}

// TaskList is one page of the caller's inbox.
type TaskList struct {
	Items      []TaskView `json:"items"`
	NextCursor string     `json:"next_cursor,omitempty"`
	// Total counts the tasks matching the filters over every page.
	Total int64 `json:"total"`
}

// TimelineEventView is one entry of a task's record (办理记录).
type TimelineEventView struct {
	// ID is <task id>#<seq>, the task id URL-safe as TaskView's.
	ID   string `json:"id"`
	Seq  int    `json:"seq"`
	Kind string `json:"kind"`
	Step string `json:"step"`
	At   string `json:"at"`
	// Actor is the subject that acted; absent for the system (reminders, overdue).
	Actor        string         `json:"actor,omitempty"`
	DepartmentID string         `json:"department_id,omitempty"`
	Text         string         `json:"text,omitempty"`
	Data         map[string]any `json:"data,omitempty"`
}

// TaskDetail is a task with its timeline.
type TaskDetail struct {
	TaskView
	Timeline []TimelineEventView `json:"timeline"`
}

// TransferInput hands a task to a person (of the task's department, or of ToDepartment) or to
// another department's pool (the authority, where the procedure allows it).
type TransferInput struct {
	ToSubject    string `json:"to_subject" binding:"max=128"`
	ToDepartment string `json:"to_department" binding:"max=64"`
	Reason       string `json:"reason" binding:"max=2000" text:"multiline"`
}

// CommentInput adds a comment to the task's timeline.
type CommentInput struct {
	Text string `json:"text" binding:"required,max=2000" text:"multiline"`
}

// CompleteInput decides a task. Besides decision and comment, the body carries the fields the
// decision requires, as listed in the task's decisions, e.g.
// {"decision": "approve", "scope": "...", "usage_purpose": "...", "validity_days": 365} or
// {"decision": "refuse", "reason_code": "...", "reason": "...", "legal_basis": "..."}.
type CompleteInput struct {
	Decision string `json:"decision"`
	Comment  string `json:"comment,omitempty" text:"multiline"`
}

func toTaskView(t *models.Task) (TaskView, error) {
	v := TaskView{
		ID: publicTaskID(t.TaskID), Kind: t.Kind, RequestID: t.RequestID, Procedure: t.Procedure, Step: t.Step,
		ResourceCode: t.ResourceCode, ResourceName: t.ResourceName, Purpose: t.Purpose,
		ApplicantDepartmentID: t.ApplicantDepartmentID, ApplicantDepartmentName: t.ApplicantDepartmentName,
		CandidateDepartmentID: t.CandidateDepartmentID, CandidateRole: t.CandidateRole,
		Assignee: t.Assignee, Status: t.Status, Decision: t.Decision, DecidedBy: t.DecidedBy,
		ReceivedAt: formatTime(t.ReceivedAt), DueAt: formatTimePtr(t.DueAt),
		CalendarVersion: t.CalendarVersion, Provisional: t.Provisional, LocalDefault: t.LocalDefault,
		Overdue: t.Overdue, LongOverdue: t.LongOverdue, UrgeCount: t.UrgeCount,
		LastUrgedAt: formatTimePtr(t.LastUrgedAt), UpdatedAt: formatTime(t.UpdatedAt),
		LegalBasis: []string{}, Decisions: []DecisionView{},
	}
	if t.ParentTaskID != nil {
		v.ParentTaskID = publicTaskID(*t.ParentTaskID)
	}
	v.PartnerDepartmentID, v.PartnerRole = t.PartnerDepartmentID, t.PartnerRole
	if t.ProposalJSON != nil {
		var p struct {
			Decision     string         `json:"decision"`
			Fields       map[string]any `json:"fields"`
			By           string         `json:"by"`
			DepartmentID string         `json:"department_id"`
			At           time.Time      `json:"at"`
		}
		if err := json.Unmarshal([]byte(*t.ProposalJSON), &p); err != nil {
			return TaskView{}, fmt.Errorf("task %s: decode proposal: %w", t.TaskID, err)
		}
		if p.Fields == nil {
			p.Fields = map[string]any{}
		}
		v.Proposal = &ProposalView{Decision: p.Decision, Fields: p.Fields, By: p.By, DepartmentID: p.DepartmentID, At: formatTime(p.At)}
	}
	if t.LocalDefault {
		v.DeadlineNote = localDefaultNote
	}
	if t.LegalBasisJSON != "" {
		if err := json.Unmarshal([]byte(t.LegalBasisJSON), &v.LegalBasis); err != nil {
			return TaskView{}, fmt.Errorf("task %s: legal basis: %w", t.TaskID, err)
		}
	}
	if t.DecisionsJSON != "" {
		if err := json.Unmarshal([]byte(t.DecisionsJSON), &v.Decisions); err != nil {
			return TaskView{}, fmt.Errorf("task %s: decisions: %w", t.TaskID, err)
		}
	}
	for i := range v.Decisions {
		if v.Decisions[i].RequiredFields == nil {
			v.Decisions[i].RequiredFields = []string{}
		}
		v.Decisions[i].OptionalFields = optionalFields(t.Procedure, t.Kind, v.Decisions[i].Code)
	}
	if v.LegalBasis == nil {
		v.LegalBasis = []string{}
	}
	if v.Decisions == nil {
		v.Decisions = []DecisionView{}
	}
	return v, nil
}

// toTimelineEventView renders an event with the task ids in it URL-safe, as TaskView's: the
// event's id (<task id>#<seq>) and the data's *task_id members (a notice's linked_task_id).
func toTimelineEventView(e models.TimelineEvent) (TimelineEventView, error) {
	v := TimelineEventView{
		ID: publicTaskID(e.EventID), Seq: e.Seq, Kind: e.Kind, Step: e.Step, At: formatTime(e.At),
		Actor: e.Actor, DepartmentID: e.DepartmentID, Text: e.Text,
	}
	if e.DataJSON != "" && e.DataJSON != "{}" {
		if err := json.Unmarshal([]byte(e.DataJSON), &v.Data); err != nil {
			return TimelineEventView{}, fmt.Errorf("timeline event %s: data: %w", e.EventID, err)
		}
	}
	for k, val := range v.Data {
		if id, ok := val.(string); ok && strings.HasSuffix(k, "task_id") {
			v.Data[k] = publicTaskID(id)
		}
	}
	return v, nil
}
