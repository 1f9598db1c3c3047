// Package contract holds the Temporal wire contracts of datashare's workflows: task queue,
// workflow types and IDs, message names with their payloads, search attributes and the
// workflows' inputs and results. The API and the worker share it; it imports neither the
// workflow code nor the activities, so commands sent from the API never link a side effect
// (docs/architecture.md). Renaming anything here is a wire change.
package contract

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// DefaultTaskQueue is the task queue datashare workers poll unless configured otherwise.
const DefaultTaskQueue = "datashare"

// Custom search attributes, so administrators can filter every procedure in Temporal UI
// (docs/architecture.md). They carry codes only, never personal data. Renaming one is a wire
// change: running workflows keep the old name.
var (
	// ProcedureKey is the procedure code: share, catalog_update, correction, open_data, …
	ProcedureKey = temporal.NewSearchAttributeKeyKeyword("DatashareProcedure")
	// JurisdictionKey is the jurisdiction profile: ningxia, wuhai, liaoning, neixiang, national.
	JurisdictionKey = temporal.NewSearchAttributeKeyKeyword("DatashareJurisdiction")
	// ApplicantDeptKey is the applicant's department id (empty for citizens).
	ApplicantDeptKey = temporal.NewSearchAttributeKeyKeyword("DatashareApplicantDept")
	// ProviderDeptKey is the providing or deciding department id.
	ProviderDeptKey = temporal.NewSearchAttributeKeyKeyword("DatashareProviderDept")
	// StatusKey is the procedure's current status.
	StatusKey = temporal.NewSearchAttributeKeyKeyword("DatashareStatus")
	// DueAtKey is the deadline of the open step.
	DueAtKey = temporal.NewSearchAttributeKeyTime("DatashareDueAt")
)

// SearchAttributes lists the custom search attributes with their types, for registration in
// the namespace at start.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		ProcedureKey.GetName():     enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		JurisdictionKey.GetName():  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		ApplicantDeptKey.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		ProviderDeptKey.GetName():  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		StatusKey.GetName():        enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		DueAtKey.GetName():         enumspb.INDEXED_VALUE_TYPE_DATETIME,
	}
}

// Messages of the human-task step (RunHumanTask). Every human action is an Update with a
// validator, so the API answers synchronously; each carries the acting Actor, which the API
// fills from the verified token (never from the request body), and the TaskID it is meant for.
// Every update returns the task's TaskState after the action.
const (
	// UpdateClaim takes an open task for oneself (签收). Payload ClaimUpdate.
	UpdateClaim = "claim"
	// UpdateUnclaim gives a claimed task back to the department's pool. Payload UnclaimUpdate.
	UpdateUnclaim = "unclaim"
	// UpdateTransfer hands the task to another person of the department or, for the authority
	// where the procedure allows it, to another department (转办). Payload TransferUpdate.
	UpdateTransfer = "transfer"
	// UpdateComment adds a comment to the task's timeline. Payload CommentUpdate.
	UpdateComment = "comment"
	// UpdateComplete decides the task with one of its decisions. Payload CompleteUpdate.
	UpdateComplete = "complete"
	// UpdateUrge urges the deciding party (催办), at most once per working day per party.
	// Payload UrgeUpdate.
	UpdateUrge = "urge"
	// UpdateRequestExtension asks for more working days (延期申请). Payload
	// RequestExtensionUpdate.
	UpdateRequestExtension = "request_extension"
	// UpdateDecideExtension approves or refuses the pending extension request. Payload
	// DecideExtensionUpdate.
	UpdateDecideExtension = "decide_extension"
	// UpdateOpened is sent with a procedure's start (Update-with-Start) by the create: it
	// answers with the procedure's state once its first step is open with its deadline and in
	// the read model, or the case decided at once. No payload; every procedure workflow the
	// API creates has it.
	UpdateOpened = "opened"

	// SignalRecomputeDeadline tells running workflows that the working-day calendar changed, so
	// an open task's deadline is computed again and its timers re-armed. Payload
	// RecomputeDeadlineSignal.
	SignalRecomputeDeadline = "recompute_deadline"

	// QueryTask returns the current task's TaskState (for operators; the API reads the
	// database).
	QueryTask = "task"
)

// Decisions the task API maps onto the extension updates: request_extension on a task whose
// step allows an extension sends UpdateRequestExtension ({"workdays", "reason"}); on the
// extension approval task (延期审批) approve_extension / refuse_extension send
// UpdateDecideExtension.
const (
	DecisionRequestExtension = "request_extension"
	DecisionApproveExtension = "approve_extension"
	DecisionRefuseExtension  = "refuse_extension"
)

// Actor is who performs an action: the token's subject, department and roles.
type Actor struct {
	Subject      string   `json:"subject"`
	DepartmentID string   `json:"department_id"`
	Roles        []string `json:"roles"`
}

