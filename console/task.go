package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/datashare/datashare/api"
)

// decisionForm is the form of one of the task's decisions, generated from the fields the API
// says it takes: those it requires, its choices and its optional fields.
type decisionForm struct {
	Code, Label string
	Fields      []fieldView
	Comment     fieldView
	// Posted marks the form that was just refused; Message is the API's message when no
	// field of the form carries it.
	Posted  bool
	Message string
}

type fact struct{ Label, Value string }

type taskPageData struct {
	Task       taskDetail
	URL        string
	Facts      []fact
	RequestURL string
	// FactsNote says why the case's facts are missing (not visible to the caller).
	FactsNote string
	Forms     []decisionForm
	// Candidate: the caller is of the department and role the task is offered to (or its
	// partner); others (the supervising authority) see it without deciding.
	Candidate   bool
	CanClaim    bool
	CanUnclaim  bool
	CanUrge     bool
	CanComment  bool
	CanTransfer bool
	// Supervised is the page of the overdue task a supervision task (督办) is about, whose
	// comments and urges its forms send; "" for other tasks.
	Supervised string
	// AcceptProposal: the other department proposed terms the caller may agree to as they are.
	AcceptProposal bool
	ProposalFacts  []fact
	TransferDepts  []option
	Comment        *formState
	Transfer       *formState
	Urge           *formState
	// Failed names the form the API just refused; TopError is its message when no form can
	// show it (claim, unclaim).
	Failed   string
	TopError string
}

// numericFields are sent as JSON numbers; the API's validators want integers there.
var numericFields = map[string]bool{"validity_days": true, "workdays": true, "requested_validity_days": true, "records": true, "year": true}

// longFields get a textarea: the API's decision fields of several lines (api/tasks.go), and
// resource_versions. The others — a scope, a purpose of use, a legal basis — are one line
// there, so they get a line of text.
var longFields = map[string]bool{"reason": true, "conditions": true, "finding": true,
	"corrected": true, "instruction": true, "interface_description": true, "documentation": true, "report": true,
	"evidence": true, "responsibility_list": true, "description": true, "resource_versions": true,
	"missing": true, "supplement": true}

// jsonFields are structured values typed as JSON.
var jsonFields = map[string]bool{"resource_versions": true}

// lineListFields are lists typed one item a line: a supplement notice's missing items.
var lineListFields = map[string]bool{"missing": true}

// taskID reads the id (and, for a post, the action) from /console/tasks/*id: the id escaped
// (%2F) or not, in the API's form or in a URL-safe one, is passed on to the API as it is.
func taskID(r *req, withAction bool) (id, action string) {
	p := strings.TrimPrefix(r.Param("id"), "/")
	if withAction {
		if i := strings.LastIndexByte(p, '/'); i > 0 {
			p, action = p[:i], p[i+1:]
		}
	}
	return p, action
}

func (c *Console) taskPage(r *req) {
	id, _ := taskID(r, false)
	c.showTask(r, id, http.StatusOK, "", nil)
}

