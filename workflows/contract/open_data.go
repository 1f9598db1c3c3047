package contract

import "time"

// OpenDataRequestWorkflowType is the registered name of the open-data request workflow
// (有条件开放申请, 内乡 第四十六条); the API starts it by this name.
const OpenDataRequestWorkflowType = "OpenDataRequestWorkflow"

// OpenDataRequestWorkflowID is the workflow ID of open-data request requestID
// ("open-data-OD-…"): readable in Temporal UI, and unique per request so that a second start
// is rejected.
func OpenDataRequestWorkflowID(requestID string) string { return "open-data-" + requestID }

// QueryOpenDataRequest returns the request's OpenDataRequestState.
const QueryOpenDataRequest = "open_data_request"

// Open types of a catalog resource (开放属性), as the catalog stores them.
const (
	// OpenUnconditional: 无条件开放, obtained directly after identity authentication
	// (内乡 第四十六条第三款).
	OpenUnconditional = "unconditional"
	// OpenConditional: 有条件开放, the producing department answers a request (第四十六条).
	OpenConditional = "conditional"
	// OpenNone: 不予开放; a request is refused at submission.
	OpenNone = "none"
)

// Open-data request statuses; also the values of StatusKey for open-data workflows.
const (
	OpenDataStatusPending  = "pending"  // waiting for the producer's reply (待答复)
	OpenDataStatusApproved = "approved" // final: opened on the conditions of use the producer set
	OpenDataStatusRefused  = "refused"  // final: refused with reasons and basis
	// OpenDataStatusOpened: final; unconditionally open data, opened at once after the identity
	// check (内乡 第四十六条第三款).
	OpenDataStatusOpened = "opened"
	// OpenDataStatusWithdrawn: final; the applicant withdrew the request (撤回) before the reply.
	OpenDataStatusWithdrawn = "withdrawn"
)

// The applicant withdraws a pending request with UpdateWithdraw (payload WithdrawUpdate), which
// answers with the OpenDataRequestState.

// The reply step's decisions are DecisionApprove (required field FieldConditions) and
// DecisionRefuse (required FieldReason and FieldLegalBasis: reasons AND basis, 第四十六条第二款).
const (
	FieldConditions = "conditions"
	FieldLegalBasis = "legal_basis"
)

// OpenDataApplicant is the citizen, legal person or organisation who asks (公民、法人和其他组织):
// the verified token's subject, never a department.
type OpenDataApplicant struct {
	Subject string `json:"subject"`
}

// OpenDataResource is the catalog resource asked for, as the API read it at submission.
type OpenDataResource struct {
	ID             int64  `json:"id"`
	Code           string `json:"code"`
	Name           string `json:"name"`
	OpenType       string `json:"open_type"`
	ProviderDeptID string `json:"provider_dept_id"`
}

// OpenDataForm is what the applicant writes on an open-data request: what the data is for
// and which part of it. The API binds it from the create's body with these binding rules, the
// workflow carries it in its input, the read model keeps it whole in the request's form
// column and every view of the request shows it (docs/architecture.md, "A field in one
// place").
type OpenDataForm struct {
	Purpose string `json:"purpose" binding:"max=2000" text:"multiline"`
	Scope   string `json:"scope" binding:"max=2000"`
}

// Normalize trims the form's text before it is validated.
func (f *OpenDataForm) Normalize() { trimText(f) }

// OpenDataRequestInput starts an OpenDataRequestWorkflow. The API fills it from the catalog,
// the verified token and the profile in force. The form's fields sit at the top level of its
// JSON, as before the form was a type of its own, so recorded histories decode alike.
type OpenDataRequestInput struct {
	RequestID string            `json:"request_id"`
	Resource  OpenDataResource  `json:"resource"`
	Applicant OpenDataApplicant `json:"applicant"`
	OpenDataForm
	ReceivedAt      time.Time `json:"received_at"`
	AuthorityDeptID string    `json:"authority_dept_id"`
}

// OpenDataExtension is the extension the producer's head granted (延期, 第四十六条第二款), as
// the applicant sees it.
type OpenDataExtension struct {
	Workdays int    `json:"workdays"`
	Reason   string `json:"reason"`
	// ApprovedAt is when the department head approved it.
	ApprovedAt time.Time `json:"approved_at"`
}

// OpenDataRequestState is the whole serialisable state of an open-data request;
// QueryOpenDataRequest returns it and so does the workflow.
type OpenDataRequestState struct {
	Input OpenDataRequestInput `json:"input"`
	// CaseState: DueAt is the reply's deadline, moved by an approved extension.
	CaseState
	// OriginalDueAt is the reply's first deadline (10 WD of receipt).
	OriginalDueAt *time.Time         `json:"original_due_at,omitempty"`
	Extension     *OpenDataExtension `json:"extension,omitempty"`
	// Conditions of use set on approval; Reason and RefusalBasis of a refusal.
	Conditions   string        `json:"conditions,omitempty"`
	Reason       string        `json:"reason,omitempty"`
	RefusalBasis string        `json:"refusal_basis,omitempty"`
	Withdrawn    *ActionRecord `json:"withdrawn,omitempty"`
}
