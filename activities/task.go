package activities

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Task statuses in the read model.
const (
	TaskOpen      = "open"
	TaskCompleted = "completed"
	// TaskClosed: the task ended without a decision of its own (a supervision or extension
	// task whose subject was decided, or a withdrawn request).
	TaskClosed = "closed"
)

// Task kinds in the read model.
const (
	// TaskKindStep is a procedure step's own task (the reply to a share request, ...).
	TaskKindStep = "step"
	// TaskKindSupervision is the authority's supervision (督办) of an overdue task.
	TaskKindSupervision = "supervision"
	// TaskKindExtension is the approval of an extension request (延期审批).
	TaskKindExtension = "extension"
)

// DecisionOption is one decision a task allows and the fields it requires; the task's JSON
// lists them so the API and UI can render the form.
type DecisionOption struct {
	Code           string   `json:"code"`
	RequiredFields []string `json:"required_fields"`
	// Choices restricts fields to listed values, e.g. a refusal's reason_code to the
	// profile's refusal reason catalogue.
	Choices map[string][]string `json:"choices,omitempty"`
	// Mutual: on a task shared by two departments the decision needs both. The first to give
	// it proposes its fields; the other accepts by giving it without them, or proposes its own.
	Mutual bool `json:"mutual,omitempty"`
}

// Proposal is a decision one department of a shared task proposed and the other has yet to
// accept (协商一致前的方案).
type Proposal struct {
	Decision     string         `json:"decision"`
	Fields       map[string]any `json:"fields,omitempty"`
	By           string         `json:"by"`
	DepartmentID string         `json:"department_id"`
	At           time.Time      `json:"at"`
}

