package api

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
)

// DirectoryStore is what the admin handlers need: departments and the users table, which is
// where principals come from when DATASHARE_PRINCIPAL_SOURCE=users.
type DirectoryStore interface {
	GetDepartment(ctx context.Context, id string) (*models.Department, error)
	UpsertDepartment(ctx context.Context, d *models.Department) error
	GetUser(ctx context.Context, id string) (*models.User, error)
	ListUsers(ctx context.Context, departmentID string) ([]models.User, error)
	UpsertUser(ctx context.Context, u *models.User) error
}

// directoryHandlers let the platform operator (admin, docs/api.md, "Roles and departments") manage departments
// and users. Both are replaced whole by PUT on their id, so a retried request does no harm.
type directoryHandlers struct {
	store DirectoryStore
	// jurisdictions are the ids of the known jurisdiction profiles, which a department's
	// jurisdiction must be one of.
	jurisdictions []string
}

// directoryIDPattern is what the id of a department or a user must look like (docs/api.md):
// 1-64 ASCII letters, digits, dots, dashes and underscores, starting with a letter or a digit.
// The id goes as it is into paths, token claims, workflow search attributes and logs.
const directoryIDPattern = `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`

var directoryID = regexp.MustCompile(directoryIDPattern)

// checkDirectoryID refuses an id that does not match directoryIDPattern or holds "..", which
// reads as a path step; 400 naming the field id.
func checkDirectoryID(id string) error {
	if !directoryID.MatchString(id) || strings.Contains(id, "..") {
		return invalidField("id", "must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or a digit, without \"..\"")
	}
	return nil
}

// knownJurisdictions are the ids of the shipped profiles and of those the deployment loaded (a
// profile file of its own), sorted.
func knownJurisdictions(profiles []policy.Profile) []string {
	ids := policy.EmbeddedIDs()
	for _, p := range profiles {
		if !slices.Contains(ids, p.ID) {
			ids = append(ids, p.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func (h directoryHandlers) putDepartment(c *gin.Context) {
	if err := checkDirectoryID(c.Param("id")); err != nil {
		abort(c, err)
		return
	}
	var in DepartmentInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	if !slices.Contains(h.jurisdictions, in.Jurisdiction) {
		abort(c, invalidField("jurisdiction", "must be the id of a jurisdiction profile: "+strings.Join(h.jurisdictions, ", ")))
		return
	}
	// UpsertDepartment checks the path id and the body by the models rules (400 naming the field).
	d := in.toDepartment(c.Param("id"))
	_, err := h.store.GetDepartment(c.Request.Context(), d.ID)
	created, err := createsRow(err)
	if err != nil {
		abort(c, err)
		return
	}
	if err := h.store.UpsertDepartment(c.Request.Context(), &d); err != nil {
		abort(c, err)
		return
	}
	c.JSON(createdOrOK(created), toDepartmentView(d))
}

func (h directoryHandlers) listUsers(c *gin.Context) {
	users, err := h.store.ListUsers(c.Request.Context(), c.Query("department"))
	if err != nil {
		abort(c, err)
		return
	}
	out := UserList{Items: make([]UserView, 0, len(users))}
	for _, u := range users {
		out.Items = append(out.Items, toUserView(u))
	}
	c.JSON(http.StatusOK, out)
}

// getUser serves an admin, or the user itself (the route admits both, see requireRoleOrSelf).
func (h directoryHandlers) getUser(c *gin.Context) {
	u, err := h.store.GetUser(c.Request.Context(), c.Param("id"))
	if err != nil {
		if isNotFound(err) {
			err = notFound("user " + c.Param("id") + " not found")
		}
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, toUserView(*u))
}

func (h directoryHandlers) putUser(c *gin.Context) {
	p := mustPrincipal(c)
	if err := checkDirectoryID(c.Param("id")); err != nil {
		abort(c, err)
		return
	}
	var in UserInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	u := in.toUser(c.Param("id"))
	// User.Validate holds the citizen rule (no department) and the staff rule (one department);
	// bad input is reported before the lock-out rule below, as 400 naming the field.
	if f := u.Validate(); len(f) > 0 {
		abort(c, &models.ValidationError{Fields: f})
		return
	}
	// The caller is an admin (the route admits no one else). Were it to drop its own admin role
	// or deactivate itself, the last admin could leave the platform with none.
	if u.ID == p.Subject {
		switch {
		case !u.HasRole(models.RoleAdmin):
			abort(c, ruleViolated("an admin cannot remove the admin role from themselves; another admin must do it, so that the platform always keeps one"))
			return
		case in.Active != nil && !*in.Active:
			abort(c, ruleViolated("an admin cannot deactivate themselves; another admin must do it, so that the platform always keeps one"))
			return
		}
	}
	existing, err := h.store.GetUser(c.Request.Context(), u.ID)
	created, err := createsRow(err)
	if err != nil {
		abort(c, err)
		return
	}
	switch {
	case in.Active != nil:
		u.Active = *in.Active
	case created:
		u.Active = true
	default:
		u.Active = existing.Active
	}
	if err := h.store.UpsertUser(c.Request.Context(), &u); err != nil {
		abort(c, err)
		return
	}
	c.JSON(createdOrOK(created), toUserView(u))
}

// createsRow turns the error of a lookup before an upsert into "the upsert creates the row".
// Two concurrent creates of one id may both answer 201; the stored row is the last writer's
// either way, which is all PUT promises.
func createsRow(err error) (bool, error) {
	switch {
	case err == nil:
		return false, nil
	case isNotFound(err):
		return true, nil
	}
	return false, err
}

func createdOrOK(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}
