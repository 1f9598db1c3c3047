package models

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Page sizes of ListResources.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Viewer is who is listing the catalog. A department sees published resources plus its own
// resources in every status; SeesAll (the authority, admins) sees everything. The zero Viewer
// (e.g. a citizen) sees published resources only.
type Viewer struct {
	DepartmentID string
	SeesAll      bool
	// OpenCatalog restricts the viewer to the open catalog (开放目录): published resources whose
	// open type is unconditional or conditional. Citizens see nothing else.
	OpenCatalog bool
}

// CanSee applies the visibility rule of ListResources to a single resource.
func (v Viewer) CanSee(r *CatalogResource) bool {
	if v.OpenCatalog {
		return r.Status == StatusPublished && (r.OpenType == OpenUnconditional || r.OpenType == OpenConditional)
	}
	return v.SeesAll || r.Status == StatusPublished || (v.DepartmentID != "" && r.ProviderDeptID == v.DepartmentID)
}

// ResourceFilter selects catalog resources; empty fields do not filter.
type ResourceFilter struct {
	ProviderDeptID string
	ShareType      ShareType
	OpenType       OpenType
	Status         ResourceStatus
	Text           string // substring of code, name or description, case-insensitive for ASCII
	Viewer         Viewer
	Limit          int    // 0 means DefaultPageSize; larger than MaxPageSize means MaxPageSize
	Cursor         string // from a previous page; "" starts at the beginning
}

// ListResources returns one page of resources matching f, ordered by id ascending, and the
// cursor of the next page ("" after the last page). The order is stable under concurrent
// inserts: a page never repeats or skips a row that existed when the first page was read.
// A malformed cursor or filter value is a *ValidationError.
func (s *Store) ListResources(ctx context.Context, f ResourceFilter) (items []CatalogResource, nextCursor string, err error) {
	bad := map[string]string{}
	if f.ShareType != "" && !f.ShareType.Valid() {
		bad["share_type"] = "未知的共享类别"
	}
	if f.OpenType != "" && !f.OpenType.Valid() {
		bad["open_type"] = "未知的开放属性"
	}
	if f.Status != "" && !f.Status.Valid() {
		bad["status"] = "未知的状态"
	}
	after, ok := decodeCursor(f.Cursor)
	if !ok {
		bad["cursor"] = "无效的分页游标"
	}
	if len(bad) > 0 {
		return nil, "", fmt.Errorf("list catalog resources: %w", &ValidationError{Fields: bad})
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = DefaultPageSize
	case limit > MaxPageSize:
		limit = MaxPageSize
	}

	q := s.db.WithContext(ctx).Model(&CatalogResource{})
	if f.ProviderDeptID != "" {
		q = q.Where("provider_dept_id = ?", f.ProviderDeptID)
	}
	if f.ShareType != "" {
		q = q.Where("share_type = ?", f.ShareType)
	}
	if f.OpenType != "" {
		q = q.Where("open_type = ?", f.OpenType)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if text := strings.TrimSpace(f.Text); text != "" {
		// LOWER on both sides gives the same answer on SQLite and on MySQL's binary collation.
		p := "%" + escapeLike(strings.ToLower(text)) + "%"
		q = q.Where("(LOWER(code) LIKE ? ESCAPE '!' OR LOWER(name) LIKE ? ESCAPE '!' OR LOWER(description) LIKE ? ESCAPE '!')", p, p, p)
	}
	switch {
	case f.Viewer.OpenCatalog:
		q = q.Where("status = ? AND open_type IN ?", StatusPublished, []string{string(OpenUnconditional), string(OpenConditional)})
	case !f.Viewer.SeesAll:
		if f.Viewer.DepartmentID != "" {
			q = q.Where("(status = ? OR provider_dept_id = ?)", StatusPublished, f.Viewer.DepartmentID)
		} else {
			q = q.Where("status = ?", StatusPublished)
		}
	}
	if after > 0 {
		q = q.Where("id > ?", after)
	}
	// One row more than the page tells whether a next page exists without a COUNT.
	if err := q.Order("id ASC").Limit(limit + 1).Find(&items).Error; err != nil {
		return nil, "", dbError(err, "list catalog resources")
	}
	if len(items) > limit {
		items = items[:limit]
		nextCursor = encodeCursor(items[limit-1].ID)
	}
	return items, nextCursor, nil
}

// The cursor is opaque to clients; the prefix lets a later format coexist with this one.
const cursorPrefix = "r1:"

func encodeCursor(afterID int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatInt(afterID, 10)))
}

// decodeCursor returns the id after which the page starts; "" is the first page.
func decodeCursor(c string) (int64, bool) {
	if c == "" {
		return 0, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	digits, ok := strings.CutPrefix(string(raw), cursorPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}

// escapeLike makes s match literally in a LIKE pattern with ESCAPE '!'. '!' rather than a
// backslash because MySQL treats a backslash inside a string literal as an escape itself.
func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}
