package models

import (
	"context"
	"fmt"
	"time"
)

// Task is one human task (待办) as the inbox shows it: the projection of a workflow's task
// state, written only by activities. A row is replaced whole, and only by a higher Revision,
// so a retried or reordered projection never goes back in time.
type Task struct {
	TaskID   string `gorm:"column:task_id;primaryKey"`
	Revision int    `gorm:"column:revision"`
	Kind     string `gorm:"column:kind"`
	// ParentTaskID: the task a supervision or extension task is about; nil for a step's task.
	ParentTaskID          *string `gorm:"column:parent_task_id"`
	WorkflowID            string  `gorm:"column:workflow_id"`
	RequestID             string  `gorm:"column:request_id"`
	Procedure             string  `gorm:"column:procedure"`
	Step                  string  `gorm:"column:step"`
	CandidateDepartmentID string  `gorm:"column:candidate_department_id"`
	CandidateRole         string  `gorm:"column:candidate_role"`
	// PartnerDepartmentID and PartnerRole are the second department of a task shared by two
	// (协商); "" for a task of one department.
	PartnerDepartmentID string `gorm:"column:partner_department_id"`
	PartnerRole         string `gorm:"column:partner_role"`
	// ProposalJSON is the pending proposal of a decision both departments must agree to (JSON
	// object), nil when there is none.
	ProposalJSON *string `gorm:"column:proposal"`
	// Assignee is the subject that claimed the task, "" while unclaimed.
	Assignee string `gorm:"column:assignee"`
	Status   string `gorm:"column:status"`
	// DecisionsJSON lists the decisions the task allows, as the workflow sent them (JSON).
	DecisionsJSON string `gorm:"column:decisions"`
	Decision      string `gorm:"column:decision"`
	// DecidedBy is the subject that gave the decision (已办), "" before one.
	DecidedBy       string     `gorm:"column:decided_by"`
	ReceivedAt      time.Time  `gorm:"column:received_at"`
	DueAt           *time.Time `gorm:"column:due_at"` // nil: no deadline
	CalendarVersion string     `gorm:"column:calendar_version"`
	Provisional     bool       `gorm:"column:provisional"`
	// LegalBasisJSON is the deadline's citations, a JSON list of strings.
	LegalBasisJSON string     `gorm:"column:legal_basis"`
	LocalDefault   bool       `gorm:"column:local_default"`
	Overdue        bool       `gorm:"column:overdue"`
	LongOverdue    bool       `gorm:"column:long_overdue"`
	LastUrgedAt    *time.Time `gorm:"column:last_urged_at"`
	UrgeCount      int        `gorm:"column:urge_count"`
	// UpdatedAt is the workflow's time of the change, not the time of the write.
	UpdatedAt time.Time `gorm:"column:updated_at;autoUpdateTime:false"`
	// TaskFacts say what the task is about, copied from its request when it is projected.
	TaskFacts `gorm:"embedded"`
}

// TaskFacts are what a task is about, taken from its request by the projection and stored on
// the row, so that the inbox lists them in its one query instead of joining every procedure's
// table. A request's facts do not change while it runs; the department's name is the one at
// the task's latest projection. "" where the procedure has none.
type TaskFacts struct {
	// ResourceCode and ResourceName are the catalog resource asked for or reported on (the
	// request's snapshot); none for a catalog update, which spans several, and for procedures
	// not about one resource.
	ResourceCode string `gorm:"column:resource_code"`
	ResourceName string `gorm:"column:resource_name"`
	// ApplicantDepartmentID is the department whose submission the procedure decides on (the
	// applicant, the reporter, the department updating its catalog, reporting its
	// rectification, delivering an interface or filing its annual report); "" when a citizen
	// applies. ApplicantDepartmentName is its name, or its id when the directory lacks it.
	ApplicantDepartmentID   string `gorm:"column:applicant_department_id"`
	ApplicantDepartmentName string `gorm:"column:applicant_department_name"`
	// Purpose is why the matter was raised: a request's stated purpose, a correction's
	// problem, a catalog update's trigger, a rectification's violation.
	Purpose string `gorm:"column:purpose"`
	// Subject names the matter in a few words, the first part of a task's title: the
	// resource's name, or the violation, the law, the interface, the report's year.
	Subject string `gorm:"column:subject"`
}

