package console

import (
	"net/http"
	"strconv"

	"github.com/datashare/datashare/api"
)

// auditFilters are the audit log's filters, as the API names them.
var auditFilters = []string{"department", "resource_id", "actor", "action", "from", "to"}

// auditData is the audit log page: the filters as typed, one page of events, the export.
type auditData struct {
	Fields []fieldView
	Items  []auditRow
	Next   string
	First  string
	CSV    string
	// Message is the API's refusal of the filters (a malformed date), shown above them.
	Message string
}

type auditRow struct {
	api.AuditEventView
	Resource   string
	RequestURL string
}

// auditLog is the audit log (日志记录) of the authority and admins, newest first, filtered as
// the API filters it, with its CSV export.
func (c *Console) auditLog(r *req) {
	kv := make([]string, 0, 2*len(auditFilters)+4)
	st := &formState{Values: map[string]string{}, Errors: map[string]string{}}
	for _, f := range auditFilters {
		v := r.Query(f)
		st.Values[f] = v
		kv = append(kv, f, v)
	}
	cursor := r.Query("cursor")
	var list api.AuditEventList
	d := auditData{CSV: query("/console/audit/export", kv...)}
	err := r.api.get(query("/api/v1/audit-events", append(kv, "limit", strconv.Itoa(pageSize), "cursor", cursor)...), &list)
	status := http.StatusOK
	if e, ok := asAPIError(err); ok && e.Status == http.StatusBadRequest {
		// A filter the API refuses is shown at its field, as typed.
		status, d.Message = e.Status, e.Message
		for k, msg := range e.Fields {
			st.Errors[k] = msg
		}
	} else if err != nil {
		r.fail(err)
		return
	}
	_, depts := c.departments(r.api)
	deptOpts := []option{{Value: "", Label: "全部"}}
	for _, dp := range depts {
		deptOpts = append(deptOpts, option{Value: dp.ID, Label: dp.Name, Selected: dp.ID == st.Values["department"]})
	}
	labels := map[string]string{"department": "部门", "resource_id": "数据资源编号", "actor": "操作人（用户 ID）",
		"action": "操作（如 granted、data_provided）", "from": "起始日期", "to": "截止日期（不含）"}
	for _, f := range auditFilters {
		fv := fieldView{Name: f, Label: labels[f], ID: "f-" + f, Kind: "text", Value: st.Values[f], Error: st.Errors[f]}
		switch f {
		case "department":
			fv.Kind, fv.Options = "select", deptOpts
		case "from", "to":
			fv.Kind = "date"
		}
		d.Fields = append(d.Fields, fv)
	}
	for _, ev := range list.Items {
		row := auditRow{AuditEventView: ev, RequestURL: requestURL(ev.Procedure, ev.RequestID)}
		if ev.ResourceID != nil {
			row.Resource = strconv.FormatInt(*ev.ResourceID, 10)
		}
		d.Items = append(d.Items, row)
	}
	if list.NextCursor != "" {
		d.Next = query("/console/audit", append(kv, "cursor", list.NextCursor)...)
	}
	if cursor != "" {
		d.First = query("/console/audit", kv...)
	}
	r.render(status, "audit", "审计日志", d)
}

// auditExport hands the browser the API's CSV of the filtered log, as the attachment it is.
func (c *Console) auditExport(r *req) {
	kv := make([]string, 0, 2*len(auditFilters))
	for _, f := range auditFilters {
		kv = append(kv, f, r.Query(f))
	}
	rec, err := r.api.raw(query("/api/v1/audit-events/export", kv...))
	if err != nil {
		r.fail(err)
		return
	}
	for _, h := range []string{"Content-Type", "Content-Disposition"} {
		if v := rec.header.Get(h); v != "" {
			r.Writer.Header().Set(h, v)
		}
	}
	r.Data(http.StatusOK, rec.header.Get("Content-Type"), rec.body.Bytes())
}
