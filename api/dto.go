package api

import (
	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/models"
)

// MeView is GET /api/v1/me: the caller as the API sees it.
type MeView struct {
	Subject        string      `json:"subject"`
	Name           string      `json:"name"`
	DepartmentID   string      `json:"department_id,omitempty"`
	DepartmentName string      `json:"department_name,omitempty"`
	DepartmentKind string      `json:"department_kind,omitempty"`
	Roles          []auth.Role `json:"roles"`
}

// DepartmentView is a department (部门).
type DepartmentView struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	ParentID     string `json:"parent_id,omitempty"`
	Jurisdiction string `json:"jurisdiction"`
}

// DepartmentList is the list of departments.
type DepartmentList struct {
	Items []DepartmentView `json:"items"`
}

// DepartmentInput creates or replaces a department; its id is in the path.
type DepartmentInput struct {
	Name string `json:"name" binding:"required,max=255"`
	Kind string `json:"kind" binding:"required,oneof=department authority tech_service"`
	// ParentID names an existing department; empty or absent for none.
	ParentID     string `json:"parent_id" binding:"max=64"`
	Jurisdiction string `json:"jurisdiction" binding:"required,max=32"`
}

// UserInput creates or replaces a user (a principal when DATASHARE_PRINCIPAL_SOURCE=users);
// its id, the token subject, is in the path.
type UserInput struct {
	Name string `json:"name" binding:"required,max=255"`
	// DepartmentID is required for staff and must be absent for citizens, who belong to none.
	DepartmentID string   `json:"department_id" binding:"max=64"`
	Roles        []string `json:"roles" binding:"required"`
	// Active defaults to true for a new user and to the current value on replace, so that
	// renaming a deactivated user never lets it sign in again by accident.
	Active *bool `json:"active"`
}

