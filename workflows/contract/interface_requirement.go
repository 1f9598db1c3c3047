package contract

import "time"

// InterfaceRequirementWorkflowType is the registered name of the interface-delivery workflow
// (服务接口提供与延期, 内乡 第十三条第二款); the API starts it by this name.
const InterfaceRequirementWorkflowType = "InterfaceRequirementWorkflow"

// InterfaceRequirementWorkflowID is the workflow ID of interface requirement id
// ("interface-requirement-IR-…"), unique per requirement so that a second start is rejected.
func InterfaceRequirementWorkflowID(id string) string { return "interface-requirement-" + id }

// QueryInterfaceRequirement returns the requirement's InterfaceRequirementState.
const QueryInterfaceRequirement = "interface_requirement"

// StepInterfaceRequest is the producer's step: deliver the interface by the agreed date, or
// apply in writing for an extension of at most 5 working days (第十三条第二款). Its code is the
// profile's ("request").
const StepInterfaceRequest = "request"

// DecisionDelivered delivers the interface: interface_description and documentation (接口规范及
// 调用说明, 第十三条第二款) are required.
const DecisionDelivered = "delivered"

// Interface requirement statuses; also the values of StatusKey for its workflows.
const (
	InterfaceStatusRequired  = "required"  // waiting for the producer's delivery
	InterfaceStatusDelivered = "delivered" // final
)

// InterfaceRequirementForm is what the authority writes when it requires a service interface:
// which interface, for what scenario, and the date agreed with the department. The API binds
// it from the create's body with these binding rules (and checks the date), the workflow
// carries it in its input, the read model keeps it whole in the requirement's form column and
// every view of the requirement shows it (docs/architecture.md, "A field in one place"). The
// department is not part of it: lists select requirements by their department's column.
type InterfaceRequirementForm struct {
	Description string `json:"description" binding:"required,max=4000" text:"multiline"`
	// AgreedDue (YYYY-MM-DD, China) is the date agreed between the two (双方协商的时间, 内乡
	// 第十三条第二款), today or later; the interface is due at its end.
	AgreedDue string `json:"agreed_due" binding:"required,max=10"`
}

// Normalize trims the form's text before it is validated.
func (f *InterfaceRequirementForm) Normalize() { trimText(f) }

// InterfaceRequirementInput starts an InterfaceRequirementWorkflow: the authority requires a
// service interface from a producing department by an agreed date. The form's fields sit at
// the top level of its JSON, as before the form was a type of its own, so recorded histories
// decode alike.
type InterfaceRequirementInput struct {
	RequirementID   string `json:"requirement_id"`
	DepartmentID    string `json:"department_id"`
	AuthorityDeptID string `json:"authority_dept_id"`
	InterfaceRequirementForm
	RequestedBy string    `json:"requested_by"`
	ReceivedAt  time.Time `json:"received_at"`
}

// InterfaceRequirementState is the whole serialisable state of an interface requirement;
// QueryInterfaceRequirement returns it and so does the workflow.
type InterfaceRequirementState struct {
	Input InterfaceRequirementInput `json:"input"`
	CaseState
	// ExtensionWorkdays are the working days granted beyond AgreedDue.
	ExtensionWorkdays    int    `json:"extension_workdays,omitempty"`
	InterfaceDescription string `json:"interface_description,omitempty"`
	Documentation        string `json:"documentation,omitempty"`
	Overdue              bool   `json:"overdue,omitempty"`
}
