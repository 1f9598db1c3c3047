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

// EnsureSchedules creates datashare's Temporal Schedules, or brings an existing one up to
// date with this worker's settings (the retention, the task queue): the nightly audit purge.
// Every worker replica may run it; the schedule id keeps it one.
func EnsureSchedules(ctx context.Context, c client.Client, taskQueue string, auditRetentionMonths int) error {
	spec := client.ScheduleSpec{CronExpressions: []string{auditPurgeCron}, TimeZoneName: scheduleTimeZone}
	action := &client.ScheduleWorkflowAction{
		ID:        contract.AuditPurgeScheduleID,
		Workflow:  contract.AuditPurgeWorkflowType,
		Args:      []any{contract.AuditPurgeInput{RetentionMonths: auditRetentionMonths}},
		TaskQueue: taskQueue,
	}
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: contract.AuditPurgeScheduleID, Spec: spec, Action: action,
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Memo:    map[string]any{contract.MemoTitle: "审计日志清理：保留期以外的记录"},
	})
	if err == nil {
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("create schedule %s: %w", contract.AuditPurgeScheduleID, err)
	}
	h := c.ScheduleClient().GetHandle(ctx, contract.AuditPurgeScheduleID)
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec, s.Action = &spec, action
		if s.Policy != nil {
			s.Policy.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
		}
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		return fmt.Errorf("update schedule %s: %w", contract.AuditPurgeScheduleID, err)
	}
	return nil
}