// UserView is a user of the users table.
type UserView struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	DepartmentID string   `json:"department_id,omitempty"`
	Roles        []string `json:"roles"`
	Active       bool     `json:"active"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
}

// UserList is every user, or those of one department, ordered by id.
type UserList struct {
	Items []UserView `json:"items"`
}

// CatalogResourceInput creates a catalog resource (政务数据资源目录条目). Its fields are those
// of 乌海 第六条 plus code, description and legal basis.
type CatalogResourceInput struct {
	Code            string `json:"code" binding:"required,code"`
	Name            string `json:"name" binding:"required,max=255"`
	Description     string `json:"description" binding:"max=10000" text:"multiline"`
	Format          string `json:"format" binding:"required,max=255"`
	ShareType       string `json:"share_type" binding:"required,oneof=unconditional conditional none"`
	ShareScope      string `json:"share_scope" binding:"max=10000" text:"multiline"`
	ShareConditions string `json:"share_conditions" binding:"max=10000" text:"multiline"`
	UpdateFrequency string `json:"update_frequency" binding:"required,max=255"`
	Timeliness      string `json:"timeliness" binding:"max=255"`
	ProvisionMethod string `json:"provision_method" binding:"required,max=255"`
	// ProviderDeptID defaults to the caller's department, the only one it may name.
	ProviderDeptID string `json:"provider_dept_id" binding:"max=64"`
	OpenType       string `json:"open_type" binding:"required,oneof=unconditional conditional none"`
	OpenConditions string `json:"open_conditions" binding:"max=10000" text:"multiline"`
	// LegalBasis is required for conditional and not-shared (or not-open) resources.
	LegalBasis string `json:"legal_basis" binding:"max=10000" text:"multiline"`
}

// CatalogResourcePatch changes a draft; absent fields stay as they are. Version, when given,
// must equal the resource's current version (optimistic locking: 409 when someone was first).
type CatalogResourcePatch struct {
	Version         *int    `json:"version" binding:"omitempty,gte=1"`
	Name            *string `json:"name" binding:"omitempty,max=255"`
	Description     *string `json:"description" binding:"omitempty,max=10000" text:"multiline"`
	Format          *string `json:"format" binding:"omitempty,max=255"`
	ShareType       *string `json:"share_type" binding:"omitempty,oneof=unconditional conditional none"`
	ShareScope      *string `json:"share_scope" binding:"omitempty,max=10000" text:"multiline"`
	ShareConditions *string `json:"share_conditions" binding:"omitempty,max=10000" text:"multiline"`
	UpdateFrequency *string `json:"update_frequency" binding:"omitempty,max=255"`
	Timeliness      *string `json:"timeliness" binding:"omitempty,max=255"`
	ProvisionMethod *string `json:"provision_method" binding:"omitempty,max=255"`
	OpenType        *string `json:"open_type" binding:"omitempty,oneof=unconditional conditional none"`
	OpenConditions  *string `json:"open_conditions" binding:"omitempty,max=10000" text:"multiline"`
	LegalBasis      *string `json:"legal_basis" binding:"omitempty,max=10000" text:"multiline"`
}

// TransitionInput submits or publishes; Version as in CatalogResourcePatch.
type TransitionInput struct {
	Version *int `json:"version" binding:"omitempty,gte=1"`
}

func (*TransitionInput) optionalBody() {}

// ReasonInput returns or retires a resource; the reason is shown to the department.
type ReasonInput struct {
	Version *int   `json:"version" binding:"omitempty,gte=1"`
	Reason  string `json:"reason" binding:"required,max=2000" text:"multiline"`
}

// CatalogResourceView is a catalog resource in its current revision.
type CatalogResourceView struct {
	ID              int64   `json:"id"`
	Code            string  `json:"code"`
	Name            string  `json:"name"`
	Description     string  `json:"description"`
	Format          string  `json:"format"`
	ShareType       string  `json:"share_type"`
	ShareScope      string  `json:"share_scope"`
	ShareConditions string  `json:"share_conditions"`
	UpdateFrequency string  `json:"update_frequency"`
	Timeliness      string  `json:"timeliness"`
	ProvisionMethod string  `json:"provision_method"`
	ProviderDeptID  string  `json:"provider_dept_id"`
	OpenType        string  `json:"open_type"`
	OpenConditions  string  `json:"open_conditions"`
	LegalBasis      string  `json:"legal_basis"`
	Status          string  `json:"status"`
	Version         int     `json:"version"`
	ReturnReason    string  `json:"return_reason,omitempty"`
	CreatedBy       string  `json:"created_by"`
	UpdatedBy       string  `json:"updated_by"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
	SubmittedAt     *string `json:"submitted_at,omitempty"`
	PublishedAt     *string `json:"published_at,omitempty"`
	// UnderVerification: a data correction of the resource is open (数据校核中);
	// VerificationRule then says that business goes on meanwhile, with its article.
	UnderVerification bool   `json:"under_verification"`
	VerificationRule  string `json:"verification_rule,omitempty"`
	// RevisionStatus (draft or submitted) and Revision are a published resource's revision in
	// progress (修订), shown to its department and the authority only.
	RevisionStatus string               `json:"revision_status,omitempty"`
	Revision       *ResourceContentView `json:"revision,omitempty"`
	// ReviewBasis, in the answer to the authority's publish, return or retire, is what the
	// action rests on under the profile in force that day; ReviewLocalDefault says no article
	// gives it (local practice).
	ReviewBasis        []string `json:"review_basis,omitempty"`
	ReviewLocalDefault bool     `json:"review_local_default,omitempty"`
}

// withRevision adds the resource's revision in progress to its view.
func withRevision(v *CatalogResourceView, r *models.CatalogResource) error {
	c, ok, err := r.Revision()
	if err != nil || !ok {
		return err
	}
	rv := toContentView(c)
	v.RevisionStatus, v.Revision = string(r.RevisionStatus), &rv
	return nil
}

// CatalogResourceList is one page of resources; pass next_cursor as cursor for the next page.
type CatalogResourceList struct {
	Items      []CatalogResourceView `json:"items"`
	NextCursor string                `json:"next_cursor,omitempty"`
}

