package contract

import "time"

// OpenCatalogCorrectionWorkflowType is the registered name of the open-catalog correction
// workflow (开放目录更正, 内乡 第四十五条); the API starts it by this name.
const OpenCatalogCorrectionWorkflowType = "OpenCatalogCorrectionWorkflow"

// OpenCatalogCorrectionWorkflowID is the workflow ID of open-catalog correction id
// ("open-catalog-correction-OC-…"), unique per application so that a second start is rejected.
func OpenCatalogCorrectionWorkflowID(id string) string { return "open-catalog-correction-" + id }

// QueryOpenCatalogCorrection returns the correction's OpenCatalogCorrectionState.
const QueryOpenCatalogCorrection = "open_catalog_correction"

// StepUpdateCatalog is the change of the open catalog after the producer agreed: the producer
// asks the city data authority to change it and records the change or the refusal
// (提请市级数据主管部门变更开放目录, 内乡 第四十五条第三款). The producer's answer is StepReply
// (share.go).
const StepUpdateCatalog = "update_catalog"

// Decisions of the open-catalog correction's tasks.
// reply: DecisionAgree (share.go, "agree") — the producer agrees to the correction.
const (
	DecisionDisagree = "disagree" // reply: it does not (reason and legal_basis, 第四十五条第三款)
	// update_catalog: DecisionApprove (share.go) records the city's change and writes the new
	// catalog version; DecisionRejectUpdate records its refusal (reason).
	DecisionRejectUpdate = "reject"
)

// Open-catalog correction statuses; also the values of StatusKey for its workflows.
const (
	OpenCatalogStatusReplying = "replying"         // the producer answers (10 WD, +≤10 WD)
	OpenCatalogStatusUpdating = "updating_catalog" // the producer has the city authority change the open catalog
	// Final statuses.
	OpenCatalogStatusDisagreed = "disagreed"       // the producer did not agree, with reasons and basis
	OpenCatalogStatusUpdated   = "catalog_updated" // a new catalog version carries the proposed value
	OpenCatalogStatusRejected  = "update_rejected" // the authority refused to change the catalog
	// OpenCatalogStatusUpdateFailed: the authority approved, but the catalog refused the value
	// (the resource was retired, or its rules changed meanwhile); the timeline says why.
	OpenCatalogStatusUpdateFailed = "update_failed"
)

// OpenCatalogCorrectionForm is what the citizen writes on an application to correct the open
// catalog (开放目录更正, 内乡 第四十五条第二款): which field, what it should say, and why. The
// API binds it from the create's body with these binding rules (and checks the field and the
// value against the catalog), the workflow carries it in its input and applies the value, the
// read model keeps it whole in the application's form column and every view of the
// application shows it (docs/architecture.md, "A field in one place"). The field's current
// value is not part of it: the API reads it from the catalog.
type OpenCatalogCorrectionForm struct {
	// Field is a content field of the catalog (ResourceContent's JSON name).
	Field         string `json:"field" binding:"required,max=64"`
	ProposedValue string `json:"proposed_value" binding:"required,max=4000" text:"multiline"`
	Reason        string `json:"reason" binding:"required,max=4000" text:"multiline"`
}

// Normalize trims the form's text before it is validated.
func (f *OpenCatalogCorrectionForm) Normalize() { trimText(f) }

// OpenCatalogCorrectionInput starts an OpenCatalogCorrectionWorkflow: a citizen's application
// to correct one field of an open-catalog entry. The API fills it from the catalog. The form's
// fields sit at the top level of its JSON, as before the form was a type of its own, so
// recorded histories decode alike.
type OpenCatalogCorrectionInput struct {
	CorrectionID string        `json:"correction_id"`
	Resource     ShareResource `json:"resource"`
	// CitizenSubject is the applicant's token subject: kept in the read model so that the
	// citizen finds its own applications, never in search attributes.
	CitizenSubject string `json:"citizen_subject"`
	OpenCatalogCorrectionForm
	// CurrentValue is the field's published value at the application.
	CurrentValue string    `json:"current_value"`
	ReceivedAt   time.Time `json:"received_at"`
	// AuthorityDeptID changes the open catalog and supervises the overdue reply.
	AuthorityDeptID string `json:"authority_dept_id"`
}

// OpenCatalogCorrectionState is the whole serialisable state of an open-catalog correction;
// QueryOpenCatalogCorrection returns it and so does the workflow.
type OpenCatalogCorrectionState struct {
	Input OpenCatalogCorrectionInput `json:"input"`
	CaseState
	// Answer is the producer's reasons (disagree) or comment (agree); AnswerBasis the basis
	// a disagreement must give.
	Answer      string `json:"answer,omitempty"`
	AnswerBasis string `json:"answer_basis,omitempty"`
	// CatalogVersion is the resource's version that carries the proposed value, once written.
	CatalogVersion int `json:"catalog_version,omitempty"`
}
