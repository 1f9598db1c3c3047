package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
)

// projection writes the activities' read-model records through the models store. It lives
// here, not in activities, so that workflow code (which imports activities) never links GORM.
type projection struct {
	store *models.Store
}

var _ activities.ProjectionStore = projection{}

func (p projection) SaveTask(ctx context.Context, in activities.ProjectTaskInput) error {
	t, err := taskRow(in)
	if err != nil {
		return fmt.Errorf("%w: %v", activities.ErrRejected, err)
	}
	_, err = p.store.UpsertTask(ctx, t)
	return rejected(err)
}

func (p projection) SaveTimelineEvent(ctx context.Context, in activities.AppendTimelineInput) error {
	data := in.Data
	if data == nil {
		data = map[string]any{}
	}
	dataJSON, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("%w: encode data: %v", activities.ErrRejected, err)
	}
	_, err = p.store.AppendTimelineEvent(ctx, models.TimelineEvent{
		EventID: in.EventID, Seq: in.Seq, TaskID: in.TaskID, WorkflowID: in.WorkflowID,
		RequestID: in.RequestID, Procedure: in.Procedure, Step: in.Step, Kind: in.Kind, At: in.At,
		Actor: in.Actor, DepartmentID: in.DepartmentID, Text: in.Text, DataJSON: string(dataJSON),
	})
	return rejected(err)
}

// rejected marks the store's refusal of bad input, so the activity does not retry it.
func rejected(err error) error {
	if err != nil && errors.Is(err, models.ErrInvalid) {
		return fmt.Errorf("%w: %w", activities.ErrRejected, err)
	}
	return err
}

// taskRow maps the workflow's view of a task onto its row.
func taskRow(in activities.ProjectTaskInput) (models.Task, error) {
	decisions := in.Decisions
	if decisions == nil {
		decisions = []activities.DecisionOption{}
	}
	decisionsJSON, err := json.Marshal(decisions)
	if err != nil {
		return models.Task{}, fmt.Errorf("encode decisions: %w", err)
	}
	legalBasis := in.LegalBasis
	if legalBasis == nil {
		legalBasis = []string{}
	}
	legalBasisJSON, err := json.Marshal(legalBasis)
	if err != nil {
		return models.Task{}, fmt.Errorf("encode legal basis: %w", err)
	}
	var parent *string
	if in.ParentTaskID != "" {
		parent = &in.ParentTaskID
	}
	var proposal *string
	if in.Proposal != nil {
		b, err := json.Marshal(in.Proposal)
		if err != nil {
			return models.Task{}, fmt.Errorf("encode proposal: %w", err)
		}
		p := string(b)
		proposal = &p
	}
	return models.Task{
		TaskID: in.TaskID, Revision: in.Revision, Kind: in.Kind, ParentTaskID: parent,
		WorkflowID: in.WorkflowID, RequestID: in.RequestID, Procedure: in.Procedure, Step: in.Step,
		CandidateDepartmentID: in.CandidateDepartmentID, CandidateRole: in.CandidateRole,
		PartnerDepartmentID: in.PartnerDepartmentID, PartnerRole: in.PartnerRole, ProposalJSON: proposal,
		Assignee: in.Assignee, Status: in.Status, DecisionsJSON: string(decisionsJSON),
		Decision: in.Decision, ReceivedAt: in.ReceivedAt, DueAt: in.DueAt,
		CalendarVersion: in.CalendarVersion, Provisional: in.Provisional,
		LegalBasisJSON: string(legalBasisJSON), LocalDefault: in.LocalDefault,
		Overdue: in.Overdue, LongOverdue: in.LongOverdue, LastUrgedAt: in.LastUrgedAt,
		UrgeCount: in.UrgeCount, UpdatedAt: in.UpdatedAt,
	}, nil
}
