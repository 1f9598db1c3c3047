package contract

import "time"

// Share types of a catalog resource (共享类别), as the catalog stores them.
const (
	ShareUnconditional = "unconditional" // 无条件共享: granted at once
	ShareConditional   = "conditional"   // 有条件共享: the deciding party replies
	ShareNone          = "none"          // 不予共享: only negotiation and coordination can open it
)

// Share request statuses; also the values of StatusKey.
const (
	ShareStatusPending      = "pending"      // waiting for the reply (待答复)
	ShareStatusRefused      = "refused"      // refused, negotiation may still be asked for
	ShareStatusNegotiating  = "negotiating"  // 协商
	ShareStatusCoordinating = "coordinating" // 协调
	ShareStatusGranted      = "granted"      // final: a grant exists
	ShareStatusRejected     = "rejected"     // final: the refusal stands
	ShareStatusWithdrawn    = "withdrawn"    // final: withdrawn by the applicant (撤回)
	// After the grant, the request's status follows its grant, so that administrators can
	// find suspended or ended grants by DatashareStatus.
	ShareStatusSuspended = "suspended" // granted; the grant is suspended by the authority
	ShareStatusRevoked   = "revoked"   // granted; the grant was revoked by the authority
	ShareStatusExpired   = "expired"   // granted; the grant's validity ended
)

// Steps of the share procedure in the jurisdiction profiles.
const (
	StepReply      = "reply"
	StepNegotiate  = "negotiate"
	StepCoordinate = "coordinate"
	// StepSuspend is not a task: its presence in a profile cites the authority's power to
	// suspend or terminate a grant (内乡 第四十一条).
	StepSuspend = "suspend"
	// StepDeliver is the providing department's sharing of the granted data, which the
	// 政务数据共享条例 adds to every profile (第二十二条第一款: within 20 working days of the
	// consent). Its decision is DecisionDelivered with a DeliveryMethods method.
	StepDeliver = "deliver"
	// StepSupplement is the requesting department's supplement of incomplete material after
	// the reply's DecisionRequestSupplement (政务数据共享条例 第二十一条第二款). Its decision is
	// DecisionSupplemented with the text FieldSupplement; the reply then resumes.
	StepSupplement = "supplement"
	// StepGovernment is the authority's record of the decision of the government of its level
	// on a dispute its coordination did not settle (政务数据共享条例 第二十八条第二款:
	// 经协调处理仍未达成一致意见的，报政务数据共享主管部门的本级人民政府决定), after the
	// coordination's DecisionReferToGovernment. Its decisions are DecisionGrant and
	// DecisionUpholdRefusal, each with the government's decision document (FieldDecisionDocument).
	StepGovernment = "government_decision"
)

// DeliveryMethods are the ways of sharing the 条例's 第二十二条第二款 names: 服务接口 (an
// interface), 批量交换 (batch exchange), 文件下载 (file download) — the choices of a delivery's
// method.
var DeliveryMethods = []string{"interface", "batch", "file"}

// Decisions of the share procedure's tasks.
const (
	DecisionApprove       = "approve"        // reply: grant, possibly narrower than asked
	DecisionRefuse        = "refuse"         // reply: refuse with reasons (说明理由)
	DecisionAgree         = "agree"          // negotiation: agreed terms, granted
	DecisionFail          = "fail"           // negotiation: no agreement, to coordination
	DecisionGrant         = "grant"          // coordination: grant (final)
	DecisionUpholdRefusal = "uphold_refusal" // coordination: the refusal stands (final)
	// DecisionRequestSupplement is the reply's notice that material is incomplete (补正告知),
	// listing every missing item in FieldMissing; once per request (一次性告知).
	DecisionRequestSupplement = "request_supplement"
	// DecisionSupplemented completes the supplement task with the material (FieldSupplement).
	DecisionSupplemented = "supplemented"
	// DecisionReferToGovernment: the coordination did not bring the departments to agree, and
	// the authority refers the dispute to the government of its level (报本级人民政府决定).
	DecisionReferToGovernment = "refer_to_government"
)

// FieldDecisionDocument is the government's decision the authority records on the
// government_decision step: its document number or reference (文号).
const FieldDecisionDocument = "document"

// Fields of the supplement notice and of the supplement.
const (
	// FieldMissing is the notice's list of missing items: one line each.
	FieldMissing = "missing"
	// FieldSupplement is the supplemented material, or a description of what was supplemented.
	FieldSupplement = "supplement"
)

