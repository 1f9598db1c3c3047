package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
)

// Task ids at the API boundary. Inside (read model, workflows, Temporal) a task id is
// <workflow id>/<step>/<n>, with /supervision or /extension/<n> for side tasks, and its
// slashes would have to be sent escaped (%2F) in a path. Clients get the URL-safe form, every
// slash a tilde (~, unreserved in RFC 3986, so never escaped): share-request-SR-…~reply~1.
// No internal id holds a tilde — workflow ids are made of generated request ids and of codes
// (letters, digits and - _ . /) — so the two forms cannot collide, each converts to the other,
// and routes taking a task id accept either.

// publicTaskID is the URL-safe form of an internal task id.
func publicTaskID(id string) string { return strings.ReplaceAll(id, "/", "~") }

// internalTaskID is the task id a client sent, in either form, as the read model keys it.
func internalTaskID(id string) string { return strings.ReplaceAll(id, "~", "/") }

// Traffic lights of an open task's deadline (TaskView.Light).
const (
	lightGreen  = "green"
	lightYellow = "yellow"
	lightRed    = "red"
	// yellowWorkdays: a task this many working days or fewer from its due date is yellow.
	yellowWorkdays = 2
)

// taskViews renders tasks as clients see them: URL-safe ids, a title in the profile's words,
// and the countdown to the deadline on the current working-day calendar at the request's clock
// (never stored: it changes every day, and with every calendar correction).
type taskViews struct {
	profile  policy.Profile   // names the procedures in titles
	calendar CalendarSource   // nil: no countdown
	now      func() time.Time // the request's clock
}

// taskClock is the calendar and the instant one request counts with.
type taskClock struct {
	cal *calendar.Calendar // nil: no countdown
	now time.Time
}

func (v taskViews) clock(ctx context.Context) (taskClock, error) {
	c := taskClock{now: v.now()}
	if v.calendar == nil {
		return c, nil
	}
	cal, err := v.calendar.Calendar(ctx)
	if err != nil {
		return c, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "calendar unavailable: " + err.Error()}
	}
	c.cal = cal
	return c, nil
}

// one renders a single task.
func (v taskViews) one(ctx context.Context, t *models.Task) (TaskView, error) {
	clk, err := v.clock(ctx)
	if err != nil {
		return TaskView{}, err
	}
	return v.render(t, clk)
}

// list renders tasks with one calendar and one instant, so that a page counts alike.
func (v taskViews) list(ctx context.Context, tasks []models.Task) ([]TaskView, error) {
	out := make([]TaskView, 0, len(tasks))
	if len(tasks) == 0 {
		return out, nil
	}
	clk, err := v.clock(ctx)
	if err != nil {
		return nil, err
	}
	for i := range tasks {
		tv, err := v.render(&tasks[i], clk)
		if err != nil {
			return nil, err
		}
		out = append(out, tv)
	}
	return out, nil
}

func (v taskViews) render(t *models.Task, clk taskClock) (TaskView, error) {
	tv, err := toTaskView(t)
	if err != nil {
		return TaskView{}, err
	}
	tv.Title = taskTitle(t, v.procedureName(t.Procedure))
	_, rectifications := v.profile.Procedure(policy.ProcRectification)
	tv.Actions = actionsOf(t, rectifications)
	if clk.cal != nil && t.Status == openTaskStatus && t.DueAt != nil {
		n, light := countdown(clk.cal, clk.now, *t.DueAt)
		tv.RemainingWorkdays, tv.Light = &n, light
	}
	return tv, nil
}

// procedureName is the procedure's name in the profile in force, or its code.
func (v taskViews) procedureName(code string) string {
	if p, ok := v.profile.Procedure(code); ok && p.Name != "" {
		return p.Name
	}
	return code
}

// taskTitle is one line a list can show: the subject, the applicant department and the
// procedure, those known, e.g. 「市场主体登记基本信息 · 人社局 · 有条件共享申请」, a side task
// marked as such.
func taskTitle(t *models.Task, procedure string) string {
	parts := make([]string, 0, 3)
	for _, p := range []string{t.Subject, t.ApplicantDepartmentName, procedure} {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	title := strings.Join(parts, " · ")
	switch t.Kind {
	case activitiesTaskKindSupervision:
		return "督办：" + title
	case taskKindExtension:
		return "延期审批：" + title
	}
	return title
}

// countdown is what TaskView documents for remaining_workdays and light, of a task due at due,
// at now, on cal: the deadline rules count whole working days of China (Asia/Shanghai) and do
// not count the current day.
func countdown(cal *calendar.Calendar, now, due time.Time) (int, string) {
	if now.After(due) {
		// Past due by k working days, at least 1: on the days off right after a deadline none
		// has passed yet, but the task is late all the same.
		return -max(cal.WorkdaysOverdue(now, due), 1), lightRed
	}
	n := cal.WorkdaysRemaining(now, due)
	if n <= yellowWorkdays {
		return n, lightYellow
	}
	return n, lightGreen
}
