// Package auth verifies bearer tokens and describes who is calling: a Principal with a
// department and roles (docs/api.md, "Roles and departments").
package auth

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// Role is what a principal may do.
type Role string

// The roles of docs/api.md, "Roles and departments".
const (
	// RoleApplicant is staff of a using department (使用部门).
	RoleApplicant Role = "applicant"
	// RoleApprover is staff of a providing or producing department (提供部门, 数据生产部门).
	RoleApprover Role = "approver"
	// RoleDeptHead is the head of a department (主要负责人), who approves extensions.
	RoleDeptHead Role = "dept_head"
	// RoleAuthority is the data authority (数据共享主管部门).
	RoleAuthority Role = "authority"
	// RoleTechService is the technical service unit (技术服务单位).
	RoleTechService Role = "tech_service"
	// RoleCitizen is a citizen, legal person or other organisation (公民、法人和其他组织).
	RoleCitizen Role = "citizen"
	// RoleAdmin is the platform operator.
	RoleAdmin Role = "admin"
)

// AllRoles lists every role, in a stable order.
var AllRoles = []Role{RoleApplicant, RoleApprover, RoleDeptHead, RoleAuthority, RoleTechService, RoleCitizen, RoleAdmin}

// ParseRole accepts a role code.
func ParseRole(s string) (Role, bool) {
	r := Role(strings.TrimSpace(s))
	return r, slices.Contains(AllRoles, r)
}

// Principal is a verified caller.
type Principal struct {
	Subject      string `json:"subject"`
	Name         string `json:"name"`
	DepartmentID string `json:"department_id,omitempty"`
	Roles        []Role `json:"roles"`
}

// Has reports whether the principal holds any of the roles.
func (p Principal) Has(roles ...Role) bool {
	for _, r := range roles {
		if slices.Contains(p.Roles, r) {
			return true
		}
	}
	return false
}

// InDepartment reports whether the principal belongs to the department. Citizens belong to none.
func (p Principal) InDepartment(dept string) bool {
	return dept != "" && p.DepartmentID == dept
}

// ErrUnauthenticated is returned for a missing, malformed, expired or unverifiable token.
var ErrUnauthenticated = errors.New("unauthenticated")

// Verifier turns a raw bearer token into a principal.
type Verifier interface {
	Verify(ctx context.Context, rawToken string) (Principal, error)
}

// UserDirectory looks principals up in the users table, when department and roles come from
// there rather than from the token (DATASHARE_PRINCIPAL_SOURCE=users).
type UserDirectory interface {
	// LookupPrincipal returns the active user with this subject, or ErrUnauthenticated.
	LookupPrincipal(ctx context.Context, subject string) (Principal, error)
}

// withDirectory replaces department and roles of a verified token with the users table's.
type withDirectory struct {
	inner Verifier
	dir   UserDirectory
}

// FromDirectory wraps a verifier so that department and roles are read from the directory.
func FromDirectory(v Verifier, dir UserDirectory) Verifier {
	return withDirectory{inner: v, dir: dir}
}

func (w withDirectory) Verify(ctx context.Context, raw string) (Principal, error) {
	p, err := w.inner.Verify(ctx, raw)
	if err != nil {
		return Principal{}, err
	}
	u, err := w.dir.LookupPrincipal(ctx, p.Subject)
	if err != nil {
		return Principal{}, err
	}
	if u.Name == "" {
		u.Name = p.Name
	}
	return u, nil
}

// principalFromClaims reads the principal out of a verified claim set.
func principalFromClaims(claims map[string]any, deptClaim, rolesClaim, nameClaim string) (Principal, error) {
	sub, _ := claims["sub"].(string)
	if sub == "" {
		return Principal{}, errors.Join(ErrUnauthenticated, errors.New("token has no subject"))
	}
	p := Principal{Subject: sub}
	p.Name, _ = claims[nameClaim].(string)
	if p.Name == "" {
		p.Name = sub
	}
	p.DepartmentID, _ = claims[deptClaim].(string)
	var raw []string
	switch v := claims[rolesClaim].(type) {
	case []any:
		for _, r := range v {
			if s, ok := r.(string); ok {
				raw = append(raw, s)
			}
		}
	case string:
		raw = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
	}
	for _, s := range raw {
		// Identity providers carry roles of other systems too; only ours count.
		if r, ok := ParseRole(s); ok && !slices.Contains(p.Roles, r) {
			p.Roles = append(p.Roles, r)
		}
	}
	return p, nil
}
