package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/datashare/datashare/workflows/contract"
)

// Attrs are the custom search attributes (contract.SearchAttributes) a workflow must carry;
// DatashareJurisdiction is always Jurisdiction, and empty fields are not asked for.
type Attrs struct {
	Procedure     string // DatashareProcedure
	Status        string // DatashareStatus
	ApplicantDept string // DatashareApplicantDept
	ProviderDept  string // DatashareProviderDept
	// NoApplicantDept: the workflow must carry no applicant department at all — a citizen's
	// case, which puts nothing about the person into search attributes.
	NoApplicantDept bool
	// Completed: the execution must have closed as completed, not merely reached the status.
	Completed bool
}

// Query is the visibility query (Temporal's SQL-like list filter) for the workflow with these
// attributes, as an operator would type it in Temporal UI.
func (a Attrs) Query(workflowID string) string {
	q := []string{
		fmt.Sprintf("WorkflowId = %s", quote(workflowID)),
		fmt.Sprintf("%s = %s", contract.JurisdictionKey.GetName(), quote(Jurisdiction)),
	}
	add := func(name, v string) {
		if v != "" {
			q = append(q, fmt.Sprintf("%s = %s", name, quote(v)))
		}
	}
	add(contract.ProcedureKey.GetName(), a.Procedure)
	add(contract.StatusKey.GetName(), a.Status)
	add(contract.ApplicantDeptKey.GetName(), a.ApplicantDept)
	add(contract.ProviderDeptKey.GetName(), a.ProviderDept)
	if a.Completed {
		q = append(q, "ExecutionStatus = 'Completed'")
	}
	return strings.Join(q, " AND ")
}

// quote makes a visibility query's string literal.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "\\'") + "'"
}

// FindWorkflow waits until ListWorkflow finds workflowID by the attributes a, and returns its
// execution. Visibility is eventually consistent and the workflow upserts its attributes as
// it goes, so the query is polled; the attributes the execution then carries are checked
// again one by one, so a failure says which one differs.
func FindWorkflow(t testing.TB, c client.Client, workflowID string, a Attrs) *workflowpb.WorkflowExecutionInfo {
	t.Helper()
	query := a.Query(workflowID)
	var found *workflowpb.WorkflowExecutionInfo
	WaitFor(t, Timeout, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			return fmt.Errorf("list workflows %q: %w", query, err)
		}
		for _, e := range resp.GetExecutions() {
			if e.GetExecution().GetWorkflowId() == workflowID {
				found = e
				return nil
			}
		}
		return fmt.Errorf("no workflow matches %q (now: %s)", query, describe(c, workflowID))
	})
	got := SearchAttributes(t, found)
	want := map[string]string{
		contract.JurisdictionKey.GetName():  Jurisdiction,
		contract.ProcedureKey.GetName():     a.Procedure,
		contract.StatusKey.GetName():        a.Status,
		contract.ApplicantDeptKey.GetName(): a.ApplicantDept,
		contract.ProviderDeptKey.GetName():  a.ProviderDept,
	}
	for name, v := range want {
		if v != "" && got[name] != v {
			t.Errorf("workflow %s: search attribute %s = %q, want %q (all: %v)", workflowID, name, got[name], v, got)
		}
	}
	if v, ok := got[contract.ApplicantDeptKey.GetName()]; a.NoApplicantDept && ok {
		t.Errorf("workflow %s: search attribute %s = %q, want none (a citizen's case)", workflowID, contract.ApplicantDeptKey.GetName(), v)
	}
	if a.Completed && found.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("workflow %s: execution status %s, want completed", workflowID, found.GetStatus())
	}
	return found
}

// describe says what Temporal has of the workflow now, for a message about what it lacks.
func describe(c client.Client, workflowID string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return "describe: " + err.Error()
	}
	info := d.GetWorkflowExecutionInfo()
	attrs, err := decodeAttrs(info.GetSearchAttributes())
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%s, search attributes %v", info.GetStatus(), attrs)
}

// SearchAttributes decodes the keyword search attributes of an execution, by name; other
// types (DatashareDueAt, a time) are left out. A payload that does not decode fails t.
func SearchAttributes(t testing.TB, e *workflowpb.WorkflowExecutionInfo) map[string]string {
	t.Helper()
	out, err := decodeAttrs(e.GetSearchAttributes())
	if err != nil {
		t.Fatalf("workflow %s: %v", e.GetExecution().GetWorkflowId(), err)
	}
	return out
}

func decodeAttrs(sa *commonpb.SearchAttributes) (map[string]string, error) {
	keywords := map[string]bool{}
	for name, typ := range contract.SearchAttributes() {
		keywords[name] = typ == enumspb.INDEXED_VALUE_TYPE_KEYWORD
	}
	out := map[string]string{}
	for name, p := range sa.GetIndexedFields() {
		if !keywords[name] {
			continue
		}
		var v string
		if err := converter.GetDefaultDataConverter().FromPayload(p, &v); err != nil {
			return nil, fmt.Errorf("search attribute %s: %w", name, err)
		}
		out[name] = v
	}
	return out, nil
}

// PendingTimer is when the one timer a waiting workflow has armed fires — a human step arms
// one at a time, for its next reminder or its deadline; ok is false when it has none, or more
// than one, or its history cannot be read.
func PendingTimer(ctx context.Context, c client.Client, workflowID string) (fireAt time.Time, ok bool) {
	started := map[string]time.Time{}
	iter := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			return time.Time{}, false
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			a := e.GetTimerStartedEventAttributes()
			started[a.GetTimerId()] = e.GetEventTime().AsTime().Add(a.GetStartToFireTimeout().AsDuration())
		case enumspb.EVENT_TYPE_TIMER_FIRED:
			delete(started, e.GetTimerFiredEventAttributes().GetTimerId())
		case enumspb.EVENT_TYPE_TIMER_CANCELED:
			delete(started, e.GetTimerCanceledEventAttributes().GetTimerId())
		}
	}
	if len(started) != 1 {
		return time.Time{}, false
	}
	for _, at := range started {
		return at, true
	}
	return time.Time{}, false
}