// showTask renders the task page; failed names the form the API refused, with its state.
func (c *Console) showTask(r *req, id string, status int, failed string, st *formState) {
	var t taskDetail
	if err := r.api.get("/api/v1/tasks/"+url.PathEscape(id), &t); err != nil {
		r.fail(err)
		return
	}
	me, err := r.whoami()
	if err != nil {
		r.fail(err)
		return
	}
	names, depts := c.departments(r.api)
	pol := c.profile(r.api)
	d := taskPageData{Task: t, URL: taskURL(t.ID), RequestURL: requestURL(t.Procedure, t.RequestID), Failed: failed}
	d.Candidate = me.DepartmentID != "" &&
		((me.DepartmentID == t.CandidateDepartmentID && hasRole(me, t.CandidateRole)) ||
			(t.PartnerDepartmentID != "" && me.DepartmentID == t.PartnerDepartmentID && hasRole(me, t.PartnerRole)))
	open := t.Status == "open"
	// The API lists the actions the task takes by its kind (a supervision task: comment and
	// urge, on the task it supervises); an API that does not list them leaves every form.
	takes := func(action string) bool { return open && (t.Actions == nil || slices.Contains(t.Actions, action)) }
	supervision := t.Kind == "supervision" && t.ParentTaskID != ""
	if supervision {
		d.Supervised = taskURL(t.ParentTaskID)
	}
	d.CanClaim = takes("claim") && d.Candidate && t.Assignee == "" && t.PartnerDepartmentID == ""
	d.CanUnclaim = takes("unclaim") && t.Assignee == me.Subject
	d.CanUrge = takes("urge") && hasRole(me, "authority") && (supervision || (t.Procedure == "share" && t.Kind == "step"))
	d.CanComment = takes("comment")
	mayDecide := takes("complete") && d.Candidate && (t.Assignee == "" || t.Assignee == me.Subject)

	// The case's facts come from its procedure's own route; a caller that may see the task
	// but not the case (another department's supervision) gets a note instead.
	if p, ok := requestPaths[t.Procedure]; ok && t.RequestID != "" {
		var raw map[string]any
		switch err := r.api.get(p+url.PathEscape(t.RequestID), &raw); {
		case err == nil:
			d.Facts = requestFacts(raw, names, pol, t.Procedure)
		case isStatus(err, http.StatusNotFound, http.StatusForbidden):
			d.FactsNote = "无权查看此事项的申请详情。"
		default:
			r.fail(err)
			return
		}
	}

	if p := t.Proposal; p != nil && open && d.Candidate && p.DepartmentID != me.DepartmentID {
		d.AcceptProposal = true
		for _, k := range sortedKeys(p.Fields) {
			d.ProposalFacts = append(d.ProposalFacts, fact{Label: label(fieldNames, k), Value: factValue(p.Fields[k])})
		}
	}
	if mayDecide {
		for _, dv := range t.Decisions {
			f := decisionForm{Code: dv.Code, Label: label(decisionNames, dv.Code)}
			var posted *formState
			if failed == "complete:"+dv.Code {
				posted, f.Posted = st, true
			}
			add := func(name string, required bool) {
				if slices.ContainsFunc(f.Fields, func(x fieldView) bool { return x.Name == name }) {
					return
				}
				f.Fields = append(f.Fields, c.fieldFor(pol, dv, name, required, depts, posted))
			}
			for _, name := range dv.RequiredFields {
				add(name, true)
			}
			// The API says which fields a decision takes besides those it requires (a grant's
			// conditions of use) and refuses any other: the form has exactly those.
			for _, name := range dv.OptionalFields {
				add(name, false)
			}
			for _, name := range sortedKeys(dv.Choices) {
				add(name, false)
			}
			f.Comment = fieldView{Name: "comment", Label: "备注（可选）", ID: "d-" + dv.Code + "-comment", Kind: "textarea",
				Value: posted.Value("comment"), Error: posted.Error("comment")}
			if posted != nil {
				f.Message = unplacedMessage(posted, append(fieldNames2(f.Fields), "comment"))
			}
			d.Forms = append(d.Forms, f)
		}
	}
	if takes("transfer") && hasRole(me, "authority") {
		for _, dep := range depts {
			d.TransferDepts = append(d.TransferDepts, option{Value: dep.ID, Label: dep.Name})
		}
	}
	d.CanTransfer = takes("transfer") && (d.Candidate || len(d.TransferDepts) > 0)
	d.Comment, d.Transfer, d.Urge = &formState{}, &formState{}, &formState{}
	switch failed {
	case "comment":
		d.Comment = st
	case "transfer":
		d.Transfer = st
	case "urge":
		d.Urge = st
	default:
		// claim, unclaim, accept, or a decision the task no longer offers (it was decided
		// meanwhile): no form can hold the message.
		if st != nil && !slices.ContainsFunc(d.Forms, func(f decisionForm) bool { return f.Posted }) {
			d.TopError = st.Message
		}
	}
	title := label(taskKinds, t.Kind) + "：" + stepName(pol, t.Procedure, t.Step)
	r.render(status, "task", title, d)
}

