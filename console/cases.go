package console

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/api"
)

// caseKind describes one procedure's pages in the console: its list (with its status filter,
// columns and paging), its new-case form (fields, who may open it) and how the posted form
// becomes the API's body. requestList, newRequestForm and createRequest read it, so every
// procedure's list, form and create are the same code.
type caseKind struct {
	// Code is the procedure's code, as in requestPaths and the profile.
	Code string
	// Page is the console's list; its form is at Page+"/new" and posts to Page.
	Page string
	// API is the API's collection (list and create).
	API string
	// Title is the list's title, Nav its navigation label ("" when navFor places it itself);
	// CitizenTitle replaces both for a citizen.
	Title, Nav, CitizenTitle string
	// Statuses are the status filter's choices.
	Statuses []string
	Columns  []column
	// Empty is what an empty list says.
	Empty string
	// Lists: the caller's roles may read the list; the API decides what it holds.
	Lists func(me *api.MeView) bool
	// Creates: the caller's roles may start one; the API decides whether it may.
	Creates func(me *api.MeView) bool
	// NewTitle titles the form; NewLabel and NewHref are the list's button to it (NewHref
	// defaults to the form: a case started from a catalog entry links to the catalog).
	NewTitle, NewLabel, NewHref string
	// ResourceHeading heads the chosen catalog entry shown above the form.
	ResourceHeading string
	Submit          string
	Fields          []formField
	// Defaults are a new form's values.
	Defaults map[string]string
	// Body turns the posted form (v reads a value, trimmed) into the API's body.
	Body func(v func(string) string) map[string]any
	// Aliases name the form field an API error key belongs to, when they differ.
	Aliases map[string]string
	// Done is the flash after the create.
	Done string
}

// formField is one field of a new-case form.
type formField struct {
	Name     string
	Label    string // default: fieldNames
	Kind     string // text, textarea, number, date, select
	Required bool
	Hint     string
	// Only shows the field to some callers (the authority's department choice).
	Only func(me *api.MeView) bool
	// Options are a select's choices.
	Options func(c *Console, r *req) ([]option, error)
}

// column is one column of a list after the case's number.
type column struct {
	Header string
	Cell   func(row map[string]any, x cellEnv) cell
}

type cellEnv struct {
	depts map[string]string
	pol   *api.PolicyView
	code  string
}

// cell is what a list shows in a column: text, a second line in small type (a code), a time.
type cell struct {
	Text, Sub string
	// ISO is the machine-readable time when Text shows one.
	ISO     string
	Overdue bool
}

// listRow is one case of a list, linked to its page.
type listRow struct {
	ID, URL, WorkflowID string
	Cells               []cell
}

// staffRoles are the roles of government departments (the API's staff).
var staffRoles = []string{"applicant", "approver", "dept_head", "authority", "tech_service", "admin"}

func roles(rs ...string) func(*api.MeView) bool {
	return func(me *api.MeView) bool { return hasRole(me, rs...) }
}

func str(row map[string]any, key string) string { return factValue(row[key]) }

func colResource() column {
	return column{"数据资源", func(row map[string]any, _ cellEnv) cell {
		return cell{Text: str(row, "resource_name"), Sub: str(row, "resource_code")}
	}}
}

func colDept(header, key string) column {
	return column{header, func(row map[string]any, x cellEnv) cell {
		id := str(row, key)
		if n := x.depts[id]; n != "" {
			return cell{Text: n}
		}
		return cell{Text: id}
	}}
}

func colStatus() column {
	return column{"状态", func(row map[string]any, _ cellEnv) cell {
		return cell{Text: label(requestStatuses, str(row, "status"))}
	}}
}

func colStep() column {
	return column{"当前环节", func(row map[string]any, x cellEnv) cell {
		s := str(row, "current_step")
		if s == "" {
			return cell{Text: "—"}
		}
		return cell{Text: stepName(x.pol, x.code, s)}
	}}
}

func colDue() column {
	return column{"当前期限", func(row map[string]any, _ cellEnv) cell {
		c := cell{Text: "—", Overdue: row["overdue"] == true}
		if d := fmtDate(row["due_at"]); d != "" {
			c.Text, c.ISO = d, isoDate(row["due_at"])
		}
		return c
	}}
}

func colCreated(header string) column {
	return column{header, func(row map[string]any, _ cellEnv) cell {
		return cell{Text: fmtDateTime(row["created_at"]), ISO: isoDate(row["created_at"])}
	}}
}

