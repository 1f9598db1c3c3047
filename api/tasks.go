package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// TaskStore is what the task handlers need of the read model.
type TaskStore interface {
	ListInbox(ctx context.Context, f models.InboxFilter) ([]models.Task, int64, string, error)
	ListDecided(ctx context.Context, subject string, f models.InboxFilter) ([]models.Task, int64, string, error)
	GetTask(ctx context.Context, id string) (*models.Task, error)
	HasOpenTask(ctx context.Context, workflowID string) (bool, error)
	ListTaskTimeline(ctx context.Context, taskID string) ([]models.TimelineEvent, error)
}

// WorkflowUpdater sends Temporal Updates; client.Client is one.
type WorkflowUpdater interface {
	UpdateWorkflow(ctx context.Context, options client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error)
}

// UserLookup finds the person a task is transferred to.
type UserLookup interface {
	GetUser(ctx context.Context, id string) (*models.User, error)
	GetDepartment(ctx context.Context, id string) (*models.Department, error)
}

// updateTimeout bounds one action: the workflow validates, runs the handler's projection and
// answers; past it the caller gets 503 and may retry.
const updateTimeout = 30 * time.Second

// taskHandlers serve the inbox (待办) from the read model and send every action on a task as
// a Temporal Update to the task's workflow, whose validator has the last word
// (docs/architecture.md): the API only adds the verified actor and checks what the workflow cannot see.
type taskHandlers struct {
	store     TaskStore
	workflows WorkflowUpdater
	users     UserLookup
	views     taskViews
}

// actorOf is the token's principal as the workflows see it; never taken from a request body.
func actorOf(p auth.Principal) contract.Actor {
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	return contract.Actor{Subject: p.Subject, DepartmentID: p.DepartmentID, Roles: roles}
}

// canSee reports whether p may read t: a candidate or partner (department and role), the
// assignee, or the data authority.
func canSee(p auth.Principal, t *models.Task) bool {
	return (t.Assignee != "" && t.Assignee == p.Subject) ||
		(p.DepartmentID != "" && p.DepartmentID == t.CandidateDepartmentID && p.Has(auth.Role(t.CandidateRole))) ||
		(p.DepartmentID != "" && p.DepartmentID == t.PartnerDepartmentID && p.Has(auth.Role(t.PartnerRole))) ||
		p.Has(auth.RoleAuthority)
}

func (h taskHandlers) list(c *gin.Context) {
	p := mustPrincipal(c)
	a := actorOf(p)
	f := models.InboxFilter{
		DepartmentID: p.DepartmentID, Roles: a.Roles, Subject: p.Subject,
		Procedure: strings.TrimSpace(c.Query("procedure")), Step: strings.TrimSpace(c.Query("step")),
		Cursor: c.Query("cursor"),
	}
	q := queryErrors{}
	// decided_by=me lists the tasks the caller decided (已办) instead of its inbox; nobody
	// lists another person's.
	decided := false
	switch c.Query("decided_by") {
	case "":
	case "me", p.Subject:
		decided = true
	default:
		q["decided_by"] = "must be me (the tasks the caller decided)"
	}
	switch s := c.Query("status"); s {
	case "":
		f.Status = "open"
	case "all":
	case "open", "completed", "closed":
		f.Status = s
	default:
		q["status"] = "must be one of: open, completed, closed, all"
	}
	f.Overdue = q.boolean(c, "overdue")
	if s := c.Query("due_before"); s != "" {
		t, err := parseInstant(s)
		if err != nil {
			q["due_before"] = instantRule
		}
		f.DueBefore = &t
	}
	f.Limit = q.limit(c)
	if q.abortIfAny(c) {
		return
	}
	list := h.store.ListInbox
	if decided {
		list = func(ctx context.Context, f models.InboxFilter) ([]models.Task, int64, string, error) {
			return h.store.ListDecided(ctx, p.Subject, f)
		}
	}
	items, total, next, err := list(c.Request.Context(), f)
	if err != nil {
		abort(c, err)
		return
	}
	views, err := h.views.list(c.Request.Context(), items)
	if err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, TaskList{Items: views, NextCursor: next, Total: total})
}

