package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/models"
)

// CatalogStore is what the catalog handlers need of the read model.
type CatalogStore interface {
	CreateResource(ctx context.Context, r *models.CatalogResource, actor string) error
	GetResource(ctx context.Context, id int64) (*models.CatalogResource, error)
	UpdateDraft(ctx context.Context, id int64, expectedVersion int, patch func(*models.CatalogResource), actor string) (*models.CatalogResource, error)
	Submit(ctx context.Context, id int64, expectedVersion int, actor string) (*models.CatalogResource, error)
	Publish(ctx context.Context, id int64, expectedVersion int, actor string) (*models.CatalogResource, error)
	Return(ctx context.Context, id int64, expectedVersion int, actor, reason string) (*models.CatalogResource, error)
	Retire(ctx context.Context, id int64, expectedVersion int, actor, reason string) (*models.CatalogResource, error)
	Revise(ctx context.Context, id int64, expectedVersion int, actor string) (*models.CatalogResource, error)
	ListResources(ctx context.Context, f models.ResourceFilter) ([]models.CatalogResource, string, error)
	ListResourceVersions(ctx context.Context, id int64) ([]models.CatalogResourceVersion, error)
}

// catalogHandlers serve the data catalog (政务数据资源目录): the owning department's approver
// edits drafts and submits; the data authority publishes, returns with a reason, or retires —
// since 2025-08-01 under 政务数据共享条例 第十六条第一款 everywhere, and under the profile's own
// article where it has one (辽宁 第十条, 内乡 第十八条; review).
type catalogHandlers struct {
	store CatalogStore
	// review is what the authority's actions rest on, on a day (policy.Profile.CatalogReviewBasis).
	review func(day string) (basis []string, local bool)
	now    func() time.Time
	// corrections flags resources under verification with verificationRule; nil: no flags.
	corrections      OpenCorrectionCounter
	verificationRule string
}

// viewer says what a principal may see: the authority and admins everything, a department its
// own resources in every status and everyone's published ones, a citizen the open catalog
// (开放目录) only.
func viewer(p auth.Principal) models.Viewer {
	return models.Viewer{DepartmentID: p.DepartmentID, SeesAll: p.Has(auth.RoleAuthority, auth.RoleAdmin), OpenCatalog: citizenOnly(p)}
}

func (h catalogHandlers) create(c *gin.Context) {
	p := mustPrincipal(c)
	var in CatalogResourceInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	if in.ProviderDeptID == "" {
		in.ProviderDeptID = p.DepartmentID
	}
	if !p.InDepartment(in.ProviderDeptID) {
		abort(c, forbidden("an approver registers resources of its own department only ("+p.DepartmentID+")"))
		return
	}
	r := &models.CatalogResource{ResourceContent: in.toContent()}
	// Sent with an Idempotency-Key, the claim guards this insert; a process dying after the
	// commit but before the answer is stored leaves the claim pending, and a retry waits until
	// it is abandoned (idempotencyAbandonedAfter) and then runs again. That cannot duplicate
	// the draft: the code is unique, so the second insert is refused with 409. It is not the
	// first answer, which is why the route is not redrive.
	if err := h.store.CreateResource(c.Request.Context(), r, p.Subject); err != nil {
		abort(c, err)
		return
	}
	c.Set(ctxAuditResource, r.ID)
	c.Header("Location", "/api/v1/catalog/resources/"+strconv.FormatInt(r.ID, 10))
	c.JSON(http.StatusCreated, toResourceView(r))
}

func (h catalogHandlers) get(c *gin.Context) {
	r, ok := h.load(c)
	if !ok {
		return
	}
	view := toResourceView(r)
	// A revision in progress is the department's working copy: its own people and the
	// authority see it, other departments only the published content.
	if p := mustPrincipal(c); p.InDepartment(r.ProviderDeptID) || viewer(p).SeesAll {
		if err := withRevision(&view, r); err != nil {
			abort(c, err)
			return
		}
	}
	views := []CatalogResourceView{view}
	if err := flagUnderVerification(c.Request.Context(), h.corrections, h.verificationRule, views); err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, views[0])
}

