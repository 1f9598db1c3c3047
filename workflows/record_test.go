//go:build record

package workflows_test

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/devserver"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/internal/testutil"
	"github.com/datashare/datashare/workflows"
	"github.com/datashare/datashare/workflows/contract"
)

// This file records the histories TestReplayShareRequestHistories replays. It links the
// embedded Temporal server, hence the build tag, and writes only with -update:
//
//	CGO_ENABLED=0 go test -tags record ./workflows -run TestRecord -update

var update = flag.Bool("update", false, "record the histories in testdata again")

// discard is a read model that keeps nothing: the recording is about the workflow's history.
type discard struct{}

func (discard) SaveTask(context.Context, activities.ProjectTaskInput) error             { return nil }
func (discard) SaveTimelineEvent(context.Context, activities.AppendTimelineInput) error { return nil }
func (discard) SaveShareRequest(context.Context, activities.ProjectShareRequestInput) error {
	return nil
}
func (discard) SaveGrant(context.Context, activities.ProjectGrantInput) error { return nil }

type fixedCalendar struct{ cal *calendar.Calendar }

func (f fixedCalendar) Calendar(context.Context) (*calendar.Calendar, error) { return f.cal, nil }

var (
	recApprover  = contract.Actor{Subject: "alice", DepartmentID: "dept-provider", Roles: []string{policy.RoleApprover}}
	recApplicant = contract.Actor{Subject: "bob", DepartmentID: "dept-applicant", Roles: []string{policy.RoleApplicant}}
	recAuthority = contract.Actor{Subject: "carol", DepartmentID: "dept-authority", Roles: []string{policy.RoleAuthority}}
)

// recording is one run of ShareRequestWorkflow on a real server (ningxia profile, real
// deadline activity, a read model that keeps nothing).
type recording struct {
	t     *testing.T
	ctx   context.Context
	c     client.Client
	id    string
	runID string
}

// record starts a server and worker, starts the request, lets drive act on it, waits for the
// result and saves the history as testdata/share_request_<name>.json.
func record(t *testing.T, name string, shareType string, drive func(r *recording)) contract.ShareRequestState {
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
	prof, err := policy.Select("ningxia", "", policy.LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	w := sdkworker.New(c, "record-share", sdkworker.Options{})
	w.RegisterWorkflow(workflows.ShareRequestWorkflow)
	w.RegisterActivity(&activities.Activities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}})
	w.RegisterActivity(&activities.ShareActivities{Store: discard{}})
	w.RegisterActivity(writesOver(&activities.Activities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}}, &activities.ShareActivities{Store: discard{}}))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	requestID := "SR-REC-" + name
	id := contract.ShareRequestWorkflowID(requestID)
	// Started as the API starts it: memo, search attributes and summary in the options, and
	// the opened update with the start (Update-with-Start).
	op := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: id, TaskQueue: "record-share", WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			contract.ProcedureKey.ValueSet(policy.ProcShare), contract.JurisdictionKey.ValueSet("ningxia"),
			contract.ApplicantDeptKey.ValueSet("dept-applicant"), contract.ProviderDeptKey.ValueSet("dept-provider"),
			contract.StatusKey.ValueSet(contract.ShareStatusPending)),
		Memo:          map[string]any{contract.MemoTitle: "企业年报信息 / dept-applicant"},
		StaticSummary: requestID + " · 企业年报信息 / dept-applicant",
	}, workflows.ShareRequestWorkflow, contract.ShareRequestInput{
		RequestID: requestID,
		Resource: contract.ShareResource{ID: 7, Code: "NX-1", Name: "企业年报信息",
			ShareType: shareType, ProviderDeptID: "dept-provider"},
		Applicant: contract.ShareApplicant{DepartmentID: "dept-applicant", Subject: "bob"},
		ShareForm: contract.ShareForm{Purpose: "social assistance", Scope: "name, id", DutyBasis: "低保审核",
			RequestedValidityDays: 180},
		ReceivedAt: time.Now(), DecidingDeptID: "dept-provider", AuthorityDeptID: "dept-authority",
	})
	handle, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{UpdateName: contract.UpdateOpened, WaitForStage: client.WorkflowUpdateStageCompleted}})
	if err != nil {
		t.Fatal(err)
	}
	var opened contract.ShareRequestState
	if err := handle.Get(ctx, &opened); err != nil || (!opened.Final && opened.CurrentStep == "") {
		t.Fatalf("opened = %+v, %v", opened, err)
	}
	run, err := op.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	drive(&recording{t: t, ctx: ctx, c: c, id: id, runID: run.GetRunID()})
	var st contract.ShareRequestState
	if err := run.Get(ctx, &st); err != nil {
		t.Fatal(err)
	}

	writeHistory(t, ctx, c, id, run.GetRunID(), "share_request_"+name+".json")
	return st
}

