package activities

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
)

// ReminderHour is the hour (Asia/Shanghai) at which a reminder of a working day is sent: the
// start of the office day, so the reminder is read the day it is about.
const ReminderHour = 9

// urgeHorizonWorkdays is how many working days past the last alarm (long overdue, or the due
// day) the urge windows reach. Beyond them a workflow falls back to 24-hour windows.
const urgeHorizonWorkdays = 20

// DeadlineInput asks for the deadline of one human task.
type DeadlineInput struct {
	Procedure string `json:"procedure"`
	Step      string `json:"step"`
	// ReceivedAt is when the task reached its actor; the day of receipt is not counted.
	ReceivedAt time.Time `json:"received_at"`
	// ExtensionWorkdays is the sum of the extensions granted so far (延期), added to the
	// step's own working days.
	ExtensionWorkdays int `json:"extension_workdays"`
	// DueDate (YYYY-MM-DD, China) is a date agreed for this case — an interface's delivery
	// date (内乡 第十三条) — instead of the step's working days: the task is due at its end, and
	// extensions count working days beyond it.
	DueDate string `json:"due_date,omitempty"`
	// AnnualYear is the year an annual deadline falls in (the report on 2026 is due in
	// January 2027); 0 is the year of receipt.
	AnnualYear int `json:"annual_year,omitempty"`
	// CaseReceivedAt is when the case's application was received, for a step that a national
	// limit over the whole case bounds (policy.BoundFromCase: 政务数据共享条例 第二十六条第二款,
	// a correction within 10 working days of the verification request). Zero: the task is
	// not part of that handling, and only the bounds counted from its own receipt apply.
	CaseReceivedAt time.Time `json:"case_received_at,omitzero"`
}

// Reminder is one reminder point of the policy, as an instant.
type Reminder struct {
	// WorkdaysBefore the due day; 0 is the due day itself.
	WorkdaysBefore int       `json:"workdays_before"`
	At             time.Time `json:"at"`
}

// EscalationRule is who supervises an overdue task (督办), from the policy.
type EscalationRule struct {
	Role string `json:"role"`
	// Department is a policy department kind (policy.Dept*), which the workflow maps to an id.
	Department string `json:"department"`
	// LongOverdueAfterWorkdays after the due day the task is long overdue.
	LongOverdueAfterWorkdays int      `json:"long_overdue_after_workdays"`
	LegalBasis               []string `json:"legal_basis,omitempty"`
}

// ExtensionRule is how far and by whom the deadline may be extended (延期), from the policy.
type ExtensionRule struct {
	MaxWorkdays int `json:"max_workdays"`
	// Approver is a role: dept_head (of the acting department) or authority.
	Approver string `json:"approver"`
	MaxCount int    `json:"max_count"`
	// LocalDefault: the rule is local practice, not law.
	LocalDefault bool `json:"local_default,omitempty"`
	// LegalBasis is the national regulation's article when the rule is the national layer's
	// (the profile's step has none); empty for a profile's own rule, cited with the step.
	LegalBasis string `json:"legal_basis,omitempty"`
}

