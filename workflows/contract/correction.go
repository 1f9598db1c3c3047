package contract

import (
	"encoding/json"
	"strings"
	"time"
)

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
// attachments stored elsewhere, and text; the API asks for at least one of them.
type CorrectionEvidence struct {
	Attachments []string `json:"attachments" binding:"max=20,dive,max=255"`
	Text        string   `json:"text" binding:"max=4000" text:"multiline"`
}

// CitizenObjection marks a report that relays the objection of a citizen or organisation,
// which the using department raises on their behalf (辽宁 第十八条第二款).
type CitizenObjection struct {
	// Source says whose objection it is and how it came in (a case number, say); no
	// personal data beyond what the case needs.
	Source string `json:"source" binding:"required,max=255"`
}

// CorrectionForm is what the reporting department writes on a report of problem data
// (数据校核纠错): the records or fields concerned, what is wrong, the evidence (佐证材料, 内乡
// 第六十四条) and, where the report relays one, whose objection it is (辽宁 第十八条第二款). The API
// binds it from the create's body with these binding rules (and asks for some evidence), the
// workflow carries it in its input, the read model keeps it whole in the correction's form
// column and every view of the correction shows it (docs/architecture.md, "A field in one
// place"). The resource, the departments and the dates are not part of it: the API and the
// workflow set them.
type CorrectionForm struct {
	// Fields names the records or fields concerned.
	Fields      []string           `json:"fields" binding:"required,max=50,dive,max=200"`
	Description string             `json:"description" binding:"required,max=4000" text:"multiline"`
	Evidence    CorrectionEvidence `json:"evidence"`
	// CitizenObjection is set when the report relays a citizen's objection.
	CitizenObjection *CitizenObjection `json:"citizen_objection,omitempty"`
}

// Normalize trims the form's text before it is validated, and drops the blank entries of its
// lists: a list of blanks names nothing, and blank text is no description.
func (f *CorrectionForm) Normalize() {
	trimText(f)
	f.Fields = nonBlank(f.Fields)
	trimText(&f.Evidence)
	f.Evidence.Attachments = nonBlank(f.Evidence.Attachments)
	if f.CitizenObjection != nil {
		trimText(f.CitizenObjection)
	}
}

// nonBlank is list trimmed, without its blank entries; nil when none is left.
func nonBlank(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// CorrectionInput starts a CorrectionWorkflow (数据校核纠错). The API fills it from the catalog,
// the departments and the profile in force. The form's fields sit at the top level of its
// JSON, as before the form was a type of its own, so recorded histories decode alike.
type CorrectionInput struct {
	CorrectionID string        `json:"correction_id"`
	Resource     ShareResource `json:"resource"`
	// Reporter is the using department that disputes the data, and who reported it.
	Reporter ShareApplicant `json:"reporter"`
	CorrectionForm
	ReceivedAt time.Time `json:"received_at"`
	// AuthorityDeptID coordinates disputes; under 内乡 the report goes through it (第六十四条).
	AuthorityDeptID string `json:"authority_dept_id"`
	// TechServiceDeptID dispatches reports where the profile has a dispatch step; "" elsewhere.
	TechServiceDeptID string `json:"tech_service_dept_id,omitempty"`
}

// UnmarshalJSON decodes an input as every release wrote it: before the form was a type of its
// own, the workflow's input carried a relayed objection under "citizen", which is the form's
// citizen_objection; a workflow started then decodes it there.
func (in *CorrectionInput) UnmarshalJSON(b []byte) error {
	type input CorrectionInput // the fields, without this method
	var v struct {
		input
		Citizen *CitizenObjection `json:"citizen"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*in = CorrectionInput(v.input)
	if in.CitizenObjection == nil {
		in.CitizenObjection = v.Citizen
	}
	return nil
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