// parseInstant reads an RFC 3339 time, or a date as the start of that day in China, in the
// years 1000 to 9999 (UTC): both databases store no instant before year 1, and a filter on
// an earlier one failed in the MySQL driver (500).
func parseInstant(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if t, err = time.ParseInLocation(time.DateOnly, s, chinaTime); err != nil {
			return time.Time{}, err
		}
	}
	if y := t.UTC().Year(); y < 1000 || y > 9999 {
		return time.Time{}, fmt.Errorf("instant %s is outside the years 1000 to 9999", s)
	}
	return t, nil
}

// instantRule is the message of a time filter parseInstant refuses.
const instantRule = "must be an RFC 3339 time or a YYYY-MM-DD date (start of that day, China), in the years 1000 to 9999"

func (h taskHandlers) get(c *gin.Context) {
	t, ok := h.load(c)
	if !ok {
		return
	}
	if !canSee(mustPrincipal(c), t) {
		abort(c, notFound("task "+c.Param("id")+" not found"))
		return
	}
	view, err := h.views.one(c.Request.Context(), t)
	if err != nil {
		abort(c, err)
		return
	}
	// Supervision and extension tasks are about their parent: its record is theirs.
	of := t.TaskID
	if t.ParentTaskID != nil {
		of = *t.ParentTaskID
	}
	events, err := h.store.ListTaskTimeline(c.Request.Context(), of)
	if err != nil {
		abort(c, err)
		return
	}
	out := TaskDetail{TaskView: view, Timeline: make([]TimelineEventView, 0, len(events))}
	for _, e := range events {
		ev, err := toTimelineEventView(e)
		if err != nil {
			abort(c, err)
			return
		}
		out.Timeline = append(out.Timeline, ev)
	}
	c.JSON(http.StatusOK, out)
}

// loadFor reads the addressed task for an action and returns the task the action is sent
// to: the task itself, or for a comment or an urge on a supervision task (督办) the task it
// supervises. An action the task's kind does not take is refused with 422 saying what the
// task is for (taskActions).
func (h taskHandlers) loadFor(c *gin.Context, action string) (*models.Task, bool) {
	t, ok := h.load(c)
	if !ok {
		return nil, false
	}
	if err := kindRefuses(t, action); err != nil {
		if !canSee(mustPrincipal(c), t) {
			// A stranger learns no more than a read tells it.
			err = notFound("task " + c.Param("id") + " not found")
		}
		abort(c, err)
		return nil, false
	}
	if t.Kind != activitiesTaskKindSupervision || t.ParentTaskID == nil {
		return t, true
	}
	parent, err := h.store.GetTask(c.Request.Context(), *t.ParentTaskID)
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			err = &Error{Status: http.StatusConflict, Code: CodeInvalidState, Message: "task " + publicTaskID(*t.ParentTaskID) + ", which supervision task " + c.Param("id") + " supervises, is not in the read model"}
		}
		abort(c, err)
		return nil, false
	}
	return parent, true
}

// load reads the addressed task, its id in either form: URL-safe (~), or with its slashes
// escaped as %2F.
func (h taskHandlers) load(c *gin.Context) (*models.Task, bool) {
	t, err := h.store.GetTask(c.Request.Context(), internalTaskID(c.Param("id")))
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			err = notFound("task " + c.Param("id") + " not found")
		}
		abort(c, err)
		return nil, false
	}
	return t, true
}

func (h taskHandlers) claim(c *gin.Context) {
	t, ok := h.loadFor(c, actionClaim)
	if !ok {
		return
	}
	h.send(c, t, contract.UpdateClaim, contract.ClaimUpdate{TaskID: t.TaskID, Actor: actorOf(mustPrincipal(c))})
}

func (h taskHandlers) unclaim(c *gin.Context) {
	t, ok := h.loadFor(c, actionUnclaim)
	if !ok {
		return
	}
	h.send(c, t, contract.UpdateUnclaim, contract.UnclaimUpdate{TaskID: t.TaskID, Actor: actorOf(mustPrincipal(c))})
}

