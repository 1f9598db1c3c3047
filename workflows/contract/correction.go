package contract

import "time"

// CorrectionWorkflowType is the registered name of the data-correction workflow (数据校核纠错);
// the API starts it by this name.
const CorrectionWorkflowType = "CorrectionWorkflow"

// CorrectionWorkflowID is the workflow ID of correction correctionID ("correction-DC-…"):
// readable in Temporal UI, and unique per report so that a second start is rejected.
func CorrectionWorkflowID(correctionID string) string { return "correction-" + correctionID }

// QueryCorrection returns the correction's CorrectionState.
const QueryCorrection = "correction"

// Steps of the correction procedure in the jurisdiction profiles, besides StepCoordinate.
const (
	// StepDispatch: the technical service unit triages the report and sends it to the
	// producing department (内乡 第六十五条).
	StepDispatch = "dispatch"
	// StepVerify: the providing or producing department verifies the data (校核).
	StepVerify = "verify"
	// StepCorrect: the department corrects the data at source (更正).
	StepCorrect = "correct"
	// StepAccept: the reporting department accepts the result or disputes it, once.
	StepAccept = "accept"
)

// Decisions of the correction procedure's tasks.
const (
	DecisionDispatch       = "dispatch"         // dispatch: to the producing department (department_id)
	DecisionNotDataProblem = "not_data_problem" // dispatch: not a data problem (reason)
	DecisionConfirmed      = "confirmed"        // verify: the data is wrong (finding)
	DecisionRejected       = "rejected"         // verify: the data is right (reason)
	DecisionCorrected      = "corrected"        // correct: what was corrected (corrected)
	DecisionAccept         = "accept"           // accept: the reporter accepts the result
	DecisionDispute        = "dispute"          // accept: the reporter disputes it (reason), to coordination
	DecisionUphold         = "uphold"           // coordinate: the provider's answer stands (reason), final
	DecisionOrderCorrect   = "order_correction" // coordinate: correct the data (instruction), final
)

// Correction statuses; also the values of StatusKey for correction workflows.
const (
	CorrectionStatusDispatching = "dispatching" // waiting for the technical service unit
	CorrectionStatusVerifying   = "verifying"   // 校核中
	CorrectionStatusCorrecting  = "correcting"  // 更正中
	// CorrectionStatusAnswered: the result is out; the reporter accepts or disputes it.
	CorrectionStatusAnswered     = "answered"
	CorrectionStatusCoordinating = "coordinating" // 协调
	// Final statuses.
	CorrectionStatusAccepted = "accepted" // the reporter accepted the result
	CorrectionStatusUpheld   = "upheld"   // coordination upheld the provider's answer
	CorrectionStatusResolved = "resolved" // coordination ordered a correction, which was made
)

// Results of a correction: what the data turned out to be.
const (
	CorrectionResultConfirmed      = "confirmed"        // wrong, and corrected
	CorrectionResultRejected       = "rejected"         // verified as right
	CorrectionResultNotDataProblem = "not_data_problem" // triage found no data problem
)

// CorrectionEvidence is what supports a report (佐证材料, 内乡 第六十四条): references to
// attachments stored elsewhere, and text.
type CorrectionEvidence struct {
	Attachments []string `json:"attachments,omitempty"`
	Text        string   `json:"text,omitempty"`
}

// CitizenObjection marks a report that relays the objection of a citizen or organisation,
// which the using department raises on their behalf (辽宁 第十八条第二款).
type CitizenObjection struct {
	// Source says whose objection it is and how it came in (a case number, say); no
	// personal data beyond what the case needs.
	Source string `json:"source"`
}

// CorrectionInput starts a CorrectionWorkflow (数据校核纠错). The API fills it from the catalog,
// the departments and the profile in force.
type CorrectionInput struct {
	CorrectionID string        `json:"correction_id"`
	Resource     ShareResource `json:"resource"`
	// Reporter is the using department that disputes the data, and who reported it.
	Reporter ShareApplicant `json:"reporter"`
	// Fields names the records or fields concerned.
	Fields      []string           `json:"fields"`
	Description string             `json:"description"`
	Evidence    CorrectionEvidence `json:"evidence"`
	Citizen     *CitizenObjection  `json:"citizen,omitempty"`
	ReceivedAt  time.Time          `json:"received_at"`
	// AuthorityDeptID coordinates disputes; under 内乡 the report goes through it (第六十四条).
	AuthorityDeptID string `json:"authority_dept_id"`
	// TechServiceDeptID dispatches reports where the profile has a dispatch step; "" elsewhere.
	TechServiceDeptID string `json:"tech_service_dept_id,omitempty"`
}

// CorrectionState is the whole serialisable state of a correction; QueryCorrection returns it
// and so does the workflow.
type CorrectionState struct {
	Input CorrectionInput `json:"input"`
	CaseState
	// ProducerDeptID verifies and corrects: the resource's provider, or the department the
	// technical service unit dispatched the report to.
	ProducerDeptID string `json:"producer_dept_id"`
	// Result is one of the CorrectionResult* codes once known; ResultText the finding, the
	// reasons, or what was corrected.
	Result     string `json:"result,omitempty"`
	ResultText string `json:"result_text,omitempty"`
	// Disputed is set when the reporter disputed the result; it can happen once.
	Disputed *ActionRecord `json:"disputed,omitempty"`
}
