package worker

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
)

// Notifications (通知) are derived from what the workflows record, so every procedure, and
// every execution already running, gets them without a change to workflow code: a task opened
// or handed over, a reminder, an overdue notice, an urge, a proposal, a decision on a request.

// notificationTitles say in a line what happened, by timeline kind.
var notificationTitles = map[string]string{
	activities.EventTaskOpened:   "新的待办",
	activities.EventReminded:     "待办即将到期",
	activities.EventOverdue:      "待办已逾期",
	activities.EventLongOverdue:  "待办严重逾期",
	activities.EventUrged:        "收到催办",
	activities.EventTransferred:  "待办已转交给您",
	activities.EventProposed:     "对方提出协商方案，待您确认",
	activities.EventGranted:      "申请已获批准",
	activities.EventRefused:      "申请被拒绝，可在期限内申请协商",
	activities.EventRefusalFinal: "申请最终未获批准",
}

// sideTaskTitles announce the tasks a step opens beside itself, which have no timeline event
// of their own: the authority's supervision of an overdue task, an extension to approve.
var sideTaskTitles = map[string]string{
	activities.TaskKindSupervision: "新的督办任务",
	activities.TaskKindExtension:   "延期申请待审批",
}

// notifySideTask tells the candidate of a newly opened supervision or extension task, once.
func (p projection) notifySideTask(ctx context.Context, in activities.ProjectTaskInput) error {
	title, ok := sideTaskTitles[in.Kind]
	if !ok || in.Status != activities.TaskOpen || in.CandidateDepartmentID == "" {
		return nil
	}
	_, err := p.store.AppendNotification(ctx, models.Notification{EventKey: "opened>" + in.TaskID, At: in.UpdatedAt,
		DepartmentID: in.CandidateDepartmentID, Role: in.CandidateRole, Kind: in.Kind, Procedure: in.Procedure, Step: in.Step,
		TaskID: in.TaskID, RequestID: in.RequestID, Text: title, DueAt: in.DueAt})
	return rejected(err)
}

// recipient is a department's role, or a person.
type recipient struct{ dept, role, subject string }

// notify writes the notifications a timeline event calls for.
func (p projection) notify(ctx context.Context, in activities.AppendTimelineInput) error {
	title, ok := notificationTitles[in.Kind]
	if !ok {
		return nil
	}
	var to []recipient
	var due *models.Task
	switch in.Kind {
	case activities.EventTaskOpened, activities.EventReminded, activities.EventUrged, activities.EventOverdue,
		activities.EventLongOverdue, activities.EventProposed:
		t, err := p.store.GetTask(ctx, in.TaskID)
		if errors.Is(err, models.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		due = t
		to = taskParties(t, in)
		if in.Kind == activities.EventOverdue || in.Kind == activities.EventLongOverdue {
			// The supervising authority (督办) hears of it too.
			if s, err := p.store.GetTask(ctx, in.TaskID+"/supervision"); err == nil {
				to = append(to, recipient{dept: s.CandidateDepartmentID, role: s.CandidateRole})
			}
		}
	case activities.EventTransferred:
		t, err := p.store.GetTask(ctx, in.TaskID)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return err
		}
		subject, _ := in.Data["to_subject"].(string)
		dept, _ := in.Data["to_department_id"].(string)
		switch {
		case subject != "":
			to = append(to, recipient{subject: subject})
		case dept != "" && t != nil:
			to = append(to, recipient{dept: dept, role: t.CandidateRole})
		}
		due = t
	case activities.EventGranted, activities.EventRefused, activities.EventRefusalFinal:
		if in.Procedure != "share" {
			return nil
		}
		r, err := p.store.GetShareRequest(ctx, in.RequestID)
		if errors.Is(err, models.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		to = append(to, recipient{dept: r.ApplicantDeptID, role: models.RoleApplicant})
	}
	for i, r := range to {
		n := models.Notification{EventKey: fmt.Sprintf("%s>%d", in.EventID, i), At: in.At, DepartmentID: r.dept, Role: r.role,
			Subject: r.subject, Kind: in.Kind, Procedure: in.Procedure, Step: in.Step, TaskID: in.TaskID, RequestID: in.RequestID,
			Text: strings.TrimSpace(title + "：" + in.Text)}
		if due != nil {
			n.DueAt = due.DueAt
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
		out = append(out, recipient{subject: t.Assignee})
	} else if t.CandidateDepartmentID != "" {
		out = append(out, recipient{dept: t.CandidateDepartmentID, role: t.CandidateRole})
	}
	if t.PartnerDepartmentID != "" {
		out = append(out, recipient{dept: t.PartnerDepartmentID, role: t.PartnerRole})
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
