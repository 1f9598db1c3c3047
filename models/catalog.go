package models

import (
	"encoding/json"
	"fmt"
	"time"
)

// ShareType is the 共享类别 of a catalog resource (宁夏 第九条, 乌海 第九条).
type ShareType string

// Share types.
const (
	ShareUnconditional ShareType = "unconditional" // 无条件共享
	ShareConditional   ShareType = "conditional"   // 有条件共享
	ShareNone          ShareType = "none"          // 不予共享
)

// Valid reports whether t is a known share type.
func (t ShareType) Valid() bool {
	return t == ShareUnconditional || t == ShareConditional || t == ShareNone
}

// OpenType says whether a resource may be opened to society (可否向社会开放, 乌海 第六条;
// 内乡 第四十四条).
type OpenType string

// Open types.
const (
	OpenUnconditional OpenType = "unconditional" // 无条件开放
	OpenConditional   OpenType = "conditional"   // 有条件开放
	OpenNone          OpenType = "none"          // 不予开放
)

// Valid reports whether t is a known open type.
func (t OpenType) Valid() bool {
	return t == OpenUnconditional || t == OpenConditional || t == OpenNone
}

// ResourceStatus is where a catalog resource is in its review cycle (登记、审核、发布, 乌海 第七条).
type ResourceStatus string

// Resource statuses.
const (
	StatusDraft     ResourceStatus = "draft"     // being edited by the providing department
	StatusSubmitted ResourceStatus = "submitted" // waiting for the authority's review (辽宁 第十条)
	StatusPublished ResourceStatus = "published" // in the catalog, visible to every department
	StatusRetired   ResourceStatus = "retired"   // withdrawn from the catalog
)

// Valid reports whether s is a known status.
func (s ResourceStatus) Valid() bool {
	return s == StatusDraft || s == StatusSubmitted || s == StatusPublished || s == StatusRetired
}

// VersionAction is what produced a revision of a catalog resource.
type VersionAction string

// Revision actions.
const (
	ActionCreated   VersionAction = "created"
	ActionUpdated   VersionAction = "updated"
	ActionSubmitted VersionAction = "submitted"
	ActionPublished VersionAction = "published"
	ActionReturned  VersionAction = "returned"
	ActionRetired   VersionAction = "retired"

	// Revision actions of a published resource (修订): their revision rows record the revised
	// content and the revision's status (draft, submitted), while the resource stays
	// published with its published content until the revision is published.
	ActionRevised           VersionAction = "revised"       // a draft revision was opened
	ActionRevisionUpdated   VersionAction = "rev_updated"   // the draft revision was edited
	ActionRevisionSubmitted VersionAction = "rev_submitted" // submitted for review
	ActionRevisionReturned  VersionAction = "rev_returned"  // returned with a reason
)

// isRevisionAction reports whether a revision row of action records the pending revision
// rather than the resource's published content.
func isRevisionAction(a VersionAction) bool {
	return a == ActionRevised || a == ActionRevisionUpdated || a == ActionRevisionSubmitted || a == ActionRevisionReturned
}

// ResourceContent holds the fields a providing department edits: the catalog fields of
// 乌海 第六条 plus code, description and legal basis. It is what a revision snapshot records;
// a field added here is recorded by every later snapshot without further code.
type ResourceContent struct {
	Code            string    `gorm:"column:code" json:"code"`                         // 资源代码, unique
	Name            string    `gorm:"column:name" json:"name"`                         // 数据名称
	Description     string    `gorm:"column:description" json:"description"`           // 资源摘要
	Format          string    `gorm:"column:format" json:"format"`                     // 数据格式
	ShareType       ShareType `gorm:"column:share_type" json:"share_type"`             // 共享类别
	ShareScope      string    `gorm:"column:share_scope" json:"share_scope"`           // 共享范围
	ShareConditions string    `gorm:"column:share_conditions" json:"share_conditions"` // 共享条件
	UpdateFrequency string    `gorm:"column:update_frequency" json:"update_frequency"` // 更新频度
	Timeliness      string    `gorm:"column:timeliness" json:"timeliness"`             // 时效要求
	ProvisionMethod string    `gorm:"column:provision_method" json:"provision_method"` // 提供方式
	ProviderDeptID  string    `gorm:"column:provider_dept_id" json:"provider_dept_id"` // 提供单位
	OpenType        OpenType  `gorm:"column:open_type" json:"open_type"`               // 可否向社会开放
	OpenConditions  string    `gorm:"column:open_conditions" json:"open_conditions"`   // 开放条件
	LegalBasis      string    `gorm:"column:legal_basis" json:"legal_basis"`           // 依据
}

