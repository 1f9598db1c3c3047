package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/internal/supervision"
	"github.com/datashare/datashare/models"
)

// SupervisionStore is what the supervision board reads of the task read model.
type SupervisionStore interface {
	ListBoardTasks(ctx context.Context, completedFrom, completedTo time.Time) ([]models.BoardTask, error)
}

// Media types of the board's exports.
const (
	mediaCSV  = "text/csv"
	mediaXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// supervisionHandlers serve the data authority's supervision board (督办看板).
type supervisionHandlers struct {
	store       SupervisionStore
	departments DepartmentStore
	calendar    CalendarSource
	profile     policy.Profile
	now         func() time.Time
}

// board answers the board as JSON, or exports it as CSV or Excel with ?format=.
func (h supervisionHandlers) board(c *gin.Context) {
	now := h.now()
	q := queryErrors{}
	format := c.DefaultQuery("format", "json")
	switch format {
	case "json", "csv", "xlsx":
	default:
		q["format"] = "must be json, csv or xlsx"
	}
	// The default period is this year so far, in China.
	today := calendar.DateOf(now)
	from, to := boardDate(q, c, "from", calendar.Date{Year: today.Year, Month: time.January, Day: 1}), boardDate(q, c, "to", today)
	if q["from"] == "" && q["to"] == "" && to.Before(from) {
		q["to"] = fmt.Sprintf("%s is before from %s", to, from)
	}
	if q.abortIfAny(c) {
		return
	}

	ctx := c.Request.Context()
	cal, err := h.calendar.Calendar(ctx)
	if err != nil {
		abort(c, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "calendar unavailable: " + err.Error()})
		return
	}
	deps, err := h.departments.ListDepartments(ctx)
	if err != nil {
		abort(c, err)
		return
	}
	loc := calendar.Location()
	start := time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, loc)
	end := time.Date(to.Year, to.Month, to.Day, 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	tasks, err := h.store.ListBoardTasks(ctx, start, end)
	if err != nil {
		abort(c, err)
		return
	}
	in := supervision.Input{Calendar: cal, Now: now, From: from, To: to, Exclude: map[string]bool{}, Tasks: tasks}
	for _, d := range deps {
		if d.Jurisdiction == h.profile.ID {
			in.Departments = append(in.Departments, supervision.Department{ID: d.ID, Name: d.Name})
		} else {
			in.Exclude[d.ID] = true
		}
	}
	b := supervision.Compute(in)
	out := SupervisionBoard{Jurisdiction: h.profile.ID, From: from.String(), To: to.String(), GeneratedAt: formatTime(now),
		CalendarVersion: cal.Version(), NearDueWorkdays: supervision.NearDueWorkdays,
		Departments: make([]BoardDepartment, 0, len(b.Rows)), Total: toBoardDepartment(b.Total, h.procedureName)}
	for _, r := range b.Rows {
		out.Departments = append(out.Departments, toBoardDepartment(r, h.procedureName))
	}

	name := fmt.Sprintf("supervision-board_%s_%s.%s", out.From, out.To, format)
	switch format {
	case "csv":
		c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
		c.Data(http.StatusOK, mediaCSV+"; charset=utf-8", boardCSV(out))
	case "xlsx":
		body, err := boardXLSX(out)
		if err != nil {
			abort(c, fmt.Errorf("write the supervision board as xlsx: %w", err))
			return
		}
		c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
		c.Data(http.StatusOK, mediaXLSX, body)
	default:
		c.JSON(http.StatusOK, out)
	}
}

// boardDate reads a period bound, a China date YYYY-MM-DD within the calendar's years; def
// when absent.
func boardDate(q queryErrors, c *gin.Context, name string, def calendar.Date) calendar.Date {
	s, ok := c.GetQuery(name)
	if !ok {
		return def
	}
	d, err := calendar.ParseDate(strings.TrimSpace(s))
	switch {
	case err != nil:
		q[name] = fmt.Sprintf("must be a date YYYY-MM-DD, got %q", s)
	case d.Year < calendar.MinYear || d.Year > calendar.MaxYear:
		q[name] = fmt.Sprintf("must lie in %d..%d, the calendar's years", calendar.MinYear, calendar.MaxYear)
	}
	return d
}

// procedureName is the profile's Chinese name of a procedure code; "" for a code it lacks.
func (h supervisionHandlers) procedureName(code string) string {
	if p, ok := h.profile.Procedure(code); ok {
		return p.Name
	}
	return ""
}

// boardHeader is the export's column row: the department, its open work now, its handling in
// the period (the fields of BoardDepartment, in order).
var boardHeader = []string{"部门编码", "部门名称", "在办", "临期（2个工作日内）", "超期在办",
	"办结", "按期办结", "超期办结", "无时限办结", "超期未办结", "超期率", "办理用时中位数（工作日）"}

// boardRows are the export's rows after the header: every department, then the total (合计).
func boardRows(b SupervisionBoard) []BoardDepartment {
	total := b.Total
	total.DepartmentName = "合计"
	return append(append([]BoardDepartment(nil), b.Departments...), total)
}