// Bounds of a supplement notice's list (FieldMissing).
const (
	MaxMissingItems     = 20
	MaxMissingItemRunes = 200
)

// ShareResource is the catalog resource a request asks for, as the API read it at submission.
type ShareResource struct {
	ID             int64  `json:"id"`
	Code           string `json:"code"`
	Name           string `json:"name"`
	ShareType      string `json:"share_type"`
	ProviderDeptID string `json:"provider_dept_id"`
}

// ShareApplicant is who asks: the using department and the submitting person.
type ShareApplicant struct {
	DepartmentID string `json:"department_id"`
	Subject      string `json:"subject"`
}

// ShareForm is what the applicant writes on a share request (申请表): the API binds it from
// the create's body with these binding rules, the workflow carries it in its input, the read
// model keeps it whole in the request's form column and every view of the request shows it.
// A field added here reaches all of them with no other change (docs/architecture.md, "A
// field in one place"); only a field the workflow acts on, or one the lists filter by, needs
// code elsewhere.
type ShareForm struct {
	Purpose string `json:"purpose" binding:"required,max=2000" text:"multiline"`
	Scope   string `json:"scope" binding:"required,max=2000"`
	// DutyBasis is the duty the applicant needs the data for (履职依据): required for a
	// resource not for sharing, and for every request where the profile asks for it.
	DutyBasis             string `json:"duty_basis,omitempty" binding:"max=2000" text:"multiline"`
	RequestedValidityDays int    `json:"requested_validity_days" binding:"required,gte=1,lte=3660"`
}

// Normalize trims the form's text before it is validated: blank text is no purpose.
func (f *ShareForm) Normalize() { trimText(f) }

// ShareRequestInput starts a ShareRequestWorkflow (有条件共享申请). The API fills it from the
// catalog and the profile in force. The form's fields sit at the top level of its JSON, as
// before the form was a type of its own, so recorded histories decode alike.
type ShareRequestInput struct {
	RequestID string         `json:"request_id"`
	Resource  ShareResource  `json:"resource"`
	Applicant ShareApplicant `json:"applicant"`
	ShareForm
	ReceivedAt time.Time `json:"received_at"`
	// DecidingDeptID decides share/reply: the provider, or the authority under 内乡 第十二条.
	DecidingDeptID  string `json:"deciding_dept_id"`
	AuthorityDeptID string `json:"authority_dept_id"`
}

// GrantState is the grant a request produced (共享授权).
type GrantState struct {
	ID           string    `json:"id"`
	Scope        string    `json:"scope"`
	UsagePurpose string    `json:"usage_purpose"`
	Conditions   string    `json:"conditions,omitempty"`
	ValidFrom    time.Time `json:"valid_from"`
	ValidUntil   time.Time `json:"valid_until"`
	Status       string    `json:"status"`
	StatusReason string    `json:"status_reason,omitempty"`
	// Basis says how it came about: unconditional, or the decision (step and code).
	Basis    string `json:"basis"`
	Revision int    `json:"revision"`
}

// ActionRecord is who did something to the request, when, and why.
type ActionRecord struct {
	By     Actor     `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// ShareRequestState is the whole serialisable state of a share request; QueryShareRequest
// returns it and so does the workflow.
type ShareRequestState struct {
	Input ShareRequestInput `json:"input"`
	// CaseState: DueAt is the deadline of the open task, or the end of the negotiation window;
	// Final says no decision can change the request any more (its grant may still change).
	CaseState
	// NegotiationUntil is the end of the window for asking negotiation after a refusal.
	NegotiationUntil *time.Time    `json:"negotiation_until,omitempty"`
	Negotiation      *ActionRecord `json:"negotiation,omitempty"`
	Withdrawn        *ActionRecord `json:"withdrawn,omitempty"`
	Grant            *GrantState   `json:"grant,omitempty"`
}

// TaskOutcome is how a task was decided.
type TaskOutcome struct {
	TaskID      string         `json:"task_id"`
	Decision    string         `json:"decision"`
	Fields      map[string]any `json:"fields,omitempty"`
	Comment     string         `json:"comment,omitempty"`
	DecidedBy   Actor          `json:"decided_by"`
	DecidedAt   time.Time      `json:"decided_at"`
	Overdue     bool           `json:"overdue"`
	LongOverdue bool           `json:"long_overdue"`
}