// CatalogResource is an entry of the 政务数据资源目录 in its current revision.
//
// Version counts revisions: 1 at creation, +1 on every change including status changes; each
// revision has a CatalogResourceVersion row with the same number.
type CatalogResource struct {
	ID int64 `gorm:"column:id;primaryKey;autoIncrement"`
	ResourceContent
	Status       ResourceStatus `gorm:"column:status"`
	Version      int            `gorm:"column:version"`
	ReturnReason string         `gorm:"column:return_reason"` // last reason the authority returned it
	CreatedBy    string         `gorm:"column:created_by"`
	UpdatedBy    string         `gorm:"column:updated_by"`
	CreatedAt    time.Time      `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt    time.Time      `gorm:"column:updated_at;autoUpdateTime:false"`
	SubmittedAt  *time.Time     `gorm:"column:submitted_at"`
	PublishedAt  *time.Time     `gorm:"column:published_at"`
	// RevisionStatus is the status of a revision of a published resource: "" (none),
	// StatusDraft or StatusSubmitted. RevisionContent is its content (JSON of
	// ResourceContent); the resource's own columns stay the published content, which other
	// departments see, until the revision is published.
	RevisionStatus  ResourceStatus `gorm:"column:revision_status"`
	RevisionContent *string        `gorm:"column:revision_content"`
}

// Revision decodes the pending revision's content; ok is false when there is none.
func (r *CatalogResource) Revision() (c ResourceContent, ok bool, err error) {
	if r.RevisionStatus == "" || r.RevisionContent == nil {
		return c, false, nil
	}
	if err := json.Unmarshal([]byte(*r.RevisionContent), &c); err != nil {
		return c, false, fmt.Errorf("decode revision of catalog resource %d: %w", r.ID, err)
	}
	return c, true, nil
}

// TableName pins the table name independently of GORM's naming strategy.
func (CatalogResource) TableName() string { return "catalog_resources" }

// CatalogResourceVersion is one revision in the append-only history of a catalog resource.
// Rows are only ever inserted; (ResourceID, Version) is unique.
type CatalogResourceVersion struct {
	ID         int64          `gorm:"column:id;primaryKey;autoIncrement"`
	ResourceID int64          `gorm:"column:resource_id"`
	Version    int            `gorm:"column:version"`
	Action     VersionAction  `gorm:"column:action"`
	Status     ResourceStatus `gorm:"column:status"`   // status after the action
	Snapshot   string         `gorm:"column:snapshot"` // JSON of ResourceContent at this revision
	Actor      string         `gorm:"column:actor"`    // user id
	Reason     string         `gorm:"column:reason"`
	CreatedAt  time.Time      `gorm:"column:created_at;autoCreateTime:false"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (CatalogResourceVersion) TableName() string { return "catalog_resource_versions" }

// Content decodes the snapshot.
func (v *CatalogResourceVersion) Content() (ResourceContent, error) {
	var c ResourceContent
	if err := json.Unmarshal([]byte(v.Snapshot), &c); err != nil {
		return c, fmt.Errorf("decode snapshot of catalog resource %d version %d: %w", v.ResourceID, v.Version, err)
	}
	return c, nil
}

// Field limits, in characters. TEXT columns hold 64 KiB in MySQL, i.e. 16 Ki four-byte
// characters; 10 000 leaves room.
const (
	maxLongText   = 10000
	maxReasonText = 2000
)

// Messages for a resource without the legal basis its share or open type needs, with the
// articles that require one. Since 2025-08-01 the 政务数据共享条例 requires of data not for
// sharing its reasons and its basis in a 法律、行政法规 or 国务院决定 (第十四条（三）、第十五条
// 第二款); before, 宁夏 第十条（一） and 乌海 第八条（一） required a basis of it only, and 辽宁
// 第十二条第二款 and 内乡 第三十七条第二款（一） of conditional sharing too, which the product asks
// under every profile; 内乡 第四十四条 requires one of conditional and no opening.
const (
	LegalBasisNotSharedMessage = "不予共享的政务数据须列明理由，并注明法律、行政法规或者国务院决定依据" +
		"（《政务数据共享条例》第十五条第二款；宁夏 第十条（一）、乌海 第八条（一）、辽宁 第十二条第二款、内乡 第三十七条第二款（一））"
	LegalBasisConditionalMessage = "有条件共享的政务数据须注明法律、法规或者政策依据" +
		"（辽宁 第十二条第二款、内乡 第三十七条第二款（一）；其他地区为本系统的要求）"
	LegalBasisOpenMessage = "有条件开放、不予开放的政务数据须注明法律法规或者国家有关文件依据（内乡 第四十四条）"
)

// Validate checks the content of r and returns invalid fields by JSON name with a message
// each; the map is empty when r is valid. The store calls it before every create and update.
func (r *CatalogResource) Validate() map[string]string {
	f := map[string]string{}
	checkCode(f, "code", r.Code, 64)
	checkText(f, "name", r.Name, 255, true)
	checkText(f, "description", r.Description, maxLongText, false)
	checkText(f, "format", r.Format, 64, true)
	checkText(f, "share_scope", r.ShareScope, 255, false)
	checkText(f, "share_conditions", r.ShareConditions, maxLongText, false)
	checkText(f, "update_frequency", r.UpdateFrequency, 64, false)
	checkText(f, "timeliness", r.Timeliness, 64, false)
	checkText(f, "provision_method", r.ProvisionMethod, 64, false)
	checkCode(f, "provider_dept_id", r.ProviderDeptID, 64)
	checkText(f, "open_conditions", r.OpenConditions, maxLongText, false)
	checkText(f, "legal_basis", r.LegalBasis, maxLongText, false)

	if !r.ShareType.Valid() {
		f["share_type"] = "须为 unconditional（无条件共享）、conditional（有条件共享）或 none（不予共享）"
	}
	if !r.OpenType.Valid() {
		f["open_type"] = "须为 unconditional（无条件开放）、conditional（有条件开放）或 none（不予开放）"
	}
	if isBlank(r.LegalBasis) && f["legal_basis"] == "" {
		switch {
		case r.ShareType == ShareNone:
			f["legal_basis"] = LegalBasisNotSharedMessage
		case r.ShareType == ShareConditional:
			f["legal_basis"] = LegalBasisConditionalMessage
		case r.OpenType == OpenConditional || r.OpenType == OpenNone:
			f["legal_basis"] = LegalBasisOpenMessage
		}
	}
	// The conditions of use of conditionally shared data are listed in the catalog: since
	// 2025-08-01 the 条例 requires it (第十五条第二款: 共享范围、使用用途等共享使用条件); before, it
	// was the product's rule — an applicant must know what the conditions are.
	if r.ShareType == ShareConditional && isBlank(r.ShareConditions) && f["share_conditions"] == "" {
		f["share_conditions"] = "有条件共享的资源须列明共享范围、使用用途等共享使用条件（《政务数据共享条例》第十五条第二款）"
	}
	if r.OpenType == OpenConditional && isBlank(r.OpenConditions) && f["open_conditions"] == "" {
		f["open_conditions"] = "有条件开放的资源须说明开放条件"
	}
	return f
}

func (r *CatalogResource) validationError() error {
	if f := r.Validate(); len(f) > 0 {
		return &ValidationError{Fields: f}
	}
	return nil
}

func (r *CatalogResource) snapshot() (string, error) {
	b, err := json.Marshal(r.ResourceContent)
	if err != nil {
		return "", fmt.Errorf("snapshot catalog resource %d: %w", r.ID, err)
	}
	return string(b), nil
}
