package activities

import (
	"context"
	"time"
)

// InterfaceStore writes the read model of interface requirements.
type InterfaceStore interface {
	// SaveInterfaceRequirement upserts a requirement, applying it only over a lower stored
	// revision.
	SaveInterfaceRequirement(ctx context.Context, in ProjectInterfaceRequirementInput) error
}

// InterfaceActivities are the projection of InterfaceRequirementWorkflow (服务接口, 内乡 第十三条).
type InterfaceActivities struct {
	Store InterfaceStore
}

// ProjectInterfaceRequirementInput is the whole current state of an interface requirement.
type ProjectInterfaceRequirementInput struct {
	ID              string `json:"id"`
	Revision        int    `json:"revision"`
	WorkflowID      string `json:"workflow_id"`
	DepartmentID    string `json:"department_id"`
	AuthorityDeptID string `json:"authority_dept_id"`
	RequestedBy     string `json:"requested_by"`
	// Form is what the authority wrote (the workflow's contract.InterfaceRequirementForm:
	// description, agreed_due), stored whole as JSON: the projection writes it without knowing
	// its fields.
	Form        any    `json:"form"`
	Status      string `json:"status"`
	CurrentStep string `json:"current_step"`
	// DueAt is the end of the agreed date, or the extended deadline.
	DueAt                *time.Time `json:"due_at,omitempty"`
	ExtensionWorkdays    int        `json:"extension_workdays"`
	InterfaceDescription string     `json:"interface_description,omitempty"`
	Documentation        string     `json:"documentation,omitempty"`
	LegalBasis           []string   `json:"legal_basis,omitempty"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
	ClosedAt             *time.Time `json:"closed_at,omitempty"`
}

// ProjectInterfaceRequirement upserts a requirement into the read model, guarded by Revision.
func (a *InterfaceActivities) ProjectInterfaceRequirement(ctx context.Context, in ProjectInterfaceRequirementInput) error {
	if err := a.Store.SaveInterfaceRequirement(ctx, in); err != nil {
		return storeError(err, "project interface requirement %s revision %d", in.ID, in.Revision)
	}
	return nil
}

// Timeline event kinds of interface requirements.
const (
	EventInterfaceRequired  = "interface_required"  // the authority's requirement and the agreed date
	EventInterfaceDelivered = "interface_delivered" // delivered with its description and documentation
)
