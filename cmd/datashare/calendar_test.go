package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/datashare/datashare/internal/calquery"
)

func TestCalendarDueCLI(t *testing.T) {
	cases, err := calquery.HandComputedDueCases()
	if err != nil || len(cases) == 0 {
		t.Fatalf("cases: %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			var out bytes.Buffer
			if err := calendarCommand([]string{"due", "--from", tc.From, "--workdays", strconv.Itoa(tc.Workdays), "--json"}, &out); err != nil {
				t.Fatal(err)
			}
			var res struct {
				Due              string   `json:"due"`
				Provisional      bool     `json:"provisional"`
				UnconfirmedDates []string `json:"unconfirmed_dates"`
				CalendarVersion  string   `json:"calendar_version"`
				Workdays         int      `json:"workdays"`
			}
			if err := json.Unmarshal(out.Bytes(), &res); err != nil {
				t.Fatalf("%v: %s", err, out.Bytes())
			}
			if res.Due != tc.Due || res.Workdays != tc.Workdays || res.Provisional || res.UnconfirmedDates == nil || len(res.UnconfirmedDates) != 0 || res.CalendarVersion == "" {
				t.Fatalf("due = %+v, want %s, not provisional", res, tc.Due)
			}
		})
	}
}

func TestCalendarDueIntoUnpublishedYear(t *testing.T) {
	var out bytes.Buffer
	if err := calendarCommand([]string{"due", "--from", "2026-12-25", "--workdays", "10", "--json"}, &out); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Due              string   `json:"due"`
		Provisional      bool     `json:"provisional"`
		UnconfirmedDates []string `json:"unconfirmed_dates"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	// 2027-01-01 (元旦, estimated) is not counted: 12-28..12-31 and 01-04..01-11.
	if !res.Provisional || res.Due != "2027-01-11T23:59:59+08:00" || len(res.UnconfirmedDates) == 0 || res.UnconfirmedDates[0] != "2027-01-01" {
		t.Fatalf("due into 2027 = %+v", res)
	}
	for _, d := range res.UnconfirmedDates {
		if !strings.HasPrefix(d, "2027-") {
			t.Fatalf("unconfirmed date %s is in a published year", d)
		}
	}
}

func TestCalendarDaysCLI(t *testing.T) {
	var out bytes.Buffer
	if err := calendarCommand([]string{"days", "--from", "2026-02-13", "--to", "2026-02-16", "--json"}, &out); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Days []struct {
			Date    string `json:"date"`
			Workday bool   `json:"workday"`
			Kind    string `json:"kind"`
			Name    string `json:"name"`
		} `json:"days"`
		CalendarVersion string `json:"calendar_version"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		date, kind string
		workday    bool
	}{{"2026-02-13", "workday", true}, {"2026-02-14", "makeup_workday", true}, {"2026-02-15", "holiday", false}, {"2026-02-16", "holiday", false}}
	if len(res.Days) != len(want) {
		t.Fatalf("days = %+v", res.Days)
	}
	for i, w := range want {
		d := res.Days[i]
		if d.Date != w.date || d.Kind != w.kind || d.Workday != w.workday {
			t.Errorf("day %d = %+v, want %+v", i, d, w)
		}
	}
	if res.Days[1].Name != "春节" {
		t.Errorf("make-up day name = %q", res.Days[1].Name)
	}
	// The human format prints one line per day.
	out.Reset()
	if err := calendarCommand([]string{"days", "--from", "2026-02-13", "--to", "2026-02-16"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2026-02-14  Sat  makeup_workday") {
		t.Fatalf("text output:\n%s", out.String())
	}
}

func TestCalendarCLIBadInputExits2(t *testing.T) {
	cases := map[string][]string{
		"from":     {"due", "--from", "13/02/2026", "--workdays", "5"},
		"workdays": {"due", "--from", "2026-02-13", "--workdays", "0"},
		"to":       {"days", "--from", "2026-01-01", "--to", "2027-01-05"},
	}
	for param, args := range cases {
		err := calendarCommand(args, &bytes.Buffer{})
		var ec exitCoder
		if err == nil || !errors.As(err, &ec) || ec.ExitCode() != 2 || !strings.HasPrefix(err.Error(), param+":") {
			t.Errorf("%v: err = %v, want exit 2 naming %s", args, err, param)
		}
	}
	if err := calendarCommand([]string{"days", "--from", "2026-02-10", "--to", "2026-02-01"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "to:") {
		t.Errorf("from after to: %v", err)
	}
}
