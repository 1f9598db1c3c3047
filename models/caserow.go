package models

import (
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"strings"
	"time"

	"gorm.io/gorm"
)

// caseTable is the table of one procedure's rows (a share request, a correction, a
// rectification …). Each row is the projection of a workflow's state, written only by
// activities, replaced whole and only by a higher revision; each is read by its id and listed
// newest first. Those operations are the same for every procedure; a table says here only what
// differs.
type caseTable[T any, P interface {
	*T
	Validate() map[string]string
}] struct {
	what   string // the row in messages ("share request"); a list's messages add an s
	cursor string // the prefix of the list's cursors: it tells one list's cursor from another's

	statuses      map[string]bool // the statuses a list may select
	unknownStatus string          // the list's message for another status
	// final lists the statuses in which a row is never overdue; nil: a row is never overdue
	// once closed_at is set.
	final []string

	// emptyJSON is what an empty JSON column stores, by column.
	emptyJSON map[string]string
	// kept lists the columns besides the primary key that an update leaves as inserted.
	kept []string
}

// get returns the row with the id, or ErrNotFound.
func (t *caseTable[T, P]) get(ctx context.Context, s *Store, id string) (*T, error) {
	var r T
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, dbError(err, "load %s %q", t.what, id)
	}
	return &r, nil
}

// upsert stores row unless the stored row has the same or a higher revision; applied reports
// whether row was written. Invalid fields are a *ValidationError. Every column is written,
// zero values too, but the primary key and the kept ones; times are stored as dbTime, a zero
// updated_at as the time of the write. It is race-free the way UpsertTask is (upsertGuarded).
func (t *caseTable[T, P]) upsert(ctx context.Context, s *Store, row P) (applied bool, err error) {
	id, revision := caseKey(row)
	if f := row.Validate(); len(f) > 0 {
		return false, fmt.Errorf("upsert %s %q: %w", t.what, id, &ValidationError{Fields: f})
	}
	if err := t.normalise(ctx, s.db, row); err != nil {
		return false, fmt.Errorf("upsert %s %q: %w", t.what, id, err)
	}
	update := func() (bool, error) {
		res := s.db.WithContext(ctx).Model(new(T)).Where("id = ? AND revision < ?", id, revision).
			Select("*").Omit(append([]string{"id"}, t.kept...)...).UpdateColumns(row)
		if res.Error != nil {
			return false, dbError(res.Error, "update %s %q to revision %d", t.what, id, revision)
		}
		return res.RowsAffected > 0, nil
	}
	insert := func() error { return s.db.WithContext(ctx).Create(row).Error }
	exists := func() (bool, error) {
		var n int64
		if err := s.db.WithContext(ctx).Model(new(T)).Where("id = ?", id).Count(&n).Error; err != nil {
			return false, dbError(err, "look up %q", id)
		}
		return n > 0, nil
	}
	return upsertGuarded(update, insert, exists, "%s %q revision %d", t.what, id, revision)
}

// caseKey returns a case row's id and revision: every case row type has the fields ID, its
// primary key in the column id, and Revision.
func caseKey(row any) (id string, revision int64) {
	v := reflect.Indirect(reflect.ValueOf(row))
	return v.FieldByName("ID").String(), v.FieldByName("Revision").Int()
}

// normalise sets the times of row as both dialects store them, a zero updated_at to now and
// each empty JSON column to its empty value.
func (t *caseTable[T, P]) normalise(ctx context.Context, db *gorm.DB, row P) error {
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(row); err != nil {
		return err
	}
	rv := reflect.ValueOf(row).Elem()
	for _, f := range stmt.Schema.Fields {
		if f.DBName == "" {
			continue
		}
		switch p := f.ReflectValueOf(ctx, rv).Addr().Interface().(type) {
		case *time.Time:
			if f.DBName == "updated_at" && p.IsZero() {
				*p = now()
			}
			*p = dbTime(*p)
		case **time.Time:
			*p = dbTimePtr(*p)
		case *string:
			if empty, ok := t.emptyJSON[f.DBName]; ok && *p == "" {
				*p = empty
			}
		}
	}
	return nil
}

// caseQuery is what a list of cases selects; each procedure's filter translates to it.
type caseQuery struct {
	// seesAll: the principal sees every row. Otherwise it sees the rows in which one of the
	// columns of sees holds its value; a column with an empty value does not count, and with
	// none left the principal sees nothing.
	seesAll bool
	sees    []columnValue
	status  string // "" for every status
	// where narrows the list to the rows in which each column holds its value; a zero value
	// does not narrow.
	where []columnValue
	// overdue selects the rows whose open step is past its deadline (true) or not (false); nil
	// for both. now is the instant compared with; zero means the current time.
	overdue *bool
	now     time.Time
	limit   int
	cursor  string
}

type columnValue struct {
	column string
	value  any
}