// ResourceContentView is the content of a resource at one revision.
type ResourceContentView struct {
	Code            string `json:"code"`
	Name            string `json:"name"`
	Description     string `json:"description"`
	Format          string `json:"format"`
	ShareType       string `json:"share_type"`
	ShareScope      string `json:"share_scope"`
	ShareConditions string `json:"share_conditions"`
	UpdateFrequency string `json:"update_frequency"`
	Timeliness      string `json:"timeliness"`
	ProvisionMethod string `json:"provision_method"`
	ProviderDeptID  string `json:"provider_dept_id"`
	OpenType        string `json:"open_type"`
	OpenConditions  string `json:"open_conditions"`
	LegalBasis      string `json:"legal_basis"`
}

// CatalogVersionView is one revision in a resource's history.
type CatalogVersionView struct {
	Version   int                 `json:"version"`
	Action    string              `json:"action"`
	Status    string              `json:"status"`
	Actor     string              `json:"actor"`
	Reason    string              `json:"reason,omitempty"`
	CreatedAt string              `json:"created_at"`
	Content   ResourceContentView `json:"content"`
}

// CatalogVersionList is the whole history of a resource, oldest first.
type CatalogVersionList struct {
	Items []CatalogVersionView `json:"items"`
}

// HealthView answers /healthz and /readyz.
type HealthView struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

func toDepartmentView(d models.Department) DepartmentView {
	v := DepartmentView{ID: d.ID, Name: d.Name, Kind: string(d.Kind), Jurisdiction: d.Jurisdiction}
	if d.ParentID != nil {
		v.ParentID = *d.ParentID
	}
	return v
}

func (in DepartmentInput) toDepartment(id string) models.Department {
	return models.Department{ID: id, Name: in.Name, Kind: models.DepartmentKind(in.Kind), ParentID: optional(in.ParentID), Jurisdiction: in.Jurisdiction}
}

// toUser maps the input; Active is left to the handler, which alone knows whether the user exists.
func (in UserInput) toUser(id string) models.User {
	return models.User{ID: id, Name: in.Name, DepartmentID: optional(in.DepartmentID), Roles: models.RoleList(in.Roles)}
}

func toUserView(u models.User) UserView {
	v := UserView{
		ID: u.ID, Name: u.Name, Roles: []string(u.Roles), Active: u.Active,
		CreatedAt: formatTime(u.CreatedAt), UpdatedAt: formatTime(u.UpdatedAt),
	}
	if u.DepartmentID != nil {
		v.DepartmentID = *u.DepartmentID
	}
	if v.Roles == nil {
		v.Roles = []string{}
	}
	return v
}

// optional maps an empty reference to NULL, which is how the models store "none".
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toContentView(c models.ResourceContent) ResourceContentView {
	return ResourceContentView{
		Code: c.Code, Name: c.Name, Description: c.Description, Format: c.Format,
		ShareType: string(c.ShareType), ShareScope: c.ShareScope, ShareConditions: c.ShareConditions,
		UpdateFrequency: c.UpdateFrequency, Timeliness: c.Timeliness, ProvisionMethod: c.ProvisionMethod,
		ProviderDeptID: c.ProviderDeptID, OpenType: string(c.OpenType), OpenConditions: c.OpenConditions,
		LegalBasis: c.LegalBasis,
	}
}

func toResourceView(r *models.CatalogResource) CatalogResourceView {
	c := toContentView(r.ResourceContent)
	return CatalogResourceView{
		ID: r.ID, Code: c.Code, Name: c.Name, Description: c.Description, Format: c.Format,
		ShareType: c.ShareType, ShareScope: c.ShareScope, ShareConditions: c.ShareConditions,
		UpdateFrequency: c.UpdateFrequency, Timeliness: c.Timeliness, ProvisionMethod: c.ProvisionMethod,
		ProviderDeptID: c.ProviderDeptID, OpenType: c.OpenType, OpenConditions: c.OpenConditions,
		LegalBasis: c.LegalBasis, Status: string(r.Status), Version: r.Version, ReturnReason: r.ReturnReason,
		CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy,
		CreatedAt: formatTime(r.CreatedAt), UpdatedAt: formatTime(r.UpdatedAt),
		SubmittedAt: formatTimePtr(r.SubmittedAt), PublishedAt: formatTimePtr(r.PublishedAt),
	}
}

