package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/workflows/contract"
)

// The nightly purge deletes what is older than the retention, counted back from its own run;
// a retention under six months (内乡 第三十三条) deletes nothing and fails.
func TestAuditPurgeWorkflow(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 8, 31, 19, 0, 0, 0, time.UTC)) // 03:00 on 1 September in China
	acts := &activities.AuditActivities{}
	env.RegisterActivity(acts)
	var cutoff time.Time
	env.OnActivity(acts.PurgeAuditEvents, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PurgeAuditInput) (activities.PurgeAuditResult, error) {
			cutoff = in.Before
			return activities.PurgeAuditResult{Deleted: 42}, nil
		})
	env.ExecuteWorkflow(AuditPurgeWorkflow, contract.AuditPurgeInput{RetentionMonths: 6})
	require.NoError(t, env.GetWorkflowError())
	var res contract.AuditPurgeResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.True(t, cutoff.Equal(time.Date(2026, 2, 28, 19, 0, 0, 0, time.UTC)), "cutoff %s, want 03:00 on 1 March in China", cutoff)
	require.Equal(t, int64(42), res.Deleted)

	short := s.NewTestWorkflowEnvironment()
	short.RegisterActivity(acts)
	called := false
	short.OnActivity(acts.PurgeAuditEvents, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.PurgeAuditInput) (activities.PurgeAuditResult, error) {
			called = true
			return activities.PurgeAuditResult{}, nil
		})
	short.ExecuteWorkflow(AuditPurgeWorkflow, contract.AuditPurgeInput{RetentionMonths: 3})
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, short.GetWorkflowError(), &appErr)
	require.Contains(t, appErr.Error(), "第三十三条")
	require.False(t, called, "nothing purged")
}