// revise opens a draft revision of a published resource (修订), for a catalog update: the
// published content stays what other departments see until the revision is published.
func (h catalogHandlers) revise(c *gin.Context) {
	var in TransitionInput
	r, ok := h.loadOwned(c, &in)
	if !ok {
		return
	}
	updated, err := h.store.Revise(c.Request.Context(), r.ID, versionOf(in.Version), mustPrincipal(c).Subject)
	h.respond(c, updated, err)
}

func (h catalogHandlers) versions(c *gin.Context) {
	r, ok := h.load(c)
	if !ok {
		return
	}
	rows, err := h.store.ListResourceVersions(c.Request.Context(), r.ID)
	if err != nil {
		abort(c, err)
		return
	}
	out := CatalogVersionList{Items: make([]CatalogVersionView, 0, len(rows))}
	for i := range rows {
		content, err := rows[i].Content()
		if err != nil {
			abort(c, err)
			return
		}
		out.Items = append(out.Items, CatalogVersionView{
			Version: rows[i].Version, Action: string(rows[i].Action), Status: string(rows[i].Status),
			Actor: rows[i].Actor, Reason: rows[i].Reason, CreatedAt: formatTime(rows[i].CreatedAt),
			Content: toContentView(content),
		})
	}
	c.JSON(http.StatusOK, out)
}

func (h catalogHandlers) update(c *gin.Context) {
	var in CatalogResourcePatch
	r, ok := h.loadOwned(c, &in)
	if !ok {
		return
	}
	p := mustPrincipal(c)
	updated, err := h.store.UpdateDraft(c.Request.Context(), r.ID, versionOf(in.Version), in.apply, p.Subject)
	h.respond(c, updated, err)
}

func (h catalogHandlers) submit(c *gin.Context) {
	var in TransitionInput
	r, ok := h.loadOwned(c, &in)
	if !ok {
		return
	}
	updated, err := h.store.Submit(c.Request.Context(), r.ID, versionOf(in.Version), mustPrincipal(c).Subject)
	h.respond(c, updated, err)
}

func (h catalogHandlers) publish(c *gin.Context) {
	var in TransitionInput
	r, ok := h.loadForAuthority(c, &in)
	if !ok {
		return
	}
	updated, err := h.store.Publish(c.Request.Context(), r.ID, versionOf(in.Version), mustPrincipal(c).Subject)
	h.respondReviewed(c, updated, err)
}

func (h catalogHandlers) returnToDept(c *gin.Context) {
	var in ReasonInput
	r, ok := h.loadForAuthority(c, &in)
	if !ok {
		return
	}
	updated, err := h.store.Return(c.Request.Context(), r.ID, versionOf(in.Version), mustPrincipal(c).Subject, in.Reason)
	h.respondReviewed(c, updated, err)
}

func (h catalogHandlers) retire(c *gin.Context) {
	var in ReasonInput
	r, ok := h.loadForAuthority(c, &in)
	if !ok {
		return
	}
	updated, err := h.store.Retire(c.Request.Context(), r.ID, versionOf(in.Version), mustPrincipal(c).Subject, in.Reason)
	h.respondReviewed(c, updated, err)
}

// respondReviewed answers a review action of the authority, with what it rests on.
func (h catalogHandlers) respondReviewed(c *gin.Context, r *models.CatalogResource, err error) {
	h.answer(c, r, err, true)
}

// respond answers an action of the owning department or the authority, who see the revision.
func (h catalogHandlers) respond(c *gin.Context, r *models.CatalogResource, err error) {
	h.answer(c, r, err, false)
}