// boardCSV is the board as CSV: UTF-8 with a byte-order mark, without which Excel reads the
// Chinese headers as mojibake. The rate is a percentage with two decimals; an empty cell is
// a figure with nothing to judge (null in JSON).
func boardCSV(b SupervisionBoard) []byte {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	_ = w.Write(boardHeader)
	for _, d := range boardRows(b) {
		n, p := d.Now, d.Period
		rate, median := "", ""
		if p.OverdueRate != nil {
			rate = strconv.FormatFloat(*p.OverdueRate*100, 'f', 2, 64) + "%"
		}
		if p.MedianWorkdays != nil {
			median = strconv.FormatFloat(*p.MedianWorkdays, 'f', -1, 64)
		}
		_ = w.Write([]string{d.DepartmentID, d.DepartmentName, strconv.Itoa(n.Open), strconv.Itoa(n.NearDue), strconv.Itoa(n.Overdue),
			strconv.Itoa(p.Handled), strconv.Itoa(p.HandledOnTime), strconv.Itoa(p.HandledLate), strconv.Itoa(p.HandledWithoutDeadline),
			strconv.Itoa(p.OpenOverdue), rate, median})
	}
	w.Flush()
	return buf.Bytes()
}

// Sheet names of the Excel export.
const (
	sheetDepartments = "部门统计"
	sheetProcedures  = "在办事项"
	sheetNotes       = "说明"
)

// boardXLSX is the board as an Excel workbook: the CSV's table as numbers (the rate a
// fraction shown as a percentage), the open work by department and procedure, and a sheet
// stating the period and the definitions.
func boardXLSX(b SupervisionBoard) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheetDepartments); err != nil {
		return nil, err
	}
	for _, s := range []string{sheetProcedures, sheetNotes} {
		if _, err := f.NewSheet(s); err != nil {
			return nil, err
		}
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return nil, err
	}
	rows := [][]any{anys(boardHeader)}
	for _, d := range boardRows(b) {
		n, p := d.Now, d.Period
		var rate, median any
		if p.OverdueRate != nil {
			rate = *p.OverdueRate
		}
		if p.MedianWorkdays != nil {
			median = *p.MedianWorkdays
		}
		rows = append(rows, []any{d.DepartmentID, d.DepartmentName, n.Open, n.NearDue, n.Overdue,
			p.Handled, p.HandledOnTime, p.HandledLate, p.HandledWithoutDeadline, p.OpenOverdue, rate, median})
	}
	if err := setRows(f, sheetDepartments, rows); err != nil {
		return nil, err
	}
	rateCol, _ := excelize.ColumnNumberToName(11)
	if err := f.SetCellStyle(sheetDepartments, rateCol+"2", fmt.Sprintf("%s%d", rateCol, len(rows)), pct); err != nil {
		return nil, err
	}

	procs := [][]any{{"部门编码", "部门名称", "事项编码", "事项名称", "在办", "临期（2个工作日内）", "超期在办"}}
	for _, d := range boardRows(b) {
		for _, p := range d.Now.ByProcedure {
			procs = append(procs, []any{d.DepartmentID, d.DepartmentName, p.Procedure, p.ProcedureName, p.Open, p.NearDue, p.Overdue})
		}
	}
	if err := setRows(f, sheetProcedures, procs); err != nil {
		return nil, err
	}

	notes := [][]any{
		{"统计期间", b.From + " 至 " + b.To + "（含首尾两日，北京时间）"},
		{"生成时间", b.GeneratedAt},
		{"辖区", b.Jurisdiction},
		{"工作日历版本", b.CalendarVersion},
		{"统计范围", "各部门办理的流程环节待办（step）；督办、延期审批待办不计；未经决定而关闭（如撤回）的待办既不计在办也不计办结"},
		{"在办 / 临期 / 超期在办", "截至生成时间未办结的待办；临期：未超期且距办理时限（含当日）不超过2个工作日；超期在办：已过办理时限当日24时"},
		{"办结", "统计期间内办结的待办，含无办理时限的待办"},
		{"按期办结 / 超期办结", "办结时间不晚于 / 晚于办理时限当日24时；无办理时限的待办不计入"},
		{"超期未办结", "截至生成时间仍未办结、且办理时限在统计期间结束（或生成时间）前已过的待办，按超期计"},
		{"超期率", "（超期办结 + 超期未办结）÷（按期办结 + 超期办结 + 超期未办结）；无可判定的待办时为空"},
		{"办理用时中位数（工作日）", "收到至办结的工作日数（收到当日不计，按国务院办公厅节假日安排及调休计算）的中位数；偶数个时取中间两数的平均"},
	}
	if err := setRows(f, sheetNotes, notes); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func setRows(f *excelize.File, sheet string, rows [][]any) error {
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			return fmt.Errorf("sheet %s row %d: %w", sheet, i+1, err)
		}
	}
	return nil
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
