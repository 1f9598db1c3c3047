package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

// boardTask is one row of the read model as a workflow would have projected it.
type boardTask struct {
	id, kind, dept, procedure, status string
	received                          string // China, "2006-01-02 15:04"
	due                               string // the due day ("": no deadline); stored as its last second
	completed                         string // the decision ("": open), the task's last projection
}

func seedBoardTasks(t *testing.T, db *gorm.DB, tasks []boardTask) {
	t.Helper()
	st := models.NewStore(db)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, chinaTime)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, b := range tasks {
		tk := models.Task{TaskID: b.id, Revision: 1, Kind: b.kind, WorkflowID: "wf-" + b.id, RequestID: "R-" + b.id,
			Procedure: b.procedure, Step: "reply", CandidateDepartmentID: b.dept, CandidateRole: "approver",
			Status: b.status, ReceivedAt: at(b.received), UpdatedAt: at(b.received)}
		if b.due != "" {
			due := at(b.due + " 23:59").Add(59 * time.Second)
			tk.DueAt = &due
		}
		if b.completed != "" {
			tk.UpdatedAt = at(b.completed)
		}
		if _, err := st.UpsertTask(context.Background(), tk); err != nil {
			t.Fatalf("seed %s: %v", b.id, err)
		}
	}
}

// boardFixture is the work of 市场监管厅 (nx-scjg) and 人社厅 (nx-rst) around the National Day
// holiday of 2026 — 1–7 Oct off, Sunday 20 Sep and Saturday 10 Oct worked — with each
// deadline as the counting rule gives it (the day of receipt not counted). The API's clock is
// Sunday 22 Nov 2026, 18:00 China.
var boardFixture = []boardTask{
	// received Mon 28 Sep, 5 WD: 29, 30, 8, 9, 10 Oct; decided Fri 9 Oct: on time, took 4 WD.
	{"scjg-1", "step", models.DemoProvidingDeptID, "share", "completed", "2026-09-28 10:00", "2026-10-10", "2026-10-09 15:00"},
	// received Wed 30 Sep, 3 WD: 8, 9, 10 Oct; decided Mon 12 Oct: late, took 4 WD (8, 9, 10, 12).
	{"scjg-2", "step", models.DemoProvidingDeptID, "share", "completed", "2026-09-30 09:00", "2026-10-10", "2026-10-12 10:00"},
	// received Fri 25 Sep, 10 WD: due Thu 15 Oct; decided Wed 14 Oct: on time, took 9 WD.
	{"scjg-3", "step", models.DemoProvidingDeptID, "share", "completed", "2026-09-25 16:00", "2026-10-15", "2026-10-14 11:00"},
	// no deadline, decided Thu 8 Oct: handled, took 2 WD (30 Sep, 8 Oct), in no on-time figure.
	{"scjg-4", "step", models.DemoProvidingDeptID, "share", "completed", "2026-09-29 10:00", "", "2026-10-08 11:00"},
	// due 10 Oct and still open: overdue now, and late for the period.
	{"scjg-5", "step", models.DemoProvidingDeptID, "correction", "open", "2026-09-30 09:00", "2026-10-10", ""},
	// its supervision (督办) and an extension approval are about steps, not work: not counted.
	{"scjg-5/supervision", "supervision", models.DemoAuthorityID, "correction", "open", "2026-10-11 00:00", "", ""},
	{"scjg-1/extension/1", "extension", models.DemoProvidingDeptID, "share", "completed", "2026-09-29 10:00", "2026-10-09", "2026-09-30 10:00"},
	// decided before the period; closed without a decision (withdrawn).
	{"scjg-6", "step", models.DemoProvidingDeptID, "share", "completed", "2026-08-20 10:00", "2026-08-27", "2026-08-31 10:00"},
	{"scjg-7", "step", models.DemoProvidingDeptID, "share", "closed", "2026-09-28 10:00", "2026-10-10", "2026-10-09 10:00"},
	// open now: due Tue 24 Nov (Mon 23, Tue 24 left: near due), Wed 25 Nov (3 left), none.
	{"scjg-8", "step", models.DemoProvidingDeptID, "share", "open", "2026-11-20 10:00", "2026-11-24", ""},
	{"scjg-9", "step", models.DemoProvidingDeptID, "catalog_update", "open", "2026-11-20 10:00", "2026-11-25", ""},
	{"scjg-10", "step", models.DemoProvidingDeptID, "share", "open", "2026-11-20 10:00", "", ""},
	// received Thu 8 Oct, 2 WD: 9, 10 Oct; decided on the make-up Saturday: on time, took 2 WD.
	{"rst-1", "step", models.DemoUsingDeptID, "share", "completed", "2026-10-08 09:00", "2026-10-10", "2026-10-10 17:00"},
	// received Fri 18 Sep, 1 WD: the make-up Sunday 20 Sep; decided Mon 21: late, took 2 WD.
	{"rst-2", "step", models.DemoUsingDeptID, "share", "completed", "2026-09-18 10:00", "2026-09-20", "2026-09-21 09:00"},
	// decided on the day of receipt: on time, took 0 WD.
	{"rst-3", "step", models.DemoUsingDeptID, "share", "completed", "2026-10-12 09:00", "2026-10-19", "2026-10-12 17:00"},
	// decided after the period (2 Nov).
	{"rst-4", "step", models.DemoUsingDeptID, "share", "completed", "2026-10-28 09:00", "2026-11-04", "2026-11-02 09:00"},
}

