package api

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/calquery"
	"github.com/datashare/datashare/internal/calsource"
	"github.com/datashare/datashare/models/modelstest"
)

type dueAnswer struct {
	From             string   `json:"from"`
	Workdays         int      `json:"workdays"`
	Due              string   `json:"due"`
	Provisional      bool     `json:"provisional"`
	UnconfirmedDates []string `json:"unconfirmed_dates"`
	CalendarVersion  string   `json:"calendar_version"`
}

func (ta *testAPI) due(t *testing.T, from string, n int) dueAnswer {
	t.Helper()
	var a dueAnswer
	ta.expect(ta.do("GET", "/api/v1/calendar/due?from="+url.QueryEscape(from)+"&workdays="+strconv.Itoa(n), "", nil), 200).json(t, &a)
	return a
}

func TestCalendarDueHTTP(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	cases, err := calquery.HandComputedDueCases()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			a := ta.due(t, tc.From, tc.Workdays)
			if a.Due != tc.Due || a.Workdays != tc.Workdays || a.Provisional || a.UnconfirmedDates == nil || !strings.HasSuffix(a.From, "+08:00") {
				t.Fatalf("due = %+v, want %s", a, tc.Due)
			}
		})
	}
}

func TestCalendarDaysHTTP(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	var res calquery.DaysResponse
	ta.expect(ta.do("GET", "/api/v1/calendar/days?from=2025-09-27&to=2025-10-11", "", nil), 200).json(t, &res)
	if len(res.Days) != 15 || res.CalendarVersion == "" {
		t.Fatalf("days = %+v", res)
	}
	kinds := map[string]string{"2025-09-27": "weekend", "2025-09-28": "makeup_workday", "2025-09-29": "workday", "2025-10-01": "holiday", "2025-10-08": "holiday", "2025-10-09": "workday", "2025-10-11": "makeup_workday"}
	for _, d := range res.Days {
		if want, ok := kinds[d.Date.String()]; ok && string(d.Kind) != want {
			t.Errorf("%s is %s, want %s", d.Date, d.Kind, want)
		}
	}
}

func TestCalendarBadParameters(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	for q, param := range map[string]string{
		"due?from=13.02.2026&workdays=5":     "from",
		"due?workdays=5":                     "from",
		"due?from=2026-02-13&workdays=0":     "workdays",
		"due?from=2026-02-13&workdays=366":   "workdays",
		"due?from=2026-02-13&workdays=five":  "workdays",
		"days?from=2026-01-01&to=2027-01-02": "to",
		"days?from=2026-02-10&to=2026-02-01": "to",
		"days?from=2026-02-30&to=2026-03-01": "from",
		"days?from=2026-02-01":               "to",
	} {
		r := ta.do("GET", "/api/v1/calendar/"+q, "", nil)
		if r.status != 400 {
			t.Errorf("%s: status %d", q, r.status)
			continue
		}
		if e := r.errorBody(t); e.Fields[param] == "" {
			t.Errorf("%s: error does not name %s: %+v", q, param, e)
		}
	}
}