// fieldFor builds the input of one decision field.
func (c *Console) fieldFor(pol *api.PolicyView, dv api.DecisionView, name string, required bool, depts []api.DepartmentView, posted *formState) fieldView {
	f := fieldView{Name: name, Label: label(fieldNames, name), ID: "d-" + dv.Code + "-" + name, Kind: "text",
		Required: required, Value: posted.Value(name), Error: posted.Error(name)}
	switch {
	case len(dv.Choices[name]) > 0:
		f.Kind = "select"
		f.Options = append(f.Options, option{Value: "", Label: "请选择"})
		for _, v := range dv.Choices[name] {
			f.Options = append(f.Options, option{Value: v, Label: choiceLabel(pol, name, v), Selected: v == f.Value})
		}
	case name == "department_id" && len(depts) > 0:
		f.Kind = "select"
		f.Options = append(f.Options, option{Value: "", Label: "请选择部门"})
		for _, d := range depts {
			f.Options = append(f.Options, option{Value: d.ID, Label: d.Name, Selected: d.ID == f.Value})
		}
	case numericFields[name]:
		f.Kind = "number"
	case longFields[name]:
		f.Kind = "textarea"
	}
	return f
}

func fieldNames2(fs []fieldView) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// unplacedMessage is the API's message when none of the form's fields carries an error of its
// own (a conflict, a refusal by role), so it is shown at the top of the form instead.
func unplacedMessage(st *formState, fields []string) string {
	for _, f := range fields {
		if st.Errors[f] != "" {
			return ""
		}
	}
	return st.Message
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func isStatus(err error, statuses ...int) bool {
	e, ok := asAPIError(err)
	return ok && slices.Contains(statuses, e.Status)
}

// taskAction sends one action of the task page to the API: claim, unclaim, comment, transfer,
// complete (a decision), accept (the other department's proposal) or urge.
func (c *Console) taskAction(r *req) {
	id, action := taskID(r, true)
	path := "/api/v1/tasks/" + url.PathEscape(id)
	form := r.Request.PostForm
	st := &formState{Values: map[string]string{}, Errors: map[string]string{}}
	for k := range form {
		if k != "csrf" {
			st.Values[k] = form.Get(k)
		}
	}
	var err error
	var failed, done string
	switch action {
	case "claim", "unclaim":
		failed, done = action, action+"ed"
		err = r.api.call(http.MethodPost, path+"/"+action, nil, nil)
	case "comment":
		failed, done = "comment", "commented"
		err = r.api.call(http.MethodPost, path+"/comments", map[string]any{"text": trimmed(r, "text")}, nil)
	case "transfer":
		failed, done = "transfer", "transferred"
		err = r.api.call(http.MethodPost, path+"/transfer", map[string]any{"to_subject": trimmed(r, "to_subject"),
			"to_department": trimmed(r, "to_department"), "reason": trimmed(r, "reason")}, nil)
	case "complete":
		code := trimmed(r, "decision")
		failed, done = "complete:"+code, "decided"
		err = r.api.call(http.MethodPost, path+"/complete", decisionBody(form), nil)
	case "accept":
		// Agreeing to the other department's proposal: the same decision without fields.
		failed, done = "accept", "decided"
		err = r.api.call(http.MethodPost, path+"/complete", map[string]any{"decision": trimmed(r, "decision")}, nil)
	case "urge":
		// On a supervision task the API urges the task supervised.
		failed, done = "urge", "urged"
		err = r.api.call(http.MethodPost, path+"/urge", map[string]any{"text": trimmed(r, "text")}, nil)
	default:
		c.plainError(r.Context, http.StatusNotFound, "没有这个操作。")
		return
	}
	if err == nil {
		r.redirect(taskURL(id), done)
		return
	}
	e, ok := asAPIError(err)
	if !ok || e.Status >= 500 {
		r.fail(err)
		return
	}
	st.Message = e.Message
	for k, v := range e.Fields {
		st.Errors[k] = v
	}
	st.explainBlank()
	c.showTask(r, id, e.Status, failed, st)
}

// decisionBody is the /complete body of a decision form: the decision, the comment, and every
// other non-empty field — numbers as numbers, structured fields as JSON when they parse.
// An empty field is left out, so the API names it as missing.
func decisionBody(form url.Values) map[string]any {
	body := map[string]any{}
	for k := range form {
		v := strings.TrimSpace(form.Get(k))
		if k == "csrf" || v == "" {
			continue
		}
		switch {
		case numericFields[k]:
			if n, err := strconv.Atoi(v); err == nil {
				body[k] = n
				continue
			}
		case jsonFields[k] && json.Valid([]byte(v)):
			body[k] = json.RawMessage(v)
			continue
		case lineListFields[k]:
			items := []string{}
			for _, line := range strings.Split(v, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					items = append(items, line)
				}
			}
			body[k] = items
			continue
		}
		body[k] = v
	}
	return body
}