const boardPath = "/api/v1/supervision/board"

// TestSupervisionBoard checks the board's figures through the real router on both dialects:
// handled, on time, the overdue rate and the median in working days across the holiday, and
// the open, near-due and overdue work now.
func TestSupervisionBoard(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		seedBoardTasks(t, db, boardFixture)

		var b SupervisionBoard
		ta.expect(ta.do("GET", boardPath+"?from=2026-09-01&to=2026-10-31", ta.authority(), nil), 200).json(t, &b)
		if b.Jurisdiction != "ningxia" || b.From != "2026-09-01" || b.To != "2026-10-31" || b.NearDueWorkdays != 2 ||
			b.GeneratedAt != "2026-11-22T18:00:00+08:00" || b.CalendarVersion == "" {
			t.Errorf("board header = %+v", b)
		}
		type want struct {
			dept                                           string
			now                                            BoardCounts
			handled, noDeadline, onTime, late, openOverdue int
			rate, median                                   string
		}
		wants := []want{
			{models.DemoAuthorityID, BoardCounts{}, 0, 0, 0, 0, 0, "null", "null"},
			// 1 late of 3 judged; median of 0, 2, 2 working days.
			{models.DemoUsingDeptID, BoardCounts{}, 3, 0, 2, 1, 0, "0.3333", "2"},
			// (1 late + 1 open late) ÷ (2 + 1 + 1); median of 2, 4, 4, 9 working days.
			{models.DemoProvidingDeptID, BoardCounts{Open: 4, NearDue: 1, Overdue: 1}, 4, 1, 2, 1, 1, "0.5", "4"},
			{models.DemoTechServiceID, BoardCounts{}, 0, 0, 0, 0, 0, "null", "null"},
			// 3 late of 7 judged; median of 0, 2, 2, 2, 4, 4, 9.
			{"", BoardCounts{Open: 4, NearDue: 1, Overdue: 1}, 7, 1, 4, 2, 1, "0.4286", "2"},
		}
		rows := append(b.Departments, b.Total)
		if len(rows) != len(wants) {
			t.Fatalf("%d rows, want %d: %+v", len(rows), len(wants), rows)
		}
		for i, w := range wants {
			r, p := rows[i], rows[i].Period
			if r.DepartmentID != w.dept || r.Now.BoardCounts != w.now || p.Handled != w.handled || p.HandledWithoutDeadline != w.noDeadline ||
				p.HandledOnTime != w.onTime || p.HandledLate != w.late || p.OpenOverdue != w.openOverdue ||
				jsonNumber(p.OverdueRate) != w.rate || jsonNumber(p.MedianWorkdays) != w.median {
				t.Errorf("row %q: now %+v, period %+v (rate %s, median %s); want %+v", r.DepartmentID, r.Now.BoardCounts, p,
					jsonNumber(p.OverdueRate), jsonNumber(p.MedianWorkdays), w)
			}
		}
		scjg := rows[2]
		if scjg.DepartmentName == "" || fmt.Sprint(scjg.Now.ByProcedure) != "[{catalog_update 目录更新 {1 0 0}} {correction 数据校核纠错 {1 0 1}} {share 有条件共享申请 {2 1 0}}]" {
			t.Errorf("市场监管厅 by procedure: %s %+v", scjg.DepartmentName, scjg.Now.ByProcedure)
		}

		// Default: this year so far, which takes in 人社厅's decision of 2 November.
		ta.expect(ta.do("GET", boardPath, ta.authority(), nil), 200).json(t, &b)
		if b.From != "2026-01-01" || b.To != "2026-11-22" || b.Departments[1].Period.Handled != 4 || b.Total.Period.Handled != 9 {
			t.Errorf("default period: %s..%s, 人社厅 handled %d, total %d", b.From, b.To, b.Departments[1].Period.Handled, b.Total.Period.Handled)
		}
	})
}

