package models

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Store reads and writes departments, users and the catalog. It is safe for concurrent use.
type Store struct {
	db *gorm.DB
}

// NewStore returns a store on db (a pool from Open, or a transaction).
func NewStore(db *gorm.DB) *Store {
	return &Store{db: db}
}

// DB returns the handle the store uses, for callers that need a query the store lacks.
func (s *Store) DB() *gorm.DB { return s.db }

// forUpdate locks the selected row until the transaction ends. MySQL needs it so that two
// transitions of the same resource cannot both read the old version; SQLite has no row locks
// and needs none, because its writers are serialised (transactions begin IMMEDIATE).
func forUpdate(tx *gorm.DB) *gorm.DB {
	if tx.Dialector.Name() == DialectMySQL {
		return tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx
}

// ListDepartments returns every department ordered by id.
func (s *Store) ListDepartments(ctx context.Context) ([]Department, error) {
	var out []Department
	if err := s.db.WithContext(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, dbError(err, "list departments")
	}
	return out, nil
}

// GetDepartment returns the department with the given id, or ErrNotFound.
func (s *Store) GetDepartment(ctx context.Context, id string) (*Department, error) {
	var d Department
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&d).Error; err != nil {
		return nil, dbError(err, "load department %q", id)
	}
	return &d, nil
}

// UpsertDepartment creates d or replaces the fields of the department with its id; on return
// d holds the stored row. An unknown parent is a *ValidationError.
func (s *Store) UpsertDepartment(ctx context.Context, d *Department) error {
	if f := d.Validate(); len(f) > 0 {
		return &ValidationError{Fields: f}
	}
	t := now()
	d.CreatedAt, d.UpdatedAt = t, t
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "kind", "parent_id", "jurisdiction", "updated_at"}),
	}).Create(d).Error
	if isForeignKeyViolation(err) {
		return invalidField("parent_id", "上级部门不存在")
	}
	if err != nil {
		return dbError(err, "upsert department %q", d.ID)
	}
	stored, err := s.GetDepartment(ctx, d.ID)
	if err != nil {
		return err
	}
	*d = *stored
	return nil
}

// GetUser returns the user with the given id (token subject), or ErrNotFound.
func (s *Store) GetUser(ctx context.Context, id string) (*User, error) {
	var u User
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&u).Error; err != nil {
		return nil, dbError(err, "load user %q", id)
	}
	return &u, nil
}

// UpsertUser creates u or replaces the fields of the user with its id; on return u holds the
// stored row. An unknown department is a *ValidationError.
func (s *Store) UpsertUser(ctx context.Context, u *User) error {
	if f := u.Validate(); len(f) > 0 {
		return &ValidationError{Fields: f}
	}
	t := now()
	u.CreatedAt, u.UpdatedAt = t, t
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "department_id", "roles", "active", "updated_at"}),
	}).Create(u).Error
	if isForeignKeyViolation(err) {
		return invalidField("department_id", "部门不存在")
	}
	if err != nil {
		return dbError(err, "upsert user %q", u.ID)
	}
	stored, err := s.GetUser(ctx, u.ID)
	if err != nil {
		return err
	}
	*u = *stored
	return nil
}

// ListUsers returns the users of a department ordered by id; an empty departmentID lists
// every user.
func (s *Store) ListUsers(ctx context.Context, departmentID string) ([]User, error) {
	q := s.db.WithContext(ctx).Order("id")
	if departmentID != "" {
		q = q.Where("department_id = ?", departmentID)
	}
	var out []User
	if err := q.Find(&out).Error; err != nil {
		return nil, dbError(err, "list users of department %q", departmentID)
	}
	return out, nil
}

// departmentExists reports whether a department with the given id exists.
func departmentExists(ctx context.Context, tx *gorm.DB, id string) (bool, error) {
	var d Department
	err := tx.WithContext(ctx).Select("id").Where("id = ?", id).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, dbError(err, "load department %q", id)
	}
	return true, nil
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }
