package models

import (
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// DepartmentKind says what part a department plays in the procedures.
type DepartmentKind string

// Department kinds.
const (
	// KindDepartment is an ordinary government department (政务部门), using or providing data.
	KindDepartment DepartmentKind = "department"
	// KindAuthority is the data authority (数据共享主管部门 / 数据主管部门 / 大数据中心).
	KindAuthority DepartmentKind = "authority"
	// KindTechService is the technical service unit (技术服务单位, 内乡 第六十五条).
	KindTechService DepartmentKind = "tech_service"
)

// Valid reports whether k is a known kind.
func (k DepartmentKind) Valid() bool {
	return k == KindDepartment || k == KindAuthority || k == KindTechService
}

// Department is a 部门: a government department, the data authority or a technical service unit.
type Department struct {
	ID           string         `gorm:"column:id;primaryKey"` // a code such as "nx-rst"
	Name         string         `gorm:"column:name"`
	Kind         DepartmentKind `gorm:"column:kind"`
	ParentID     *string        `gorm:"column:parent_id"`
	Jurisdiction string         `gorm:"column:jurisdiction"` // profile code, e.g. "ningxia"
	CreatedAt    time.Time      `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt    time.Time      `gorm:"column:updated_at;autoUpdateTime:false"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (Department) TableName() string { return "departments" }

// Validate returns invalid fields by JSON name; empty when d can be stored.
func (d *Department) Validate() map[string]string {
	f := map[string]string{}
	checkCode(f, "id", d.ID, 64)
	checkText(f, "name", d.Name, 255, true)
	if !d.Kind.Valid() {
		f["kind"] = "须为 department、authority 或 tech_service"
	}
	checkCode(f, "jurisdiction", d.Jurisdiction, 32)
	if d.ParentID != nil {
		if *d.ParentID == d.ID {
			f["parent_id"] = "上级部门不能是本部门"
		} else {
			checkCode(f, "parent_id", *d.ParentID, 64)
		}
	}
	return f
}

// Roles a principal may hold (DESIGN section 1).
const (
	RoleApplicant   = "applicant"    // staff of a using department (使用部门)
	RoleApprover    = "approver"     // staff of a providing / producing department (提供部门)
	RoleDeptHead    = "dept_head"    // head of a department (主要负责人)
	RoleAuthority   = "authority"    // the data authority (数据共享主管部门)
	RoleTechService = "tech_service" // technical service unit (技术服务单位)
	RoleCitizen     = "citizen"      // citizens and legal persons (公民、法人和其他组织)
	RoleAdmin       = "admin"        // platform operator
)

// AllRoles lists every role in a stable order.
func AllRoles() []string {
	return []string{RoleApplicant, RoleApprover, RoleDeptHead, RoleAuthority, RoleTechService, RoleCitizen, RoleAdmin}
}

// RoleList is a set of roles, stored as one comma-separated column.
type RoleList []string

// Value implements driver.Valuer: sorted, without duplicates, so equal sets store equally.
func (r RoleList) Value() (driver.Value, error) {
	return strings.Join(normalizeRoles(r), ","), nil
}

// Scan implements sql.Scanner.
func (r *RoleList) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("scan roles: unsupported type %T", src)
	}
	*r = nil
	for _, role := range strings.Split(s, ",") {
		if role = strings.TrimSpace(role); role != "" {
			*r = append(*r, role)
		}
	}
	return nil
}

func normalizeRoles(r []string) []string {
	out := slices.Clone(r)
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// User is a principal; ID is the subject of its token. A user belongs to exactly one
// department, except citizens, who belong to none.
type User struct {
	ID           string    `gorm:"column:id;primaryKey"`
	Name         string    `gorm:"column:name"`
	DepartmentID *string   `gorm:"column:department_id"`
	Roles        RoleList  `gorm:"column:roles"`
	Active       bool      `gorm:"column:active"`
	CreatedAt    time.Time `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt    time.Time `gorm:"column:updated_at;autoUpdateTime:false"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (User) TableName() string { return "users" }

// HasRole reports whether u holds role.
func (u *User) HasRole(role string) bool {
	return slices.Contains(u.Roles, role)
}

// Validate returns invalid fields by JSON name; empty when u can be stored.
func (u *User) Validate() map[string]string {
	f := map[string]string{}
	// Token subjects come from outside (OIDC), so any text is allowed, within the column size.
	checkText(f, "id", u.ID, 128, true)
	checkText(f, "name", u.Name, 255, true)
	if len(u.Roles) == 0 {
		f["roles"] = "至少需要一个角色"
	}
	for _, role := range u.Roles {
		if !slices.Contains(AllRoles(), role) {
			f["roles"] = fmt.Sprintf("未知角色 %q", role)
		}
	}
	citizen := u.HasRole(RoleCitizen)
	switch {
	case citizen && len(u.Roles) > 1:
		f["roles"] = "citizen 不能与工作人员角色同时持有"
	case citizen && u.DepartmentID != nil:
		f["department_id"] = "公民、法人和其他组织不属于任何部门"
	case !citizen && u.DepartmentID == nil && len(u.Roles) > 0:
		f["department_id"] = "工作人员必须属于一个部门"
	case u.DepartmentID != nil:
		checkCode(f, "department_id", *u.DepartmentID, 64)
	}
	return f
}

// checkCode requires an identifier-like value: ASCII letters, digits and - _ . / only.
func checkCode(f map[string]string, field, v string, max int) {
	switch {
	case v == "":
		f[field] = "必填"
	case len(v) > max:
		f[field] = fmt.Sprintf("不能超过 %d 个字符", max)
	default:
		for _, c := range v {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./", c)) {
				f[field] = "只能包含字母、数字和 - _ . /"
				return
			}
		}
	}
}

// checkText bounds a text field in characters, as MySQL counts VARCHAR length, and reports
// whether it added a message to f.
func checkText(f map[string]string, field, v string, max int, required bool) bool {
	switch {
	case required && strings.TrimSpace(v) == "":
		f[field] = "必填"
	case !utf8.ValidString(v):
		f[field] = "不是有效的 UTF-8 文本"
	case utf8.RuneCountInString(v) > max:
		f[field] = fmt.Sprintf("不能超过 %d 个字符", max)
	default:
		return false
	}
	return true
}