// MaxTaskSubject is the length of a task's subject, in characters.
const MaxTaskSubject = 255

// TableName pins the table name independently of GORM's naming strategy.
func (Task) TableName() string { return "tasks" }

// Validate returns invalid fields by column name.
func (t *Task) Validate() map[string]string {
	f := map[string]string{}
	checkText(f, "task_id", t.TaskID, 255, true)
	if t.Revision < 1 {
		f["revision"] = "须为正整数"
	}
	checkText(f, "workflow_id", t.WorkflowID, 255, true)
	checkText(f, "request_id", t.RequestID, 128, true)
	if t.ParentTaskID != nil {
		checkText(f, "parent_task_id", *t.ParentTaskID, 255, true)
	}
	checkText(f, "assignee", t.Assignee, 128, false)
	checkText(f, "resource_code", t.ResourceCode, 64, false)
	checkText(f, "resource_name", t.ResourceName, 255, false)
	checkText(f, "applicant_department_id", t.ApplicantDepartmentID, 64, false)
	checkText(f, "applicant_department_name", t.ApplicantDepartmentName, 255, false)
	checkText(f, "subject", t.Subject, MaxTaskSubject, false)
	return f
}

// TimelineEvent is one entry of a request's timeline (办理记录). Rows are only inserted; the
// EventID (<task_id>#<seq>) makes a repeated append a no-op.
type TimelineEvent struct {
	EventID    string    `gorm:"column:event_id;primaryKey"`
	Seq        int       `gorm:"column:seq"`
	TaskID     string    `gorm:"column:task_id"`
	WorkflowID string    `gorm:"column:workflow_id"`
	RequestID  string    `gorm:"column:request_id"`
	Procedure  string    `gorm:"column:procedure"`
	Step       string    `gorm:"column:step"`
	Kind       string    `gorm:"column:kind"`
	At         time.Time `gorm:"column:at"`
	// Actor is the subject that acted, "" for the system.
	Actor        string `gorm:"column:actor"`
	DepartmentID string `gorm:"column:department_id"`
	Text         string `gorm:"column:text"`
	// DataJSON is the event's structured details (a JSON object, "{}" when none).
	DataJSON  string    `gorm:"column:data"`
	CreatedAt time.Time `gorm:"column:created_at;autoCreateTime:false"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (TimelineEvent) TableName() string { return "timeline_events" }

// Validate returns invalid fields by column name.
func (e *TimelineEvent) Validate() map[string]string {
	f := map[string]string{}
	checkText(f, "event_id", e.EventID, 300, true)
	checkText(f, "task_id", e.TaskID, 255, true)
	checkText(f, "request_id", e.RequestID, 128, true)
	checkText(f, "kind", e.Kind, 32, true)
	if e.At.IsZero() {
		f["at"] = "不能为空"
	}
	return f
}

// GetTask returns the task with the given id, or ErrNotFound.
func (s *Store) GetTask(ctx context.Context, id string) (*Task, error) {
	var t Task
	if err := s.db.WithContext(ctx).Where("task_id = ?", id).Take(&t).Error; err != nil {
		return nil, dbError(err, "load task %q", id)
	}
	return &t, nil
}

// UpsertTask stores t unless the stored row has the same or a higher revision; applied
// reports whether t was written. Invalid fields are a *ValidationError.
//
// It is race-free on both dialects without a transaction: a conditional UPDATE (revision <
// t.Revision) is atomic per row, and when it matches nothing an INSERT either creates the row
// or, if a concurrent call created it first, fails on the primary key, after which the
// conditional UPDATE decides again. Rows are never deleted, so that second UPDATE is final.
func (s *Store) UpsertTask(ctx context.Context, t Task) (applied bool, err error) {
	if f := t.Validate(); len(f) > 0 {
		return false, fmt.Errorf("upsert task %q: %w", t.TaskID, &ValidationError{Fields: f})
	}
	t.ReceivedAt = dbTime(t.ReceivedAt)
	t.DueAt = dbTimePtr(t.DueAt)
	t.LastUrgedAt = dbTimePtr(t.LastUrgedAt)
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = now()
	}
	t.UpdatedAt = dbTime(t.UpdatedAt)
	if t.DecisionsJSON == "" {
		t.DecisionsJSON = "[]"
	}
	if t.LegalBasisJSON == "" {
		t.LegalBasisJSON = "[]"
	}

	if applied, err := s.updateNewerTask(ctx, &t); err != nil || applied {
		return applied, err
	}
	err = s.db.WithContext(ctx).Create(&t).Error
	switch {
	case err == nil:
		return true, nil
	case !isDuplicateKey(err):
		return false, dbError(err, "insert task %q revision %d", t.TaskID, t.Revision)
	}
	return s.updateNewerTask(ctx, &t)
}

// updateNewerTask replaces the stored task by t if the stored revision is lower. In MySQL the
// affected-row count is of changed rows; the revision always changes, so it equals matched.
func (s *Store) updateNewerTask(ctx context.Context, t *Task) (bool, error) {
	res := s.db.WithContext(ctx).Model(&Task{}).
		Where("task_id = ? AND revision < ?", t.TaskID, t.Revision).
		UpdateColumns(map[string]any{
			"revision":                  t.Revision,
			"kind":                      t.Kind,
			"parent_task_id":            t.ParentTaskID,
			"workflow_id":               t.WorkflowID,
			"request_id":                t.RequestID,
			"procedure":                 t.Procedure,
			"step":                      t.Step,
			"candidate_department_id":   t.CandidateDepartmentID,
			"candidate_role":            t.CandidateRole,
			"partner_department_id":     t.PartnerDepartmentID,
			"partner_role":              t.PartnerRole,
			"proposal":                  t.ProposalJSON,
			"assignee":                  t.Assignee,
			"status":                    t.Status,
			"decisions":                 t.DecisionsJSON,
			"decision":                  t.Decision,
			"decided_by":                t.DecidedBy,
			"received_at":               t.ReceivedAt,
			"due_at":                    t.DueAt,
			"calendar_version":          t.CalendarVersion,
			"provisional":               t.Provisional,
			"legal_basis":               t.LegalBasisJSON,
			"local_default":             t.LocalDefault,
			"overdue":                   t.Overdue,
			"long_overdue":              t.LongOverdue,
			"last_urged_at":             t.LastUrgedAt,
			"urge_count":                t.UrgeCount,
			"updated_at":                t.UpdatedAt,
			"resource_code":             t.ResourceCode,
			"resource_name":             t.ResourceName,
			"applicant_department_id":   t.ApplicantDepartmentID,
			"applicant_department_name": t.ApplicantDepartmentName,
			"purpose":                   t.Purpose,
			"subject":                   t.Subject,
		})
	if res.Error != nil {
		return false, dbError(res.Error, "update task %q to revision %d", t.TaskID, t.Revision)
	}
	return res.RowsAffected > 0, nil
}

// AppendTimelineEvent inserts e, stamped with the time of the write; inserted is false when
// an event with the same EventID is already stored (a retry), which is not an error. Invalid
// fields are a *ValidationError.
func (s *Store) AppendTimelineEvent(ctx context.Context, e TimelineEvent) (inserted bool, err error) {
	if f := e.Validate(); len(f) > 0 {
		return false, fmt.Errorf("append timeline event %q: %w", e.EventID, &ValidationError{Fields: f})
	}
	e.At = dbTime(e.At)
	e.CreatedAt = now()
	if e.DataJSON == "" {
		e.DataJSON = "{}"
	}
	err = s.db.WithContext(ctx).Create(&e).Error
	switch {
	case err == nil:
		return true, nil
	case isDuplicateKey(err):
		return false, nil
	default:
		return false, dbError(err, "append timeline event %q", e.EventID)
	}
}

// ListTimeline returns the events of a request in time order; events of the same instant
// keep their sequence, then their id, so the order is stable.
func (s *Store) ListTimeline(ctx context.Context, requestID string) ([]TimelineEvent, error) {
	var out []TimelineEvent
	err := s.db.WithContext(ctx).Where("request_id = ?", requestID).
		Order("at").Order("seq").Order("event_id").Find(&out).Error
	if err != nil {
		return nil, dbError(err, "list timeline of request %q", requestID)
	}
	return out, nil
}

// dbTime is t as both dialects store it (UTC, microseconds), so a row reads back the same on
// SQLite, which would keep nanoseconds, and on MySQL. Workflows send +08:00 times.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func dbTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := dbTime(*t)
	return &u
}