func jsonNumber(f *float64) string {
	if f == nil {
		return "null"
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// Only the data authority sees the board; bad parameters are 400 naming the parameter.
func TestSupervisionBoardAccessAndInput(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	for _, tok := range []string{ta.applicant(), ta.providerApprover(), ta.admin(),
		ta.token("head", models.DemoProvidingDeptID, auth.RoleDeptHead)} {
		if e := ta.expect(ta.do("GET", boardPath, tok, nil), 403).errorBody(t); e.Code != CodeForbidden {
			t.Errorf("non-authority: %+v", e)
		}
	}
	ta.expect(ta.do("GET", boardPath+"?format=csv", ta.applicant(), nil), 403)
	for query, field := range map[string]string{
		"from=2026-13-01":                "from",
		"from=yesterday":                 "from",
		"to=2026-02-30":                  "to",
		"from=2026-10-01&to=2026-09-30":  "to",
		"from=1999-01-01":                "from",
		"format=pdf":                     "format",
		"format=":                        "format",
		"format=XLSX&from=2026-01-01":    "format",
		"from=2026-01-01&to=2026-1-31":   "to",
		"from=2026-01-01T00:00:00+08:00": "from",
	} {
		e := ta.expect(ta.do("GET", boardPath+"?"+query, ta.authority(), nil), 400).errorBody(t)
		if e.Code != CodeInvalidInput || e.Fields[field] == "" || len(e.Fields) != 1 {
			t.Errorf("%s: %+v, want 400 naming %s", query, e, field)
		}
	}
	ta.expect(ta.do("GET", boardPath+"?from=2026-10-01&to=2026-10-01&format=json", ta.authority(), nil), 200)

	// The OpenAPI document offers the three forms of the answer.
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]any `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	ta.expect(ta.do("GET", OpenAPIPath, "", nil), 200).json(t, &doc)
	content := doc.Paths[boardPath]["get"].Responses["200"].Content
	for _, mt := range []string{"application/json", mediaCSV, mediaXLSX} {
		if content[mt] == nil {
			t.Errorf("the OpenAPI document lacks %s for the board: %v", mt, content)
		}
	}
}

// The CSV and Excel exports hold the JSON's figures under Chinese headers, as attachments
// named after the period.
func TestSupervisionBoardExports(t *testing.T) {
	db := modelstest.NewSQLite(t)
	ta := newTestAPI(t, db)
	seedBoardTasks(t, db, boardFixture)
	const period = "?from=2026-09-01&to=2026-10-31"
	var b SupervisionBoard
	ta.expect(ta.do("GET", boardPath+period, ta.authority(), nil), 200).json(t, &b)
	scjg := b.Departments[2]

	r := ta.expect(ta.do("GET", boardPath+period+"&format=csv", ta.authority(), nil), 200)
	if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("csv content type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="supervision-board_2026-09-01_2026-10-31.csv"` {
		t.Errorf("csv disposition %q", cd)
	}
	if !bytes.HasPrefix(r.body, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("the CSV does not start with the UTF-8 byte-order mark: % x", r.body[:min(8, len(r.body))])
	}
	records, err := csv.NewReader(bytes.NewReader(r.body[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := "部门编码,部门名称,在办,临期（2个工作日内）,超期在办,办结,按期办结,超期办结,无时限办结,超期未办结,超期率,办理用时中位数（工作日）"
	if len(records) != 6 || strings.Join(records[0], ",") != header {
		t.Fatalf("csv = %q", records)
	}
	if got, want := strings.Join(records[3], ","), models.DemoProvidingDeptID+","+scjg.DepartmentName+",4,1,1,4,2,1,1,1,50.00%,4"; got != want {
		t.Errorf("csv row of 市场监管厅 = %s, want %s", got, want)
	}
	if got := strings.Join(records[1], ","); got != models.DemoAuthorityID+","+b.Departments[0].DepartmentName+",0,0,0,0,0,0,0,0,," {
		t.Errorf("csv row without tasks = %s", got)
	}
	if got := strings.Join(records[5], ","); got != ",合计,4,1,1,7,4,2,1,1,42.86%,2" {
		t.Errorf("csv total = %s", got)
	}

	r = ta.expect(ta.do("GET", boardPath+period+"&format=xlsx", ta.authority(), nil), 200)
	if ct := r.header.Get("Content-Type"); ct != mediaXLSX {
		t.Errorf("xlsx content type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="supervision-board_2026-09-01_2026-10-31.xlsx"` {
		t.Errorf("xlsx disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "部门统计,在办事项,说明" {
		t.Errorf("sheets = %v", got)
	}
	sheet, err := f.GetRows("部门统计", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(sheet) != 6 || strings.Join(sheet[0], ",") != header {
		t.Fatalf("sheet = %q", sheet)
	}
	// Every figure of every row equals the JSON's, the rate as a fraction.
	for i, d := range append(b.Departments, b.Total) {
		row := sheet[i+1]
		for len(row) < 12 {
			row = append(row, "") // trailing empty cells are not returned
		}
		n, p := d.Now, d.Period
		want := []string{strconv.Itoa(n.Open), strconv.Itoa(n.NearDue), strconv.Itoa(n.Overdue), strconv.Itoa(p.Handled),
			strconv.Itoa(p.HandledOnTime), strconv.Itoa(p.HandledLate), strconv.Itoa(p.HandledWithoutDeadline), strconv.Itoa(p.OpenOverdue),
			strings.ReplaceAll(jsonNumber(p.OverdueRate), "null", ""), strings.ReplaceAll(jsonNumber(p.MedianWorkdays), "null", "")}
		if got := row[2:]; strings.Join(got, ",") != strings.Join(want, ",") || row[0] != d.DepartmentID {
			t.Errorf("xlsx row %d = %q, want %s %q", i+1, row, d.DepartmentID, want)
		}
	}
	if v, err := f.GetCellValue("部门统计", "K4"); err != nil || v != "50.00%" {
		t.Errorf("the rate shows as %q (%v), want 50.00%%", v, err)
	}
	// Figures are numbers, not text: a cell without a type attribute is a number in OOXML.
	for _, cell := range []string{"C4", "F4", "K4", "L4"} {
		if typ, err := f.GetCellType("部门统计", cell); err != nil || typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("%s is stored as cell type %v (%v), want a number", cell, typ, err)
		}
	}
	procs, err := f.GetRows("在办事项")
	if err != nil {
		t.Fatal(err)
	}
	// 市场监管厅's three procedures, then the total's.
	if len(procs) != 7 || strings.Join(procs[3], ",") != models.DemoProvidingDeptID+","+scjg.DepartmentName+",share,有条件共享申请,2,1,0" ||
		strings.Join(procs[6], ",") != ",合计,share,有条件共享申请,2,1,0" {
		t.Errorf("open work by procedure = %q", procs)
	}
}