// colText is a value of the row, in words when labels name it.
func colText(header, key string, labels map[string]string) column {
	return column{header, func(row map[string]any, _ cellEnv) cell {
		v := str(row, key)
		if labels != nil {
			v = label(labels, v)
		}
		if v == "" {
			v = "—"
		}
		return cell{Text: v}
	}}
}

// catalogUpdateTriggers are what happened on a catalog update's changed_on.
var catalogUpdateTriggers = map[string]string{
	"law_revised":    "法律法规修订",
	"duties_changed": "行政管理职能变化",
}

// openCatalogFields are the open catalog's content fields a citizen may apply to correct.
var openCatalogFields = map[string]string{
	"name":             "名称",
	"description":      "描述",
	"format":           "数据格式",
	"update_frequency": "更新频率",
	"timeliness":       "时效性",
	"provision_method": "提供方式",
	"open_type":        "开放类型",
	"open_conditions":  "开放条件",
	"legal_basis":      "依据",
}

var openCatalogFieldOrder = []string{"name", "description", "format", "update_frequency", "timeliness",
	"provision_method", "open_type", "open_conditions", "legal_basis"}

func staticOptions(codes []string, labels map[string]string) func(*Console, *req) ([]option, error) {
	return func(*Console, *req) ([]option, error) {
		out := make([]option, 0, len(codes))
		for _, c := range codes {
			out = append(out, option{Value: c, Label: label(labels, c)})
		}
		return out, nil
	}
}

// departmentOptions are the government departments of the jurisdiction in force (not the
// authority, not the technical service unit).
func departmentOptions(c *Console, r *req) ([]option, error) {
	_, list := c.departments(r.api)
	pol := c.profile(r.api)
	var out []option
	for _, d := range list {
		if d.Kind != "department" || (pol != nil && d.Jurisdiction != "" && d.Jurisdiction != pol.ID) {
			continue
		}
		out = append(out, option{Value: d.ID, Label: d.Name})
	}
	return out, nil
}

// violationOptions are the profile's violations, from the API, each with its item.
func violationOptions(c *Console, r *req) ([]option, error) {
	var list api.ViolationList
	if err := r.api.get("/api/v1/violations", &list); err != nil {
		return nil, err
	}
	out := make([]option, 0, len(list.Items))
	for _, v := range list.Items {
		l := v.Title
		if len(v.LegalBasis) > 0 {
			l += "（" + strings.Join(v.LegalBasis, "；") + "）"
		}
		out = append(out, option{Value: v.Code, Label: l})
	}
	return out, nil
}

// listSeparators split a list typed in one field: commas, 顿号, semicolons, line breaks.
var listSeparators = regexp.MustCompile(`[,，、;；\n\r]+`)

// splitList is a typed list's non-blank entries, never nil (the API wants a JSON list).
func splitList(s string) []string {
	out := []string{}
	for _, p := range listSeparators.Split(s, -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// idList is a typed list of ids as numbers; when one is not a number, the entries as typed,
// so that the API names the field.
func idList(s string) any {
	parts := splitList(s)
	ids := make([]int64, 0, len(parts))
	for _, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return parts
		}
		ids = append(ids, n)
	}
	return ids
}

