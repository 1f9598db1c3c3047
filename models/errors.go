package models

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Error categories at the models boundary. Every error this package returns for a business
// reason wraps exactly one of them; the API maps them to 404, 409, 422 and 400.
var (
	// ErrNotFound: the addressed row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique key is taken (duplicate code) or the caller's expected version
	// is stale because someone else changed the row first.
	ErrConflict = errors.New("conflict")
	// ErrInvalidState: the transition is not allowed from the row's current status.
	ErrInvalidState = errors.New("invalid state")
	// ErrInvalid: the input is malformed; usually carried by a *ValidationError.
	ErrInvalid = errors.New("invalid input")
)

// ValidationError lists invalid input fields, keyed by their JSON name, with a message each.
// It unwraps to ErrInvalid.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// invalidField returns a *ValidationError for a single field.
func invalidField(field, msg string) error {
	return &ValidationError{Fields: map[string]string{field: msg}}
}

// dbError wraps a database error with context and, where the driver tells us why it failed,
// with the matching category, so callers never look at driver error codes.
func dbError(err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%s: %w", msg, ErrNotFound)
	case isDuplicateKey(err):
		return fmt.Errorf("%s: %w: %w", msg, ErrConflict, err)
	case isForeignKeyViolation(err):
		return fmt.Errorf("%s: referenced row does not exist: %w: %w", msg, ErrInvalid, err)
	default:
		return fmt.Errorf("%s: %w", msg, err)
	}
}

func isDuplicateKey(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var me *mysqldriver.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062 // ER_DUP_ENTRY
	}
	return false
}

func isForeignKeyViolation(err error) bool {
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var me *mysqldriver.MySQLError
	if errors.As(err, &me) {
		// ER_ROW_IS_REFERENCED_2, ER_NO_REFERENCED_ROW_2
		return me.Number == 1451 || me.Number == 1452
	}
	return false
}
