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
// timeline, oldest first, and its open tasks.
func requestActivity(ctx context.Context, r TimelineReader, requestID string) ([]TimelineEventView, []TaskView, error) {
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
	open := make([]TaskView, 0, len(tasks))
	for i := range tasks {
		tv, err := toTaskView(&tasks[i])
		if err != nil {
			return nil, nil, err
		}
		open = append(open, tv)
	}
	return timeline, open, nil
}
