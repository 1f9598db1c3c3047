package console

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"

	"github.com/datashare/datashare/api"
)

// The applicant's and the citizen's pages: the catalog, a new share or open-data request,
// the lists of requests and grants, and a case's own page with the actions its applicant has.

type catalogData struct {
	Items     []api.CatalogResourceView
	Q         string
	ShareType string
	Types     []option
	Next      string
	First     string
	// CanShare: the caller may ask for shares (applicant); CanOpen: for open data (citizen,
	// where the profile provides for it).
	CanShare bool
	CanOpen  bool
	MyDept   string
	// CanCorrect: the caller may report problem data (applicant) of an unconditionally shared
	// resource, or of one in Granted (its department's active grants); CanFixOpen: a citizen
	// may apply to correct an open-catalog entry. The profile must provide for each.
	CanCorrect bool
	Granted    map[int64]bool
	CanFixOpen bool
}

// catalog searches the published catalog (a citizen's API answer holds the open catalog only).
func (c *Console) catalog(r *req) {
	me, err := r.whoami()
	if err != nil {
		r.fail(err)
		return
	}
	q, st, cursor := r.Query("q"), r.Query("share_type"), r.Query("cursor")
	var list api.CatalogResourceList
	if err := r.api.get(query("/api/v1/catalog/resources", "status", "published", "q", q, "share_type", st,
		"limit", strconv.Itoa(pageSize), "cursor", cursor), &list); err != nil {
		r.fail(err)
		return
	}
	d := catalogData{Items: list.Items, Q: q, ShareType: st, MyDept: me.DepartmentID,
		CanShare: hasRole(me, "applicant"), CanOpen: hasRole(me, "citizen") && applies(c.profile(r.api), "open_data"),
		CanCorrect: hasRole(me, "applicant") && applies(c.profile(r.api), "correction"),
		CanFixOpen: hasRole(me, "citizen") && applies(c.profile(r.api), "open_catalog_correction")}
	if d.CanCorrect {
		// Data the department obtained under a grant may be reported; one page of its active
		// grants covers the links (the API decides the report itself).
		d.Granted = map[int64]bool{}
		var grants api.GrantList
		if err := r.api.get(query("/api/v1/grants", "status", "active", "limit", "100"), &grants); err == nil {
			for _, g := range grants.Items {
				if g.ConsumerDeptID == me.DepartmentID {
					d.Granted[g.ResourceID] = true
				}
			}
		}
	}
	d.Types = []option{{Value: "", Label: "全部", Selected: st == ""}}
	for _, t := range []string{"unconditional", "conditional", "none"} {
		d.Types = append(d.Types, option{Value: t, Label: label(shareTypes, t) + "共享", Selected: st == t})
	}
	if list.NextCursor != "" {
		d.Next = query("/console/catalog", "q", q, "share_type", st, "cursor", list.NextCursor)
	}
	if cursor != "" {
		d.First = query("/console/catalog", "q", q, "share_type", st)
	}
	c.departments(r.api)
	title := "数据目录"
	if citizenOnly(me) {
		title = "开放目录"
	}
	r.render(http.StatusOK, "catalog", title, d)
}

type requestListData struct {
	Rows     []listRow
	Columns  []string
	Status   string
	Statuses []option
	Next     string
	First    string
	Empty    string
	// NewHref and NewLabel are the button to a new case, when the caller may start one.
	NewHref, NewLabel string
}

var shareStatusCodes = []string{"pending", "refused", "negotiating", "coordinating", "granted", "rejected", "withdrawn", "suspended", "revoked", "expired"}
var openDataStatusCodes = []string{"pending", "approved", "refused", "opened", "withdrawn"}

// shareRequests lists the department's share requests, as applicant, provider or deciding
// party (the authority: all), newest first.
func (c *Console) shareRequests(r *req) { c.requestList(r, shareKind) }

// openDataRequests lists a citizen's own open-data requests (a producer's: its resources').
func (c *Console) openDataRequests(r *req) { c.requestList(r, openDataKind) }