func (in CatalogResourceInput) toContent() models.ResourceContent {
	return models.ResourceContent{
		Code: in.Code, Name: in.Name, Description: in.Description, Format: in.Format,
		ShareType: models.ShareType(in.ShareType), ShareScope: in.ShareScope, ShareConditions: in.ShareConditions,
		UpdateFrequency: in.UpdateFrequency, Timeliness: in.Timeliness, ProvisionMethod: in.ProvisionMethod,
		ProviderDeptID: in.ProviderDeptID, OpenType: models.OpenType(in.OpenType), OpenConditions: in.OpenConditions,
		LegalBasis: in.LegalBasis,
	}
}

func (p CatalogResourcePatch) apply(r *models.CatalogResource) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&r.Name, p.Name)
	set(&r.Description, p.Description)
	set(&r.Format, p.Format)
	set(&r.ShareScope, p.ShareScope)
	set(&r.ShareConditions, p.ShareConditions)
	set(&r.UpdateFrequency, p.UpdateFrequency)
	set(&r.Timeliness, p.Timeliness)
	set(&r.ProvisionMethod, p.ProvisionMethod)
	set(&r.OpenConditions, p.OpenConditions)
	set(&r.LegalBasis, p.LegalBasis)
	if p.ShareType != nil {
		r.ShareType = models.ShareType(*p.ShareType)
	}
	if p.OpenType != nil {
		r.OpenType = models.OpenType(*p.OpenType)
	}
}

func versionOf(v *int) int {
	if v == nil {
		return 0
	}
	return *v
}

// CalendarOverrideInput corrects or adds one day of the working-day calendar.
type CalendarOverrideInput struct {
	Kind   string `json:"kind" binding:"required,oneof=holiday workday"`
	Name   string `json:"name" binding:"required,max=64"`
	Source string `json:"source" binding:"required,max=500"`
}

// CalendarYearDayInput is one special day of a year's schedule.
type CalendarYearDayInput struct {
	Date string `json:"date" binding:"required"`
	Kind string `json:"kind" binding:"required,oneof=holiday workday"`
	Name string `json:"name" binding:"required,max=64"`
}

// CalendarYearInput loads a year's schedule: the notice it comes from and its holidays and
// make-up working days (every other day follows Monday–Friday).
type CalendarYearInput struct {
	Source string                 `json:"source" binding:"required,max=500"`
	Days   []CalendarYearDayInput `json:"days" binding:"required,min=1,max=100,dive"`
}

// CalendarOverrideView is one override.
type CalendarOverrideView struct {
	Date      string `json:"date"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Source    string `json:"source"`
	UpdatedBy string `json:"updated_by"`
	UpdatedAt string `json:"updated_at"`
}

// CalendarYearView is a year loaded through the API.
type CalendarYearView struct {
	Year     int    `json:"year"`
	Source   string `json:"source"`
	LoadedBy string `json:"loaded_by"`
	LoadedAt string `json:"loaded_at"`
}

// CalendarOverrideList lists the administered calendar data.
type CalendarOverrideList struct {
	Items []CalendarOverrideView `json:"items"`
	Years []CalendarYearView     `json:"years"`
}

// CalendarEditView answers an edit: the day as now classified and the new calendar version.
type CalendarEditView struct {
	Day             calendar.DayInfo `json:"day"`
	CalendarVersion string           `json:"calendar_version"`
}

func toOverrideView(o models.CalendarOverride) CalendarOverrideView {
	kind := "holiday"
	if o.Workday {
		kind = "workday"
	}
	return CalendarOverrideView{Date: o.Day, Kind: kind, Name: o.Name, Source: o.Source, UpdatedBy: o.UpdatedBy, UpdatedAt: formatTime(o.UpdatedAt)}
}
