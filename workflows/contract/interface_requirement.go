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

// InterfaceRequirementInput starts an InterfaceRequirementWorkflow: the authority requires a
// service interface from a producing department by an agreed date.
type InterfaceRequirementInput struct {
	RequirementID   string `json:"requirement_id"`
	DepartmentID    string `json:"department_id"`
	AuthorityDeptID string `json:"authority_dept_id"`
	Description     string `json:"description"`
	// AgreedDue (YYYY-MM-DD, China) is the date agreed between the two (双方协商的时间).
	AgreedDue   string    `json:"agreed_due"`
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
