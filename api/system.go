package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models"
)

// Check is one dependency /readyz probes (the database, Temporal).
type Check struct {
	Name  string
	Probe func(ctx context.Context) error
}

// DepartmentStore is what the department and me handlers need.
type DepartmentStore interface {
	ListDepartments(ctx context.Context) ([]models.Department, error)
	GetDepartment(ctx context.Context, id string) (*models.Department, error)
}

type systemHandlers struct {
	checks      []Check
	departments DepartmentStore
}

func (h systemHandlers) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, HealthView{Status: "ok"})
}

// readyz probes every dependency with a short timeout; one failure makes the process unready
// so a load balancer stops sending it requests.
func (h systemHandlers) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	out := HealthView{Status: "ok", Checks: map[string]string{}}
	status := http.StatusOK
	for _, chk := range h.checks {
		if err := chk.Probe(ctx); err != nil {
			out.Checks[chk.Name] = "unavailable: " + err.Error()
			out.Status = "unavailable"
			status = http.StatusServiceUnavailable
			continue
		}
		out.Checks[chk.Name] = "ok"
	}
	c.JSON(status, out)
}

func (h systemHandlers) me(c *gin.Context) {
	p := mustPrincipal(c)
	out := MeView{Subject: p.Subject, Name: p.Name, DepartmentID: p.DepartmentID, Roles: p.Roles}
	if p.DepartmentID != "" {
		d, err := h.departments.GetDepartment(c.Request.Context(), p.DepartmentID)
		switch {
		case err == nil:
			out.DepartmentName, out.DepartmentKind = d.Name, string(d.Kind)
		case !isNotFound(err):
			abort(c, err)
			return
		}
	}
	if out.Roles == nil {
		out.Roles = []auth.Role{}
	}
	c.JSON(http.StatusOK, out)
}

func (h systemHandlers) listDepartments(c *gin.Context) {
	ds, err := h.departments.ListDepartments(c.Request.Context())
	if err != nil {
		abort(c, err)
		return
	}
	out := DepartmentList{Items: make([]DepartmentView, 0, len(ds))}
	for _, d := range ds {
		out.Items = append(out.Items, toDepartmentView(d))
	}
	c.JSON(http.StatusOK, out)
}

func (h systemHandlers) getDepartment(c *gin.Context) {
	d, err := h.departments.GetDepartment(c.Request.Context(), c.Param("id"))
	if err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, toDepartmentView(*d))
}
