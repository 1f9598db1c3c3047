package contract

import "time"

// CatalogUpdateWorkflowType is the registered name of the catalog-update workflow (目录更新);
// the API starts it by this name.
const CatalogUpdateWorkflowType = "CatalogUpdateWorkflow"

// CatalogUpdateWorkflowID is the workflow ID of catalog update updateID ("catalog-update-CU-…"),
// unique per update so that a second start is rejected.
func CatalogUpdateWorkflowID(updateID string) string { return "catalog-update-" + updateID }

// Triggers of a catalog update: what happened on changed_on (发生之日).
const (
	// TriggerLawRevised: a law or regulation was revised (法律法规修订).
	TriggerLawRevised = "law_revised"
	// TriggerDutiesChanged: the department's administrative duties changed (行政管理职能变化).
	TriggerDutiesChanged = "duties_changed"
)

// ValidTrigger reports whether t is one of the triggers.
func ValidTrigger(t string) bool { return t == TriggerLawRevised || t == TriggerDutiesChanged }

// Steps of the catalog_update procedure in the jurisdiction profiles.
const (
	// StepUpdate: the department updates its catalog and submits it (宁夏 第八条, 乌海 第七条,
	// 辽宁 第九条, 内乡 第二十二条).
	StepUpdate = "update"
	// StepReview: the authority reviews the submitted update (辽宁 第十条, 内乡 第二十二条).
	StepReview = "review"
	// StepReportToCity: the county reports its changed catalog to the city (内乡 第二十三条).
	StepReportToCity = "report_to_city"
)

// Catalog update statuses; also the values of StatusKey.
const (
	CatalogUpdateUpdating  = "updating"  // the department edits and submits (更新中)
	CatalogUpdateReviewing = "reviewing" // the authority reviews (审核中)
	CatalogUpdateReporting = "reporting" // published; the county reports it to the city (报备中)
	CatalogUpdatePublished = "published" // final: every submitted version is in the catalog
)

// Decisions of the catalog update's tasks.
const (
	// DecisionSubmit (update): the resource versions that make up the update, in the field
	// FieldResourceVersions.
	DecisionSubmit = "submit"
	// DecisionReturn (review): back to the department with a reason; its original deadline
	// stands. DecisionApprove (share.go) publishes every submitted version at once.
	DecisionReturn = "return"
	// DecisionReported (report_to_city): the report to the city was made.
	DecisionReported = "reported"
)

// Fields of the catalog update's decisions.
const (
	// FieldResourceVersions is a list of {"resource_id": n, "version": n}: the draft (or
	// submitted) revisions the department submits as one update.
	FieldResourceVersions = "resource_versions"
	// FieldReason is why the authority returns an update.
	FieldReason = "reason"
	// FieldResponsibilityList says what changed in the responsibility list (责任清单), which
	// the authority updates together with the catalog (内乡 第二十二条).
	FieldResponsibilityList = "responsibility_list"
	// FieldReference identifies the report made to the city (报备文号 or a note).
	FieldReference = "reference"
)

// QueryCatalogUpdate returns the update's CatalogUpdateState.
const QueryCatalogUpdate = "catalog_update"

// ResourceVersion names one revision of a catalog resource.
type ResourceVersion struct {
	ResourceID int64 `json:"resource_id"`
	Version    int   `json:"version"`
}

// CatalogUpdateForm is what the department reporting a catalog update, or the authority
// ordering it, writes: what happened, the revised law or decision, and the day it took effect.
// The API binds it from the create's body with these binding rules (and checks the trigger and
// the date), the workflow carries it in its input, the read model keeps it whole in the
// update's form column and every view of the update shows it (docs/architecture.md, "A field
// in one place"). The resources concerned are not part of it: the API checks them against the
// catalog and no view shows them.
type CatalogUpdateForm struct {
	// Trigger is TriggerLawRevised or TriggerDutiesChanged.
	Trigger string `json:"trigger" binding:"required"`
	// Basis is the revised law or the decision that changed the duties.
	Basis string `json:"basis" binding:"required,max=2000" text:"multiline"`
	// ChangedOn is the date the change took effect (YYYY-MM-DD, China); the update step's
	// deadline is counted from it (发生之日起).
	ChangedOn string `json:"changed_on" binding:"required"`
}

// Normalize trims the form's text before it is validated.
func (f *CatalogUpdateForm) Normalize() { trimText(f) }

// CatalogUpdateInput starts a CatalogUpdateWorkflow (目录更新). The API fills it after checking
// the trigger, the date and that the resources belong to the department. The form's fields
// sit at the top level of its JSON, as before the form was a type of its own, so recorded
// histories decode alike.
type CatalogUpdateInput struct {
	UpdateID     string `json:"update_id"`
	DepartmentID string `json:"department_id"`
	// Initiator is who reported (the department's approver) or ordered it (the authority).
	Initiator ShareApplicant `json:"initiator"`
	// OrderedByAuthority: the authority started it for the department.
	OrderedByAuthority bool `json:"ordered_by_authority,omitempty"`
	CatalogUpdateForm
	ResourceIDs []int64   `json:"resource_ids,omitempty"`
	ReceivedAt  time.Time `json:"received_at"`
	// AuthorityDeptID reviews the update.
	AuthorityDeptID string `json:"authority_dept_id"`
}

// CatalogUpdateState is the whole serialisable state of a catalog update; QueryCatalogUpdate
// returns it and so does the workflow.
type CatalogUpdateState struct {
	Input CatalogUpdateInput `json:"input"`
	CaseState
	// Round counts submissions, from 1; Submitted are the versions linked by the last one.
	Round     int               `json:"round"`
	Submitted []ResourceVersion `json:"submitted,omitempty"`
	// ResponsibilityListUpdated: the authority updated the 责任清单 with the catalog (内乡
	// 第二十二条).
	ResponsibilityListUpdated bool `json:"responsibility_list_updated,omitempty"`
}