// factOrder lists the facts of a case shown on task and request pages, in order; others are
// left out (ids, workflow internals, lists shown elsewhere).
var factOrder = []struct{ key, label string }{
	{"title", "标题"},
	{"resource_code", "资源编码"},
	{"resource_name", "数据资源"},
	{"applicant_department_name", "申请部门"},
	{"applicant_dept_id", "申请部门"},
	{"applicant_subject", "申请人"},
	{"reporter_dept_id", "报告部门"},
	{"provider_dept_id", "提供部门"},
	{"deciding_dept_id", "决定部门"},
	{"department_id", "部门"},
	{"open_type", "开放类型"},
	{"purpose", "用途"},
	{"scope", "范围"},
	{"duty_basis", "履职依据"},
	{"requested_validity_days", "申请有效期（天）"},
	{"trigger", "触发原因"},
	{"basis", "依据"},
	{"changed_on", "变化发生日"},
	{"agreed_due", "约定交付日"},
	{"violation", "违规情形"},
	{"workdays", "整改时限（工作日）"},
	{"description", "描述"},
	{"fields", "涉及字段"},
	{"evidence", "佐证材料"},
	{"field", "更正字段"},
	{"proposed_value", "建议值"},
	{"conditions", "使用条件"},
	{"reason", "理由"},
	{"refusal_basis", "不予开放依据"},
	{"result", "核实结果"},
	{"result_text", "结果说明"},
	{"status", "状态"},
	{"current_step", "当前环节"},
	{"created_at", "提交时间"},
	{"closed_at", "办结时间"},
}

var deptFacts = map[string]bool{"applicant_dept_id": true, "provider_dept_id": true, "deciding_dept_id": true, "department_id": true,
	"reporter_dept_id": true}

// requestFacts picks the shown facts of a case from its JSON, in words.
func requestFacts(raw map[string]any, depts map[string]string, pol *api.PolicyView, procedure string) []fact {
	var out []fact
	seen := map[string]bool{}
	for _, f := range factOrder {
		v := factValue(raw[f.key])
		if v == "" || seen[f.label] {
			continue
		}
		switch {
		case deptFacts[f.key]:
			if n := depts[v]; n != "" {
				v = n
			}
		case f.key == "status":
			v = label(requestStatuses, v)
		case f.key == "current_step":
			v = stepName(pol, procedure, v)
		case f.key == "open_type":
			v = label(shareTypes, v)
		case f.key == "trigger":
			v = label(catalogUpdateTriggers, v)
		case f.key == "field":
			v = label(openCatalogFields, v)
		case f.key == "result":
			v = label(decisionNames, v)
		case f.key == "created_at" || f.key == "closed_at":
			v = fmtDateTime(v)
		}
		seen[f.label] = true
		out = append(out, fact{Label: f.label, Value: v})
	}
	return out
}