// comment adds a comment to the task's record; on a supervision task, to the record of the
// task it supervises, where the supervising authority comments.
func (h taskHandlers) comment(c *gin.Context) {
	t, ok := h.loadFor(c, actionComment)
	if !ok {
		return
	}
	var in CommentInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	h.send(c, t, contract.UpdateComment, contract.CommentUpdate{TaskID: t.TaskID, Actor: actorOf(mustPrincipal(c)), Text: in.Text})
}

// urge urges the task (催办): its watchers may, once per working day per department, and so
// may the authority supervising it once overdue; on a supervision task it urges the task
// supervised. The answer is the task urged.
func (h taskHandlers) urge(c *gin.Context) {
	t, ok := h.loadFor(c, actionUrge)
	if !ok {
		return
	}
	var in UrgeInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	h.send(c, t, contract.UpdateUrge, contract.UrgeUpdate{TaskID: t.TaskID, Actor: actorOf(mustPrincipal(c)), Text: strings.TrimSpace(in.Text)})
}

// transfer checks what the workflow cannot: that the target department exists and that the
// person is an active user of the department the task goes to.
func (h taskHandlers) transfer(c *gin.Context) {
	t, ok := h.loadFor(c, actionTransfer)
	if !ok {
		return
	}
	var in TransferInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	in.ToSubject, in.ToDepartment = strings.TrimSpace(in.ToSubject), strings.TrimSpace(in.ToDepartment)
	if in.ToSubject == "" && in.ToDepartment == "" {
		abort(c, invalid("name the person (to_subject) or the department (to_department) to transfer to",
			map[string]string{"to_subject": "is required without to_department", "to_department": "is required without to_subject"}))
		return
	}
	ctx := c.Request.Context()
	if in.ToDepartment != "" {
		if _, err := h.users.GetDepartment(ctx, in.ToDepartment); err != nil {
			if errors.Is(err, models.ErrNotFound) {
				err = invalidField("to_department", "no such department")
			}
			abort(c, err)
			return
		}
	}
	if in.ToSubject != "" {
		dept := in.ToDepartment
		if dept == "" {
			dept = t.CandidateDepartmentID
		}
		u, err := h.users.GetUser(ctx, in.ToSubject)
		switch {
		case errors.Is(err, models.ErrNotFound):
			abort(c, invalidField("to_subject", "no such user"))
			return
		case err != nil:
			abort(c, err)
			return
		case !u.Active || u.DepartmentID == nil || *u.DepartmentID != dept:
			abort(c, invalidField("to_subject", "is not an active user of department "+dept))
			return
		}
	}
	h.send(c, t, contract.UpdateTransfer, contract.TransferUpdate{
		TaskID: t.TaskID, Actor: actorOf(mustPrincipal(c)),
		ToSubject: in.ToSubject, ToDepartmentID: in.ToDepartment, Reason: in.Reason,
	})
}

// complete reads {"decision", "comment", ...fields}: every other member is a field of the
// decision, typed and bounded here, refused here when the decision does not take it
// (decision_fields.go), and checked against the task's decisions by the workflow's validator.
func (h taskHandlers) complete(c *gin.Context) {
	t, ok := h.loadFor(c, actionComplete)
	if !ok {
		return
	}
	u, err := bindComplete(c)
	if err != nil {
		abort(c, err)
		return
	}
	if err := checkDecision(t, u); err != nil {
		abort(c, err)
		return
	}
	u.TaskID, u.Actor = t.TaskID, actorOf(mustPrincipal(c))
	if t.Kind == taskKindExtension && t.ParentTaskID != nil {
		// An extension approval (延期审批) is decided on the task it extends.
		d, err := extensionDecision(*t.ParentTaskID, u)
		if err != nil {
			abort(c, err)
			return
		}
		h.send(c, t, contract.UpdateDecideExtension, d)
		return
	}
	if u.Decision == contract.DecisionRequestExtension {
		r, err := extensionRequest(u)
		if err != nil {
			abort(c, err)
			return
		}
		h.send(c, t, contract.UpdateRequestExtension, r)
		return
	}
	h.send(c, t, contract.UpdateComplete, u)
}

