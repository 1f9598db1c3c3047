package activities

import (
	"context"
	"testing"

	"go.temporal.io/sdk/testsuite"

	"github.com/datashare/datashare/internal/policy"
)

// limitsByWorkflow answers the notice's time limit for the workflows it knows.
type limitsByWorkflow map[string]int

func (l limitsByWorkflow) OrderedWorkdays(_ context.Context, workflowID string) (int, bool, error) {
	n, ok := l[workflowID]
	return n, ok, nil
}

// The rectify step's deadline is the notice's: 5 working days from Tuesday 29 September 2026
// under liaoning end on Monday 12 October (National Day 1–7 October off, Saturday 10 October
// worked), cited to 第二十六条 and not marked local default. Without a notice for the calling
// workflow the profile's local default (10 working days: to 19 October) applies, marked as such.
func TestComputeDeadlineTakesTheNoticesTimeLimit(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	in := DeadlineInput{Procedure: policy.ProcRectification, Step: "rectify", ReceivedAt: cst("2026-09-29T10:00:00+08:00")}
	for _, tc := range []struct {
		name   string
		limits limitsByWorkflow
		due    string
		local  bool
	}{
		{"notice", limitsByWorkflow{"default-test-workflow-id": 5}, "2026-10-12T23:59:59+08:00", false},
		{"no notice", limitsByWorkflow{}, "2026-10-19T23:59:59+08:00", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newActivities(t, "liaoning")
			a.TimeLimits = tc.limits
			env := suite.NewTestActivityEnvironment()
			env.RegisterActivity(a)
			v, err := env.ExecuteActivity(a.ComputeDeadline, in)
			if err != nil {
				t.Fatal(err)
			}
			var got DeadlineResult
			if err := v.Get(&got); err != nil {
				t.Fatal(err)
			}
			checkTime(t, "due", got.DueAt, tc.due)
			if got.LocalDefault != tc.local || len(got.LegalBasis) != 1 || got.LegalBasis[0] != "《辽宁省政务数据资源共享管理办法》第二十六条" {
				t.Errorf("local default %v, legal basis %v", got.LocalDefault, got.LegalBasis)
			}
		})
	}
	// 宁夏 第二十三条 sets sanctions, not a rectification period: the notice's limit is counted
	// but stays local practice.
	nx := newActivities(t, "ningxia")
	nx.TimeLimits = limitsByWorkflow{"default-test-workflow-id": 5}
	nxEnv := suite.NewTestActivityEnvironment()
	nxEnv.RegisterActivity(nx)
	nv, err := nxEnv.ExecuteActivity(nx.ComputeDeadline, in)
	if err != nil {
		t.Fatal(err)
	}
	var ningxia DeadlineResult
	if err := nv.Get(&ningxia); err != nil {
		t.Fatal(err)
	}
	checkTime(t, "ningxia due", ningxia.DueAt, "2026-10-12T23:59:59+08:00")
	if !ningxia.LocalDefault {
		t.Error("ningxia: the notice's limit is not marked local practice")
	}

	// Other steps never ask.
	a := newActivities(t, "liaoning")
	a.TimeLimits = limitsByWorkflow{"default-test-workflow-id": 1}
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	v, err := env.ExecuteActivity(a.ComputeDeadline, DeadlineInput{Procedure: policy.ProcShare, Step: "reply", ReceivedAt: in.ReceivedAt})
	if err != nil {
		t.Fatal(err)
	}
	var share DeadlineResult
	if err := v.Get(&share); err != nil {
		t.Fatal(err)
	}
	if share.Workdays != 5 {
		t.Errorf("share reply: %d working days, want the profile's 5", share.Workdays)
	}
}
