package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/calquery"
	"github.com/datashare/datashare/internal/calsource"
	"github.com/datashare/datashare/models"
)

// CalendarSource hands out the current working-day calendar.
type CalendarSource interface {
	Calendar(ctx context.Context) (*calendar.Calendar, error)
	Invalidate()
	NoteDue(res calendar.DueResult)
}

// CalendarStore is what the calendar admin handlers need of the database.
type CalendarStore interface {
	CalendarData(ctx context.Context) (models.CalendarData, error)
	PutCalendarOverride(ctx context.Context, o models.CalendarOverride, actor string) (int64, bool, error)
	DeleteCalendarOverride(ctx context.Context, day, actor string) (int64, error)
	LoadCalendarYear(ctx context.Context, year int, source string, days []models.CalendarYearDay, actor string) (int64, error)
}

// calendarHandlers serve the working-day calendar (docs/api.md, "Working days and deadlines"): everyone may ask for a
// deadline or a day's kind; admins correct days and load new years without a release.
type calendarHandlers struct {
	source CalendarSource
	store  CalendarStore
	now    func() time.Time
}

func (h calendarHandlers) current(c *gin.Context) (*calendar.Calendar, bool) {
	cal, err := h.source.Calendar(c.Request.Context())
	if err != nil {
		abort(c, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "calendar unavailable: " + err.Error()})
		return nil, false
	}
	return cal, true
}

// paramError maps the shared query validation onto the envelope, naming the parameter.
func paramError(err error) error {
	var pe *calquery.ParamError
	if errors.As(err, &pe) {
		return invalidField(pe.Param, pe.Message)
	}
	return err
}

func (h calendarHandlers) due(c *gin.Context) {
	cal, ok := h.current(c)
	if !ok {
		return
	}
	res, err := calquery.Due(cal, c.Query("from"), c.Query("workdays"))
	if err != nil {
		abort(c, paramError(err))
		return
	}
	h.source.NoteDue(res)
	c.JSON(http.StatusOK, res)
}

func (h calendarHandlers) days(c *gin.Context) {
	cal, ok := h.current(c)
	if !ok {
		return
	}
	res, err := calquery.Days(cal, c.Query("from"), c.Query("to"))
	if err != nil {
		abort(c, paramError(err))
		return
	}
	c.JSON(http.StatusOK, res)
}

func (h calendarHandlers) status(c *gin.Context) {
	cal, ok := h.current(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, calsource.StatusAt(cal, h.now()))
}

func (h calendarHandlers) listOverrides(c *gin.Context) {
	data, err := h.store.CalendarData(c.Request.Context())
	if err != nil {
		abort(c, err)
		return
	}
	out := CalendarOverrideList{Items: make([]CalendarOverrideView, 0, len(data.Overrides)), Years: make([]CalendarYearView, 0, len(data.Years))}
	for _, o := range data.Overrides {
		out.Items = append(out.Items, toOverrideView(o))
	}
	for _, y := range data.Years {
		out.Years = append(out.Years, CalendarYearView{Year: y.Year, Source: y.Source, LoadedBy: y.LoadedBy, LoadedAt: formatTime(y.LoadedAt)})
	}
	c.JSON(http.StatusOK, out)
}

func (h calendarHandlers) putOverride(c *gin.Context) {
	d, err := calendar.ParseDate(c.Param("date"))
	if err != nil {
		abort(c, invalidField("date", "must be a date YYYY-MM-DD"))
		return
	}
	var in CalendarOverrideInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	// What the calendar would refuse to be built from is refused here: a stored override it
	// cannot take would stop every deadline.
	if field, problem := calendar.CheckOverride(calendar.Override{Date: d, Workday: in.Kind == "workday", Name: in.Name, Source: in.Source}); problem != "" {
		abort(c, invalidField(field, problem))
		return
	}
	o := models.CalendarOverride{Day: d.String(), Workday: in.Kind == "workday", Name: in.Name, Source: in.Source}
	_, created, err := h.store.PutCalendarOverride(c.Request.Context(), o, mustPrincipal(c).Subject)
	if err != nil {
		abort(c, err)
		return
	}
	h.respondEdited(c, d, created)
}

func (h calendarHandlers) deleteOverride(c *gin.Context) {
	d, err := calendar.ParseDate(c.Param("date"))
	if err != nil {
		abort(c, invalidField("date", "must be a date YYYY-MM-DD"))
		return
	}
	if _, err := h.store.DeleteCalendarOverride(c.Request.Context(), d.String(), mustPrincipal(c).Subject); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			err = notFound("no override for " + d.String())
		}
		abort(c, err)
		return
	}
	h.respondEdited(c, d, false)
}

// respondEdited answers an edit with the day as the edited calendar now classifies it.
func (h calendarHandlers) respondEdited(c *gin.Context, d calendar.Date, created bool) {
	h.source.Invalidate()
	cal, ok := h.current(c)
	if !ok {
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, CalendarEditView{Day: cal.Day(d), CalendarVersion: cal.Version()})
}

func (h calendarHandlers) loadYear(c *gin.Context) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < 2000 || year > 2100 {
		abort(c, invalidField("year", "must be a year from 2000 to 2100"))
		return
	}
	var in CalendarYearInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	sched := calendar.Schedule{Year: year, Source: in.Source}
	rows := make([]models.CalendarYearDay, 0, len(in.Days))
	for i, day := range in.Days {
		d, err := calendar.ParseDate(day.Date)
		if err != nil || d.Year != year {
			abort(c, invalidField(fmt.Sprintf("days[%d].date", i), fmt.Sprintf("must be a date YYYY-MM-DD in %d", year)))
			return
		}
		sched.Days = append(sched.Days, calendar.SpecialDay{Date: d, Workday: day.Kind == "workday", Name: day.Name})
		rows = append(rows, models.CalendarYearDay{Day: d.String(), Workday: day.Kind == "workday", Name: day.Name})
	}
	// The calendar's own checks (a make-up working day must fall on a weekend, no date twice…)
	// run before anything is stored.
	if _, err := calendar.New(calendar.Options{Loaded: []calendar.Schedule{sched}}); err != nil {
		abort(c, invalidField("days", err.Error()))
		return
	}
	if _, err := h.store.LoadCalendarYear(c.Request.Context(), year, in.Source, rows, mustPrincipal(c).Subject); err != nil {
		abort(c, err)
		return
	}
	h.source.Invalidate()
	cal, ok := h.current(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, calsource.StatusAt(cal, h.now()))
}
