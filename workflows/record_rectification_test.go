//go:build record

package workflows_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/devserver"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/internal/testutil"
	"github.com/datashare/datashare/workflows"
	"github.com/datashare/datashare/workflows/contract"
)

// rectificationStore keeps nothing but the notice's time limit, which the deadline activity
// reads back.
type rectificationStore struct{ workdays map[string]int }

func (rectificationStore) SaveRectification(context.Context, activities.ProjectRectificationInput) error {
	return nil
}

func (s rectificationStore) OrderedWorkdays(_ context.Context, workflowID string) (int, bool, error) {
	n, ok := s.workdays[workflowID]
	return n, ok, nil
}

// TestRecordRectificationOverdueReturnedAccepted records a liaoning notice issued 30 days ago
// with 5 working days, so it is overdue at once: the consequence (通报批评) is recorded and its
// child task opened; the department reports, the authority returns the report, the department
// reports again, the authority accepts, and carries out the consequence.
func TestRecordRectificationOverdueReturnedAccepted(t *testing.T) {
	if !*update {
		t.Skip("run with -update to record histories")
	}
	quiet := slog.New(slog.DiscardHandler)
	srv, err := devserver.Start(context.Background(), devserver.Options{DataDir: t.TempDir(),
		FrontendPort: testutil.FreePort(t), UIPort: -1, Logger: quiet, SearchAttributes: contract.SearchAttributes()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	c, err := client.Dial(client.Options{HostPort: srv.FrontendHostPort(), Namespace: devserver.DefaultNamespace,
		Logger: log.NewStructuredLogger(quiet)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cal, err := calendar.New(calendar.Options{})
	if err != nil {
		t.Fatal(err)
	}
	prof, err := policy.Select("liaoning", "", policy.LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	id := "RN-REC-1"
	wid := contract.RectificationWorkflowID(id)
	store := rectificationStore{workdays: map[string]int{wid: 5}}
	w := sdkworker.New(c, "record-rectification", sdkworker.Options{})
	w.RegisterWorkflowWithOptions(workflows.RectificationWorkflow, workflow.RegisterOptions{Name: contract.RectificationWorkflowType})
	w.RegisterWorkflowWithOptions(workflows.RectificationConsequenceWorkflow, workflow.RegisterOptions{Name: contract.RectificationConsequenceWorkflowType})
	w.RegisterActivity(&activities.Activities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}, TimeLimits: store})
	w.RegisterActivity(&activities.RectificationActivities{Store: store})
	w.RegisterActivity(writesOver(&activities.Activities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}, TimeLimits: store}, &activities.RectificationActivities{Store: store}))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	v, co := prof.Violations[0], prof.Rectification.Consequence
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wid, TaskQueue: "record-rectification"},
		contract.RectificationWorkflowType, contract.RectificationInput{
			ID: id, DepartmentID: "dept-provider", AuthorityDeptID: "dept-authority", IssuedBy: recAuthority,
			Violation:         contract.Violation{Code: v.Code, Title: v.Title, LegalBasis: []string{v.LegalBasis[0].String()}},
			RectificationForm: contract.RectificationForm{Description: "目录未更新"}, Workdays: 5,
			Consequence: contract.Consequence{Code: co.Code, Title: co.Title, LegalBasis: []string{co.LegalBasis[0].String()}},
			IssuedAt:    time.Now().AddDate(0, 0, -30),
		})
	if err != nil {
		t.Fatal(err)
	}
	r := &recording{t: t, ctx: ctx, c: c, id: wid, runID: run.GetRunID()}
	report := map[string]any{"report": "done", "evidence": "screenshot"}
	step := func(s string, n int) string { return contract.HumanTaskID(wid, s, n) }
	r.send(contract.UpdateComplete, contract.CompleteUpdate{TaskID: step(contract.StepRectify, 1), Actor: recApprover, Decision: contract.DecisionDone, Fields: report})
	r.send(contract.UpdateComplete, contract.CompleteUpdate{TaskID: step(contract.StepReview, 1), Actor: recAuthority, Decision: contract.DecisionReturn, Fields: map[string]any{"reason": "incomplete"}})
	r.send(contract.UpdateComplete, contract.CompleteUpdate{TaskID: step(contract.StepRectify, 2), Actor: recApprover, Decision: contract.DecisionDone, Fields: report})
	r.send(contract.UpdateComplete, contract.CompleteUpdate{TaskID: step(contract.StepReview, 2), Actor: recAuthority, Decision: contract.DecisionAccept})
	child := &recording{t: t, ctx: ctx, c: c, id: contract.RectificationConsequenceWorkflowID(id)}
	child.send(contract.UpdateComplete, contract.CompleteUpdate{TaskID: contract.HumanTaskID(child.id, contract.StepConsequence, 1),
		Actor: recAuthority, Decision: contract.DecisionCarriedOut, Fields: map[string]any{"reference": "circular 1"}})
	var st contract.RectificationState
	if err := run.Get(ctx, &st); err != nil {
		t.Fatal(err)
	}
	if st.Status != contract.RectificationRectified || st.ConsequenceRecordedAt == nil || st.ConsequenceCarriedOut == nil {
		t.Fatalf("final state = %+v", st)
	}
	for _, h := range []struct{ id, runID, file string }{
		{wid, run.GetRunID(), "rectification_overdue_returned_accepted.json"},
		{child.id, "", "rectification_consequence_carried_out.json"},
	} {
		writeHistory(t, ctx, c, h.id, h.runID, h.file)
	}
}
