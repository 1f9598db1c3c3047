package api

import (
	"context"

	"github.com/datashare/datashare/models"
)

// TimelineReader reads what the human-task step projects for a request: its timeline and its
// tasks.
type TimelineReader interface {
	ListTimeline(ctx context.Context, requestID string) ([]models.TimelineEvent, error)
	ListRequestTasks(ctx context.Context, requestID, status string) ([]models.Task, error)
}

// requestActivity is what every procedure's detail shows beside its own fields: the request's
// timeline, oldest first, and its open tasks as views renders them.
func requestActivity(ctx context.Context, r TimelineReader, views taskViews, requestID string) ([]TimelineEventView, []TaskView, error) {
	events, err := r.ListTimeline(ctx, requestID)
	if err != nil {
		return nil, nil, err
	}
	timeline := make([]TimelineEventView, 0, len(events))
	for _, e := range events {
		ev, err := toTimelineEventView(e)
		if err != nil {
			return nil, nil, err
		}
		timeline = append(timeline, ev)
	}
	tasks, err := r.ListRequestTasks(ctx, requestID, "open")
	if err != nil {
		return nil, nil, err
	}
	open, err := views.list(ctx, tasks)
	if err != nil {
		return nil, nil, err
	}
	return timeline, open, nil
}
