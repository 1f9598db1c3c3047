package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models"
)

// AuditStore keeps the audit log (日志记录, 内乡 第三十三条).
type AuditStore interface {
	AppendAuditEvent(ctx context.Context, e *models.AuditEvent) (bool, error)
	ListAuditEvents(ctx context.Context, f models.AuditFilter) ([]models.AuditEvent, string, error)
}

// ctxAuditResource is where a handler leaves the catalog resource its change concerns, when
// the path does not name it (a create).
const ctxAuditResource = "datashare.audit_resource"

// auditWriteAttempts bounds the retries of an audit write after the change has committed.
const auditWriteAttempts = 3

// audited records a successful administrative change (a route flagged audit) in the audit log:
// who, department, the operation, the path, the request id. The change has committed by then,
// so a failed write is retried and, failing still, logged as an error rather than answered.
func audited(store AuditStore, log *slog.Logger, op string) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if status := c.Writer.Status(); status < 200 || status > 299 || len(c.Errors) > 0 {
			return
		}
		p := mustPrincipal(c)
		e := models.AuditEvent{
			EventKey: "http:" + requestID(c), At: time.Now(), Actor: p.Subject, DepartmentID: p.DepartmentID,
			Action: op, Object: c.Request.Method + " " + c.Request.URL.Path, HTTPRequestID: requestID(c),
			ResourceID: auditResource(c),
		}
		details, _ := json.Marshal(map[string]any{"status": c.Writer.Status(), "roles": p.Roles})
		e.DetailsJSON = string(details)
		ctx := context.WithoutCancel(c.Request.Context())
		var err error
		for range auditWriteAttempts {
			if _, err = store.AppendAuditEvent(ctx, &e); err == nil {
				return
			}
		}
		log.ErrorContext(ctx, "audit event not recorded", slog.String("request_id", requestID(c)),
			slog.String("action", op), slog.String("actor", p.Subject), slog.Any("error", err))
	}
}

// auditResource is the catalog resource a change concerns: set by the handler, or the :id of
// a catalog resource path.
func auditResource(c *gin.Context) *int64 {
	if v, ok := c.Get(ctxAuditResource); ok {
		if id, ok := v.(int64); ok {
			return &id
		}
	}
	if strings.HasPrefix(c.FullPath(), "/api/v1/catalog/resources/:id") {
		if id, err := strconv.ParseInt(c.Param("id"), 10, 64); err == nil {
			return &id
		}
	}
	return nil
}

// auditHandlers serve the audit log to the authority and admins, and take the records of
// data provided and received under a grant.
type auditHandlers struct {
	store  AuditStore
	grants ShareRequestStore
	log    *slog.Logger
}

// AuditEventView is one audit event.
type AuditEventView struct {
	ID           int64  `json:"id"`
	At           string `json:"at"`
	Actor        string `json:"actor"`
	DepartmentID string `json:"department_id"`
	Action       string `json:"action"`
	Procedure    string `json:"procedure,omitempty"`
	RequestID    string `json:"request_id,omitempty"`
	ResourceID   *int64 `json:"resource_id,omitempty"`
	// Object is what was acted on: a grant, a task (URL-safe, as TaskView.ID), a method and
	// path.
	Object        string         `json:"object,omitempty"`
	HTTPRequestID string         `json:"http_request_id,omitempty"`
	Details       map[string]any `json:"details"`
}