var (
	shareKind = &caseKind{
		Code: "share", Page: "/console/share-requests", API: "/api/v1/share-requests", Title: "共享申请",
		Statuses: shareStatusCodes, Empty: "没有申请。",
		Columns: []column{colResource(), colDept("申请部门", "applicant_dept_id"), colDept("提供部门", "provider_dept_id"),
			colStatus(), colDue(), colCreated("提交时间")},
		Lists: roles(staffRoles...), Creates: roles("applicant"),
		NewTitle: "新建共享申请", NewLabel: "新建共享申请", NewHref: "/console/catalog", ResourceHeading: "所申请的数据资源",
		Submit: "提交申请", Done: "created",
		Fields: []formField{
			{Name: "resource_id", Kind: "number", Required: true},
			{Name: "purpose", Kind: "textarea", Required: true},
			{Name: "scope", Kind: "text", Required: true},
			{Name: "duty_basis", Kind: "textarea", Hint: "申请不予共享类资源时须写明履职依据。"},
			{Name: "requested_validity_days", Kind: "number", Required: true},
		},
		Defaults: map[string]string{"requested_validity_days": "365"},
		Body: func(v func(string) string) map[string]any {
			return map[string]any{"resource_id": intOr(v("resource_id")), "purpose": v("purpose"), "scope": v("scope"),
				"duty_basis": v("duty_basis"), "requested_validity_days": intOr(v("requested_validity_days"))}
		},
	}
	openDataKind = &caseKind{
		Code: "open_data", Page: "/console/open-data", API: "/api/v1/open-data-requests", Title: "开放申请",
		CitizenTitle: "我的开放申请", Statuses: openDataStatusCodes, Empty: "没有申请。",
		Columns: []column{colResource(), colStatus(), colDue(), colCreated("提交时间")},
		Lists:   roles("citizen", "approver", "dept_head", "authority", "admin"), Creates: roles("citizen"),
		NewTitle: "申请开放数据", NewLabel: "从开放目录申请", NewHref: "/console/catalog", ResourceHeading: "所申请的数据资源",
		Submit: "提交申请", Done: "created",
		Fields: []formField{
			{Name: "resource_id", Kind: "number", Required: true},
			{Name: "purpose", Kind: "textarea"},
			{Name: "scope", Kind: "text"},
		},
		Body: func(v func(string) string) map[string]any {
			return map[string]any{"resource_id": intOr(v("resource_id")), "purpose": v("purpose"), "scope": v("scope")}
		},
	}
	correctionKind = &caseKind{
		Code: "correction", Page: "/console/corrections", API: "/api/v1/corrections", Title: "数据校核纠错", Nav: "数据纠错",
		Statuses: []string{"dispatching", "verifying", "correcting", "answered", "coordinating", "accepted", "upheld", "resolved"},
		Columns: []column{colResource(), colDept("报告部门", "reporter_dept_id"), colDept("提供部门", "provider_dept_id"),
			colStatus(), colDue(), colCreated("报告时间")},
		Lists: roles(staffRoles...), Creates: roles("applicant"),
		NewTitle: "报告数据问题", NewLabel: "报告数据问题", ResourceHeading: "所报告的数据资源", Submit: "提交报告", Done: "correction_reported",
		Fields: []formField{
			{Name: "resource_id", Kind: "number", Required: true, Hint: "可在目录中检索资源，从其“报告数据问题”链接进入。"},
			{Name: "fields", Label: "涉及的记录或字段", Kind: "text", Required: true, Hint: "多个以逗号或顿号分隔。"},
			{Name: "description", Label: "问题描述", Kind: "textarea", Required: true},
			{Name: "evidence", Kind: "textarea", Required: true, Hint: "附件编号或文字说明。"},
			{Name: "citizen_source", Label: "转达的公众异议来源", Kind: "text", Hint: "转达公民、法人或其他组织的异议时填写，如窗口受理编号。"},
		},
		Body: func(v func(string) string) map[string]any {
			b := map[string]any{"resource_id": intOr(v("resource_id")), "fields": splitList(v("fields")), "description": v("description")}
			if s := v("evidence"); s != "" {
				b["evidence"] = map[string]any{"text": s}
			}
			if s := v("citizen_source"); s != "" {
				b["citizen_objection"] = map[string]any{"source": s}
			}
			return b
		},
		Aliases: map[string]string{"citizen_objection": "citizen_source", "evidence": "evidence"},
	}
	catalogUpdateKind = &caseKind{
		Code: "catalog_update", Page: "/console/catalog-updates", API: "/api/v1/catalog-updates", Title: "目录更新", Nav: "目录更新",
		Statuses: []string{"updating", "reviewing", "reporting", "published"},
		Columns: []column{colDept("部门", "department_id"), colText("触发原因", "trigger", catalogUpdateTriggers),
			colText("变化发生日", "changed_on", nil), colStatus(), colStep(), colDue(), colCreated("报告时间")},
		Lists: roles(staffRoles...), Creates: roles("approver", "authority"),
		NewTitle: "报告目录更新", NewLabel: "报告目录更新", Submit: "提交", Done: "catalog_update_reported",
		Fields: []formField{
			{Name: "department_id", Label: "责令更新的部门", Kind: "select", Required: true, Options: departmentOptions,
				Only: func(me *api.MeView) bool { return hasRole(me, "authority") }},
			{Name: "trigger", Label: "触发原因", Kind: "select", Required: true,
				Options: staticOptions([]string{"law_revised", "duties_changed"}, catalogUpdateTriggers)},
			{Name: "basis", Label: "依据", Kind: "textarea", Required: true, Hint: "修订的法律法规，或调整职能的决定。"},
			{Name: "changed_on", Label: "变化发生日", Kind: "date", Required: true, Hint: "更新期限自该日起按工作日计算（当日不计）。"},
			{Name: "resource_ids", Label: "涉及的本部门资源编号", Kind: "text", Hint: "多个以逗号分隔；仅需新增资源时可不填。"},
		},
		Body: func(v func(string) string) map[string]any {
			b := map[string]any{"trigger": v("trigger"), "basis": v("basis"), "changed_on": v("changed_on"), "resource_ids": idList(v("resource_ids"))}
			if d := v("department_id"); d != "" {
				b["department_id"] = d
			}
			return b
		},
	}
	rectificationKind = &caseKind{
		Code: "rectification", Page: "/console/rectifications", API: "/api/v1/rectifications", Title: "限期整改", Nav: "限期整改",
		Statuses: []string{"issued", "reported", "overdue", "rectified"},
		Columns: []column{colDept("整改部门", "department_id"),
			{"违规情形", func(row map[string]any, _ cellEnv) cell { return cell{Text: factValue(row["violation"])} }},
			colStatus(), colDue(), colCreated("下达时间")},
		Lists: roles(staffRoles...), Creates: roles("authority"),
		NewTitle: "下达整改通知", NewLabel: "下达整改通知", Submit: "下达", Done: "rectification_issued",
		Fields: []formField{
			{Name: "department_id", Label: "整改部门", Kind: "select", Required: true, Options: departmentOptions},
			{Name: "violation", Label: "违规情形", Kind: "select", Required: true, Options: violationOptions},
			{Name: "description", Label: "整改要求", Kind: "textarea", Required: true},
			{Name: "workdays", Label: "整改时限（工作日）", Kind: "number", Required: true, Hint: "自下达次日起按工作日计算。"},
		},
		Body: func(v func(string) string) map[string]any {
			return map[string]any{"department_id": v("department_id"), "violation": v("violation"),
				"description": v("description"), "workdays": intOr(v("workdays"))}
		},
	}
	openCatalogCorrectionKind = &caseKind{
		Code: "open_catalog_correction", Page: "/console/open-catalog-corrections", API: "/api/v1/open-catalog-corrections",
		Title: "开放目录更正", Nav: "目录更正", CitizenTitle: "我的目录更正",
		Statuses: []string{"replying", "updating_catalog", "disagreed", "catalog_updated", "update_rejected", "update_failed"},
		Columns:  []column{colResource(), colText("更正字段", "field", openCatalogFields), colStatus(), colDue(), colCreated("提交时间")},
		Lists:    roles("citizen", "approver", "dept_head", "authority", "admin"), Creates: roles("citizen"),
		NewTitle: "申请更正开放目录", NewLabel: "从开放目录申请更正", NewHref: "/console/catalog", ResourceHeading: "所更正的目录条目",
		Submit: "提交申请", Done: "created",
		Fields: []formField{
			{Name: "resource_id", Kind: "number", Required: true},
			{Name: "field", Label: "更正字段", Kind: "select", Required: true, Options: staticOptions(openCatalogFieldOrder, openCatalogFields)},
			{Name: "proposed_value", Label: "建议更正为", Kind: "textarea", Required: true},
			{Name: "reason", Kind: "textarea", Required: true},
		},
		Body: func(v func(string) string) map[string]any {
			return map[string]any{"resource_id": intOr(v("resource_id")), "field": v("field"),
				"proposed_value": v("proposed_value"), "reason": v("reason")}
		},
	}
	interfaceKind = &caseKind{
		Code: "interface_extension", Page: "/console/interface-requirements", API: "/api/v1/interface-requirements",
		Title: "接口交付", Nav: "接口交付", Statuses: []string{"required", "delivered"},
		Columns: []column{colDept("部门", "department_id"), colText("接口需求", "description", nil),
			colText("约定交付日", "agreed_due", nil), colStatus(), colDue(), colCreated("提出时间")},
		Lists: roles("approver", "dept_head", "authority", "admin"), Creates: roles("authority"),
		NewTitle: "提出接口要求", NewLabel: "提出接口要求", Submit: "提出", Done: "interface_required",
		Fields: []formField{
			{Name: "department_id", Label: "提供接口的部门", Kind: "select", Required: true, Options: departmentOptions},
			{Name: "description", Label: "接口需求", Kind: "textarea", Required: true},
			{Name: "agreed_due", Label: "约定交付日", Kind: "date", Required: true, Hint: "双方约定的日期，至该日24时到期。"},
		},
		Body: func(v func(string) string) map[string]any {
			return map[string]any{"department_id": v("department_id"), "description": v("description"), "agreed_due": v("agreed_due")}
		},
	}
)