// ProjectTaskInput is the whole current state of one task as the inbox shows it.
type ProjectTaskInput struct {
	// TaskID is the task's stable id, <workflowID>/<step>/<n> (and a suffix for supervision
	// and extension tasks); the unique key of the projection.
	TaskID string `json:"task_id"`
	// Revision grows with every change; the projection applies an input only if its revision
	// is higher than the stored one, so a retried or reordered call never goes back in time.
	Revision     int    `json:"revision"`
	Kind         string `json:"kind"`
	ParentTaskID string `json:"parent_task_id,omitempty"` // supervision/extension: the task it is about
	WorkflowID   string `json:"workflow_id"`
	RequestID    string `json:"request_id"`
	Procedure    string `json:"procedure"`
	Step         string `json:"step"`
	// CandidateDepartmentID and CandidateRole: who may act on the task.
	CandidateDepartmentID string `json:"candidate_department_id"`
	CandidateRole         string `json:"candidate_role"`
	// PartnerDepartmentID and PartnerRole: the second department of a task shared by two
	// (协商), which acts on it as the candidate does; "" otherwise.
	PartnerDepartmentID string `json:"partner_department_id,omitempty"`
	PartnerRole         string `json:"partner_role,omitempty"`
	// Proposal is the pending proposal of a mutual decision, nil when none.
	Proposal *Proposal `json:"proposal,omitempty"`
	// Assignee is the subject that claimed it, "" when unclaimed.
	Assignee  string           `json:"assignee,omitempty"`
	Status    string           `json:"status"`
	Decisions []DecisionOption `json:"decisions,omitempty"`
	Decision  string           `json:"decision,omitempty"`
	// DecidedBy is the subject that gave Decision (the inbox's 已办), "" before one.
	DecidedBy       string     `json:"decided_by,omitempty"`
	ReceivedAt      time.Time  `json:"received_at"`
	DueAt           *time.Time `json:"due_at,omitempty"` // nil: no deadline
	CalendarVersion string     `json:"calendar_version,omitempty"`
	Provisional     bool       `json:"provisional,omitempty"`
	// LegalBasis of the deadline; LocalDefault marks "local default, no statutory deadline".
	LegalBasis   []string   `json:"legal_basis,omitempty"`
	LocalDefault bool       `json:"local_default,omitempty"`
	Overdue      bool       `json:"overdue,omitempty"`
	LongOverdue  bool       `json:"long_overdue,omitempty"`
	LastUrgedAt  *time.Time `json:"last_urged_at,omitempty"`
	UrgeCount    int        `json:"urge_count,omitempty"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// ProjectTaskResult is empty: the projection is the effect.
type ProjectTaskResult struct{}

// ProjectTask upserts a task into the read model, keyed by TaskID and guarded by Revision: an
// input whose revision is not higher than the stored one is ignored, so retries and
// reordered calls are harmless. A task the read model rejects is a non-retryable "invalid"
// error; a database failure is retried.
func (a *Activities) ProjectTask(ctx context.Context, in ProjectTaskInput) (ProjectTaskResult, error) {
	if err := a.Store.SaveTask(ctx, in); err != nil {
		return ProjectTaskResult{}, storeError(err, "project task %s revision %d", in.TaskID, in.Revision)
	}
	return ProjectTaskResult{}, nil
}

// TimelineEvent kinds.
const (
	EventTaskOpened        = "task_opened"
	EventClaimed           = "claimed"
	EventUnclaimed         = "unclaimed"
	EventTransferred       = "transferred"
	EventCommented         = "commented"
	EventCompleted         = "completed"
	EventUrged             = "urged"
	EventReminded          = "reminded"
	EventOverdue           = "overdue"
	EventLongOverdue       = "long_overdue"
	EventExtensionAsked    = "extension_requested"
	EventExtensionApproved = "extension_approved"
	EventExtensionRefused  = "extension_refused"
	EventDeadlineChanged   = "deadline_changed"
	// EventOverdueWithdrawn: a moved deadline (calendar correction) has not passed after all;
	// the overdue mark is taken back and the supervision task closed.
	EventOverdueWithdrawn = "overdue_withdrawn"
	// EventProposed: one department of a shared task proposed a mutual decision's terms.
	EventProposed = "proposed"
)

// AppendTimelineInput is one event of a request's timeline.
type AppendTimelineInput struct {
	// EventID is <taskID>#<seq>, seq counted by the workflow from 1: the unique key, so a
	// retried or replayed append never adds a second row.
	EventID    string    `json:"event_id"`
	Seq        int       `json:"seq"`
	TaskID     string    `json:"task_id"`
	WorkflowID string    `json:"workflow_id"`
	RequestID  string    `json:"request_id"`
	Procedure  string    `json:"procedure"`
	Step       string    `json:"step"`
	Kind       string    `json:"kind"`
	At         time.Time `json:"at"`
	// Actor is the subject that acted, "" for the system (reminders, overdue).
	Actor        string `json:"actor,omitempty"`
	DepartmentID string `json:"department_id,omitempty"`
	Text         string `json:"text,omitempty"`
	// Data carries the event's structured details (decision fields, new due time, ...).
	Data map[string]any `json:"data,omitempty"`
}

// AppendTimelineResult is empty: the row is the effect.
type AppendTimelineResult struct{}

// AppendTimeline inserts one event, ignoring a duplicate EventID, so a retried or replayed
// append never adds a second row. An event the read model rejects is a non-retryable
// "invalid" error; a database failure is retried.
func (a *Activities) AppendTimeline(ctx context.Context, in AppendTimelineInput) (AppendTimelineResult, error) {
	if err := a.Store.SaveTimelineEvent(ctx, in); err != nil {
		return AppendTimelineResult{}, storeError(err, "append timeline event %s", in.EventID)
	}
	return AppendTimelineResult{}, nil
}

// storeError turns a rejection by the read model into a non-retryable "invalid" error and
// leaves anything else (an outage) retryable, with context.
func storeError(err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if errors.Is(err, ErrRejected) {
		return invalid("%s: %v", msg, err)
	}
	return fmt.Errorf("%s: %w", msg, err)
}