// DeadlineResult is a task's deadline and every instant the workflow arms a timer for. Times
// are in +08:00.
type DeadlineResult struct {
	// NoDeadline: the step has none; every time below is zero and there are no reminders.
	NoDeadline bool `json:"no_deadline"`
	// Workdays is the step's working days plus the extensions.
	Workdays int `json:"workdays"`
	// DueAt is the end (23:59:59) of the last working day.
	DueAt time.Time `json:"due_at"`
	// MovedFrom (YYYY-MM-DD, China) is the yearly calendar date of the step when that day is
	// not a working day: the deadline moved to the end of the next working day (restDayRule).
	// Empty otherwise, and in results recorded before the rule.
	MovedFrom string `json:"moved_from,omitempty"`
	// DueRule says, in Chinese, why the due day is not the date of the policy: the move and
	// the product rule behind it. The same line ends LegalBasis, which is what the task shows.
	DueRule string `json:"due_rule,omitempty"`
	// OverdueAt is the first instant the task is overdue: 24:00 of the due day.
	OverdueAt time.Time `json:"overdue_at"`
	// LongOverdueAt is when the task becomes long overdue; zero without an escalation.
	LongOverdueAt time.Time `json:"long_overdue_at"`
	// Reminders in time order; points that would fall before the receipt are left out.
	Reminders        []Reminder `json:"reminders"`
	CalendarVersion  string     `json:"calendar_version"`
	Provisional      bool       `json:"provisional"`
	UnconfirmedDates []string   `json:"unconfirmed_dates,omitempty"`
	// LocalDefault: the regulation sets no time limit; shown as "local default, no statutory
	// deadline", never as law.
	LocalDefault bool `json:"local_default"`
	// LegalBasis renders the step's citations, 《标题》第十一条第三款. When a national bound was
	// compared (Governing), the governing citation comes first and a line in Chinese saying
	// which article governs and which it was compared with comes last.
	LegalBasis []string `json:"legal_basis"`
	// Governing is the source of the deadline when the step was compared with a national
	// bound (a task received on or after its effective date): the stricter of the two. Nil
	// otherwise, and in results recorded before the national layer.
	Governing *DeadlineSource `json:"governing,omitempty"`
	// ComparedWith is the other of the two: the less strict, or on equal terms the national
	// bound (the regional article, which also imposes the step, then governs).
	ComparedWith *DeadlineSource `json:"compared_with,omitempty"`
	Escalation   *EscalationRule `json:"escalation,omitempty"`
	Extension    *ExtensionRule  `json:"extension,omitempty"`
	// WorkdayStarts are the starts (00:00) of the working days from the day of receipt's next
	// working day on, a few weeks past the last alarm. A workflow uses them to limit urges to
	// once per working day without calendar maths of its own; an urge window runs from one
	// start to the next.
	WorkdayStarts []time.Time `json:"workday_starts"`
}

// DeadlineSource is one of the time limits compared for a deadline: an article and its working
// days, or the deployment's local default where the regional text sets none.
type DeadlineSource struct {
	// Citation is the article, 《政务数据共享条例》第十七条第二款; for a local default, the article
	// that imposes the step without a time limit (may be empty).
	Citation string `json:"citation"`
	Workdays int    `json:"workdays"`
	// National: the national layer's bound; otherwise the profile's deadline.
	National bool `json:"national,omitempty"`
	// CountedFrom (YYYY-MM-DD, China) is the day of the case's receipt the working days count
	// from, for a national limit over the whole case; empty when they count from the task's
	// receipt.
	CountedFrom string `json:"counted_from,omitempty"`
	// LocalDefault: the profile's deadline is a local default, not law.
	LocalDefault bool `json:"local_default,omitempty"`
}

// ComputeDeadline computes a task's deadline from the current calendar and the profile's
// step, under the counting rule of docs/api.md, "Working days and deadlines". It has no side effect, so retries are
// harmless; an unknown step or an unsupported deadline is a non-retryable "invalid" error.
func (a *Activities) ComputeDeadline(ctx context.Context, in DeadlineInput) (DeadlineResult, error) {
	step, ok := a.Policy.Step(in.Procedure, in.Step)
	if !ok {
		return DeadlineResult{}, invalid("profile %s has no step %s/%s", a.Policy.ID, in.Procedure, in.Step)
	}
	if in.ExtensionWorkdays < 0 {
		return DeadlineResult{}, invalid("extension of %d working days", in.ExtensionWorkdays)
	}
	ordered, err := a.orderedWorkdays(ctx, in)
	if err != nil {
		return DeadlineResult{}, fmt.Errorf("time limit of the notice: %w", err) // retryable
	}
	if ordered > 0 {
		// The notice fixes the limit. Where the article gives the order that power (辽宁
		// 第二十六条 责令限期改正, …) the limit is the article's; elsewhere (宁夏 第二十三条 sets
		// sanctions, not a rectification period) it stays local practice.
		step.Deadline = policy.Deadline{Workdays: ordered, LocalDefault: !step.Deadline.SetByOrder}
	}
	cal, err := a.Calendars.Calendar(ctx)
	if err != nil {
		return DeadlineResult{}, fmt.Errorf("load calendar: %w", err) // retryable: the database may come back
	}
	return computeDeadline(cal, step, in)
}

