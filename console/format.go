package console

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/datashare/datashare/api"
)

// chinaTime is the zone every date is shown in, whatever the server's: deadlines are counted
// in Asia/Shanghai. A fixed offset, since China has no daylight saving time and the binary
// must not depend on a zone database.
var chinaTime = time.FixedZone("CST", 8*3600)

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// parseTime reads the API's RFC 3339 times; a string, a *string or nil.
func parseTime(v any) (time.Time, bool) {
	var s string
	switch t := v.(type) {
	case string:
		s = t
	case *string:
		if t == nil {
			return time.Time{}, false
		}
		s = *t
	default:
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.In(chinaTime), true
}

// fmtDateTime shows a time to the minute, China time.
func fmtDateTime(v any) string {
	t, ok := parseTime(v)
	if !ok {
		return ""
	}
	return t.Format("2006-01-02 15:04")
}

// fmtDate shows a date with its weekday: deadlines are the end of a working day.
func fmtDate(v any) string {
	t, ok := parseTime(v)
	if !ok {
		return ""
	}
	return t.Format("2006-01-02") + "（" + weekdays[t.Weekday()] + "）"
}

// isoDate is a time's date for <time datetime>.
func isoDate(v any) string {
	t, ok := parseTime(v)
	if !ok {
		return ""
	}
	return t.Format(time.RFC3339)
}

// taskURL is the console's page of a task; the id's slashes are escaped, as the API wants them.
func taskURL(id string) string { return "/console/tasks/" + url.PathEscape(id) }

// requestPaths are the API's detail routes of every procedure that has one.
var requestPaths = map[string]string{
	"share":                   "/api/v1/share-requests/",
	"correction":              "/api/v1/corrections/",
	"catalog_update":          "/api/v1/catalog-updates/",
	"rectification":           "/api/v1/rectifications/",
	"open_data":               "/api/v1/open-data-requests/",
	"open_catalog_correction": "/api/v1/open-catalog-corrections/",
	"interface_extension":     "/api/v1/interface-requirements/",
}

// requestURL is the console's page of a case, "" for a procedure without one (annual reports).
func requestURL(procedure, id string) string {
	if _, ok := requestPaths[procedure]; !ok || id == "" {
		return ""
	}
	return "/console/requests/" + url.PathEscape(procedure) + "/" + url.PathEscape(id)
}

func hasRole(me *api.MeView, roles ...string) bool {
	if me == nil {
		return false
	}
	for _, r := range me.Roles {
		if slices.Contains(roles, string(r)) {
			return true
		}
	}
	return false
}

// citizenOnly: a principal with no department role sees the citizen's pages only.
func citizenOnly(me *api.MeView) bool {
	if me == nil {
		return false
	}
	for _, r := range me.Roles {
		if r != "citizen" {
			return false
		}
	}
	return len(me.Roles) > 0
}

// remainingText is 「剩余 N 个工作日」 from the task's remaining_workdays, when the API gives it.
func remainingText(n *int) string {
	switch {
	case n == nil:
		return ""
	case *n > 0:
		return fmt.Sprintf("剩余 %d 个工作日", *n)
	case *n == 0:
		return "今日到期"
	default:
		return fmt.Sprintf("已超期 %d 个工作日", -*n)
	}
}

// lightText turns the task's light into the badge's words: 黄灯 (due soon), 红灯 (overdue).
func lightText(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yellow", "amber", "黄灯", "黄":
		return "黄灯"
	case "red", "红灯", "红":
		return "红灯"
	}
	return ""
}

// factValue renders a JSON value of a request's facts: text, a number, a list of texts.
func factValue(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case bool:
		if t {
			return "是"
		}
		return "否"
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case json.Number:
		return t.String()
	case []any:
		parts := make([]string, 0, len(t))
		for _, e := range t {
			if s := factValue(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "、")
	case map[string]any:
		// A nested object (a violation, an evidence record): its title or text if it has one.
		for _, k := range []string{"title", "text", "name", "code"} {
			if s, ok := t[k].(string); ok && s != "" {
				return s
			}
		}
	}
	return ""
}

func (c *Console) funcs() template.FuncMap {
	pol := func() *api.PolicyView {
		c.policyMu.Lock()
		defer c.policyMu.Unlock()
		return c.policy
	}
	return template.FuncMap{
		"proc":       func(code string) string { return procedureName(pol(), code) },
		"step":       func(proc, step string) string { return stepName(pol(), proc, step) },
		"choice":     func(field, v string) string { return choiceLabel(pol(), field, v) },
		"kind":       func(k string) string { return label(taskKinds, k) },
		"taskStatus": func(s string) string { return label(taskStatuses, s) },
		"status":     func(s string) string { return label(requestStatuses, s) },
		"decision":   func(s string) string { return label(decisionNames, s) },
		"field":      func(s string) string { return label(fieldNames, s) },
		"event":      func(s string) string { return label(eventNames, s) },
		"role":       func(s any) string { return label(roleNames, fmt.Sprint(s)) },
		"shareType":  func(s string) string { return label(shareTypes, s) },
		"dept": func(id string) string {
			c.deptMu.Lock()
			defer c.deptMu.Unlock()
			if n, ok := c.depts[id]; ok && n != "" {
				return n
			}
			return id
		},
		"datetime":    fmtDateTime,
		"date":        fmtDate,
		"iso":         isoDate,
		"taskURL":     taskURL,
		"requestURL":  requestURL,
		"remaining":   remainingText,
		"light":       lightText,
		"fact":        factValue,
		"has":         hasRole,
		"citizenOnly": citizenOnly,
		"join":        strings.Join,
		"percent":     percent,
		"filter":      newFilter,
		"workdays":    workdays,
		"workflowURL": func(me *api.MeView, workflowID string) string {
			if c.d.TemporalUIURL == "" || workflowID == "" || !hasRole(me, "admin") {
				return ""
			}
			return c.d.TemporalUIURL + "/namespaces/" + url.PathEscape(c.d.TemporalNamespace) + "/workflows/" + url.PathEscape(workflowID)
		},
		"fld": func(prefix, name, kind string, required bool, st *formState) fieldView {
			return fieldView{Name: name, Label: label(fieldNames, name), ID: prefix + "-" + name, Kind: kind,
				Required: required, Value: st.Value(name), Error: st.Error(name)}
		},
		"selectField": func(prefix, name string, opts []option, empty string, st *formState) fieldView {
			f := fieldView{Name: name, Label: label(fieldNames, name), ID: prefix + "-" + name, Kind: "select",
				Value: st.Value(name), Error: st.Error(name)}
			f.Options = append(f.Options, option{Value: "", Label: empty})
			for _, o := range opts {
				o.Selected = o.Value == f.Value
				f.Options = append(f.Options, o)
			}
			return f
		},
		"formIf": func(ok bool, st *formState) *formState {
			if ok {
				return st
			}
			return nil
		},
		"deref": func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		},
		// actionTitle and actionButton are a case page's action form's heading and button.
		"actionTitle":  func(a string) string { return actionWord(a, 0) },
		"actionButton": func(a string) string { return actionWord(a, 1) },
	}
}
