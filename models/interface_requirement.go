package models

import (
	"context"
	"fmt"
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
	Description     string `gorm:"column:description"`
	// AgreedDue is the agreed date, YYYY-MM-DD (China); DueAt its end or the extended deadline.
	AgreedDue            string     `gorm:"column:agreed_due"`
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
	checkText(f, "id", r.ID, 64, true)
	if r.Revision < 1 {
		f["revision"] = "须为正整数"
	}
	checkText(f, "workflow_id", r.WorkflowID, 255, true)
	checkText(f, "department_id", r.DepartmentID, 64, true)
	checkText(f, "authority_dept_id", r.AuthorityDeptID, 64, true)
	checkText(f, "requested_by", r.RequestedBy, 128, false)
	checkText(f, "agreed_due", r.AgreedDue, 10, true)
	if !interfaceStatuses[r.Status] {
		f["status"] = "未知状态"
	}
	checkText(f, "current_step", r.CurrentStep, 64, false)
	if r.CreatedAt.IsZero() {
		f["created_at"] = "不能为空"
	}
	return f
}

// GetInterfaceRequirement returns the requirement with the id, or ErrNotFound.
func (s *Store) GetInterfaceRequirement(ctx context.Context, id string) (*InterfaceRequirement, error) {
	var r InterfaceRequirement
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, dbError(err, "load interface requirement %q", id)
	}
	return &r, nil
}

// UpsertInterfaceRequirement stores r unless the stored row has the same or a higher revision;
// applied reports whether r was written.
func (s *Store) UpsertInterfaceRequirement(ctx context.Context, r InterfaceRequirement) (applied bool, err error) {
	if f := r.Validate(); len(f) > 0 {
		return false, fmt.Errorf("upsert interface requirement %q: %w", r.ID, &ValidationError{Fields: f})
	}
	r.DueAt, r.ClosedAt, r.CreatedAt = dbTimePtr(r.DueAt), dbTimePtr(r.ClosedAt), dbTime(r.CreatedAt)
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = now()
	}
	r.UpdatedAt = dbTime(r.UpdatedAt)
	if r.LegalBasisJSON == "" {
		r.LegalBasisJSON = "[]"
	}
	update := func() (bool, error) {
		res := s.db.WithContext(ctx).Model(&InterfaceRequirement{}).
			Where("id = ? AND revision < ?", r.ID, r.Revision).
			UpdateColumns(map[string]any{
				"workflow_id": r.WorkflowID, "department_id": r.DepartmentID, "authority_dept_id": r.AuthorityDeptID,
				"requested_by": r.RequestedBy, "description": r.Description, "agreed_due": r.AgreedDue,
				"status": r.Status, "current_step": r.CurrentStep, "due_at": r.DueAt,
				"extension_workdays": r.ExtensionWorkdays, "interface_description": r.InterfaceDescription,
				"documentation": r.Documentation, "legal_basis": r.LegalBasisJSON, "revision": r.Revision,
				"created_at": r.CreatedAt, "updated_at": r.UpdatedAt, "closed_at": r.ClosedAt,
			})
		if res.Error != nil {
			return false, dbError(res.Error, "update interface requirement %q to revision %d", r.ID, r.Revision)
		}
		return res.RowsAffected > 0, nil
	}
	return upsertGuarded(update, func() error { return s.db.WithContext(ctx).Create(&r).Error },
		s.rowExists(ctx, &InterfaceRequirement{}, r.ID), "interface requirement %q revision %d", r.ID, r.Revision)
}

// InterfaceRequirementFilter selects requirements: a department's own, or all (SeesAll: the
// authority).
type InterfaceRequirementFilter struct {
	DepartmentID string
	SeesAll      bool
	Status       string
	Limit        int
	Cursor       string
}

const interfaceCursorPrefix = "ir1:"

// ListInterfaceRequirements returns one page of the requirements matching f, newest first.
func (s *Store) ListInterfaceRequirements(ctx context.Context, f InterfaceRequirementFilter) ([]InterfaceRequirement, string, error) {
	bad := map[string]string{}
	if f.Status != "" && !interfaceStatuses[f.Status] {
		bad["status"] = "未知的接口要求状态"
	}
	after, ok := decodeIDCursor(interfaceCursorPrefix, f.Cursor)
	if !ok {
		bad["cursor"] = "无效的分页游标"
	}
	if len(bad) > 0 {
		return nil, "", fmt.Errorf("list interface requirements: %w", &ValidationError{Fields: bad})
	}
	if !f.SeesAll && f.DepartmentID == "" {
		return []InterfaceRequirement{}, "", nil
	}
	q := s.db.WithContext(ctx).Model(&InterfaceRequirement{})
	if !f.SeesAll {
		q = q.Where("department_id = ?", f.DepartmentID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if after != "" {
		q = q.Where("id < ?", after)
	}
	return pageByID(q, f.Limit, interfaceCursorPrefix, func(r InterfaceRequirement) string { return r.ID }, "list interface requirements")
}