// HasRole reports whether the actor holds the role.
func (a Actor) HasRole(role string) bool {
	for _, r := range a.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// ClaimUpdate is the payload of UpdateClaim.
type ClaimUpdate struct {
	TaskID string `json:"task_id"`
	Actor  Actor  `json:"actor"`
}

// UnclaimUpdate is the payload of UpdateUnclaim.
type UnclaimUpdate struct {
	TaskID string `json:"task_id"`
	Actor  Actor  `json:"actor"`
}

// TransferUpdate is the payload of UpdateTransfer: to a person (ToSubject), to a department
// (ToDepartmentID), or both. The API checks that ToSubject exists and belongs to the target
// department; the workflow cannot.
type TransferUpdate struct {
	TaskID         string `json:"task_id"`
	Actor          Actor  `json:"actor"`
	ToSubject      string `json:"to_subject,omitempty"`
	ToDepartmentID string `json:"to_department_id,omitempty"`
	Reason         string `json:"reason,omitempty"`
}

// CommentUpdate is the payload of UpdateComment.
type CommentUpdate struct {
	TaskID string `json:"task_id"`
	Actor  Actor  `json:"actor"`
	Text   string `json:"text"`
}

// CompleteUpdate is the payload of UpdateComplete: a decision of the task's list and the
// fields that decision requires (e.g. approve: scope, usage_purpose, validity_days; refuse:
// reason_code, reason, legal_basis).
type CompleteUpdate struct {
	TaskID   string         `json:"task_id"`
	Actor    Actor          `json:"actor"`
	Decision string         `json:"decision"`
	Fields   map[string]any `json:"fields,omitempty"`
	Comment  string         `json:"comment,omitempty"`
}

// UrgeUpdate is the payload of UpdateUrge.
type UrgeUpdate struct {
	TaskID string `json:"task_id"`
	Actor  Actor  `json:"actor"`
	Text   string `json:"text,omitempty"`
}

// RequestExtensionUpdate is the payload of UpdateRequestExtension.
type RequestExtensionUpdate struct {
	TaskID   string `json:"task_id"`
	Actor    Actor  `json:"actor"`
	Workdays int    `json:"workdays"`
	Reason   string `json:"reason"`
}

// DecideExtensionUpdate is the payload of UpdateDecideExtension; a refusal needs a reason.
type DecideExtensionUpdate struct {
	TaskID  string `json:"task_id"`
	Actor   Actor  `json:"actor"`
	Approve bool   `json:"approve"`
	Reason  string `json:"reason,omitempty"`
}

// RecomputeDeadlineSignal is the payload of SignalRecomputeDeadline.
type RecomputeDeadlineSignal struct {
	// CalendarVersion is the version that caused the signal, for the timeline only: the
	// activity always reads the current calendar.
	CalendarVersion string `json:"calendar_version,omitempty"`
}

// Types of the application errors an update validator rejects with; the API maps them to
// statuses in one place (docs/api.md). Details, when present, are one RejectionDetails.
const (
	ErrTypeNotFound     = "not_found"     // 404: no such task in this workflow
	ErrTypeInvalid      = "invalid"       // 400: a field is missing or malformed
	ErrTypeForbidden    = "forbidden"     // 403: wrong department or role
	ErrTypeConflict     = "conflict"      // 409: the task's state does not allow it (already decided, claimed)
	ErrTypeRuleViolated = "rule_violated" // 422: a business rule (urge limit, extension rule)
)

// RejectionDetails names the payload field a rejection is about, when it is about one.
type RejectionDetails struct {
	Field string `json:"field,omitempty"`
}

// ShareRequestWorkflowID is the workflow ID of share request requestID ("share-request-SR-…"):
// readable in Temporal UI, and unique per request so that a second start is rejected.
func ShareRequestWorkflowID(requestID string) string { return "share-request-" + requestID }

// ShareRequestWorkflowType is the registered name of the share-request workflow; the API
// starts it by this name.
const ShareRequestWorkflowType = "ShareRequestWorkflow"

// HumanTaskID is the deterministic id of the n-th task (from 1) of a step in a workflow.
func HumanTaskID(workflowID, step string, n int) string {
	return fmt.Sprintf("%s/%s/%d", workflowID, step, n)
}

// MemoTitle is the memo key of a workflow's human-readable title (resource name and applicant
// department), shown in Temporal UI; memos are not indexed, so it may hold names.
const MemoTitle = "title"

// Messages of ShareRequestWorkflow, besides those of its human tasks. Every update returns the
// request's ShareRequestState after the action.
const (
	// UpdateWithdraw withdraws the request (撤回), by the applicant, before a final decision;
	// it closes the open task. Payload WithdrawUpdate.
	UpdateWithdraw = "withdraw"
	// UpdateNegotiation asks for negotiation (协商) after a refusal, by the applicant, within
	// the window the policy gives. Payload NegotiationUpdate.
	UpdateNegotiation = "negotiation"
	// UpdateSuspendGrant suspends the request's grant (暂停共享服务, 内乡 第四十一条), by the
	// authority, with a reason. Payload GrantActionUpdate.
	UpdateSuspendGrant = "suspend"
	// UpdateResumeGrant resumes a suspended grant, by the authority, with a reason. Payload
	// GrantActionUpdate.
	UpdateResumeGrant = "resume"
	// UpdateRevokeGrant ends the grant for good (终止共享服务), by the authority, with a reason.
	// Payload GrantActionUpdate.
	UpdateRevokeGrant = "revoke"

	// QueryShareRequest returns the request's ShareRequestState.
	QueryShareRequest = "share_request"
)

// WithdrawUpdate is the payload of UpdateWithdraw.
type WithdrawUpdate struct {
	Actor  Actor  `json:"actor"`
	Reason string `json:"reason,omitempty"`
}

// NegotiationUpdate is the payload of UpdateNegotiation; Reason says why the applicant
// disputes the refusal.
type NegotiationUpdate struct {
	Actor  Actor  `json:"actor"`
	Reason string `json:"reason,omitempty"`
}

// GrantActionUpdate is the payload of UpdateSuspendGrant, UpdateResumeGrant and
// UpdateRevokeGrant; the reason is required.
type GrantActionUpdate struct {
	Actor  Actor  `json:"actor"`
	Reason string `json:"reason"`
}