// send sends an update until the workflow takes it: a task's handlers exist only once the
// workflow has opened the task, and a state may be a step away.
func (r *recording) send(name string, arg any) {
	r.t.Helper()
	for {
		h, err := r.c.UpdateWorkflow(r.ctx, client.UpdateWorkflowOptions{WorkflowID: r.id, RunID: r.runID,
			UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err == nil {
			err = h.Get(r.ctx, nil)
		}
		if err == nil {
			return
		}
		if r.ctx.Err() != nil {
			r.t.Fatalf("%s: %v", name, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (r *recording) complete(step, decision string, actor contract.Actor, fields map[string]any) {
	r.send(contract.UpdateComplete, contract.CompleteUpdate{TaskID: contract.HumanTaskID(r.id, step, 1),
		Actor: actor, Decision: decision, Fields: fields})
}

// searchAttributes waits until the server's search attributes show the status.
func (r *recording) searchAttributes(status string) map[string]string {
	r.t.Helper()
	for {
		d, err := r.c.DescribeWorkflowExecution(r.ctx, r.id, r.runID)
		if err != nil {
			r.t.Fatal(err)
		}
		out := map[string]string{}
		for k, v := range d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields() {
			out[k] = string(v.GetData())
		}
		if out[contract.StatusKey.GetName()] == `"`+status+`"` {
			return out
		}
		if r.ctx.Err() != nil {
			r.t.Fatalf("status %s never reached: %v", status, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var terms = map[string]any{"scope": "name", "usage_purpose": "social assistance", "validity_days": 30}

// Each recording is named for the scenario and the workflow version it was made with; older
// files stay in testdata so that executions started before a change keep replaying.

// Approve, then the authority suspends, resumes and revokes the grant so the workflow ends. The
// server keeps every search attribute, removes the due time once the request is decided, and
// shows the grant's state as the status.
func TestRecordShareRequestApprove(t *testing.T) {
	st := record(t, "approve_suspend_resume_revoke", contract.ShareConditional, func(r *recording) {
		pending := r.searchAttributes(contract.ShareStatusPending)
		for _, k := range []string{contract.ProcedureKey.GetName(), contract.JurisdictionKey.GetName(),
			contract.ApplicantDeptKey.GetName(), contract.ProviderDeptKey.GetName()} {
			if pending[k] == "" {
				t.Errorf("search attribute %s missing: %v", k, pending)
			}
		}
		r.send(contract.UpdateClaim, contract.ClaimUpdate{TaskID: contract.HumanTaskID(r.id, contract.StepReply, 1), Actor: recApprover})
		r.complete(contract.StepReply, contract.DecisionApprove, recApprover, terms)
		if granted := r.searchAttributes(contract.ShareStatusGranted); granted[contract.DueAtKey.GetName()] != "" {
			t.Errorf("due time still set after the grant: %v", granted)
		}
		r.send(contract.UpdateSuspendGrant, contract.GrantActionUpdate{Actor: recAuthority, Reason: "misuse"})
		r.searchAttributes(contract.ShareStatusSuspended)
		r.send(contract.UpdateResumeGrant, contract.GrantActionUpdate{Actor: recAuthority, Reason: "rectified"})
		r.searchAttributes(contract.ShareStatusGranted)
		r.send(contract.UpdateRevokeGrant, contract.GrantActionUpdate{Actor: recAuthority, Reason: "recording ends"})
	})
	if st.Status != contract.ShareStatusRevoked || st.Grant == nil || st.Grant.Status != activities.GrantRevoked {
		t.Fatalf("final state = %+v", st)
	}
}

// Approve, then the provider delivers the data (政务数据共享条例 第二十二条第一款) by batch
// exchange, and the authority revokes the grant so the workflow ends.
func TestRecordShareRequestApproveDeliver(t *testing.T) {
	st := record(t, "approve_delivered_revoke", contract.ShareConditional, func(r *recording) {
		r.complete(contract.StepReply, contract.DecisionApprove, recApprover, terms)
		if granted := r.searchAttributes(contract.ShareStatusGranted); granted[contract.DueAtKey.GetName()] == "" {
			t.Errorf("no due time while the delivery is open: %v", granted)
		}
		r.complete(contract.StepDeliver, contract.DecisionDelivered, recApprover,
			map[string]any{"method": "batch", "reference": "BX-REC-1"})
		r.send(contract.UpdateRevokeGrant, contract.GrantActionUpdate{Actor: recAuthority, Reason: "recording ends"})
	})
	if st.Status != contract.ShareStatusRevoked || len(st.Decisions) != 2 || st.Decisions[1].Decision != contract.DecisionDelivered {
		t.Fatalf("final state = %+v", st)
	}
}

// The reply sends its one supplement notice (政务数据共享条例 第二十一条第二款), the applicant
// supplements, the resumed reply approves, the provider delivers, and the authority revokes the
// grant so the workflow ends.
func TestRecordShareRequestSupplementApprove(t *testing.T) {
	st := record(t, "supplement_approve_delivered_revoke", contract.ShareConditional, func(r *recording) {
		r.complete(contract.StepReply, contract.DecisionRequestSupplement, recApprover,
			map[string]any{contract.FieldMissing: []any{"营业执照副本", "数据安全保障承诺书"}})
		r.complete(contract.StepSupplement, contract.DecisionSupplemented, recApplicant,
			map[string]any{contract.FieldSupplement: "已补充营业执照副本及承诺书"})
		r.send(contract.UpdateComplete, contract.CompleteUpdate{TaskID: contract.HumanTaskID(r.id, contract.StepReply, 2),
			Actor: recApprover, Decision: contract.DecisionApprove, Fields: terms})
		r.searchAttributes(contract.ShareStatusGranted)
		r.complete(contract.StepDeliver, contract.DecisionDelivered, recApprover, map[string]any{"method": "file"})
		r.send(contract.UpdateRevokeGrant, contract.GrantActionUpdate{Actor: recAuthority, Reason: "recording ends"})
	})
	if st.Status != contract.ShareStatusRevoked || len(st.Decisions) != 4 || st.Decisions[0].Decision != contract.DecisionRequestSupplement {
		t.Fatalf("final state = %+v", st)
	}
}

// Refuse → negotiation → no agreement → coordination upholds the refusal.
func TestRecordShareRequestRefusalUpheld(t *testing.T) {
	st := record(t, "refuse_shared_negotiation_coordinate", contract.ShareConditional, func(r *recording) {
		r.complete(contract.StepReply, contract.DecisionRefuse, recApprover,
			map[string]any{"reason_code": "secret_or_privacy", "reason": "personal data", "legal_basis": "《办法》第十一条"})
		r.send(contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: recApplicant, Reason: "needed"})
		r.complete(contract.StepNegotiate, contract.DecisionFail, recApprover, map[string]any{"reason": "no agreement"})
		r.complete(contract.StepCoordinate, contract.DecisionUpholdRefusal, recAuthority, map[string]any{"reason": "personal data"})
	})
	if st.Status != contract.ShareStatusRejected {
		t.Fatalf("final state = %+v", st)
	}
}

// Refuse → negotiation → no agreement → coordination refers the dispute to the government of
// its level (政务数据共享条例 第二十八条第二款), whose grant the authority records; revoked so the
// workflow ends.
func TestRecordShareRequestGovernmentDecision(t *testing.T) {
	st := record(t, "refuse_negotiation_government_grant_revoke", contract.ShareConditional, func(r *recording) {
		r.complete(contract.StepReply, contract.DecisionRefuse, recApprover,
			map[string]any{"reason_code": "secret_or_privacy", "reason": "personal data", "legal_basis": "《办法》第十一条"})
		r.send(contract.UpdateNegotiation, contract.NegotiationUpdate{Actor: recApplicant, Reason: "needed"})
		r.complete(contract.StepNegotiate, contract.DecisionFail, recApprover, map[string]any{"reason": "no agreement"})
		r.complete(contract.StepCoordinate, contract.DecisionReferToGovernment, recAuthority, map[string]any{"reason": "still no agreement"})
		fields := map[string]any{contract.FieldDecisionDocument: "某府函〔2026〕12号"}
		for k, v := range terms {
			fields[k] = v
		}
		r.complete(contract.StepGovernment, contract.DecisionGrant, recAuthority, fields)
		r.searchAttributes(contract.ShareStatusGranted)
		r.send(contract.UpdateRevokeGrant, contract.GrantActionUpdate{Actor: recAuthority, Reason: "recording ends"})
	})
	if st.Status != contract.ShareStatusRevoked || st.Grant == nil || st.Grant.Basis != contract.StepGovernment+"/"+contract.DecisionGrant {
		t.Fatalf("final state = %+v", st)
	}
}

// A resource not for sharing: negotiation at once, withdrawn by the applicant.
func TestRecordShareRequestNoneWithdrawn(t *testing.T) {
	st := record(t, "none_shared_negotiation_withdrawn", contract.ShareNone, func(r *recording) {
		r.searchAttributes(contract.ShareStatusNegotiating)
		r.send(contract.UpdateWithdraw, contract.WithdrawUpdate{Actor: recApplicant, Reason: "no longer needed"})
	})
	if st.Status != contract.ShareStatusWithdrawn {
		t.Fatalf("final state = %+v", st)
	}
}

// A resource not for sharing: the applicant proposes terms on the shared negotiation task, the
// provider agrees, and the authority revokes the grant so the workflow ends.
func TestRecordShareRequestNegotiatedAgreement(t *testing.T) {
	st := record(t, "none_negotiated_agreement", contract.ShareNone, func(r *recording) {
		r.complete(contract.StepNegotiate, contract.DecisionAgree, recApplicant, terms)
		r.complete(contract.StepNegotiate, contract.DecisionAgree, recApprover, nil)
		r.searchAttributes(contract.ShareStatusGranted)
		r.send(contract.UpdateRevokeGrant, contract.GrantActionUpdate{Actor: recAuthority, Reason: "recording ends"})
	})
	if st.Status != contract.ShareStatusRevoked || st.Grant == nil || st.Grant.Basis != contract.StepNegotiate+"/"+contract.DecisionAgree {
		t.Fatalf("final state = %+v", st)
	}
}

// writeHistory saves a finished workflow's history as testdata/<file>, in the JSON the
// replayer reads.
func writeHistory(t *testing.T, ctx context.Context, c client.Client, id, runID, file string) {
	t.Helper()
	hist := &historypb.History{}
	iter := c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		hist.Events = append(hist.Events, e)
	}
	out, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", file)
	if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d events)", path, len(hist.Events))
}
