package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/calquery"
	"github.com/datashare/datashare/internal/calsource"
)

// exitCoder carries a process exit status other than 1.
type exitCoder interface{ ExitCode() int }

// usageError is bad input on the command line: exit status 2, like flag's own errors.
type usageError struct{ error }

func (usageError) ExitCode() int { return 2 }

// runCalendar answers calendar questions from the official data in the binary, with no
// database or server:
//
//	datashare calendar due  --from <RFC3339|YYYY-MM-DD> --workdays N [--json]
//	datashare calendar days --from YYYY-MM-DD --to YYYY-MM-DD [--json]
func runCalendar(_ context.Context, args []string) error {
	return calendarCommand(args, os.Stdout)
}

func calendarCommand(args []string, out io.Writer) error {
	if len(args) == 0 || (args[0] != "due" && args[0] != "days") {
		return usageError{errors.New("usage: datashare calendar due --from <RFC3339|YYYY-MM-DD> --workdays N [--json] | datashare calendar days --from YYYY-MM-DD --to YYYY-MM-DD [--json]")}
	}
	fs := flag.NewFlagSet("calendar "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "receipt time (RFC 3339) or date (YYYY-MM-DD)")
	workdays := fs.String("workdays", "", "number of working days, 1-365")
	to := fs.String("to", "", "last date (YYYY-MM-DD)")
	asJSON := fs.Bool("json", false, "print the JSON answer of the HTTP API")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	src, err := calsource.New(nil, 0, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		return err
	}
	cal, err := src.Calendar(context.Background())
	if err != nil {
		return err
	}
	var answer any
	if args[0] == "due" {
		res, err := calquery.Due(cal, *from, *workdays)
		if err != nil {
			return usageError{err}
		}
		if !*asJSON {
			printDue(out, res)
			return nil
		}
		answer = res
	} else {
		res, err := calquery.Days(cal, *from, *to)
		if err != nil {
			return usageError{err}
		}
		if !*asJSON {
			printDays(out, res)
			return nil
		}
		answer = res
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(answer)
}

func printDue(w io.Writer, r calendar.DueResult) {
	fmt.Fprintf(w, "received  %s\n", r.From.Format(time.RFC3339))
	fmt.Fprintf(w, "due       %s  (%d working days; the day of receipt is not counted)\n", r.Due.Format(time.RFC3339), r.Workdays)
	if r.Provisional {
		dates := make([]string, len(r.UnconfirmedDates))
		for i, d := range r.UnconfirmedDates {
			dates[i] = d.String()
		}
		fmt.Fprintf(w, "PROVISIONAL: no published holiday schedule for %s\n", strings.Join(dates, ", "))
	}
	fmt.Fprintf(w, "calendar  %s\n", r.CalendarVersion)
}

func printDays(w io.Writer, r calquery.DaysResponse) {
	for _, d := range r.Days {
		mark := ""
		if d.Provisional {
			mark = "  (estimated)"
		}
		fmt.Fprintf(w, "%s  %-3s  %-14s %s%s\n", d.Date, d.Date.Weekday().String()[:3], d.Kind, d.Name, mark)
	}
	fmt.Fprintf(w, "calendar  %s\n", r.CalendarVersion)
}