// annualRoundKind opens a past year's annual reports (authority): a form without a list; the
// reports are tasks in the departments' inboxes.
var annualRoundKind = &caseKind{
	Code: "annual_report", Page: "/console/annual-reports", API: "/api/v1/annual-reports",
	Lists: roles("authority"), Creates: roles("authority"),
	NewTitle: "开启年度报告", Submit: "开启", Done: "annual_round_opened",
	Fields: []formField{{Name: "year", Label: "年度", Kind: "number", Required: true,
		Hint: "已结束的年度：为每个部门生成年度报告待办。每年1月1日自动开启上一年度。"}},
	Body: func(v func(string) string) map[string]any { return map[string]any{"year": intOr(v("year"))} },
}

// caseKinds are the procedures with a list and a form, in the navigation's order.
var caseKinds = []*caseKind{shareKind, openDataKind, correctionKind, catalogUpdateKind, rectificationKind,
	openCatalogCorrectionKind, interfaceKind}

// offered: the profile in force provides for the procedure (share requests always) and the
// caller's roles may read its list.
func (k *caseKind) offered(me *api.MeView, pol *api.PolicyView) bool {
	return (k.Code == "share" || applies(pol, k.Code)) && k.Lists(me)
}

func (k *caseKind) title(me *api.MeView) string {
	if k.CitizenTitle != "" && citizenOnly(me) {
		return k.CitizenTitle
	}
	return k.Title
}