func (h catalogHandlers) answer(c *gin.Context, r *models.CatalogResource, err error, reviewed bool) {
	if err != nil {
		abort(c, err)
		return
	}
	view := toResourceView(r)
	if err := withRevision(&view, r); err != nil {
		abort(c, err)
		return
	}
	if reviewed && h.review != nil {
		view.ReviewBasis, view.ReviewLocalDefault = h.review(h.now().In(calendar.Location()).Format(time.DateOnly))
	}
	c.JSON(http.StatusOK, view)
}

// maxSearchRunes bounds the catalog's search text.
const maxSearchRunes = 200

func (h catalogHandlers) list(c *gin.Context) {
	p := mustPrincipal(c)
	f := models.ResourceFilter{
		ProviderDeptID: c.Query("department"),
		ShareType:      models.ShareType(c.Query("share_type")),
		OpenType:       models.OpenType(c.Query("open_type")),
		Status:         models.ResourceStatus(c.Query("status")),
		Text:           strings.TrimSpace(c.Query("q")),
		Cursor:         c.Query("cursor"),
		Viewer:         viewer(p),
	}
	fields := queryErrors{}
	f.Limit = fields.limit(c)
	if f.ShareType != "" && !f.ShareType.Valid() {
		fields["share_type"] = "must be one of: unconditional, conditional, none"
	}
	if f.OpenType != "" && !f.OpenType.Valid() {
		fields["open_type"] = "must be one of: unconditional, conditional, none"
	}
	if f.Status != "" && !f.Status.Valid() {
		fields["status"] = "must be one of: draft, submitted, published, retired"
	}
	// A search text longer than any code, name or description it could match is a mistake
	// (and a LIKE pattern the database may refuse to run).
	if msg := checkFreeText(f.Text, maxSearchRunes, true); msg != "" {
		fields["q"] = msg
	}
	if fields.abortIfAny(c) {
		return
	}
	items, next, err := h.store.ListResources(c.Request.Context(), f)
	if err != nil {
		abort(c, err)
		return
	}
	out := CatalogResourceList{Items: make([]CatalogResourceView, 0, len(items)), NextCursor: next}
	for i := range items {
		out.Items = append(out.Items, toResourceView(&items[i]))
	}
	if err := flagUnderVerification(c.Request.Context(), h.corrections, h.verificationRule, out.Items); err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// load reads the addressed resource if the caller may see it; one the caller may not see is
// reported as not found, so drafts of other departments do not leak.
func (h catalogHandlers) load(c *gin.Context) (*models.CatalogResource, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		abort(c, invalidField("id", "must be a positive integer"))
		return nil, false
	}
	r, err := h.store.GetResource(c.Request.Context(), id)
	if err == nil && !viewer(mustPrincipal(c)).CanSee(r) {
		err = models.ErrNotFound
	}
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			err = notFound("catalog resource " + c.Param("id") + " not found")
		}
		abort(c, err)
		return nil, false
	}
	return r, true
}

// loadOwned binds the body and loads a resource that only its own department's approver may
// change. An approver of another department is refused even where it can read the resource.
func (h catalogHandlers) loadOwned(c *gin.Context, body any) (*models.CatalogResource, bool) {
	p := mustPrincipal(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		abort(c, invalidField("id", "must be a positive integer"))
		return nil, false
	}
	r, err := h.store.GetResource(c.Request.Context(), id)
	if err != nil {
		abort(c, err)
		return nil, false
	}
	if !p.InDepartment(r.ProviderDeptID) {
		abort(c, forbidden("only approvers of the providing department "+r.ProviderDeptID+" may change this resource"))
		return nil, false
	}
	if err := bindJSON(c, body); err != nil {
		abort(c, err)
		return nil, false
	}
	return r, true
}

// loadForAuthority binds the body and loads the resource for the authority's review.
func (h catalogHandlers) loadForAuthority(c *gin.Context, body any) (*models.CatalogResource, bool) {
	r, ok := h.load(c)
	if !ok {
		return nil, false
	}
	if err := bindJSON(c, body); err != nil {
		abort(c, err)
		return nil, false
	}
	return r, true
}
