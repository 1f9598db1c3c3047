package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// grantHandlers serve grants (共享授权): the consuming and providing departments read theirs,
// the authority reads all and suspends, resumes or revokes them (内乡 第四十一条) through the
// request's workflow — and from 2025-08-01 the providing department's approvers do so for
// their department's data (政务数据共享条例 第二十七条第二款), which the workflow checks.
type grantHandlers struct {
	store     ShareRequestStore
	workflows WorkflowUpdater
}

func (h grantHandlers) list(c *gin.Context) {
	p := mustPrincipal(c)
	f := models.GrantFilter{DepartmentID: p.DepartmentID, SeesAll: seesAllRequests(p), Status: c.Query("status"), Cursor: c.Query("cursor")}
	q := queryErrors{}
	f.ResourceID = q.resourceID(c)
	f.Limit = q.limit(c)
	if q.abortIfAny(c) {
		return
	}
	items, next, err := h.store.ListGrants(c.Request.Context(), f)
	if err != nil {
		abort(c, err)
		return
	}
	out := GrantList{Items: make([]GrantView, 0, len(items)), NextCursor: next}
	for i := range items {
		out.Items = append(out.Items, toGrantView(&items[i]))
	}
	c.JSON(http.StatusOK, out)
}

func (h grantHandlers) suspend(c *gin.Context) { h.act(c, contract.UpdateSuspendGrant) }
func (h grantHandlers) resume(c *gin.Context)  { h.act(c, contract.UpdateResumeGrant) }
func (h grantHandlers) revoke(c *gin.Context)  { h.act(c, contract.UpdateRevokeGrant) }

// act sends a grant action to the workflow of the grant's request and answers with the grant
// as projected after it (the handler projects before it returns).
func (h grantHandlers) act(c *gin.Context, name string) {
	ctx := c.Request.Context()
	id := c.Param("id")
	g, err := h.store.GetGrant(ctx, id)
	if err == nil && !mustPrincipal(c).Has(auth.RoleAuthority) && g.ProviderDeptID != mustPrincipal(c).DepartmentID {
		// An approver acts only on the grants of its own department's data (政务数据共享条例
		// 第二十七条第二款); another department's grant is not there for it.
		err = models.ErrNotFound
	}
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			err = notFound("grant " + id + " not found")
		}
		abort(c, err)
		return
	}
	var in GrantActionInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	r, err := h.store.GetShareRequest(ctx, g.RequestID)
	if err != nil {
		abort(c, err)
		return
	}
	u := contract.GrantActionUpdate{Actor: actorOf(mustPrincipal(c)), Reason: strings.TrimSpace(in.Reason)}
	var st contract.ShareRequestState
	if err := sendRequestUpdate(ctx, h.workflows, r.ID, r.WorkflowID, name, u, &st); err != nil {
		abort(c, err)
		return
	}
	after, err := h.store.GetGrant(ctx, id)
	if err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, toGrantView(after))
}