// caseNav are the navigation entries of the procedures navFor does not place itself.
func caseNav(me *api.MeView, pol *api.PolicyView) []navItem {
	var out []navItem
	for _, k := range caseKinds {
		if k.Nav != "" && k.offered(me, pol) {
			l := k.Nav
			if citizenOnly(me) && k.CitizenTitle != "" {
				l = k.CitizenTitle
			}
			out = append(out, navItem{Href: k.Page, Label: l})
		}
	}
	return out
}

// caseRoutes serves the lists, forms and creates of the procedures whose routes the route
// table does not name, the audit log and the annual-report round.
func (c *Console) caseRoutes(r *gin.Engine) {
	for _, k := range caseKinds {
		if k == shareKind || k == openDataKind {
			continue
		}
		r.GET(k.Page, c.page(func(r *req) { c.requestList(r, k) }))
		r.GET(k.Page+"/new", c.page(func(r *req) { c.newCase(r, k) }))
		r.POST(k.Page, c.page(func(r *req) { c.createCase(r, k) }))
	}
	r.GET(annualRoundKind.Page+"/new", c.page(func(r *req) { c.newCase(r, annualRoundKind) }))
	r.POST(annualRoundKind.Page, c.page(func(r *req) { c.createCase(r, annualRoundKind) }))
	r.GET("/console/audit", c.page(c.auditLog))
	r.GET("/console/audit/export", c.page(c.auditExport))
}

// newCase is a procedure's empty form: its defaults, and values given in the query (the
// catalog's links name the resource).
func (c *Console) newCase(r *req, k *caseKind) {
	st := &formState{Values: map[string]string{}}
	for n, v := range k.Defaults {
		st.Values[n] = v
	}
	for _, f := range k.Fields {
		if v := r.Query(f.Name); v != "" {
			st.Values[f.Name] = v
		}
	}
	c.newRequestForm(r, k, http.StatusOK, st, newKey())
}

// createCase sends a procedure's form to the API.
func (c *Console) createCase(r *req, k *caseKind) {
	c.createRequest(r, k, k.Body(func(n string) string { return trimmed(r, n) }))
}

// fieldName is the form field an API error key belongs to: the field itself, its alias, or
// the field a nested key (evidence.text, resource_ids[1]) is part of.
func (k *caseKind) fieldName(key string) string {
	base := key
	if i := strings.IndexAny(base, ".["); i > 0 {
		base = base[:i]
	}
	for _, n := range []string{key, base} {
		if a, ok := k.Aliases[n]; ok {
			return a
		}
	}
	for _, f := range k.Fields {
		if f.Name == key || f.Name == base {
			return f.Name
		}
	}
	return key
}