func computeDeadline(cal *calendar.Calendar, step policy.Step, in DeadlineInput) (DeadlineResult, error) {
	res := DeadlineResult{
		CalendarVersion: cal.Version(),
		LocalDefault:    step.LocalDefault || step.Deadline.LocalDefault,
		LegalBasis:      citations(step.LegalBasis),
	}
	if x := step.Extension; x != nil {
		res.Extension = &ExtensionRule{MaxWorkdays: x.MaxWorkdays, Approver: x.Approver, MaxCount: x.MaxCount, LocalDefault: x.LocalDefault}
	}
	var due calendar.DueResult
	switch {
	case in.DueDate != "":
		// An agreed date: the end of that day, or working days beyond it once extended.
		day, err := calendar.ParseDate(in.DueDate)
		if err != nil {
			return DeadlineResult{}, invalid("due date %q: %v", in.DueDate, err)
		}
		if due, err = fixedDue(cal, day, in.ExtensionWorkdays); err != nil {
			return DeadlineResult{}, err
		}
		res.LocalDefault, res.Workdays = false, in.ExtensionWorkdays
	case step.Deadline.None:
		res.NoDeadline = true
		return res, nil
	case step.Deadline.Annual != nil:
		// A date every year (annual reports): the one in the year the task was received, in
		// China. On a day off it moves to the next working day (restDayRule); an extension
		// counts working days beyond the moved day, so that each extension day is a day gained.
		//
		// The move is new: results recorded before it keep the date itself. ComputeDeadline
		// is a local activity whose result is in the history, so a replay reads the recorded
		// deadline and never calls this code; only new executions (and a running task's next
		// recomputation, on a calendar change or an extension) see the rule. That is why the
		// workflows need no workflow.GetVersion for it.
		year := in.AnnualYear
		if year == 0 {
			year = in.ReceivedAt.In(calendar.Location()).Year()
		}
		month, d := step.Deadline.Annual.In(year)
		day := calendar.Date{Year: year, Month: month, Day: d}
		moved, unconfirmed := restDayRule(cal, day)
		var err error
		if due, err = fixedDue(cal, moved, in.ExtensionWorkdays); err != nil {
			return DeadlineResult{}, err
		}
		if len(unconfirmed) > 0 {
			// Whether the date is a day off, and which day it moves to, is an estimate.
			due.Provisional = true
			due.UnconfirmedDates = append(unconfirmed, due.UnconfirmedDates...)
		}
		if moved != day {
			res.MovedFrom = day.String()
			res.DueRule = movedRule(cal, day, moved)
			res.LegalBasis = append(res.LegalBasis, res.DueRule)
		}
		res.Workdays = in.ExtensionWorkdays
	case step.Deadline.Workdays < 1:
		return DeadlineResult{}, invalid("step %s has no number of working days (is the profile resolved?)", step.Code)
	default:
		res.Workdays = step.Deadline.Workdays + in.ExtensionWorkdays
		var err error
		due, err = cal.Due(in.ReceivedAt, res.Workdays)
		if err != nil {
			return DeadlineResult{}, invalid("deadline of %d working days from %s: %v", res.Workdays, in.ReceivedAt.Format(time.RFC3339), err)
		}
		// The national layer (政务数据共享条例 since 2025-08-01) bounds the step for a task
		// received on or after its effective date: both dues are computed and the earlier is
		// kept; a receipt before the date keeps the profile's deadline exactly.
		//
		// Like the rest-day rule above, this is new: ComputeDeadline is a local activity whose
		// result is in the history, so a replay reads the recorded deadline and never calls this
		// code; only new executions (and a running task's next recomputation, on a calendar
		// change or an extension) see it, and then only for a receipt on or after the effective
		// date. That is why the workflows need no workflow.GetVersion for it.
		b, natDue, ok, err := nationalBound(cal, step, in)
		if err != nil {
			return DeadlineResult{}, err
		}
		if ok {
			due = applyNational(step, b, in, due, natDue, &res)
			// The extension the regulation allows (政务数据共享条例 第二十一条第一款: at most 10
			// working days with the same-level authority's consent; 第十七条第二款: 5) applies
			// where the profile's step allows none of its own.
			if x := b.Extension; x != nil && res.Extension == nil {
				res.Extension = &ExtensionRule{MaxWorkdays: x.MaxWorkdays, Approver: x.Approver, MaxCount: x.MaxCount,
					LegalBasis: b.LegalBasis.String()}
			}
		}
	}
	res.DueAt = due.Due
	res.OverdueAt = due.Due.Add(time.Second) // 24:00 of the due day
	res.Provisional = due.Provisional
	for _, d := range due.UnconfirmedDates {
		res.UnconfirmedDates = append(res.UnconfirmedDates, d.String())
	}

	dueDay := calendar.DateOf(due.Due)
	for _, point := range sortedDesc(step.Reminders) {
		at := atHour(workdayBefore(cal, dueDay, point), ReminderHour)
		if at.Before(in.ReceivedAt) {
			continue // the task arrived after this point: nothing to remind of
		}
		res.Reminders = append(res.Reminders, Reminder{WorkdaysBefore: point, At: at})
	}

	lastAlarm := dueDay
	if e := step.Escalation; e != nil {
		res.Escalation = &EscalationRule{Role: e.Role, Department: e.Department,
			LongOverdueAfterWorkdays: e.LongOverdueAfterWorkdays, LegalBasis: citations(e.LegalBasis)}
		if e.LongOverdueAfterWorkdays > 0 {
			long, err := cal.Due(due.Due, e.LongOverdueAfterWorkdays)
			if err != nil {
				return DeadlineResult{}, invalid("long-overdue point: %v", err)
			}
			res.LongOverdueAt = long.Due.Add(time.Second)
			lastAlarm = calendar.DateOf(long.Due)
		}
	}

	// Urge windows: every working day after the day of receipt up to the horizon.
	horizon := workdayAfter(cal, lastAlarm, urgeHorizonWorkdays)
	for d := calendar.DateOf(in.ReceivedAt); !d.After(horizon); d = d.AddDays(1) {
		if cal.IsWorkday(d) {
			res.WorkdayStarts = append(res.WorkdayStarts, atHour(d, 0))
		}
	}
	return res, nil
}

