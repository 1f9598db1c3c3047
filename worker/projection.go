package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
)

// projection writes the activities' read-model records through the models store. It lives
// here, not in activities, so that workflow code (which imports activities) never links GORM.
type projection struct {
	store *models.Store
	// policy is the profile in force, whose names of procedures and steps notifications use.
	policy policy.Profile
}

var _ activities.ProjectionStore = projection{}

func (p projection) SaveTask(ctx context.Context, in activities.ProjectTaskInput) error {
	t, err := taskRow(in)
	if err != nil {
		return err
	}
	if t.TaskFacts, err = p.taskFacts(ctx, in); err != nil {
		return fmt.Errorf("facts of task %s: %w", in.TaskID, err)
	}
	if _, err = p.store.UpsertTask(ctx, t); err != nil {
		return rejected(err)
	}
	return p.notifySideTask(ctx, in)
}

func (p projection) SaveTimelineEvent(ctx context.Context, in activities.AppendTimelineInput) error {
	if err := saveRow(ctx, in, p.store.AppendTimelineEvent); err != nil {
		return err
	}
	if err := p.notify(ctx, in); err != nil {
		return err
	}
	if !audited(in.Kind) {
		return nil
	}
	// The audit log (内乡 第三十三条) takes decisions, grants and submissions from the same
	// record, under the same key: a retry writes neither twice.
	data := in.Data
	if data == nil {
		data = map[string]any{}
	}
	details, err := json.Marshal(map[string]any{"step": in.Step, "text": in.Text, "data": data})
	if err != nil {
		return fmt.Errorf("%w: encode audit details: %v", activities.ErrRejected, err)
	}
	resource, err := p.resourceOf(ctx, in)
	if err != nil {
		return err
	}
	_, err = p.store.AppendAuditEvent(ctx, &models.AuditEvent{
		EventKey: in.EventID, At: in.At, Actor: in.Actor, DepartmentID: in.DepartmentID, Action: in.Kind,
		Procedure: in.Procedure, RequestID: in.RequestID, ResourceID: resource, Object: in.TaskID,
		DetailsJSON: string(details),
	})
	return rejected(err)
}

// unaudited are the timeline events that are neither decisions, grants, submissions nor
// hand-overs: the task's own bookkeeping and the clock's alarms. Every other kind, including
// those of procedures added later, goes to the audit log.
var unaudited = map[string]bool{
	activities.EventTaskOpened: true, activities.EventClaimed: true, activities.EventUnclaimed: true,
	activities.EventCommented: true, activities.EventUrged: true, activities.EventReminded: true,
	activities.EventOverdue: true, activities.EventLongOverdue: true, activities.EventDeadlineChanged: true,
	activities.EventOverdueWithdrawn: true, activities.EventTaskClosed: true, activities.EventExtensionAsked: true,
}

func audited(kind string) bool { return !unaudited[kind] }

// resourceOf is the catalog resource an event concerns: named in its data, or the share
// request's, correction's or open-data request's; nil when there is none (a catalog update
// spans several).
func (p projection) resourceOf(ctx context.Context, in activities.AppendTimelineInput) (*int64, error) {
	switch v := in.Data["resource_id"].(type) { // float64 after JSON, an integer when called directly
	case float64:
		if v > 0 {
			id := int64(v)
			return &id, nil
		}
	case int64:
		return &v, nil
	case int:
		id := int64(v)
		return &id, nil
	}
	if in.RequestID == "" {
		return nil, nil
	}
	var id int64
	var err error
	switch in.Procedure {
	case "share":
		var r *models.ShareRequest
		if r, err = p.store.GetShareRequest(ctx, in.RequestID); err == nil {
			id = r.ResourceID
		}
	case "correction":
		var c *models.Correction
		if c, err = p.store.GetCorrection(ctx, in.RequestID); err == nil {
			id = c.ResourceID
		}
	case "open_data": // the extension and supervision events of a citizen's request
		var r *models.OpenDataRequest
		if r, err = p.store.GetOpenDataRequest(ctx, in.RequestID); err == nil {
			id = r.ResourceID
		}
	default:
		return nil, nil
	}
	switch {
	case errors.Is(err, models.ErrNotFound):
		return nil, nil // not projected yet: the event is logged without it
	case err != nil:
		return nil, err
	}
	return &id, nil
}

// rejected marks the store's refusal of bad input, so the activity does not retry it.
func rejected(err error) error {
	if err != nil && errors.Is(err, models.ErrInvalid) {
		return fmt.Errorf("%w: %w", activities.ErrRejected, err)
	}
	return err
}

// taskRow maps the workflow's view of a task onto its row, but for the facts of its request.
func taskRow(in activities.ProjectTaskInput) (models.Task, error) {
	t, err := rowOf[models.Task](in)
	if err != nil {
		return t, err
	}
	if in.ParentTaskID != "" {
		t.ParentTaskID = &in.ParentTaskID
	}
	if in.Proposal != nil {
		b, err := json.Marshal(in.Proposal)
		if err != nil {
			return models.Task{}, fmt.Errorf("%w: encode proposal: %v", activities.ErrRejected, err)
		}
		p := string(b)
		t.ProposalJSON = &p
	}
	return t, nil
}
