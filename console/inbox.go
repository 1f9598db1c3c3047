package console

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/datashare/datashare/api"
)

// taskItem is a task as the API lists it, plus the facts the inbox shows when the API carries
// them (title, resource, applicant, purpose, remaining working days, the traffic light). They
// are optional: an API without them leaves them empty and the page falls back on the
// request id and the due date. Declared here as well as in api.TaskView, so that the console
// reads them whichever API it talks to; fields of the same JSON name there are shadowed by
// these.
type taskItem struct {
	api.TaskView
	Title                   string `json:"title"`
	ResourceName            string `json:"resource_name"`
	ApplicantDepartmentName string `json:"applicant_department_name"`
	Purpose                 string `json:"purpose"`
	RemainingWorkdays       *int   `json:"-"`
	Light                   string `json:"-"`
	// RawRemainingWorkdays and RawLight take the members remaining_workdays and light in
	// place of TaskView's typed fields, so that a value of a type the console does not expect
	// is ignored rather than failing the page; UnmarshalJSON reads them leniently.
	RawRemainingWorkdays json.RawMessage `json:"remaining_workdays"`
	RawLight             json.RawMessage `json:"light"`
}

// UnmarshalJSON decodes the API's task and the optional facts.
func (t *taskItem) UnmarshalJSON(b []byte) error {
	type plain taskItem // without this method
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*t = taskItem(p)
	var n int
	if len(t.RawRemainingWorkdays) > 0 && string(t.RawRemainingWorkdays) != "null" && json.Unmarshal(t.RawRemainingWorkdays, &n) == nil {
		t.RemainingWorkdays = &n
	}
	var s string
	if json.Unmarshal(t.RawLight, &s) == nil {
		t.Light = s
	}
	return nil
}

type taskList struct {
	Items      []taskItem `json:"items"`
	NextCursor string     `json:"next_cursor"`
	Total      int64      `json:"total"`
}

type taskDetail struct {
	taskItem
	Timeline []api.TimelineEventView `json:"timeline"`
}

// UnmarshalJSON decodes the task (through taskItem's lenient reading) and its timeline.
func (t *taskDetail) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &t.taskItem); err != nil {
		return err
	}
	var tl struct {
		Timeline []api.TimelineEventView `json:"timeline"`
	}
	if err := json.Unmarshal(b, &tl); err != nil {
		return err
	}
	t.Timeline = tl.Timeline
	return nil
}

// inboxData is the inbox (待办) and the done list (已办).
type inboxData struct {
	Items      []inboxRow
	Total      int64
	Procedures []option
	Steps      []option
	Procedure  string
	Step       string
	Next       string // URL of the next page, "" on the last
	First      string // URL of the first page, "" on it
	// Done: the tasks the caller decided (已办), the most recent first.
	Done bool
}

type inboxRow struct {
	taskItem
}

// pageSize is the rows of a list page.
const pageSize = 20

// inbox is 待办: the caller's open tasks by due date, as the API orders them.
func (c *Console) inbox(r *req) { c.taskListPage(r, "open", "待办", false) }

// done is 已办: the tasks the caller decided, the most recent decision first.
func (c *Console) done(r *req) { c.taskListPage(r, "completed", "已办", true) }

func (c *Console) taskListPage(r *req, status, title string, done bool) {
	me, err := r.whoami()
	if err != nil {
		r.fail(err)
		return
	}
	if citizenOnly(me) {
		// A citizen has no task list (the API answers 403): its page is its requests.
		r.Redirect(http.StatusSeeOther, "/console/open-data")
		return
	}
	proc, step, cursor := r.Query("procedure"), r.Query("step"), r.Query("cursor")
	d := inboxData{Procedure: proc, Step: step, Done: done}
	args := []string{"status", status, "procedure", proc, "step", step, "limit", strconv.Itoa(pageSize), "cursor", cursor}
	if done {
		args = append(args, "decided_by", "me")
	}
	var page taskList
	if err := r.api.get(query("/api/v1/tasks", args...), &page); err != nil {
		r.fail(err)
		return
	}
	d.Total = page.Total
	for _, t := range page.Items {
		d.Items = append(d.Items, inboxRow{taskItem: t})
	}
	base := r.Request.URL.Path
	if page.NextCursor != "" {
		d.Next = query(base, "procedure", proc, "step", step, "cursor", page.NextCursor)
	}
	if cursor != "" {
		d.First = query(base, "procedure", proc, "step", step)
	}
	pol := c.profile(r.api)
	d.Procedures = procedureOptions(pol, proc)
	d.Steps = stepOptions(pol, proc, step)
	c.departments(r.api)
	r.render(http.StatusOK, "tasks", title, d)
}

// procedureOptions are the procedures the profile in force provides for.
func procedureOptions(p *api.PolicyView, selected string) []option {
	out := []option{{Value: "", Label: "全部事项", Selected: selected == ""}}
	if p == nil {
		return out
	}
	for _, pr := range p.Procedures {
		if pr.Applies {
			out = append(out, option{Value: pr.Code, Label: procedureName(p, pr.Code), Selected: pr.Code == selected})
		}
	}
	return out
}

// stepOptions are the steps of the chosen procedure, or of every procedure (labelled with it).
func stepOptions(p *api.PolicyView, procedure, selected string) []option {
	out := []option{{Value: "", Label: "全部环节", Selected: selected == ""}}
	if p == nil {
		return out
	}
	seen := map[string]bool{}
	for _, pr := range p.Procedures {
		if !pr.Applies || (procedure != "" && pr.Code != procedure) {
			continue
		}
		for _, s := range pr.Steps {
			if seen[s.Code] {
				continue
			}
			seen[s.Code] = true
			l := stepName(p, pr.Code, s.Code)
			if procedure == "" {
				l = procedureName(p, pr.Code) + "：" + l
			}
			out = append(out, option{Value: s.Code, Label: l, Selected: s.Code == selected})
		}
	}
	return out
}

// trimmed is a form value without surrounding blanks.
func trimmed(r *req, name string) string { return strings.TrimSpace(r.Request.PostForm.Get(name)) }