// nationalBound is the strictest national bound of the step in force, with its due: the one
// due first. A bound counts from the task's receipt, or for a limit over the whole case
// (policy.BoundFromCase) from the case's receipt, and is in force when that day (China) is on
// or after its effective date; a case bound applies only to a task that names the case's
// receipt.
func nationalBound(cal *calendar.Calendar, step policy.Step, in DeadlineInput) (policy.NationalBound, calendar.DueResult, bool, error) {
	var (
		best    policy.NationalBound
		bestDue calendar.DueResult
		found   bool
	)
	for _, b := range step.NationalBounds {
		from := in.ReceivedAt
		if b.From == policy.BoundFromCase {
			if in.CaseReceivedAt.IsZero() {
				continue
			}
			from = in.CaseReceivedAt
		}
		if !b.InForce(calendar.DateOf(from).String()) {
			continue
		}
		n := b.Workdays + in.ExtensionWorkdays
		due, err := cal.Due(from, n)
		if err != nil {
			return policy.NationalBound{}, calendar.DueResult{}, false,
				invalid("national deadline of %d working days from %s: %v", n, from.Format(time.RFC3339), err)
		}
		if !found || due.Due.Before(bestDue.Due) {
			best, bestDue, found = b, due, true
		}
	}
	return best, bestDue, found, nil
}