// requestList is a procedure's list as the API gives it to the caller, newest first, with
// its status filter and paging.
func (c *Console) requestList(r *req, k *caseKind) {
	me, err := r.whoami()
	if err != nil {
		r.fail(err)
		return
	}
	status, cursor := r.Query("status"), r.Query("cursor")
	var list struct {
		Items      []map[string]any `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
	if err := r.api.get(query(k.API, "status", status, "limit", strconv.Itoa(pageSize), "cursor", cursor), &list); err != nil {
		r.fail(err)
		return
	}
	names, _ := c.departments(r.api)
	x := cellEnv{depts: names, pol: c.profile(r.api), code: k.Code}
	d := requestListData{Status: status, Empty: k.Empty}
	if d.Empty == "" {
		d.Empty = "没有符合条件的事项。"
	}
	for _, col := range k.Columns {
		d.Columns = append(d.Columns, col.Header)
	}
	for _, it := range list.Items {
		id := str(it, "id")
		row := listRow{ID: id, URL: requestURL(k.Code, id), WorkflowID: str(it, "workflow_id")}
		for _, col := range k.Columns {
			row.Cells = append(row.Cells, col.Cell(it, x))
		}
		d.Rows = append(d.Rows, row)
	}
	if k.Creates != nil && k.Creates(me) {
		d.NewLabel, d.NewHref = k.NewLabel, k.NewHref
		if d.NewHref == "" {
			d.NewHref = k.Page + "/new"
		}
	}
	d.Statuses = []option{{Value: "", Label: "全部", Selected: status == ""}}
	for _, s := range k.Statuses {
		d.Statuses = append(d.Statuses, option{Value: s, Label: label(requestStatuses, s), Selected: s == status})
	}
	if list.NextCursor != "" {
		d.Next = query(k.Page, "status", status, "cursor", list.NextCursor)
	}
	if cursor != "" {
		d.First = query(k.Page, "status", status)
	}
	r.render(http.StatusOK, "requests", k.title(me), d)
}

type grantsData struct {
	Items    []api.GrantView
	Status   string
	Statuses []option
	Next     string
	First    string
}

// grants lists the department's grants as consumer or provider.
func (c *Console) grants(r *req) {
	status, cursor := r.Query("status"), r.Query("cursor")
	var list api.GrantList
	if err := r.api.get(query("/api/v1/grants", "status", status, "limit", strconv.Itoa(pageSize), "cursor", cursor), &list); err != nil {
		r.fail(err)
		return
	}
	d := grantsData{Items: list.Items, Status: status}
	d.Statuses = []option{{Value: "", Label: "全部", Selected: status == ""}}
	for _, s := range []string{"active", "suspended", "revoked", "expired"} {
		d.Statuses = append(d.Statuses, option{Value: s, Label: label(requestStatuses, s), Selected: s == status})
	}
	if list.NextCursor != "" {
		d.Next = query("/console/grants", "status", status, "cursor", list.NextCursor)
	}
	if cursor != "" {
		d.First = query("/console/grants", "status", status)
	}
	c.departments(r.api)
	r.render(http.StatusOK, "grants", "共享授权", d)
}

// newRequestData is the form of a new case of a procedure.
type newRequestData struct {
	Code   string
	Action string
	// Resource is the catalog entry the case is about, when the form names one.
	Resource        *api.CatalogResourceView
	ResourceHeading string
	Fields          []fieldView
	Form            *formState
	Submit          string
	// Key is the form's Idempotency-Key: a form sent twice (a double click, a resend after a
	// lost answer) creates one case.
	Key string
}

// idemKey is what the API accepts as an Idempotency-Key: 1–128 printable ASCII characters.
var idemKey = regexp.MustCompile(`^[\x21-\x7e]{1,128}$`)

func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "console-" + hex.EncodeToString(b[:])
}

func (c *Console) newShareRequest(r *req) { c.newCase(r, shareKind) }

func (c *Console) newOpenDataRequest(r *req) { c.newCase(r, openDataKind) }

// newRequestForm shows a procedure's form: empty, or as posted with the API's errors.
func (c *Console) newRequestForm(r *req, k *caseKind, status int, st *formState, key string) {
	me, err := r.whoami()
	if err != nil {
		r.fail(err)
		return
	}
	d := newRequestData{Code: k.Code, Action: k.Page, Form: st, Key: key, Submit: k.Submit, ResourceHeading: k.ResourceHeading}
	if st.Errors == nil {
		st.Errors = map[string]string{}
	}
	if id := st.Value("resource_id"); id != "" && k.ResourceHeading != "" {
		var res api.CatalogResourceView
		switch err := r.api.get("/api/v1/catalog/resources/"+url.PathEscape(id), &res); {
		case err == nil:
			d.Resource = &res
		case isStatus(err, http.StatusNotFound, http.StatusBadRequest):
			if st.Errors["resource_id"] == "" {
				st.Errors["resource_id"] = "没有这个数据资源，请从目录中选择。"
			}
		default:
			r.fail(err)
			return
		}
	}
	for _, f := range k.Fields {
		if f.Only != nil && !f.Only(me) {
			continue
		}
		fv := fieldView{Name: f.Name, Label: f.Label, ID: "n-" + f.Name, Kind: f.Kind, Required: f.Required,
			Value: st.Value(f.Name), Error: st.Error(f.Name), Hint: f.Hint}
		if fv.Label == "" {
			fv.Label = label(fieldNames, f.Name)
		}
		if f.Name == "resource_id" && d.Resource != nil {
			fv.Kind, fv.Hint = "hidden", ""
		}
		if f.Options != nil {
			opts, err := f.Options(c, r)
			if err != nil {
				r.fail(err)
				return
			}
			fv.Options = []option{{Value: "", Label: "请选择"}}
			for _, o := range opts {
				o.Selected = o.Value == fv.Value
				fv.Options = append(fv.Options, o)
			}
		}
		d.Fields = append(d.Fields, fv)
	}
	c.departments(r.api)
	r.render(status, "new_request", k.NewTitle, d)
}

func (c *Console) createShareRequest(r *req) { c.createCase(r, shareKind) }

func (c *Console) createOpenDataRequest(r *req) { c.createCase(r, openDataKind) }

// intOr is the number typed, or what was typed when it is none (the API then names the field).
func intOr(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if s == "" {
		return 0
	}
	return s
}

// createRequest sends a new case to the API under the form's Idempotency-Key and goes to its
// page; a refusal shows the form again as typed, with the API's errors at their fields.
func (c *Console) createRequest(r *req, k *caseKind, body map[string]any) {
	key := trimmed(r, "idem")
	var hdr []string
	if idemKey.MatchString(key) {
		hdr = []string{"Idempotency-Key", key}
	} else {
		key = newKey()
	}
	var created struct {
		ID string `json:"id"`
	}
	err := r.api.call(http.MethodPost, k.API, body, &created, hdr...)
	if err == nil {
		to := requestURL(k.Code, created.ID)
		if to == "" {
			// A round of annual reports has no case page: its reports are in the inboxes.
			to = Prefix
		}
		r.redirect(to, k.Done)
		return
	}
	e, ok := asAPIError(err)
	if !ok || e.Status >= 500 {
		r.fail(err)
		return
	}
	st := &formState{Values: map[string]string{}, Errors: map[string]string{}, Message: e.Message}
	for n := range r.Request.PostForm {
		st.Values[n] = r.Request.PostForm.Get(n)
	}
	for n, msg := range e.Fields {
		n = k.fieldName(n)
		if st.Errors[n] == "" {
			st.Errors[n] = msg
		}
	}
	st.explainBlank()
	// A refused create is not remembered under its key (docs/api.md: failed attempts are not),
	// so the corrected form may send the same key again.
	c.newRequestForm(r, k, e.Status, st, key)
}

// requestData is a case's page.
type requestData struct {
	Procedure string
	ID        string
	Facts     []fact
	Common    requestCommon
	OpenTasks []taskItem
	Actions   []string // withdraw, urge, negotiation
	// GrantActions are the actions on the request's grant of the authority and of the
	// providing department's approvers: suspend (暂停), resume (恢复), revoke (撤销).
	GrantActions []string
	Failed       string
	Form         *formState
	WorkflowID   string
	// Visible are the open tasks the caller may open (the API shows a task to its
	// departments, its assignee and the authority); the others are listed without a link.
	Visible map[string]bool
}

// requestCommon is what every procedure's detail carries in the same words.
type requestCommon struct {
	ID               string                     `json:"id"`
	Status           string                     `json:"status"`
	CurrentStep      string                     `json:"current_step"`
	DueAt            *string                    `json:"due_at"`
	OriginalDueAt    *string                    `json:"original_due_at"`
	Overdue          bool                       `json:"overdue"`
	LegalBasis       []string                   `json:"legal_basis"`
	LocalDefault     bool                       `json:"local_default"`
	WorkflowID       string                     `json:"workflow_id"`
	ApplicantDeptID  string                     `json:"applicant_dept_id"`
	ApplicantSubject string                     `json:"applicant_subject"`
	ReporterDeptID   string                     `json:"reporter_dept_id"`
	Extension        *api.OpenDataExtensionView `json:"extension"`
	Grant            *api.GrantView             `json:"grant"`
	Timeline         []api.TimelineEventView    `json:"timeline"`
	OpenTasks        []taskItem                 `json:"open_tasks"`
}

// requestActions are the actions a case's page offers, by procedure; the API decides whether
// the caller may take them now.
var requestActions = map[string][]string{
	"share":      {"withdraw", "urge", "negotiation", "suspend", "resume", "revoke"},
	"open_data":  {"withdraw"},
	"correction": {"accept", "dispute"},
}

func (c *Console) requestPage(r *req) {
	c.showRequest(r, http.StatusOK, "", nil)
}

func (c *Console) showRequest(r *req, status int, failed string, st *formState) {
	proc, id := r.Param("procedure"), r.Param("id")
	p, ok := requestPaths[proc]
	if !ok {
		c.plainError(r.Context, http.StatusNotFound, "没有这类事项。")
		return
	}
	var raw json.RawMessage
	if err := r.api.get(p+url.PathEscape(id), &raw); err != nil {
		r.fail(err)
		return
	}
	var m map[string]any
	var common requestCommon
	if err := json.Unmarshal(raw, &m); err != nil {
		r.fail(err)
		return
	}
	if err := json.Unmarshal(raw, &common); err != nil {
		r.fail(err)
		return
	}
	me, err := r.whoami()
	if err != nil {
		r.fail(err)
		return
	}
	names, _ := c.departments(r.api)
	pol := c.profile(r.api)
	d := requestData{Procedure: proc, ID: id, Facts: requestFacts(m, names, pol, proc), Common: common,
		OpenTasks: common.OpenTasks, Failed: failed, Form: st, WorkflowID: common.WorkflowID}
	if d.Form == nil {
		d.Form = &formState{}
	}
	d.Visible = map[string]bool{}
	for _, t := range common.OpenTasks {
		d.Visible[t.ID] = hasRole(me, "authority") || t.Assignee == me.Subject || (me.DepartmentID != "" &&
			((me.DepartmentID == t.CandidateDepartmentID && hasRole(me, t.CandidateRole)) ||
				(me.DepartmentID == t.PartnerDepartmentID && hasRole(me, t.PartnerRole))))
	}
	final := slices.Contains([]string{"granted", "rejected", "withdrawn", "suspended", "revoked", "expired", "approved", "opened"}, common.Status)
	switch proc {
	case "share":
		applicant := hasRole(me, "applicant") && me.DepartmentID != "" && me.DepartmentID == common.ApplicantDeptID
		if applicant && !final {
			d.Actions = append(d.Actions, "withdraw")
		}
		if (applicant || hasRole(me, "authority")) && len(common.OpenTasks) > 0 {
			d.Actions = append(d.Actions, "urge")
		}
		if applicant && common.Status == "refused" {
			d.Actions = append(d.Actions, "negotiation")
		}
		// The authority, and the providing department's approvers (政务数据共享条例
		// 第二十七条第二款), act on the grant; the API decides whether the power holds.
		if g := common.Grant; g != nil && (hasRole(me, "authority") || (hasRole(me, "approver") && me.DepartmentID == g.ProviderDeptID)) {
			d.GrantActions = grantActions[g.Status]
		}
	case "open_data":
		if hasRole(me, "citizen") && common.ApplicantSubject == me.Subject && common.Status == "pending" {
			d.Actions = append(d.Actions, "withdraw")
		}
	case "correction":
		// The reporting department's applicant answers the result: accepts it, or disputes it
		// once (the authority then coordinates).
		if hasRole(me, "applicant") && me.DepartmentID != "" && me.DepartmentID == common.ReporterDeptID && common.Status == "answered" {
			d.Actions = append(d.Actions, "accept", "dispute")
		}
	}
	title := procedureName(pol, proc) + " " + id
	r.render(status, "request", title, d)
}

// grantActions are the actions the authority may take on a grant in a status; the API
// decides whether they hold.
var grantActions = map[string][]string{
	"active":    {"suspend", "revoke"},
	"suspended": {"resume", "revoke"},
}

// isGrantAction: the action is on the request's grant (/api/v1/grants/:id/…), not on the request.
func isGrantAction(action string) bool {
	return action == "suspend" || action == "resume" || action == "revoke"
}

// requestAction sends an action on a case: the applicant's withdraw (撤回), urge (催办), ask
// for negotiation (协商); the reporter's accept (接受) or dispute (异议) of a correction's
// result; the authority's suspend (暂停), resume (恢复) or revoke (撤销) of the
// share request's grant.
func (c *Console) requestAction(r *req) {
	proc, id, action := r.Param("procedure"), r.Param("id"), r.Param("action")
	if !slices.Contains(requestActions[proc], action) {
		c.plainError(r.Context, http.StatusNotFound, "没有这个操作。")
		return
	}
	body := map[string]any{}
	switch action {
	case "withdraw", "negotiation", "suspend", "resume", "revoke", "dispute":
		body["reason"] = trimmed(r, "reason")
	case "urge":
		body["text"] = trimmed(r, "text")
	case "accept":
		body["comment"] = trimmed(r, "comment")
	}
	target := requestPaths[proc] + url.PathEscape(id) + "/" + action
	if isGrantAction(action) {
		var sr struct {
			Grant *api.GrantView `json:"grant"`
		}
		if err := r.api.get(requestPaths[proc]+url.PathEscape(id), &sr); err != nil {
			r.fail(err)
			return
		}
		if sr.Grant == nil {
			c.plainError(r.Context, http.StatusNotFound, "这个申请没有共享授权。")
			return
		}
		target = "/api/v1/grants/" + url.PathEscape(sr.Grant.ID) + "/" + action
	}
	err := r.api.call(http.MethodPost, target, body, nil)
	if err == nil {
		done := map[string]string{"withdraw": "withdrawn", "urge": "urged", "negotiation": "negotiation",
			"suspend": "grant_suspended", "resume": "grant_resumed", "revoke": "grant_revoked",
			"accept": "result_accepted", "dispute": "result_disputed"}[action]
		r.redirect(requestURL(proc, id), done)
		return
	}
	e, ok := asAPIError(err)
	// A grant action the caller may not take is the API's refusal page: the forms are the
	// authority's only, so there is no form of the caller's to show it at.
	if !ok || e.Status >= 500 || (isGrantAction(action) && (e.Status == http.StatusForbidden || e.Status == http.StatusNotFound)) {
		r.fail(err)
		return
	}
	st := &formState{Values: map[string]string{}, Errors: map[string]string{}, Message: e.Message}
	for k := range r.Request.PostForm {
		st.Values[k] = r.Request.PostForm.Get(k)
	}
	for k, v := range e.Fields {
		st.Errors[k] = v
	}
	st.explainBlank()
	c.showRequest(r, e.Status, action, st)
}
