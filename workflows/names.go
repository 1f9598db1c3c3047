// Package workflows holds datashare's deterministic workflow code and its wire contracts:
// task queue, workflow IDs, message names and search attributes. It never touches the database,
// HTTP or the clock directly (DESIGN.md section 5).
package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// DefaultTaskQueue is the task queue datashare workers poll unless configured otherwise.
const DefaultTaskQueue = "datashare"

// Custom search attributes, so administrators can filter every procedure in Temporal UI
// (DESIGN.md section 4). They carry codes only, never personal data. Renaming one is a wire
// change: running workflows keep the old name.
var (
	// ProcedureKey is the procedure code: share, catalog_update, correction, open_data, …
	ProcedureKey = temporal.NewSearchAttributeKeyKeyword("DatashareProcedure")
	// JurisdictionKey is the jurisdiction profile: ningxia, wuhai, liaoning, neixiang.
	JurisdictionKey = temporal.NewSearchAttributeKeyKeyword("DatashareJurisdiction")
	// ApplicantDeptKey is the applicant's department id (empty for citizens).
	ApplicantDeptKey = temporal.NewSearchAttributeKeyKeyword("DatashareApplicantDept")
	// ProviderDeptKey is the providing or deciding department id.
	ProviderDeptKey = temporal.NewSearchAttributeKeyKeyword("DatashareProviderDept")
	// StatusKey is the procedure's current status.
	StatusKey = temporal.NewSearchAttributeKeyKeyword("DatashareStatus")
	// DueAtKey is the deadline of the open step.
	DueAtKey = temporal.NewSearchAttributeKeyTime("DatashareDueAt")
)

// SearchAttributes lists the custom search attributes with their types, for registration in
// the namespace at start.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		ProcedureKey.GetName():     enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		JurisdictionKey.GetName():  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		ApplicantDeptKey.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		ProviderDeptKey.GetName():  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		StatusKey.GetName():        enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		DueAtKey.GetName():         enumspb.INDEXED_VALUE_TYPE_DATETIME,
	}
}