// applyNational compares the profile's deadline (due, already in res) with the national bound's
// (natDue) and keeps the earlier; on equal terms the profile's article, which also imposes the
// step, governs. A local-default deadline is no statutory limit: the bound replaces it whatever
// its number, and the deadline is no longer a local default. Extensions add to either alike. The
// result names the governing source and the one compared with, and LegalBasis puts the
// governing citation first and ends with the comparison in Chinese.
func applyNational(step policy.Step, b policy.NationalBound, in DeadlineInput,
	due, natDue calendar.DueResult, res *DeadlineResult) calendar.DueResult {
	national := &DeadlineSource{Citation: b.LegalBasis.String(), Workdays: b.Workdays, National: true}
	if b.From == policy.BoundFromCase {
		national.CountedFrom = calendar.DateOf(in.CaseReceivedAt).String()
	}
	regional := &DeadlineSource{Citation: regionalCitation(step), Workdays: step.Deadline.Workdays, LocalDefault: step.Deadline.LocalDefault}
	if regional.LocalDefault || natDue.Due.Before(due.Due) {
		res.Governing, res.ComparedWith = national, regional
		res.Workdays, res.LocalDefault = b.Workdays+in.ExtensionWorkdays, false
		if !leadsWith(res.LegalBasis, national.Citation) {
			res.LegalBasis = append([]string{national.Citation}, res.LegalBasis...)
		}
		due = natDue
	} else {
		res.Governing, res.ComparedWith = regional, national
	}
	res.LegalBasis = append(res.LegalBasis, comparisonLine(res.Governing, res.ComparedWith))
	return due
}

// leadsWith reports whether the rendered citations start with c.
func leadsWith(basis []string, c string) bool {
	return len(basis) > 0 && basis[0] == c
}

// regionalCitation is the step's article that states its working days, else its first one.
func regionalCitation(step policy.Step) string {
	for _, c := range step.LegalBasis {
		if c.Workdays > 0 && c.Workdays == step.Deadline.Workdays && !step.Deadline.LocalDefault {
			return c.String()
		}
	}
	if len(step.LegalBasis) > 0 {
		return step.LegalBasis[0].String()
	}
	return ""
}

// comparisonLine says, in Chinese, which time limit governs and which it was compared with:
// 比照《宁夏回族自治区政务数据资源共享管理办法》第八条第一款（15个工作日），从严适用《政务数据共享条例》第十七条第二款（10个工作日）.
func comparisonLine(governing, compared *DeadlineSource) string {
	if governing.CountedFrom != "" || compared.CountedFrom != "" {
		return caseComparisonLine(governing, compared)
	}
	switch {
	case compared.LocalDefault:
		// 《宁夏…》第十五条未规定期限，适用《政务数据共享条例》第二十六条第二款（10个工作日），不再适用本地默认期限（10个工作日）
		silent := ""
		if compared.Citation != "" {
			silent = compared.Citation + "未规定期限，"
		}
		return fmt.Sprintf("%s适用%s（%d个工作日），不再适用本地默认期限（%d个工作日）", silent, governing.Citation, governing.Workdays, compared.Workdays)
	case governing.Workdays == compared.Workdays:
		return fmt.Sprintf("比照%s（%d个工作日），期限相同，适用%s（%d个工作日）", compared.Citation, compared.Workdays, governing.Citation, governing.Workdays)
	default:
		return fmt.Sprintf("比照%s（%d个工作日），从严适用%s（%d个工作日）", compared.Citation, compared.Workdays, governing.Citation, governing.Workdays)
	}
}

