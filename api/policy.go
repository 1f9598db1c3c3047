package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/internal/policy"
)

// PolicySummary is one jurisdiction profile in the list.
type PolicySummary struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Jurisdiction string `json:"jurisdiction"`
	Source       string `json:"source"`
	Active       bool   `json:"active"`
}

// PolicyList lists the profiles this deployment knows; Active names the one in force.
type PolicyList struct {
	Items  []PolicySummary `json:"items"`
	Active string          `json:"active"`
}

// PolicyView is a whole profile: every procedure and step with its deadline, actor, reminders,
// escalation, extension rule and legal basis, local defaults marked as such.
type PolicyView struct {
	policy.Profile
	Active bool `json:"active"`
}

// policyHandlers serve the jurisdiction profiles (docs/regulations.md: policies are data).
type policyHandlers struct {
	profiles []policy.Profile // resolved, the active one included
	active   string
}

func (h policyHandlers) list(c *gin.Context) {
	out := PolicyList{Items: make([]PolicySummary, 0, len(h.profiles)), Active: h.active}
	for _, p := range h.profiles {
		out.Items = append(out.Items, PolicySummary{ID: p.ID, Name: p.Name, Jurisdiction: p.Jurisdiction, Source: p.Source, Active: p.ID == h.active})
	}
	c.JSON(http.StatusOK, out)
}

func (h policyHandlers) get(c *gin.Context) {
	for _, p := range h.profiles {
		if p.ID == c.Param("id") {
			c.JSON(http.StatusOK, PolicyView{Profile: p, Active: p.ID == h.active})
			return
		}
	}
	abort(c, notFound("no jurisdiction profile "+c.Param("id")))
}