// extensionRequest turns {"decision": "request_extension", "workdays", "reason"} into the
// request_extension update (延期申请); the workflow checks the step's rule, the deadline and
// who asks.
func extensionRequest(u contract.CompleteUpdate) (contract.RequestExtensionUpdate, error) {
	r := contract.RequestExtensionUpdate{TaskID: u.TaskID, Actor: u.Actor}
	switch w := u.Fields["workdays"].(type) {
	case json.Number:
		n, err := w.Int64()
		if err != nil || n < 1 || n > 365 {
			return r, invalidField("workdays", "must be a whole number of working days from 1")
		}
		r.Workdays = int(n)
	default:
		return r, invalidField("workdays", "is required: a whole number of working days from 1")
	}
	reason, _ := u.Fields["reason"].(string)
	if strings.TrimSpace(reason) == "" {
		reason = u.Comment
	}
	if strings.TrimSpace(reason) == "" {
		return r, invalidField("reason", "is required: why the extension is needed")
	}
	r.Reason = reason
	return r, nil
}

// maxCommentRunes bounds the comment of a decision, as CommentInput's text.
const maxCommentRunes = 2000

// taskKindExtension is the read model's kind of an extension approval task, taskKindStep that
// of a procedure step's own task.
const (
	taskKindExtension = "extension"
	taskKindStep      = "step"
)

// extensionDecision turns {"decision": "approve"|"refuse", "reason"} on an extension task into
// the decide_extension update of the task it extends; the workflow checks the approver and
// that a refusal has a reason.
func extensionDecision(parentID string, u contract.CompleteUpdate) (contract.DecideExtensionUpdate, error) {
	d := contract.DecideExtensionUpdate{TaskID: parentID, Actor: u.Actor}
	switch u.Decision {
	case contract.DecisionApproveExtension, "approve":
		d.Approve = true
	case contract.DecisionRefuseExtension, "refuse":
	default:
		return d, invalidField("decision", "must be one of: approve_extension, refuse_extension")
	}
	if r, ok := u.Fields["reason"]; ok {
		s, isText := r.(string)
		if !isText {
			return d, invalidField("reason", "must be a string")
		}
		d.Reason = s
	}
	if d.Reason == "" {
		d.Reason = u.Comment
	}
	return d, nil
}

func bindComplete(c *gin.Context) (contract.CompleteUpdate, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(c.Request.Body)
	if err := dec.Decode(&raw); err != nil {
		return contract.CompleteUpdate{}, jsonError(err)
	}
	if err := endOfBody(dec); err != nil {
		return contract.CompleteUpdate{}, err
	}
	var u contract.CompleteUpdate
	if err := json.Unmarshal(raw["decision"], &u.Decision); err != nil || strings.TrimSpace(u.Decision) == "" {
		return u, invalidField("decision", "is required: one of the task's decisions")
	}
	// A decision is a code (approve, request_extension …): one line, never a control character.
	if msg := checkFreeText(u.Decision, maxDecisionCodeRunes, false); msg != "" {
		return u, invalidField("decision", msg)
	}
	if comment, ok := raw["comment"]; ok {
		if err := json.Unmarshal(comment, &u.Comment); err != nil {
			return u, invalidField("comment", "must be a string")
		}
		if len([]rune(u.Comment)) > maxCommentRunes {
			return u, invalidField("comment", "must be at most 2000 characters")
		}
		if msg := textRule(u.Comment, true); msg != "" {
			return u, invalidField("comment", msg)
		}
	}
	delete(raw, "decision")
	delete(raw, "comment")
	if len(raw) > 0 {
		u.Fields = make(map[string]any, len(raw))
	}
	for k, v := range raw {
		if !decisionFieldName.MatchString(k) {
			return u, invalidField(echoName(k), "is no decision field: a field is named in lowercase letters, digits and underscores, at most 64")
		}
		var val any
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber() // validity_days stays an integer on the wire
		if err := dec.Decode(&val); err != nil && !errors.Is(err, io.EOF) {
			return u, invalidField(k, "malformed value")
		}
		u.Fields[k] = val
	}
	return u, nil
}

