package workflows

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// TestEveryProcedureEndsUnderAProfileWithoutIt: the case runner's describe ends a case whose
// profile has no such procedure (a profile changed under a running case), before the case
// writes anything, for every procedure alike. Before the runner, four of the seven went on
// with no steps to run.
func TestEveryProcedureEndsUnderAProfileWithoutIt(t *testing.T) {
	cases := []struct {
		procedure string
		workflow  any
		input     any
	}{
		{policy.ProcShare, ShareRequestWorkflow, contract.ShareRequestInput{RequestID: "SR-1"}},
		{policy.ProcCorrection, CorrectionWorkflow, contract.CorrectionInput{CorrectionID: "DC-1"}},
		{policy.ProcOpenData, OpenDataRequestWorkflow, contract.OpenDataRequestInput{RequestID: "OD-1"}},
		{policy.ProcOpenCatalogCorrection, OpenCatalogCorrectionWorkflow, contract.OpenCatalogCorrectionInput{CorrectionID: "OC-1"}},
		{policy.ProcInterfaceExtension, InterfaceRequirementWorkflow, contract.InterfaceRequirementInput{RequirementID: "IR-1"}},
		{policy.ProcRectification, RectificationWorkflow, contract.RectificationInput{ID: "RN-1"}},
		{policy.ProcCatalogUpdate, CatalogUpdateWorkflow, contract.CatalogUpdateInput{UpdateID: "CU-1"}},
	}
	for _, tc := range cases {
		t.Run(tc.procedure, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: "case-" + tc.procedure})
			env.RegisterWorkflow(tc.workflow)
			acts := &activities.Activities{}
			env.RegisterActivity(acts)
			var asked []string
			env.OnActivity(acts.DescribeProcedure, mock.Anything, mock.Anything).Return(
				func(_ context.Context, in activities.DescribeProcedureInput) (activities.DescribeProcedureResult, error) {
					asked = append(asked, in.Procedure)
					return activities.DescribeProcedureResult{Jurisdiction: "ningxia", Applies: false}, nil
				})
			env.ExecuteWorkflow(tc.workflow, tc.input)

			require.True(t, env.IsWorkflowCompleted())
			err := env.GetWorkflowError()
			var appErr *temporal.ApplicationError
			require.True(t, errors.As(err, &appErr), "the case ends with an application error, not %v", err)
			require.Equal(t, contract.ErrTypeInvalid, appErr.Type())
			require.Contains(t, appErr.Error(), "profile ningxia has no "+tc.procedure+" procedure")
			require.Equal(t, []string{tc.procedure}, asked, "the runner asks for its own procedure once")
		})
	}
}
