package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// CaseStatus is the answer to a create, common to every procedure: the new case, its
// workflow and its first step.
type CaseStatus struct {
	ID          string  `json:"id"`
	Status      string  `json:"status"`
	WorkflowID  string  `json:"workflow_id"`
	CurrentStep string  `json:"current_step"`
	DueAt       *string `json:"due_at"`
}

// ShareRequestBody is the body of a share request for a resource. It is the same for every
// call with the same resource, so a retry with the same Idempotency-Key replays the first
// answer instead of being refused as a different request.
func ShareRequestBody(resourceID int64) map[string]any {
	return map[string]any{
		"resource_id":             resourceID,
		"purpose":                 "社会保险待遇资格认证",
		"scope":                   "法定代表人姓名、身份证件号码",
		"duty_basis":              "《社会保险法》第八十一条",
		"requested_validity_days": 365,
	}
}

// TryCreateShareRequest sends one create of a share request through base, with an
// Idempotency-Key when key is not empty, and returns the answer whatever its status: a chaos
// test retries it with the same key while an API is down, and expects one request in the end.
func TryCreateShareRequest(ctx context.Context, base, applicantToken string, resourceID int64, key string) (*Response, error) {
	return Do(ctx, Request{Method: "POST", URL: APIPath(base, "/share-requests"), Token: applicantToken,
		Body: ShareRequestBody(resourceID), IdempotencyKey: key})
}

// CreateShareRequest asks for a catalog resource through base as the applicant (201; with a
// key used before, the first answer replayed), and returns the new request. key may be empty.
func CreateShareRequest(t testing.TB, base, applicantToken string, resourceID int64, key string) CaseStatus {
	t.Helper()
	resp, err := TryCreateShareRequest(context.Background(), base, applicantToken, resourceID, key)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 201 {
		t.Fatalf("create share request: want 201: %s", resp)
	}
	var st CaseStatus
	resp.Decode(t, &st)
	if st.ID == "" || st.WorkflowID != contract.ShareRequestWorkflowID(st.ID) {
		t.Fatalf("create share request: id %q, workflow %q: %s", st.ID, st.WorkflowID, resp)
	}
	return st
}

// ShareApproval is the body approving a share request's reply: the grant's terms.
func ShareApproval() map[string]any {
	return map[string]any{
		"decision":      contract.DecisionApprove,
		"scope":         "法定代表人姓名、身份证件号码",
		"usage_purpose": "社会保险待遇资格认证",
		"validity_days": 365,
		"conditions":    "仅限本单位业务使用，不得转授",
	}
}

// ApproveShareRequest finds the open task of share request requestID in the inbox of the
// deciding party (deciderToken: under neixiang the data authority, 内乡 第十二条) at base, and
// approves it there. It returns the task as decided.
func ApproveShareRequest(t testing.TB, base, deciderToken, requestID string) Task {
	t.Helper()
	task := FindTask(t, base, deciderToken, TaskMatch{Procedure: policy.ProcShare, RequestID: requestID, Kind: "step"})
	if !task.Allows(contract.DecisionApprove) {
		t.Fatalf("share request %s: open task %s (step %s) does not allow %s: %+v", requestID, task.ID, task.Step, contract.DecisionApprove, task.Decisions)
	}
	done := CompleteTask(t, base, deciderToken, task.ID, ShareApproval())
	if done.Status != "completed" || done.Decision != contract.DecisionApprove {
		t.Fatalf("share request %s: task %s after approval: status %q decision %q", requestID, task.ID, done.Status, done.Decision)
	}
	return done
}

// ShareRequest is the part of a share request's detail the driver uses.
type ShareRequest struct {
	ID              string `json:"id"`
	Status          string `json:"status"`
	ApplicantDeptID string `json:"applicant_dept_id"`
	ProviderDeptID  string `json:"provider_dept_id"`
	DecidingDeptID  string `json:"deciding_dept_id"`
	WorkflowID      string `json:"workflow_id"`
	Grant           *struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"grant"`
}

// GetShareRequest reads a share request through base.
func GetShareRequest(t testing.TB, base, token, id string) ShareRequest {
	t.Helper()
	var out ShareRequest
	Expect(t, Request{Method: "GET", URL: APIPath(base, "/share-requests/"+id), Token: token}, 200).Decode(t, &out)
	return out
}

// WaitShareGranted waits until share request id, read through base, is granted with an active
// grant, and returns it.
func WaitShareGranted(t testing.TB, base, token, id string) ShareRequest {
	t.Helper()
	var sr ShareRequest
	WaitFor(t, Timeout, func() error {
		sr = GetShareRequest(t, base, token, id)
		if sr.Status != contract.ShareStatusGranted || sr.Grant == nil || sr.Grant.Status != "active" {
			return fmt.Errorf("share request %s at %s: status %q, grant %+v; want granted with an active grant", id, base, sr.Status, sr.Grant)
		}
		return nil
	})
	return sr
}