// checkDecision checks a decision's fields against the task before the workflow sees them:
// first that the decision takes each of them (a misspelt field is named as such, not as a
// value of the wrong type), then their types and bounds, then that the task lists the
// decision (decision_fields.go).
func checkDecision(t *models.Task, u contract.CompleteUpdate) error {
	allowed, listed, err := decisionFields(t, u.Decision)
	if err != nil {
		return err
	}
	if listed {
		if err := refuseUnknownFields(u, allowed); err != nil {
			return err
		}
	}
	for _, k := range sortedFieldNames(u.Fields) {
		if msg := checkDecisionField(k, u.Fields[k]); msg != "" {
			return invalidField(k, msg)
		}
	}
	if !listed {
		return invalidField("decision", notListedMessage(t))
	}
	return nil
}

// Decision fields are typed and bounded before they reach a workflow: whole-number fields
// are JSON integers within reason, resource_versions is the list the catalog update checks,
// and every other field is text without control characters: at most maxDecisionTextRunes, or
// maxReportRunes for the reports and findings a department writes out. Text is one line (no
// tab or line break either: a scope, a purpose of use, a reason code, a citation, a reference,
// a department id) unless the field is free text of several lines, as the DTOs' text:"multiline"
// fields are (errors.go).
// decisionFieldName is what the name of a decision field looks like (scope, validity_days,
// resource_versions …); any other name reached the workflow, an empty one included.
var decisionFieldName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

var wholeNumberFields = map[string]bool{"validity_days": true, "workdays": true}

var reportFields = map[string]bool{"report": true, "evidence": true, "documentation": true,
	"interface_description": true, "finding": true, "instruction": true, "corrected": true,
	contract.FieldSupplement: true}

// multilineDecisionFields are the decision fields of free text that may span lines: reasons,
// conditions of use, and the reports.
var multilineDecisionFields = map[string]bool{"reason": true, "comment": true, "conditions": true,
	"responsibility_list": true, "description": true, "text": true, "note": true}

const (
	maxDecisionCodeRunes = 64
	maxDecisionTextRunes = 2000
	maxReportRunes       = 20000
	maxDecisionNumber    = 36500 // days: a hundred years
)

// checkDecisionField says what is wrong with a decision field's value, "" when nothing is.
func checkDecisionField(name string, v any) string {
	switch {
	case name == contract.FieldResourceVersions:
		if _, ok := v.([]any); !ok {
			return "must be a list of {resource_id, version}"
		}
		return ""
	case name == contract.FieldMissing:
		return checkMissingItems(v)
	case wholeNumberFields[name]:
		n, ok := v.(json.Number)
		if !ok {
			return "must be a whole number (a JSON number, not text)"
		}
		i, err := n.Int64()
		if err != nil || i < 1 || i > maxDecisionNumber {
			return fmt.Sprintf("must be a whole number from 1 to %d", maxDecisionNumber)
		}
		return ""
	}
	s, ok := v.(string)
	if !ok {
		return "must be text"
	}
	multiline := reportFields[name] || multilineDecisionFields[name]
	if reportFields[name] {
		return checkFreeText(s, maxReportRunes, multiline)
	}
	return checkFreeText(s, maxDecisionTextRunes, multiline)
}

// checkMissingItems checks a supplement notice's list of missing items (政务数据共享条例 第二十一条
// 第二款): 1 to contract.MaxMissingItems items, each one line of at most
// contract.MaxMissingItemRunes characters. The workflow checks it again, with blanks and repeats.
func checkMissingItems(v any) string {
	items, ok := v.([]any)
	switch {
	case !ok:
		return "must be a list of the missing items, one line of text each"
	case len(items) == 0:
		return "must name at least one missing item: the notice lists every one at once"
	case len(items) > contract.MaxMissingItems:
		return fmt.Sprintf("must list at most %d items", contract.MaxMissingItems)
	}
	for i, it := range items {
		s, ok := it.(string)
		if !ok {
			return fmt.Sprintf("item %d must be text", i+1)
		}
		if strings.TrimSpace(s) == "" {
			return fmt.Sprintf("item %d is blank", i+1)
		}
		if msg := checkFreeText(s, contract.MaxMissingItemRunes, false); msg != "" {
			return fmt.Sprintf("item %d %s", i+1, msg)
		}
	}
	return ""
}