// sameValue is value in each of the columns: a department in any of its roles.
func sameValue(value string, columns ...string) []columnValue {
	out := make([]columnValue, len(columns))
	for i, c := range columns {
		out[i] = columnValue{c, value}
	}
	return out
}

// list returns one page of the rows q selects, newest first (ids sort by time of creation),
// and the cursor of the next page ("" after the last). A malformed status or cursor is a
// *ValidationError.
func (t *caseTable[T, P]) list(ctx context.Context, s *Store, q caseQuery) ([]T, string, error) {
	bad := map[string]string{}
	if q.status != "" && !t.statuses[q.status] {
		bad["status"] = t.unknownStatus
	}
	after, ok := decodeIDCursor(t.cursor, q.cursor)
	if !ok {
		bad["cursor"] = "无效的分页游标"
	}
	if len(bad) > 0 {
		return nil, "", fmt.Errorf("list %ss: %w", t.what, &ValidationError{Fields: bad})
	}
	db := s.db.WithContext(ctx).Model(new(T))
	if !q.seesAll {
		var ors []string
		var args []any
		for _, cv := range q.sees {
			if cv.value != "" {
				ors, args = append(ors, cv.column+" = ?"), append(args, cv.value)
			}
		}
		if len(ors) == 0 {
			return []T{}, "", nil
		}
		db = db.Where("("+strings.Join(ors, " OR ")+")", args...)
	}
	if q.status != "" {
		db = db.Where("status = ?", q.status)
	}
	for _, cv := range q.where {
		if !reflect.ValueOf(cv.value).IsZero() {
			db = db.Where(cv.column+" = ?", cv.value)
		}
	}
	if q.overdue != nil {
		at := q.now
		if at.IsZero() {
			at = now()
		}
		open, closed, args := "closed_at IS NULL", "closed_at IS NOT NULL", []any{dbTime(at)}
		if t.final != nil {
			open, closed, args = "status NOT IN ?", "status IN ?", append(args, t.final)
		}
		if *q.overdue {
			db = db.Where("(due_at IS NOT NULL AND due_at < ? AND "+open+")", args...)
		} else {
			db = db.Where("(due_at IS NULL OR due_at >= ? OR "+closed+")", args...)
		}
	}
	if after != "" {
		db = db.Where("id < ?", after)
	}
	return pageByID(db, q.limit, t.cursor, func(r T) string { id, _ := caseKey(r); return id }, "list "+t.what+"s")
}

// upsertGuarded is the revision-guarded upsert of UpsertTask for any table: update (applies
// only a higher revision), else insert, and if a concurrent call inserted first, update again.
// When that second update applies nothing, exists tells a stale retry (the row is there with
// the same or a newer revision: not an error) from another row holding a unique key
// (ErrConflict).
func upsertGuarded(update func() (bool, error), insert func() error, exists func() (bool, error), format string, args ...any) (bool, error) {
	if applied, err := update(); err != nil || applied {
		return applied, err
	}
	err := insert()
	switch {
	case err == nil:
		return true, nil
	case !isDuplicateKey(err):
		return false, dbError(err, "insert "+format, args...)
	}
	if applied, err := update(); err != nil || applied {
		return applied, err
	}
	found, xerr := exists()
	if xerr != nil {
		return false, xerr
	}
	if !found {
		return false, dbError(err, "insert "+format, args...) // wraps ErrConflict
	}
	return false, nil
}

// pageByID reads one page of q in descending id order, fetching one row more than the page
// to tell whether another page follows.
func pageByID[T any](q *gorm.DB, limit int, prefix string, id func(T) string, what string) ([]T, string, error) {
	switch {
	case limit <= 0:
		limit = DefaultPageSize
	case limit > MaxPageSize:
		limit = MaxPageSize
	}
	var items []T
	if err := q.Order("id DESC").Limit(limit + 1).Find(&items).Error; err != nil {
		return nil, "", dbError(err, "%s", what)
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(prefix + id(items[limit-1])))
	}
	if items == nil {
		items = []T{}
	}
	return items, next, nil
}

// decodeIDCursor returns the id after which the page starts; "" for the first page.
func decodeIDCursor(prefix, c string) (string, bool) {
	if c == "" {
		return "", true
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", false
	}
	id, ok := strings.CutPrefix(string(raw), prefix)
	return id, ok && id != ""
}

// checkCase checks, into f by column name, the fields every case row has: its id, revision,
// workflow, open step and creation time.
func checkCase(f map[string]string, id string, revision int, workflowID, currentStep string, createdAt time.Time) {
	checkText(f, "id", id, 64, true)
	if revision < 1 {
		f["revision"] = "须为正整数"
	}
	checkText(f, "workflow_id", workflowID, 255, true)
	checkText(f, "current_step", currentStep, 64, false)
	if createdAt.IsZero() {
		f["created_at"] = "不能为空"
	}
}
