//go:build embedded

package main

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/datashare/datashare/internal/calendar"
)

// shareRequestState is what the calendar check reads of a share request.
type shareRequestState struct {
	DueAt    string `json:"due_at"`
	Timeline []struct {
		Kind string `json:"kind"`
	} `json:"timeline"`
}

func (s shareRequestState) kinds() []string {
	var out []string
	for _, e := range s.Timeline {
		out = append(out, e.Kind)
	}
	return out
}

func getShareRequest(t *testing.T, base, token, id string) shareRequestState {
	t.Helper()
	status, body := call(t, "GET", base+"/api/v1/share-requests/"+id, token, "")
	var s shareRequestState
	if status != 200 || json.Unmarshal(body, &s) != nil {
		t.Fatalf("share request %s: %d %s", id, status, body)
	}
	return s
}

// calendarDays reads the kind of each day from first to last through the public calendar API.
func calendarDays(t *testing.T, base string, first, last time.Time) []calendar.DayInfo {
	t.Helper()
	q := url.Values{"from": {first.Format(time.DateOnly)}, "to": {last.Format(time.DateOnly)}}
	status, body := call(t, "GET", base+"/api/v1/calendar/days?"+q.Encode(), "", "")
	var res struct {
		Days []calendar.DayInfo `json:"days"`
	}
	if status != 200 || json.Unmarshal(body, &res) != nil {
		t.Fatalf("calendar days %s: %d %s", q.Encode(), status, body)
	}
	return res.Days
}

func firstWorkday(days []calendar.DayInfo) (calendar.DayInfo, bool) {
	i := slices.IndexFunc(days, func(d calendar.DayInfo) bool { return d.Workday })
	if i < 0 {
		return calendar.DayInfo{}, false
	}
	return days[i], true
}

// checkCalendarEditMovesDeadline is what an admin's calendar edit must do to a running
// process: the admin makes a working day before the open share request's deadline a holiday
// (PUT /api/v1/calendar/overrides/{date}), and the process — its calendar watch signalling the
// running workflows — moves the deadline one working day later and records deadline_changed.
func checkCalendarEditMovesDeadline(t *testing.T, base, adminToken, readerToken, requestID string) {
	t.Helper()
	before := getShareRequest(t, base, readerToken, requestID)
	due, err := time.Parse(time.RFC3339, before.DueAt)
	if err != nil {
		t.Fatalf("due_at %q: %v", before.DueAt, err)
	}
	china := calendar.Location()
	due = due.In(china)
	// A working day after today's receipt and before the due day.
	tomorrow := time.Now().In(china).AddDate(0, 0, 1)
	closed, ok := firstWorkday(calendarDays(t, base, tomorrow, due.AddDate(0, 0, -1)))
	if !ok {
		t.Fatalf("no working day between today and the due day %s", due.Format(time.DateOnly))
	}
	next, ok := firstWorkday(calendarDays(t, base, due.AddDate(0, 0, 1), due.AddDate(0, 0, 30)))
	if !ok {
		t.Fatalf("no working day in the 30 days after %s", due.Format(time.DateOnly))
	}
	want := time.Date(next.Date.Year, next.Date.Month, next.Date.Day, due.Hour(), due.Minute(), due.Second(), 0, china)

	status, body := call(t, "PUT", base+"/api/v1/calendar/overrides/"+closed.Date.String(), adminToken,
		`{"kind":"holiday","name":"临时闭馆","source":"测试通知"}`)
	if status != 200 && status != 201 {
		t.Fatalf("make %s a holiday: %d %s", closed.Date, status, body)
	}
	var after shareRequestState
	for deadline := time.Now().Add(time.Minute); ; {
		after = getShareRequest(t, base, readerToken, requestID)
		moved, err := time.Parse(time.RFC3339, after.DueAt)
		if err == nil && moved.Equal(want) && slices.Contains(after.kinds(), "deadline_changed") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s became a holiday: due_at %s (was %s, want %s), timeline %v; the running process did not move the deadline",
				closed.Date, after.DueAt, before.DueAt, want.Format(time.RFC3339), after.kinds())
		}
		time.Sleep(200 * time.Millisecond)
	}
}
