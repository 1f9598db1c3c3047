package worker

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/datashare/datashare/internal/devserver"
	"github.com/datashare/datashare/internal/testutil"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
	"github.com/datashare/datashare/workflows/contract"
)

// The nightly purge is a Temporal Schedule: the worker creates it, brings it up to date when
// the retention changes, and a firing deletes the audit events past the retention only.
func TestAuditPurgeSchedule(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	srv, err := devserver.Start(context.Background(), devserver.Options{DataDir: t.TempDir(), FrontendPort: testutil.FreePort(t), UIPort: -1, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	c, err := client.Dial(client.Options{HostPort: srv.FrontendHostPort(), Logger: sdklog.NewStructuredLogger(quiet)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	db := modelstest.NewSQLite(t)
	st := models.NewStore(db)
	now := time.Now()
	for key, at := range map[string]time.Time{"old": now.AddDate(-2, 0, 0), "recent": now.AddDate(0, -7, 0), "new": now} {
		if _, err := st.AppendAuditEvent(ctx, &models.AuditEvent{EventKey: key, At: at, Action: "granted"}); err != nil {
			t.Fatal(err)
		}
	}
	const queue = "schedule-test"
	w := sdkworker.New(c, queue, sdkworker.Options{})
	register(w, Deps{DB: db})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	if err := EnsureSchedules(ctx, c, queue, 24, false); err != nil {
		t.Fatal(err)
	}
	// Started again with another retention: the same schedule, brought up to date.
	if err := EnsureSchedules(ctx, c, queue, 12, true); err != nil {
		t.Fatal(err)
	}
	h := c.ScheduleClient().GetHandle(ctx, contract.AuditPurgeScheduleID)
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	spec := desc.Schedule.Spec
	if spec.TimeZoneName != scheduleTimeZone || len(spec.Calendars)+len(spec.CronExpressions) == 0 {
		t.Errorf("spec = %+v", spec)
	}
	// It fires at 03:00 China time, out of office hours, whatever the server's zone.
	china := time.FixedZone("CST", 8*3600)
	if next := desc.Info.NextActionTimes; len(next) == 0 || next[0].In(china).Format("15:04") != "03:00" {
		t.Errorf("next purge at %v, want 03:00 China time", next)
	}
	action, ok := desc.Schedule.Action.(*client.ScheduleWorkflowAction)
	if !ok || action.TaskQueue != queue {
		t.Fatalf("action = %+v", desc.Schedule.Action)
	}
	// Described, the arguments come back as payloads.
	var in contract.AuditPurgeInput
	payload, ok := action.Args[0].(*commonpb.Payload)
	if !ok || converter.GetDefaultDataConverter().FromPayload(payload, &in) != nil || in.RetentionMonths != 12 {
		t.Fatalf("schedule input = %+v (%T); want 12 months", in, action.Args[0])
	}

	// Where the profile requires annual reports, their round fires every 1 January.
	annual, err := c.ScheduleClient().GetHandle(ctx, contract.AnnualReportScheduleID).Describe(ctx)
	if err != nil {
		t.Fatalf("annual report schedule: %v", err)
	}
	if a, ok := annual.Schedule.Action.(*client.ScheduleWorkflowAction); !ok || a.Workflow != contract.AnnualReportRoundWorkflowType ||
		annual.Schedule.Spec.TimeZoneName != scheduleTimeZone {
		t.Errorf("annual report schedule = %+v %+v", annual.Schedule.Action, annual.Schedule.Spec)
	}
	if next := annual.Info.NextActionTimes; len(next) == 0 || next[0].In(china).Format("01-02 15:04") != "01-01 00:10" {
		t.Errorf("next annual round at %v, want 1 January 00:10 China time", next)
	}

	// A firing purges: the two-year-old event goes, the seven-month-old one stays (12 months).
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	for {
		events, _, err := st.ListAuditEvents(ctx, models.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) == 2 {
			// Inserted in map order: compare as a set.
			keys := []string{events[0].EventKey, events[1].EventKey}
			slices.Sort(keys)
			if !slices.Equal(keys, []string{"new", "recent"}) {
				t.Fatalf("left = %+v", events)
			}
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("audit events after the firing: %d", len(events))
		}
		time.Sleep(200 * time.Millisecond)
	}
}