// caseComparisonLine is comparisonLine for a national limit over the whole case, counted from
// the case's receipt rather than the task's:
// 全案期限：自 2026-02-12 收到申请起10个工作日内办结（《政务数据共享条例》第二十六条第二款），早于本环节期限（《内乡…》第六十五条，10个工作日），从严适用全案期限.
func caseComparisonLine(governing, compared *DeadlineSource) string {
	nat, step := governing, compared
	if !nat.National {
		nat, step = compared, governing
	}
	limit := fmt.Sprintf("全案期限：自 %s 收到申请起%d个工作日内办结（%s）", nat.CountedFrom, nat.Workdays, nat.Citation)
	if step.LocalDefault {
		// No statutory limit of the step's own: the case's governs, as a bound replaces a
		// local default in comparisonLine.
		return fmt.Sprintf("%s，本环节未规定期限，不再适用本地默认期限（%d个工作日）", limit, step.Workdays)
	}
	own := fmt.Sprintf("本环节期限（%s，%d个工作日）", step.Citation, step.Workdays)
	if nat == governing {
		return limit + "，早于" + own + "，从严适用全案期限"
	}
	return limit + "，" + own + "不晚于全案期限，适用本环节期限"
}

// fixedDue is a deadline on a calendar date: the end of that day, or extension working days
// after it.
func fixedDue(cal *calendar.Calendar, day calendar.Date, extension int) (calendar.DueResult, error) {
	end := time.Date(day.Year, day.Month, day.Day, 23, 59, 59, 0, calendar.Location())
	if extension == 0 {
		return calendar.DueResult{Due: end}, nil
	}
	due, err := cal.Due(end, extension)
	if err != nil {
		return calendar.DueResult{}, invalid("%d working days after %s: %v", extension, day, err)
	}
	return due, nil
}

// restDayRule is the product's rule for a deadline on a calendar date (annual reports:
// 每年1月底前) whose day is not a working day — a weekend not made a working day (调休上班), or
// a holiday: the deadline moves to the first working day after it, and is due at that day's
// end. No data-sharing regulation says what happens then; the rule is modelled on the civil
// code's rule for periods (民法典 第二百零三条: 期间的最后一日是法定休假日的，以法定休假日结束的
// 次日为期间的最后一日) and documented in docs/api.md, "Working days and deadlines". On a
// working day the date stays. It also returns the days from the date to the due day whose
// classification is an estimate (an unpublished year): the due day then is too.
func restDayRule(cal *calendar.Calendar, day calendar.Date) (calendar.Date, []calendar.Date) {
	var unconfirmed []calendar.Date
	for {
		info := cal.Day(day)
		if info.Provisional {
			unconfirmed = append(unconfirmed, day)
		}
		if info.Workday {
			return day, unconfirmed
		}
		day = day.AddDays(1)
	}
}

// movedRule is the line the task shows for a moved deadline: the date, why it is a day off,
// the working day it moved to, and that the rule is the product's, not a regulation's.
func movedRule(cal *calendar.Calendar, from, to calendar.Date) string {
	off := "休息日"
	if info := cal.Day(from); info.Kind == calendar.KindHoliday {
		off = "节假日"
		if info.Name != "" {
			off += "（" + info.Name + "）"
		}
	}
	return fmt.Sprintf("截止日 %s 为%s，顺延至 %s — 本系统规则（参照《中华人民共和国民法典》第二百零三条）", from, off, to)
}

// workdayBefore is the working day n working days before day (n = 0: day itself).
func workdayBefore(cal *calendar.Calendar, day calendar.Date, n int) calendar.Date {
	for n > 0 {
		day = day.AddDays(-1)
		if cal.IsWorkday(day) {
			n--
		}
	}
	return day
}

// workdayAfter is the n-th working day after day.
func workdayAfter(cal *calendar.Calendar, day calendar.Date, n int) calendar.Date {
	for n > 0 {
		day = day.AddDays(1)
		if cal.IsWorkday(day) {
			n--
		}
	}
	return day
}

func atHour(d calendar.Date, hour int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, 0, 0, 0, calendar.Location())
}

// sortedDesc orders reminder points from the earliest (most working days before) to the due
// day, which is time order.
func sortedDesc(points []int) []int {
	out := slices.Sorted(slices.Values(points))
	slices.Reverse(out)
	return out
}

func citations(cs []policy.Citation) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.String())
	}
	return out
}

func invalid(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), ErrTypeInvalid, nil)
}