// checkFreeText refuses text that is not UTF-8, longer than limit runes, or holds control
// characters (NUL, escape sequences …); one-line text (multiline false) also refuses tab and
// line breaks, as textRule says.
func checkFreeText(s string, limit int, multiline bool) string {
	switch {
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	case utf8.RuneCountInString(s) > limit:
		return fmt.Sprintf("must be at most %d characters", limit)
	}
	return textRule(s, multiline)
}

// send runs the action as an Update of the task's workflow and answers with the task as the
// read model shows it afterwards (the handler projects before it returns).
func (h taskHandlers) send(c *gin.Context, t *models.Task, name string, payload any) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), updateTimeout)
	defer cancel()
	handle, err := h.workflows.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   t.WorkflowID,
		UpdateName:   name,
		Args:         []any{payload},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, nil)
	}
	if err != nil {
		e := updateError(t.TaskID, err)
		// The workflow refuses a stranger's action; the stranger learns no more than a read
		// tells it: that there is no such task. Watchers (who may comment and urge without
		// reading the task) still hear why they were refused.
		var apiErr *Error
		if errors.As(e, &apiErr) && apiErr.Status == http.StatusForbidden && !canSee(mustPrincipal(c), t) {
			e = notFound("task " + c.Param("id") + " not found")
		}
		abort(c, e)
		return
	}
	after, err := h.store.GetTask(c.Request.Context(), t.TaskID)
	if err != nil {
		abort(c, err)
		return
	}
	view, err := h.views.one(c.Request.Context(), after)
	if err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, view)
}

// updateError maps the workflow's answer to an action onto the error vocabulary: a validator's
// rejection by its type, a workflow that is gone as invalid_state.
func updateError(taskID string, err error) error {
	taskID = publicTaskID(taskID)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return &Error{Status: http.StatusConflict, Code: CodeInvalidState, Message: "task " + taskID + " no longer takes actions: its workflow is not running"}
	}
	var timeout *client.WorkflowUpdateServiceTimeoutOrCanceledError
	if errors.As(err, &timeout) || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "the task's workflow did not answer in time; the action may still take effect"}
	}
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		return err
	}
	msg := ae.Message()
	switch ae.Type() {
	case contract.ErrTypeInvalid:
		var d contract.RejectionDetails
		if ae.HasDetails() && ae.Details(&d) == nil && d.Field != "" {
			return invalid(d.Field+": "+msg, map[string]string{d.Field: msg})
		}
		return invalid(msg, nil)
	case contract.ErrTypeForbidden:
		return forbidden(msg)
	case contract.ErrTypeConflict:
		e := &Error{Status: http.StatusConflict, Code: CodeConflict, Message: msg}
		var d contract.RejectionDetails
		if ae.HasDetails() && ae.Details(&d) == nil && d.Field != "" {
			// A state that refuses one decision (a second supplement notice) names it.
			e.Fields = map[string]string{d.Field: msg}
		}
		return e
	case contract.ErrTypeRuleViolated:
		e := ruleViolated(msg)
		var d contract.RejectionDetails
		if ae.HasDetails() && ae.Details(&d) == nil && d.Field != "" {
			e.Message, e.Fields = d.Field+": "+msg, map[string]string{d.Field: msg}
		}
		return e
	case contract.ErrTypeNotFound:
		// The read model has the task, so the workflow has moved past it: it was decided and
		// the next step's task has opened.
		return &Error{Status: http.StatusConflict, Code: CodeConflict, Message: "task " + taskID + " is no longer open: " + msg}
	}
	if strings.HasPrefix(msg, "unknown update") {
		// Between two steps the workflow has no task handlers registered.
		return &Error{Status: http.StatusConflict, Code: CodeInvalidState, Message: "task " + taskID + " takes no actions now"}
	}
	return err
}
