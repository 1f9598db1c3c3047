package models

import (
	"context"
	"time"
)

// Interface requirement statuses (服务接口, 内乡 第十三条第二款).
const (
	InterfaceRequired  = "required"  // waiting for the producer's delivery or extension request
	InterfaceDelivered = "delivered" // final
)

var interfaceStatuses = map[string]bool{InterfaceRequired: true, InterfaceDelivered: true}

// InterfaceRequirement is the authority's requirement of a service interface from a producing
// department by an agreed date: the projection of its workflow, replaced whole by a higher
// Revision.
type InterfaceRequirement struct {
	ID              string `gorm:"column:id;primaryKey"`
	WorkflowID      string `gorm:"column:workflow_id"`
	DepartmentID    string `gorm:"column:department_id"`
	AuthorityDeptID string `gorm:"column:authority_dept_id"`
	RequestedBy     string `gorm:"column:requested_by"`
	// FormJSON is what the authority wrote (description; agreed_due, the agreed date,
	// YYYY-MM-DD, China), a JSON object the API reads whole: the read model neither filters
	// nor sorts by it. DueAt is the agreed date's end or the extended deadline.
	FormJSON             string     `gorm:"column:form"`
	Status               string     `gorm:"column:status"`
	CurrentStep          string     `gorm:"column:current_step"`
	DueAt                *time.Time `gorm:"column:due_at"`
	ExtensionWorkdays    int        `gorm:"column:extension_workdays"`
	InterfaceDescription string     `gorm:"column:interface_description"`
	Documentation        string     `gorm:"column:documentation"`
	// LegalBasisJSON is a JSON list of citations.
	LegalBasisJSON string     `gorm:"column:legal_basis"`
	Revision       int        `gorm:"column:revision"`
	CreatedAt      time.Time  `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt      time.Time  `gorm:"column:updated_at;autoUpdateTime:false"`
	ClosedAt       *time.Time `gorm:"column:closed_at"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (InterfaceRequirement) TableName() string { return "interface_requirements" }

// Validate returns invalid fields by column name.
func (r *InterfaceRequirement) Validate() map[string]string {
	f := map[string]string{}
	checkCase(f, r.ID, r.Revision, r.WorkflowID, r.CurrentStep, r.CreatedAt)
	checkText(f, "department_id", r.DepartmentID, 64, true)
	checkText(f, "authority_dept_id", r.AuthorityDeptID, 64, true)
	checkText(f, "requested_by", r.RequestedBy, 128, false)
	if !interfaceStatuses[r.Status] {
		f["status"] = "未知状态"
	}
	return f
}

// GetInterfaceRequirement returns the requirement with the id, or ErrNotFound.
func (s *Store) GetInterfaceRequirement(ctx context.Context, id string) (*InterfaceRequirement, error) {
	return interfaceRequirements.get(ctx, s, id)
}

// UpsertInterfaceRequirement stores r unless the stored row has the same or a higher revision;
// applied reports whether r was written.
func (s *Store) UpsertInterfaceRequirement(ctx context.Context, r InterfaceRequirement) (applied bool, err error) {
	return interfaceRequirements.upsert(ctx, s, &r)
}

var interfaceRequirements = caseTable[InterfaceRequirement, *InterfaceRequirement]{what: "interface requirement",
	cursor: "ir1:", statuses: interfaceStatuses, unknownStatus: "未知的接口要求状态",
	emptyJSON: map[string]string{"legal_basis": "[]", "form": "{}"}}

// InterfaceRequirementFilter selects requirements: a department's own, or all (SeesAll: the
// authority).
type InterfaceRequirementFilter struct {
	DepartmentID string
	SeesAll      bool
	Status       string
	Limit        int
	Cursor       string
}

// ListInterfaceRequirements returns one page of the requirements matching f, newest first.
func (s *Store) ListInterfaceRequirements(ctx context.Context, f InterfaceRequirementFilter) ([]InterfaceRequirement, string, error) {
	return interfaceRequirements.list(ctx, s, caseQuery{seesAll: f.SeesAll, sees: sameValue(f.DepartmentID, "department_id"),
		status: f.Status, limit: f.Limit, cursor: f.Cursor})
}