// AuditEventList is one page of the audit log, newest first.
type AuditEventList struct {
	Items      []AuditEventView `json:"items"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// DataAccessInput records data provided or received under a grant (日志记录).
type DataAccessInput struct {
	// Direction is provided (the providing department delivered) or received (the consuming
	// department obtained).
	Direction string `json:"direction" binding:"required,oneof=provided received"`
	// Records is how many records or calls the access covered.
	Records int    `json:"records" binding:"min=0,max=1000000000"`
	Note    string `json:"note,omitempty" binding:"max=2000" text:"multiline"`
}

func toAuditEventView(e *models.AuditEvent) AuditEventView {
	v := AuditEventView{ID: e.ID, At: formatTime(e.At), Actor: e.Actor, DepartmentID: e.DepartmentID, Action: e.Action,
		Procedure: e.Procedure, RequestID: e.RequestID, ResourceID: e.ResourceID, Object: e.Object,
		HTTPRequestID: e.HTTPRequestID, Details: map[string]any{}}
	_ = json.Unmarshal([]byte(e.DetailsJSON), &v.Details) // written by the store as a JSON object
	if strings.HasPrefix(e.EventKey, e.Object+"#") {
		// A workflow's record: the object is the task whose timeline event this is, shown
		// URL-safe as everywhere else. The details stay as recorded.
		v.Object = publicTaskID(e.Object)
	}
	return v
}

// filter reads the list's query parameters; false when it answered 400.
func (h auditHandlers) filter(c *gin.Context) (models.AuditFilter, bool) {
	q := queryErrors{}
	f := models.AuditFilter{DepartmentID: c.Query("department"), Actor: c.Query("actor"), Action: c.Query("action"),
		Cursor: c.Query("cursor")}
	f.ResourceID = q.resourceID(c)
	f.Limit = q.limit(c)
	f.From = q.instant(c, "from")
	f.To = q.instant(c, "to")
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		q["to"] = "must be after from"
	}
	return f, !q.abortIfAny(c)
}

func (h auditHandlers) list(c *gin.Context) {
	f, ok := h.filter(c)
	if !ok {
		return
	}
	items, next, err := h.store.ListAuditEvents(c.Request.Context(), f)
	if err != nil {
		abort(c, err)
		return
	}
	out := AuditEventList{Items: make([]AuditEventView, 0, len(items)), NextCursor: next}
	for i := range items {
		out.Items = append(out.Items, toAuditEventView(&items[i]))
	}
	c.JSON(http.StatusOK, out)
}

// auditCSVHeader is the first row of the export.
var auditCSVHeader = []string{"id", "at", "actor", "department_id", "action", "procedure", "request_id",
	"resource_id", "object", "http_request_id", "details"}

// export writes every event matching the filters as CSV (UTF-8 with a byte-order mark, so
// that spreadsheet programs read the Chinese text), newest first, page by page.
func (h auditHandlers) export(c *gin.Context) {
	f, ok := h.filter(c)
	if !ok {
		return
	}
	f.Limit, f.Cursor = models.MaxPageSize, ""
	ctx := c.Request.Context()
	// The first page is read before anything is written, so a failure is still an envelope.
	page, next, err := h.store.ListAuditEvents(ctx, f)
	if err != nil {
		abort(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="audit-events.csv"`)
	c.Status(http.StatusOK)
	_, _ = c.Writer.WriteString("\uFEFF")
	w := csv.NewWriter(c.Writer)
	_ = w.Write(auditCSVHeader)
	for {
		for i := range page {
			v := toAuditEventView(&page[i])
			resource := ""
			if v.ResourceID != nil {
				resource = strconv.FormatInt(*v.ResourceID, 10)
			}
			details, _ := json.Marshal(v.Details)
			_ = w.Write([]string{strconv.FormatInt(v.ID, 10), v.At, v.Actor, v.DepartmentID, v.Action, v.Procedure,
				v.RequestID, resource, v.Object, v.HTTPRequestID, string(details)})
		}
		if next == "" || ctx.Err() != nil {
			break
		}
		f.Cursor = next
		if page, next, err = h.store.ListAuditEvents(ctx, f); err != nil {
			// Headers are gone: end the body short and say so in the log.
			h.log.ErrorContext(ctx, "audit export cut short", slog.String("request_id", requestID(c)), slog.Any("error", err))
			break
		}
	}
	w.Flush()
}

// recordAccess records data provided (by the providing department's approvers) or received
// (by the consuming department's applicants) under an active grant.
func (h auditHandlers) recordAccess(c *gin.Context) {
	ctx := c.Request.Context()
	p := mustPrincipal(c)
	id := c.Param("id")
	g, err := h.grants.GetGrant(ctx, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && !p.InDepartment(g.ProviderDeptID) && !p.InDepartment(g.ConsumerDeptID)) {
		abort(c, notFound("grant "+id+" not found"))
		return
	}
	if err != nil {
		abort(c, err)
		return
	}
	var in DataAccessInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	action, dept, role := models.AuditDataProvided, g.ProviderDeptID, auth.RoleApprover
	if in.Direction == "received" {
		action, dept, role = models.AuditDataReceived, g.ConsumerDeptID, auth.RoleApplicant
	}
	if !p.InDepartment(dept) || !p.Has(role) {
		abort(c, forbidden(fmt.Sprintf("data %s under grant %s is recorded by the %s role of department %s", in.Direction, g.ID, role, dept)))
		return
	}
	if g.Status != models.GrantActive {
		abort(c, &Error{Status: http.StatusConflict, Code: CodeInvalidState,
			Message: fmt.Sprintf("grant %s is %s: no data may be provided or received under it", g.ID, g.Status)})
		return
	}
	details, _ := json.Marshal(map[string]any{"grant_id": g.ID, "records": in.Records, "note": strings.TrimSpace(in.Note)})
	resource := g.ResourceID
	e := models.AuditEvent{EventKey: "http:" + requestID(c), At: time.Now(), Actor: p.Subject, DepartmentID: p.DepartmentID,
		Action: action, Procedure: "share", RequestID: g.RequestID, ResourceID: &resource, Object: g.ID,
		HTTPRequestID: requestID(c), DetailsJSON: string(details)}
	if _, err := h.store.AppendAuditEvent(ctx, &e); err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusCreated, toAuditEventView(&e))
}
