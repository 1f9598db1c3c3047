package e2e

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
)

// Task is the part of a task (待办) the driver uses.
type Task struct {
	ID                    string     `json:"id"`
	Kind                  string     `json:"kind"` // step, supervision or extension
	ParentTaskID          string     `json:"parent_task_id"`
	RequestID             string     `json:"request_id"`
	Procedure             string     `json:"procedure"`
	Step                  string     `json:"step"`
	CandidateDepartmentID string     `json:"candidate_department_id"`
	CandidateRole         string     `json:"candidate_role"`
	Status                string     `json:"status"`
	Decision              string     `json:"decision"`
	Decisions             []Decision `json:"decisions"`
}

// Decision is one decision a task allows and the fields it requires.
type Decision struct {
	Code           string   `json:"code"`
	RequiredFields []string `json:"required_fields"`
}

// Allows reports whether the task lists the decision.
func (t Task) Allows(decision string) bool {
	return slices.ContainsFunc(t.Decisions, func(d Decision) bool { return d.Code == decision })
}

// TaskMatch selects a task of the inbox; empty fields match anything.
type TaskMatch struct {
	Procedure string // procedure code, also the inbox's filter
	RequestID string // the case: SR-…, DC-…, AR-<year>-<department>
	Step      string
	Kind      string // step, supervision or extension; "" matches every kind
}

func (m TaskMatch) String() string {
	return fmt.Sprintf("procedure %q request %q step %q kind %q", m.Procedure, m.RequestID, m.Step, m.Kind)
}

func (m TaskMatch) matches(t Task) bool {
	return (m.Procedure == "" || t.Procedure == m.Procedure) && (m.RequestID == "" || t.RequestID == m.RequestID) &&
		(m.Step == "" || t.Step == m.Step) && (m.Kind == "" || t.Kind == m.Kind)
}

// Inbox lists every open task of token's principal at base (GET /api/v1/tasks, all pages),
// optionally of one procedure.
func Inbox(t testing.TB, base, token, procedure string) []Task {
	t.Helper()
	var all []Task
	cursor := ""
	for {
		q := url.Values{"status": {"open"}, "limit": {"100"}}
		if procedure != "" {
			q.Set("procedure", procedure)
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Items      []Task `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		Expect(t, Request{Method: "GET", URL: APIPath(base, "/tasks?"+q.Encode()), Token: token}, 200).Decode(t, &page)
		all = append(all, page.Items...)
		if page.NextCursor == "" || len(page.Items) == 0 {
			return all
		}
		cursor = page.NextCursor
	}
}

// FindTask waits until the open task m selects is in the inbox of token's principal at base,
// and returns it: a step's task appears once the workflow has projected it.
func FindTask(t testing.TB, base, token string, m TaskMatch) Task {
	t.Helper()
	var found Task
	WaitFor(t, Timeout, func() error {
		for _, task := range Inbox(t, base, token, m.Procedure) {
			if m.matches(task) {
				found = task
				return nil
			}
		}
		return fmt.Errorf("no open task with %s in the inbox at %s", m, base)
	})
	return found
}

// CompleteTask decides a task through base: body is {"decision": …} with the fields the
// decision requires, at the top level. The task's answer must be 200.
func CompleteTask(t testing.TB, base, token, taskID string, body map[string]any) Task {
	t.Helper()
	var out Task
	Expect(t, Request{Method: "POST", URL: TaskPath(base, taskID, "complete"), Token: token, Body: body}, 200).Decode(t, &out)
	return out
}

// GetTask reads one task through base.
func GetTask(t testing.TB, base, token, taskID string) Task {
	t.Helper()
	var out Task
	Expect(t, Request{Method: "GET", URL: TaskPath(base, taskID, ""), Token: token}, 200).Decode(t, &out)
	return out
}