// TestCalendarOverrideChangesTheAnswer: an admin's override moves a deadline at once and raises
// the calendar version; deleting it restores both.
func TestCalendarOverrideChangesTheAnswer(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		admin := ta.token("demo-admin", "nx-authority", auth.RoleAdmin)
		before := ta.due(t, "2026-02-13", 5)
		if before.Due != "2026-02-27T23:59:59+08:00" {
			t.Fatalf("before = %+v", before)
		}
		// Only admins edit the calendar.
		ta.expect(ta.do("PUT", "/api/v1/calendar/overrides/2026-02-25", ta.authority(), map[string]any{"kind": "holiday", "name": "x", "source": "x"}), 403)
		var edit CalendarEditView
		ta.expect(ta.do("PUT", "/api/v1/calendar/overrides/2026-02-25", admin, map[string]any{"kind": "holiday", "name": "地方补充假日", "source": "宁政办发〔2026〕1号"}), 201).json(t, &edit)
		if edit.Day.Workday || string(edit.Day.Kind) != "holiday" || edit.CalendarVersion == before.CalendarVersion {
			t.Fatalf("edit = %+v", edit)
		}
		after := ta.due(t, "2026-02-13", 5)
		// 02-25 is now off: 02-14, 02-24, 02-26, 02-27 and the make-up Saturday 02-28.
		if after.Due != "2026-02-28T23:59:59+08:00" || after.CalendarVersion != edit.CalendarVersion {
			t.Fatalf("after = %+v", after)
		}
		var list CalendarOverrideList
		ta.expect(ta.do("GET", "/api/v1/calendar/overrides", admin, nil), 200).json(t, &list)
		if len(list.Items) != 1 || list.Items[0].Date != "2026-02-25" || list.Items[0].UpdatedBy != "demo-admin" {
			t.Fatalf("overrides = %+v", list)
		}
		ta.expect(ta.do("PUT", "/api/v1/calendar/overrides/2026-02-25", admin, map[string]any{"kind": "sometimes", "name": "x", "source": "x"}), 400)
		ta.expect(ta.do("PUT", "/api/v1/calendar/overrides/2026-13-01", admin, map[string]any{"kind": "holiday", "name": "x", "source": "x"}), 400)
		// What the calendar cannot be built from is refused at the field and not stored: a NUL,
		// a tab, a newline or an escape in the name or the source would otherwise stop every
		// deadline.
		for _, bad := range []struct{ field, name, source string }{
			{"name", "a\u0000b", "s"}, {"name", "a\tb", "s"}, {"source", "x", "line\nbreak"}, {"source", "x", "\u001b[31mred"},
			{"name", " padded", "s"},
		} {
			r := ta.do("PUT", "/api/v1/calendar/overrides/2030-03-04", admin, map[string]any{"kind": "holiday", "name": bad.name, "source": bad.source})
			if r.status/100 != 4 || r.errorBody(t).Fields[bad.field] == "" {
				t.Fatalf("override %q/%q: %d %s, want a 4xx naming %s", bad.name, bad.source, r.status, r.body, bad.field)
			}
		}
		ta.expect(ta.do("GET", "/api/v1/calendar/overrides", admin, nil), 200).json(t, &list)
		if len(list.Items) != 1 {
			t.Fatalf("a refused override was stored: %+v", list)
		}
		if d := ta.due(t, "2026-02-13", 5); d.Due != after.Due {
			t.Fatalf("the calendar after refused edits: %+v", d)
		}
		ta.expect(ta.do("DELETE", "/api/v1/calendar/overrides/2026-02-25", admin, nil), 200)
		ta.expect(ta.do("DELETE", "/api/v1/calendar/overrides/2026-02-25", admin, nil), 404)
		restored := ta.due(t, "2026-02-13", 5)
		if restored.Due != before.Due || restored.CalendarVersion == after.CalendarVersion {
			t.Fatalf("restored = %+v", restored)
		}
	})
}

// TestUnpublishedYearIsProvisionalUntilLoaded: a deadline into 2027 is provisional, the status
// warns (it is past 1 November), and loading the 2027 notice settles both.
func TestUnpublishedYearIsProvisionalUntilLoaded(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	admin := ta.token("demo-admin", "nx-authority", auth.RoleAdmin)
	a := ta.due(t, "2026-12-25", 10)
	if !a.Provisional || len(a.UnconfirmedDates) == 0 || a.UnconfirmedDates[0] != "2027-01-01" {
		t.Fatalf("into 2027 = %+v", a)
	}
	var st calsource.Status
	ta.expect(ta.do("GET", "/api/v1/calendar/status", admin, nil), 200).json(t, &st)
	if !st.NextYearMissing || st.NextYear != 2027 || len(st.Warnings) == 0 || !strings.Contains(st.Warnings[0], "2027") {
		t.Fatalf("status = %+v", st)
	}
	ta.expect(ta.do("GET", "/api/v1/calendar/status", ta.applicant(), nil), 403)
	// A make-up working day on a weekday is not a schedule.
	bad := map[string]any{"source": "国务院办公厅关于2027年部分节假日安排的通知", "days": []map[string]any{{"date": "2027-01-05", "kind": "workday", "name": "元旦"}}}
	ta.expect(ta.do("POST", "/api/v1/calendar/years/2027", admin, bad), 400)
	sched := map[string]any{"source": "国务院办公厅关于2027年部分节假日安排的通知", "days": []map[string]any{
		{"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
	}}
	ta.expect(ta.do("POST", "/api/v1/calendar/years/2027", admin, sched), 200).json(t, &st)
	if st.NextYearMissing || len(st.Warnings) != 0 {
		t.Fatalf("status after loading 2027 = %+v", st)
	}
	a = ta.due(t, "2026-12-25", 10)
	if a.Provisional || len(a.UnconfirmedDates) != 0 || a.Due != "2027-01-11T23:59:59+08:00" {
		t.Fatalf("into 2027 after loading = %+v", a)
	}
}

func TestOpenAPIDescribesDatesAsStrings(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	r := ta.expect(ta.do("GET", OpenAPIPath, "", nil), 200)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Type  string `json:"type"`
					Items *struct {
						Type   string `json:"type"`
						Format string `json:"format"`
					} `json:"items"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	r.json(t, &doc)
	p := doc.Components.Schemas["DueResult"].Properties["unconfirmed_dates"]
	if p.Type != "array" || p.Items == nil || p.Items.Type != "string" || p.Items.Format != "date" {
		t.Fatalf("unconfirmed_dates schema = %+v", p)
	}
}
