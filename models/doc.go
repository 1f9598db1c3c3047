// Package models is datashare's read model and reference data: GORM models, the versioned
// migrations for SQLite and MySQL, the department, user and catalog store, and the demo seed.
//
// Only activities and the API read and write through this package; workflows never import it.
// Errors leave the package as one of a few sentinels (ErrNotFound, ErrConflict,
// ErrInvalidState, ErrInvalid) wrapped with context, so callers map them to HTTP status or
// Temporal application errors without knowing the SQL dialect.
package models
