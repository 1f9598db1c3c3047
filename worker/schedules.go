package worker

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/datashare/datashare/workflows/contract"
)

// auditPurgeCron fires the audit purge at 03:00 China time, out of office hours.
const auditPurgeCron = "0 3 * * *"

// scheduleTimeZone is the zone every datashare schedule fires in.
const scheduleTimeZone = "Asia/Shanghai"

// annualReportCron fires the annual reports at 00:10 China time on 1 January: the round
// reports on the year that has just ended.
const annualReportCron = "10 0 1 1 *"

// schedule is one of datashare's Temporal Schedules.
type schedule struct {
	id, cron, title string
	workflow        string
	arg             any
}

// EnsureSchedules creates datashare's Temporal Schedules, or brings an existing one up to date
// with this worker's settings (the retention, the task queue): the nightly audit purge and,
// where the profile requires annual reports (宁夏 第十七条, 内乡 第六十条), their yearly round.
// Every worker replica may run it; the schedule ids keep them one each.
func EnsureSchedules(ctx context.Context, c client.Client, taskQueue string, auditRetentionMonths int, annualReports bool) error {
	all := []schedule{{id: contract.AuditPurgeScheduleID, cron: auditPurgeCron, title: "审计日志清理：保留期以外的记录",
		workflow: contract.AuditPurgeWorkflowType, arg: contract.AuditPurgeInput{RetentionMonths: auditRetentionMonths}}}
	if annualReports {
		all = append(all, schedule{id: contract.AnnualReportScheduleID, cron: annualReportCron, title: "年度报告：每年1月1日开启上一年度的报告",
			workflow: contract.AnnualReportRoundWorkflowType, arg: contract.AnnualReportRoundInput{}})
	}
	for _, s := range all {
		if err := ensureSchedule(ctx, c, taskQueue, s); err != nil {
			return err
		}
	}
	return nil
}

func ensureSchedule(ctx context.Context, c client.Client, taskQueue string, s schedule) error {
	spec := client.ScheduleSpec{CronExpressions: []string{s.cron}, TimeZoneName: scheduleTimeZone}
	action := &client.ScheduleWorkflowAction{ID: s.id, Workflow: s.workflow, Args: []any{s.arg}, TaskQueue: taskQueue}
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: s.id, Spec: spec, Action: action, Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Memo: map[string]any{contract.MemoTitle: s.title},
	})
	if err == nil {
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("create schedule %s: %w", s.id, err)
	}
	h := c.ScheduleClient().GetHandle(ctx, s.id)
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		sc := in.Description.Schedule
		sc.Spec, sc.Action = &spec, action
		if sc.Policy != nil {
			sc.Policy.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
		}
		return &client.ScheduleUpdate{Schedule: &sc}, nil
	}})
	if err != nil {
		return fmt.Errorf("update schedule %s: %w", s.id, err)
	}
	return nil
}
