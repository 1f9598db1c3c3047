package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/workflows/contract"
)

// minAuditRetentionMonths is the floor of the audit log's retention: 内乡 第三十三条 requires logs
// of data provided and obtained to be kept at least six months.
const minAuditRetentionMonths = 6

// AuditPurgeWorkflow deletes the audit events older than the retention, counted back from the
// run's own time; a Schedule starts it every night. A retention below the floor is refused
// rather than applied, so no setting can delete what the regulation keeps.
func AuditPurgeWorkflow(ctx workflow.Context, in contract.AuditPurgeInput) (contract.AuditPurgeResult, error) {
	if in.RetentionMonths < minAuditRetentionMonths {
		return contract.AuditPurgeResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("retention of %d months is below the %d months 内乡 第三十三条 requires", in.RetentionMonths, minAuditRetentionMonths),
			contract.ErrTypeInvalid, nil)
	}
	// Months are counted on the China calendar: a run at 03:00 on 1 September keeps from 03:00
	// on 1 March.
	before := workflow.Now(ctx).In(calendar.Location()).AddDate(0, -in.RetentionMonths, 0)
	var acts *activities.AuditActivities
	var res activities.PurgeAuditResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: 5 * time.Minute, MaximumAttempts: 10},
	}), acts.PurgeAuditEvents, activities.PurgeAuditInput{Before: before}).Get(ctx, &res)
	if err != nil {
		return contract.AuditPurgeResult{}, fmt.Errorf("purge audit events before %s: %w", before.Format(time.RFC3339), err)
	}
	return contract.AuditPurgeResult{Before: before.Format(time.RFC3339), Deleted: res.Deleted}, nil
}
